// Case detail page: every scored service of one letter, for every model version that scored it.
(function () {
  "use strict";
  const body = document.body;
  const base = body.dataset.base;
  const el = (id) => document.getElementById(id);
  const letterId = decodeURIComponent(location.pathname.split("/case/")[1] || "");
  const pct = (p) => (p === null || p === undefined ? "–" : (100 * p).toFixed(1) + "%");

  function reasonItem(r) {
    const li = document.createElement("li");
    if (r === null || typeof r !== "object") {
      li.textContent = String(r);
      return li;
    }
    const arrow = r.direction === "raises" ? "↑ " : r.direction === "lowers" ? "↓ " : "";
    let text = r.feature ? r.feature + (r.value === undefined || r.value === null ? "" : " = " + r.value) : "";
    if (typeof r.probability_effect === "number") {
      text += " (" + (r.probability_effect >= 0 ? "+" : "") + (100 * r.probability_effect).toFixed(1) + " pp)";
    }
    li.appendChild(document.createTextNode(arrow + (text || JSON.stringify(r))));
    const detail = r.phrase ? r.phrase + (r.citation ? " [" + r.citation + "]" : "") : r.note;
    if (detail) {
      const d = document.createElement("div");
      d.className = "note";
      d.textContent = detail;
      li.appendChild(d);
    }
    const ev = (r.evidence || []).slice(0, 2).map((e) => e.section + ": \u201c" + e.text + "\u201d").join("; ");
    if (ev) {
      const e = document.createElement("div");
      e.className = "note evidence";
      e.textContent = "evidence: " + ev;
      li.appendChild(e);
    }
    return li;
  }

  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    tr.appendChild(td);
    return td;
  }

  async function load() {
    el("case-id").textContent = letterId;
    const resp = await fetch(base + "/api/case/" + encodeURIComponent(letterId));
    if (resp.status === 401) {  // signed out: to the form, returning here afterwards
      location.href = base + "/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("signed out");
    }
    if (!resp.ok) {
      const detail = (await resp.json().catch(() => ({}))).detail || resp.statusText;
      throw new Error(detail);
    }
    const data = await resp.json();
    const first = data.services[0];
    el("case-meta").textContent = "UR denial date: " + (first.ur_denial_date || "unknown") +
      " · priority: " + (first.priority || "unknown") + (first.synthetic ? " · SYNTHETIC case" : "");
    const tbody = el("case-services").querySelector("tbody");
    for (const s of data.services) {
      const tr = document.createElement("tr");
      cell(tr, s.item_index);
      cell(tr, s.service_heading);
      cell(tr, s.service_family);
      cell(tr, s.body_region);
      cell(tr, s.ur_guideline_source);
      cell(tr, pct(s.probability));
      cell(tr, s.risk_band);
      const ul = document.createElement("ul");
      for (const r of s.top_reasons || []) ul.appendChild(reasonItem(r));
      cell(tr, "").appendChild(ul);
      cell(tr, s.model_name + " v" + s.model_version);
      cell(tr, s.scored_at);
      tbody.appendChild(tr);
    }
    body.dataset.state = "ready";
    el("status").textContent = data.services.length + " scored service rows.";
  }

  load().catch((err) => {
    body.dataset.state = "error";
    el("status").textContent = "Error: " + err.message;
  });
})();
