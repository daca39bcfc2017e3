// A card's page: rendered Markdown (sanitised by the server), a practice's sheet, reactions,
// attachments with previews, comments that arrive live, editing for its author, moderation for
// animators; its history (history.js), which its author and animators may restore; « Guide et
// vitrine » (capital.js); « Fiches proches », the cards like it, which an animator can merge
// into it (and take back).
//
// An open editor keeps the version it started from, whatever arrives live meanwhile: saving
// sends that version, so an edit made by someone else in between answers 409 and the page asks
// how to settle it (conflict.js) instead of overwriting it.

import {
  api, authorLabel, avatar, errorText, formatDate, h, icon, kindLabel, KIND_LABELS, pageData, REACTIONS, splitList, submitting, t, timeEl, tn, toast,
} from "./common.js";
import { capitalSection } from "./capital.js";
import { resolveConflict } from "./conflict.js";
import { cardHistory } from "./history.js";
import { LiveFeed } from "./live.js";
import { attachMentions } from "./mentions.js";
import { compactSheet, sheetForm, sheetText, sheetView } from "./practice.js";
import { similarItem, similarSuggestions } from "./similar.js";
import { applyCard } from "./state.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
const canWrite = collective.role !== "observer";
let card = data.card; // GET /cards/{id}, kept current by state.js
let editor = null; // while « Edit » is open: {version, base: the fields as the editor opened them}
const commentEditors = new Map(); // comment id → {updated_at, body} as its editor opened it
const article = document.getElementById("card");
const commentsEl = document.getElementById("comments");
const attachmentsEl = document.getElementById("attachments");
const myId = Number(document.body.dataset.me || 0);
const viewer = { id: myId, animator: isAnimator };
// Comments by others since one last opened this card are marked « Nouveau ».
const lastVisit = data.last_visit_at ? Date.parse(data.last_visit_at) : null;
const isNew = (comment) => lastVisit !== null && Date.parse(comment.created_at) > lastVisit
  && comment.author?.id !== myId;
const CONTENT = ["title", "kind", "body", "tags", "practice"];

function contentOf(view) {
  return {
    title: view.title, kind: view.kind, body: view.body, tags: [...(view.tags || [])],
    practice: compactSheet(view.practice || {}),
  };
}

function html(markup) {
  const div = h("div", { class: "prose" });
  div.innerHTML = markup; // sanitised server-side (server/core/markdown.py): no script, safe links only
  return div;
}

function isMine(author) {
  return author && author.id === myId;
}

function renderCard() {
  const hidden = card.moderation === "hidden";
  const column = data.columns.find((c) => c.id === card.column_id);
  const canEdit = canWrite && (isAnimator || isMine(card.author));
  capital.render(card);
  historyCount();
  if (editor) return renderEditor();
  article.className = `card-page kind-${card.kind}${hidden ? " is-hidden" : ""}`;
  // Parts a card lacks are null, which replaceChildren() would write out as « null ».
  article.replaceChildren(...[
    h("div", { class: "card-top" },
      h("span", { class: "kind-badge" }, kindLabel(card.kind)),
      column ? h("span", { class: "meta" }, column.name) : null,
      card.pinned ? h("span", { class: "flag pinned" }, t("Pinned")) : null,
      hidden ? h("span", { class: "flag hidden" }, t("Hidden from members")) : null),
    h("h1", { id: "card-title" }, card.title),
    h("p", { class: "byline" }, avatar(card.author, "small"), " ", authorLabel(card), " · ", timeEl(card.created_at)),
    card.body_html ? html(card.body_html) : h("p", { class: "meta" }, t("No text.")),
    card.kind === "practice" ? sheetView(card.practice) : null,
    card.kind === "practice" ? triedBy() : null,
    card.tags?.length ? h("ul", { class: "tags", "aria-label": t("Keywords") }, card.tags.map((tag) => h("li", {}, h("a", { href: `/search?q=${encodeURIComponent(tag)}` }, tag)))) : null,
    h("div", { class: "reactions", role: "group", "aria-label": t("Reactions") },
      REACTIONS.map((r) => {
        const mine = (card.my_reactions || []).includes(r.kind);
        return h("button", {
          type: "button", class: `reaction${mine ? " on" : ""}`, "aria-pressed": String(mine), disabled: !canWrite,
          onclick: () => react(r.kind, !mine),
        }, icon(r.icon), t(r.label), h("span", { class: "count" }, card.reactions?.[r.kind] || 0));
      })),
    h("div", { class: "card-actions" },
      canEdit ? h("button", { type: "button", class: "button small", onclick: openEditor }, t("Edit")) : null,
      h("button", {
        type: "button", class: "button small", id: "history-open", "aria-haspopup": "dialog",
        onclick: (event) => versions.open(event.currentTarget),
      }, versions.label()),
      isAnimator ? h("button", { type: "button", class: "button small", onclick: () => patch({ pinned: !card.pinned }) }, card.pinned ? t("Unpin") : t("Pin")) : null,
      isAnimator ? h("button", { type: "button", class: "button small", onclick: () => patch({ moderation: hidden ? "published" : "hidden" }) }, hidden ? t("Restore") : t("Hide from members")) : null,
      canWrite && !isAnimator && !isMine(card.author) ? h("button", { type: "button", class: "button small ghost", onclick: () => flag("cards", card.id) }, t("Report")) : null,
      canEdit ? h("button", { type: "button", class: "button small danger", onclick: remove }, t("Delete")) : null),
  ].filter(Boolean));
}

