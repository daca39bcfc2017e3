// Shared by every page: translations, the JSON API, DOM building, dates, the top bar.

const messages = JSON.parse(document.getElementById("messages")?.textContent || "{}");
export const lang = document.documentElement.lang || "fr";

/** Marks a string for translation where it is defined; t() translates it where it is shown. */
export const N_ = (msgid) => msgid;

/** The translation of `msgid`, with {name} placeholders filled from `params`. */
export function t(msgid, params = {}) {
  const text = typeof messages[msgid] === "string" ? messages[msgid] : msgid;
  return fill(text, params);
}

/** Singular or plural form for `n` (French treats 0 and 1 as singular). */
export function tn(singular, plural, n, params = {}) {
  const forms = messages[singular];
  const one = lang === "fr" ? n <= 1 : n === 1;
  const text = Array.isArray(forms) ? forms[one ? 0 : 1] : one ? singular : plural;
  return fill(text, { n, ...params });
}

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in params ? String(params[key]) : all));
}

export function pageData() {
  return JSON.parse(document.getElementById("page-data")?.textContent || "{}");
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || {};
    this.current = error.current;
    this.mergedInto = error.merged_into_id ?? null; // 410 card_merged: where the card now lives
  }
}

const ERROR_TEXT = {
  bad_credentials: N_("Wrong email or password."),
  email_taken: N_("An account already uses this email."),
  too_many_requests: N_("Too many attempts: wait a moment and try again."),
  not_authenticated: N_("Your session has ended: log in again."),
  csrf_failed: N_("Your session has ended: reload the page."),
  forbidden: N_("Your role does not allow this."),
  not_found: N_("This no longer exists, or is not shared with you."),
  version_conflict: N_("Someone changed this card meanwhile: the latest version is shown."),
  board_locked: N_("This board is locked by the animator."),
  board_archived: N_("This board is archived."),
  payload_too_large: N_("This file is too large."),
  unsupported_file_type: N_("This kind of file is not accepted."),
  empty_file: N_("This file is empty."),
  invitation_used: N_("This invitation has already been used."),
  invitation_expired: N_("This invitation has expired."),
  invitation_revoked: N_("This invitation was withdrawn by the animator."),
  invitation_other_address: N_("This invitation was sent to another email address."),
  email_not_verified: N_("Verify your email address first: open the link we emailed you, then come back to this invitation."),
  email_already_verified: N_("Your email address is already verified."),
  already_member: N_("You are already a member of this collective."),
  last_animator: N_("A collective keeps at least one animator."),
  column_not_empty: N_("Move or delete the cards of this column first."),
  last_column: N_("A board keeps at least one column."),
  search_unavailable: N_("Search is unavailable for a moment."),
  invalid_input: N_("Some fields are not valid."),
  nudged_recently: N_("This member was nudged less than three days ago: give them time to answer."),
  wrong_password: N_("The password is not the right one."),
  last_animator_account: N_("You are the last animator of a collective: appoint another animator first."),
  workshop_frozen: N_("Contributions are frozen by the animator for a moment: nothing can be added or changed."),
  workshop_step: N_("This step of the workshop takes no new cards."),
  workshop_intake: N_("During this step, only the animator moves cards out of the inbox."),
  workshop_running: N_("A workshop is already running on this board."),
  workshop_ended: N_("This workshop has ended."),
  too_many_columns: N_("This board would have too many columns for this method: remove some first."),
};

/** A readable, translated sentence for an API error. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return t("The server cannot be reached. Check your connection.");
  const known = ERROR_TEXT[error.code];
  if (known) return t(known);
  return error.message;
}

function csrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

/** Call the JSON API; throws ApiError on an HTTP error. `signal` (an AbortSignal) cancels a
 * request whose answer is no longer wanted: it throws an AbortError, which says nothing about
 * the connection. */
export async function api(method, path, body, { signal } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal };
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrf();
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, init);
  } catch (error) {
    if (error?.name === "AbortError") throw error; // cancelled here, not lost on the way
    connectionChanged({ server: false }); // no answer at all: the network or the server is gone
    throw error;
  }
  connectionChanged({ server: true });
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

