// SPDX-License-Identifier: AGPL-3.0-or-later
/* Job card: the "copy link" button. Everything else on the card works without JavaScript. */
(function () {
  "use strict";

  var button = document.getElementById("copy-link");
  var status = document.getElementById("copy-status");
  if (!button || !status) {
    return;
  }
  var input = document.getElementById(button.getAttribute("data-copy-from"));
  if (!input) {
    return;
  }

  function announce(message) {
    // Clear first so screen readers announce the same message again on a second click.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function copyBySelection() {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  button.addEventListener("click", function () {
    var copied = button.getAttribute("data-copied-message");
    var failed = button.getAttribute("data-failed-message");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () {
          announce(copied);
        },
        function () {
          announce(copyBySelection() ? copied : failed);
        }
      );
    } else {
      announce(copyBySelection() ? copied : failed);
    }
  });

  button.hidden = false;
})();
