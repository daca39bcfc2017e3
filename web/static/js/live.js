// The live feed of one collective over /ws (protocol: docs/realtime.md).
// It keeps the last seq applied and resubscribes with `since` after any drop, so a network
// cut or a server restart loses and duplicates nothing; when the server cannot replay
// (`resync`), the page reloads its state over HTTP and the feed continues from there.
// After a drop, the page reconciles with the server (`reconcile`: it refetches its state, so
// that nothing it showed while cut off survives) before the banner says it is up to date.

import { connectionChanged } from "./common.js";

const MAX_DELAY = 10000;

export class LiveFeed {
  /**
   * @param {object} options collective, board (or null), seq (position of the state the page
   *   holds), onEvent(message), onPresence(users, message), resync() → Promise<new seq>,
   *   reconcile() → Promise<seq of the refetched state> (default: resync)
   */
  constructor(options) {
    this.options = options;
    this.seq = options.seq ?? null;
    this.epoch = null;
    this.attempt = 0;
    this.socket = null;
    this.pingTimer = 0;
    this.closed = false;
    this.online = null;
    this.viewers = new Map();
    this.queue = Promise.resolve();
    window.addEventListener("online", () => {
      if (!this.socket || this.socket.readyState > WebSocket.OPEN) this.reconnectSoon(0);
    });
    this.connect();
  }

  connect() {
    if (this.closed) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws`);
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      for (const line of String(event.data).split("\n")) {
        if (!line) continue;
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        // One message at a time, in order, even when handling one awaits (a resync).
        this.queue = this.queue.then(() => this.handle(message)).catch((error) => console.error(error));
      }
    });
    socket.addEventListener("close", (event) => this.dropped(socket, event.code));
    socket.addEventListener("error", () => {});
  }

  async handle(message) {
    const { collective, board } = this.options;
    switch (message.type) {
      case "hello":
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.send({ type: "ping" }), (message.heartbeat || 25) * 1000);
        this.send({ type: "subscribe", collective, board: board ?? null, since: this.seq, epoch: this.epoch });
        break;
      case "subscribed": {
        this.epoch = message.epoch;
        if (this.seq === null) this.seq = message.seq;
        this.viewers = new Map((message.presence || []).map((u) => [u.id, u]));
        this.options.onPresence?.([...this.viewers.values()], message);
        if (this.online === false) {
          // Back after a drop: take the server's state first. The replayed events queue up
          // behind this, and those the fresh state already holds are skipped by their seq.
          const reconcile = this.options.reconcile || this.options.resync;
          try {
            const seq = await reconcile?.();
            if (typeof seq === "number") this.seq = Math.max(this.seq ?? 0, seq);
          } catch {
            this.socket?.close(4000); // not reachable after all: drop and retry later
            return;
          }
        }
        this.attempt = 0;
        this.status(true);
        break;
      }
      case "event":
        if (message.collective !== collective) return;
        if (this.seq !== null && message.seq <= this.seq) return; // already applied
        this.seq = message.seq;
        this.options.onEvent?.(message);
        break;
      case "presence":
        if (message.event === "join") this.viewers.set(message.user.id, message.user);
        else this.viewers.delete(message.user.id);
        this.options.onPresence?.([...this.viewers.values()], message);
        break;
      case "resync": {
        const seq = await this.options.resync?.();
        this.seq = seq ?? null;
        if (message.reason === "other_epoch") this.epoch = null;
        this.send({ type: "subscribe", collective, board: board ?? null, since: this.seq, epoch: null });
        break;
      }
      case "notifications":
        // The bell lives in common.js, on every page: it listens rather than being imported.
        if (Number.isInteger(message.unread)) {
          document.dispatchEvent(new CustomEvent("essaim:notifications", { detail: { unread: message.unread } }));
        }
        break;
      case "error":
        console.warn("live feed:", message.code, message.message);
        break;
      default:
        break;
    }
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  dropped(socket, code) {
    if (socket !== this.socket) return;
    clearInterval(this.pingTimer);
    if (this.closed) return;
    if (code === 4401) {
      this.status(false, true);
      return;
    }
    this.status(false);
    // Backoff with jitter, so that a restarted server is not hit by everyone at once.
    const delay = Math.min(MAX_DELAY, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.reconnectSoon(delay);
  }

  reconnectSoon(delay) {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  status(online, ended = false) {
    this.online = online;
    document.body.dataset.live = online ? "online" : "offline";
    connectionChanged({ socket: online ? "up" : ended ? "ended" : "down" });
    // Counts sent while the socket was down are lost: the bell reads its count again.
    document.dispatchEvent(new CustomEvent("essaim:live", { detail: { online } }));
  }

  close() {
    this.closed = true;
    clearInterval(this.pingTimer);
    this.socket?.close(1000);
  }
}
