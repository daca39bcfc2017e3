// A board: columns of cards kept live over the WebSocket; cards created in a dialog and
// moved by drag and drop, by keyboard (Space, arrows, Space) or by the card's move menu; the
// bar of the live workshop that runs on it, if any (workshop-bar.js).

import {
  ApiError, api, authorLabel, avatar, errorText, formError, h, icon, kindLabel, pageData, REACTIONS, splitList, submitting, t, tn, toast,
} from "./common.js";
import { LiveFeed } from "./live.js";
import { attachMentions } from "./mentions.js";
import { sheetForm } from "./practice.js";
import { similarSuggestions } from "./similar.js";
import { applyBoard } from "./state.js";
import { openVoteDialog } from "./vote-dialog.js";
import { WorkshopBar } from "./workshop-bar.js";
import { confirmEndWorkshop, openWorkshopDialog } from "./workshop-dialog.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
const canWrite = collective.role !== "observer";
const viewer = { id: Number(document.body.dataset.me || 0), animator: isAnimator };
// What others posted since one last opened this board is marked « Nouveau ».
const lastVisit = data.last_visit_at ? Date.parse(data.last_visit_at) : null;
const isNew = (card) => lastVisit !== null && Date.parse(card.created_at) > lastVisit
  && card.author?.id !== viewer.id;
// What the server has (the snapshot with every event since applied by state.js), and the moves
// this page sent that the server has not acknowledged yet: what is shown is the first with the
// second on top, so a move that fails simply disappears and the card is back where it was.
let confirmed = data.board;
const pending = new Map(); // card id → {column_id, position}
let board = confirmed; // what is shown
const cards = new Map();
const root = document.getElementById("board");
const dndStatus = document.getElementById("dnd-status");
let grabbed = null; // {id, column, before} while moving a card with the keyboard
let dragging = null;
let renderQueued = false;
// The meeting a workshop started here is held as (a board made from a need: /b/{id}?meeting=).
let meeting = data.meeting ?? null;
const workshop = new WorkshopBar({
  boardId: confirmed.id,
  collectiveId: collective.id,
  role: collective.role,
  cardTitle: (id) => cards.get(id)?.title ?? null,
  onChange: () => render(),
  openVote: () => openVoteDialog(board, collective.id),
  confirmEnd: confirmEndWorkshop,
});

function show() {
  let shown = confirmed;
  for (const [id, move] of pending) {
    const card = shown.columns.flatMap((c) => c.cards).find((c) => c.id === id);
    if (!card) continue;
    const data = { ...card, ...move, version: card.version + 1 };
    shown = applyBoard(shown, { kind: "card.moved", board: shown.id, card: id, data }, viewer);
  }
  board = shown;
  cards.clear();
  for (const column of board.columns) for (const card of column.cards) cards.set(card.id, card);
  render();
}

/** Apply an event (or an API answer shaped like one) to the server's state and show it. */
function apply(kind, data, cardId = null) {
  confirmed = applyBoard(confirmed, { kind, board: confirmed.id, card: cardId, data }, viewer);
  show();
}

function load(fresh) {
  confirmed = fresh;
  show();
}

const locked = () => Boolean(board.locked) && !isAnimator;
const editable = () => canWrite && !locked();

function columnCards(columnId) {
  return [...cards.values()]
    .filter((c) => c.column_id === columnId)
    // Pinned cards first (the server lists them so too), each group in position order.
    .sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) || a.position - b.position || a.id - b.id);
}

function excerpt(html) {
  // The text of the sanitised HTML, read by an inert parser: nothing in it runs or loads.
  const text = new DOMParser().parseFromString(html || "", "text/html").body.textContent || "";
  const plain = text.replace(/\s+/g, " ").trim();
  return plain.length > 140 ? `${plain.slice(0, 139)}…` : plain;
}