// --- the connection banner -----------------------------------------------------------------
// One discreet banner (a polite live region, #connection) says when changes cannot reach the
// server: the browser is offline (navigator.onLine and its events), a request got no answer,
// or the live feed's socket is down. It clears itself when all is well again.

const link = { browser: navigator.onLine !== false, server: true, socket: "up", restored: false };
let probeTimer = 0;
let restoredTimer = 0;

/** Report a change of the connection: {browser, server, socket: "up"|"down"|"ended"}; the
 * socket coming back up after a drop says « everything is up to date » for a moment, so the
 * live feed reports it only once the page has reconciled with the server. */
export function connectionChanged(change) {
  const wasDown = isDown();
  const before = JSON.stringify(link);
  Object.assign(link, change);
  if (!link.server && !probeTimer) probeTimer = setTimeout(probe, 4000);
  if (wasDown && !isDown() && "socket" in change) link.restored = true;
  if (JSON.stringify(link) !== before) showConnection(); // most calls change nothing
}

function isDown() {
  return !link.browser || !link.server || link.socket !== "up";
}

// After a request got no answer, ask the server now and then until it answers again.
async function probe() {
  probeTimer = 0;
  try {
    const response = await fetch("/api/v1/health", { credentials: "same-origin" });
    if (response.ok || response.status < 500) connectionChanged({ server: true });
    else connectionChanged({ server: false });
  } catch {
    connectionChanged({ server: false });
  }
}

function showConnection() {
  const box = document.getElementById("connection");
  document.body.dataset.network = isDown() ? "offline" : "online";
  if (!box) return;
  let text = null;
  if (!link.browser) text = t("Offline — your changes are not being sent.");
  else if (link.socket === "ended") text = t("Your session has ended: log in again.");
  else if (!link.server) text = t("The server cannot be reached: your changes are not being sent.");
  else if (link.socket === "down") text = t("Offline: reconnecting…");
  clearTimeout(restoredTimer);
  if (text) {
    link.restored = false;
    box.textContent = text;
    box.className = "connection offline";
    box.hidden = false;
    return;
  }
  if (link.restored && link.socket === "up") {
    link.restored = false;
    box.textContent = t("Connection restored: everything is up to date.");
    box.className = "connection ok";
    box.hidden = false;
    restoredTimer = setTimeout(() => (box.hidden = true), 2500);
    return;
  }
  box.hidden = true;
}

window.addEventListener("offline", () => connectionChanged({ browser: false }));
window.addEventListener("online", () => connectionChanged({ browser: true, server: true }));

/** Build an element: h("a", {href, class: "x", onclick}, "text", child…). Text stays text. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function initials(name) {
  return (name || "?").trim().charAt(0).toUpperCase();
}

export function avatar(user, extra = "") {
  if (!user) return h("span", { class: `avatar anonymous ${extra}`, "aria-hidden": "true" }, "?");
  return h("span", { class: `avatar ${extra}`, title: user.display_name, "aria-hidden": "true" },
    initials(user.display_name));
}

/** The author of a card as this viewer may know them: « Anonyme » while a workshop hides
 * them (`author: null`); whoever still sees the author of an anonymous card (animators, the
 * author) reads that the participants do not. */
export function authorLabel(card) {
  if (!card.author) return t("Anonymous");
  if (card.anonymous) return t("{name} (anonymous to participants)", { name: card.author.display_name });
  return card.author.display_name;
}

const dateFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", year: "numeric" });
const timeFormat = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });

export function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : "";
}

/** « il y a 5 minutes », or the date for anything older than a week. */
export function ago(iso) {
  if (!iso) return "";
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return t("just now");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86400) return relative.format(Math.round(seconds / 86400), "day");
  return timeFormat.format(new Date(iso));
}

export function timeEl(iso) {
  return h("time", { datetime: iso, title: iso ? timeFormat.format(new Date(iso)) : "" }, ago(iso));
}

/** A short message at the bottom of the screen, read out by screen readers. Information is
 * polite and goes after 5 s; an error is an alert and stays until it is dismissed, so that
 * someone who looked away (or reads slowly) still learns that something was not saved. */
