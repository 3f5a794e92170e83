// SPDX-License-Identifier: AGPL-3.0-or-later
// The apply form, improved: attribution from the first touch, a size check before sending,
// and an upload progress bar. Without this script the form still works as a plain POST.
(function () {
  "use strict";

  var FIRST_TOUCH_KEY = "openround.firstTouch";
  var ATTRIBUTION_KEYS = [
    "channel", "source", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "referrer_host", "embed_host", "share_channel", "ambassador_code"
  ];

  function readFirstTouch() {
    try {
      var raw = window.sessionStorage.getItem(FIRST_TOUCH_KEY);
      var data = raw ? JSON.parse(raw) : null;
      return data && typeof data === "object" ? data : null;
    } catch (error) {
      return null; // storage disabled or malformed: the server-side values stay
    }
  }

  // journey.js keeps {utm: {...}, ref, share_channel, embed_host, referrer}; the form wants flat fields.
  function flatten(touch) {
    var flat = {};
    for (var key in touch) {
      if (typeof touch[key] === "string") flat[key] = touch[key];
    }
    if (touch.utm && typeof touch.utm === "object") {
      for (var name in touch.utm) {
        if (typeof touch.utm[name] === "string") flat["utm_" + name] = touch.utm[name];
      }
    }
    if (typeof touch.ref === "string") flat.ambassador_code = touch.ref;
    if (typeof touch.referrer === "string" && !flat.referrer_host) {
      try {
        var origin = new URL(touch.referrer);
        if (origin.origin === window.location.origin) flat.channel = "career_site";
        else flat.referrer_host = origin.hostname;
      } catch (error) {
        // not a URL: leave it out
      }
    }
    return flat;
  }

  // The first touch across visits, remembered by journey.js for this organization.
  function readOriginalTouch(form) {
    var match = /\/careers\/([^/]+)\//.exec(new URL(form.action, window.location.href).pathname);
    if (!match) return null;
    try {
      return window.localStorage.getItem("openround.originalTouch:" + decodeURIComponent(match[1]));
    } catch (error) {
      return null;
    }
  }

  function fillAttribution(form) {
    var original = readOriginalTouch(form);
    var originalInput = form.elements.namedItem("first_touch");
    if (original && originalInput) originalInput.value = original.slice(0, 2000);
    var firstTouch = readFirstTouch();
    if (!firstTouch) return;
    var flat = flatten(firstTouch);
    ATTRIBUTION_KEYS.forEach(function (key) {
      var input = form.elements.namedItem(key);
      var value = flat[key];
      if (input && typeof value === "string" && value) input.value = value.slice(0, 255);
    });
  }

  function showFieldError(form, message) {
    var input = form.elements.namedItem("cv");
    if (!input) return;
    var id = input.id + "-client-error";
    var existing = document.getElementById(id);
    if (!existing) {
      existing = document.createElement("p");
      existing.id = id;
      existing.className = "field-error";
      existing.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", existing);
    }
    existing.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.focus();
  }

  function fileTooLarge(form) {
    var input = form.elements.namedItem("cv");
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    return input && input.files && input.files[0] && limit && input.files[0].size > limit;
  }

  // Put the server's answer (a form with errors, "already applied", ...) in place of this page's main.
  function showResponse(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.getElementById("main");
    if (!main) return false;
    document.getElementById("main").replaceChildren.apply(
      document.getElementById("main"), Array.prototype.slice.call(main.childNodes)
    );
    if (doc.title) document.title = doc.title;
    var summary = document.getElementById("error-summary");
    var heading = document.querySelector("#main h1");
    (summary || heading || document.getElementById("main")).focus();
    window.scrollTo(0, 0);
    return true;
  }

  function sendWithProgress(form) {
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-progress-bar");
    var status = document.getElementById("upload-status");
    var button = form.querySelector("button[type=submit]");
    var xhr = new XMLHttpRequest();
    var fellBack = false;

    function fallBack() {
      if (fellBack) return;
      fellBack = true;
      if (status) status.textContent = form.getAttribute("data-failed") || "";
      HTMLFormElement.prototype.submit.call(form);
    }

    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "text/html");
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable || !bar) return;
      var percent = Math.round((event.loaded / event.total) * 100);
      bar.value = percent;
      if (status) status.textContent = percent + "%";
    };
    xhr.onload = function () {
      var redirected = xhr.responseURL && xhr.responseURL.split("#")[0] !== form.action;
      if (xhr.status >= 200 && xhr.status < 300 && redirected) {
        window.location.assign(xhr.responseURL);
      } else if (!showResponse(xhr.responseText)) {
        fallBack();
      }
    };
    xhr.onerror = fallBack;
    if (box) box.hidden = false;
    if (button) button.disabled = true;
    if (status) status.textContent = form.getAttribute("data-sending") || "";
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "apply-form") return;
    if (fileTooLarge(form)) {
      event.preventDefault();
      showFieldError(form, form.getAttribute("data-too-large"));
      return;
    }
    if (!window.FormData || !window.XMLHttpRequest || !("upload" in new XMLHttpRequest())) return;
    event.preventDefault();
    fillAttribution(form);
    sendWithProgress(form);
  });

  function init() {
    var form = document.getElementById("apply-form");
    if (form) fillAttribution(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