function cardTile(card) {
  const hidden = card.moderation === "hidden";
  const focused = workshop.focusedCardId() === card.id;
  const label = t("{kind}: {title}", { kind: kindLabel(card.kind), title: card.title });
  const counts = REACTIONS.filter((r) => card.reactions?.[r.kind]).map((r) =>
    h("span", { class: "count-pill", title: t(r.label) }, icon(r.icon), card.reactions[r.kind],
      h("span", { class: "visually-hidden" }, " ", t(r.label))));
  const li = h("li", {
    class: `card kind-${card.kind}${hidden ? " is-hidden" : ""}${card.pinned ? " is-pinned" : ""}${focused ? " is-focused" : ""}`,
    tabindex: "0",
    draggable: editable() ? "true" : null,
    "aria-roledescription": editable() ? t("movable card") : null,
    "aria-label": focused ? t("{card}, in focus", { card: label }) : label,
    dataset: { id: card.id },
  },
  h("div", { class: "card-top" },
    h("span", { class: "kind-badge" }, kindLabel(card.kind)),
    isNew(card) ? h("span", { class: "flag new", title: t("New since your last visit") }, t("New")) : null,
    focused ? h("span", { class: "flag focus" }, icon("focus"), t("In focus")) : null,
    card.pinned ? h("span", { class: "flag pinned" }, t("Pinned")) : null,
    hidden ? h("span", { class: "flag hidden" }, t("Hidden")) : null),
  h("a", { class: "card-title", href: `/cards/${card.id}` }, card.title),
  card.body_html ? h("p", { class: "card-excerpt" }, excerpt(card.body_html)) : null,
  card.tags?.length ? h("ul", { class: "tags", "aria-label": t("Keywords") }, card.tags.map((tag) => h("li", {}, tag))) : null,
  h("div", { class: "card-foot" },
    avatar(card.author, "small"),
    h("span", { class: `author${card.anonymous ? " is-anonymous" : ""}`, title: authorLabel(card) }, authorLabel(card)),
    h("span", { class: "spacer" }),
    counts,
    card.comment_count ? h("span", { class: "count-pill", title: tn("{n} comment", "{n} comments", card.comment_count) },
      icon("comment"), card.comment_count,
      h("span", { class: "visually-hidden" }, ` ${tn("{n} comment", "{n} comments", card.comment_count).replace(/^\d+ /, "")}`)) : null,
    editable() ? h("button", {
      type: "button", class: "icon-button card-move", "aria-haspopup": "menu",
      "aria-label": t("Move « {title} »", { title: card.title }),
      onclick: (event) => openMoveMenu(event, card),
    }, icon("move")) : null),
  workshop.cardAction(card));
  li.addEventListener("keydown", (event) => onCardKey(event, card));
  li.addEventListener("dragstart", (event) => {
    dragging = card.id;
    event.dataTransfer.setData("text/plain", String(card.id));
    event.dataTransfer.effectAllowed = "move";
    requestAnimationFrame(() => li.classList.add("dragging"));
  });
  li.addEventListener("dragend", () => {
    dragging = null;
    li.classList.remove("dragging");
    clearDropMarks();
    if (renderQueued) render();
  });
  return li;
}

function renderActions() {
  const box = document.getElementById("board-actions");
  if (!isAnimator) return;
  box.replaceChildren(...[h("button", {
    type: "button", class: "button small", "aria-pressed": String(Boolean(board.locked)),
    onclick: async () => {
      try {
        const updated = await api("PATCH", `/boards/${board.id}`, { locked: !board.locked });
        apply("board.updated", updated);
        toast(board.locked ? t("Board locked: members can read it, not change it.") : t("Board unlocked."));
      } catch (error) {
        toast(errorText(error), "error");
      }
    },
  }, board.locked ? t("Unlock the board") : t("Lock the board")),
  h("button", { type: "button", class: "button small primary", onclick: () => openVoteDialog(board, collective.id) },
    t("Open a vote")),
  workshop.running() ? null : h("button", {
    type: "button", class: "button small primary", id: "start-workshop", "aria-haspopup": "dialog",
    onclick: () => openWorkshopDialog(board.id, collective.id, (started) => {
      meeting = null; // held: a second workshop here is a meeting of its own
      workshop.set(started);
      workshop.join(started);
      toast(t("The workshop « {title} » has started.", { title: started.title }));
      document.getElementById("workshop-bar").querySelector("[data-action]")?.focus();
    }, meeting),
  }, t("Start a workshop"))].filter(Boolean));
}

