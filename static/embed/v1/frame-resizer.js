// SPDX-License-Identifier: AGPL-3.0-or-later
/* Openround frame resizer: sizes <iframe src=".../embed/v1/frame/ORG"> to its content.
 * Only messages from the Openround origin that served this script, and only from one of
 * this page's frames, are trusted. */
(function () {
  "use strict";
  var script = document.currentScript || [].slice.call(document.scripts).filter(function (s) {
    return /\/embed\/v1\/frame-resizer\.js(\?|#|$)/.test(s.src);
  })[0];
  if (!script) return;
  var origin = new URL(script.src, location.href).origin;

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== "openround:resize") return;
    var height = Number(data.height);
    if (!isFinite(height) || height < 0 || height > 100000) return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.ceil(height) + "px";
        return;
      }
    }
  });
})();
