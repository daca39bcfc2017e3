// Saving a diagnostic's answers as one types, without ever losing one.
//
// Answers not yet acknowledged by the server wait in `pending` (question id → value, null
// clears), copied to localStorage so that a closed tab or a reload keeps them too. One PATCH
// at a time carries them all with the version this page holds:
//   - saved: what was sent leaves `pending` (unless it was changed again meanwhile);
//   - 409 version_conflict: someone saved since; the server's `current` is taken, the pending
//     answers are sent again on top of it, and the person is told;
//   - 422: the answers the server refuses are named to the page (and not sent again until
//     changed); the others go through;
//   - no answer (offline, server down, 5xx): kept, tried again with a growing delay, and at
//     once when the browser says it is back online.

import { ApiError, api } from "./common.js";

const RETRY_FIRST = 2000;
const RETRY_MAX = 30000;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export class AnswerSaver {
  /**
   * @param {object} options diagnostic (the server's), onStatus(state, detail) with state
   *   "saving" | "saved" | "offline" | "error", onSaved(diagnostic), onConflict(current),
   *   onRefused(fields: {questionId: message})
   */
  constructor({ diagnostic, onStatus, onSaved, onConflict, onRefused }) {
    this.id = diagnostic.id;
    this.version = diagnostic.version;
    this.callbacks = { onStatus, onSaved, onConflict, onRefused };
    this.key = `essaim.diagnostic.${this.id}.${document.body.dataset.me || ""}.pending`;
    this.pending = new Map(Object.entries(this.stored()));
    this.restored = this.pending.size;
    this.chain = Promise.resolve();
    this.timer = 0;
    this.retryTimer = 0;
    this.retryDelay = 0;
    this.offline = false; // the last attempt got no answer
    window.addEventListener("online", () => {
      if (this.pending.size) this.flush();
    });
  }

  stored() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "{}") || {};
    } catch {
      return {};
    }
  }

  persist() {
    try {
      if (this.pending.size) localStorage.setItem(this.key, JSON.stringify(Object.fromEntries(this.pending)));
      else localStorage.removeItem(this.key);
    } catch {
      /* private browsing or a full store: memory still holds them */
    }
  }

  /** The answer to `question` changed to `value` (null: cleared); sent after `delay` ms. */
  set(question, value, delay = 700) {
    this.pending.set(question, value);
    this.persist();
    this.callbacks.onStatus(this.offline ? "offline" : "saving");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  has(question) {
    return this.pending.has(question);
  }

  /** Send what is pending now; resolves once this attempt is over (saved or not). */
  flush() {
    clearTimeout(this.timer);
    this.chain = this.chain.then(() => this.attempt()).catch(() => {});
    return this.chain;
  }

  /** Save `fields` (status…) once every pending answer is saved: resolves with the saved
   * diagnostic, or rejects with the ApiError (422…), or with "offline" when answers could not
   * be sent first. A 409 is settled like the answers: the change is made again on `current`. */
  commit(fields) {
    clearTimeout(this.timer);
    const run = this.chain.then(async () => {
      await this.attempt();
      if (this.pending.size) throw new Error("offline");
      for (let round = 0; round < 5; round += 1) {
        try {
          const saved = await api("PATCH", `/diagnostics/${this.id}`, { version: this.version, ...fields });
          this.version = saved.version;
          this.callbacks.onSaved(saved);
          return saved;
        } catch (error) {
          if (!this.conflict(error)) throw error;
        }
      }
      throw new Error("conflict");
    });
    this.chain = run.catch(() => {});
    return run;
  }

  conflict(error) {
    if (!(error instanceof ApiError) || error.code !== "version_conflict" || !error.current) return false;
    this.version = error.current.version;
    this.callbacks.onConflict(error.current);
    return true;
  }

  async attempt() {
    clearTimeout(this.retryTimer);
    // A few rounds: answers typed while a request was out, or a conflict, go at once.
    for (let round = 0; this.pending.size && round < 5; round += 1) {
      const sending = Object.fromEntries(this.pending);
      this.callbacks.onStatus("saving");
      try {
        const saved = await api("PATCH", `/diagnostics/${this.id}`, { version: this.version, answers: sending });
        this.version = saved.version;
        for (const [question, value] of Object.entries(sending)) {
          if (same(this.pending.get(question), value)) this.pending.delete(question);
        }
        this.persist();
        this.retryDelay = 0;
        this.offline = false;
        this.callbacks.onSaved(saved);
      } catch (error) {
        if (this.conflict(error)) continue;
        if (error instanceof ApiError && error.status === 422) {
          const refused = {};
          for (const [field, message] of Object.entries(error.fields)) {
            if (!field.startsWith("answers.")) continue;
            const question = field.slice("answers.".length);
            refused[question] = message;
            if (same(this.pending.get(question), sending[question])) this.pending.delete(question);
          }
          this.persist();
          this.callbacks.onRefused(refused);
          if (Object.keys(refused).length) continue;
          this.callbacks.onStatus("error", error);
          return;
        }
        if (error instanceof ApiError && error.status < 500) {
          this.callbacks.onStatus("error", error); // not allowed, gone: trying again would not help
          return;
        }
        this.retryDelay = Math.min(Math.max(this.retryDelay * 2, RETRY_FIRST), RETRY_MAX);
        this.retryTimer = setTimeout(() => this.flush(), this.retryDelay);
        this.offline = true;
        this.callbacks.onStatus("offline");
        return;
      }
    }
    if (!this.pending.size) this.callbacks.onStatus("saved");
  }
}