function render() {
  renderActions();
  if (dragging !== null || grabbed !== null) {
    renderQueued = true;
    return;
  }
  renderQueued = false;
  const focused = document.activeElement?.closest?.(".card")?.dataset.id;
  document.getElementById("board-title").textContent = board.name;
  const description = document.getElementById("board-description");
  description.textContent = board.description || "";
  description.hidden = !board.description;
  document.getElementById("board-locked").hidden = !board.locked;
  root.replaceChildren(...board.columns.map((column) => {
    const list = columnCards(column.id);
    const ol = h("ol", { class: "card-list", dataset: { column: column.id }, "aria-labelledby": `col-${column.id}` },
      list.map(cardTile));
    ol.addEventListener("dragover", (event) => onDragOver(event, ol));
    ol.addEventListener("dragleave", (event) => {
      if (!ol.contains(event.relatedTarget)) clearDropMarks();
    });
    ol.addEventListener("drop", (event) => onDrop(event, column.id, ol));
    return h("section", { class: "column", dataset: { column: column.id } },
      h("header", { class: "column-head" },
        h("h2", { id: `col-${column.id}` }, column.name),
        h("span", { class: "count", "aria-label": tn("{n} card", "{n} cards", list.length) }, list.length)),
      ol,
      editable() ? h("button", {
        type: "button", class: "add-card",
        onclick: () => openCreate(column.id),
      }, h("span", { "aria-hidden": "true" }, "+ "), t("Add a card"),
      h("span", { class: "visually-hidden" }, ` — ${column.name}`)) : null);
  }));
  if (focused) root.querySelector(`.card[data-id="${focused}"]`)?.focus();
}

// --- applying events ---------------------------------------------------------------------

let refetching = null;
/** Take the server's board and workshop (after a resync or a reconnect); answers its seq. */
async function refetch() {
  if (!refetching) {
    refetching = api("GET", `/boards/${board.id}`).then((fresh) => {
      load(fresh);
      workshop.load().catch(() => {});
      return fresh.seq;
    }).finally(() => (refetching = null));
  }
  return refetching;
}

function onEvent(message) {
  if (workshop.onEvent(message)) return;
  const before = confirmed;
  confirmed = applyBoard(confirmed, message, viewer);
  if (confirmed !== before) show();
  const d = message.data || {};
  // Events about an anonymous card name nobody; animators ask for the card to see its author.
  if (isAnimator && message.card != null && message.kind.startsWith("card.") && d.anonymous && !d.redacted
    && cards.has(message.card) && !cards.get(message.card).author) revealAuthor(message.card);
}

async function revealAuthor(id) {
  try {
    knowAuthor(id, (await api("GET", `/cards/${id}`)).author);
  } catch {
    /* shown as « Anonyme » meanwhile: the next event or reload tries again */
  }
}

/** Show the author of card `id` that the server named to this viewer (events name nobody). */
function knowAuthor(id, author) {
  if (!author || !cards.has(id) || cards.get(id).author) return;
  const next = structuredClone(confirmed);
  for (const column of next.columns) {
    for (const card of column.cards) if (card.id === id) card.author = author;
  }
  confirmed = next;
  show();
}

// --- moving ------------------------------------------------------------------------------

/** The `position` to send so that `card` lands before `beforeId` (or last) in `columnId`. */
function targetPosition(card, columnId, beforeId) {
  if (beforeId == null) {
    const rest = columnCards(columnId).filter((c) => c.id !== card.id);
    return rest.length ? Math.max(...rest.map((c) => c.position)) + 1 : 0;
  }
  const before = cards.get(beforeId);
  // The server first closes the gap the card leaves, so a later card of the same column moves up.
  if (card.column_id === columnId && before.position > card.position) return before.position - 1;
  return before.position;
}

async function moveCard(cardId, columnId, beforeId) {
  const card = cards.get(cardId);
  if (!card || beforeId === cardId) return;
  const position = targetPosition(card, columnId, beforeId);
  if (card.column_id === columnId && card.position === position) return;
  if (pending.has(cardId)) return; // one move of a card at a time
  const version = card.version;
  const fromColumn = card.column_id;
  pending.set(cardId, { column_id: columnId, position });
  show();
  focusCard(cardId);
  try {
    const view = await api("PATCH", `/cards/${cardId}`, { version, column_id: columnId, position });
    pending.delete(cardId);
    apply("card.moved", view, cardId);
    const column = board.columns.find((c) => c.id === columnId);
    if (fromColumn !== columnId) announce(t("« {title} » moved to {column}", { title: view.title, column: column.name }));
  } catch (error) {
    // Not saved: the card goes back where the server has it, and the page says why.
    pending.delete(cardId);
    show();
    focusCard(cardId);
    // Two sentences: the reason is a sentence of its own, with its own capital.
    const text = t("The move was not saved. {reason}", { reason: errorText(error) });
    toast(text, "error");
    if (error instanceof ApiError) refetch().catch(() => {}); // a conflict: take the latest board
  }
}

function focusCard(id) {
  root.querySelector(`.card[data-id="${id}"]`)?.focus();
}