/** « Essayé par »: how many said « je l’ai essayé » (the card view names nobody). */
function triedBy() {
  const n = card.reactions?.tried_it || 0;
  return h("p", { class: "tried-by" }, icon("check"),
    n ? tn("Tried by {n} person", "Tried by {n} people", n) : t("Nobody has said they tried it yet."));
}

function openEditor() {
  editor = { version: card.version, base: contentOf(card), draft: null };
  renderCard();
}

function closeEditor() {
  editor = null;
  renderCard();
  article.querySelector(".card-actions button")?.focus();
}

function renderEditor() {
  const values = editor.draft || editor.base;
  const form = h("form", { class: "form", "aria-label": t("Edit the card") },
    h("div", { class: "field" }, h("label", { for: "ed-kind" }, t("Kind")),
      h("select", { id: "ed-kind", name: "kind" }, Object.keys(KIND_LABELS).map((k) => h("option", { value: k, selected: k === values.kind }, kindLabel(k))))),
    h("div", { class: "field" }, h("label", { for: "ed-title" }, t("Title")), h("input", { id: "ed-title", name: "title", required: true, maxlength: 200, value: values.title })),
    h("div", { class: "field" }, h("label", { for: "ed-body" }, t("Text")), h("textarea", { id: "ed-body", name: "body", rows: 8 })),
    h("div", { class: "ed-similar" }),
    h("div", { class: "field" }, h("label", { for: "ed-tags" }, t("Keywords (comma-separated)")), h("input", { id: "ed-tags", name: "tags", value: values.tags.join(", ") })),
    h("div", { class: "ed-sheet" }),
    h("p", { class: "notice", id: "ed-changed", role: "status", hidden: card.version === editor.version },
      t("Someone changed this card while you were editing it: saving will let you compare.")),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "button ghost", onclick: closeEditor }, t("Cancel")),
      h("button", { type: "submit", class: "button primary" }, t("Save"))));
  form.elements.body.value = values.body;
  const suggestions = similarSuggestions({
    title: form.elements.title, body: form.elements.body, collectiveId: collective.id, exclude: card.id,
    hint: t("You can still save your changes."),
  });
  form.querySelector(".ed-similar").replaceWith(suggestions.element);
  const sheet = sheetForm();
  form.querySelector(".ed-sheet").replaceWith(sheet.element);
  sheet.set(values.practice);
  const showSheet = () => sheet.show(form.elements.kind.value === "practice");
  form.elements.kind.addEventListener("change", showSheet);
  showSheet();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const mine = {
      kind: form.elements.kind.value, title: form.elements.title.value.trim(),
      body: form.elements.body.value, tags: splitList(form.elements.tags.value),
      practice: form.elements.kind.value === "practice" ? sheet.value() : {},
    };
    editor.draft = mine;
    submitting(form, () => saveEdit(mine));
  });
  article.replaceChildren(form);
  attachMentions(form.elements.body, collective.id);
  form.elements.title.focus();
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Save the editor's fields from the version it started from; on 409, ask how to settle. */
async function saveEdit(mine) {
  let { version, base } = editor;
  let values = changedFields(mine, base);
  for (;;) {
    if (!Object.keys(values).length) return closeEditor();
    try {
      const view = await api("PATCH", `/cards/${card.id}`, { version, ...values });
      card = { ...card, ...view };
      return closeEditor();
    } catch (error) {
      if (error.code !== "version_conflict" || !error.current) throw error;
      card = { ...card, ...error.current };
      const theirs = contentOf(error.current);
      const settled = await resolveConflict({ fields: cardFields(), base, mine, theirs });
      if (!settled) { // back to the editor, still on the old version: saving asks again
        editor.draft = mine;
        return renderCard();
      }
      if (settled.choice === "theirs") {
        toast(t("Your changes were dropped: the other version is kept."));
        return closeEditor();
      }
      // Mine or merged, saved over their version; if someone changed it again, ask again.
      version = error.current.version;
      base = theirs;
      mine = settled.values;
      values = changedFields(mine, theirs);
    }
  }
}

