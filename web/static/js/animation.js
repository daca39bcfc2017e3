// The animator's view: the health panel under the five failure causes, alerts with one-click
// actions (nudge, pin, prompt, welcome), each member's participation, moderation (reports to
// review, the log), meetings with attendance, and the funders' report.

import { api, avatar, errorText, formatDate, h, N_, pageData, submitting, t, timeEl, toast } from "./common.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
const base = `/collectives/${collective.id}`;
const members = new Map(data.members.map((m) => [m.user.id, m]));

const CAUSES = {
  pedagogy: N_("Pedagogy"),
  involvement: N_("Involvement"),
  knowledge: N_("Knowledge and skills"),
  experimentation: N_("Experimentation"),
  animation: N_("Animation"),
};
const INDICATORS = {
  newcomer_reply_rate: [N_("Newcomers' first posts answered"), "percent"],
  onboarding_steps: [N_("Onboarding steps done"), "percent"],
  wau_mau: [N_("Weekly ÷ monthly active members"), "percent"],
  members_silent: [N_("Members silent against their habit"), "count"],
  gini: [N_("Concentration of contributions (Gini)"), "ratio"],
  questions_answered: [N_("Questions answered"), "percent"],
  answers_per_question: [N_("Answers per question"), "ratio"],
  practices_tried: [N_("Practices tried (« je l'ai essayé »)"), "count"],
  experiments_started: [N_("Experiments started"), "count"],
  first_response_median_h: [N_("Time to first response (median)"), "hours"],
  unanswered_posts: [N_("Posts without an answer"), "count"],
  animator_actions_per_week: [N_("Animator actions per week"), "ratio"],
  boards_stalled: [N_("Stalled boards"), "count"],
  diagnostics_done: [N_("Diagnostics finished (of those started)"), "percent"],
  action_plan_progress: [N_("Actions of the plans done"), "percent"],
  actions_overdue: [N_("Actions past their due date"), "count"],
  practices_from_actions: [N_("Actions putting a practice of the collective to use"), "count"],
};
const ACTIONS = {
  nudge: N_("Send a nudge"),
  pin: N_("Pin"),
  prompt: N_("Post a question of the week"),
  welcome: N_("Welcome"),
};
const RULES = {
  newcomer_unanswered: N_("Newcomer unanswered"),
  post_unanswered: N_("Post unanswered"),
  member_silent: N_("Member silent"),
  board_stalled: N_("Board stalled"),
  concentration: N_("Contributions concentrated"),
};
const LEVELS = { reader: N_("reader"), occasional: N_("occasional"), regular: N_("regular"), driving: N_("driving force") };
const TRENDS = { rising: N_("rising"), steady: N_("steady"), falling: N_("falling"), new: N_("new"), silent: N_("silent") };
const THRESHOLDS = {
  newcomer_unanswered_hours: N_("Newcomer's first post unanswered after (hours)"),
  post_unanswered_hours: N_("Any post unanswered after (hours)"),
  silence_gap_multiple: N_("Member silent for this many times their usual gap"),
  silence_min_days: N_("…and at least (days)"),
  board_stalled_days: N_("Board stalled after (days)"),
  concentration_share: N_("Share of contributions by one person (0–1)"),
};

function period() {
  const days = Number(document.getElementById("period").value);
  const to = new Date();
  const from = new Date(to.getTime() - days * 86400000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function format(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "percent") return `${Math.round(value * 100)} %`;
  if (unit === "hours") return value < 48 ? `${Math.round(value)} h` : `${Math.round(value / 24)} j`;
  if (unit === "count") return String(Math.round(value));
  return value.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });
}

