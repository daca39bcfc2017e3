// The live workshop of a board (atelier en direct): a bar everyone sees while it runs — the
// step and its instructions, a timer kept by the server, whether contributions are frozen or
// anonymous — with the animator's controls, the card in focus, and once it ends the link to
// the workshop's page. The server's workshop view (W) arrives over HTTP and as workshop.*
// events; the bar only shows it and asks the server for every change.

import { api, errorText, h, icon, t, tn, toast } from "./common.js";

const TICK_MS = 250;
const OFFSET_WINDOW_MS = 10 * 60 * 1000;

/** The server's clock as this page estimates it from the `server_now` of the views it got.
 * A view is written before it travels, so each sample is at most the real offset: the largest
 * recent one is the best (an old event replayed after a reconnect gives a smaller one). */
export class ServerClock {
  constructor() {
    this.samples = [];
  }

  sample(iso) {
    const at = Date.now();
    const offset = Date.parse(iso) - at;
    if (Number.isNaN(offset)) return;
    this.samples = this.samples.filter((s) => at - s.at < OFFSET_WINDOW_MS);
    this.samples.push({ at, offset });
  }

  now() {
    if (!this.samples.length) return Date.now();
    return Date.now() + Math.max(...this.samples.map((s) => s.offset));
  }
}

/** Seconds left on the step's timer at `serverNow` (ms): `ends_at` counts while it runs. */
export function secondsLeft(workshop, serverNow) {
  const timer = workshop.timer;
  if (timer.state === "running" && timer.ends_at) return Math.max(0, (Date.parse(timer.ends_at) - serverNow) / 1000);
  return Math.max(0, timer.remaining_s);
}

