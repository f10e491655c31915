// Queue page: "n" claims the next task; filters apply as soon as they change.
(function () {
  "use strict";
  const next = document.getElementById("next-form");
  document.addEventListener("keydown", (event) => {
    if (event.target.matches("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "n" && next) { event.preventDefault(); next.requestSubmit(); }
  });
  const filters = document.getElementById("filters");
  if (filters) filters.querySelectorAll("select").forEach((s) => s.addEventListener("change", () => filters.requestSubmit()));
})();
