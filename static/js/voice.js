// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Surveys: a comment box counts the characters left, so nobody loses a long comment to the limit.
 */
(function () {
  "use strict";
  document.querySelectorAll(".survey-form textarea[maxlength]").forEach(function (area) {
    var counter = document.createElement("p");
    counter.className = "hint";
    counter.setAttribute("aria-live", "polite");
    var limit = parseInt(area.getAttribute("maxlength"), 10);
    var update = function () {
      counter.textContent = (limit - area.value.length) + " / " + limit;
    };
    area.insertAdjacentElement("afterend", counter);
    area.addEventListener("input", update);
    update();
  });
})();