function announce(text) {
  dndStatus.textContent = "";
  setTimeout(() => (dndStatus.textContent = text), 30);
}

function clearDropMarks() {
  root.querySelectorAll(".drop-before, .drop-end").forEach((el) => el.classList.remove("drop-before", "drop-end"));
}

function dropTarget(ol, y) {
  const items = [...ol.querySelectorAll(".card:not(.dragging)")];
  return items.find((item) => {
    const box = item.getBoundingClientRect();
    return y < box.top + box.height / 2;
  }) || null;
}

function onDragOver(event, ol) {
  if (dragging === null) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
  clearDropMarks();
  const before = dropTarget(ol, event.clientY);
  if (before) before.classList.add("drop-before");
  else ol.classList.add("drop-end");
}

function onDrop(event, columnId, ol) {
  event.preventDefault();
  const id = Number(event.dataTransfer.getData("text/plain")) || dragging;
  const before = dropTarget(ol, event.clientY);
  clearDropMarks();
  dragging = null;
  moveCard(id, columnId, before ? Number(before.dataset.id) : null);
}

// Keyboard: Space picks the card up, arrows move it (a preview), Space drops, Escape cancels.
function onCardKey(event, card) {
  if (event.target !== event.currentTarget) return;
  if (event.key === "Enter" && !grabbed) {
    location.href = `/cards/${card.id}`;
    return;
  }
  if (!editable()) return;
  const li = event.currentTarget;
  if (event.key === " " || event.key === "Spacebar") {
    event.preventDefault();
    if (!grabbed) {
      grabbed = { id: card.id };
      li.classList.add("grabbed");
      li.setAttribute("aria-grabbed", "true");
      announce(t("« {title} » picked up. Arrows to move, Space to drop, Escape to cancel.", { title: card.title }));
    } else {
      drop(li);
    }
    return;
  }
  if (!grabbed) return;
  if (event.key === "Escape") {
    event.preventDefault();
    grabbed = null;
    render();
    focusCard(card.id);
    announce(t("Move cancelled."));
    return;
  }
  const ol = li.parentElement;
  const columnsEls = [...root.querySelectorAll(".card-list")];
  const at = columnsEls.indexOf(ol);
  if (event.key === "ArrowUp" && li.previousElementSibling) {
    ol.insertBefore(li, li.previousElementSibling);
  } else if (event.key === "ArrowDown" && li.nextElementSibling) {
    ol.insertBefore(li.nextElementSibling, li);
  } else if ((event.key === "ArrowLeft" && at > 0) || (event.key === "ArrowRight" && at < columnsEls.length - 1)) {
    const target = columnsEls[at + (event.key === "ArrowLeft" ? -1 : 1)];
    const index = [...ol.children].indexOf(li);
    target.insertBefore(li, target.children[index] || null);
  } else {
    return;
  }
  event.preventDefault();
  li.focus();
  const column = board.columns.find((c) => String(c.id) === li.parentElement.dataset.column);
  const place = [...li.parentElement.children].indexOf(li) + 1;
  announce(t("{column}, position {n}", { column: column.name, n: place }));
}

function drop(li) {
  const id = grabbed.id;
  grabbed = null;
  li.classList.remove("grabbed");
  li.removeAttribute("aria-grabbed");
  const columnId = Number(li.parentElement.dataset.column);
  const next = li.nextElementSibling;
  const card = cards.get(id);
  const before = next ? Number(next.dataset.id) : null;
  announce(t("« {title} » dropped.", { title: card.title }));
  render();
  moveCard(id, columnId, before);
}

// The move menu: for phones and for anyone who prefers a list to dragging.
function openMoveMenu(event, card) {
  event.stopPropagation();
  document.querySelector(".move-menu")?.remove();
  const button = event.currentTarget;
  const list = columnCards(card.column_id);
  const index = list.findIndex((c) => c.id === card.id);
  const items = [];
  if (index > 0) items.push([t("Move up"), () => moveCard(card.id, card.column_id, list[index - 1].id)]);
  if (index < list.length - 1) items.push([t("Move down"), () => moveCard(card.id, card.column_id, list[index + 2]?.id ?? null)]);
  for (const column of board.columns) {
    if (column.id !== card.column_id) items.push([t("Move to {column}", { column: column.name }), () => moveCard(card.id, column.id, null)]);
  }
  const menu = h("div", { class: "move-menu", role: "menu", "aria-label": t("Move « {title} »", { title: card.title }) },
    items.map(([label, action]) => h("button", {
      type: "button", role: "menuitem", onclick: () => {
        menu.remove();
        action();
      },
    }, label)));
  const close = () => {
    menu.remove();
    button.focus();
  };
  menu.addEventListener("keydown", (e) => {
    const buttons = [...menu.querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === "Escape") close();
    else if (e.key === "ArrowDown") { e.preventDefault(); buttons[(i + 1) % buttons.length].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); buttons[(i - 1 + buttons.length) % buttons.length].focus(); }
    else if (e.key === "Tab") menu.remove();
  });
  button.closest(".card").append(menu);
  menu.querySelector("button")?.focus();
  setTimeout(() => document.addEventListener("click", function away(e) {
    if (!menu.contains(e.target)) {
      menu.remove();
      document.removeEventListener("click", away);
    }
  }), 0);
}

