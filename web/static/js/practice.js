// A practice sheet: the optional structure of a practice card (context, the approach as
// numbered steps, results, costs, points to watch, contacts). sheetForm() is its form, in the
// new-card dialog and the card's editor; sheetView() shows it on the card's page.
//
// The steps are edited without dragging: each has its number in its label and buttons to move
// it up or down or remove it; what happened is said in a polite live region and the focus
// stays on the step (or goes to its neighbour when it is removed).

import { h, N_, t } from "./common.js";

export const SHEET_PARTS = [
  { key: "context", label: N_("Context") },
  { key: "steps", label: N_("Approach (steps)") },
  { key: "results", label: N_("Results and indicators") },
  { key: "costs", label: N_("Costs and duration") },
  { key: "vigilance", label: N_("Points to watch") },
  { key: "contacts", label: N_("Contacts") },
];
const MAX_STEPS = 30; // the server refuses more (422)
const MAX_TEXT = 10000;

let made = 0;

/** The sheet as the server keeps it: only its filled parts, trimmed, in the sheet's order. */
export function compactSheet(sheet = {}) {
  const out = {};
  for (const { key } of SHEET_PARTS) {
    const value = sheet[key];
    if (key === "steps") {
      const steps = (value || []).map((s) => String(s).trim()).filter(Boolean);
      if (steps.length) out.steps = steps;
    } else if (typeof value === "string" && value.trim()) {
      out[key] = value.trim();
    }
  }
  return out;
}

/** The sheet as plain text (the conflict dialog compares it so). */
export function sheetText(sheet = {}) {
  const compact = compactSheet(sheet);
  return SHEET_PARTS.filter(({ key }) => compact[key]).map(({ key, label }) => {
    const value = key === "steps" ? compact.steps.map((s, i) => `${i + 1}. ${s}`).join("\n") : compact[key];
    return `${t(label)}\n${value}`;
  }).join("\n\n");
}

/** The sheet on a card's page: a heading per filled part, the steps as an ordered list; null
 * when nothing is filled. `level` is the heading level of the sheet's title. */
export function sheetView(sheet, level = 2) {
  const compact = compactSheet(sheet);
  if (!Object.keys(compact).length) return null;
  const id = `sheet-${(made += 1)}`;
  return h("section", { class: "practice-sheet-view", "aria-labelledby": id },
    h(`h${level}`, { id }, t("Practice sheet")),
    SHEET_PARTS.filter(({ key }) => compact[key]).map(({ key, label }) => h("div", { class: `sheet-part sheet-${key}` },
      h(`h${level + 1}`, {}, t(label)),
      key === "steps"
        ? h("ol", { class: "sheet-step-list" }, compact.steps.map((step) => h("li", {}, step)))
        : h("p", { class: "pre-line" }, compact[key]))));
}

/** The sheet's fields, folded under « Fiche pratique (facultatif) ». Answers {element,
 * value() (the compact sheet), set(sheet), show(visible)}. */