function changedFields(mine, base) {
  // Only a practice has a sheet: another kind's is dropped by the server with the kind.
  const fields = mine.kind === "practice" ? CONTENT : CONTENT.filter((f) => f !== "practice");
  return Object.fromEntries(fields.filter((f) => !same(mine[f], base[f])).map((f) => [f, mine[f]]));
}

function cardFields() {
  return [
    { name: "title", label: t("Title") },
    { name: "kind", label: t("Kind"), text: kindLabel },
    { name: "body", label: t("Text"), long: true },
    { name: "tags", label: t("Keywords"), text: (tags) => tags.join(", ") },
    { name: "practice", label: t("Practice sheet"), long: true, text: sheetText },
  ];
}

async function patch(values, rethrow = false) {
  try {
    const view = await api("PATCH", `/cards/${card.id}`, { version: card.version, ...values });
    card = { ...card, ...view };
    renderCard();
  } catch (error) {
    if (error.current) {
      card = { ...card, ...error.current };
      renderCard();
    }
    if (rethrow) throw error;
    toast(errorText(error), "error");
  }
}

async function react(kind, add) {
  try {
    const result = add
      ? await api("POST", `/cards/${card.id}/reactions`, { kind })
      : await api("DELETE", `/cards/${card.id}/reactions/${kind}`);
    const mine = new Set(card.my_reactions || []);
    if (add) mine.add(kind);
    else mine.delete(kind);
    card.my_reactions = [...mine];
    if (result && result.reactions) card.reactions = result.reactions;
    renderCard();
    article.querySelector(`.reaction[aria-pressed]:nth-child(${REACTIONS.findIndex((r) => r.kind === kind) + 1})`)?.focus();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

async function remove() {
  if (!confirm(t("Delete this card for everyone?"))) return;
  try {
    await api("DELETE", `/cards/${card.id}`);
    location.href = `/b/${card.board_id}`;
  } catch (error) {
    toast(errorText(error), "error");
  }
}

async function flag(kind, id) {
  const reason = prompt(t("Why report this to the animator? (spam, offensive, off topic, personal data…)"));
  if (reason === null) return;
  const reasons = { spam: "spam", offensive: "offensive", offensant: "offensive", "hors sujet": "off_topic", "off topic": "off_topic", "données personnelles": "personal_data", "personal data": "personal_data" };
  const key = reasons[reason.trim().toLowerCase()] || "other";
  try {
    await api("POST", `/${kind}/${id}/flags`, { reason: key, note: reason.trim() || null });
    toast(t("Thank you: the animator will look at it."));
  } catch (error) {
    toast(errorText(error), "error");
  }
}

// --- comments ----------------------------------------------------------------------------

function commentItem(comment) {
  const hidden = comment.moderation === "hidden";
  const canEdit = canWrite && (isAnimator || isMine(comment.author));
  const editing = commentEditors.get(comment.id);
  return h("li", { class: `comment${hidden ? " is-hidden" : ""}`, id: `comment-${comment.id}` },
    h("div", { class: "comment-head" }, avatar(comment.author, "small"),
      h("strong", {}, comment.author.display_name), " ", timeEl(comment.created_at),
      isNew(comment) ? h("span", { class: "flag new", title: t("New since your last visit") }, t("New")) : null,
      hidden ? h("span", { class: "flag hidden" }, t("Hidden from members")) : null),
    editing ? commentEditor(comment, editing) : html(comment.body_html || ""),
    editing ? null : h("div", { class: "comment-actions" },
      canEdit ? h("button", { type: "button", class: "link-button", onclick: () => editComment(comment) }, t("Edit")) : null,
      isAnimator ? h("button", { type: "button", class: "link-button", onclick: () => moderateComment(comment, hidden ? "published" : "hidden") }, hidden ? t("Restore") : t("Hide")) : null,
      canWrite && !isAnimator && !isMine(comment.author) ? h("button", { type: "button", class: "link-button", onclick: () => flag("comments", comment.id) }, t("Report")) : null,
      canEdit ? h("button", { type: "button", class: "link-button", onclick: () => deleteComment(comment) }, t("Delete")) : null));
}

function editComment(comment) {
  commentEditors.set(comment.id, { updated_at: comment.updated_at, body: comment.body, draft: null });
  renderComments();
  document.getElementById(`comment-edit-${comment.id}`)?.focus();
}

function closeCommentEditor(id) {
  commentEditors.delete(id);
  renderComments();
}

function commentEditor(comment, editing) {
  const id = `comment-edit-${comment.id}`;
  const form = h("form", { class: "form comment-editor" },
    h("label", { for: id }, t("Edit your comment")),
    h("textarea", { id, name: "body", rows: 3, required: true, maxlength: 10000 }),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "button ghost small", onclick: () => closeCommentEditor(comment.id) }, t("Cancel")),
      h("button", { type: "submit", class: "button primary small" }, t("Save"))));
  form.elements.body.value = editing.draft ?? editing.body;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = form.elements.body.value.trim();
    if (!body) return;
    editing.draft = body;
    submitting(form, () => saveComment(comment.id, body));
  });
  attachMentions(form.elements.body, collective.id);
  return form;
}

