// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Enhancements for the job form and the testimonials page; everything works without this file.
 * - location and FAQ lists get an "add another" button that clones the last row;
 * - the testimonial form fills the shown name from the chosen colleague.
 * (Forms with data-confirm are handled by core.js for every page.)
 */
(function () {
  "use strict";

  var MAX_ROWS = 30;

  function renumber(row, index) {
    var pattern = /^(locations|faqs)-\d+-/;
    row.querySelectorAll("[name], [id], label[for], [aria-describedby]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && pattern.test(value)) {
          element.setAttribute(attribute, value.replace(/-\d+-/, "-" + index + "-"));
        }
      });
    });
  }

  function clearRow(row) {
    row.querySelectorAll("input, textarea").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll(".field-error, .hint").forEach(function (element) { element.remove(); });
    row.querySelectorAll(".field-invalid").forEach(function (element) { element.classList.remove("field-invalid"); });
    row.querySelectorAll("[aria-invalid]").forEach(function (element) {
      element.setAttribute("aria-invalid", "false");
      element.removeAttribute("aria-describedby");
    });
  }

  function addRowButtons() {
    document.querySelectorAll("[data-rows]").forEach(function (container) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = container.getAttribute("data-add-label") || "+";
      button.addEventListener("click", function () {
        var rows = container.querySelectorAll("[data-row]");
        if (rows.length >= MAX_ROWS) {
          return;
        }
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        renumber(copy, rows.length);
        clearRow(copy);
        var legend = copy.querySelector("legend");
        if (legend) {
          legend.textContent = legend.textContent.replace(/\d+\s*$/, String(rows.length + 1));
        }
        container.appendChild(copy);
        var first = copy.querySelector("input, textarea, select");
        if (first) {
          first.focus();
        }
      });
      container.insertAdjacentElement("afterend", button);
    });
  }

  function prefillAuthor() {
    var form = document.querySelector("form[data-testimonial-form]");
    var template = document.getElementById("testimonial-authors");
    if (!form || !template) {
      return;
    }
    var names = {};
    template.content.querySelectorAll("[data-author-id]").forEach(function (element) {
      names[element.getAttribute("data-author-id")] = element.getAttribute("data-author-name");
    });
    var select = form.querySelector("select[name=employee_id]");
    var nameInput = form.querySelector("input[name=author_name]");
    if (!select || !nameInput) {
      return;
    }
    select.addEventListener("change", function () {
      var previous = nameInput.getAttribute("data-prefilled");
      if (!nameInput.value || nameInput.value === previous) {
        nameInput.value = names[select.value] || "";
        nameInput.setAttribute("data-prefilled", nameInput.value);
      }
    });
  }

  function start() {
    addRowButtons();
    prefillAuthor();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
