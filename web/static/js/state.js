// The pages' state reducers: pure functions `apply*(state, event, viewer) → new state`.
//
// A page loads a JSON snapshot over HTTP (a board, a card, a collective's home) and then
// applies each event of the live feed to it; replaying every event since a snapshot must give
// exactly what a fresh fetch gives (tests/web/test_replay.py runs this very file in Chromium
// against the server, in the manner of Zulip's verify_action). So nothing here touches the DOM,
// the network or a clock, and nothing mutates its input: the state is copied, then changed.
//
// `viewer` is {id, animator}: animators keep hidden content (the server sends them its data),
// members and observers drop it (they receive it redacted).

const clone = (value) => structuredClone(value);

/** Kinds each reducer applies; any other kind leaves that state as it is. */
export const BOARD_KINDS = [
  "board.updated", "column.created", "column.updated", "column.deleted",
  "card.created", "card.updated", "card.moved", "card.pinned", "card.unpinned", "card.hidden",
  "card.restored", "card.deleted", "card.merged", "card.unmerged", "comment.created",
  "comment.restored", "comment.hidden", "comment.deleted", "reaction.added", "reaction.removed",
  "member.joined", "member.updated", "phase.deleted",
];
export const CARD_KINDS = [
  "card.updated", "card.moved", "card.pinned", "card.unpinned", "card.hidden", "card.restored",
  "card.deleted", "card.merged", "comment.created", "comment.updated", "comment.restored",
  "comment.hidden", "comment.deleted", "reaction.added", "reaction.removed", "attachment.added",
  "member.joined", "member.updated",
];
export const COLLECTIVE_KINDS = [
  "collective.updated", "phase.created", "phase.updated", "phase.deleted", "board.created",
  "board.updated", "member.joined", "member.updated", "member.removed",
];

const BOARD_FIELDS = ["id", "collective_id", "name", "kind", "description", "phase_id", "archived", "locked", "created_at"];
const COLUMN_FIELDS = ["id", "board_id", "name", "position"];

function pick(source, fields) {
  const out = {};
  for (const key of fields) if (key in source) out[key] = source[key];
  return out;
}

/** A card as a card list holds it: the event's card view without event-only fields. */
function cardOf(data) {
  const { from_column_id: _from, redacted: _redacted, ...card } = data;
  return card;
}

/** The event's view of a card the state already holds: events about an anonymous card carry
 * `author: null` for everyone, so whoever knew the author (an animator, the author) keeps it. */
function updatedCard(card, data) {
  const view = cardOf(data);
  if (view.author == null && view.anonymous && card?.author) view.author = card.author;
  return view;
}

const newer = (card, data) => !(card.version >= data.version);

/** Pinned first, then by position (the order of GET /boards/{id}). */
export function sortCards(list) {
  return list.sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) || a.position - b.position || a.id - b.id);
}

function renameAuthor(item, user) {
  if (item.author && item.author.id === user.id) item.author = { ...item.author, ...user };
}

// --- a board: GET /boards/{id} -----------------------------------------------------------

function allCards(board) {
  return board.columns.flatMap((c) => c.cards);
}

function findCard(board, id) {
  for (const column of board.columns) {
    const index = column.cards.findIndex((c) => c.id === id);
    if (index >= 0) return { column, index, card: column.cards[index] };
  }
  return null;
}

function removeCard(board, id) {
  const found = findCard(board, id);
  if (found) found.column.cards.splice(found.index, 1);
  return found?.card;
}

// The server keeps positions dense among a column's live cards (hidden ones included): taking
// a card out moves the later ones up, putting one in moves those at or after its place down.
function shiftOut(board, columnId, position, exceptId) {
  for (const card of allCards(board)) {
    if (card.id !== exceptId && card.column_id === columnId && card.position > position) card.position -= 1;
  }
}

function shiftIn(board, columnId, position, exceptId) {
  for (const card of allCards(board)) {
    if (card.id !== exceptId && card.column_id === columnId && card.position >= position) card.position += 1;
  }
}

function placeCard(board, card) {
  const column = board.columns.find((c) => c.id === card.column_id);
  if (!column) return;
  column.cards.push(card);
  sortCards(column.cards);
}

function renumberColumns(board) {
  board.columns.forEach((column, index) => (column.position = index));
}

