// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * Enhancements for the pipeline pages; everything works without this file.
 * - The board: drag a card to another column (HTML5 drag and drop). The move is posted with the
 *   card's own form (its CSRF token) and answered in JSON; the card's "Move to" form stays the
 *   keyboard alternative.
 * - The list: a "select all on this page" checkbox.
 * Forms with data-confirm are handled by core.js for every page.
 */
(function () {
  "use strict";

  var selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    var boxes = document.querySelectorAll("input[type=checkbox][name=application]");
    selectAll.hidden = false;
    selectAll.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  var board = document.querySelector("[data-pipeline-board]");
  if (!board) {
    return;
  }
  var status = document.getElementById("pipeline-status");
  var dragged = null;

  function announce(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  function columnOf(element) {
    return element.closest("[data-stage-drop]");
  }

  function changeCount(column, delta) {
    var count = column.querySelector("[data-count]");
    count.textContent = String(Number(count.textContent) + delta);
  }

  function place(card, target, answer) {
    var source = card.closest(".pipeline-column");
    target.querySelector(".pipeline-cards").appendChild(card);
    if (source) {
      changeCount(source, -1);
    }
    changeCount(target, 1);
    card.setAttribute("data-stage", answer.stage);
    var select = card.querySelector("select[name=stage]");
    if (select) {
      select.value = answer.stage;
    }
    var days = card.querySelector("[data-days]");
    if (days) {
      days.textContent = answer.days_label;
    }
    announce(answer.message, false);
  }

  function move(card, target) {
    var form = card.querySelector("form.pipeline-move");
    var data = new FormData(form);
    data.set("stage", target.getAttribute("data-stage"));
    card.classList.add("saving");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) {
          place(card, target, result.body);
        } else {
          announce((result.body.error && result.body.error.message) || board.dataset.networkError, true);
        }
      })
      .catch(function () {
        announce(board.dataset.networkError, true);
      })
      .then(function () {
        card.classList.remove("saving");
      });
  }

  board.querySelectorAll(".pipeline-card").forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
      board.querySelectorAll(".drop-target").forEach(function (column) {
        column.classList.remove("drop-target");
      });
    });
  });

  board.querySelectorAll("[data-stage-drop]").forEach(function (column) {
    column.addEventListener("dragover", function (event) {
      if (!dragged) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      column.classList.add("drop-target");
    });
    column.addEventListener("dragleave", function (event) {
      if (!column.contains(event.relatedTarget)) {
        column.classList.remove("drop-target");
      }
    });
    column.addEventListener("drop", function (event) {
      event.preventDefault();
      column.classList.remove("drop-target");
      var card = dragged || document.getElementById(event.dataTransfer.getData("text/plain"));
      if (!card || columnOf(column) !== column || card.getAttribute("data-stage") === column.getAttribute("data-stage")) {
        return;
      }
      move(card, column);
    });
  });
})();