/** Save a comment from the version its editor opened; on 409, ask how to settle. */
async function saveComment(id, body) {
  const editing = commentEditors.get(id);
  let since = editing.updated_at;
  let base = { body: editing.body };
  let mine = { body };
  for (;;) {
    if (mine.body === base.body) return closeCommentEditor(id);
    try {
      const view = await api("PATCH", `/comments/${id}`, { body: mine.body, updated_at: since });
      setComment(view);
      return closeCommentEditor(id);
    } catch (error) {
      if (error.code !== "version_conflict" || !error.current) throw error;
      setComment(error.current);
      const theirs = { body: error.current.body };
      const fields = [{ name: "body", label: t("The comment"), long: true }];
      const settled = await resolveConflict({ fields, base, mine, theirs });
      if (!settled) return undefined; // the editor stays open on its old version
      if (settled.choice === "theirs") return closeCommentEditor(id);
      since = error.current.updated_at;
      base = theirs;
      mine = settled.values;
    }
  }
}

function setComment(view) {
  card = { ...card, comments: card.comments.map((c) => (c.id === view.id ? { ...c, ...view } : c)) };
}

function renderComments() {
  const list = card.comments;
  commentsEl.replaceChildren(...(list.length ? list.map(commentItem) : [h("li", { class: "empty" }, t("No comment yet: be the first to answer."))]));
}

async function moderateComment(comment, moderation) {
  try {
    const view = await api("PATCH", `/comments/${comment.id}`, { moderation });
    setComment(view);
    renderComments();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

async function deleteComment(comment) {
  if (!confirm(t("Delete this comment?"))) return;
  try {
    await api("DELETE", `/comments/${comment.id}`);
    card = { ...card, comments: card.comments.filter((c) => c.id !== comment.id) };
    renderComments();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

const commentForm = document.getElementById("comment-form");
commentForm.hidden = !canWrite;
commentForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = commentForm.elements.body.value.trim();
  if (!text) return;
  submitting(commentForm, async () => {
    const view = await api("POST", `/cards/${card.id}/comments`, { body: text });
    // As its event would: the feed skips the event when it arrives (same comment id).
    card = applyCard(card, { kind: "comment.created", card: card.id, data: view }, viewer);
    renderCard();
    renderComments();
    commentForm.reset();
  });
});
commentForm.elements.body.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) commentForm.requestSubmit();
});
if (canWrite) attachMentions(commentForm.elements.body, collective.id);

// --- attachments -------------------------------------------------------------------------

