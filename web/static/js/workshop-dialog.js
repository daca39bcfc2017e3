// The animators' « Start a workshop » dialog on a board: a method (the collective's workshop
// templates, the five shipped ones first) with its steps and columns shown, a title, whether
// anonymous cards get their authors back at the end; and the confirmation before ending one.

import { api, formatDate, formError, h, submitting, t, tn } from "./common.js";

const dialog = document.getElementById("workshop-dialog");
const form = document.getElementById("workshop-form");
let templates = null; // as GET /collectives/{id}/workshop-templates lists them
let titleTouched = false;

function chosen() {
  return templates?.find((tpl) => tpl.key === form.elements.template.value) || null;
}

function stepTraits(step) {
  const traits = [];
  if (step.anonymous) traits.push(t("anonymous"));
  if (step.intake) traits.push(t("inbox"));
  if (step.vote) traits.push(t("voting"));
  if (!step.cards) traits.push(t("no new cards"));
  return traits;
}

function showTemplate() {
  const tpl = chosen();
  document.getElementById("wf-template-help").textContent = tpl?.description || "";
  const steps = tpl?.steps || [];
  document.getElementById("wf-steps").replaceChildren(...steps.map((step) => h("li", {},
    h("span", { class: "wf-step-title" }, step.title),
    h("span", { class: "wf-step-meta" }, [tn("{n} minute", "{n} minutes", step.minutes), ...stepTraits(step)].join(" · ")))));
  const columns = tpl?.columns || [];
  document.getElementById("wf-columns").replaceChildren(...(columns.length
    ? columns.map((name) => h("li", {}, name))
    : [h("li", { class: "empty" }, t("The board's own columns."))]));
  if (!titleTouched && tpl) form.elements.title.value = tpl.name;
}

form.elements.template.addEventListener("change", showTemplate);
form.elements.title.addEventListener("input", () => (titleTouched = true));
document.getElementById("workshop-cancel").addEventListener("click", () => dialog.close());

async function loadTemplates(collectiveId) {
  if (templates) return;
  const select = form.elements.template;
  select.replaceChildren(h("option", { value: "" }, t("Loading…")));
  const found = await api("GET", `/collectives/${collectiveId}/workshop-templates`);
  templates = found.templates;
  select.replaceChildren(...templates.map((tpl) => h("option", { value: tpl.key }, tpl.name)));
}

/** Open the dialog for board `boardId`; `started(workshop)` gets the new workshop; `meeting`
 * ({id, title, held_on}, optional): the meeting it is held as (else one of the day). */
export async function openWorkshopDialog(boardId, collectiveId, started, meeting = null) {
  form.reset();
  formError(form, null);
  titleTouched = false;
  const held = document.getElementById("wf-meeting");
  held.hidden = !meeting;
  held.textContent = meeting
    ? t("Held as the meeting “{title}” of {date}.", { title: meeting.title, date: formatDate(meeting.held_on) })
    : "";
  if (meeting) {
    form.elements.title.value = meeting.title;
    titleTouched = true; // the meeting's title, unless the animator writes another
  }
  form.onsubmit = (event) => submit(event, boardId, started, meeting);
  dialog.showModal();
  form.elements.template.focus();
  try {
    await loadTemplates(collectiveId);
  } catch (error) {
    formError(form, error);
    return;
  }
  showTemplate();
}

function submit(event, boardId, started, meeting) {
  event.preventDefault();
  const tpl = chosen();
  if (!tpl) return undefined;
  return submitting(form, async () => {
    const body = {
      template: tpl.key,
      title: form.elements.title.value.trim() || tpl.name,
      reveal_authors: form.elements.reveal_authors.checked,
    };
    if (meeting) body.meeting_id = meeting.id;
    const workshop = await api("POST", `/boards/${boardId}/workshops`, body);
    dialog.close();
    started(workshop);
  });
}

// --- ending ------------------------------------------------------------------------------

const endDialog = document.getElementById("workshop-end-dialog");

/** Ask before ending `workshop`: true when the animator confirms. */
export function confirmEndWorkshop(workshop) {
  const anonymous = workshop.steps.some((step) => step.anonymous);
  document.getElementById("workshop-end-text").textContent = [
    t("The timer stops and contributions work as usual again."),
    anonymous && workshop.reveal_authors ? t("Anonymous cards get their authors back.") : null,
    t("The workshop's summary and minutes stay available."),
  ].filter(Boolean).join(" ");
  const error = endDialog.querySelector(".form-error");
  error.hidden = true;
  return new Promise((resolve) => {
    const confirm = document.getElementById("workshop-end-confirm");
    const cancel = document.getElementById("workshop-end-cancel");
    const done = (answer) => {
      confirm.onclick = null;
      cancel.onclick = null;
      endDialog.onclose = null;
      if (endDialog.open) endDialog.close();
      resolve(answer);
    };
    confirm.onclick = () => done(true);
    cancel.onclick = () => done(false);
    endDialog.onclose = () => done(false);
    endDialog.showModal();
    cancel.focus();
  });
}
