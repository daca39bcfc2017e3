// A company's diagnostic (/d/{id}): its themes and questions — maturity levels as big radio
// choices that show what each level means, yes/no, numbers, free text — saved as one types
// (diagnostic-save.js), finished once every level is answered; the radar with the same
// figures as a table; and the action plan (action-plan.js). Animators answer it; the
// company's people read it and write the plan.

import { ApiError, errorText, formatDate, h, lang, pageData, t, tn, toast } from "./common.js";
import { AnswerSaver } from "./diagnostic-save.js";
import { initPlan } from "./action-plan.js";

const data = pageData();
const isAnimator = data.collective.role === "animator";
let diagnostic = data.diagnostic;
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
const questions = new Map(); // question id → {question, theme, index}
diagnostic.themes.forEach((theme) => theme.questions.forEach((q) => questions.set(q.id, { question: q, theme, index: questions.size })));
const SCALES = new Set(["scale4", "scale5"]);

const editable = () => isAnimator && diagnostic.status !== "done";
const fieldId = (qid) => `q${questions.get(qid).index}`;

// --- saving ----------------------------------------------------------------------------------

const statusBox = document.getElementById("save-status");
let statusShown = "";

function showSaveStatus(state, detail) {
  const text = {
    saving: t("Saving…"),
    saved: t("Saved"),
    offline: t("Offline: your answers will be sent"),
    error: detail ? errorText(detail) : t("Not saved"),
  }[state] || "";
  if (text === statusShown) return; // a live region read again and again says nothing
  statusShown = text;
  statusBox.textContent = text;
  statusBox.className = `save-status ${state}`;
}

const saver = new AnswerSaver({
  diagnostic,
  onStatus: showSaveStatus,
  onSaved: (saved) => {
    const before = JSON.stringify(diagnostic.scores);
    diagnostic = saved;
    renderState();
    if (JSON.stringify(saved.scores) !== before) renderMaturity();
    updateProgress();
  },
  onConflict: (current) => {
    diagnostic = current;
    refreshOthers();
    renderState();
    renderMaturity();
    toast(t("Someone else saved this diagnostic meanwhile: their answers are shown, and yours are saved on top of them."));
  },
  onRefused: (fields) => {
    for (const [qid, message] of Object.entries(fields)) markQuestion(qid, t("This answer was not saved: {reason}", { reason: message }));
  },
});

/** What the page shows for a question: a pending answer first, else the server's. */
function shownAnswer(qid) {
  if (saver.has(qid)) return saver.pending.get(qid);
  return diagnostic.answers[qid] ?? null;
}

// --- questions -------------------------------------------------------------------------------

function scaleMax(question) {
  return question.kind === "scale5" ? 5 : 4;
}

function levelChoice(qid, id, value, title, description, checked) {
  return h("label", { class: "level-choice", for: id },
    h("input", { type: "radio", id, name: fieldId(qid), value, checked }),
    // The space keeps the level and its meaning apart in the radio's accessible name.
    h("span", { class: "level-text" }, h("strong", {}, title), description ? [" ", h("span", {}, description)] : null));
}

function clearButton(qid, label) {
  return h("button", {
    type: "button", class: "link-button clear-answer", "aria-label": t("Clear the answer to “{question}”", { question: label }),
    onclick: () => {
      saver.set(qid, null, 0);
      refreshQuestion(qid);
      document.getElementById(`${fieldId(qid)}-1`)?.focus();
    },
  }, t("Clear"));
}

function editor(q) {
  const id = fieldId(q.id);
  const value = shownAnswer(q.id);
  if (SCALES.has(q.kind) || q.kind === "yesno") {
    const choices = SCALES.has(q.kind)
      ? q.levels.map((text, i) => levelChoice(q.id, `${id}-${i + 1}`, i + 1, t("Level {n} of {max}", { n: i + 1, max: scaleMax(q) }), text, value === i + 1))
      : [levelChoice(q.id, `${id}-1`, "yes", t("Yes"), null, value === true), levelChoice(q.id, `${id}-2`, "no", t("No"), null, value === false)];
    const box = h("fieldset", { class: `question ${SCALES.has(q.kind) ? "scale" : "yesno"}`, id, dataset: { question: q.id } },
      h("legend", {}, q.text),
      h("div", { class: "levels" }, choices),
      value !== null ? clearButton(q.id, q.text) : null);
    box.addEventListener("change", (event) => {
      const picked = event.target.value;
      const answer = q.kind === "yesno" ? picked === "yes" : Number(picked);
      saver.set(q.id, answer, 250);
      markQuestion(q.id, null);
      updateProgress();
      if (!box.querySelector(".clear-answer")) box.append(clearButton(q.id, q.text));
    });
    return box;
  }
  const unit = q.unit ? `${id}-unit` : null;
  const input = q.kind === "number"
    ? h("input", { id: `${id}-input`, type: "number", inputmode: "decimal", step: "any", value: value ?? "", "aria-describedby": unit })
    : h("textarea", { id: `${id}-input`, rows: 3, maxlength: 5000 }, value ?? "");
  input.addEventListener("input", () => {
    markQuestion(q.id, null);
    setTimeout(updateProgress);
    if (q.kind === "number") {
      if (input.value.trim() === "") return saver.set(q.id, null);
      const number = input.valueAsNumber;
      if (Number.isFinite(number)) saver.set(q.id, number);
      return undefined;
    }
    return saver.set(q.id, input.value.trim() === "" ? null : input.value);
  });
  return h("div", { class: `question field ${q.kind}`, id, dataset: { question: q.id } },
    h("label", { for: `${id}-input` }, q.text),
    unit ? h("div", { class: "with-unit" }, input, h("span", { class: "unit", id: unit }, q.unit)) : input);
}