function size(bytes) {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} Ko`;
  return `${(bytes / 1024 / 1024).toFixed(1)} Mo`;
}

function attachmentItem(a) {
  const preview = a.content_type.startsWith("image/")
    ? h("img", { src: a.url, alt: a.filename, loading: "lazy", class: "preview-image" })
    : a.content_type === "application/pdf"
      ? h("details", { class: "preview" }, h("summary", {}, t("Preview")),
        h("iframe", { src: a.url, title: t("Preview of {name}", { name: a.filename }), loading: "lazy" }))
      : null;
  return h("li", { class: "attachment" },
    h("div", { class: "attachment-row" },
      icon("clip"),
      h("a", { href: a.url, download: a.filename }, a.filename),
      h("span", { class: "meta" }, ` ${size(a.size)} · ${formatDate(a.created_at)}`)),
    preview);
}

function renderAttachments() {
  attachmentsEl.replaceChildren(...(card.attachments.length
    ? card.attachments.map(attachmentItem)
    : [h("li", { class: "empty" }, t("No attachment."))]));
}

const attachForm = document.getElementById("attach-form");
attachForm.hidden = !canWrite;
attachForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const file = attachForm.elements.file.files[0];
  if (!file) return;
  submitting(attachForm, async () => {
    const upload = new FormData();
    upload.append("file", file);
    const view = await api("POST", `/cards/${card.id}/attachments`, upload);
    if (!card.attachments.some((a) => a.id === view.id)) card.attachments.push(view);
    renderAttachments();
    attachForm.reset();
  });
});

// --- live --------------------------------------------------------------------------------

function onEvent(message) {
  if (card === null || card.gone === "merged") return; // deleted or merged: nothing more to show
  // A merge undone elsewhere may take comments and files back from this card: no event says
  // which card it was merged into, so the page asks (it is rare).
  if (message.kind === "card.unmerged") {
    reload().catch(() => {});
    showSimilar();
    return;
  }
  const next = applyCard(card, message, viewer);
  if (next === card) return;
  if (next?.gone === "merged") {
    // This card now lives in another one: its page is that card's (the server redirects there
    // when it cannot be said here).
    card = next;
    editor = null;
    commentEditors.clear();
    article.replaceChildren(h("p", { class: "notice" }, t("This card was merged into another: opening it…")));
    if (next.merged_into_id) location.assign(`/cards/${next.merged_into_id}`);
    else location.reload();
    return;
  }
  if (next === null || next.gone) {
    editor = null;
    commentEditors.clear();
    const text = next ? t("The animator has hidden this card.") : t("This card has been deleted.");
    article.replaceChildren(h("p", { class: "notice" }, text));
    card = next;
    return;
  }
  if (next.reload) { // published again, or given a duplicate's comments: fetch it
    card = next;
    reload().catch(() => {});
    if (message.kind === "card.merged") showSimilar();
    return;
  }
  card = next;
  if (editor) {
    // The editor keeps its own version; it only says that the card moved on meanwhile.
    const notice = document.getElementById("ed-changed");
    if (notice) notice.hidden = card.version === editor.version;
  } else {
    renderCard();
  }
  if (!commentEditors.size) renderComments();
  renderAttachments();
}

/** The card fresh from the server (after a resync or a reconnect); answers the board's seq. */
async function reload() {
  // The seq first: the feed then replays anything newer than what the card shows.
  const board = await api("GET", `/boards/${data.card.board_id}`);
  let fresh;
  try {
    fresh = await api("GET", `/cards/${data.card.id}`);
  } catch (error) {
    if (error.mergedInto) { // merged meanwhile: its page is the other card's
      location.replace(`/cards/${error.mergedInto}`);
      return board.seq;
    }
    if (error.status !== 404) throw error;
    card = { id: data.card.id, gone: "unavailable" }; // deleted or hidden meanwhile
    article.replaceChildren(h("p", { class: "notice" }, t("This no longer exists, or is not shared with you.")));
    return board.seq;
  }
  card = fresh;
  renderCard();
  if (!commentEditors.size) renderComments();
  renderAttachments();
  return board.seq;
}

// --- history, guide and showcase ----------------------------------------------------------

const versions = cardHistory({
  cardId: data.card.id,
  canRestore: () => canWrite && (isAnimator || isMine(card.author)),
  onRestored: async (view, version) => {
    card = { ...card, ...view };
    editor = null;
    renderCard();
    toast(t("Version {n} is the card’s content again.", { n: version }));
  },
});
let countedVersion = null; // the card's version when its versions were last counted
let countTimer = 0;

/** Count the card's versions again once its version moved (the button says how many). */
function historyCount() {
  if (!card || card.version === countedVersion) return;
  countedVersion = card.version;
  clearTimeout(countTimer);
  countTimer = setTimeout(async () => {
    try {
      await versions.load();
    } catch {
      return; // the button says « Historique » without a count
    }
    const button = document.getElementById("history-open");
    if (button) button.textContent = versions.label();
  }, countedVersion === data.card.version ? 0 : 400);
}

const capital = capitalSection({
  root: document.getElementById("showcase"), card, state: data.showcase ?? null,
  isAnimator, myId, canWrite,
  onCard: (view) => {
    card = { ...card, ...view };
    if (!editor) renderCard();
  },
});

// --- similar cards, merges ---------------------------------------------------------------

const similarList = document.getElementById("similar-cards");
const mergeStatus = document.getElementById("merge-status");
const mergeDialog = document.getElementById("merge-dialog");
let similarAsked = 0;

/** List the cards like this one (GET /cards/{id}/similar); animators may merge each here. */
async function showSimilar() {
  const ticket = (similarAsked += 1);
  let found;
  try {
    found = (await api("GET", `/cards/${data.card.id}/similar`)).cards;
  } catch {
    found = null;
  }
  if (ticket !== similarAsked) return; // an older answer arriving late
  if (found === null) {
    similarList.replaceChildren(h("li", { class: "empty" }, t("Similar cards cannot be shown for a moment.")));
    return;
  }
  similarList.replaceChildren(...(found.length
    ? found.map((other) => similarItem(other, {}, isAnimator && canWrite ? h("button", {
      type: "button", class: "button small merge-here", "aria-haspopup": "dialog",
      onclick: (event) => askMerge(other, event.currentTarget),
    }, t("Merge here"), h("span", { class: "visually-hidden" }, ` — ${other.title}`)) : null))
    : [h("li", { class: "empty" }, t("No similar card for now."))]));
}

/** Ask, in a dialog, before merging card `other` into this one; `opener` gets the focus back. */
function askMerge(other, opener) {
  document.getElementById("merge-dialog-title").textContent = t("Merge « {title} » into this card?", { title: other.title });
  document.getElementById("merge-dialog-lead").textContent = t("If you merge « {merged} » into « {kept} »:", { merged: other.title, kept: card.title });
  const error = mergeDialog.querySelector(".form-error");
  error.hidden = true;
  const confirmButton = document.getElementById("merge-confirm");
  const cancel = document.getElementById("merge-cancel");
  const done = () => {
    confirmButton.onclick = null;
    cancel.onclick = null;
    mergeDialog.onclose = null;
    if (mergeDialog.open) mergeDialog.close();
  };
  cancel.onclick = () => {
    done();
    opener.focus();
  };
  mergeDialog.onclose = () => {
    done();
    if (opener.isConnected) opener.focus();
  };
  confirmButton.onclick = async () => {
    confirmButton.disabled = true;
    try {
      const merge = await api("POST", `/cards/${card.id}/merge`, { card_id: other.id });
      done();
      await merged(merge, other);
    } catch (failure) {
      error.textContent = errorText(failure);
      error.hidden = false;
    } finally {
      confirmButton.disabled = false;
    }
  };
  mergeDialog.showModal();
  cancel.focus();
}

/** After a merge: say it, offer to undo it, show what came with it. */
async function merged(merge, other) {
  const undo = h("button", { type: "button", class: "button small", onclick: () => undoMerge(merge, other, undo) }, t("Undo the merge"));
  mergeStatus.replaceChildren(h("p", { class: "notice merge-notice" },
    h("span", { class: "merge-text", tabindex: "-1" }, t("« {title} » was merged here.", { title: other.title })), " ", undo));
  await refresh();
  undo.focus();
}

async function undoMerge(merge, other, button) {
  button.disabled = true;
  try {
    await api("POST", `/merges/${merge.id}/undo`);
  } catch (error) {
    button.disabled = false;
    toast(errorText(error), "error");
    return;
  }
  const text = h("span", { class: "merge-text", tabindex: "-1" },
    t("Merge undone: « {title} » is back on its board with what it had.", { title: other.title }));
  mergeStatus.replaceChildren(h("p", { class: "notice merge-notice" }, text));
  await refresh();
  text.focus();
}

/** The card, its comments and files, and the similar cards, fresh from the server. */
async function refresh() {
  await Promise.all([reload().catch((error) => toast(errorText(error), "error")), showSimilar()]);
}

renderCard();
renderComments();
renderAttachments();
showSimilar();
if (location.hash === "#showcase") document.getElementById("showcase")?.scrollIntoView();
if (location.hash.startsWith("#comment-")) document.querySelector(location.hash)?.scrollIntoView();
new LiveFeed({ collective: collective.id, board: card.board_id, seq: data.board.seq, onEvent, resync: reload, reconcile: reload });
api("POST", `/collectives/${collective.id}/visits`, { board_id: card.board_id, card_id: card.id }).catch(() => {});