/** mm:ss, rounded up: the last second shows 00:01 until it is over. */
export function clockText(seconds) {
  const whole = Math.ceil(seconds);
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

export class WorkshopBar {
  /**
   * @param {object} options boardId, collectiveId, role ("animator"|"member"|"observer"),
   *   cardTitle(id) → title or null, onChange() (re-render the cards: the focus changed, or
   *   whether a workshop runs), openVote() (the board's vote dialog), confirmEnd(workshop) →
   *   Promise<boolean>
   */
  constructor(options) {
    this.options = options;
    this.animator = options.role === "animator";
    this.workshop = null; // the running one
    this.ended = null; // the one that just ended, until dismissed
    this.votes = []; // open votes on this board
    this.open = false; // the details, on a phone
    this.clock = new ServerClock();
    this.joined = new Set();
    this.root = document.getElementById("workshop-bar");
    this.status = document.getElementById("workshop-status");
    this.timerText = "";
    this.overAnnounced = false;
    setInterval(() => this.tick(), TICK_MS);
    // The bar sticks under the top bar, whose height depends on the width (it wraps on a phone).
    const topbar = document.querySelector(".topbar");
    if (topbar && "ResizeObserver" in window) {
      new ResizeObserver(() => document.documentElement.style.setProperty("--topbar-h", `${topbar.offsetHeight}px`))
        .observe(topbar);
    }
  }

  /** The running workshop from the server (at load and after a reconnect). */
  async load() {
    const [{ workshop }] = await Promise.all([
      api("GET", `/boards/${this.options.boardId}/workshop`),
      this.loadVotes(),
    ]);
    this.set(workshop, { quiet: true });
    if (workshop) this.join(workshop);
  }

  async loadVotes() {
    try {
      const { votes } = await api("GET", `/collectives/${this.options.collectiveId}/votes`);
      this.votes = votes.filter((v) => v.board_id === this.options.boardId && v.status === "open");
    } catch {
      this.votes = []; // the link to a vote is a convenience: the board works without it
    }
    this.render();
  }

  /** Members and animators who open the board while a workshop runs are its participants. */
  async join(workshop) {
    if (this.options.role === "observer" || workshop.status !== "running" || this.joined.has(workshop.id)) return;
    this.joined.add(workshop.id);
    try {
      this.set(await api("POST", `/workshops/${workshop.id}/join`), { quiet: true });
    } catch {
      this.joined.delete(workshop.id); // tried again at the next load
    }
  }

  /** An event of the live feed: true when it was the bar's. */
  onEvent(message) {
    const d = message.data || {};
    if (message.kind === "vote.opened" || message.kind === "vote.closed") {
      if (d.board_id === this.options.boardId) this.loadVotes();
      return false;
    }
    if (!message.kind.startsWith("workshop.") || d.board_id !== this.options.boardId) return false;
    if (message.kind === "workshop.started") this.join(d);
    // The end, once more (the animator's own answer came first): the summary, quietly.
    this.set(d, { quiet: this.ended?.id === d.id });
    return true;
  }

  /** A view of the shown workshop written before the one shown (an event overtaken by the
   * answer to the same change, an answer overtaken by a later event): nothing to take. */
  older(view) {
    const shown = this.workshop;
    return Boolean(shown && view && shown.id === view.id && view.status === "running"
      && Date.parse(view.server_now) < Date.parse(shown.server_now));
  }

  focusedCardId() {
    return this.workshop?.focus_card_id ?? null;
  }

  running() {
    return this.workshop !== null;
  }

  /** Take a workshop view (or null: none runs) and say what changed. */
  set(view, { quiet = false } = {}) {
    const before = this.workshop;
    if (view) this.clock.sample(view.server_now);
    if (this.older(view)) return;
    if (view && view.status === "ended") {
      if (before && before.id !== view.id) return; // another board's, or an old one
      this.workshop = null;
      this.ended = view;
      if (!quiet) this.announce(t("The workshop is over."));
    } else {
      this.workshop = view;
      if (view) this.ended = null;
    }
    if (!quiet) this.announceChanges(before, this.workshop);
    if (before?.step_index !== this.workshop?.step_index || before?.id !== this.workshop?.id) this.overAnnounced = false;
    this.render();
    const focusBefore = before?.focus_card_id ?? null;
    const focusNow = this.focusedCardId();
    if (Boolean(before) !== Boolean(this.workshop) || focusBefore !== focusNow) this.options.onChange();
    if (focusNow !== null && focusNow !== focusBefore) this.showFocus(focusNow, quiet);
  }

  announceChanges(before, now) {
    if (!now) return;
    const step = t("Step {n} of {total}: {title}", { n: now.step_index + 1, total: now.steps.length, title: now.step.title });
    if (!before || before.id !== now.id) {
      this.announce(t("A workshop starts: {title}.", { title: now.title }) + " " + step);
      return;
    }
    const said = [];
    if (before.step_index !== now.step_index) said.push(step);
    else if (before.timer.state !== now.timer.state) {
      if (now.timer.state === "running") said.push(t("The timer is running."));
      else if (now.timer.state === "paused") said.push(t("The timer is paused."));
      else said.push(t("The timer is reset."));
    } else if (now.timer.duration_s > before.timer.duration_s) said.push(t("One more minute."));
    if (before.frozen !== now.frozen) said.push(now.frozen ? t("Contributions are frozen.") : t("Contributions are open again."));
    if (before.focus_card_id !== null && now.focus_card_id === null) said.push(t("No card in focus any more."));
    if (said.length) this.announce(said.join(" "));
  }

  announce(text) {
    if (!this.status) return;
    this.status.textContent = "";
    setTimeout(() => (this.status.textContent = text), 30);
  }

  /** Bring the card in focus into view on every screen, and say which it is. */
  showFocus(cardId, quiet) {
    const tile = document.querySelector(`.card[data-id="${cardId}"]`);
    // Its column's start (the board snaps to columns), and the card halfway down the screen.
    if (tile) tile.scrollIntoView({ block: "center", inline: "start", behavior: reducedMotion() ? "auto" : "smooth" });
    const title = this.options.cardTitle(cardId);
    if (!quiet && title) this.announce(t("Card in focus: « {title} ».", { title }));
  }

  // --- the animator's controls ----------------------------------------------------------------

  async act(path, body) {
    const id = this.workshop?.id;
    if (!id) return;
    try {
      this.set(await api("POST", `/workshops/${id}/${path}`, body));
    } catch (error) {
      toast(errorText(error), "error");
    }
  }

  focusCard(cardId) {
    return this.act("focus", { card_id: cardId });
  }

  async end() {
    const workshop = this.workshop;
    if (!workshop || !(await this.options.confirmEnd(workshop))) return;
    await this.act("end");
    this.root.querySelector("#wb-report")?.focus();
  }

  /** The « Focus » action of a card tile: for animators while a workshop runs. */
  cardAction(card) {
    if (!this.animator || !this.workshop || card.moderation === "hidden") return null;
    const on = this.focusedCardId() === card.id;
    return h("button", {
      type: "button", class: `button small card-focus${on ? " on" : ""}`, "aria-pressed": String(on),
      onclick: () => this.focusCard(on ? null : card.id),
    }, icon("focus"), h("span", {}, t("Focus")), h("span", { class: "visually-hidden" }, ` — ${card.title}`));
  }

  // --- showing ------------------------------------------------------------------------------

  tick() {
    const w = this.workshop;
    if (!w) return;
    const left = secondsLeft(w, this.clock.now());
    const text = clockText(left);
    if (text === this.timerText) return;
    this.timerText = text;
    const digits = this.root.querySelector(".wb-digits");
    if (digits) digits.textContent = text;
    const over = left <= 0;
    this.root.classList.toggle("is-over", over);
    const state = this.root.querySelector(".wb-timer-state");
    if (state) state.textContent = this.timerState(w, over);
    if (over && w.timer.state === "running" && !this.overAnnounced) {
      this.overAnnounced = true;
      this.announce(t("Time is up."));
    }
  }

  timerState(w, over) {
    if (over) return t("Time is up");
    if (w.timer.state === "paused") return t("Paused");
    if (w.timer.state === "idle") return t("Not started");
    return t("Time left");
  }

  render() {
    const active = document.activeElement?.closest?.("#workshop-bar [data-action]")?.dataset.action;
    if (this.workshop) this.renderRunning(this.workshop);
    else if (this.ended) this.renderEnded(this.ended);
    else {
      this.root.hidden = true;
      this.root.replaceChildren();
    }
    if (active) this.root.querySelector(`[data-action="${active}"]:not(:disabled)`)?.focus();
  }

  button(action, label, iconName, onclick, extra = {}) {
    return h("button", {
      type: "button", class: `button small wb-button ${extra.class || ""}`, dataset: { action }, onclick,
      disabled: extra.disabled || null, "aria-pressed": extra.pressed, title: extra.short ? label : null,
    }, iconName ? icon(iconName) : null, h("span", { class: extra.short ? "wb-label" : "" }, label));
  }

  renderRunning(w) {
    const left = secondsLeft(w, this.clock.now());
    const over = left <= 0;
    this.timerText = clockText(left);
    const last = w.step_index >= w.steps.length - 1;
    const runningTimer = w.timer.state === "running";
    const step = w.step;
    const notes = [];
    if (step.anonymous) notes.push(h("li", { class: "wb-note" }, t("Authors are hidden during this step.")));
    if (step.intake) notes.push(h("li", { class: "wb-note" }, t("New cards go to the inbox; the animator sorts them out.")));
    if (!step.cards) notes.push(h("li", { class: "wb-note" }, t("No new cards during this step.")));
    if (step.vote) notes.push(h("li", { class: "wb-note" }, t("A voting step.")));
    const vote = this.votes[0];
    const controls = this.animator ? h("div", { class: "wb-controls", role: "group", "aria-label": t("Run the workshop") },
      this.button("previous", t("Previous step"), "previous", () => this.act("step", { index: w.step_index - 1 }), { disabled: w.step_index === 0 }),
      this.button("next", t("Next step"), "next", () => this.act("step", { index: w.step_index + 1 }), { disabled: last }),
      this.button("minute", t("+1 min"), null, () => this.act("timer", { action: "add_minute" })),
      this.button("freeze", w.frozen ? t("Unfreeze contributions") : t("Freeze contributions"), "snow",
        () => this.act("freeze", { frozen: !w.frozen })),
      w.focus_card_id !== null ? this.button("unfocus", t("Clear the focus"), "focus", () => this.focusCard(null)) : null,
      step.vote ? this.button("vote", t("Open a vote"), null, () => this.options.openVote()) : null,
      this.button("end", t("End the workshop"), "stop", () => this.end(), { class: "danger" })) : null;
    this.root.className = `workshop-bar${w.frozen ? " is-frozen" : ""}${over ? " is-over" : ""}${this.open ? " is-open" : ""}`;
    this.root.hidden = false;
    this.root.replaceChildren(...[
      h("div", { class: "wb-line" },
        h("div", { class: "wb-step" },
          h("p", { class: "wb-eyebrow" }, h("span", { class: "wb-live" }, t("Live workshop"), " · "),
            t("Step {n} of {total}", { n: w.step_index + 1, total: w.steps.length })),
          h("h2", { class: "wb-title", id: "wb-title" }, step.title)),
        h("div", { class: "wb-clock" },
          h("div", { class: "wb-digits", role: "timer", "aria-label": t("Time left for this step") }, this.timerText),
          h("div", { class: "wb-timer-state" }, this.timerState(w, over))),
        this.animator ? this.button("timer", runningTimer ? t("Pause") : t("Start"), runningTimer ? "pause" : "play",
          () => this.act("timer", { action: runningTimer ? "pause" : "start" }), { class: "primary wb-main", short: true }) : null,
        h("button", {
          type: "button", class: "button small wb-toggle", "aria-expanded": String(this.open), "aria-controls": "wb-details",
          dataset: { action: "toggle" }, onclick: () => {
            this.open = !this.open;
            this.render();
          },
        }, icon("chevron"), h("span", { class: "wb-label" }, this.open ? t("Fewer details") : t("More details")))),
      w.frozen ? h("p", { class: "wb-frozen" }, icon("snow"), t("Contributions frozen")) : null,
      vote ? h("p", { class: "wb-vote" }, h("a", { class: "button small primary", href: `/v/${vote.id}` },
        t("Vote: {title}", { title: vote.title }))) : null,
      h("div", { class: "wb-details", id: "wb-details" },
        h("div", { class: "wb-about" },
          step.instructions ? h("p", { class: "wb-instructions" }, step.instructions) : null,
          notes.length ? h("ul", { class: "wb-notes" }, notes) : null,
          h("p", { class: "wb-meta" }, w.title, " · ",
            tn("{n} participant", "{n} participants", w.participant_count))),
        controls)].filter(Boolean));
  }

  renderEnded(w) {
    const summary = w.summary;
    this.root.className = "workshop-bar is-ended";
    this.root.hidden = false;
    this.root.replaceChildren(...[
      h("div", { class: "wb-line" },
        h("div", { class: "wb-step" },
          h("p", { class: "wb-eyebrow" }, t("Workshop over")),
          h("h2", { class: "wb-title", id: "wb-title" }, w.title)),
        h("a", { class: "button small primary", href: `/w/${w.id}`, id: "wb-report", dataset: { action: "report" } },
          t("See the workshop's summary")),
        h("button", {
          type: "button", class: "button small wb-button", dataset: { action: "dismiss" },
          onclick: () => {
            this.ended = null;
            this.render();
            document.getElementById("main")?.focus();
          },
        }, t("Hide"))),
      summary ? h("p", { class: "wb-meta" },
        [tn("{n} card", "{n} cards", summary.cards), tn("{n} vote", "{n} votes", summary.votes),
          tn("{n} decision", "{n} decisions", summary.decisions.length),
          tn("{n} participant", "{n} participants", summary.participants)].join(" · ")) : null].filter(Boolean));
  }
}