export function applyBoard(state, event, viewer) {
  const kind = event.kind;
  if (!BOARD_KINDS.includes(kind)) return state;
  const d = event.data || {};
  const onBoard = event.board === state.id;
  if (!onBoard && !kind.startsWith("member.") && kind !== "phase.deleted") return state;
  const board = clone(state);
  const found = event.card != null ? findCard(board, event.card) : null;
  const card = found?.card;
  switch (kind) {
    case "board.updated":
      Object.assign(board, pick(d, BOARD_FIELDS));
      break;
    case "column.created": {
      const column = { ...pick(d, COLUMN_FIELDS), cards: [] };
      if (board.columns.some((c) => c.id === column.id)) break;
      board.columns.splice(Math.min(column.position, board.columns.length), 0, column);
      renumberColumns(board);
      break;
    }
    case "column.updated": {
      const index = board.columns.findIndex((c) => c.id === d.id);
      if (index < 0) break;
      const [column] = board.columns.splice(index, 1);
      Object.assign(column, pick(d, COLUMN_FIELDS));
      board.columns.splice(Math.min(column.position, board.columns.length), 0, column);
      renumberColumns(board);
      break;
    }
    case "column.deleted":
      board.columns = board.columns.filter((c) => c.id !== d.id);
      renumberColumns(board);
      break;
    case "card.created":
    case "card.unmerged": // a merge undone: the duplicate is back where it was, like a new card
      if (d.redacted || card) break;
      shiftIn(board, d.column_id, d.position, d.id);
      placeCard(board, cardOf(d));
      break;
    case "card.restored":
      if (d.redacted) break;
      if (card) removeCard(board, card.id);
      placeCard(board, { ...card, ...updatedCard(card, d) });
      break;
    case "card.updated":
    case "card.pinned":
    case "card.unpinned":
      if (d.redacted || !card || !newer(card, d)) break;
      Object.assign(card, updatedCard(card, d));
      sortCards(found.column.cards);
      break;
    case "card.moved":
      if (d.redacted || !card || !newer(card, d)) break;
      removeCard(board, card.id);
      shiftOut(board, card.column_id, card.position, card.id);
      shiftIn(board, d.column_id, d.position, card.id);
      placeCard(board, { ...card, ...updatedCard(card, d) });
      for (const column of board.columns) sortCards(column.cards);
      break;
    case "card.hidden":
      if (!card) break;
      // Hiding keeps the card's place: the server does not close the gap.
      if (viewer.animator && !d.redacted) Object.assign(card, updatedCard(card, d), { moderation: "hidden" });
      else removeCard(board, card.id);
      break;
    case "card.deleted":
    case "card.merged": // its content went to another card; it leaves the board the same way
      if (!card) break;
      removeCard(board, card.id);
      shiftOut(board, card.column_id, card.position, card.id);
      break;
    case "comment.created":
    case "comment.restored":
      if (card) card.comment_count = (card.comment_count || 0) + 1;
      break;
    case "comment.hidden":
    case "comment.deleted":
      if (card && card.comment_count > 0) card.comment_count -= 1;
      break;
    case "reaction.added":
    case "reaction.removed":
      if (card && d.reactions && !d.redacted) card.reactions = d.reactions;
      break;
    case "member.joined":
    case "member.updated":
      if (d.user) for (const each of allCards(board)) renameAuthor(each, d.user);
      break;
    case "phase.deleted":
      // The board loses its phase with it (the foreign key is set to null).
      if (board.phase_id === d.id) board.phase_id = null;
      break;
    default:
      break;
  }
  return board;
}

// --- a card: GET /cards/{id} -------------------------------------------------------------
// `null`: the card is deleted. `{id, gone: "hidden"}`: hidden from this viewer (a member); a
// fresh fetch answers 404 in both cases. If a hidden card is published again, what happened on
// it meanwhile reached this viewer redacted, so it cannot be rebuilt from events:
// `{id, reload: true}` asks the page to fetch the card again. `{id, gone: "merged",
// merged_into_id}`: merged into another card, whose page is now this one's (`merged_into_id`
// is null when the event reached this viewer redacted: the server's redirect knows where).
// The card a duplicate was merged into gets its comments and files, which no event carries:
// it is fetched again (`reload`).

const CARD_ONLY = ["comments", "attachments", "my_reactions"];

