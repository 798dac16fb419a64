// Dashboard page: fetches aggregates from /dashboard/api/* and draws them with the vendored Chart.js.
// Every number is computed in the database; this script only formats and draws.
(function () {
  "use strict";
  const body = document.body;
  const base = body.dataset.base;
  const charts = {};
  const state = { page: 1, pageSize: 25, total: 0, generation: 0 };
  const SEP = "@@";
  const el = (id) => document.getElementById(id);
  const pct = (p) => (p === null || p === undefined ? "–" : (100 * p).toFixed(1) + "%");
  const int = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  function filterParams() {
    const q = new URLSearchParams();
    const from = el("f-date-from").value, to = el("f-date-to").value;
    const fam = el("f-family").value, model = el("f-model").value;
    if (from) q.set("date_from", from);
    if (to) q.set("date_to", to);
    if (fam) q.set("service_family", fam);
    if (model) {
      const [name, version] = model.split(SEP);
      q.set("model_name", name);
      q.set("model_version", version);
    }
    return q;
  }

  function toLogin() {
    // The sign-in expired or was revoked: back to the form, returning here afterwards.
    location.href = base + "/login?next=" + encodeURIComponent(location.pathname + location.search);
    throw new Error("signed out");
  }

  async function getJSON(path, params) {
    const url = base + "/api/" + path + (params && [...params].length ? "?" + params.toString() : "");
    const resp = await fetch(url, { headers: { Accept: "application/json" } });
    if (resp.status === 401) toLogin();
    if (!resp.ok) {
      let detail = resp.statusText;
      try { detail = (await resp.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(path + ": " + resp.status + " " + JSON.stringify(detail));
    }
    return resp.json();
  }

  function draw(id, config) {
    // Replace data in place when the chart exists (keeps the canvas, avoids re-layout flicker).
    const existing = charts[id];
    if (existing) {
      existing.data = config.data;
      existing.options = config.options || existing.options;
      existing.update();
    } else {
      charts[id] = new Chart(el(id), config);
    }
    const n = config.data.datasets.reduce((s, d) => s + d.data.length, 0);
    el(id).dataset.points = String(n);
  }

  function volumeAndMean(id, labels, counts, means) {
    draw(id, {
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: "services", data: counts, yAxisID: "y", backgroundColor: "#9bb7d4" },
          { type: "line", label: "mean likelihood %", data: means.map((m) => +(100 * m).toFixed(2)),
            yAxisID: "y1", borderColor: "#c0392b", backgroundColor: "#c0392b", pointRadius: 3 },
        ],
      },
      options: {
        scales: {
          y: { beginAtZero: true, title: { display: true, text: "services" } },
          y1: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                title: { display: true, text: "mean likelihood %" } },
        },
        plugins: { legend: { display: true, position: "bottom" } },
      },
    });
  }

  async function loadSummary(q) {
    const s = await getJSON("summary", q);
    el("kpi-services").textContent = int(s.services);
    el("kpi-cases").textContent = int(s.cases);
    el("kpi-mean").textContent = pct(s.mean_probability);
    el("kpi-high").textContent = pct(s.share_above_threshold);
  }

  async function loadDistribution(q) {
    const d = await getJSON("distribution", q);
    draw("chart-distribution", {
      type: "bar",
      data: {
        labels: d.bins.map((b) => Math.round(100 * b.lo) + "–" + Math.round(100 * b.hi) + "%"),
        datasets: [{ label: "services", data: d.bins.map((b) => b.count), backgroundColor: "#4a7fb5" }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  }

  async function loadGroup(q, by, id) {
    const g = await getJSON("groups/" + by, q);
    volumeAndMean(id, g.groups.map((x) => x.key), g.groups.map((x) => x.count),
      g.groups.map((x) => x.mean_probability));
  }

  async function loadMonthly(q) {
    const m = await getJSON("monthly", q);
    volumeAndMean("chart-monthly", m.months.map((x) => x.month), m.months.map((x) => x.count),
      m.months.map((x) => x.mean_probability));
  }

  async function loadCalibration() {
    const q = new URLSearchParams();
    const model = el("f-model").value;
    if (model) {
      const [name, version] = model.split(SEP);
      q.set("model_name", name);
      q.set("model_version", version);
    }
    const c = await getJSON("calibration", q);
    const pts = c.calibration || [];
    el("calibration-model").textContent = c.model ? c.model.model_name + " v" + c.model.model_version : "no model";
    const m = c.metrics || {};
    const bits = Object.keys(m).filter((k) => typeof m[k] === "number").slice(0, 4)
      .map((k) => k + " " + Number(m[k]).toFixed(3));
    el("calibration-note").textContent = pts.length
      ? "Each point: mean predicted vs observed overturn rate in a bin of held-out cases. " + bits.join(", ")
      : "No calibration curve recorded for this model.";
    draw("chart-calibration", {
      type: "scatter",
      data: {
        datasets: [
          { label: "model", data: pts.map((p) => ({ x: p.predicted, y: p.observed })), showLine: true,
            borderColor: "#4a7fb5", backgroundColor: "#4a7fb5" },
          { label: "perfect", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, pointRadius: 0,
            borderDash: [4, 4], borderColor: "#999" },
        ],
      },
      options: {
        scales: {
          x: { min: 0, max: 1, title: { display: true, text: "predicted likelihood" } },
          y: { min: 0, max: 1, title: { display: true, text: "observed overturn rate" } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function reasonText(r) {
    if (r === null || r === undefined) return "";
    if (typeof r !== "object") return String(r);
    const arrow = r.direction === "raises" ? "↑ " : r.direction === "lowers" ? "↓ " : "";
    let text = r.feature ? r.feature + (r.value === undefined || r.value === null ? "" : " = " + r.value) : "";
    if (r.phrase) text += (text ? " — " : "") + r.phrase;
    return arrow + (text || r.text || JSON.stringify(r));
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  async function loadQueue(q) {
    const qq = new URLSearchParams(q);
    qq.set("page", state.page);
    qq.set("page_size", state.pageSize);
    const data = await getJSON("queue", qq);
    state.total = data.total;
    const tbody = el("queue").querySelector("tbody");
    tbody.replaceChildren();
    for (const row of data.items) {
      const tr = document.createElement("tr");
      cell(tr, pct(row.probability), "num");
      cell(tr, row.risk_band, "band band-" + row.risk_band);
      const td = cell(tr, "");
      const a = document.createElement("a");
      a.href = base + "/case/" + encodeURIComponent(row.letter_id);
      a.textContent = row.letter_id;
      td.appendChild(a);
      cell(tr, row.item_index, "num");
      cell(tr, row.service_heading);
      cell(tr, row.service_family);
      cell(tr, row.body_region);
      cell(tr, row.ur_guideline_source);
      cell(tr, row.ur_denial_date);
      cell(tr, (row.top_reasons || []).slice(0, 3).map(reasonText).join("; "), "reasons");
      tbody.appendChild(tr);
    }
    const pages = Math.max(1, Math.ceil(state.total / state.pageSize));
    el("page-info").textContent = "page " + state.page + " of " + int(pages) + " (" + int(state.total) + " services)";
    el("prev").disabled = state.page <= 1;
    el("next").disabled = state.page >= pages;
  }

  async function loadAll() {
    const t0 = performance.now();
    body.dataset.state = "loading";
    const q = filterParams();
    el("export").href = base + "/api/export.csv" + ([...q].length ? "?" + q.toString() : "");
    try {
      await Promise.all([
        loadSummary(q), loadDistribution(q), loadMonthly(q), loadCalibration(),
        loadGroup(q, "service_family", "chart-family"), loadGroup(q, "body_region", "chart-region"),
        loadGroup(q, "ur_guideline_source", "chart-guideline"), loadQueue(q),
      ]);
      state.generation += 1;
      body.dataset.generation = String(state.generation);
      // For benchmarks and tests: this render's duration, and time since navigation start.
      body.dataset.loadMs = String(Math.round(performance.now() - t0));
      body.dataset.readyAtMs = String(Math.round(performance.now()));
      body.dataset.state = "ready";
      el("status").textContent = "Loaded in " + body.dataset.loadMs + " ms.";
    } catch (err) {
      body.dataset.state = "error";
      el("status").textContent = "Error: " + err.message;
    }
  }

  async function init() {
    const opts = await getJSON("filters");
    for (const fam of opts.service_families) {
      el("f-family").appendChild(new Option(fam, fam));
    }
    for (const m of opts.models) {
      const label = m.model_name + " v" + m.model_version + " (" + int(m.count) + ")";
      el("f-model").appendChild(new Option(label, m.model_name + SEP + m.model_version));
    }
    if (opts.current_model) {
      const cm = opts.current_model;
      el("f-model").value = cm.model_name + SEP + cm.model_version;
      el("model-badge").textContent = "current model: " + cm.model_name + " v" + cm.model_version;
    } else {
      el("model-badge").textContent = "no scores yet: run `imr score`";
    }
    if (opts.date_min) el("f-date-from").min = el("f-date-to").min = opts.date_min;
    if (opts.date_max) el("f-date-from").max = el("f-date-to").max = opts.date_max;
    await loadAll();
  }

  el("filters").addEventListener("submit", (ev) => { ev.preventDefault(); state.page = 1; loadAll(); });
  el("reset").addEventListener("click", () => {
    el("f-date-from").value = "";
    el("f-date-to").value = "";
    el("f-family").value = "";
    state.page = 1;
    loadAll();
  });
  el("prev").addEventListener("click", () => { state.page = Math.max(1, state.page - 1); loadQueue(filterParams()); });
  el("next").addEventListener("click", () => { state.page += 1; loadQueue(filterParams()); });
  init().catch((err) => {
    body.dataset.state = "error";
    el("status").textContent = "Error: " + err.message;
  });
})();
