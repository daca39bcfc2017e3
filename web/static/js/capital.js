// « Guide et vitrine » on a card's page: an animator validates a practice or a decision for
// the collective's guide (or takes it out), then may show it on the public showcase
// (/p/<slug>); its author decides whether it appears there, under their name and company or
// anonymously — until they say so, nothing is shown. The section is #showcase: the author's
// notification links here.

import { api, errorText, formatDate, h, t } from "./common.js";

export const GUIDE_KINDS = ["practice", "decision"];

/** The section in `root` for the card page; `state` is the card's place in the showcase
 * (for its author and animators, else null); `onCard(card)` takes the card the server
 * answers. Answers {render(card)}. */
export function capitalSection({ root, card: first, state: firstState, isAnimator, myId, canWrite, onCard }) {
  const box = root.querySelector(".capital-body");
  const status = root.querySelector(".capital-status");
  let card = first;
  let state = firstState;
  let busy = false;

  const say = (text) => {
    status.textContent = "";
    setTimeout(() => (status.textContent = text), 30);
  };
  const isAuthor = () => Boolean(card.author) && card.author.id === myId;

  /** Run `work`, then render and put the focus on the control named `focus` again. */
  const act = async (work, focus) => {
    if (busy) return;
    busy = true;
    box.querySelectorAll("button").forEach((b) => (b.disabled = true));
    try {
      await work();
    } catch (error) {
      say(errorText(error));
      box.querySelector(".capital-error")?.remove();
      box.append(h("p", { class: "form-error capital-error", role: "alert" }, errorText(error)));
      box.querySelectorAll("button").forEach((b) => (b.disabled = false));
      return;
    } finally {
      busy = false;
    }
    render(card);
    box.querySelector(`[data-focus="${focus}"]`)?.focus();
  };

  const capitalise = (on) => act(async () => {
    const view = await api("POST", `/cards/${card.id}/capitalise`, { capitalised: on });
    card = { ...card, ...view };
    if (state) {
      state = { ...state, shown: Boolean(on && state.public && state.author_consent) };
      if (!state.shown) state.url = null;
      if (on && state.public) state = await refreshState();
    }
    onCard(view);
    say(on ? t("Validated for the guide.") : t("Taken out of the guide."));
  }, "guide");

  const refreshState = async () => {
    const found = await api("GET", `/collectives/${card.collective_id}/showcase`);
    return found.cards.find((c) => c.card_id === card.id) || state;
  };

  const setPublic = (on) => act(async () => {
    state = await api("PUT", `/cards/${card.id}/showcase`, { public: on });
    say(on ? t("Proposed for the public showcase.") : t("Taken out of the public showcase."));
  }, "public");

  const setConsent = (consent) => act(async () => {
    state = await api("PUT", `/cards/${card.id}/showcase-consent`, { consent });
    say(t("Your choice is saved."));
  }, "consent");

  const guidePart = () => {
    const inGuide = Boolean(card.capitalised_at);
    return h("div", { class: "capital-part" },
      h("p", { class: `guide-state${inGuide ? " in-guide" : ""}` },
        inGuide
          ? t("In the guide since {date}.", { date: formatDate(card.capitalised_at) })
          : t("Not in the practice guide yet.")),
      isAnimator && canWrite ? h("button", {
        type: "button", class: `button small${inGuide ? "" : " primary"}`, dataset: { focus: "guide" },
        onclick: () => capitalise(!inGuide),
      }, inGuide ? t("Take out of the guide") : t("Validate for the guide")) : null);
  };

  const showcasePart = () => {
    if (!card.capitalised_at || !state || !isAnimator) return null;
    const waiting = state.public && !state.author_consent;
    return h("div", { class: "capital-part" },
      h("p", {}, state.public ? t("Proposed for the public showcase.") : t("Not on the public showcase.")),
      waiting ? h("p", { class: "help" }, t("Nothing is shown until its author agrees: they have been asked.")) : null,
      canWrite ? h("button", {
        type: "button", class: "button small", dataset: { focus: "public" },
        onclick: () => setPublic(!state.public),
      }, state.public ? t("Take off the public showcase") : t("Show on the public showcase")) : null);
  };

  const consentPart = () => {
    if (!state || !state.public || !isAuthor()) return null;
    const form = h("form", { class: "form consent-form" },
      h("fieldset", { class: "consent-choices", "aria-describedby": "consent-help" },
        h("legend", {}, t("Show my card on the public showcase?")),
        h("p", { class: "help", id: "consent-help" }, t("The animators propose to publish it on the collective’s public page, which anyone can read, search engines included: its title, text, keywords and practice sheet, with your name and your company’s, or “Anonymous”. Nothing else: no comment, no email address. You can change your mind at any time; it is taken off at once.")),
        [["named", t("Under my name and my company’s")], ["anonymous", t("Anonymously")], ["none", t("Do not show it")]].map(([value, label]) => {
          const checked = (state.author_consent || "none") === value;
          return h("label", { class: "choice" },
            h("input", { type: "radio", name: "consent", value, checked }), " ", label);
        })),
      h("button", { type: "submit", class: "button small primary", dataset: { focus: "consent" } }, t("Save my choice")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = form.elements.consent.value;
      setConsent(value === "none" ? null : value);
    });
    return form;
  };

  const shownPart = () => {
    if (!state) return null;
    if (state.shown && state.url) {
      return h("p", { class: "showcase-state shown" }, t("Visible on the showcase:"), " ", h("a", { href: state.url }, state.url));
    }
    if (state.public && state.author_consent === null && isAuthor()) return h("p", { class: "help" }, t("Not shown until you choose."));
    return null;
  };

  function render(next) {
    card = next;
    const eligible = GUIDE_KINDS.includes(card.kind) && card.moderation !== "hidden";
    // Others than animators see it once the card is in the guide (or, for its author, asked
    // for the showcase).
    const visible = eligible && (isAnimator || card.capitalised_at || (state?.public && isAuthor()));
    root.hidden = !visible;
    if (!visible) return;
    box.replaceChildren(...[guidePart(), showcasePart(), consentPart(), shownPart()].filter(Boolean));
  }

  return { render };
}
