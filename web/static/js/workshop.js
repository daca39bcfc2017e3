// A workshop's page (/w/{id}): its state and steps, what it produced once ended (cards, votes,
// decisions, who took part), the animators' confirmation of who was present, and the links to
// its minutes. Kept current by the workshop.* events of the live feed.

import { api, errorText, formatDate, h, pageData, submitting, t, tn, toast } from "./common.js";
import { LiveFeed } from "./live.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
let workshop = data.workshop;
// Who is checked in the attendance form: those already confirmed, else those who joined.
let present = new Set((data.attendees?.length ? data.attendees : workshop.participants ?? []).map((u) => u.id));

function renderState() {
  const w = workshop;
  document.getElementById("workshop-title").textContent = w.title;
  document.getElementById("workshop-state").textContent = w.status === "ended"
    ? t("Ended on {date} · started on {start}", { date: formatDate(w.ended_at), start: formatDate(w.started_at) })
    : t("Running · step {n} of {total} · started on {start}", { n: w.step_index + 1, total: w.steps.length, start: formatDate(w.started_at) });
}

function renderSummary() {
  const box = document.getElementById("workshop-summary");
  const s = workshop.summary;
  if (!s) {
    box.replaceChildren(h("p", { class: "meta" }, t("The summary is written when the workshop ends.")));
    return;
  }
  box.replaceChildren(
    h("ul", { class: "workshop-figures", role: "list" },
      h("li", {}, h("strong", {}, s.cards), " ", tn("card created", "cards created", s.cards)),
      h("li", {}, h("strong", {}, s.votes), " ", tn("vote", "votes", s.votes)),
      h("li", {}, h("strong", {}, s.decisions.length), " ", tn("decision", "decisions", s.decisions.length)),
      h("li", {}, h("strong", {}, s.participants), " ", tn("participant", "participants", s.participants))),
    s.decisions.length
      ? h("div", {}, h("h3", {}, t("Decisions")),
        h("ul", { class: "workshop-decisions" }, s.decisions.map((d) => h("li", {}, h("a", { href: `/cards/${d.card_id}` }, d.title)))))
      : h("p", { class: "meta" }, t("No decision was recorded during this workshop.")));
}

function renderSteps() {
  const running = workshop.status === "running";
  document.getElementById("workshop-steps").replaceChildren(...workshop.steps.map((step, i) => {
    const current = running && i === workshop.step_index;
    return h("li", { class: `workshop-step${current ? " current" : ""}`, "aria-current": current ? "step" : null },
      h("span", { class: "wf-step-title" }, step.title),
      h("span", { class: "wf-step-meta" }, tn("{n} minute", "{n} minutes", step.minutes)),
      current ? h("span", { class: "badge now" }, t("now")) : null,
      step.instructions ? h("p", { class: "help" }, step.instructions) : null);
  }));
}

function renderPeople() {
  const box = document.getElementById("workshop-people");
  const joined = workshop.participants;
  if (!isAnimator) {
    box.replaceChildren(joined
      ? (joined.length
        ? h("ul", { class: "workshop-people" }, joined.map((u) => h("li", {}, u.display_name)))
        : h("p", { class: "meta" }, t("Nobody has joined yet.")))
      : h("p", {}, tn("{n} participant", "{n} participants", workshop.participant_count)));
    return;
  }
  const joinedIds = new Set((joined || []).map((u) => u.id));
  const people = data.members.filter((m) => m.role !== "observer")
    .sort((a, b) => Number(joinedIds.has(b.user.id)) - Number(joinedIds.has(a.user.id))
      || a.user.display_name.localeCompare(b.user.display_name));
  const form = h("form", { class: "form workshop-attendance", id: "attendance-form" },
    h("fieldset", {},
      h("legend", {}, t("Who was present")),
      people.map((m) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "present", value: m.user.id, checked: present.has(m.user.id) }), " ",
        m.user.display_name,
        joinedIds.has(m.user.id) ? h("span", { class: "badge now" }, t("joined online")) : null))),
    h("p", { class: "help" }, t("Those who joined the workshop online are checked; add those who took part in the room.")),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "form-success", role: "status", id: "attendance-done" }),
    h("button", { type: "submit", class: "button primary" }, t("Confirm attendance")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const ids = [...form.querySelectorAll('input[name="present"]:checked')].map((i) => Number(i.value));
    submitting(form, async () => {
      const meeting = await api("PUT", `/workshops/${workshop.id}/attendance`, { user_ids: ids });
      present = new Set(ids);
      form.querySelector("#attendance-done").textContent = tn("Attendance confirmed: {n} person.", "Attendance confirmed: {n} people.", meeting.attendee_count);
    });
  });
  box.replaceChildren(form);
}

// Animators save the workshop's steps (and its method's columns) as a template of their own.
const STEP_FIELDS = ["title", "minutes", "instructions", "cards", "intake", "anonymous", "vote"];

function renderSaveTemplate() {
  const box = document.getElementById("save-template");
  if (!box || box.firstChild) return;
  const form = h("form", { class: "form", id: "template-form" },
    h("p", { class: "help" }, t("Save these steps as a method of the collective: it is offered when a workshop is started.")),
    h("div", { class: "field" },
      h("label", { for: "template-name" }, t("Name of the method")),
      h("input", { id: "template-name", name: "name", required: true, maxlength: "160", value: workshop.title })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("p", { class: "form-success", role: "status", id: "template-done" }),
    h("button", { type: "submit", class: "button" }, t("Save as a method")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const methods = await api("GET", `/collectives/${collective.id}/workshop-templates`);
      const used = methods.templates.find((m) => m.key === workshop.template);
      const steps = workshop.steps.map((s) => Object.fromEntries(STEP_FIELDS.filter((k) => k in s).map((k) => [k, s[k]])));
      const saved = await api("POST", `/collectives/${collective.id}/workshop-templates`, {
        name: form.elements.name.value.trim(),
        columns: used ? used.columns : [],
        steps,
      });
      form.querySelector("#template-done").textContent = t("Method “{name}” saved: it is offered when a workshop is started.", { name: saved.name });
    });
  });
  box.replaceChildren(form);
}

function render() {
  renderState();
  renderSummary();
  renderSteps();
  if (isAnimator) renderSaveTemplate();
  // The form keeps what the animator checked: it is drawn again only for a new list of people.
  if (!document.getElementById("attendance-form") || !isAnimator) renderPeople();
}

async function reload() {
  const fresh = await api("GET", `/workshops/${workshop.id}`);
  const joinedBefore = JSON.stringify(workshop.participants);
  workshop = fresh;
  render();
  if (isAnimator && JSON.stringify(fresh.participants) !== joinedBefore && !data.attendees?.length) {
    for (const u of fresh.participants || []) present.add(u.id);
    renderPeople();
  }
}

function onEvent(message) {
  if (!message.kind.startsWith("workshop.") || message.data?.id !== workshop.id) return;
  // The event carries no names: the page asks for the workshop again.
  reload().catch((error) => toast(errorText(error), "error"));
}

render();
new LiveFeed({
  collective: collective.id,
  board: null,
  seq: collective.seq ?? null,
  onEvent,
  resync: async () => {
    await reload();
    return null;
  },
});
