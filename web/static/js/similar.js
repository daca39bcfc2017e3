// Cards like the one being written: while someone types a card's title and text (the board's
// new-card dialog, a card's editor), the collective's published cards that look like it are
// listed under the form, so a duplicate can be spotted — never prevented: the author may still
// publish. The count is said politely (a live region), the focus stays in the field.
//
// The server ranks them (GET /collectives/{id}/similar, search/similar/): at most five, best
// first. A request still on its way when the text changes again is cancelled.

import { api, h, kindLabel, t, tn } from "./common.js";

const DELAY_MS = 300;
const MIN_TITLE = 3;
const MAX_TEXT = 10000; // the server refuses longer texts (422)

let made = 0;

/** A link to a card, with its kind; `newTab` (beside a form being filled in, which must not
 * be lost) opens it in a new tab and says so to screen readers. */
export function similarItem(card, { newTab = false } = {}, ...extra) {
  return h("li", { class: `similar-item kind-${card.kind}` },
    h("span", { class: "kind-badge" }, kindLabel(card.kind)),
    h("a", {
      href: card.url || `/cards/${card.id}`, class: "similar-link",
      target: newTab ? "_blank" : null, rel: newTab ? "noopener" : null,
    }, card.title, newTab ? h("span", { class: "visually-hidden" }, ` ${t("(new tab)")}`) : null),
    ...extra);
}

/** Suggestions for the card typed in `title` and `body` (inputs) in `collectiveId`, leaving out
 * card `exclude`; `hint` says what the author may do anyway. Answers {element} to place under
 * the fields and reset(), to call when the form is opened again. */
export function similarSuggestions({ title, body, collectiveId, exclude = null, hint }) {
  const id = `similar-${(made += 1)}`;
  const list = h("ul", { class: "similar-list", role: "list" });
  const region = h("section", { class: "similar-suggestions", "aria-labelledby": `${id}-title`, hidden: true },
    h("h3", { class: "similar-title", id: `${id}-title` }, t("These cards look like yours")),
    list,
    h("p", { class: "help" }, hint));
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite", id: `${id}-status` });
  let timer = 0;
  let controller = null;
  let said = 0; // the count last announced: the same count is not said again at each key

  const show = (cards) => {
    list.replaceChildren(...cards.map((card) => similarItem(card, { newTab: true })));
    region.hidden = !cards.length;
    if (cards.length !== said) {
      said = cards.length;
      status.textContent = cards.length ? tn("{n} card looks like yours", "{n} cards look like yours", cards.length) : "";
    }
  };

  const ask = async () => {
    controller?.abort();
    controller = null;
    const typed = title.value.trim();
    if (typed.length < MIN_TITLE) return show([]);
    controller = new AbortController();
    const mine = controller;
    const text = `${typed}\n${body?.value || ""}`.slice(0, MAX_TEXT);
    const params = new URLSearchParams({ text });
    if (exclude != null) params.set("exclude", String(exclude));
    try {
      const found = await api("GET", `/collectives/${collectiveId}/similar?${params}`, undefined, { signal: mine.signal });
      if (mine.signal.aborted) return undefined;
      show(found.cards.slice(0, 5));
    } catch {
      // Cancelled, or the server could not say: the form works as without suggestions.
    } finally {
      if (controller === mine) controller = null;
    }
    return undefined;
  };

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY_MS);
  };
  title.addEventListener("input", later);
  body?.addEventListener("input", later);

  return {
    element: h("div", { class: "similar-box" }, region, status),
    reset() {
      clearTimeout(timer);
      controller?.abort();
      controller = null;
      said = 0;
      list.replaceChildren();
      region.hidden = true;
      status.textContent = "";
    },
  };
}
