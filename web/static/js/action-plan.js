// A diagnostic's action plan, on its page: the actions (title, theme, owner, due date, status
// changed in place, notes, linked cards), a form to add one, and for each the collective's
// practices and documents that may help, one click to link them. Written by the company and
// the animators; a change that clashes (409) is made again on the server's current action.

import { ApiError, api, errorText, formatDate, h, kindLabel, N_, submitting, t, tn, toast } from "./common.js";

export const ACTION_STATUS = { todo: N_("To do"), doing: N_("In progress"), done: N_("Done"), dropped: N_("Dropped") };

let diagnostic = null;
let actions = [];
let owners = [];
const cardTitles = new Map(); // card id → title (from suggestions, else asked for)
const suggestions = new Map(); // action id → the suggestions shown under it
const list = () => document.getElementById("action-list");
const planStatus = (text) => (document.getElementById("plan-status").textContent = text);

/** Show the plan of `diagnostic`; `animators` may own actions as the company's people do. */
export function initPlan({ diagnostic: shown, animators }) {
  diagnostic = shown;
  actions = shown.actions;
  const seen = new Set();
  owners = [...shown.company_members, ...animators].filter((u) => !seen.has(u.id) && seen.add(u.id));
  initForm();
  render();
  loadCardTitles();
}

function render() {
  document.getElementById("action-count").textContent = actions.length ? `(${actions.length})` : "";
  list().replaceChildren(...(actions.length ? actions.map(actionItem) : [h("li", { class: "empty" }, t("No action yet: add the first one."))]));
}

function replace(updated) {
  actions = actions.map((a) => (a.id === updated.id ? updated : a));
  const old = document.getElementById(`action-${updated.id}`);
  const focusedStatus = document.activeElement?.id === `action-status-${updated.id}`;
  if (old) old.replaceWith(actionItem(updated));
  if (focusedStatus) document.getElementById(`action-status-${updated.id}`)?.focus();
}

function actionItem(action) {
  const statusId = `action-status-${action.id}`;
  const select = h("select", { id: statusId, class: "status-select" },
    Object.entries(ACTION_STATUS).map(([value, label]) => h("option", { value, selected: value === action.status }, t(label))));
  select.addEventListener("change", () => changeStatus(action.id, select.value, select));
  const facts = [
    action.theme_title ? t("Theme: {theme}", { theme: action.theme_title }) : null,
    action.owner ? t("Owner: {name}", { name: action.owner.display_name }) : null,
    action.due_on ? t("Due on {date}", { date: formatDate(action.due_on) }) : null,
  ].filter(Boolean);
  const linked = action.card_ids.length
    ? h("div", { class: "action-cards" }, h("p", { class: "meta" }, t("Linked cards:")),
      h("ul", {}, action.card_ids.map((id) => h("li", {}, h("a", { href: `/cards/${id}` }, cardTitles.get(id) || t("Card {n}", { n: id }))))))
    : null;
  const toggle = h("button", {
    type: "button", class: "button small", "aria-expanded": String(suggestions.has(action.id)),
    "aria-controls": `action-help-${action.id}`,
    onclick: () => toggleSuggestions(action.id, toggle),
  }, t("What may help"));
  return h("li", { class: `action-item status-${action.status}`, id: `action-${action.id}` },
    h("div", { class: "action-head" },
      h("h3", { class: "action-title" }, action.title),
      h("span", { class: `status-pill ${action.status}` }, t(ACTION_STATUS[action.status]))),
    facts.length ? h("p", { class: "meta" }, facts.join(" · ")) : null,
    action.notes ? h("p", { class: "action-notes" }, action.notes) : null,
    linked,
    h("div", { class: "action-controls" },
      h("label", { for: statusId }, t("Status"), h("span", { class: "visually-hidden" }, ` — ${action.title}`)),
      select,
      toggle),
    suggestionsBox(action));
}

// --- changing an action, settling a clash ---------------------------------------------------

/** PATCH `changes` onto the action; on 409 take the server's current action and make the same
 * change again on it (a few times at most). The saved action. */
async function patchAction(id, changes) {
  let action = actions.find((a) => a.id === id);
  for (let round = 0; round < 4; round += 1) {
    try {
      return await api("PATCH", `/actions/${id}`, { version: action.version, ...changes });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "version_conflict" || !error.current) throw error;
      action = error.current;
      replace(action);
      toast(t("This action was changed by someone else meanwhile: your change is made on its latest version."));
    }
  }
  throw new Error("conflict");
}

async function changeStatus(id, status, select) {
  select.disabled = true;
  try {
    const saved = await patchAction(id, { status });
    replace(saved);
    planStatus(t("Status saved: {status}.", { status: t(ACTION_STATUS[saved.status]) }));
  } catch (error) {
    toast(errorText(error), "error");
    const current = actions.find((a) => a.id === id);
    replace(current); // back to what the server has
  } finally {
    const shown = document.getElementById(`action-status-${id}`);
    if (shown) shown.disabled = false;
  }
}

