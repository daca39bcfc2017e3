// @mentions in a text box: typing « @ » and the first letters of a name lists the members of
// the collective who match (ARIA combobox: the box keeps the focus, arrows move through the
// list, Enter or Tab writes « @Prénom Nom », Escape closes). The server recognises the whole
// display name after « @ », in any case (server/domain/notify/mentions.py); observers are not
// told, so they are not offered.

import { api, h, initials, t } from "./common.js";

const MAX_SHOWN = 8;
const MAX_QUERY = 40;
const members = new Map(); // collective id → Promise of [{id, display_name, folded words}]

/** Lower case without accents: « Élodie » is found by « elo ». */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

/** The members one may mention in `collectiveId` (fetched once per page). */
export function mentionable(collectiveId) {
  if (!members.has(collectiveId)) {
    const me = Number(document.body.dataset.me || 0);
    const asked = api("GET", `/collectives/${collectiveId}/members`).then((answer) => answer.members
      .filter((m) => m.role !== "observer" && m.user.id !== me && m.user.display_name?.trim())
      .map((m) => ({ id: m.user.id, name: m.user.display_name, folded: fold(m.user.display_name) }))
      .sort((a, b) => a.name.localeCompare(b.name)));
    asked.catch(() => members.delete(collectiveId)); // asked again next time
    members.set(collectiveId, asked);
  }
  return members.get(collectiveId);
}

/** Whether `query` (folded) starts one of the words of `folded` (a folded name), spaces
 * included: « marie du » matches « Marie Dupont », « dup » too. */
export function matches(folded, query) {
  for (let i = 0; i < folded.length; i += 1) {
    if ((i === 0 || /[\s'’-]/u.test(folded[i - 1])) && folded.startsWith(query, i)) return true;
  }
  return false;
}

/** The « @quer » being typed just before the caret: {start, query}, or null. */
function typedMention(box) {
  const end = box.selectionStart;
  if (end !== box.selectionEnd) return null;
  const before = box.value.slice(Math.max(0, end - MAX_QUERY - 1), end);
  const at = before.lastIndexOf("@");
  if (at < 0) return null;
  const query = before.slice(at + 1);
  const start = end - before.length + at;
  const previous = start > 0 ? box.value[start - 1] : " ";
  // An e-mail address (« anna@exemple.fr ») is no mention; a name starts with a letter.
  if (/[\p{L}\p{N}_@]/u.test(previous)) return null;
  if (!/^\p{L}[\p{L}\p{M}'’. -]*$/u.test(query) || /\s\s|\n/.test(query)) return null;
  return { start, query };
}

/** Offer mentions in `box` (a textarea) among the members of `collectiveId`. */
export function attachMentions(box, collectiveId) {
  if (!box || box.dataset.mentions) return;
  box.dataset.mentions = "on";
  const listId = `${box.id}-mentions`;
  const hintId = `${box.id}-mentions-hint`;
  const wrap = h("div", { class: "mention-wrap" });
  box.replaceWith(wrap);
  const list = h("ul", { class: "mention-list", id: listId, role: "listbox", "aria-label": t("Members to mention"), hidden: true });
  const hint = h("span", { class: "visually-hidden", id: hintId }, t("Type @ and the first letters of a name to mention a member."));
  wrap.append(box, list, hint);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", listId);
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), hintId].filter(Boolean).join(" "));

  let shown = []; // the members listed
  let active = -1;
  let typed = null; // {start, query} the list answers
  let ticket = 0;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    shown = [];
    active = -1;
    typed = null;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    const option = list.children[index];
    if (!option) return box.removeAttribute("aria-activedescendant");
    box.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
    return undefined;
  };
  const insert = (member) => {
    if (!typed || !member) return;
    const end = typed.start + 1 + typed.query.length;
    const text = `@${member.name} `;
    // setRangeText keeps the undo history simple and the rest of the text as it is.
    box.setRangeText(text, typed.start, end, "end");
    close();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  };
  const update = async () => {
    const found = typedMention(box);
    if (!found) return close();
    const mine = ++ticket;
    let everyone;
    try {
      everyone = await mentionable(collectiveId);
    } catch {
      return close(); // no list: the text box works as before
    }
    if (mine !== ticket) return undefined; // typed on meanwhile
    const query = fold(found.query);
    shown = everyone.filter((m) => matches(m.folded, query)).slice(0, MAX_SHOWN);
    if (!shown.length) return close();
    typed = found;
    list.replaceChildren(...shown.map((member, i) => {
      const option = h("li", { role: "option", id: `${listId}-${member.id}`, "aria-selected": "false", class: "mention-option" },
        h("span", { class: "avatar small", "aria-hidden": "true" }, initials(member.name)),
        h("span", { class: "mention-name" }, member.name));
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // the focus stays in the text box
        active = i;
        insert(member);
      });
      return option;
    }));
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlight(0);
    return undefined;
  };

  box.addEventListener("input", update);
  box.addEventListener("click", update);
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + shown.length) % shown.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey) {
      if (active < 0) return;
      event.preventDefault();
      insert(shown[active]);
    } else if (event.key === "Escape") {
      // Closes the list only, not the dialog the box may be in.
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") {
      setTimeout(update, 0); // the caret moved: the word before it may not be a mention now
    }
  });
  box.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== box) close();
  }, 150));
  // Asked for on first use, so the list is there when the first « @ » is typed.
  box.addEventListener("focus", () => mentionable(collectiveId).catch(() => {}), { once: true });
}
