// Case page for a nurse reviewer: each requested item with its overturn likelihood and band, then, when
// the explanation has one, its governing guideline's checklist (summary line; criterion, status, the
// letter's sentence, effect, citation), what would change it and the context factors; otherwise the
// reasons in plain words (each citation once per item). Feature names and log-odds sit behind the
// "Technical detail" toggle.
(function () {
  "use strict";
  const body = document.body;
  const base = body.dataset.base;
  const modelText = window.imrModelText;  // the model with its version, its name said once
  const el = (id) => document.getElementById(id);
  const letterId = decodeURIComponent(location.pathname.split("/case/")[1] || "");
  const pct = (p) => (p === null || p === undefined ? "–" : (100 * p).toFixed(1) + "%");
  const words = (v) => (v === null || v === undefined ? "unknown" : String(v).replace(/_/g, " "));

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function syntheticBadge() {
    const b = node("span", "synthetic-badge", "SYNTHETIC");
    b.title = "A SYNTHETIC case: generated for testing and demos, not a real IMR letter";
    return b;
  }

  let modelNotice = "";

  function syntheticModelBadge() {
    // Scored by a model trained on SYNTHETIC letters alone (`model_synthetic_only`).
    const b = node("span", "synthetic-model-badge", "SYNTHETIC-ONLY MODEL");
    b.title = modelNotice;
    return b;
  }

  function points(p) {
    if (p === null || p === undefined) return "";
    if (Math.abs(p) < 0.05) return " (little effect)";
    return " (" + (p > 0 ? "+" : "") + p.toFixed(1) + " points)";
  }

  function table(cls, headings, rows) {
    const t = node("table", cls);
    const tr = node("tr");
    for (const h of headings) tr.appendChild(node("th", null, h));
    t.appendChild(node("thead")).appendChild(tr);
    const tb = t.appendChild(node("tbody"));
    for (const r of rows) {
      const row = node("tr");
      for (const c of r) row.appendChild(c instanceof Node ? (() => { const td = node("td"); td.appendChild(c); return td; })() : node("td", null, c));
      tb.appendChild(row);
    }
    return t;
  }

  function effectCell(direction, effect) {
    if (!direction) return node("span", "effect none", effect);
    const up = direction === "raises";
    return node("span", "effect " + (up ? "up" : "down"), (up ? "▲ " : "▼ ") + effect);
  }

  function checklistSection(item, pc) {
    // Issue #18: the governing guideline section's criteria as a reviewer checks them, what would change
    // the estimate (what-ifs, largest rise first) and the context factors, which are never criteria.
    item.appendChild(node("h3", "checklist-summary", pc.summary || "Guideline checklist"));
    if (pc.guideline) item.appendChild(node("p", "guideline-line", "Guideline: " + pc.guideline));
    if (pc.criteria.length) {
      const rows = pc.criteria.map((c) => {
        const quotes = c.evidence.map((e) => "\u201c" + e.text + "\u201d (" + e.where + ")");
        const status = node("span", "status status-" + c.status, c.status_words);
        return [c.criterion, status, quotes.join("; ") || c.quote_note || "", effectCell(c.direction, c.effect),
          c.citation || ""];
      });
      item.appendChild(table("checklist", ["Criterion", "Status", "Evidence in the letter", "Effect", "Citation"], rows));
    }
    if (pc.what_if.length || pc.what_if_note) {
      const box = node("div", "what-if");
      box.appendChild(node("h4", null, "What would change it (what-if, not a finding)"));
      const ul = node("ul");
      for (const w of pc.what_if) {
        const li = node("li");
        li.appendChild(node("span", "criterion", w.criterion));
        li.appendChild(node("div", "what-if-result", w.text));
        ul.appendChild(li);
      }
      box.appendChild(ul);
      if (pc.what_if_note) box.appendChild(node("p", "note what-if-note", pc.what_if_note));
      item.appendChild(box);
    }
    if (pc.context.length) {
      const box = node("div", "context-box");
      box.appendChild(node("h4", null, "Context (not guideline criteria)"));
      const ul = node("ul");
      for (const c of pc.context) {
        const li = node("li");
        li.appendChild(node("span", "fact", c.text));
        li.appendChild(document.createTextNode(" — "));
        li.appendChild(effectCell(c.direction, c.effect));
        if (c.note) li.appendChild(node("div", "note", c.note));
        ul.appendChild(li);
      }
      box.appendChild(ul);
      item.appendChild(box);
    }
  }

  function whySection(item, plain) {
    item.appendChild(node("h3", null, "Why: what the letter says"));
    if (!plain.reasons.length) {
      item.appendChild(node("p", "note", "No fact in the letter moved this estimate from the usual rate."));
      return;
    }
    const ol = node("ol", "why");
    for (const r of plain.reasons) {
      const li = node("li");
      li.appendChild(node("span", "fact", r.text));
      if (r.effect) {
        li.appendChild(document.createTextNode(" — "));
        const up = r.direction === "raises";
        li.appendChild(node("span", "effect " + (up ? "up" : "down"), (up ? "▲ " : "▼ ") + r.effect + points(r.points)));
      }
      const refs = r.citation_refs.map((n) => " [" + n + "]").join("");
      if (r.guideline) {
        li.appendChild(node("div", "guideline", "Guideline: " + r.guideline + refs));
      } else if (r.same_guideline_as) {
        li.appendChild(node("div", "guideline", "Guideline: the same criterion as reason " + r.same_guideline_as + refs));
      } else if (r.no_guideline) {
        li.appendChild(node("div", "no-guideline", "No guideline criterion: " + r.no_guideline));
      }
      if (r.evidence.length) {
        const quoted = r.evidence.map((e) => "\u201c" + e.text + "\u201d (" + e.where + ")").join("; ");
        li.appendChild(node("div", "letter", "The letter: " + quoted));
      }
      ol.appendChild(li);
    }
    item.appendChild(ol);
    if (plain.citations.length) {
      const ul = node("ul", "citations");
      plain.citations.forEach((c, i) => ul.appendChild(node("li", "citation", "[" + (i + 1) + "] " + c)));
      item.appendChild(ul);
    }
  }

  function technicalSection(item, s) {
    const d = node("details", "technical");
    d.appendChild(node("summary", null, "Technical detail (model features and log-odds)"));
    const fmt = (x, k) => (typeof x === "number" ? x.toFixed(k) : "");
    const rows = (s.top_reasons || []).filter((r) => r && typeof r === "object").map((r) => [
      r.feature || r.text || "", r.value === null || r.value === undefined ? "null" : String(r.value),
      r.direction || "", fmt(r.log_odds, 3), typeof r.probability_effect === "number" ? (100 * r.probability_effect).toFixed(2) + " pp" : "",
      r.citation || "",
    ]);
    d.appendChild(table("technical-reasons", ["feature", "value", "direction", "log-odds", "probability effect", "citation"], rows));
    if (Array.isArray(s.checklist) && s.checklist.length) {
      d.appendChild(table("technical-checklist", ["criterion_id", "status", "log-odds", "likelihood if met"],
        s.checklist.map((c) => [c.criterion_id || c.criterion, c.status, fmt(c.log_odds, 3),
          typeof c.likelihood_if_met === "number" ? pct(c.likelihood_if_met) : ""])));
    }
    if (Array.isArray(s.context) && s.context.length) {
      d.appendChild(table("technical-context", ["context feature", "value", "log-odds"],
        s.context.map((c) => [c.feature, c.value === null || c.value === undefined ? "null" : String(c.value),
          fmt(c.log_odds, 3)])));
    }
    d.appendChild(node("p", "note", "item_index " + s.item_index + " (0-based) · model " +
      modelText(s.model_name, s.model_version) + " · scored " + s.scored_at));
    item.appendChild(d);
  }

  function itemCard(s) {
    const item = node("article", "item" + (s.synthetic ? " synthetic" : ""));
    item.dataset.itemIndex = String(s.item_index);
    const h = node("h2");
    h.appendChild(node("span", "item-no", "Item " + (s.item_index + 1)));  // from 1 on screen
    h.appendChild(node("span", "request", s.service_heading || "(no heading)"));
    if (s.synthetic) h.appendChild(syntheticBadge());
    if (s.model_synthetic_only) h.appendChild(syntheticModelBadge());
    item.appendChild(h);
    const lk = node("div", "likelihood");
    lk.appendChild(node("span", "pct", pct(s.probability)));
    lk.appendChild(node("span", "band-chip band-" + s.risk_band, s.risk_band + " band"));
    lk.appendChild(node("span", "note", "likelihood that IMR overturns the UR denial"));
    item.appendChild(lk);
    item.appendChild(node("p", "facts", "Service family: " + words(s.words.service_family) + " · Body region: " +
      words(s.words.body_region) + " · Guideline UR cited: " + words(s.words.ur_guideline_source)));
    if (s.plain_checklist) checklistSection(item, s.plain_checklist);
    else whySection(item, s.plain);  // scored without a checklist: the reasons in plain words
    technicalSection(item, s);
    return item;
  }

  async function load() {
    el("case-id").textContent = letterId;
    if (document.referrer.startsWith(location.origin + base) && !document.referrer.includes("/case/")) {
      el("back").href = document.referrer;  // back to the same queue page, sort and filters
    }
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
    // Rows come item by item, newest model first: the first row of an item is its current score.
    const current = [], older = [];
    const seen = new Set();
    for (const s of data.services) {
      (seen.has(s.item_index) ? older : current).push(s);
      seen.add(s.item_index);
    }
    const first = current[0];
    modelNotice = data.synthetic_model_notice;
    if (current.some((s) => s.model_synthetic_only)) {
      el("model-banner").textContent = modelNotice;
      el("model-banner").hidden = false;
    }
    if (current.some((s) => s.synthetic)) {
      el("case-origin").appendChild(syntheticBadge());
      el("case-banner").textContent = "A SYNTHETIC case: generated for testing and demos, not a real IMR letter.";
      el("case-banner").hidden = false;
    }
    const meta = el("case-meta");
    meta.appendChild(node("span", null, "UR denial date: " + (first.ur_denial_date || "unknown")));
    meta.appendChild(node("span", null, "IMR priority: " + words(first.words.priority)));
    meta.appendChild(node("span", null, current.length + (current.length === 1 ? " disputed item" : " disputed items")));
    const model = meta.appendChild(node("span", null, "Model: " + modelText(first.model_name, first.model_version)));
    if (first.model_synthetic_only) model.appendChild(syntheticModelBadge());
    for (const s of current) el("items").appendChild(itemCard(s));
    if (older.length) {
      el("history-card").hidden = false;
      el("history-count").textContent = String(older.length);
      const tb = el("case-history").querySelector("tbody");
      for (const s of older) {
        const tr = node("tr");
        for (const v of [s.item_index + 1, s.service_heading, pct(s.probability), s.risk_band,
          modelText(s.model_name, s.model_version), s.scored_at]) tr.appendChild(node("td", null, v));
        if (s.model_synthetic_only) tr.children[4].appendChild(syntheticModelBadge());
        tb.appendChild(tr);
      }
    }
    body.dataset.state = "ready";
    const count = (n, one, many) => n + " " + (n === 1 ? one : many);
    el("status").textContent = count(current.length, "item scored", "items scored")
      + (older.length ? "; " + count(older.length, "older score", "older scores") : "") + ".";
  }

  load().catch((err) => {
    body.dataset.state = "error";
    el("status").textContent = "Could not load this case.";  // the banner above says why, once
    el("error-banner").textContent = err.message;
    el("error-banner").hidden = false;
  });
})();
