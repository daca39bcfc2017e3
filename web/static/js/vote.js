// A vote: the ballot form of its method (members and animators, until the close), its results
// when visible, kept live over the WebSocket (ballot.cast, vote.closed, decision.created), and
// the animators' close and advance buttons.

import { api, errorText, formError, h, pageData, submitting, t, tn, toast } from "./common.js";
import { LiveFeed } from "./live.js";
import { CONSENT, GRADES, explain, gradeLabel, methodLabel } from "./votes.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
const canVote = collective.role !== "observer";
let vote = data.vote;
let ballot = null; // the caller's stored ballot, as the API answers it
let draft = null; // what the form holds: {dots: {id: n}} for dot voting

const form = document.getElementById("ballot-form");
const fields = document.getElementById("ballot-fields");
const closed = () => vote.status === "closed";
const optionName = (o) => o.label || t("Option {n}", { n: o.position + 1 });

function optionLabel(option) {
  if (option.card_id) return h("a", { href: `/cards/${option.card_id}` }, optionName(option));
  return h("span", {}, optionName(option));
}

// --- the head ------------------------------------------------------------------------------

function renderHead() {
  document.getElementById("vote-method").textContent = methodLabel(vote.method);
  document.getElementById("vote-explain").textContent = explain(vote);
  document.getElementById("vote-status").textContent = closed()
    ? t("Closed")
    // (In the vote's view, `results` is the tally itself: null until results may be shown.)
    : vote.anonymous ? t("Open · anonymous: results at the close") : vote.results_shown === "live" ? t("Open · results shown live") : t("Open · results at the close");
  document.getElementById("vote-turnout").textContent = tn("{n} person has voted", "{n} people have voted", vote.turnout);
  const decision = document.getElementById("vote-decision");
  decision.hidden = !vote.decision_card_id;
  if (vote.decision_card_id) {
    decision.replaceChildren(t("The vote is closed and its decision is recorded."), " ",
      h("a", { href: `/cards/${vote.decision_card_id}`, id: "decision-link" }, t("See the decision card")));
  }
  const actions = document.getElementById("vote-actions");
  if (!isAnimator) return;
  const buttons = [];
  if (!closed()) {
    buttons.push(h("button", { type: "button", class: "button primary", onclick: () => openClose() }, t("Close the vote")));
  } else if (vote.options.some((o) => o.card_id) && vote.results?.winner?.length) {
    buttons.push(h("button", { type: "button", class: "button", onclick: (event) => advance(event.currentTarget) },
      t("Move the chosen cards forward")));
  }
  actions.replaceChildren(...buttons);
}

// --- the ballot ----------------------------------------------------------------------------

function stored(key) {
  return (ballot && ballot[key]) || null;
}

function spent() {
  return Object.values(draft.dots).reduce((a, b) => a + b, 0);
}

function perOption() {
  return Math.min(vote.max_per_option ?? vote.budget, vote.budget);
}

function dotFields() {
  const left = vote.budget - spent();
  const rows = vote.options.map((option) => {
    const n = draft.dots[option.id] || 0;
    const name = optionName(option);
    return h("li", { class: "dot-row", dataset: { option: option.id } },
      h("span", { class: "dot-label", id: `dot-label-${option.id}` }, optionLabel(option)),
      h("span", { class: "stepper" },
        h("button", {
          type: "button", class: "button step", "aria-label": t("Remove a dot from {option}", { option: name }),
          disabled: n <= 0 || closed() ? "" : null, onclick: () => step(option.id, -1),
        }, "−"),
        h("output", { class: "dot-count", "aria-labelledby": `dot-label-${option.id}`, dataset: { option: option.id } },
          String(n)),
        h("button", {
          type: "button", class: "button step", "aria-label": t("Add a dot to {option}", { option: name }),
          disabled: left <= 0 || n >= perOption() || closed() ? "" : null, onclick: () => step(option.id, 1),
        }, "+")));
  });
  return h("fieldset", { class: "ballot-group" },
    h("legend", {}, t("Share your dots")),
    h("p", { class: "budget", id: "dots-left", "aria-live": "polite" },
      tn("{n} dot left out of {budget}", "{n} dots left out of {budget}", left, { budget: vote.budget })),
    h("ul", { class: "dot-list", role: "list" }, rows));
}

function step(optionId, delta) {
  const n = (draft.dots[optionId] || 0) + delta;
  if (n < 0 || n > perOption() || spent() + delta > vote.budget) return; // never over budget
  draft.dots[optionId] = n;
  renderBallot();
  const row = fields.querySelector(`.dot-row[data-option="${optionId}"]`);
  const buttons = row.querySelectorAll("button");
  const target = delta > 0 ? buttons[1] : buttons[0];
  (target.disabled ? row.querySelector("button:not([disabled])") || target : target).focus();
}

