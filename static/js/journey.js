// SPDX-License-Identifier: AGPL-3.0-or-later
/* Openround journey events: what a visitor saw and did, and where they first came from.
 *
 * Reads the page's <script type="application/json" id="openround-journey">{"org", "job", "view"}.
 * No cookies. The attribution of the page a visitor landed on (utm_*, ?ref=, ?s=, ?embed=, the
 * referrer's origin) is kept in sessionStorage under "openround.firstTouch": it stays in this tab,
 * is never sent to the server by the browser on its own, and holds no personal data. Every event
 * carries that first touch, so an apply_start two pages later still credits the original source.
 * The first touch across visits (the first landing that came from outside: an ambassador's link, a
 * share, a campaign, an embed or another site) is kept in localStorage under
 * "openround.originalTouch:<org>" for 90 days; static/js/apply.js sends it with an application.
 * Events fired within about a second are sent together with navigator.sendBeacon (text/plain, so
 * no preflight), or fetch with keepalive and no credentials where beacons are unavailable.
 */
(function () {
  "use strict";

  var ENDPOINT = "/api/v1/events";
  var STORAGE_KEY = "openround.firstTouch";
  var UTM = ["source", "medium", "campaign", "term", "content"];
  var MAX_BATCH = 20;
  var ORIGINAL_KEY = "openround.originalTouch:";
  var ORIGINAL_DAYS = 90;

  var configElement = document.getElementById("openround-journey");
  if (!configElement) return;
  var config;
  try {
    config = JSON.parse(configElement.textContent || "{}");
  } catch (error) {
    return;
  }
  if (!config || !config.org) return;

  function currentTouch() {
    var params = new URLSearchParams(window.location.search);
    var utm = {};
    var hasUtm = false;
    UTM.forEach(function (name) {
      var value = params.get("utm_" + name);
      if (value) {
        utm[name] = value.slice(0, 120);
        hasUtm = true;
      }
    });
    var referrer = null;
    try {
      // Only the origin: a referrer's path or query may hold personal data.
      if (document.referrer) referrer = new URL(document.referrer).origin + "/";
    } catch (error) {
      referrer = null;
    }
    return {
      utm: hasUtm ? utm : null,
      ref: params.get("ref"),
      share_channel: params.get("s"),
      embed_host: params.get("embed"),
      referrer: referrer,
    };
  }

  function firstTouch() {
    var touch = currentTouch();
    try {
      var stored = window.sessionStorage.getItem(STORAGE_KEY);
      if (stored) return JSON.parse(stored);
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(touch));
    } catch (error) {
      // Storage disabled (private mode, policies): this page's own attribution is the best we have.
    }
    return touch;
  }

  function cameFromOutside(landing) {
    var external = landing.referrer && landing.referrer !== window.location.origin + "/";
    return Boolean(landing.ref || landing.share_channel || landing.embed_host || landing.utm || external);
  }

  // The first landing from outside, remembered across visits (no personal data: only its source).
  function rememberOriginalTouch(landing) {
    if (!cameFromOutside(landing)) return;
    var key = ORIGINAL_KEY + config.org;
    var today = new Date().toISOString().slice(0, 10);
    try {
      var stored = JSON.parse(window.localStorage.getItem(key) || "null");
      var age = stored && stored.at ? (Date.parse(today) - Date.parse(stored.at)) / 86400000 : Infinity;
      if (stored && age <= ORIGINAL_DAYS) return;
      var original = {};
      for (var name in landing) original[name] = landing[name];
      original.at = today;
      window.localStorage.setItem(key, JSON.stringify(original));
    } catch (error) {
      // Storage disabled or full: the application then carries its last touch only.
    }
  }

  rememberOriginalTouch(currentTouch());
  var touch = firstTouch();
  var page = window.location.origin + window.location.pathname;
  var queue = [];
  var timer = null;

  function send(events) {
    var body = JSON.stringify({ events: events });
    var sent = false;
    try {
      if (navigator.sendBeacon) {
        sent = navigator.sendBeacon(ENDPOINT, new Blob([body], { type: "text/plain" }));
      }
    } catch (error) {
      sent = false;
    }
    if (!sent && window.fetch) {
      window
        .fetch(ENDPOINT, {
          method: "POST",
          body: body,
          keepalive: true,
          credentials: "omit",
          headers: { "Content-Type": "text/plain" },
        })
        .catch(function () {});
    }
  }

  function flush() {
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    while (queue.length) send(queue.splice(0, MAX_BATCH));
  }

  function track(type, extra) {
    var event = {
      type: type,
      org: config.org,
      job: config.job || null,
      page_url: page,
      referrer: touch.referrer || null,
      embed_host: touch.embed_host || null,
      share_channel: touch.share_channel || null,
      ref: touch.ref || null,
      utm: touch.utm || null,
    };
    if (extra) {
      for (var key in extra) event[key] = extra[key];
    }
    queue.push(event);
    if (queue.length >= MAX_BATCH) flush();
    else if (!timer) timer = window.setTimeout(flush, 1000);
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-journey]") : null;
    if (!target) return;
    var kind = target.getAttribute("data-journey");
    if (kind === "share_click") {
      track("share_click", { share_target: target.getAttribute("data-journey-channel") || null });
    } else if (kind === "apply_start") {
      track("apply_start");
    }
  });

  var played = [];
  document.addEventListener(
    "play",
    function (event) {
      var video = event.target;
      if (!(video instanceof HTMLVideoElement) || video.getAttribute("data-journey") !== "video_play") return;
      if (played.indexOf(video) !== -1) return;
      played.push(video);
      track("video_play");
    },
    true // "play" does not bubble
  );

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("pagehide", flush);

  if (config.view === "card_view" || config.view === "career_site_view") track(config.view);
})();
