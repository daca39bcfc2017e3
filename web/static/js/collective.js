// A collective's home: its phases on a timeline, its boards, recent activity (live), its
// practice guide (guide.js) and its members with who is online; animators add phases and
// boards and invite from here.

import { api, avatar, errorText, formatDate, h, N_, pageData, submitting, t, timeEl, tn, toast } from "./common.js";
import { guideBlock } from "./guide.js";
import { LiveFeed } from "./live.js";
import { applyCollective } from "./state.js";
import { methodLabel } from "./votes.js";

const data = pageData();
const isAnimator = data.collective.role === "animator";
const viewer = { id: Number(document.body.dataset.me || 0), animator: isAnimator };
// The page's state, as GET would give it now: kept by state.js from the live events.
let home = { collective: data.collective, boards: data.boards, phases: data.phases, members: data.members };
let collective = home.collective;
let phases = home.phases;
let boards = home.boards;
let members = new Map(home.members.map((m) => [m.user.id, m]));
let online = new Set();
const activity = [];

const ROLE = { animator: N_("animator"), member: N_("member"), observer: N_("observer") };
const BOARD_KIND = {
  ideas: N_("Ideas"), practices: N_("Practices"), questions: N_("Questions"), experiments: N_("Experiments"),
  documents: N_("Documents"), kanban: N_("Projects (kanban)"),
};

function renderTimeline() {
  const today = new Date().toISOString().slice(0, 10);
  const list = document.getElementById("timeline");
  const sorted = [...phases].sort((a, b) => a.starts_on.localeCompare(b.starts_on));
  list.replaceChildren(...(sorted.length ? sorted.map((p) => {
    const state = p.ends_on < today ? "past" : p.starts_on > today ? "future" : "current";
    return h("li", { class: `phase ${p.kind} ${state}`, "aria-current": state === "current" ? "step" : null },
      h("span", { class: "phase-kind" }, p.kind === "individual" ? t("individual phase") : t("collective phase")),
      h("strong", {}, p.name),
      h("span", { class: "meta" }, `${formatDate(p.starts_on)} – ${formatDate(p.ends_on)}`),
      state === "current" ? h("span", { class: "badge now" }, t("now")) : null,
      p.description ? h("span", { class: "phase-description" }, p.description) : null);
  }) : [h("li", { class: "empty" }, t("No phase yet."))]));
  const select = document.getElementById("bd-phase");
  if (select) {
    select.replaceChildren(h("option", { value: "" }, t("none")), ...sorted.map((p) => h("option", { value: p.id }, p.name)));
  }
}

function renderBoards() {
  const list = document.getElementById("board-list");
  const shown = boards.filter((b) => !b.archived);
  list.replaceChildren(...(shown.length ? shown.map((b) => {
    const phase = phases.find((p) => p.id === b.phase_id);
    return h("li", { class: `board-tile kind-${b.kind}` },
      h("a", { href: `/b/${b.id}` },
        h("span", { class: "board-kind" }, t(BOARD_KIND[b.kind] || b.kind)),
        h("strong", {}, b.name),
        b.description ? h("span", { class: "meta" }, b.description) : null,
        phase ? h("span", { class: "meta" }, phase.name) : null,
        b.locked ? h("span", { class: "flag" }, t("locked")) : null));
  }) : [h("li", { class: "empty" }, t("No board yet."))]));
}

let votes = data.votes || [];

function renderVotes() {
  const list = document.getElementById("vote-list");
  // Open votes first, each group newest first (the server lists them newest first).
  const sorted = [...votes].sort((a, b) => Number(a.status === "closed") - Number(b.status === "closed"));
  list.replaceChildren(...(sorted.length ? sorted.map((v) => h("li", { class: `vote-tile ${v.status}` },
    h("a", { href: `/v/${v.id}` },
      h("strong", {}, v.title),
      h("span", { class: "meta" }, methodLabel(v.method)),
      h("span", { class: `badge${v.status === "open" ? " now" : ""}` }, v.status === "open" ? t("open") : t("closed")),
      h("span", { class: "meta" }, tn("{n} person has voted", "{n} people have voted", v.turnout))))) : [h("li", { class: "empty" }, t("No vote yet."))]));
}

let votesFetch = null;
function refreshVotes() {
  votesFetch ??= api("GET", `/collectives/${collective.id}/votes`).then((answer) => {
    votes = answer.votes;
    renderVotes();
  }).catch(() => {}).finally(() => (votesFetch = null));
}