function radio(name, value, label, checked) {
  return h("label", { class: "choice" },
    h("input", { type: "radio", name, value, checked: checked ? "" : null, disabled: closed() ? "" : null }), " ", label);
}

function majorityFields() {
  const grades = stored("grades") || {};
  return vote.options.map((option) => h("fieldset", { class: "ballot-group grades", dataset: { option: option.id } },
    h("legend", {}, optionLabel(option)),
    h("div", { class: "choices" },
      GRADES.map((g) => radio(`grade-${option.id}`, g.value, gradeLabel(g.value), grades[option.id] === g.value)))));
}

function approvalFields() {
  const approved = new Set(stored("approve") || []);
  return h("fieldset", { class: "ballot-group" },
    h("legend", {}, t("Tick every option you approve of")),
    h("div", { class: "choices column" }, vote.options.map((option) => h("label", { class: "choice" },
      h("input", { type: "checkbox", name: "approve", value: option.id, checked: approved.has(option.id) ? "" : null,
        disabled: closed() ? "" : null }), " ", optionName(option)))));
}

function scoreFields() {
  const scores = stored("scores") || {};
  return vote.options.map((option) => h("fieldset", { class: "ballot-group scores", dataset: { option: option.id } },
    h("legend", {}, optionLabel(option)),
    h("div", { class: "choices" },
      [1, 2, 3, 4, 5].map((n) => radio(`score-${option.id}`, String(n), String(n), scores[option.id] === n)))));
}

function consentFields() {
  const position = ballot?.consent || null;
  return [
    h("fieldset", { class: "ballot-group" },
      h("legend", {}, vote.options[0] ? optionLabel(vote.options[0]) : t("The proposal")),
      h("div", { class: "choices column" }, CONSENT.map((c) => radio("consent", c.value, t(c.label), position === c.value)))),
    h("div", { class: "field" },
      h("label", { for: "consent-reason" }, t("Your reason (required for an objection)")),
      h("textarea", { id: "consent-reason", name: "reason", rows: "3", maxlength: "1000", disabled: closed() ? "" : null },
        ballot?.reason || "")),
  ];
}

const FIELDS = { dot: dotFields, majority: majorityFields, approval: approvalFields, score: scoreFields, consent: consentFields };

function renderBallot() {
  const section = document.getElementById("ballot-section");
  section.hidden = !canVote || (closed() && !ballot);
  if (section.hidden) return;
  const built = FIELDS[vote.method]?.() ?? [];
  fields.replaceChildren(...(Array.isArray(built) ? built : [built]));
  document.getElementById("ballot-submit").hidden = closed();
  document.getElementById("ballot-state").textContent = closed()
    ? t("The vote is closed: this was your ballot.")
    : ballot ? t("Your vote is saved. You may change it until the close.") : t("You have not voted yet.");
}

function readBallot() {
  const problem = (text, focus) => {
    const error = new Error(text);
    error.focus = focus;
    throw error;
  };
  switch (vote.method) {
    case "dot":
      return { dots: Object.fromEntries(Object.entries(draft.dots).filter(([, n]) => n > 0)) };
    case "majority": {
      const grades = {};
      for (const option of vote.options) {
        const checked = form.querySelector(`input[name="grade-${option.id}"]:checked`);
        if (!checked) problem(t("Give a grade to every option."), form.querySelector(`input[name="grade-${option.id}"]`));
        grades[option.id] = checked.value;
      }
      return { grades };
    }
    case "approval":
      return { approve: [...form.querySelectorAll('input[name="approve"]:checked')].map((i) => Number(i.value)) };
    case "score": {
      const scores = {};
      for (const option of vote.options) {
        const checked = form.querySelector(`input[name="score-${option.id}"]:checked`);
        if (checked) scores[option.id] = Number(checked.value);
      }
      if (!Object.keys(scores).length) problem(t("Give a score to at least one option."), form.querySelector('input[type="radio"]'));
      return { scores };
    }
    case "consent": {
      const checked = form.querySelector('input[name="consent"]:checked');
      const reason = form.elements.reason.value.trim();
      if (!checked) problem(t("Choose your position."), form.querySelector('input[name="consent"]'));
      if (checked.value === "object" && !reason) problem(t("Say why you object."), form.elements.reason);
      return reason ? { consent: checked.value, reason } : { consent: checked.value };
    }
    default:
      return {};
  }
}

