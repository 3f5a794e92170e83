// SPDX-License-Identifier: AGPL-3.0-or-later
// Feedback pages: choosing another stage or reason loads its wording at once (the button stays for keyboards and no-JS).
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        // A reason belongs to a stage: a new stage starts from its general wording.
        if (select.name === "stage") {
          var reason = form.querySelector("select[name=reason]");
          if (reason) { reason.value = ""; }
        }
        form.requestSubmit ? form.requestSubmit() : form.submit();
      });
    });
  });
})();