export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  // The same message twice (a retried move) is shown once, the newest.
  for (const old of box.querySelectorAll(".toast")) {
    if (old.dataset.text === text) old.remove();
  }
  const error = kind === "error";
  const item = h("div", { class: `toast ${kind}`, role: error ? "alert" : "status", dataset: { text } },
    h("span", { class: "toast-text" }, text));
  if (error) {
    const close = h("button", {
      type: "button", class: "toast-close", "aria-label": t("Dismiss this message"), title: t("Dismiss this message"),
    }, "×");
    close.addEventListener("click", () => {
      // Focus was on the button: give it back to the page rather than losing it to <body>.
      if (document.activeElement === close) document.getElementById("main")?.focus();
      item.remove();
    });
    item.append(close);
  } else {
    setTimeout(() => item.remove(), 5000);
  }
  box.append(item);
  // Keep the stack short: the oldest messages go first.
  const all = box.querySelectorAll(".toast");
  for (let i = 0; i < all.length - 3; i += 1) all[i].remove();
}

/** Show an error under a form (and mark invalid fields); clear it with `null`. */
export function formError(form, error) {
  const box = form.querySelector(".form-error");
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  if (!box) return;
  if (!error) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = errorText(error);
  if (error instanceof ApiError) {
    for (const name of Object.keys(error.fields)) {
      const field = form.elements.namedItem(name.split(".")[0]);
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    }
  }
}

/** Show a field's own error right under it, tied to it (aria-invalid, aria-describedby) so a
 * screen reader reads it with the field; clear it with `null`. */
export function fieldError(input, message) {
  const id = `${input.id}-error`;
  const others = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== id);
  let box = document.getElementById(id);
  if (!message) {
    box?.remove();
    input.removeAttribute("aria-invalid");
    if (others.length) input.setAttribute("aria-describedby", others.join(" "));
    else input.removeAttribute("aria-describedby");
    return;
  }
  if (!box) {
    box = h("p", { class: "field-error", id });
    (input.closest(".field") || input.parentElement).append(box);
  }
  box.textContent = message;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", [...others, id].join(" "));
}

