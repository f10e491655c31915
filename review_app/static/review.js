// The review screen: page viewer with field boxes, click-to-fill words, keyboard shortcuts,
// inline validation, lease heartbeat and release on leaving. No framework, no build step.
(function () {
  "use strict";

  const root = document.getElementById("review");
  if (!root) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const pages = JSON.parse(document.getElementById("page-data").textContent || "[]");
  const figures = Array.from(document.querySelectorAll("figure.page"));
  const form = document.getElementById("review-form");
  const fieldItems = Array.from(document.querySelectorAll("li.field"));
  const inputs = fieldItems.map((li) => li.querySelector("input, textarea"));
  let currentPage = 1;
  let zoom = 1;
  let focusedInput = inputs[0] || null;
  let leaving = false;

  // ---------------------------------------------------------------- pages and zoom
  function showPage(number) {
    if (!figures.length) return;
    number = Math.max(1, Math.min(figures.length, number));
    currentPage = number;
    figures.forEach((f) => f.classList.toggle("hidden", Number(f.dataset.page) !== number));
    document.getElementById("page-number").textContent = String(number);
  }

  function setZoom(value) {
    zoom = Math.max(0.5, Math.min(4, value));
    figures.forEach((f) => { f.style.width = (zoom * 100) + "%"; });
    document.getElementById("zoom-level").textContent = Math.round(zoom * 100) + "%";
  }

  document.getElementById("prev-page").addEventListener("click", () => showPage(currentPage - 1));
  document.getElementById("next-page").addEventListener("click", () => showPage(currentPage + 1));
  document.getElementById("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  document.getElementById("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));

  // ---------------------------------------------------------------- words on the page (click to fill)
  const SVG_NS = "http://www.w3.org/2000/svg";
  pages.forEach((page) => {
    const figure = figures.find((f) => Number(f.dataset.page) === page.number);
    if (!figure) return;
    const group = figure.querySelector("g.words");
    page.words.forEach((w) => {
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("x", w[1]);
      rect.setAttribute("y", w[2]);
      rect.setAttribute("width", Math.max(0, w[3] - w[1]));
      rect.setAttribute("height", Math.max(0, w[4] - w[2]));
      rect.setAttribute("class", "word");
      // The text goes into a data property, never into markup: document text stays inert.
      rect.dataset.text = w[0];
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = w[0];
      rect.appendChild(title);
      group.appendChild(rect);
    });
    group.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the field
    group.addEventListener("click", (event) => {
      const target = event.target.closest("rect.word");
      if (!target || !focusedInput) return;
      const text = target.dataset.text;
      focusedInput.value = event.shiftKey && focusedInput.value ? focusedInput.value + " " + text : text;
      focusedInput.dispatchEvent(new Event("input", { bubbles: true }));
      focusedInput.focus();
    });
  });

  // ---------------------------------------------------------------- field focus highlights its box
  function highlight(name) {
    document.querySelectorAll("rect.field-box").forEach((r) => r.classList.toggle("active", r.dataset.field === name));
    fieldItems.forEach((li) => li.classList.toggle("active", li.dataset.field === name));
  }

  inputs.forEach((input, index) => {
    const li = fieldItems[index];
    input.addEventListener("focus", () => {
      focusedInput = input;
      highlight(li.dataset.field);
      if (li.dataset.page) showPage(Number(li.dataset.page));
    });
    input.addEventListener("input", () => validateField(li, input));
  });

  function moveFocus(step) {
    const index = Math.max(0, inputs.indexOf(focusedInput));
    const next = inputs[Math.max(0, Math.min(inputs.length - 1, index + step))];
    if (next) { next.focus(); if (next.select) next.select(); }
  }

  // ---------------------------------------------------------------- inline validation
  const DATE_RE = /^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{2,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})$/;
  const AMOUNT_RE = /^-?\s*[A-Z$€£¥]{0,3}\s*\d{1,3}([,.\s]?\d{3})*([.,]\d{1,2})?\s*$/;
  const CURRENCY_RE = /^[A-Za-z]{3}$|^[$€£¥]$|^RM$/;

  function validateField(li, input) {
    const value = input.value.trim();
    let message = "";
    if (value) {
      if (li.dataset.type === "date" && !DATE_RE.test(value)) message = "Not a date (e.g. 2024-03-31).";
      if (li.dataset.type === "amount" && !AMOUNT_RE.test(value)) message = "Not an amount (e.g. 1234.50).";
      if (li.dataset.type === "currency" && !CURRENCY_RE.test(value)) message = "Use a currency code such as USD.";
      if ((li.dataset.type === "table" || li.dataset.type === "pairs")) {
        try { JSON.parse(value); } catch (e) { message = "Not valid JSON."; }
      }
    }
    const error = document.getElementById("error-" + li.dataset.field);
    if (error) error.textContent = message;
    li.classList.toggle("invalid", Boolean(message));
    input.setAttribute("aria-invalid", message ? "true" : "false");
    return !message;
  }

  // ---------------------------------------------------------------- cross-field rules (sums, order, ranges)
  const ruleData = JSON.parse((document.getElementById("rule-data") || {}).textContent || '{"rules": []}');
  const fieldInput = (name) => { const li = fieldItems.find((f) => f.dataset.field === name); return li ? li.querySelector("input, textarea") : null; };

  function parseAmount(text) {
    let t = (text || "").replace(/[^0-9.,-]/g, "");
    if (!t) return null;
    const lastComma = t.lastIndexOf(","), lastDot = t.lastIndexOf(".");
    if (lastComma > lastDot && t.length - lastComma === 3) t = t.replace(/\./g, "").replace(",", ".");
    else t = t.replace(/,/g, "");
    const value = Number(t);
    return Number.isFinite(value) ? value : null;
  }

  function parseDate(text) {
    const t = (text || "").trim();
    let m = t.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
    if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    m = t.match(/^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{2,4})$/);
    if (m) {
      const year = m[3].length === 2 ? 2000 + +m[3] : +m[3];
      const [day, month] = ruleData.date_order === "MDY" ? [+m[2], +m[1]] : [+m[1], +m[2]];
      return new Date(Date.UTC(year, month - 1, day));
    }
    return null;
  }

  function typed(name) {
    const input = fieldInput(name);
    if (!input || !input.value.trim()) return null;
    const type = input.closest("li.field").dataset.type;
    if (type === "amount") return parseAmount(input.value);
    if (type === "date") { const d = parseDate(input.value); return d ? d.getTime() : null; }
    return input.value.trim();
  }

  const COMPARE = { "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
                    "==": (a, b) => a === b, "!=": (a, b) => a !== b };

  function broken(rule) {
    if (rule.kind === "compare") {
      const a = typed(rule.left), b = typed(rule.right);
      return a !== null && b !== null && !COMPARE[rule.op](a, b) ? [rule.left, rule.right] : [];
    }
    if (rule.kind === "sum") {
      const parts = rule.parts.map(typed), total = typed(rule.total);
      if (total === null || parts.some((p) => p === null)) return [];
      const sum = parts.reduce((x, y) => x + y, 0);
      return Math.abs(sum - total) > (rule.tolerance || 0.01) + 1e-9 ? [...rule.parts, rule.total] : [];
    }
    if (rule.kind === "date_range") {
      const value = typed(rule.field);
      if (value === null) return [];
      const earliest = Date.parse(rule.not_before || "1900-01-01");
      const latest = Date.now() + (rule.max_days_ahead || 3650) * 86400000;
      return value < earliest || value > latest ? [rule.field] : [];
    }
    if (rule.kind === "line_items_sum") {
      const total = typed(rule.total), input = fieldInput(rule.field);
      if (total === null || !input || !input.value.trim()) return [];
      try {
        const rows = JSON.parse(input.value);
        const sum = rows.reduce((x, row) => x + (parseAmount(row.amount) || 0), 0);
        return rows.length && Math.abs(sum - total) > (rule.tolerance || 0.01) + 1e-9 ? [rule.field, rule.total] : [];
      } catch (e) { return []; }
    }
    return [];
  }

  function checkRules() {
    const box = document.getElementById("rule-errors");
    if (!box) return [];
    box.replaceChildren();
    fieldItems.forEach((li) => li.classList.remove("rule-broken"));
    const failures = [];
    (ruleData.rules || []).forEach((rule) => {
      const fields = broken(rule);
      if (!fields.length) return;
      failures.push(rule);
      const p = document.createElement("p");
      p.className = "rule-error";
      p.dataset.rule = rule.name;
      p.textContent = rule.message;
      box.appendChild(p);
      fields.forEach((name) => { const li = fieldItems.find((f) => f.dataset.field === name); if (li) li.classList.add("rule-broken"); });
    });
    return failures;
  }
  inputs.forEach((input) => input.addEventListener("input", checkRules));
  checkRules();

  form.addEventListener("submit", (event) => {
    const ok = fieldItems.map((li, i) => validateField(li, inputs[i])).every(Boolean);
    if (!ok) {
      event.preventDefault();
      const bad = fieldItems.find((li) => li.classList.contains("invalid"));
      if (bad) bad.querySelector("input, textarea").focus();
      return;
    }
    leaving = true;
  });
  document.querySelectorAll("#skip-form, #escalate-form, #reject-form").forEach((f) =>
    f.addEventListener("submit", () => { leaving = true; }));

  // ---------------------------------------------------------------- reject dialog
  const rejectDialog = document.getElementById("reject-dialog");
  function openReject() { if (!rejectDialog.open) rejectDialog.showModal(); }
  document.getElementById("reject-open").addEventListener("click", openReject);
  document.getElementById("reject-cancel").addEventListener("click", () => rejectDialog.close());
  rejectDialog.addEventListener("keydown", (event) => {
    if (event.target.tagName === "TEXTAREA") return;
    const radios = rejectDialog.querySelectorAll('input[name="reason"]');
    const n = Number(event.key);
    if (n >= 1 && n <= radios.length) { radios[n - 1].checked = true; event.preventDefault(); }
    if (event.key === "Enter") { event.preventDefault(); document.getElementById("reject-form").requestSubmit(); }
  });

  // ---------------------------------------------------------------- keyboard shortcuts
  const help = document.getElementById("help-dialog");
  document.getElementById("help-button").addEventListener("click", () => help.showModal());

  document.addEventListener("keydown", (event) => {
    if (rejectDialog.open || help.open) return;
    const inField = event.target.matches("input, textarea, select");
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault(); form.requestSubmit(); return;
    }
    if (event.altKey) {
      const actions = {
        ArrowDown: () => moveFocus(1), ArrowUp: () => moveFocus(-1),
        PageDown: () => showPage(currentPage + 1), PageUp: () => showPage(currentPage - 1),
        "=": () => setZoom(zoom * 1.25), "+": () => setZoom(zoom * 1.25), "-": () => setZoom(zoom / 1.25),
        "0": () => setZoom(1), r: openReject, s: () => document.getElementById("skip-form").requestSubmit(),
        e: () => document.getElementById("escalate-form").requestSubmit(), "/": () => help.showModal(),
      };
      const action = actions[event.key] || actions[event.key.toLowerCase()] ||
        { KeyR: actions.r, KeyS: actions.s, KeyE: actions.e, Slash: actions["/"], Digit0: actions["0"],
          Equal: actions["="], Minus: actions["-"] }[event.code];
      if (action) { event.preventDefault(); action(); }
      return;
    }
    if (inField && event.key === "Enter" && event.target.tagName === "INPUT") {
      event.preventDefault();
      const li = event.target.closest("li.field");
      if (validateField(li, event.target)) {
        li.classList.add("accepted");
        if (inputs.indexOf(event.target) === inputs.length - 1) document.getElementById("submit-button").focus();
        else moveFocus(1);
      }
      return;
    }
    if (inField && event.key === "Escape") {
      const li = event.target.closest("li.field");
      if (li && event.target.tagName === "INPUT") { event.target.value = li.dataset.predicted; validateField(li, event.target); }
      return;
    }
    if (!inField && event.key === "?") { event.preventDefault(); help.showModal(); }
  });

  // ---------------------------------------------------------------- lease: renew while open, release on leaving
  const leaseSeconds = Number(root.dataset.leaseSeconds) || 600;
  const beat = Math.max(15, Math.min(60, leaseSeconds / 3)) * 1000;
  const heartbeat = window.setInterval(() => {
    fetch(root.dataset.heartbeatUrl, { method: "POST", headers: { "X-CSRFToken": csrf, Accept: "application/json" },
                                       credentials: "same-origin" })
      .then((response) => {
        if (response.status === 409) {
          window.clearInterval(heartbeat);
          const banner = document.createElement("p");
          banner.className = "alert error";
          banner.id = "lease-lost";
          banner.textContent = "Your hold on this task ended; another reviewer may have it now. Your input is kept on this page.";
          form.prepend(banner);
        }
      })
      .catch(() => {});
  }, beat);

  window.addEventListener("pagehide", () => {
    if (leaving) return;
    const data = new FormData();
    data.append("csrf_token", csrf);
    navigator.sendBeacon(root.dataset.releaseUrl, data);
  });

  // ---------------------------------------------------------------- start
  showPage(1);
  if (!document.getElementById("submit-error") && inputs[0]) {
    inputs[0].focus();
    if (inputs[0].select) inputs[0].select();
  } else if (document.getElementById("submit-error")) {
    const firstBad = fieldItems.find((li) => document.getElementById("error-" + li.dataset.field));
    if (firstBad) firstBad.querySelector("input, textarea").focus();
  }
})();
