// SPDX-License-Identifier: AGPL-3.0-or-later
// The live analytics dashboard: polls its JSON with ETags, redraws tables and their charts.
// The tables are rendered by the server and work without JavaScript; this adds the charts
// (Chart.js from static/vendor) and keeps both up to date without a reload.
(function () {
  "use strict";

  var root = document.getElementById("analytics");
  if (!root) return;

  var source = root.dataset.source;
  var pollMs = Math.max(1, Number(root.dataset.pollSeconds || 2)) * 1000;
  var statusEl = document.getElementById("analytics-status");
  var etag = root.dataset.etag || null;
  var charts = {};
  var timer = null;
  var failures = 0;

  function palette() {
    var style = getComputedStyle(document.documentElement);
    var brand = style.getPropertyValue("--brand").trim() || "#1f4b99";
    var accent = style.getPropertyValue("--accent").trim() || "#e4572e";
    return [brand, accent, "#2a9d8f", "#8d6cab", "#e9c46a", "#6c757d", "#264653"];
  }

  function columnIndex(table, key) {
    for (var i = 0; i < table.columns.length; i++) {
      if (table.columns[i].key === key) return i;
    }
    return -1;
  }

  function chartData(table) {
    var spec = table.chart;
    var colors = palette();
    var labelAt = columnIndex(table, spec.label_column);
    var labels = table.rows.map(function (row) { return String(row[labelAt]); });
    var datasets = spec.series.map(function (key, n) {
      var at = columnIndex(table, key);
      var color = colors[n % colors.length];
      return {
        label: table.columns[at].label,
        data: table.rows.map(function (row) { return row[at]; }),
        backgroundColor: spec.kind === "doughnut" ? colors.slice(0, table.rows.length) : color,
        borderColor: spec.kind === "line" ? color : undefined,
        spanGaps: true
      };
    });
    return { labels: labels, datasets: datasets };
  }

  function drawChart(table) {
    var canvas = root.querySelector('canvas[data-chart-for="' + table.key + '"]');
    if (!canvas || !table.chart || typeof window.Chart === "undefined") return;
    var existing = charts[table.key];
    var data = chartData(table);
    if (existing) {
      existing.data.labels = data.labels;
      existing.data.datasets = data.datasets;
      existing.update("none");
      return;
    }
    var scales = {};
    if (table.chart.kind !== "doughnut") {
      // Counts get whole-number ticks; days and scores keep their fractions.
      var counts = table.chart.series.every(function (key) {
        return table.columns[columnIndex(table, key)].kind === "count";
      });
      var values = { beginAtZero: true, ticks: counts ? { precision: 0 } : {} };
      scales = table.chart.horizontal ? { x: values, y: {} } : { x: {}, y: values };
    }
    charts[table.key] = new window.Chart(canvas, {
      type: table.chart.kind,
      data: data,
      options: {
        indexAxis: table.chart.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { display: table.chart.series.length > 1 || table.chart.kind === "doughnut" } }
      }
    });
  }

  function cell(tag, text, numeric) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (tag === "th") element.scope = "row";
    if (numeric) element.className = "num";
    return element;
  }

  function drawTable(table) {
    var element = root.querySelector('table[data-table="' + table.key + '"]');
    if (!element) return;
    var caption = element.querySelector("caption");
    if (caption) caption.textContent = table.caption;
    var body = document.createElement("tbody");
    table.display.forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (text, i) {
        tr.appendChild(cell(i === 0 ? "th" : "td", text, i > 0 && table.columns[i].kind !== "text"));
      });
      body.appendChild(tr);
    });
    if (!table.display.length) {
      var tr = document.createElement("tr");
      tr.className = "empty";
      var td = cell("td", root.dataset.emptyText, false);
      td.colSpan = table.columns.length;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    element.replaceChild(body, element.querySelector("tbody"));
  }

  function render(payload) {
    payload.sections.forEach(function (section) {
      section.tables.forEach(function (table) {
        drawTable(table);
        drawChart(table);
      });
    });
    root.dataset.version = etag || "";
    if (statusEl) {
      statusEl.textContent = root.dataset.updatedText.replace("{time}", new Date().toLocaleTimeString());
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    if (document.hidden) return; // resumed by visibilitychange
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(source, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (payload) {
        failures = 0;
        if (payload) render(payload);
        schedule(pollMs);
      })
      .catch(function () {
        failures += 1;
        if (statusEl) statusEl.textContent = root.dataset.offlineText;
        schedule(window.Openround.backoff(failures, { backoff: pollMs, max: 30000 }));
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) schedule(0);
  });
  // The page came with its figures (and their ETag): draw the charts, then poll for changes.
  var initial = document.getElementById("analytics-data");
  if (initial) render(JSON.parse(initial.textContent));
  schedule(pollMs);
})();
