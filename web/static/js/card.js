// A card's page: rendered Markdown (sanitised by the server), reactions, attachments with
// previews, comments that arrive live, editing for its author, moderation for animators.

import {
  api, avatar, errorText, formatDate, h, icon, kindLabel, KIND_LABELS, pageData, REACTIONS, splitList, submitting, t, timeEl, toast,
} from "./common.js";
import { LiveFeed } from "./live.js";

const data = pageData();
const collective = data.collective;
const isAnimator = collective.role === "animator";
const canWrite = collective.role !== "observer";
let card = data.card;
let editing = false;
const article = document.getElementById("card");
const commentsEl = document.getElementById("comments");
const attachmentsEl = document.getElementById("attachments");
const myId = Number(document.body.dataset.me || 0);

function html(markup) {
  const div = h("div", { class: "prose" });
  div.innerHTML = markup; // sanitised server-side (server/markdown.py): no script, safe links only
  return div;
}

function isMine(author) {
  return author && author.id === myId;
}

function renderCard() {
  const hidden = card.moderation === "hidden";
  const column = data.columns.find((c) => c.id === card.column_id);
  const canEdit = canWrite && (isAnimator || isMine(card.author));
  if (editing) return renderEditor();
  article.className = `card-page kind-${card.kind}${hidden ? " is-hidden" : ""}`;
  article.replaceChildren(
    h("div", { class: "card-top" },
      h("span", { class: "kind-badge" }, kindLabel(card.kind)),
      column ? h("span", { class: "meta" }, column.name) : null,
      card.pinned ? h("span", { class: "flag pinned" }, t("Pinned")) : null,
      hidden ? h("span", { class: "flag hidden" }, t("Hidden from members")) : null),
    h("h1", { id: "card-title" }, card.title),
    h("p", { class: "byline" }, avatar(card.author, "small"), " ", card.author.display_name, " · ", timeEl(card.created_at)),
    card.body_html ? html(card.body_html) : h("p", { class: "meta" }, t("No text.")),
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
      canEdit ? h("button", { type: "button", class: "button small", onclick: () => { editing = true; renderCard(); } }, t("Edit")) : null,
      isAnimator ? h("button", { type: "button", class: "button small", onclick: () => patch({ pinned: !card.pinned }) }, card.pinned ? t("Unpin") : t("Pin")) : null,
      isAnimator ? h("button", { type: "button", class: "button small", onclick: () => patch({ moderation: hidden ? "published" : "hidden" }) }, hidden ? t("Restore") : t("Hide from members")) : null,
      canWrite && !isAnimator && !isMine(card.author) ? h("button", { type: "button", class: "button small ghost", onclick: () => flag("cards", card.id) }, t("Report")) : null,
      canEdit ? h("button", { type: "button", class: "button small danger", onclick: remove }, t("Delete")) : null));
}

function renderEditor() {
  const form = h("form", { class: "form" },
    h("div", { class: "field" }, h("label", { for: "ed-kind" }, t("Kind")),
      h("select", { id: "ed-kind", name: "kind" }, Object.keys(KIND_LABELS).map((k) => h("option", { value: k, selected: k === card.kind }, kindLabel(k))))),
    h("div", { class: "field" }, h("label", { for: "ed-title" }, t("Title")), h("input", { id: "ed-title", name: "title", required: true, maxlength: 200, value: card.title })),
    h("div", { class: "field" }, h("label", { for: "ed-body" }, t("Text")), h("textarea", { id: "ed-body", name: "body", rows: 8 })),
    h("div", { class: "field" }, h("label", { for: "ed-tags" }, t("Keywords (comma-separated)")), h("input", { id: "ed-tags", name: "tags", value: (card.tags || []).join(", ") })),
    h("p", { class: "form-error", role: "alert", hidden: true }),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "button ghost", onclick: () => { editing = false; renderCard(); } }, t("Cancel")),
      h("button", { type: "submit", class: "button primary" }, t("Save"))));
  form.elements.body.value = card.body;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      await patch({
        kind: form.elements.kind.value, title: form.elements.title.value.trim(),
        body: form.elements.body.value, tags: splitList(form.elements.tags.value),
      }, true);
      editing = false;
      renderCard();
    });
  });
  article.replaceChildren(form);
  form.elements.title.focus();
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

