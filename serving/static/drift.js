// Drift panel: PSI per feature (and for the score) from /dashboard/api/drift, coloured by status,
// with the warn/alert thresholds in the caption. Independent of dashboard.js (the report is not filtered).
(function () {
  "use strict";
  const base = document.body.dataset.base;
  const note = document.getElementById("drift-note");
  const canvas = document.getElementById("chart-drift");
  const colour = { ok: "#4c9a6a", warn: "#e0a526", alert: "#c8453b" };

  fetch(base + "/api/drift", { headers: { Accept: "application/json" } })
    .then((resp) => (resp.ok ? resp.json() : Promise.reject(new Error("drift: " + resp.status))))
    .then((d) => {
      if (!d.available) {
        note.textContent = "No drift report yet (run `imr drift` or `imr retrain`; expected at " + d.path + ").";
        canvas.dataset.points = "0";
        return;
      }
      const cols = d.columns.filter((c) => c.psi !== null).slice(0, 15);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: cols.map((c) => c.name),
          datasets: [{ label: "PSI", data: cols.map((c) => c.psi), backgroundColor: cols.map((c) => colour[c.status]) }],
        },
        options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } },
      });
      canvas.dataset.points = String(cols.length);
      let text = "Thresholds: warn ≥ " + d.warn + ", alert ≥ " + d.alert + ". Drift flagged: " +
        (d.drifted ? "yes (" + d.alerts.join(", ") + ")" : "no") + ".";
      if (d.other_share_reference !== null && d.other_share_reference !== undefined) {
        text += " 'other' family: " + (100 * d.other_share_reference).toFixed(1) + "% → " +
          (100 * d.other_share_current).toFixed(1) + "%.";
      }
      note.textContent = text;
    })
    .catch((err) => { note.textContent = "Drift panel: " + err.message; });
})();