// Whether the person changed the ballot form since it was drawn (a live refresh keeps it).
let touched = false;
for (const kind of ["input", "change", "click"]) {
  fields.addEventListener(kind, () => { touched = true; });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  let body;
  try {
    body = readBallot();
  } catch (error) {
    const box = form.querySelector(".form-error");
    box.textContent = error.message;
    box.hidden = false;
    error.focus?.focus();
    return;
  }
  submitting(form, async () => {
    const saved = await api("PUT", `/votes/${vote.id}/ballot`, body);
    ballot = saved.ballot;
    resetDraft();
    touched = false;
    toast(t("Your vote is saved."));
    // One's own ballot shows in the results at once, without waiting for the live feed
    // (which may still be connecting): read the vote again.
    await refetch().catch(() => {});
  }).then(() => renderBallot()); // buttons back as the budget allows, whatever the answer
});

function resetDraft() {
  draft = { dots: { ...(stored("dots") || {}) } };
}

// --- results -------------------------------------------------------------------------------

function bar(fraction, label) {
  const fill = h("span", { class: "bar-fill" });
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`; // CSSOM: allowed by the CSP
  return h("span", { class: "bar", "aria-hidden": "true", title: label }, fill);
}

function winnerBadge(option) {
  return (vote.results?.winner || []).includes(option.id) && (closed() || vote.turnout)
    ? h("span", { class: "badge winner" }, closed() ? t("chosen") : t("leading")) : null;
}

function countResults(results, unit) {
  const byId = new Map(results.options.map((o) => [o.id, o]));
  const most = Math.max(1, ...results.options.map((o) => o.count));
  return h("ol", { class: "result-list", role: "list" }, vote.options.map((option) => {
    const r = byId.get(option.id) || { count: 0 };
    const text = unit(r.count);
    return h("li", { class: "result", dataset: { option: option.id } },
      h("div", { class: "result-head" }, h("strong", {}, optionLabel(option)), winnerBadge(option),
        h("span", { class: "result-count" }, text)),
      bar(r.count / most, text));
  }));
}

function scoreResults(results) {
  const byId = new Map(results.options.map((o) => [o.id, o]));
  return h("ol", { class: "result-list", role: "list" }, vote.options.map((option) => {
    const r = byId.get(option.id) || { mean: null, count: 0 };
    const text = r.mean == null ? t("no score yet")
      : tn("average {mean} out of 5 ({n} score)", "average {mean} out of 5 ({n} scores)", r.count, { mean: r.mean.toLocaleString(document.documentElement.lang) });
    return h("li", { class: "result", dataset: { option: option.id } },
      h("div", { class: "result-head" }, h("strong", {}, optionLabel(option)), winnerBadge(option),
        h("span", { class: "result-count" }, text)),
      bar((r.mean || 0) / 5, text));
  }));
}

function majorityResults(results) {
  const byId = new Map(results.options.map((o) => [o.id, o]));
  const items = vote.options.map((option) => {
    const r = byId.get(option.id) || { profile: {}, median_grade: null, rank: null };
    const total = GRADES.reduce((sum, g) => sum + (r.profile[g.value] || 0), 0);
    const stack = h("span", { class: "profile", "aria-hidden": "true" }, GRADES.map((g) => {
      const n = r.profile[g.value] || 0;
      const part = h("span", { class: `profile-part grade-${g.value}`, title: t("{grade}: {n}", { grade: gradeLabel(g.value), n }) });
      part.style.width = total ? `${(n / total) * 100}%` : "0";
      return part;
    }));
    return h("li", { class: "result", dataset: { option: option.id } },
      h("div", { class: "result-head" }, h("strong", {}, optionLabel(option)), winnerBadge(option),
        h("span", { class: "result-count median" }, r.median_grade
          ? t("median grade: {grade}", { grade: gradeLabel(r.median_grade) }) : t("no grade yet")),
        r.rank ? h("span", { class: "meta" }, t("rank {n}", { n: r.rank })) : null),
      h("span", { class: "profile-frame" }, stack, h("span", { class: "median-mark" })));
  });
  const legend = h("ul", { class: "profile-legend", role: "list", "aria-hidden": "true" },
    GRADES.map((g) => h("li", {}, h("span", { class: `swatch grade-${g.value}` }), gradeLabel(g.value))));
  const table = h("div", { class: "visually-hidden" }, h("table", { class: "profile-table" },
    h("caption", {}, t("Merit profile of each option: how many people gave each grade")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Choice")),
      GRADES.map((g) => h("th", { scope: "col" }, gradeLabel(g.value))), h("th", { scope: "col" }, t("Median grade")))),
    h("tbody", {}, vote.options.map((option) => {
      const r = byId.get(option.id) || { profile: {}, median_grade: null };
      return h("tr", {}, h("th", { scope: "row" }, optionName(option)),
        GRADES.map((g) => h("td", {}, String(r.profile[g.value] || 0))),
        h("td", {}, r.median_grade ? gradeLabel(r.median_grade) : "—"));
    }))));
  return h("div", {}, h("ol", { class: "result-list", role: "list" }, items), legend, table);
}

function consentResults(results) {
  const counts = results.counts || {};
  const outcome = closed()
    ? h("p", { class: results.passed ? "form-success" : "form-error" },
      results.passed ? t("The proposal is adopted: nobody objected.") : t("The proposal is not adopted."))
    : null;
  return h("div", {}, outcome,
    h("ul", { class: "result-list", role: "list" }, CONSENT.map((c) => h("li", { class: "result" },
      h("div", { class: "result-head" }, h("strong", {}, t(c.label)), h("span", { class: "result-count" }, String(counts[c.value] || 0))),
      bar((counts[c.value] || 0) / Math.max(1, vote.turnout), String(counts[c.value] || 0))))),
    (results.reasons || []).length ? h("div", {}, h("h3", {}, t("Reasons given")),
      h("ul", { class: "reasons" }, results.reasons.map((r) => h("li", {},
        h("span", { class: "badge" }, t(CONSENT.find((c) => c.value === r.consent)?.label || r.consent)), " ", r.reason)))) : null);
}

function renderResults() {
  const box = document.getElementById("results");
  const results = vote.results;
  if (!results) {
    box.replaceChildren(h("p", { class: "empty" }, t("The results will be shown when the vote closes.")));
    return;
  }
  let shown;
  switch (vote.method) {
    case "dot":
      shown = countResults(results, (n) => tn("{n} dot", "{n} dots", n));
      break;
    case "approval":
      shown = countResults(results, (n) => tn("{n} approval", "{n} approvals", n));
      break;
    case "score":
      shown = scoreResults(results);
      break;
    case "majority":
      shown = majorityResults(results);
      break;
    default:
      shown = consentResults(results);
  }
  box.replaceChildren(shown);
}

function render() {
  renderHead();
  renderBallot();
  renderResults();
}

// --- animators -----------------------------------------------------------------------------

const closeDialog = document.getElementById("close-dialog");

function openClose() {
  formError(closeDialog.querySelector("form"), null);
  closeDialog.showModal();
  document.getElementById("close-cancel").focus();
}

document.getElementById("close-cancel").addEventListener("click", () => closeDialog.close());
document.getElementById("close-confirm").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const answer = await api("POST", `/votes/${vote.id}/close`);
    vote = { ...answer.vote, decision_card_id: answer.decision?.card_id ?? answer.vote.decision_card_id };
    closeDialog.close();
    render();
    document.getElementById("decision-link")?.focus();
  } catch (error) {
    formError(closeDialog.querySelector("form"), error);
  } finally {
    button.disabled = false;
  }
});

async function advance(button) {
  button.disabled = true;
  try {
    const answer = await api("POST", `/votes/${vote.id}/advance`);
    toast(tn("{n} card moved to the next column.", "{n} cards moved to the next column.", answer.moved.length));
  } catch (error) {
    toast(errorText(error), "error");
  } finally {
    button.disabled = false;
  }
}

// --- live ----------------------------------------------------------------------------------

async function refetch() {
  const status = vote.status;
  vote = await api("GET", `/votes/${vote.id}`);
  renderHead();
  renderResults();
  // The ballot being filled in stays as the person left it; a close redraws it (read-only).
  if (!touched || vote.status !== status) renderBallot();
  return null;
}

function onEvent(message) {
  const d = message.data || {};
  if (message.kind === "ballot.cast" && d.vote_id === vote.id) {
    vote = { ...vote, turnout: d.turnout, results: d.results ?? vote.results };
    renderHead();
    renderResults();
  } else if (message.kind === "vote.closed" && d.id === vote.id) {
    vote = { ...vote, ...d };
    render();
  } else if (message.kind === "decision.created" && d.vote_id === vote.id) {
    vote = { ...vote, decision_card_id: d.card_id };
    renderHead();
  }
}

let first = true;
resetDraft();
render();
if (canVote) {
  api("GET", `/votes/${vote.id}/ballot`).then((mine) => {
    ballot = mine.ballot;
    if (touched) return; // the person started choosing before it came: keep their choice
    resetDraft();
    renderBallot();
  }).catch((error) => toast(errorText(error), "error"));
}
new LiveFeed({
  collective: collective.id,
  board: null,
  seq: null,
  onEvent,
  // What happened between the page's rendering and the subscription: read the vote once more.
  onPresence: (users, message) => {
    if (message.type === "subscribed" && first) {
      first = false;
      refetch().catch(() => {});
    }
  },
  resync: refetch,
  reconcile: refetch,
});