/** Disable a form's buttons while `work` runs, and report its error under the form. */
export async function submitting(form, work) {
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((b) => (b.disabled = true));
  formError(form, null);
  try {
    return await work();
  } catch (error) {
    formError(form, error);
    return undefined;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

export function splitList(text) {
  return (text || "").split(",").map((s) => s.trim()).filter(Boolean);
}

export const KIND_LABELS = {
  idea: N_("Idea"),
  practice: N_("Practice"),
  document: N_("Document"),
  question: N_("Question"),
  experiment: N_("Experiment"),
  resource: N_("Resource"),
  decision: N_("Decision"),
};

export function kindLabel(kind) {
  return t(KIND_LABELS[kind] || kind);
}

export const REACTIONS = [
  { kind: "useful", label: N_("Useful"), icon: "star" },
  { kind: "plus_one", label: N_("+1"), icon: "plus" },
  { kind: "tried_it", label: N_("I tried it"), icon: "check" },
];

const ICONS = {
  star: "M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z",
  plus: "M12 5v14M5 12h14",
  check: "M5 12.5l4.5 4.5L19 7.5",
  comment: "M4 5h16v11H9l-5 4z",
  clip: "M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.6-5.6L5.8 11.6a6 6 0 0 0 8.5 8.5L20 14.4",
  move: "M7 4L3 8l4 4M3 8h13M17 12l4 4-4 4M21 16H8",
  play: "M8 5v14l11-7z",
  pause: "M8 5v14M16 5v14",
  next: "M6 5l8 7-8 7M18 5v14",
  previous: "M18 5l-8 7 8 7M6 5v14",
  snow: "M12 3v18M4.2 7.5l15.6 9M4.2 16.5l15.6-9M9.5 4.5 12 7l2.5-2.5M9.5 19.5 12 17l2.5 2.5",
  stop: "M6 6h12v12H6z",
  focus: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8M12 2v3M12 19v3M2 12h3M19 12h3",
  chevron: "M6 9l6 6 6-6",
};

/** A small line icon (decorative: the text next to it says what it means). */
export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `icon icon-${name}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name] || "");
  svg.append(path);
  return svg;
}

export function reactionLabel(kind) {
  const found = REACTIONS.find((r) => r.kind === kind);
  return found ? t(found.label) : kind;
}

// Toggle buttons: <button data-toggle="id" aria-controls="id"> shows and hides a panel.
function initToggles() {
  document.querySelectorAll("[data-toggle]").forEach((button) => {
    const target = document.getElementById(button.dataset.toggle);
    if (!target) return;
    button.addEventListener("click", () => {
      target.hidden = !target.hidden;
      button.setAttribute("aria-expanded", String(!target.hidden));
      if (!target.hidden) target.querySelector("input, select, textarea")?.focus();
    });
  });
}

// The search box of the top bar: results as you type, arrow keys to pick, Enter to open.
function initTopSearch() {
  const input = document.getElementById("topsearch-input");
  const list = document.getElementById("topsearch-results");
  if (!input || !list) return;
  let timer = 0;
  let asked = 0;
  let active = -1;
  const options = () => [...list.querySelectorAll("[role=option]")];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    const all = options();
    all.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (all[index]) input.setAttribute("aria-activedescendant", all[index].id);
  };
  const run = async () => {
    const q = input.value.trim();
    if (q.length < 2) return close();
    const ticket = ++asked;
    let found;
    try {
      found = await api("GET", `/search?q=${encodeURIComponent(q)}&limit=8`);
    } catch (error) {
      if (ticket !== asked) return;
      list.replaceChildren(h("li", { class: "empty" }, errorText(error)));
      list.hidden = false;
      return;
    }
    if (ticket !== asked) return; // an older answer arriving late
    list.replaceChildren();
    if (!found.hits.length) list.append(h("li", { class: "empty" }, t("Nothing found")));
    found.hits.forEach((hit, i) => list.append(resultOption(hit, i)));
    if (found.total > found.hits.length) {
      list.append(h("li", { class: "more" },
        h("a", { href: `/search?q=${encodeURIComponent(q)}` }, tn("See the {n} result", "See all {n} results", found.total))));
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  input.addEventListener("keydown", (event) => {
    const all = options();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      highlight((active + 1) % all.length);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      highlight((active - 1 + all.length) % all.length);
    } else if (event.key === "Enter" && active >= 0 && all[active]) {
      event.preventDefault();
      location.href = all[active].dataset.href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 200));
  input.addEventListener("focus", () => {
    if (list.children.length && input.value.trim().length >= 2) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
}

export function hitHref(hit) {
  return `/cards/${hit.card_id}${hit.type === "comment" ? `#comment-${hit.id}` : ""}`;
}

const HIT_TYPES = { card: N_("card"), comment: N_("comment"), attachment: N_("attached file") };

function resultOption(hit, index) {
  const snippet = h("span", { class: "hit-snippet" });
  snippet.innerHTML = hit.snippet || ""; // escaped by the server, with <mark> around matches
  const option = h("li", { role: "option", id: `topsearch-${index}`, "aria-selected": "false", dataset: { href: hitHref(hit) } },
    h("a", { href: hitHref(hit), tabindex: "-1" },
      h("span", { class: "hit-title" }, hit.title),
      h("span", { class: "hit-type" }, t(HIT_TYPES[hit.type] || hit.type)),
      snippet));
  option.addEventListener("mousedown", (event) => {
    event.preventDefault();
    location.href = option.dataset.href;
  });
  return option;
}

function initLogout() {
  document.getElementById("logout")?.addEventListener("click", async () => {
    try {
      await api("POST", "/auth/logout");
    } finally {
      location.href = "/login";
    }
  });
}

// Notifications (nudges, welcomes, comments, mentions, reminders…): a count on the bell, the
// list under it, one per thread as the server groups them (each opens what it is about), those
// shown marked read on opening. The count changes at once on pages with a live feed (live.js
// dispatches « essaim:notifications »); elsewhere, and as a safety net, it is polled.

const NOTIFICATION_KINDS = {
  comment: N_("Comments"),
  answer: N_("Answer"),
  mention: N_("Mention"),
  reaction: N_("Reactions"),
  nudge: N_("Animator’s message"),
  welcome: N_("Welcome message"),
  vote: N_("Vote"),
  meeting: N_("Meeting"),
  action_due: N_("Due date"),
  invitation: N_("Invitation accepted"),
  flag: N_("Report to review"),
};
const POLL_MS = 30000;
// With a live feed up, the count arrives by itself: polling only now and then catches a lost one.
const LIVE_POLL_MS = 120000;

/** A notification's title in the page's language (the server gives the English one aside). */
export function notificationTitle(n) {
  if (lang === "en" && typeof n.data?.title_en === "string") return n.data.title_en;
  // French quotes hold to their words: a line never starts with « » » nor ends with « « ».
  return lang === "fr" ? n.title.replace(/« /g, "«\u202f").replace(/ »/g, "\u202f»") : n.title;
}

// Only a path of this site is followed (never another origin).
function notificationLink(n) {
  const url = n.data?.url;
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

function notificationItem(n) {
  const title = notificationTitle(n);
  const label = NOTIFICATION_KINDS[n.kind];
  return h("li", { class: `notification kind-${n.kind}${n.read_at ? "" : " unread"}`, dataset: { kind: n.kind } },
    h("span", { class: "notification-kind" }, label ? t(label) : n.kind,
      n.read_at ? null : h("span", { class: "visually-hidden" }, ` (${t("unread")})`)),
    notificationLink(n) ? h("a", { href: notificationLink(n) }, h("strong", {}, title)) : h("strong", {}, title),
    n.body ? h("p", {}, n.body) : null, timeEl(n.created_at));
}

async function initNotifications() {
  const bell = document.getElementById("bell");
  if (!bell) return;
  const panel = document.getElementById("notification-panel");
  const list = document.getElementById("notification-list");
  const count = document.getElementById("bell-count");
  const readAll = document.getElementById("notifications-read-all");
  let items = [];
  let asked = 0;
  let lastRefresh = 0;
  const showCount = (n) => {
    count.hidden = !n;
    count.textContent = n > 99 ? "99+" : String(n);
    bell.setAttribute("aria-label", n
      ? tn("Notifications: {n} unread", "Notifications: {n} unread", n)
      : t("Notifications"));
    readAll.hidden = !n;
  };
  const render = () => {
    list.replaceChildren(...(items.length ? items.map(notificationItem) : [h("li", { class: "empty" }, t("Nothing new."))]));
  };
  const refresh = async () => {
    const ticket = ++asked;
    lastRefresh = Date.now();
    try {
      const found = await api("GET", "/notifications?limit=20");
      if (ticket !== asked) return; // an older answer arriving late
      items = found.notifications;
      showCount(found.unread);
      if (!panel.hidden) render();
    } catch {
      /* not essential: try again later */
    }
  };
  const open = async () => {
    panel.hidden = false;
    bell.setAttribute("aria-expanded", "true");
    render();
    await refresh(); // what is shown is what the server has now
    const shown = items.filter((n) => !n.read_at).map((n) => n.id);
    if (!shown.length) return;
    // Read from now on; they stay highlighted while the panel is open.
    await api("POST", "/notifications/read", { ids: shown }).then((answer) => showCount(answer.unread)).catch(() => {});
  };
  const close = () => {
    panel.hidden = true;
    bell.setAttribute("aria-expanded", "false");
  };
  bell.addEventListener("click", () => (panel.hidden ? open() : close()));
  readAll.addEventListener("click", async () => {
    try {
      const answer = await api("POST", "/notifications/read", { all: true });
      showCount(answer.unread);
      await refresh();
      bell.focus(); // the button is gone: focus goes back to the bell rather than <body>
    } catch (error) {
      toast(errorText(error), "error");
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      close();
      bell.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !bell.contains(event.target)) close();
  });
  document.addEventListener("essaim:notifications", (event) => {
    const n = event.detail?.unread;
    if (!Number.isInteger(n)) return;
    showCount(n);
    lastRefresh = Date.now(); // the list itself is read again when the panel opens
    if (!panel.hidden) refresh();
  });
  document.addEventListener("essaim:live", (event) => {
    if (event.detail?.online) refresh();
  });
  await refresh();
  setInterval(() => {
    const live = document.body.dataset.live === "online";
    if (live && Date.now() - lastRefresh < LIVE_POLL_MS) return;
    refresh();
  }, POLL_MS);
}

initToggles();
initTopSearch();
initLogout();
initNotifications();

/** A « send the link again » button: asks for a new verification email, says how it went. */
export function resendsVerification(button) {
  button?.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", "/auth/verify-email");
      toast(t("A new link is on its way."));
    } catch (error) {
      toast(errorText(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}
