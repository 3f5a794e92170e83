// SPDX-License-Identifier: AGPL-3.0-or-later
/* Embed snippet builder: copy buttons, and the preview and snippets follow the options live. */
(function () {
  "use strict";
  var form = document.getElementById("embed-options");
  if (!form) return;
  var status = document.getElementById("copy-status");
  var frame = document.getElementById("embed-preview-frame");
  var pending = null;

  function announce(key) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = status.dataset[key]; }, 50);
  }

  function copy(textarea) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(textarea.value);
    }
    textarea.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  [].forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var textarea = document.getElementById(button.dataset.copy);
      copy(textarea).then(function () { announce("copied"); }, function () {
        textarea.select();
        announce("failed");
      });
    });
  });

  function options() {
    var chosen = [];
    new FormData(form).forEach(function (value, name) {
      if (value && !(name === "layout" && value === "list")) chosen.push([name, String(value)]);
    });
    return chosen;
  }

  function refreshPreview(chosen) {
    var old = document.getElementById("embed-preview");
    var next = document.createElement("div");
    next.id = "embed-preview";
    next.dataset.openroundJobs = old.dataset.openroundJobs;
    next.dataset.track = "off";
    chosen.forEach(function (pair) { next.setAttribute("data-" + pair[0], pair[1]); });
    // A new element: the loader watches for added widgets and renders it afresh.
    old.replaceWith(next);
  }

  function refreshSnippets(query) {
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.action + (query ? "?" + query : ""), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending.signal
    })
      .then(function (response) { return response.json(); })
      .then(function (snippets) {
        document.getElementById("script-snippet").value = snippets.script_snippet;
        document.getElementById("frame-snippet").value = snippets.frame_snippet;
      })
      .catch(function () { /* the submit button still refreshes the page */ });
  }

  form.addEventListener("change", function () {
    var chosen = options();
    var query = String(new URLSearchParams(chosen));
    refreshPreview(chosen);
    if (frame) frame.src = frame.dataset.base + (query ? "?" + query : "");
    refreshSnippets(query);
    window.history.replaceState(null, "", form.action + (query ? "?" + query : ""));
  });
})();
