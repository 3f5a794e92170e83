// SPDX-License-Identifier: AGPL-3.0-or-later
/* Openround job frame: tells the parent page its height (not sensitive, so any parent may know),
 * and records a view and card clicks like the script widget does. */
(function () {
  "use strict";
  var body = document.body;
  var last = 0;

  function postHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last || window.parent === window) return;
    last = height;
    window.parent.postMessage({ type: "openround:resize", height: height }, "*");
  }

  function track(type, job) {
    if (!body.dataset.org) return;
    var host = body.dataset.embedHost || "";
    var payload = JSON.stringify({ events: [{
      type: type, org: body.dataset.org, job: job, page_url: document.referrer, referrer: document.referrer,
      embed_host: host || null, share_channel: null, ref: null,
      utm: { source: host || null, medium: "embed", campaign: null, term: null, content: null }
    }] });
    var url = "/api/v1/events";
    if (navigator.sendBeacon && navigator.sendBeacon(url, payload)) return;
    fetch(url, { method: "POST", body: payload, keepalive: true, credentials: "omit",
      headers: { "Content-Type": "text/plain" } }).catch(function () {});
  }

  [].forEach.call(document.querySelectorAll("a[data-job]"), function (link) {
    link.addEventListener("click", function () { track("card_click", link.dataset.job); });
  });
  window.addEventListener("load", postHeight);
  window.addEventListener("resize", postHeight);
  if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
  postHeight();
  track("widget_view", null);
})();