/** A small line chart of `series` (nulls are gaps), described in words for screen readers. */
function sparkline(series, label) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 96;
  const height = 24;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("role", "img");
  const values = (series || []).filter((v) => v !== null && v !== undefined);
  svg.setAttribute("aria-label", label + (values.length ? ` : ${values.map((v) => format(v, "ratio")).join(", ")}` : ""));
  if (values.length < 2) return svg;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const step = width / Math.max(series.length - 1, 1);
  let d = "";
  let pen = "M";
  series.forEach((v, i) => {
    if (v === null || v === undefined) {
      pen = "M";
      return;
    }
    const y = max === min ? height / 2 : height - 2 - ((v - min) / (max - min)) * (height - 4);
    d += `${pen}${(i * step).toFixed(1)} ${y.toFixed(1)} `;
    pen = "L";
  });
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}

async function loadHealth() {
  const box = document.getElementById("health");
  const { from, to } = period();
  document.getElementById("report-html").href = `/api/v1${base}/report?from=${from}&to=${to}&format=html`;
  document.getElementById("report-csv").href = `/api/v1${base}/report?from=${from}&to=${to}&format=csv`;
  let found;
  try {
    found = await api("GET", `${base}/engagement?from=${from}&to=${to}`);
  } catch (error) {
    box.replaceChildren(h("p", { class: "form-error" }, errorText(error)));
    return;
  }
  box.replaceChildren(...found.health.map((cause) =>
    h("article", { class: `cause${cause.in_trouble ? " trouble" : ""}`, "aria-labelledby": `cause-${cause.cause}` },
      h("header", {},
        h("h3", { id: `cause-${cause.cause}` }, t(CAUSES[cause.cause] || cause.cause)),
        h("span", { class: `status ${cause.in_trouble ? "bad" : "good"}` }, cause.in_trouble ? t("needs attention") : t("fine"))),
      h("ul", { role: "list" }, cause.indicators.map((ind) => {
        const [label, unit] = INDICATORS[ind.key] || [ind.key, "ratio"];
        return h("li", { class: `indicator${ind.in_trouble ? " trouble" : ""}` },
          h("div", { class: "indicator-head" },
            h("span", { class: "indicator-label" }, t(label)),
            h("strong", { class: "indicator-value" }, format(ind.value, unit))),
          h("div", { class: "indicator-foot" },
            sparkline(ind.series, t("Week by week")),
            ind.threshold !== null && ind.threshold !== undefined
              ? h("span", { class: "meta" }, ind.direction === "min" ? t("target ≥ {v}", { v: format(ind.threshold, unit) }) : t("target ≤ {v}", { v: format(ind.threshold, unit) }))
              : null,
            ind.in_trouble && ind.action && isAnimator
              ? h("a", { class: "link-button", href: "#alerts-title" }, t(ACTIONS[ind.action] || ind.action))
              : null));
      })))));
}

// --- alerts and their actions ------------------------------------------------------------

let template = "";
const dialog = document.getElementById("action-dialog");
const actionForm = document.getElementById("action-form");
let pendingAction = null;

function fillTemplate(user) {
  const first = (user?.display_name || "").split(" ")[0];
  return template.replaceAll("{prenom}", first).replaceAll("{collectif}", collective.name);
}

function openAction(kind, alert) {
  pendingAction = { kind, alert };
  const user = alert.user;
  document.getElementById("action-title").textContent = t(ACTIONS[kind]);
  document.getElementById("action-board-field").hidden = kind !== "prompt";
  document.getElementById("action-title-field").hidden = kind !== "prompt";
  const message = actionForm.elements.message;
  const help = document.getElementById("action-help");
  if (kind === "nudge") {
    help.textContent = t("To {name}, in Essaim and by email. Edit it freely.", { name: user.display_name });
    message.value = fillTemplate(user);
  } else if (kind === "welcome") {
    help.textContent = t("A welcome to {name}, as a reply to their first card when they have one.", { name: user.display_name });
    message.value = t("Welcome {name}! Thank you for this first contribution: tell us more about your business?", { name: user.display_name.split(" ")[0] });
  } else {
    help.textContent = t("A question card that everyone sees live on the board.");
    const select = actionForm.elements.board_id;
    select.replaceChildren(...data.boards.filter((b) => !b.archived).map((b) => h("option", { value: b.id, selected: alert.board?.id === b.id }, b.name)));
    actionForm.elements.title.value = t("Question of the week: ");
    message.value = "";
  }
  dialog.showModal();
  (kind === "prompt" ? actionForm.elements.title : message).focus();
}

