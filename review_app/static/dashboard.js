// The dashboard's charts: figures come from /dashboard/data as JSON, Chart.js draws them.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root || typeof Chart === "undefined") return;
  const palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#be185d", "#4b5563"];
  const percent = { ticks: { callback: (v) => Math.round(v * 100) + "%" }, min: 0, max: 1 };

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({ responsive: true, animation: false, maintainAspectRatio: true }, config.options || {});
    canvas.dataset.drawn = "true";
    return new Chart(canvas, config);
  }

  function draw(data) {
    const days = data.volume.days.map((d) => d.day);
    chart("chart-volume", {
      type: "bar",
      data: {
        labels: days,
        datasets: [
          ["straight_through", "straight through"], ["reviewed", "reviewed"], ["in_review", "in review"],
          ["rejected", "rejected"], ["failed", "failed"],
        ].map(([key, label], i) => ({ label, data: data.volume.days.map((d) => d[key]), backgroundColor: palette[i] })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
    chart("chart-straight", {
      type: "line",
      data: { labels: days, datasets: [{ label: "straight-through rate", data: data.volume.days.map((d) => d.straight_through_rate), borderColor: palette[0] }] },
      options: { scales: { y: percent } },
    });
    const weeks = [...new Set(data.fields.flatMap((f) => f.weeks.map((w) => w.week)))].sort();
    chart("chart-corrections", {
      type: "line",
      data: {
        labels: weeks,
        datasets: data.fields.map((f, i) => ({
          label: f.field,
          data: weeks.map((w) => { const hit = f.weeks.find((x) => x.week === w); return hit ? hit.correction_rate : null; }),
          borderColor: palette[i % palette.length],
        })),
      },
      options: { scales: { y: percent } },
    });
    chart("chart-reliability", {
      type: "scatter",
      data: {
        datasets: [
          { label: "observed accuracy", data: data.reliability.bins.map((b) => ({ x: b.mean_confidence, y: b.accuracy })), backgroundColor: palette[0], pointRadius: 5 },
          { label: "perfect calibration", type: "line", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: "#9ca3af", pointRadius: 0 },
        ],
      },
      options: { scales: { x: Object.assign({ title: { display: true, text: "confidence" } }, percent), y: percent } },
    });
    const bins = Array.from({ length: 10 }, (_, i) => (i / 10).toFixed(1) + "–" + ((i + 1) / 10).toFixed(1));
    chart("chart-histograms", {
      type: "bar",
      data: {
        labels: bins,
        datasets: Object.entries(data.reliability.histograms).map(([name, counts], i) => ({ label: name, data: counts, backgroundColor: palette[i % palette.length] })),
      },
      options: { scales: { y: { beginAtZero: true } } },
    });
    chart("chart-reviewers", {
      type: "bar",
      data: {
        labels: data.reviewers.map((r) => r.reviewer),
        datasets: [
          { label: "tasks", data: data.reviewers.map((r) => r.tasks), backgroundColor: palette[0], yAxisID: "y" },
          { label: "median seconds", data: data.reviewers.map((r) => r.median_handling_seconds), backgroundColor: palette[2], yAxisID: "seconds" },
        ],
      },
      options: { scales: { y: { beginAtZero: true, position: "left" }, seconds: { beginAtZero: true, position: "right" } } },
    });
    root.dataset.ready = "true";
  }

  fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => { if (!response.ok) throw new Error("dashboard data: HTTP " + response.status); return response.json(); })
    .then(draw)
    .catch((error) => { root.dataset.error = String(error); console.error(error); });
})();