function renderMembers() {
  const list = document.getElementById("members");
  const order = { animator: 0, member: 1, observer: 2 };
  const sorted = [...members.values()].sort((a, b) =>
    Number(online.has(b.user.id)) - Number(online.has(a.user.id)) || order[a.role] - order[b.role] ||
    a.user.display_name.localeCompare(b.user.display_name));
  document.getElementById("member-count").textContent = `(${sorted.length})`;
  list.replaceChildren(...sorted.map((m) => {
    const isOnline = online.has(m.user.id);
    return h("li", { class: `member${isOnline ? " online" : ""}` },
      h("span", { class: "avatar-wrap" }, avatar(m.user), isOnline ? h("span", { class: "dot", title: t("online") }) : null),
      h("span", { class: "member-text" },
        h("strong", {}, m.user.display_name),
        isOnline ? h("span", { class: "visually-hidden" }, t("(online)")) : null,
        m.role !== "member" ? h("span", { class: `badge role-${m.role}` }, t(ROLE[m.role])) : null,
        m.organisation || m.trade ? h("span", { class: "meta" }, [m.organisation, m.trade].filter(Boolean).join(" · ")) : null,
        m.skills?.length ? h("span", { class: "skills" }, m.skills.join(", ")) : null));
  }));
}

function actorName(id) {
  return members.get(id)?.user.display_name || t("Someone");
}

function describe(event) {
  const d = event.data || {};
  const who = actorName(event.actor);
  const cardLink = (title) => h("a", { href: `/cards/${event.card}` }, `« ${title} »`);
  switch (event.kind) {
    case "card.created": return d.title ? [t("{who} published", { who }), " ", cardLink(d.title)] : null;
    case "card.updated": return d.title ? [t("{who} edited", { who }), " ", cardLink(d.title)] : null;
    case "card.moved": return d.title ? [t("{who} moved", { who }), " ", cardLink(d.title)] : null;
    case "comment.created": return d.body ? [t("{who} commented on", { who }), " ", h("a", { href: `/cards/${event.card}#comment-${d.id}` }, t("a card"))] : null;
    case "reaction.added": return d.kind === "tried_it" ? [t("{who} tried a practice", { who }), " ", h("a", { href: `/cards/${event.card}` }, t("(see)"))] : null;
    case "attachment.added": return d.filename ? [t("{who} attached", { who }), " ", h("a", { href: `/cards/${event.card}` }, d.filename)] : null;
    case "member.joined": return [t("{who} joined the collective", { who: d.user?.display_name || who })];
    case "board.created": return [t("{who} created the board", { who }), " ", h("a", { href: `/b/${d.id}` }, `« ${d.name} »`)];
    case "phase.created": return [t("{who} added the phase", { who }), ` « ${d.name} »`];
    default: return null;
  }
}

function addActivity(event, live) {
  const text = describe(event);
  if (!text) return;
  activity.unshift({ event, text });
  activity.splice(15);
  if (live) renderActivity();
}

function renderActivity() {
  const list = document.getElementById("activity");
  list.replaceChildren(...(activity.length
    ? activity.map(({ event, text }) => h("li", {}, avatar({ display_name: actorName(event.actor) }, "small"), h("span", {}, ...text), " ", timeEl(event.at)))
    : [h("li", { class: "empty" }, t("Nothing yet."))]));
}

async function loadActivity() {
  const since = Math.max(0, (collective.seq || 0) - 200);
  try {
    const page = await api("GET", `/collectives/${collective.id}/events?since=${since}&limit=200`);
    page.events.forEach((e) => addActivity(e, false));
    renderActivity();
    return page.seq;
  } catch (error) {
    toast(errorText(error), "error");
    return collective.seq;
  }
}

async function loadPresence() {
  try {
    const found = await api("GET", `/collectives/${collective.id}/presence`);
    online = new Set(found.online.map((u) => u.id));
    renderMembers();
  } catch {
    /* presence is a nicety: the list stays as it is */
  }
}

function show(state) {
  home = state;
  collective = home.collective;
  phases = home.phases;
  boards = home.boards;
  members = new Map(home.members.map((m) => [m.user.id, m]));
  renderTimeline();
  renderBoards();
  renderVotes();
  renderMembers();
  guide.render(collective);
}

function onEvent(event) {
  if (event.kind === "vote.opened" || event.kind === "vote.closed") refreshVotes();
  if (event.kind === "ballot.cast") { // its turnout, in place: a busy vote sends many
    votes = votes.map((v) => (v.id === event.data.vote_id ? { ...v, turnout: event.data.turnout } : v));
    renderVotes();
  }
  const next = applyCollective(home, event, viewer);
  if (next !== home) show(next);
  addActivity(event, true);
}

/** After a drop: the collective's state and its recent activity, fresh from the server. */
async function reconcile() {
  const cid = collective.id;
  const [fresh, freshBoards, freshPhases, freshMembers] = await Promise.all([
    api("GET", `/collectives/${cid}`), api("GET", `/collectives/${cid}/boards`),
    api("GET", `/collectives/${cid}/phases`), api("GET", `/collectives/${cid}/members`),
  ]);
  show({ collective: fresh, boards: freshBoards.boards, phases: freshPhases.phases, members: freshMembers.members });
  activity.splice(0);
  refreshVotes();
  return loadActivity();
}

