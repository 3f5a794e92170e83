/*
 * Enhancements for the interview pages; everything works without this file.
 * Forms with data-confirm ask before submitting (remove a question, cancel an invitation…).
 */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
})();