document.getElementById("action-cancel").addEventListener("click", () => dialog.close());
actionForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const { kind, alert } = pendingAction;
  submitting(actionForm, async () => {
    const message = actionForm.elements.message.value.trim() || null;
    if (kind === "nudge") await api("POST", `${base}/nudges`, { user_id: alert.user.id, message, alert_id: alert.id });
    else if (kind === "welcome") await api("POST", `${base}/welcomes`, { user_id: alert.user.id, message });
    else await api("POST", `${base}/prompts`, { board_id: Number(actionForm.elements.board_id.value), title: actionForm.elements.title.value.trim(), body: message || "" });
    dialog.close();
    toast(kind === "nudge" ? t("Nudge sent.") : kind === "welcome" ? t("Welcome sent.") : t("Question posted."));
    loadAlerts();
  });
});

async function pin(alert) {
  try {
    const card = await api("GET", `/cards/${alert.card.id}`);
    await api("PATCH", `/cards/${alert.card.id}`, { version: card.version, pinned: true });
    toast(t("Card pinned."));
    loadAlerts();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

async function loadAlerts() {
  const list = document.getElementById("alerts");
  let found;
  try {
    [found, { template }] = await Promise.all([api("GET", `${base}/alerts`), api("GET", `${base}/nudge-template`)]);
  } catch (error) {
    list.replaceChildren(h("li", { class: "form-error" }, errorText(error)));
    return;
  }
  document.getElementById("alert-count").textContent = `(${found.alerts.length})`;
  list.replaceChildren(...(found.alerts.length ? found.alerts.map((alert) =>
    h("li", { class: `alert rule-${alert.rule}` },
      h("div", { class: "alert-main" },
        h("span", { class: "alert-rule" }, t(RULES[alert.rule] || alert.rule)),
        h("p", { class: "alert-summary" }, alert.summary_fr),
        h("p", { class: "meta" }, t("Since"), " ", timeEl(alert.since),
          alert.card ? [" · ", h("a", { href: `/cards/${alert.card.id}` }, alert.card.title)] : null,
          alert.board ? [" · ", h("a", { href: `/b/${alert.board.id}` }, alert.board.name)] : null),
        alert.last_nudge_at ? h("p", { class: "meta nudged" }, t("Last nudged"), " ", timeEl(alert.last_nudge_at),
          alert.next_nudge_at ? [" · ", t("next nudge possible on {date}", { date: formatDate(alert.next_nudge_at) })] : null) : null),
      h("div", { class: "alert-actions" }, alert.actions.map((kind) => {
        // A member is nudged at most once in three days: the server refuses sooner (409).
        const held = kind === "nudge" && alert.next_nudge_at;
        return h("button", {
          type: "button", class: `button small${kind === alert.actions[0] && !held ? " primary" : ""}${held ? " held" : ""}`,
          disabled: held ? true : null,
          title: held ? t("next nudge possible on {date}", { date: formatDate(alert.next_nudge_at) }) : null,
          onclick: () => (kind === "pin" ? pin(alert) : openAction(kind, alert)),
        }, t(ACTIONS[kind] || kind));
      })))) : [h("li", { class: "empty" }, t("No alert: the collective is doing well."))]));
  renderThresholds(found.thresholds || {});
}

function renderThresholds(values) {
  const box = document.getElementById("threshold-fields");
  if (box.dataset.filled) return;
  box.dataset.filled = "1";
  box.replaceChildren(...Object.entries(THRESHOLDS).filter(([key]) => key in values).map(([key, label]) =>
    h("div", { class: "field" }, h("label", { for: `th-${key}` }, t(label)),
      h("input", { id: `th-${key}`, name: key, type: "number", step: "any", min: "0", value: values[key] }))));
  const form = document.getElementById("thresholds");
  form.onsubmit = (event) => {
    event.preventDefault();
    submitting(form, async () => {
      // PUT replaces the whole set: send every threshold, the edited ones changed.
      const body = { ...values };
      for (const input of box.querySelectorAll("input")) body[input.name] = Number(input.value);
      await api("PUT", `${base}/alert-thresholds`, body);
      toast(t("Saved."));
      loadAlerts();
      loadHealth();
    });
  };
}

// --- members -----------------------------------------------------------------------------

async function loadPeople() {
  const body = document.querySelector("#people tbody");
  let found;
  try {
    found = await api("GET", `${base}/engagement/members`);
  } catch (error) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: 8 }, errorText(error))));
    return;
  }
  const order = { driving: 0, regular: 1, occasional: 2, reader: 3 };
  const rows = [...found.members].sort((a, b) => (order[a.level] ?? 9) - (order[b.level] ?? 9) || b.contributions - a.contributions);
  body.replaceChildren(...rows.map((m) => h("tr", {},
    h("th", { scope: "row" }, h("span", { class: "person" }, avatar(m.user, "small"), h("span", {}, m.user.display_name,
      m.organisation ? h("span", { class: "meta block" }, m.organisation) : null))),
    h("td", {}, h("span", { class: `level level-${m.level}` }, t(LEVELS[m.level] || m.level))),
    h("td", {}, h("span", { class: `trend trend-${m.trend}` }, t(TRENDS[m.trend] || m.trend))),
    h("td", {}, m.last_active_at ? timeEl(m.last_active_at) : "—"),
    h("td", { class: "num" }, m.contributions),
    h("td", { class: "num" }, `${m.reactions_given} / ${m.reactions_received}`),
    h("td", {}, sparkline(m.weekly, t("Contributions week by week"))),
    h("td", {}, m.role === "member" ? h("button", {
      type: "button", class: "link-button", onclick: () => openAction("nudge", { user: m.user, id: null }),
    }, t("Nudge"), h("span", { class: "visually-hidden" }, ` ${m.user.display_name}`)) : null))));
}

