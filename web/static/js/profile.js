// One's account (name, language), one's business in each collective, how notifications reach
// one, one's calendar feed and one's data.

import {
  ApiError, N_, api, errorText, fieldError, formError, h, lang, resendsVerification, splitList, submitting, t, toast,
} from "./common.js";

const me = document.getElementById("profile-form");
me.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(me, async () => {
    const before = document.documentElement.lang;
    const saved = await api("PATCH", "/me", {
      display_name: me.elements.display_name.value.trim(),
      language: me.elements.language.value,
    });
    if (saved.user.language !== before) location.reload();
    else toast(t("Saved."));
  });
});

document.querySelectorAll(".membership-form").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const userId = Number(document.body.dataset.me);
      await api("PATCH", `/collectives/${form.dataset.collective}/members/${userId}`, {
        organisation: form.elements.organisation.value.trim(),
        trade: form.elements.trade.value.trim(),
        skills: splitList(form.elements.skills.value),
      });
      toast(t("Saved."));
    });
  });
});

// My data: deleting the account asks for the password (the server checks it), then the
// session is gone, so the person lands on the login page.
const deletion = document.getElementById("delete-account");
deletion?.addEventListener("submit", (event) => {
  event.preventDefault();
  const password = deletion.elements.password;
  fieldError(password, null);
  if (!password.value) {
    fieldError(password, t("Type your password to confirm."));
    password.focus();
    return;
  }
  submitting(deletion, async () => {
    if (!window.confirm(t("Delete your account for good?"))) return;
    try {
      await api("DELETE", "/me", {
        password: password.value,
        erase_contributions: deletion.elements.erase_contributions.checked,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "wrong_password") throw error;
      // Said under the password field, where the person types it again.
      formError(deletion, null);
      fieldError(password, errorText(error));
      password.select();
      password.focus();
      return;
    }
    location.href = "/login?deleted=1";
  });
});

// My calendar: a secret feed URL, turned on, renewed or off by its person.
const calendarBox = document.getElementById("my-calendar");
function showCalendar(url) {
  document.getElementById("calendar-on").hidden = !url;
  document.getElementById("calendar-off-state").hidden = Boolean(url);
  document.getElementById("calendar-url").value = url || "";
}
async function calendarAction(method, message) {
  formError(calendarBox, null);
  try {
    const answer = await api(method, "/me/calendar");
    showCalendar(answer ? answer.calendar_url : null);
    document.getElementById("calendar-status").textContent = message;
    toast(message);
  } catch (error) {
    formError(calendarBox, error);
  }
}
if (calendarBox) {
  api("GET", "/me").then((answer) => showCalendar(answer.calendar_url)).catch(() => {});
  document.getElementById("calendar-turn-on").addEventListener("click", () => calendarAction("POST", t("Your calendar is on.")));
  document.getElementById("calendar-renew").addEventListener("click", () => calendarAction("POST", t("Your calendar has a new address.")));
  document.getElementById("calendar-off").addEventListener("click", () => calendarAction("DELETE", t("Your calendar is off.")));
  document.getElementById("calendar-copy").addEventListener("click", async () => {
    const field = document.getElementById("calendar-url");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      toast(t("Address copied."));
    } catch {
      toast(t("Select the address and copy it."));
    }
  });
}

// --- notifications ---------------------------------------------------------------------
// One select per kind and collective (animators' kinds where one animates), a shortcut for
// every collective at once, quiet hours. Saving sends only what differs from what the server
// last answered; a form edited while a save is on its way is left as the person has it.

const DELIVERIES = {
  immediate: N_("Right away by email"),
  daily: N_("In the daily digest"),
  weekly: N_("In the weekly digest"),
  app: N_("In the application only"),
  never: N_("Never"),
};
// The server labels the kinds in French; the English ones are here, by kind.
const NOTIFY_KINDS = {
  comment: N_("A comment on my card or on a card I commented on"),
  answer: N_("An answer to my question"),
  mention: N_("Someone mentions me (@First Last)"),
  reaction: N_("Reactions to my card"),
  nudge: N_("A message from the animator"),
  welcome: N_("The animator’s welcome message"),
  vote: N_("A vote opened or closed"),
  meeting: N_("A meeting scheduled"),
  action_due: N_("An action of my plan falls due"),
  invitation: N_("An invitation accepted"),
  flag: N_("A report to review"),
};
const ROLES = { animator: N_("animator"), member: N_("member"), observer: N_("observer") };

