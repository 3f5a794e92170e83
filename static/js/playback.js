// SPDX-License-Identifier: AGPL-3.0-or-later
// Reviewer playback: speed buttons per answer and keyboard controls for the last video used.
(function () {
  "use strict";
  var videos = Array.prototype.slice.call(document.querySelectorAll("video"));
  var current = videos[0] || null;

  videos.forEach(function (video) {
    ["play", "focus", "click"].forEach(function (name) {
      video.addEventListener(name, function () { current = video; });
    });
  });

  document.querySelectorAll(".playback-speeds").forEach(function (group) {
    var section = group.closest("section");
    var video = section && section.querySelector("video.answer-video");
    if (!video) { return; }
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-speed]");
      if (!button) { return; }
      video.playbackRate = parseFloat(button.getAttribute("data-speed"));
      current = video;
      group.querySelectorAll("button[data-speed]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!current || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    // Typing in a field, or a focused native control, keeps its own keys.
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|SUMMARY)$/.test(target.tagName))) { return; }
    if (target && target.tagName === "VIDEO") { return; }
    if (event.key === " ") {
      event.preventDefault();
      if (current.paused) { current.play(); } else { current.pause(); }
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      current.currentTime = Math.max(0, current.currentTime - 5);
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      current.currentTime = Math.min(current.duration || Infinity, current.currentTime + 5);
    }
  });
})();