// --- moderation --------------------------------------------------------------------------

const REASONS = { spam: N_("spam"), offensive: N_("offensive"), off_topic: N_("off topic"), personal_data: N_("personal data"), other: N_("other") };

async function loadFlags() {
  const list = document.getElementById("flags");
  let found;
  try {
    found = await api("GET", `/collectives/${collective.id}/flags?status=open`);
  } catch (error) {
    list.replaceChildren(h("li", { class: "form-error" }, errorText(error)));
    return;
  }
  const flags = found.flags || [];
  document.getElementById("flag-count").textContent = `(${flags.length})`;
  list.replaceChildren(...(flags.length ? flags.map((f) => h("li", { class: "flag-item" },
    h("p", {}, h("strong", {}, t(REASONS[f.reason] || f.reason)), " · ",
      f.target_type === "comment" ? [t("a comment on"), " "] : null,
      h("a", { href: `/cards/${f.card.id}${f.comment ? `#comment-${f.comment.id}` : ""}` }, f.card.title),
      f.open_flag_count > 1 ? h("span", { class: "meta" }, " · ", t("{n} reports", { n: f.open_flag_count })) : null),
    f.comment ? h("blockquote", {}, f.comment.excerpt) : null,
    f.note ? h("p", { class: "meta" }, `« ${f.note} » — ${f.reporter?.display_name || ""}`) : null,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button small primary", onclick: () => resolveFlag(f, "hidden") }, t("Hide the content")),
      h("button", { type: "button", class: "button small", onclick: () => resolveFlag(f, "dismissed") }, t("Dismiss")))))
    : [h("li", { class: "empty" }, t("Nothing to review."))]));
}

async function resolveFlag(flag, outcome) {
  try {
    await api("POST", `/flags/${flag.id}/resolve`, { outcome });
    toast(outcome === "hidden" ? t("Hidden from members.") : t("Report dismissed."));
    loadFlags();
    loadAudit();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

const AUDIT = {
  "card.hidden": N_("hid a card"), "card.restored": N_("restored a card"), "card.merged": N_("merged a duplicate card"), "card.capitalised": N_("validated a card for the guide"), "card.uncapitalised": N_("took a card out of the guide"), "card.unmerged": N_("undid a merge"), "comment.hidden": N_("hid a comment"),
  "comment.restored": N_("restored a comment"), "card.pinned": N_("pinned a card"), "card.unpinned": N_("unpinned a card"),
  "board.locked": N_("locked a board"), "board.unlocked": N_("unlocked a board"), "flag.resolved": N_("handled a report"),
  "member.role_changed": N_("changed a member's role"), "member.removed": N_("removed a member"),
};

async function loadAudit() {
  const list = document.getElementById("audit");
  try {
    const found = await api("GET", `/collectives/${collective.id}/audit?limit=30`);
    list.replaceChildren(...(found.entries.length ? found.entries.map((e) => h("li", {},
      h("strong", {}, e.actor?.display_name || ""), " ", t(AUDIT[e.action] || e.action), " ", timeEl(e.at)))
      : [h("li", { class: "empty" }, t("No moderation yet."))]));
  } catch (error) {
    list.replaceChildren(h("li", { class: "form-error" }, errorText(error)));
  }
}

// --- meetings ----------------------------------------------------------------------------

async function loadMeetings() {
  const list = document.getElementById("meetings");
  let found;
  try {
    found = await api("GET", `/collectives/${collective.id}/meetings`);
  } catch (error) {
    list.replaceChildren(h("li", { class: "form-error" }, errorText(error)));
    return;
  }
  const meetings = found.meetings || [];
  list.replaceChildren(...(meetings.length ? meetings.map((m) => {
    const attending = new Set((m.attendees || []).map((a) => a.id));
    const details = h("details", { class: "attendance" },
      h("summary", {}, t("{n} present", { n: m.attendee_count })),
      isAnimator ? attendanceForm(m, attending) : h("p", { class: "meta" }, [...attending].map((id) => members.get(id)?.user.display_name).filter(Boolean).join(", ")));
    return h("li", { class: "meeting" },
      h("div", {}, h("strong", {}, m.title), h("span", { class: "meta" }, " · ", m.kind === "workshop" ? t("workshop") : t("meeting"), " · ", formatDate(m.held_on))),
      details);
  }) : [h("li", { class: "empty" }, t("No meeting recorded yet."))]));
}

function attendanceForm(meeting, attending) {
  const form = h("form", { class: "attendance-form" },
    h("fieldset", {}, h("legend", { class: "visually-hidden" }, t("Who came to « {title} »", { title: meeting.title })),
      [...members.values()].filter((m) => m.role !== "observer").map((m) => {
        const id = `att-${meeting.id}-${m.user.id}`;
        return h("div", { class: "facet-option" },
          h("input", { type: "checkbox", id, name: "user", value: m.user.id, checked: attending.has(m.user.id) }),
          h("label", { for: id }, m.user.display_name));
      })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("button", { type: "submit", class: "button small primary" }, t("Save attendance")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const ids = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      await api("PUT", `/meetings/${meeting.id}/attendance`, { user_ids: ids });
      toast(t("Saved."));
      loadMeetings();
    });
  });
  return form;
}

const meetingForm = document.getElementById("new-meeting");
meetingForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(meetingForm, async () => {
    await api("POST", `/collectives/${collective.id}/meetings`, {
      title: meetingForm.elements.title.value.trim(),
      kind: meetingForm.elements.kind.value,
      held_on: meetingForm.elements.held_on.value,
    });
    meetingForm.reset();
    meetingForm.hidden = true;
    loadMeetings();
  });
});

document.getElementById("period").addEventListener("change", loadHealth);
loadHealth();
loadMeetings();
if (isAnimator) {
  loadAlerts();
  loadPeople();
  loadFlags();
  loadAudit();
}
