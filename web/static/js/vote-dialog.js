// The animators' « Open a vote » dialog on a board: the question, the method, the board's cards
// (or free options), the dot budget, anonymity and when results show; then the vote's page.

import { api, formError, h, submitting, t } from "./common.js";
import { explain } from "./votes.js";

const dialog = document.getElementById("vote-dialog");
const form = document.getElementById("vote-form");

function source() {
  return form.elements.source.value;
}

function sync() {
  const method = form.elements.method.value;
  const cards = source() === "cards";
  document.getElementById("vf-cards").hidden = !cards;
  document.getElementById("vf-options-field").hidden = cards;
  document.getElementById("vf-dots").hidden = method !== "dot";
  const anonymous = form.elements.anonymous.checked;
  for (const input of form.querySelectorAll('input[name="results"]')) input.disabled = anonymous;
  if (anonymous) form.querySelector('input[name="results"][value="at_close"]').checked = true;
  const budget = Number(form.elements.budget.value) || 3;
  const max = Number(form.elements.max_per_option.value) || null;
  document.getElementById("vf-method-help").textContent = explain({ method, budget, max_per_option: max })
    + (method === "consent" ? ` ${t("Choose exactly one proposal.")}` : "");
}

form.addEventListener("change", sync);
form.addEventListener("input", sync);
document.getElementById("vote-cancel").addEventListener("click", () => dialog.close());

/** Open the dialog for `board` (its columns with their cards) of collective `collectiveId`. */
export function openVoteDialog(board, collectiveId) {
  form.reset();
  formError(form, null);
  const list = document.getElementById("vf-card-list");
  const items = board.columns.flatMap((column) => column.cards
    .filter((card) => card.moderation !== "hidden" && card.kind !== "decision")
    .map((card) => h("li", {}, h("label", { class: "choice" },
      h("input", { type: "checkbox", name: "card", value: card.id }), " ", card.title,
      h("span", { class: "help-inline" }, ` — ${column.name}`)))));
  list.replaceChildren(...(items.length ? items : [h("li", { class: "empty" }, t("No card on this board yet."))]));
  if (!items.length) form.querySelector('input[name="source"][value="options"]').checked = true;
  form.onsubmit = (event) => submit(event, board, collectiveId);
  sync();
  dialog.showModal();
  form.elements.title.focus();
}

function fail(text, field) {
  const box = form.querySelector(".form-error");
  box.textContent = text;
  box.hidden = false;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

function submit(event, board, collectiveId) {
  event.preventDefault();
  formError(form, null);
  const method = form.elements.method.value;
  const title = form.elements.title.value.trim();
  if (!title) return fail(t("Give the vote a question."), form.elements.title);
  const body = {
    title,
    method,
    anonymous: form.elements.anonymous.checked,
    results: form.elements.anonymous.checked ? "at_close" : form.elements.results.value,
    board_id: board.id,
  };
  const wanted = method === "consent" ? 1 : 2;
  if (source() === "cards") {
    body.card_ids = [...form.querySelectorAll('input[name="card"]:checked')].map((i) => Number(i.value));
    if (method === "consent" ? body.card_ids.length !== 1 : body.card_ids.length < 2) {
      return fail(method === "consent" ? t("Choose exactly one proposal.") : t("Choose at least two cards."),
        form.querySelector('input[name="card"]'));
    }
  } else {
    body.options = form.elements.options.value.split("\n").map((line) => line.trim()).filter(Boolean);
    if (method === "consent" ? body.options.length !== 1 : body.options.length < wanted) {
      return fail(method === "consent" ? t("Choose exactly one proposal.") : t("Write at least two options, one per line."),
        form.elements.options);
    }
  }
  if (method === "dot") {
    body.budget = Number(form.elements.budget.value) || 3;
    if (form.elements.max_per_option.value) body.max_per_option = Number(form.elements.max_per_option.value);
  }
  return submitting(form, async () => {
    const vote = await api("POST", `/collectives/${collectiveId}/votes`, body);
    location.href = `/v/${vote.id}`;
  });
}
