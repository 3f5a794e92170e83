// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Profiles: a visibility menu saves itself when changed (its "Change" button stays for
 * keyboard users and for pages without JavaScript).
 */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      }
    });
  });
})();