function readAnswer(q) {
  const value = diagnostic.answers[q.id];
  let shown;
  if (value === undefined || value === null || value === "") shown = h("span", { class: "unanswered" }, t("Not answered"));
  else if (SCALES.has(q.kind)) {
    shown = [h("strong", {}, t("Level {n} of {max}", { n: value, max: scaleMax(q) })), " — ", q.levels[value - 1] || ""];
  } else if (q.kind === "yesno") shown = value ? t("Yes") : t("No");
  else if (q.kind === "number") shown = `${new Intl.NumberFormat(lang).format(value)}${q.unit ? ` ${q.unit}` : ""}`;
  else shown = h("span", { class: "answer-text" }, value);
  return h("div", { class: "question read", id: fieldId(q.id), dataset: { question: q.id } },
    h("dt", {}, q.text), h("dd", {}, shown));
}

function themeBox(theme) {
  const answered = theme.questions.filter((q) => shownAnswer(q.id) !== null).length;
  const titleId = `theme-${questions.get(theme.questions[0]?.id)?.index ?? theme.id}`;
  const body = editable()
    ? theme.questions.map(editor)
    : [h("dl", { class: "answers-read" }, theme.questions.map(readAnswer))];
  return h("section", { class: "diag-theme", "aria-labelledby": titleId, dataset: { theme: theme.id } },
    h("div", { class: "theme-head" },
      h("h3", { id: titleId }, theme.title),
      h("span", { class: "meta theme-progress" }, t("{n} of {total} answered", { n: answered, total: theme.questions.length }))),
    body);
}

function renderAnswers() {
  document.getElementById("answers").replaceChildren(...diagnostic.themes.map(themeBox));
  document.getElementById("answers-help").textContent = editable()
    ? t("Your answers are saved as you go. Each level says what it means: choose the one closest to the company today.")
    : isAnimator
      ? t("This diagnostic is finished: reopen it to change an answer.")
      : t("The animator fills in the diagnostic with you; here you read it, and you write the action plan below.");
  document.getElementById("finish").hidden = !editable();
  statusBox.hidden = !editable(); // nothing is being saved on a diagnostic read
  document.getElementById("reopen").hidden = !(isAnimator && diagnostic.status === "done");
}

/** After a conflict: show the others' answers, except where this page has its own pending. */
function refreshOthers() {
  if (!editable()) return renderAnswers();
  for (const qid of questions.keys()) if (!saver.has(qid)) refreshQuestion(qid);
  return undefined;
}

function refreshQuestion(qid) {
  const old = document.getElementById(fieldId(qid));
  if (!old) return;
  const focused = old.contains(document.activeElement);
  if (focused && old.matches(".field")) return; // never under someone's cursor
  const { question } = questions.get(qid);
  const fresh = editable() ? editor(question) : readAnswer(question);
  old.replaceWith(fresh);
  if (focused) (fresh.querySelector("input:checked") || fresh.querySelector("input"))?.focus();
  updateProgress();
}

function markQuestion(qid, message) {
  const box = document.getElementById(fieldId(qid));
  if (!box) return;
  box.classList.toggle("missing", Boolean(message));
  const errorId = `${box.id}-error`;
  document.getElementById(errorId)?.remove();
  // A group is described by its message; a single field is also marked invalid.
  const group = box.matches("fieldset");
  const target = group ? box : box.querySelector("input, textarea");
  if (!target) return;
  const others = (target.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== errorId);
  const describe = (ids) => (ids.length ? target.setAttribute("aria-describedby", ids.join(" ")) : target.removeAttribute("aria-describedby"));
  if (!message) {
    target.removeAttribute("aria-invalid");
    describe(others);
    return;
  }
  box.append(h("p", { class: "field-error", id: errorId }, message));
  if (!group) target.setAttribute("aria-invalid", "true");
  describe([...others, errorId]);
}

function updateProgress() {
  for (const theme of diagnostic.themes) {
    const progress = document.querySelector(`.diag-theme[data-theme="${CSS.escape(theme.id)}"] .theme-progress`);
    if (!progress) continue;
    const answered = theme.questions.filter((q) => shownAnswer(q.id) !== null).length;
    progress.textContent = t("{n} of {total} answered", { n: answered, total: theme.questions.length });
  }
}