const prefsForm = document.getElementById("notification-form");
const prefsBox = document.getElementById("np-collectives");
const prefsStatus = document.getElementById("np-status");
const quiet = {
  on: document.getElementById("np-quiet-on"),
  start: document.getElementById("np-quiet-start"),
  end: document.getElementById("np-quiet-end"),
};
let prefs = null; // the preferences as the server last answered them

function notifyKindLabel(kind) {
  if (lang === "fr" || !NOTIFY_KINDS[kind.name]) return kind.label.replace(/'/g, "’");
  return t(NOTIFY_KINDS[kind.name]);
}

function deliverySelect(id, kind, value, extra = null) {
  const select = h("select", { id, dataset: { kind: kind.name } },
    extra ? h("option", { value: "" }, extra) : null,
    kind.choices.map((choice) => h("option", { value: choice, selected: choice === value }, t(DELIVERIES[choice] || choice))));
  select.value = value;
  return select;
}

function prefRow(id, kind, select) {
  return h("div", { class: "field np-row" }, h("label", { for: id }, notifyKindLabel(kind)), select);
}

const collectiveSelects = (kind) => [...prefsBox.querySelectorAll(`select[data-collective][data-kind="${kind}"]`)];

// The shortcut shows the setting all collectives share, else « depends on the collective ».
function syncShortcut() {
  prefsBox.querySelectorAll("select[data-all]").forEach((select) => {
    const values = new Set(collectiveSelects(select.dataset.kind).map((s) => s.value));
    select.value = values.size === 1 ? [...values][0] : "";
  });
}

function renderPrefs(view) {
  const focused = document.activeElement?.id;
  const kinds = new Map(view.kinds.map((k) => [k.name, k]));
  const groups = [];
  if (view.collectives.length > 1) {
    const offered = view.kinds.filter((k) => view.collectives.some((c) => c.kinds.includes(k.name)));
    groups.push(h("fieldset", { class: "np-group np-all" },
      h("legend", {}, t("For all my collectives")),
      h("p", { class: "help" }, t("A choice made here applies to each of your collectives; each can still be set below.")),
      offered.map((kind) => {
        const id = `np-all-${kind.name}`;
        const select = deliverySelect(id, kind, "", t("Depends on the collective"));
        select.dataset.all = "on";
        select.addEventListener("change", () => {
          if (!select.value) return syncShortcut();
          collectiveSelects(kind.name).forEach((s) => (s.value = select.value));
          return undefined;
        });
        return prefRow(id, kind, select);
      })));
  }
  for (const c of view.collectives) {
    groups.push(h("fieldset", { class: "np-group", dataset: { collective: c.collective_id } },
      h("legend", {}, c.name, c.role === "animator" ? h("span", { class: "badge role-animator" }, t(ROLES.animator)) : null),
      c.kinds.filter((name) => kinds.has(name)).map((name) => {
        const id = `np-${c.collective_id}-${name}`;
        const select = deliverySelect(id, kinds.get(name), c.preferences[name]);
        select.dataset.collective = String(c.collective_id);
        select.addEventListener("change", syncShortcut);
        return prefRow(id, kinds.get(name), select);
      })));
  }
  if (!view.collectives.length) groups.push(h("p", { class: "meta" }, t("You are not in any collective yet: your quiet hours apply once you are.")));
  prefsBox.replaceChildren(...groups);
  syncShortcut();
  quiet.on.checked = Boolean(view.quiet_hours);
  quiet.start.value = view.quiet_hours?.start || quiet.start.value || "22:00";
  quiet.end.value = view.quiet_hours?.end || quiet.end.value || "07:00";
  showQuiet();
  if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
}

function showQuiet() {
  quiet.start.disabled = quiet.end.disabled = !quiet.on.checked;
}

/** What the form says now: kind → value per collective, and the quiet hours. */
function readPrefs() {
  const collectives = {};
  prefsBox.querySelectorAll("select[data-collective]").forEach((s) => {
    (collectives[s.dataset.collective] ||= {})[s.dataset.kind] = s.value;
  });
  const hours = quiet.on.checked ? { start: quiet.start.value, end: quiet.end.value } : null;
  return { collectives, quiet_hours: hours };
}

/** The PUT body of what differs from the server's answer: a kind set alike in several
 * collectives goes once in `all`; `sent` lists the collectives in the order they are sent. */
function prefsChanges(now) {
  const body = {};
  const all = {};
  const changed = (c, kind) => now.collectives[c.collective_id]?.[kind] !== undefined && now.collectives[c.collective_id][kind] !== c.preferences[kind];
  for (const kind of prefs.kinds.map((k) => k.name)) {
    const holders = prefs.collectives.filter((c) => c.kinds.includes(kind));
    const values = new Set(holders.map((c) => now.collectives[c.collective_id]?.[kind]));
    if (holders.length > 1 && values.size === 1 && holders.filter((c) => changed(c, kind)).length > 1) all[kind] = [...values][0];
  }
  if (Object.keys(all).length) body.all = all;
  const sent = [];
  for (const c of prefs.collectives) {
    const mine = {};
    for (const kind of c.kinds) if (changed(c, kind) && !(kind in all)) mine[kind] = now.collectives[c.collective_id][kind];
    if (Object.keys(mine).length) sent.push({ collective_id: c.collective_id, preferences: mine });
  }
  if (sent.length) body.collectives = sent;
  const before = prefs.quiet_hours;
  const after = now.quiet_hours;
  if (Boolean(before) !== Boolean(after) || (after && (after.start !== before.start || after.end !== before.end))) body.quiet_hours = after;
  return body;
}

// The server names a field by its place in the body: « quiet_hours.end »,
// « collectives.0.reaction » (« collectives.0.preferences.reaction » for a malformed value), « all.comment ».
function fieldOf(name, body) {
  const parts = name.split(".");
  if (parts[0] === "quiet_hours") return parts[1] === "start" ? quiet.start : quiet.end;
  const kind = parts[parts.length - 1];
  if (parts[0] === "all") return document.getElementById(`np-all-${kind}`) || collectiveSelects(kind)[0] || null;
  if (parts[0] === "collectives") {
    const entry = body.collectives?.[Number(parts[1])];
    return entry ? document.getElementById(`np-${entry.collective_id}-${kind}`) : null;
  }
  return null;
}

function fieldMessage(input, message) {
  if (input === quiet.start || input === quiet.end) {
    return /same/.test(message) ? t("The quiet hours must end at another time than they start.") : t("Give a time such as 22:00.");
  }
  return t("This choice is not offered for this kind of notification.");
}

function clearPrefErrors() {
  prefsForm.querySelectorAll(".field-error").forEach((box) => {
    const input = document.getElementById(box.id.replace(/-error$/, ""));
    if (input) fieldError(input, null);
    else box.remove();
  });
}

async function loadPrefs() {
  try {
    prefs = await api("GET", "/me/notification-preferences");
    renderPrefs(prefs);
  } catch (error) {
    prefsBox.replaceChildren(h("p", { class: "form-error" }, errorText(error)));
  }
}

if (prefsForm) {
  quiet.on.addEventListener("change", showQuiet);
  prefsForm.addEventListener("input", () => (prefsStatus.textContent = ""));
  prefsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!prefs) return;
    clearPrefErrors();
    prefsStatus.textContent = "";
    const now = readPrefs();
    const body = prefsChanges(now);
    if (!Object.keys(body).length) {
      prefsStatus.textContent = t("Nothing changed since the last save.");
      return;
    }
    submitting(prefsForm, async () => {
      let answer;
      try {
        answer = await api("PUT", "/me/notification-preferences", body);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== "invalid_input") throw error;
        formError(prefsForm, error);
        let first = null;
        for (const [name, message] of Object.entries(error.fields)) {
          const input = fieldOf(name, body);
          if (!input) continue;
          fieldError(input, fieldMessage(input, String(message)));
          first ||= input;
        }
        first?.focus();
        return;
      }
      prefs = answer;
      // Changed again while the answer was on its way: the form stays as the person has it.
      if (JSON.stringify(readPrefs()) === JSON.stringify(now)) renderPrefs(answer);
      prefsStatus.textContent = t("Preferences saved.");
    });
  });
  loadPrefs();
}

// The address is not verified yet: send the link again.
resendsVerification(document.getElementById("resend-verification"));
