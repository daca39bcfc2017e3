// A collective's diagnostics (/c/{id}/diagnostics): every company's for animators, who start
// a new one from a dialog (template, member, the company's people proposed as the server
// would: the members who gave the same organisation); a member's company's for a member.

import { api, formatDate, h, pageData, submitting, t, tn } from "./common.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";

function statusLabel(status) {
  return status === "done" ? t("Finished") : t("Draft");
}

function renderList() {
  const list = document.getElementById("diagnostic-list");
  const shown = data.diagnostics;
  document.getElementById("diagnostic-count").textContent = shown.length ? `(${shown.length})` : "";
  list.replaceChildren(...(shown.length ? shown.map((d) => {
    const who = d.member?.display_name || t("A former member");
    return h("li", { class: `diagnostic-tile ${d.status}` },
      h("a", { href: `/d/${d.id}` },
        h("span", { class: "tile-title" }, d.company || who),
        d.company ? h("span", { class: "meta" }, who) : null,
        h("span", { class: "meta" }, d.template.name),
        h("span", { class: `status-pill ${d.status}` }, statusLabel(d.status)),
        h("span", { class: "meta" }, t("Updated on {date}", { date: formatDate(d.updated_at) }),
          " · ", tn("{n} action", "{n} actions", d.actions))));
  }) : [h("li", { class: "empty" }, isAnimator
    ? t("No diagnostic yet: start one with “New diagnostic”.")
    : t("No diagnostic of your company yet."))]));
}

// --- a new diagnostic (animators) -----------------------------------------------------------

function sameCompany(a, b) {
  const name = (a || "").trim().toLocaleLowerCase();
  return name !== "" && name === (b || "").trim().toLocaleLowerCase();
}

function initDialog() {
  const dialog = document.getElementById("diagnostic-dialog");
  const form = document.getElementById("diagnostic-form");
  const people = document.getElementById("dd-people");
  const byId = new Map(data.members.map((m) => [m.user.id, m]));

  const showTemplate = () => {
    const tpl = data.templates.find((x) => x.id === form.elements.template_id.value);
    const questions = tpl ? tpl.themes.reduce((n, theme) => n + theme.questions.length, 0) : 0;
    document.getElementById("dd-template-help").textContent = tpl
      ? [tpl.description, tn("{n} theme", "{n} themes", tpl.themes.length), tn("{n} question", "{n} questions", questions)].filter(Boolean).join(" · ")
      : "";
  };
  const showPeople = () => {
    const diagnosed = byId.get(Number(form.elements.member_id.value));
    const others = data.members.filter((m) => m.user.id !== diagnosed?.user.id);
    people.replaceChildren(...(others.length ? others.map((m) => h("label", { class: "choice" },
      h("input", {
        type: "checkbox", name: "company_user_ids", value: m.user.id,
        checked: Boolean(diagnosed) && sameCompany(m.organisation, diagnosed.organisation),
      }), " ", m.user.display_name,
      m.organisation ? h("span", { class: "meta" }, ` — ${m.organisation}`) : null))
      : [h("p", { class: "meta" }, t("Nobody else in the collective."))]));
  };
  form.elements.template_id.addEventListener("change", showTemplate);
  form.elements.member_id.addEventListener("change", showPeople);
  document.getElementById("dd-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("new-diagnostic").addEventListener("click", () => {
    showTemplate();
    showPeople();
    const none = !form.elements.member_id.options.length;
    form.querySelector(".form-error").hidden = !none;
    form.querySelector(".form-error").textContent = none ? t("Invite the companies' members first: a diagnostic is made for a member.") : "";
    form.querySelector("button[type=submit]").disabled = none;
    dialog.showModal();
    form.elements.template_id.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const ids = [...form.querySelectorAll('input[name="company_user_ids"]:checked')].map((i) => Number(i.value));
    submitting(form, async () => {
      const created = await api("POST", `/collectives/${collective.id}/diagnostics`, {
        template_id: form.elements.template_id.value,
        member_id: Number(form.elements.member_id.value),
        company_user_ids: ids,
      });
      location.href = `/d/${created.id}`;
    });
  });
}

renderList();
if (isAnimator) initDialog();