// --- what may help: the collective's practices and documents --------------------------------

function suggestionsBox(action) {
  const found = suggestions.get(action.id);
  const box = h("section", {
    class: "suggestions", id: `action-help-${action.id}`, hidden: !found, "aria-labelledby": `action-help-title-${action.id}`,
  }, h("h4", { id: `action-help-title-${action.id}` }, t("Practices and documents of the collective that may help")));
  if (!found) return box;
  const open = found.filter((s) => !action.card_ids.includes(s.card_id));
  box.append(open.length
    ? h("ul", { class: "suggestion-list" }, open.map((s) => {
      const snippet = h("span", { class: "hit-snippet" });
      snippet.innerHTML = s.snippet || ""; // escaped by the server, with <mark> around matches
      const link = h("button", { type: "button", class: "button small", onclick: () => linkCard(action.id, s, link) },
        t("Link to the action"), h("span", { class: "visually-hidden" }, ` — ${s.title}`));
      return h("li", { class: `suggestion kind-${s.kind}` },
        h("span", { class: "kind-badge" }, kindLabel(s.kind)),
        h("a", { href: `/cards/${s.card_id}`, class: "suggestion-title" }, s.title),
        snippet, link);
    }))
    : h("p", { class: "meta" }, found.length
      ? t("Every suggestion is linked to this action.")
      : t("Nothing in the collective matches this action yet.")));
  return box;
}

async function toggleSuggestions(id, button) {
  const box = document.getElementById(`action-help-${id}`);
  if (!box.hidden) {
    suggestions.delete(id);
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  button.disabled = true;
  try {
    const found = await api("GET", `/actions/${id}/suggestions`);
    showSuggestions(id, found.suggestions);
    document.querySelector(`#action-${id} [aria-controls="action-help-${id}"]`)?.focus();
  } catch (error) {
    toast(errorText(error), "error");
    button.disabled = false;
  }
}

function showSuggestions(id, found) {
  for (const s of found) cardTitles.set(s.card_id, s.title);
  suggestions.set(id, found);
  replace(actions.find((a) => a.id === id));
}

async function linkCard(id, suggestion, button) {
  button.disabled = true;
  const action = actions.find((a) => a.id === id);
  try {
    const saved = await patchAction(id, { card_ids: [...new Set([...action.card_ids, suggestion.card_id])] });
    cardTitles.set(suggestion.card_id, suggestion.title);
    replace(saved);
    planStatus(t("“{card}” is linked to the action.", { card: suggestion.title }));
    document.querySelector(`#action-${id} .action-cards a[href="/cards/${suggestion.card_id}"]`)?.focus();
  } catch (error) {
    toast(errorText(error), "error");
    button.disabled = false;
  }
}

/** The titles of the cards linked before this page opened (the plan holds their ids). */
async function loadCardTitles() {
  const missing = [...new Set(actions.flatMap((a) => a.card_ids))].filter((id) => !cardTitles.has(id));
  if (!missing.length) return;
  await Promise.all(missing.map(async (id) => {
    try {
      cardTitles.set(id, (await api("GET", `/cards/${id}`)).title);
    } catch {
      cardTitles.set(id, t("Card {n} (no longer shown)", { n: id }));
    }
  }));
  render();
}

// --- adding an action ------------------------------------------------------------------------

function initForm() {
  const form = document.getElementById("new-action");
  form.elements.theme_id.replaceChildren(h("option", { value: "" }, t("no theme")),
    ...diagnostic.themes.map((theme) => h("option", { value: theme.id }, theme.title)));
  form.elements.owner_id.replaceChildren(h("option", { value: "" }, t("nobody yet")),
    ...owners.map((u) => h("option", { value: u.id }, u.display_name)));
  const today = new Date();
  const local = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  form.elements.due_on.min = local;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const title = form.elements.title.value.trim();
    if (!title) {
      form.elements.title.setAttribute("aria-invalid", "true");
      form.elements.title.focus();
      return;
    }
    const body = { title, notes: form.elements.notes.value.trim() };
    if (form.elements.theme_id.value) body.theme_id = form.elements.theme_id.value;
    if (form.elements.owner_id.value) body.owner_id = Number(form.elements.owner_id.value);
    if (form.elements.due_on.value) body.due_on = form.elements.due_on.value;
    submitting(form, async () => {
      const created = await api("POST", `/diagnostics/${diagnostic.id}/actions`, body);
      const { suggestions: found, ...action } = created;
      actions = [...actions, action];
      for (const s of found) cardTitles.set(s.card_id, s.title);
      suggestions.set(action.id, found);
      render();
      form.reset();
      form.elements.title.removeAttribute("aria-invalid");
      planStatus([t("Action added: {title}.", { title: action.title }),
        found.length ? tn("{n} practice or document of the collective may help.", "{n} practices or documents of the collective may help.", found.length) : null].filter(Boolean).join(" "));
      form.elements.title.focus(); // ready for the next one
    });
  });
}
