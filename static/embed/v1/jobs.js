// SPDX-License-Identifier: AGPL-3.0-or-later
/* Openround job widget loader. Paste on any page:
 *   <div data-openround-jobs="ORG-SLUG"></div>
 *   <script src="https://openround.example/embed/v1/jobs.js" async></script>
 * Options: data-team, data-location (country code), data-lang (en|it),
 * data-layout (list|grid|compact), data-job (one job slug), data-track="off".
 * Plain JS, no build step. Data is inserted with textContent only, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript || [].slice.call(document.scripts).filter(function (s) {
    return /\/embed\/v1\/jobs\.js(\?|#|$)/.test(s.src);
  })[0];
  if (!script || !window.fetch || !Element.prototype.attachShadow) return;
  var origin = new URL(script.src, location.href).origin;
  var guard = "__openroundJobs:" + origin;
  if (window[guard]) return;
  window[guard] = true;

  var SELECTOR = "[data-openround-jobs]";
  var COLOR = /^#[0-9a-f]{6}$/i;
  var nonce = script.nonce || "";
  var mounted = new WeakSet();
  var css = null;
  var TEXT = {
    en: {
      heading: "Open positions at %s", apply: "Apply", remote: "Remote", hybrid: "Hybrid",
      empty: "No open positions right now", loading: "Loading open positions…",
      error: "Open positions could not be loaded.", all: "See all jobs at %s",
      types: { full_time: "Full-time", part_time: "Part-time", contractor: "Contract", temporary: "Temporary", intern: "Internship", volunteer: "Volunteer", per_diem: "Per diem" }
    },
    it: {
      heading: "Posizioni aperte in %s", apply: "Candidati", remote: "Da remoto", hybrid: "Ibrido",
      empty: "Nessuna posizione aperta al momento", loading: "Caricamento delle posizioni aperte…",
      error: "Non è stato possibile caricare le posizioni aperte.", all: "Tutte le offerte di %s",
      types: { full_time: "Tempo pieno", part_time: "Part-time", contractor: "Collaborazione", temporary: "Tempo determinato", intern: "Stage", volunteer: "Volontariato", per_diem: "A giornata" }
    }
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function fill(template, value) {
    // A function replacement, so "$&" in an organization's name stays literal.
    return template.replace("%s", function () { return value; });
  }

  function language(host) {
    var lang = (host.dataset.lang || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    return TEXT[lang] ? lang : "en";
  }

  function source(host) {
    var base = origin + "/api/v1/public/orgs/" + encodeURIComponent(host.dataset.openroundJobs) + "/jobs";
    if (host.dataset.job) return base + "/" + encodeURIComponent(host.dataset.job);
    var query = new URLSearchParams();
    if (host.dataset.team) query.set("team", host.dataset.team);
    if (host.dataset.location) query.set("country", host.dataset.location);
    return base + (String(query) ? "?" + query : "");
  }

  function get(url, asText) {
    return fetch(url, { credentials: "omit", mode: "cors" }).then(function (response) {
      if (response.status === 404) return null;
      if (!response.ok) throw new Error("HTTP " + response.status);
      return asText ? response.text() : response.json();
    });
  }

  function stylesheet() {
    css = css || get(origin + "/embed/v1/widget.css", true).catch(function () { return ""; });
    return css;
  }

  function applyStyles(root, text) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = el("style", null, text);
      if (nonce) style.nonce = nonce;
      root.insertBefore(style, root.firstChild);
    }
  }

  function safeLink(url, host) {
    try {
      var link = new URL(url);
      if (link.protocol !== "https:" && link.protocol !== "http:") return null;
      if (host) {
        link.searchParams.set("embed", host);
        link.searchParams.set("utm_source", host);
        link.searchParams.set("utm_medium", "embed");
      }
      return link.href;
    } catch (e) {
      return null;
    }
  }

  function countryName(code, lang) {
    try {
      return new Intl.DisplayNames([lang], { type: "region" }).of(code) || code;
    } catch (e) {
      return code;
    }
  }

  function place(job, t, lang) {
    var parts = (job.locations || []).slice(0, 2).map(function (l) {
      return l.city || countryName(l.country, lang);
    });
    if ((job.locations || []).length > 2) parts.push("+" + (job.locations.length - 2));
    if (job.work_model === "remote") parts.unshift(t.remote);
    if (job.work_model === "hybrid") parts.push(t.hybrid);
    return parts.join(", ");
  }

  function track(host, type, org, job) {
    if (host.dataset.track === "off") return;
    var query = new URLSearchParams(location.search);
    var utm = {};
    ["source", "medium", "campaign", "term", "content"].forEach(function (key) {
      utm[key] = query.get("utm_" + key);
    });
    var body = JSON.stringify({ events: [{
      type: type, org: org, job: job, page_url: location.href, referrer: document.referrer,
      embed_host: location.hostname, share_channel: null, ref: null, utm: utm
    }] });
    var url = origin + "/api/v1/events";
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    } catch (e) { /* fall back to fetch below */ }
    fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit", mode: "cors",
      headers: { "Content-Type": "text/plain" } }).catch(function () {});
  }

  function card(host, job, org, t, lang) {
    var item = el("li", "or-card");
    var title = el("h3", "or-title");
    var link = el("a", "or-link", job.title);
    var href = safeLink(job.url, location.hostname);
    if (href) link.href = href;
    link.target = "_top";
    link.addEventListener("click", function () { track(host, "card_click", org.slug, job.slug); });
    title.appendChild(link);
    item.appendChild(title);
    var meta = [job.team, place(job, t, lang), t.types[job.employment_type]].filter(Boolean).join(" · ");
    if (meta) item.appendChild(el("p", "or-meta", meta));
    if (job.summary) item.appendChild(el("p", "or-summary", job.summary));
    var cta = el("span", "or-cta", t.apply);
    cta.setAttribute("aria-hidden", "true");
    item.appendChild(cta);
    return item;
  }

  function render(host, box, data, t, lang) {
    var org = data.organization;
    ["primary", "accent"].forEach(function (name) {
      var value = org[name + "_color"];
      if (COLOR.test(value || "")) host.style.setProperty("--or-" + name, value);
    });
    var layout = /^(list|grid|compact)$/.test(host.dataset.layout || "") ? host.dataset.layout : "list";
    var widget = el("section", "or-widget or-" + layout);
    var head = el("div", "or-head");
    if (org.logo_url && safeLink(org.logo_url)) {
      var logo = el("img", "or-logo");
      logo.src = safeLink(org.logo_url);
      logo.alt = "";
      logo.width = 32;
      logo.height = 32;
      logo.loading = "lazy";
      head.appendChild(logo);
    }
    var heading = el("h2", "or-heading", fill(t.heading, org.name));
    heading.id = "or-heading";
    head.appendChild(heading);
    widget.setAttribute("aria-labelledby", "or-heading");
    widget.appendChild(head);
    var jobs = data.job ? [data.job] : data.jobs || [];
    if (jobs.length) {
      var list = el("ul", "or-list");
      list.setAttribute("role", "list");
      jobs.forEach(function (job) { list.appendChild(card(host, job, org, t, lang)); });
      widget.appendChild(list);
    } else {
      widget.appendChild(el("p", "or-empty", t.empty));
    }
    var careers = safeLink(org.careers_url, location.hostname);
    if (careers) {
      var more = el("a", "or-more", fill(t.all, org.name));
      more.href = careers;
      more.target = "_top";
      widget.appendChild(el("p", "or-foot")).appendChild(more);
    }
    box.replaceChildren(widget);
    track(host, "widget_view", org.slug, null);
  }

  function mount(host) {
    if (mounted.has(host) || !host.dataset.openroundJobs) return;
    mounted.add(host);
    var lang = language(host);
    var t = TEXT[lang];
    var root = host.shadowRoot || host.attachShadow({ mode: "open" });
    var box = el("div");
    box.setAttribute("aria-live", "polite");
    box.appendChild(el("p", "or-status", t.loading));
    root.replaceChildren(box);
    // Reserve room while loading, so the host page does not jump when the cards arrive.
    if (!host.style.minHeight) host.style.minHeight = "8rem";
    Promise.all([get(source(host)), stylesheet()]).then(function (results) {
      applyStyles(root, results[1]);
      if (results[0]) {
        render(host, box, results[0], t, lang);
      } else {
        box.replaceChildren(el("p", "or-empty", t.empty));
      }
    }).catch(function () {
      stylesheet().then(function (text) { applyStyles(root, text); });
      box.replaceChildren(el("p", "or-status", t.error));
    });
  }

  function scan(node) {
    if (node.nodeType !== 1) return;
    if (node.matches(SELECTOR)) mount(node);
    [].forEach.call(node.querySelectorAll(SELECTOR), mount);
  }

  scan(document.documentElement);
  new MutationObserver(function (records) {
    records.forEach(function (record) { [].forEach.call(record.addedNodes, scan); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