function sortComments(list) {
  return list.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

export function applyCard(state, event, viewer) {
  const kind = event.kind;
  if (state === null || state.reload || !CARD_KINDS.includes(kind)) return state;
  const d = event.data || {};
  if (kind === "card.merged" && !d.redacted && d.merged_into_id === state.id && !state.gone) {
    return { id: state.id, reload: true };
  }
  if (!kind.startsWith("member.") && event.card !== state.id) return state;
  if (kind === "card.merged") {
    return { id: state.id, gone: "merged", merged_into_id: d.redacted ? null : d.merged_into_id };
  }
  if (state.gone) {
    if (kind === "card.restored" && !d.redacted) return { id: state.id, reload: true };
    return kind === "card.deleted" ? null : state;
  }
  const card = clone(state);
  switch (kind) {
    case "card.updated":
    case "card.moved":
    case "card.pinned":
    case "card.unpinned":
    case "card.restored": {
      if (d.redacted || (kind !== "card.restored" && !newer(card, d))) break;
      const view = updatedCard(card, d);
      for (const key of CARD_ONLY) delete view[key];
      Object.assign(card, view);
      break;
    }
    case "card.hidden":
      if (!viewer.animator || d.redacted) return { id: card.id, gone: "hidden" };
      Object.assign(card, updatedCard(card, d), { moderation: "hidden" });
      break;
    case "card.deleted":
      return null;
    case "comment.created":
      // Idempotent: the page shows its own new comment before the event comes back.
      if (!d.redacted && card.comments.some((c) => c.id === d.id)) break;
      card.comment_count = (card.comment_count || 0) + 1;
      if (!d.redacted) {
        card.comments.push(d);
        sortComments(card.comments);
      }
      break;
    case "comment.restored":
      card.comment_count = (card.comment_count || 0) + 1;
      if (!d.redacted) {
        card.comments = card.comments.filter((c) => c.id !== d.id);
        card.comments.push(d);
        sortComments(card.comments);
      }
      break;
    case "comment.updated":
      if (d.redacted) break;
      card.comments = sortComments(card.comments.map((c) => (c.id === d.id ? d : c)));
      break;
    case "comment.hidden":
      if (card.comment_count > 0) card.comment_count -= 1;
      if (viewer.animator && !d.redacted) card.comments = card.comments.map((c) => (c.id === d.id ? d : c));
      else card.comments = card.comments.filter((c) => c.id !== d.id);
      break;
    case "comment.deleted":
      if (card.comment_count > 0) card.comment_count -= 1;
      card.comments = card.comments.filter((c) => c.id !== d.id);
      break;
    case "reaction.added":
    case "reaction.removed": {
      if (d.redacted) break;
      card.reactions = d.reactions;
      if (d.user_id === viewer.id) {
        const mine = new Set(card.my_reactions || []);
        if (kind === "reaction.added") mine.add(d.kind);
        else mine.delete(d.kind);
        card.my_reactions = [...mine].sort();
      }
      break;
    }
    case "attachment.added":
      if (d.redacted || card.attachments.some((a) => a.id === d.id)) break;
      card.attachments.push(d);
      card.attachments.sort((a, b) => a.id - b.id);
      break;
    case "member.joined":
    case "member.updated":
      if (!d.user) break;
      renameAuthor(card, d.user);
      for (const comment of card.comments) renameAuthor(comment, d.user);
      break;
    default:
      break;
  }
  return card;
}

// --- a collective's home: {collective, boards, phases, members} ------------------------------

const PHASE_FIELDS = ["id", "collective_id", "name", "kind", "description", "starts_on", "ends_on"];

function upsert(list, item, key = (x) => x.id) {
  const index = list.findIndex((x) => key(x) === key(item));
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
}

export function applyCollective(state, event, viewer) {
  const kind = event.kind;
  if (!COLLECTIVE_KINDS.includes(kind)) return state;
  const d = event.data || {};
  if (d.redacted) return state;
  const home = clone(state);
  switch (kind) {
    case "collective.updated": {
      const { seq: _seq, ...fields } = d; // the page's seq is the feed's, not the event's
      Object.assign(home.collective, fields);
      break;
    }
    case "phase.created":
    case "phase.updated":
      upsert(home.phases, pick(d, PHASE_FIELDS));
      home.phases.sort((a, b) => a.starts_on.localeCompare(b.starts_on) || a.id - b.id);
      break;
    case "phase.deleted":
      home.phases = home.phases.filter((p) => p.id !== d.id);
      // Boards of a deleted phase lose it (the foreign key is set to null).
      for (const board of home.boards) if (board.phase_id === d.id) board.phase_id = null;
      break;
    case "board.created":
    case "board.updated":
      upsert(home.boards, pick(d, BOARD_FIELDS));
      home.boards.sort((a, b) => a.id - b.id);
      break;
    case "member.joined":
    case "member.updated":
      if (!d.user) break;
      upsert(home.members, d, (m) => m.user.id);
      if (d.user.id === viewer.id && d.role) home.collective.role = d.role;
      home.collective.member_count = home.members.length;
      break;
    case "member.removed":
      home.members = home.members.filter((m) => m.user.id !== d.user_id);
      home.collective.member_count = home.members.length;
      break;
    default:
      break;
  }
  return home;
}