// --- creating ----------------------------------------------------------------------------

const dialog = document.getElementById("card-dialog");
const form = document.getElementById("card-form");
// Cards of the collective like the one being typed, under the fields: a duplicate is seen
// before it is posted, and posted anyway if the author wants.
const suggestions = similarSuggestions({
  title: form.elements.title, body: form.elements.body, collectiveId: collective.id,
  hint: t("You can still publish yours."),
});
// Right under the text, so they show while one types (the dialog scrolls on a phone).
form.elements.body.closest(".field").after(suggestions.element);
// A practice's optional sheet, offered only while the kind is « Pratique ».
const sheet = sheetForm();
form.elements.tags.closest(".field").after(sheet.element);
const showSheet = () => sheet.show(form.elements.kind.value === "practice");
form.querySelectorAll("input[name=kind]").forEach((radio) => radio.addEventListener("change", showSheet));

function openCreate(columnId) {
  form.reset();
  formError(form, null);
  suggestions.reset();
  sheet.set({});
  showSheet();
  form.elements.column_id.value = String(columnId);
  const column = board.columns.find((c) => c.id === columnId);
  document.getElementById("card-dialog-title").textContent = t("New card in « {column} »", { column: column.name });
  dialog.showModal();
  form.elements.title.focus();
}

document.getElementById("card-cancel").addEventListener("click", () => dialog.close());
if (canWrite) attachMentions(form.elements.body, collective.id);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!form.elements.title.value.trim()) {
    form.elements.title.setAttribute("aria-invalid", "true");
    formError(form, new Error());
    form.querySelector(".form-error").textContent = t("Give the card a title.");
    form.elements.title.focus();
    return;
  }
  submitting(form, async () => {
    const body = {
      kind: form.elements.kind.value,
      title: form.elements.title.value.trim(),
      body: form.elements.body.value,
      tags: splitList(form.elements.tags.value),
      column_id: Number(form.elements.column_id.value),
    };
    if (body.kind === "practice") body.practice = sheet.value();
    const file = form.elements.file.files[0];
    const created = await api("POST", `/boards/${board.id}/cards`, body);
    apply("card.created", created, created.id);
    knowAuthor(created.id, created.author); // its event, anonymous, may have come first
    suggestions.reset();
    dialog.close();
    focusCard(created.id);
    if (created.column_id !== body.column_id) {
      // A workshop's intake step: new cards go to its inbox, sorted out by the animator.
      const inbox = board.columns.find((c) => c.id === created.column_id);
      toast(t("Your card went to « {column} »: the animator will sort it out.", { column: inbox?.name || t("the inbox") }));
    }
    if (file) {
      const upload = new FormData();
      upload.append("file", file);
      try {
        await api("POST", `/cards/${created.id}/attachments`, upload);
      } catch (error) {
        toast(t("The card is published, but its attachment was refused: {reason}", { reason: errorText(error) }), "error");
      }
    }
  });
});

// --- presence ----------------------------------------------------------------------------

function showPresence(users) {
  const list = document.getElementById("presence");
  list.replaceChildren(...users.map((u) => h("li", {}, avatar(u), h("span", { class: "visually-hidden" }, u.display_name))));
  list.setAttribute("aria-label", tn("{n} person viewing this board", "{n} people viewing this board", users.length));
  list.title = users.map((u) => u.display_name).join(", ");
}

load(board);
workshop.load().catch((error) => toast(errorText(error), "error"));
new LiveFeed({
  collective: collective.id,
  board: board.id,
  seq: board.seq,
  onEvent,
  onPresence: showPresence,
  resync: refetch,
  reconcile: refetch,
});
api("POST", `/collectives/${collective.id}/visits`, { board_id: board.id, card_id: null }).catch(() => {});
