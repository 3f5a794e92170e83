// SPDX-License-Identifier: AGPL-3.0-or-later
// Comments: typing "@" narrows the list of colleagues; choosing one writes "@handle " into the comment.
(function () {
  "use strict";
  var input = document.querySelector("textarea[data-mention-input]");
  var list = document.querySelector(".mention-list");
  if (!input || !list) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("li"));

  // The "@word" being typed just before the cursor, if any.
  function partialMention() {
    var before = input.value.slice(0, input.selectionStart);
    var match = /(^|[^\w@.])@([\w.+-]*)$/.exec(before);
    return match ? { start: before.length - match[2].length - 1, text: match[2].toLowerCase() } : null;
  }

  function filter() {
    var partial = partialMention();
    items.forEach(function (item) {
      var handle = item.querySelector("[data-handle]").getAttribute("data-handle").toLowerCase();
      var name = (item.getAttribute("data-name") || "").toLowerCase();
      var shown = !partial || !partial.text || handle.indexOf(partial.text) === 0 || name.indexOf(partial.text) !== -1;
      item.hidden = !shown;
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-handle]");
    if (!button) { return; }
    var handle = "@" + button.getAttribute("data-handle") + " ";
    var partial = partialMention();
    var cursor = input.selectionStart;
    var start = partial ? partial.start : cursor;
    var needsSpace = start > 0 && !/\s/.test(input.value.charAt(start - 1)) && !partial;
    input.value = input.value.slice(0, start) + (needsSpace ? " " : "") + handle + input.value.slice(cursor);
    var position = start + (needsSpace ? 1 : 0) + handle.length;
    input.focus();
    input.setSelectionRange(position, position);
    filter();
  });

  input.addEventListener("input", filter);
  input.addEventListener("click", filter);
  input.addEventListener("keyup", function (event) {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") { filter(); }
  });
})();