function renderState() {
  const d = diagnostic;
  const status = d.status === "done"
    ? t("Finished on {date}", { date: formatDate(d.completed_at) })
    : t("Draft · updated on {date}", { date: formatDate(d.updated_at) });
  const people = d.company_members.map((u) => u.display_name).join(", ");
  document.getElementById("diagnostic-state").textContent = [status, people && t("Company: {people}", { people })].filter(Boolean).join(" · ");
}

// --- finishing -------------------------------------------------------------------------------

const finishError = document.getElementById("finish-error");

async function finish() {
  finishError.hidden = true;
  const button = document.getElementById("finish");
  button.disabled = true;
  try {
    await saver.commit({ status: "done" });
    renderAnswers();
    renderMaturity();
    toast(t("Diagnostic finished: its radar and exports are up to date."));
    document.getElementById("reopen").focus(); // where the finish button was
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) {
      const missing = Object.keys(error.fields).filter((f) => f.startsWith("answers.")).map((f) => f.slice("answers.".length));
      missing.forEach((qid) => markQuestion(qid, t("Not answered yet")));
      finishError.textContent = tn("{n} level question is not answered yet.", "{n} level questions are not answered yet.", missing.length);
      finishError.hidden = false;
      const first = missing.map((qid) => document.getElementById(fieldId(qid))).find(Boolean);
      first?.scrollIntoView({ block: "center" });
      first?.querySelector("input, textarea")?.focus();
    } else {
      finishError.textContent = error instanceof ApiError ? errorText(error) : t("Your answers are not all sent yet: the diagnostic is finished once they are.");
      finishError.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
}

async function reopen() {
  try {
    await saver.commit({ status: "draft" });
    renderAnswers();
    toast(t("The diagnostic is a draft again: its answers can be changed."));
    document.querySelector("#answers input, #answers textarea")?.focus();
  } catch (error) {
    toast(error instanceof ApiError ? errorText(error) : t("The server cannot be reached. Check your connection."), "error");
  }
}

document.getElementById("finish").addEventListener("click", finish);
document.getElementById("reopen").addEventListener("click", reopen);

// --- maturity: the radar and the same figures as a table ------------------------------------

function shownPercent(score) {
  if (score !== null && score !== undefined) return percent.format(score / 100);
  // A dash to the eye, words to a screen reader (a table on a phone has no room for both).
  return [h("span", { "aria-hidden": "true" }, "—"), h("span", { class: "visually-hidden" }, t("not answered"))];
}

function renderMaturity() {
  const d = diagnostic;
  const withMedian = d.collective_median_shown;
  const radar = document.getElementById("radar");
  const src = `/api/v1/diagnostics/${d.id}/radar.svg?v=${d.version}`;
  if (!radar.getAttribute("src").endsWith(`v=${d.version}`)) radar.src = src;
  radar.alt = withMedian
    ? t("Radar of the company's maturity per theme, with the collective's median dashed; the figures are in the table.")
    : t("Radar of the company's maturity per theme; the figures are in the table.");
  document.getElementById("radar-caption").textContent = t("Maturity from 0% (first level everywhere) to 100% (last level everywhere).");
  const table = document.getElementById("maturity-table");
  table.tHead.replaceChildren(h("tr", {},
    h("th", { scope: "col" }, t("Theme")),
    h("th", { scope: "col", class: "num" }, t("Maturity")),
    withMedian ? h("th", { scope: "col", class: "num" }, t("Collective's median")) : null));
  table.tBodies[0].replaceChildren(...d.scores.map((s) => h("tr", {},
    h("th", { scope: "row" }, s.title),
    h("td", { class: "num" }, shownPercent(s.score)),
    withMedian ? h("td", { class: "num" }, shownPercent(s.median)) : null)));
  document.getElementById("median-note").textContent = withMedian
    ? t("The median is that of the collective's companies diagnosed with this template.")
    : t("The collective's median appears once five companies are diagnosed with this template, so that no figure is one company's.");
}

// --- start -----------------------------------------------------------------------------------

// The save status sticks just under the top bar, whose height changes when it wraps (phones).
const topbar = document.querySelector(".topbar");
if (topbar && "ResizeObserver" in window) {
  new ResizeObserver(() => document.documentElement.style.setProperty("--topbar-h", `${topbar.offsetHeight}px`)).observe(topbar);
}

renderState();
renderAnswers();
renderMaturity();
initPlan({ diagnostic, animators: data.animators });
if (!editable()) {
  saver.pending.clear(); // nothing is answered here: what a former draft left is not sent
  saver.persist();
} else if (saver.restored) {
  // Answers typed on this device that never reached the server (a closed tab, no network):
  // the questions already show them; they go now.
  for (const qid of [...saver.pending.keys()]) if (!questions.has(qid)) saver.pending.delete(qid);
  if (saver.pending.size) toast(tn("{n} answer not sent last time is sent now.", "{n} answers not sent last time are sent now.", saver.pending.size));
  saver.flush();
}
window.addEventListener("beforeunload", (event) => {
  if (saver.pending.size) event.preventDefault(); // the browser asks before leaving unsaved answers
});
