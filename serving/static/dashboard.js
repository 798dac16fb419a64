// Dashboard page: fetches aggregates from /dashboard/api/* and draws them with the vendored Chart.js.
// Every number is computed in the database; this script only formats and draws.
(function () {
  "use strict";
  const body = document.body;
  const base = body.dataset.base;
  const versionText = window.imrVersionText;  // version_text.js: "v3" or the content version as it is
  const modelText = window.imrModelText;  // the model with its version, its name said once
  const charts = {};
  const state = { page: 1, pageSize: 25, sort: "probability", order: "desc", total: 0, pages: 1,
                  generation: 0, queueGeneration: 0, origins: { real: false, synthetic: false },
                  models: [], modelNotice: "" };
  // Sort direction a column starts with: likelihood, band and dates newest/highest first, words A-Z.
  const FIRST_ORDER = { probability: "desc", risk_band: "desc", ur_denial_date: "desc", model_version: "desc" };
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
    const band = el("f-band").value, guideline = el("f-guideline").value;
    q.set("origin", el("f-origin").value);
    if (from) q.set("date_from", from);
    if (to) q.set("date_to", to);
    if (fam) q.set("service_family", fam);
    if (band) q.set("risk_band", band);
    if (guideline) q.set("ur_guideline_source", guideline);
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
      throw new Error(typeof detail === "string" ? detail : path + ": " + resp.status + " " + JSON.stringify(detail));
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
    el("calibration-model").textContent = c.model ? modelText(c.model.model_name, c.model.model_version) : "no model";
    // the server words where the points came from (training out-of-fold, or letters `imr score` scored)
    el("calibration-note").textContent = c.note || "No calibration curve recorded for this model.";
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

  function showError(err) {
    // At the top, where it is seen (e.g. a mistyped database path), and in the footer.
    el("status").textContent = "Error: " + err.message;
    el("error-banner").textContent = err.message;
    el("error-banner").hidden = false;
  }

  function reasonLine(r) {
    const arrow = r.direction === "raises" ? "▲ " : r.direction === "lowers" ? "▼ " : "";
    return arrow + r.text;
  }

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function words(v) {
    return v === null || v === undefined ? "unknown" : String(v).replace(/_/g, " ");
  }

  function syntheticBadge() {
    const b = document.createElement("span");
    b.className = "synthetic-badge";
    b.textContent = "SYNTHETIC";
    b.title = "A SYNTHETIC case: generated for testing and demos, not a real IMR letter";
    return b;
  }

  function syntheticModelBadge() {
    // Scored by a model trained on SYNTHETIC letters alone (`model_synthetic_only`).
    const b = document.createElement("span");
    b.className = "synthetic-model-badge";
    b.textContent = "SYNTHETIC-ONLY MODEL";
    b.title = state.modelNotice;
    return b;
  }

  function queueParams() {
    const q = filterParams();
    q.set("page", state.page);
    q.set("page_size", state.pageSize);
    q.set("sort", state.sort);
    q.set("order", state.order);
    return q;
  }

  function saveToUrl() {
    // The view lives in the address, so Back from a case page returns to the same page and sort.
    history.replaceState(null, "", location.pathname + "?" + queueParams().toString());
  }

  function showSort() {
    for (const th of el("queue").querySelectorAll("th[data-sort]")) {
      const on = th.dataset.sort === state.sort;
      th.setAttribute("aria-sort", on ? (state.order === "asc" ? "ascending" : "descending") : "none");
    }
    const th = el("queue").querySelector("th[data-sort='" + state.sort + "']");
    el("queue-order").textContent = "(sorted by " + th.textContent + ", " +
      (state.order === "asc" ? "ascending" : "descending") + ")";
  }

  async function loadQueue(q) {
    const qq = new URLSearchParams(q);
    for (const [k, v] of queueParams()) if (!qq.has(k)) qq.set(k, v);
    el("queue").dataset.state = "loading";
    const data = await getJSON("queue", qq);
    state.total = data.total;
    state.pages = data.pages;
    state.page = data.page;
    const tbody = el("queue").querySelector("tbody");
    tbody.replaceChildren();
    for (const row of data.items) {
      const tr = document.createElement("tr");
      if (row.synthetic) tr.className = "synthetic";
      cell(tr, pct(row.probability), "num");
      cell(tr, row.risk_band, "band band-" + row.risk_band);
      const td = cell(tr, "", "case");
      const a = document.createElement("a");
      a.href = base + "/case/" + encodeURIComponent(row.letter_id);
      a.textContent = row.letter_id;
      td.appendChild(a);
      if (row.synthetic) {
        td.appendChild(document.createElement("br"));
        td.appendChild(syntheticBadge());
      }
      cell(tr, row.item_index + 1, "num");  // items count from 1 on screen; item_index stays 0-based
      cell(tr, row.service_heading, "request");
      cell(tr, words(row.words.service_family));
      cell(tr, words(row.words.body_region));
      cell(tr, words(row.words.ur_guideline_source));
      cell(tr, row.ur_denial_date || "unknown", "date");
      cell(tr, words(row.words.priority));
      const modelCell = cell(tr, versionText(row.model_version), "model");
      modelCell.title = modelText(row.model_name, row.model_version);
      if (row.model_synthetic_only) {
        modelCell.appendChild(document.createElement("br"));
        modelCell.appendChild(syntheticModelBadge());
      }
      const reasons = cell(tr, "", "reasons");
      for (const r of (row.plain.reasons || []).slice(0, 3)) {
        const div = document.createElement("div");
        div.className = r.direction === "raises" ? "up" : r.direction === "lowers" ? "down" : "";
        div.textContent = reasonLine(r);
        reasons.appendChild(div);
      }
      tbody.appendChild(tr);
    }
    const inAll = int(data.in_all) + " in all";
    el("queue-count").textContent = data.total
      ? "rows " + int(data.first) + "–" + int(data.last) + " of " + int(data.total) + " matching; " + inAll
      : "no rows match these filters; " + inAll;
    el("page-input").value = String(state.page);
    el("page-input").max = String(state.pages);
    el("page-info").textContent = "of " + int(state.pages);
    el("first").disabled = el("prev").disabled = state.page <= 1;
    el("next").disabled = el("last").disabled = state.page >= state.pages;
    showSort();
    saveToUrl();
    state.queueGeneration += 1;
    el("queue").dataset.generation = String(state.queueGeneration);
    el("queue").dataset.state = "ready";
  }

  function showOrigin() {
    const origin = el("f-origin").value, banner = el("origin-banner");
    const n = state.origins;
    if (origin === "synthetic") {
      banner.textContent = "Showing SYNTHETIC cases only: generated for testing and demos, not real IMR letters.";
    } else if (origin === "all" && n.synthetic && n.real) {
      banner.textContent = "Showing real and SYNTHETIC cases together: every SYNTHETIC row is marked.";
    } else if (origin === "real" && !n.real) {
      banner.textContent = "No real cases scored yet; choose SYNTHETIC cases to see the generated ones.";
    } else {
      banner.textContent = "";
    }
    banner.hidden = !banner.textContent;
  }

  function showModelNotice() {
    // The models shown (the one chosen, or every version) include one trained on SYNTHETIC letters alone.
    const chosen = el("f-model").value;
    const shown = state.models.filter((m) => !chosen || m.model_name + SEP + m.model_version === chosen);
    const banner = el("model-banner");
    banner.textContent = shown.some((m) => m.model_synthetic_only) ? state.modelNotice : "";
    banner.hidden = !banner.textContent;
  }

  async function loadAll() {
    const t0 = performance.now();
    body.dataset.state = "loading";
    const q = filterParams();
    showOrigin();
    showModelNotice();
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
      el("error-banner").hidden = true;
    } catch (err) {
      body.dataset.state = "error";
      showError(err);
    }
  }

  function setSelect(id, value) {
    // Only a value the control offers (an old bookmark may name a family no longer scored).
    const sel = el(id);
    if ([...sel.options].some((o) => o.value === value)) sel.value = value;
  }

  async function init() {
    const opts = await getJSON("filters");
    for (const fam of opts.service_families) el("f-family").appendChild(new Option(opts.labels[fam] || words(fam), fam));
    for (const band of opts.risk_bands) el("f-band").appendChild(new Option(band, band));
    for (const g of opts.ur_guideline_sources) el("f-guideline").appendChild(new Option(opts.labels[g] || words(g), g));
    state.origins = opts.origins;
    const originLabel = { real: "Real cases", synthetic: "SYNTHETIC cases" };
    for (const o of el("f-origin").options) {
      if (o.value in originLabel) o.textContent = originLabel[o.value] + (opts.origins[o.value] ? "" : " (none yet)");
    }
    el("f-origin").value = opts.default_origin;
    state.models = opts.models;
    state.modelNotice = opts.synthetic_model_notice;
    for (const m of opts.models) {
      const label = modelText(m.model_name, m.model_version) + " (" + int(m.count) + ")" +
        (m.model_synthetic_only ? " SYNTHETIC-ONLY MODEL" : "");
      el("f-model").appendChild(new Option(label, m.model_name + SEP + m.model_version));
    }
    if (opts.current_model) {
      const cm = opts.current_model;
      el("f-model").value = cm.model_name + SEP + cm.model_version;
      el("model-badge").textContent = "current model: " + modelText(cm.model_name, cm.model_version);
      if (cm.model_synthetic_only) el("model-badge").appendChild(syntheticModelBadge());
    } else {
      el("model-badge").textContent = "no scores yet: run `imr score`";
    }
    if (opts.date_min) el("f-date-from").min = el("f-date-to").min = opts.date_min;
    if (opts.date_max) el("f-date-from").max = el("f-date-to").max = opts.date_max;
    // A view saved in the address (bookmark, Back from a case page) wins over the defaults.
    const saved = new URLSearchParams(location.search);
    if (saved.has("origin")) setSelect("f-origin", saved.get("origin"));
    if (saved.has("date_from")) el("f-date-from").value = saved.get("date_from");
    if (saved.has("date_to")) el("f-date-to").value = saved.get("date_to");
    if (saved.has("service_family")) setSelect("f-family", saved.get("service_family"));
    if (saved.has("risk_band")) setSelect("f-band", saved.get("risk_band"));
    if (saved.has("ur_guideline_source")) setSelect("f-guideline", saved.get("ur_guideline_source"));
    if (saved.has("model_name")) {
      setSelect("f-model", saved.get("model_version") ? saved.get("model_name") + SEP + saved.get("model_version") : "");
    } else if (saved.has("origin")) {
      el("f-model").value = "";  // a saved view without a model meant all versions
    }
    const savedSort = saved.get("sort");
    if (savedSort && el("queue").querySelector("th[data-sort='" + savedSort + "']")) state.sort = savedSort;
    if (saved.get("order") === "asc" || saved.get("order") === "desc") state.order = saved.get("order");
    const size = parseInt(saved.get("page_size"), 10);
    if ([25, 50, 100].includes(size)) state.pageSize = size;
    el("page-size").value = String(state.pageSize);
    const page = parseInt(saved.get("page"), 10);
    if (page > 0) state.page = page;
    await loadAll();
  }

  function queueOnly() {
    loadQueue(filterParams()).catch((err) => {
      el("queue").dataset.state = "error";
      showError(err);
    });
  }

  el("filters").addEventListener("submit", (ev) => { ev.preventDefault(); state.page = 1; loadAll(); });
  el("reset").addEventListener("click", () => {
    el("f-date-from").value = "";
    el("f-date-to").value = "";
    el("f-family").value = "";
    el("f-band").value = "";
    el("f-guideline").value = "";
    state.page = 1;
    loadAll();
  });
  for (const th of el("queue").querySelectorAll("th[data-sort]")) {
    th.tabIndex = 0;
    th.title = "Sort by " + th.textContent.toLowerCase();
    const sortBy = () => {
      const key = th.dataset.sort;
      if (state.sort === key) {
        state.order = state.order === "asc" ? "desc" : "asc";
      } else {
        state.sort = key;
        state.order = FIRST_ORDER[key] || "asc";
      }
      state.page = 1;
      queueOnly();
    };
    th.addEventListener("click", sortBy);
    th.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sortBy(); } });
  }
  el("page-size").addEventListener("change", () => {
    state.pageSize = parseInt(el("page-size").value, 10);
    state.page = 1;
    queueOnly();
  });
  el("first").addEventListener("click", () => { state.page = 1; queueOnly(); });
  el("prev").addEventListener("click", () => { state.page = Math.max(1, state.page - 1); queueOnly(); });
  el("next").addEventListener("click", () => { state.page = Math.min(state.pages, state.page + 1); queueOnly(); });
  el("last").addEventListener("click", () => { state.page = state.pages; queueOnly(); });
  el("page-jump").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = parseInt(el("page-input").value, 10);
    state.page = Number.isFinite(n) ? Math.min(Math.max(1, n), state.pages) : 1;
    queueOnly();
  });
  init().catch((err) => {
    body.dataset.state = "error";
    showError(err);
  });
})();