export function sheetForm(sheet = {}) {
  const id = `sf-${(made += 1)}`;
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const stepList = h("ol", { class: "step-list", role: "list" });
  const addStep = h("button", { type: "button", class: "button small", onclick: () => add() },
    h("span", { "aria-hidden": "true" }, "+ "), t("Add a step"));
  const area = (key, label) => h("div", { class: "field" },
    h("label", { for: `${id}-${key}` }, t(label)),
    h("textarea", { id: `${id}-${key}`, name: `practice-${key}`, rows: 3, maxlength: MAX_TEXT }));
  const parts = Object.fromEntries(SHEET_PARTS.map((p) => [p.key, p]));
  const details = h("details", { class: "practice-sheet" },
    h("summary", {}, t("Practice sheet (optional)")),
    h("div", { class: "practice-sheet-body" },
      h("p", { class: "help" }, t("Fill in what helps someone else try it; every part is optional.")),
      area("context", parts.context.label),
      h("fieldset", { class: "steps-field" },
        h("legend", {}, t(parts.steps.label)),
        stepList,
        addStep,
        status),
      ["results", "costs", "vigilance", "contacts"].map((key) => area(key, parts[key].label))));
  const placeholder = document.createComment("practice sheet");
  let steps = [];

  const say = (text) => {
    status.textContent = "";
    setTimeout(() => (status.textContent = text), 30);
  };

  const readSteps = () => {
    steps = [...stepList.querySelectorAll("input")].map((input) => input.value);
  };

  const renderSteps = () => {
    stepList.replaceChildren(...steps.map((text, i) => {
      const n = i + 1;
      const input = h("input", { id: `${id}-step-${n}`, name: `practice-step-${n}`, maxlength: 2000 });
      input.value = text;
      // Enter starts the next step rather than sending the whole form half-written.
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        add(i + 1);
      });
      return h("li", { class: "step-row", dataset: { index: i } },
        h("label", { for: input.id }, t("Step {n}", { n })),
        h("div", { class: "step-line" },
          input,
          h("div", { class: "step-buttons" },
            h("button", {
              type: "button", class: "icon-button step-up", "aria-label": t("Move step {n} up", { n }),
              title: t("Move step {n} up", { n }), disabled: i === 0, onclick: () => move(i, -1),
            }, h("span", { "aria-hidden": "true" }, "↑")),
            h("button", {
              type: "button", class: "icon-button step-down", "aria-label": t("Move step {n} down", { n }),
              title: t("Move step {n} down", { n }), disabled: i === steps.length - 1, onclick: () => move(i, 1),
            }, h("span", { "aria-hidden": "true" }, "↓")),
            h("button", {
              type: "button", class: "icon-button step-remove", "aria-label": t("Remove step {n}", { n }),
              title: t("Remove step {n}", { n }), onclick: () => remove(i),
            }, h("span", { "aria-hidden": "true" }, "×")))));
    }));
    addStep.disabled = steps.length >= MAX_STEPS;
  };

  const add = (at = steps.length) => {
    readSteps();
    if (steps.length >= MAX_STEPS) return;
    const index = Math.min(at, steps.length);
    steps.splice(index, 0, "");
    renderSteps();
    stepList.children[index].querySelector("input").focus();
    say(t("Step {n} added.", { n: index + 1 }));
  };

  const move = (i, by) => {
    readSteps();
    const j = i + by;
    if (j < 0 || j >= steps.length) return;
    [steps[i], steps[j]] = [steps[j], steps[i]];
    renderSteps();
    // The focus follows the step; at an end, the button that still works.
    const row = stepList.children[j];
    const same = row.querySelector(by < 0 ? ".step-up" : ".step-down");
    (same.disabled ? row.querySelector(by < 0 ? ".step-down" : ".step-up") : same).focus();
    say(t("Step {from} is now step {to}.", { from: i + 1, to: j + 1 }));
  };

  const remove = (i) => {
    readSteps();
    steps.splice(i, 1);
    renderSteps();
    const next = stepList.children[Math.min(i, steps.length - 1)];
    (next ? next.querySelector("input") : addStep).focus();
    say(t("Step {n} removed.", { n: i + 1 }));
  };

  const field = (key) => details.querySelector(`#${id}-${key}`);

  return {
    element: details,
    value() {
      readSteps();
      const out = { steps };
      for (const { key } of SHEET_PARTS) if (key !== "steps") out[key] = field(key).value;
      return compactSheet(out);
    },
    set(values = {}) {
      for (const { key } of SHEET_PARTS) if (key !== "steps") field(key).value = values[key] || "";
      steps = [...(values.steps || [])];
      renderSteps();
      details.open = Object.keys(compactSheet(values)).length > 0;
      status.textContent = "";
    },
    // Out of the document while hidden: its fields and live region are not the form's then.
    show(visible) {
      if (visible && !details.isConnected && placeholder.isConnected) placeholder.replaceWith(details);
      else if (!visible && details.isConnected) details.replaceWith(placeholder);
    },
  };
}
