// SPDX-License-Identifier: AGPL-3.0-or-later
/* The ambassador's home: copy buttons for links and texts, and noting which share buttons were used.
 *
 * Without this script the share buttons still open the networks and the links can be copied by
 * hand; only the "share" points are not recorded. Shares are posted to /app/advocacy/shares with
 * the page's CSRF token from core.js (keepalive, so leaving for the network's page does not cancel it).
 */
(function () {
  "use strict";

  var ENDPOINT = "/app/advocacy/shares";

  function recordShare(element) {
    var job = element.getAttribute("data-share-job");
    var channel = element.getAttribute("data-share-channel");
    if (!job || !channel || !window.fetch) return;
    window
      .fetch(ENDPOINT, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": window.Openround.csrfToken() },
        body: JSON.stringify({ job: job, channel: channel }),
      })
      .catch(function () {});
  }

  function statusFor(element) {
    var article = element.closest(".job-share");
    return article ? article.querySelector(".copy-status") : null;
  }

  function announce(element, message) {
    var status = statusFor(element);
    if (!status) return;
    // Cleared first so that screen readers announce the same message again on a second click.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function copyBySelection(source) {
    source.focus();
    source.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source) return;
    var copied = button.getAttribute("data-copied");
    var failed = button.getAttribute("data-failed");
    function done(ok) {
      announce(button, ok ? copied : failed);
      if (ok) recordShare(button);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(
        function () {
          done(true);
        },
        function () {
          done(copyBySelection(source));
        }
      );
    } else {
      done(copyBySelection(source));
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var button = target.closest("button[data-copy-from]");
    if (button) {
      copy(button);
      return;
    }
    var share = target.closest("a[data-share-channel]");
    if (share) recordShare(share); // the link itself opens the network as usual
  });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-from]"), function (button) {
    button.hidden = false;
  });
})();