function formValues(form) {
  const out = {};
  for (const [key, value] of new FormData(form).entries()) out[key] = typeof value === "string" ? value.trim() : value;
  return out;
}

if (isAnimator) {
  const phaseForm = document.getElementById("new-phase");
  phaseForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(phaseForm, async () => {
      const created = await api("POST", `/collectives/${collective.id}/phases`, formValues(phaseForm));
      show(applyCollective(home, { kind: "phase.created", data: created }, viewer));
      phaseForm.reset();
      phaseForm.hidden = true;
      toast(t("Phase added."));
    });
  });
  const boardForm = document.getElementById("new-board");
  boardForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(boardForm, async () => {
      const values = formValues(boardForm);
      values.phase_id = values.phase_id ? Number(values.phase_id) : null;
      const created = await api("POST", `/collectives/${collective.id}/boards`, values);
      location.href = `/b/${created.id}`;
    });
  });
  const inviteForm = document.getElementById("invite");
  inviteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(inviteForm, async () => {
      const values = formValues(inviteForm);
      if (!values.email) delete values.email;
      const created = await api("POST", `/collectives/${collective.id}/invitations`, values);
      document.getElementById("invite-result").hidden = false;
      const url = document.getElementById("invite-url");
      url.value = created.url;
      url.select();
      toast(values.email ? t("Invitation sent by email; the link is below too.") : t("Invitation link created."));
      loadInvitations();
    });
  });
  document.getElementById("copy-invite").addEventListener("click", async () => {
    const url = document.getElementById("invite-url");
    try {
      await navigator.clipboard.writeText(url.value);
      toast(t("Link copied."));
    } catch {
      url.select();
    }
  });
}

// Pending invitations (animators): not accepted, revoked nor expired; each can be revoked.
async function loadInvitations() {
  const list = document.getElementById("invitations");
  if (!list) return;
  const found = await api("GET", `/collectives/${collective.id}/invitations`);
  renderInvitations(found.invitations);
}

function renderInvitations(invitations) {
  const list = document.getElementById("invitations");
  document.getElementById("invitation-count").textContent = invitations.length ? `(${invitations.length})` : "";
  list.replaceChildren(...(invitations.length ? invitations.map((inv) => {
    const who = inv.email || t("Link without an address (shared by hand)");
    const revoke = h("button", {
      type: "button", class: "button small danger", "data-revoke": inv.id,
      "aria-label": t("Revoke the invitation for {who}", { who }),
    }, t("Revoke"));
    revoke.addEventListener("click", async () => {
      revoke.disabled = true;
      try {
        await api("DELETE", `/invitations/${inv.id}`);
        toast(t("Invitation revoked: its link no longer works."));
        await loadInvitations();
      } catch (error) {
        revoke.disabled = false;
        toast(errorText(error), "error");
      }
    });
    return h("li", { class: "invitation", "data-invitation": inv.id },
      h("span", { class: "invitation-who" }, h("strong", {}, who), " · ", t(ROLE[inv.role] || inv.role)),
      h("span", { class: "meta" }, t("invited by {name}, {created}; expires on {expires}", {
        name: inv.created_by.display_name, created: formatDate(inv.created_at), expires: formatDate(inv.expires_at),
      })),
      revoke);
  }) : [h("li", { class: "empty" }, t("No pending invitation."))]));
}

const LEVELS = { reader: N_("reader"), occasional: N_("occasional"), regular: N_("regular"), driving: N_("driving force") };

// A member sees their own figures, never anyone else's.
async function loadMine() {
  const box = document.getElementById("mine");
  if (!box) return;
  try {
    const found = await api("GET", `/collectives/${collective.id}/engagement`);
    const m = found.member;
    if (!m) return;
    const figure = (value, label) => h("div", { class: "figure" }, h("strong", {}, value), h("span", {}, label));
    document.getElementById("mine-figures").replaceChildren(
      figure(t(LEVELS[m.level] || m.level), t("your level")),
      figure(m.contributions, t("contributions in 90 days")),
      figure(m.reactions_received, t("reactions received")),
      figure(m.reactions_given, t("reactions given")));
    box.hidden = false;
  } catch {
    /* the figures are a plus: the page works without them */
  }
}

const guide = guideBlock({
  collective, isAnimator,
  onCollective: (view) => {
    home = { ...home, collective: { ...collective, ...view } };
    collective = home.collective;
  },
});
renderTimeline();
renderBoards();
renderVotes();
loadMine();
renderMembers();
if (isAnimator) loadInvitations().catch(() => { /* the list is a plus: the page works without it */ });
const seq = await loadActivity();
loadPresence();
setInterval(loadPresence, 20000);
new LiveFeed({ collective: collective.id, board: null, seq, onEvent, resync: loadActivity, reconcile });