const comments = new Map();

function commentItem(comment) {
  const hidden = comment.moderation === "hidden";
  const canEdit = canWrite && (isAnimator || isMine(comment.author));
  return h("li", { class: `comment${hidden ? " is-hidden" : ""}`, id: `comment-${comment.id}` },
    h("div", { class: "comment-head" }, avatar(comment.author, "small"),
      h("strong", {}, comment.author.display_name), " ", timeEl(comment.created_at),
      hidden ? h("span", { class: "flag hidden" }, t("Hidden from members")) : null),
    html(comment.body_html || ""),
    h("div", { class: "comment-actions" },
      isAnimator ? h("button", { type: "button", class: "link-button", onclick: () => moderateComment(comment, hidden ? "published" : "hidden") }, hidden ? t("Restore") : t("Hide")) : null,
      canWrite && !isAnimator && !isMine(comment.author) ? h("button", { type: "button", class: "link-button", onclick: () => flag("comments", comment.id) }, t("Report")) : null,
      canEdit ? h("button", { type: "button", class: "link-button", onclick: () => deleteComment(comment) }, t("Delete")) : null));
}

function renderComments() {
  const list = [...comments.values()].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  commentsEl.replaceChildren(...(list.length ? list.map(commentItem) : [h("li", { class: "empty" }, t("No comment yet: be the first to answer."))]));
}

async function moderateComment(comment, moderation) {
  try {
    const view = await api("PATCH", `/comments/${comment.id}`, { moderation });
    comments.set(comment.id, { ...comment, ...view });
    renderComments();
  } catch (error) {
    toast(errorText(error), "error");
  }
}

async function deleteComment(comment) {
  if (!confirm(t("Delete this comment?"))) return;
  try {
    await api("DELETE", `/comments/${comment.id}`);
    comments.delete(comment.id);
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
    comments.set(view.id, view);
    renderComments();
    commentForm.reset();
  });
});
commentForm.elements.body.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) commentForm.requestSubmit();
});

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
  if (message.card !== card.id) return;
  const d = message.data || {};
  switch (message.kind) {
    case "card.updated":
    case "card.moved":
    case "card.restored":
    case "card.pinned":
    case "card.unpinned":
      if (!(card.version >= d.version) || message.kind === "card.restored") {
        card = { ...card, ...d, comments: undefined };
        if (!editing) renderCard();
      }
      break;
    case "card.hidden":
      if (isAnimator) {
        card.moderation = "hidden";
        renderCard();
      } else {
        article.replaceChildren(h("p", { class: "notice" }, t("The animator has hidden this card.")));
      }
      break;
    case "card.deleted":
      article.replaceChildren(h("p", { class: "notice" }, t("This card has been deleted.")));
      break;
    case "comment.created":
    case "comment.updated":
    case "comment.restored":
      if (!d.redacted) comments.set(d.id, d);
      renderComments();
      break;
    case "comment.hidden":
      if (isAnimator && comments.has(d.id)) comments.get(d.id).moderation = "hidden";
      else comments.delete(d.id);
      renderComments();
      break;
    case "comment.deleted":
      comments.delete(d.id);
      renderComments();
      break;
    case "reaction.added":
    case "reaction.removed":
      card.reactions = d.reactions;
      renderCard();
      break;
    case "attachment.added":
      if (!card.attachments.some((a) => a.id === d.id)) card.attachments.push(d);
      renderAttachments();
      break;
    default:
      break;
  }
}

async function reload() {
  const fresh = await api("GET", `/cards/${card.id}`);
  card = fresh;
  comments.clear();
  for (const c of fresh.comments) comments.set(c.id, c);
  renderCard();
  renderComments();
  renderAttachments();
  const board = await api("GET", `/boards/${card.board_id}`);
  return board.seq;
}

for (const c of card.comments) comments.set(c.id, c);
renderCard();
renderComments();
renderAttachments();
if (location.hash.startsWith("#comment-")) document.querySelector(location.hash)?.scrollIntoView();
new LiveFeed({ collective: collective.id, board: card.board_id, seq: data.board.seq, onEvent, resync: reload });
api("POST", `/collectives/${collective.id}/visits`, { board_id: card.board_id, card_id: card.id }).catch(() => {});
