// The collective's practice guide, on its home page: the licence it is shared under (the
// animators choose it), and for animators the practices waiting to be validated for it and the
// address of the public showcase. The download links are in the page itself.

import { api, errorText, h, N_, submitting, t, tn } from "./common.js";

export const LICENCES = {
  "CC-BY-SA-4.0": N_("Creative Commons BY-SA 4.0: reuse, crediting the collective, under the same licence"),
  "CC-BY-4.0": N_("Creative Commons BY 4.0: reuse, crediting the collective"),
  "all-rights-reserved": N_("All rights reserved"),
};
// Short enough for a phone's select; the sentence above says what each allows.
const LICENCE_NAMES = {
  "CC-BY-SA-4.0": "Creative Commons BY-SA 4.0",
  "CC-BY-4.0": "Creative Commons BY 4.0",
  "all-rights-reserved": N_("All rights reserved"),
};

/** The guide block for `collective` (its view); `onCollective(view)` takes the collective the
 * server answers after a change of licence. Answers {render(collective)}. */
export function guideBlock({ collective: first, isAnimator, onCollective }) {
  const licenceBox = document.getElementById("guide-licence");
  // Outside the form, which a live « collective.updated » may draw again meanwhile.
  const saved = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  let collective = first;

  const licenceText = (value) => t(LICENCES[value] || value);

  function render(next) {
    collective = next;
    if (!isAnimator) {
      licenceBox.replaceChildren(h("p", { class: "meta" }, t("Licence:"), " ", licenceText(collective.licence)));
      return;
    }
    if (licenceBox.querySelector("form")?.contains(document.activeElement)) return; // being changed
    const form = h("form", { class: "inline-form licence-form" },
      h("label", { for: "guide-licence-select" }, t("Licence of the guide")),
      h("select", { id: "guide-licence-select", name: "licence", "aria-describedby": "guide-licence-help" },
        Object.keys(LICENCES).map((value) => h("option", { value, selected: value === collective.licence }, t(LICENCE_NAMES[value])))),
      h("button", { type: "submit", class: "button small" }, t("Save the licence")),
      h("p", { class: "help", id: "guide-licence-help" }, licenceText(collective.licence)),
      h("p", { class: "form-error", role: "alert", hidden: true }));
    form.elements.licence.addEventListener("change", () => {
      form.querySelector("#guide-licence-help").textContent = licenceText(form.elements.licence.value);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitting(form, async () => {
        const view = await api("PATCH", `/collectives/${collective.id}`, { licence: form.elements.licence.value });
        collective = view;
        onCollective(view);
        saved.textContent = t("Licence saved: {licence}.", { licence: licenceText(view.licence) });
      });
    });
    licenceBox.replaceChildren(form, saved);
  }

  async function loadPending() {
    const box = document.getElementById("guide-pending");
    try {
      const found = (await api("GET", `/collectives/${collective.id}/guide/pending`)).cards;
      box.replaceChildren(...[
        h("p", {}, found.length
          ? tn("{n} practice waiting for validation", "{n} practices waiting for validation", found.length)
          : t("Nothing waiting for validation.")),
        found.length ? h("ul", { class: "pending-list" }, found.map((card) => h("li", {}, h("a", { href: `/cards/${card.id}` }, card.title)))) : null,
      ].filter(Boolean));
    } catch (error) {
      box.replaceChildren(h("p", { class: "form-error" }, errorText(error)));
    }
  }

  async function loadShowcase() {
    const box = document.getElementById("guide-showcase");
    try {
      const found = await api("GET", `/collectives/${collective.id}/showcase`);
      const shown = found.cards.filter((c) => c.shown).length;
      box.replaceChildren(found.url
        ? h("p", {}, t("The public showcase:"), " ", h("a", { href: found.url, id: "showcase-link" }, found.url), " ",
          h("span", { class: "meta" }, tn("({n} practice shown)", "({n} practices shown)", shown)))
        : h("p", { class: "meta" }, t("No public showcase yet: it opens when an animator shows a validated practice there.")));
    } catch (error) {
      box.replaceChildren(h("p", { class: "form-error" }, errorText(error)));
    }
  }

  render(collective);
  if (isAnimator) {
    loadPending();
    loadShowcase();
  }
  return { render };
}
