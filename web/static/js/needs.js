// The collective's needs (/c/{id}/needs), for animators and observers: below five companies
// diagnosed, how many are and why nothing more shows; from five, per theme the median
// maturity (a bar beside its figure), the companies under half the scale and the actions
// planned; animators turn a theme into a workshop (a meeting and its board) in one click.

import { api, h, lang, pageData, submitting, t, tn } from "./common.js";

const data = pageData();
const collective = data.collective;
const needs = data.needs;
const isAnimator = collective.role === "animator";
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const created = new Map(); // theme id → the step made from it on this page

function summary() {
  const name = needs.template?.name;
  if (!needs.diagnosed) return t("No company has finished its diagnostic yet.");
  const diagnosed = tn("{n} company diagnosed", "{n} companies diagnosed", needs.diagnosed);
  if (!needs.available) {
    return t("{diagnosed} with “{template}”. The needs show from {minimum} companies, so that no figure is one company's.", {
      diagnosed, template: name, minimum: needs.minimum,
    });
  }
  return t("{diagnosed} with “{template}”; the themes where most are weak come first.", { diagnosed, template: name });
}

function bar(median) {
  return h("span", { class: "bar need-bar", "aria-hidden": "true" },
    h("span", { class: "bar-fill", dataset: { width: median } }));
}

// The headers, also written before each figure when a phone stacks a row into a card.
const HEADS = () => [t("Theme"), t("Median maturity"), t("Companies under half the scale"), t("Actions planned"), t("Collective step")];

function row(theme) {
  const step = created.get(theme.theme_id);
  const heads = HEADS();
  // Explicit roles: the table stays a table for screen readers when a phone lays it out as cards.
  const cell = (i, attrs, ...content) => h("td", { role: "cell", dataset: { label: heads[i] }, ...attrs }, ...content);
  const cells = [
    h("th", { scope: "row", role: "rowheader" }, theme.title),
    cell(1, { class: "need-median" }, h("span", { class: "need-figure" }, percent.format(theme.median / 100)), bar(theme.median)),
    cell(2, { class: "num" }, t("{weak} of {companies}", { weak: theme.weak, companies: theme.companies })),
    cell(3, { class: "num" }, theme.actions_planned),
  ];
  if (isAnimator) {
    cells.push(h("td", { role: "cell", class: "need-step" }, step
      ? h("a", { class: "button small", href: boardHref(step) }, t("Open the board"), h("span", { class: "visually-hidden" }, ` — ${step.title}`))
      : h("button", {
        type: "button", class: "button small", "aria-haspopup": "dialog",
        "aria-label": t("Create a workshop on {theme}", { theme: theme.title }),
        onclick: () => openStep(theme),
      }, t("Create a workshop"))));
  }
  return h("tr", { role: "row", dataset: { theme: theme.theme_id } }, cells);
}

function render() {
  document.getElementById("needs-summary").textContent = summary();
  const box = document.getElementById("needs");
  if (!needs.available) {
    box.replaceChildren(h("p", { class: "notice" }, tn(
      "{n} more company to diagnose before the needs show.",
      "{n} more companies to diagnose before the needs show.",
      Math.max(needs.minimum - needs.diagnosed, 0))));
    return;
  }
  const head = HEADS().slice(0, isAnimator ? 5 : 4);
  const table = h("table", { class: "people needs-table", role: "table" },
    h("caption", { class: "visually-hidden" }, t("Needs per theme")),
    h("thead", { role: "rowgroup" }, h("tr", { role: "row" }, head.map((label, i) => h("th", {
      scope: "col", role: "columnheader", class: i === 2 || i === 3 ? "num" : null,
    }, label)))),
    h("tbody", { role: "rowgroup" }, needs.themes.map(row)));
  const wrap = h("div", { class: "table-wrap needs-wrap", role: "region", "aria-labelledby": "needs-title" }, table);
  box.replaceChildren(wrap);
  // The bars' widths are set here: the page's CSP refuses inline styles in the markup.
  box.querySelectorAll(".bar-fill[data-width]").forEach((fill) => (fill.style.width = `${Math.max(0, Math.min(100, Number(fill.dataset.width)))}%`));
  // Where the table is wider than the page (a narrow window), its box scrolls: then the
  // keyboard can reach it too.
  const scrolls = () => (wrap.tabIndex = wrap.scrollWidth > wrap.clientWidth + 1 ? 0 : -1);
  if ("ResizeObserver" in window) new ResizeObserver(scrolls).observe(wrap);
  scrolls();
}

function boardHref(step) {
  return `/b/${step.board_id}?meeting=${step.meeting_id}`;
}

// --- a workshop from a need (animators) ------------------------------------------------------

function openStep(theme) {
  const dialog = document.getElementById("step-dialog");
  const form = document.getElementById("step-form");
  const done = document.getElementById("step-done");
  form.hidden = false;
  done.hidden = true;
  form.querySelector(".form-error").hidden = true;
  const concerned = theme.weak || theme.companies;
  document.getElementById("step-title").textContent = t("A workshop on {theme}", { theme: theme.title });
  document.getElementById("step-text").textContent = tn(
    "A meeting for the {n} company concerned, and a board whose first card asks the question.",
    "A meeting for the {n} companies concerned, and a board whose first card asks the question.", concerned);
  const today = new Date();
  form.elements.held_on.value = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  form.onsubmit = (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const step = await api("POST", `/collectives/${collective.id}/needs/${encodeURIComponent(theme.theme_id)}/step`, {
        template_id: needs.template.id, kind: "meeting", held_on: form.elements.held_on.value || null,
      });
      created.set(theme.theme_id, step);
      render();
      form.hidden = true;
      done.hidden = false;
      document.getElementById("step-done-text").textContent = t("“{title}” is planned, with its board.", { title: step.title });
      document.getElementById("step-board").href = boardHref(step);
      document.getElementById("step-done-title").focus();
    });
  };
  // The row was drawn again: focus goes back to its control, not to the page's start.
  dialog.onclose = () => document.querySelector(`tr[data-theme="${CSS.escape(theme.theme_id)}"] .need-step .button`)?.focus();
  dialog.showModal();
  form.elements.held_on.focus();
}

if (isAnimator) {
  const dialog = document.getElementById("step-dialog");
  document.getElementById("step-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("step-close").addEventListener("click", () => dialog.close());
}
render();
