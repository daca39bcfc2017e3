// The dialog that settles an edit which clashed with someone else's (a 409 on save).
//
// It shows, field by field, what changed on each side since the editor opened: a field changed
// on one side only is merged without asking; a field changed on both sides is shown side by
// side with a choice. The person then keeps their version (for what they changed: what only the
// other person changed stays), takes the other one, or merges.
// A modal <dialog>: the rest of the page is inert, Tab stays inside, Escape goes back to editing.

import { h, t } from "./common.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * @param {object} conflict fields [{name, label, text?(value), long?}], base (the values the
 *   editor opened), mine (what the person saved), theirs (what the server has now)
 * @returns {Promise<{choice: "mine"|"theirs"|"merge", values}|null>} null: back to editing
 */
export function resolveConflict({ fields, base, mine, theirs }) {
  const shown = (field, value) => (field.text ? field.text(value) : String(value ?? ""));
  const changedByMe = fields.filter((f) => !same(mine[f.name], base[f.name]));
  const changedByThem = fields.filter((f) => !same(theirs[f.name], base[f.name]));
  const clashes = changedByMe.filter((f) => changedByThem.includes(f) && !same(mine[f.name], theirs[f.name]));
  const onlyMine = changedByMe.filter((f) => !clashes.includes(f));
  const onlyTheirs = changedByThem.filter((f) => !clashes.includes(f) && !changedByMe.includes(f));
  // They changed none of these fields (they moved or pinned it): nothing to ask.
  if (!changedByThem.length) return Promise.resolve({ choice: "merge", values: { ...mine } });

  const side = (field, who, value, checked) => {
    const id = `conflict-${field.name}-${who}`;
    return h("div", { class: `conflict-side ${who}` },
      h("input", { type: "radio", name: `pick-${field.name}`, id, value: who, checked }),
      h("label", { for: id }, who === "mine" ? t("Your version") : t("Their version")),
      h(field.long ? "pre" : "p", { class: "conflict-value" }, shown(field, value) || t("(empty)")));
  };
  const merged = (list, whose) => list.length
    ? h("li", {}, whose, " ", list.map((f) => f.label).join(", "))
    : null;

  const dialog = h("dialog", {
    class: "dialog conflict-dialog", "aria-labelledby": "conflict-title", "aria-describedby": "conflict-intro",
  },
  h("h2", { id: "conflict-title" }, t("Changed while you were editing")),
  h("p", { id: "conflict-intro" }, t("Someone saved a change since you started. Nothing is lost: choose what to keep.")),
  onlyMine.length || onlyTheirs.length
    ? h("ul", { class: "conflict-merged", "aria-label": t("Merged without asking") },
      merged(onlyMine, t("Yours only:")), merged(onlyTheirs, t("Theirs only:")))
    : null,
  clashes.map((field) => h("fieldset", { class: "conflict-field" },
    h("legend", {}, t("{field}: changed on both sides", { field: field.label })),
    h("div", { class: "conflict-sides" },
      side(field, "mine", mine[field.name], true),
      side(field, "theirs", theirs[field.name], false)))),
  fields.length > 1 ? h("details", { class: "conflict-full" },
    h("summary", {}, t("Both versions in full")),
    h("div", { class: "conflict-sides" },
      [[t("Your version"), mine], [t("Their version"), theirs]].map(([title, values]) => h("section", {},
        h("h3", {}, title),
        fields.map((f) => h("div", {},
          h("p", { class: "conflict-label" }, f.label),
          h(f.long ? "pre" : "p", { class: "conflict-value" }, shown(f, values[f.name]) || t("(empty)")))))))) : null,
  h("p", { class: "hint conflict-keep-hint", id: "conflict-keep-hint" },
    onlyTheirs.length
      ? t("“Keep mine” keeps your version wherever you changed something; what only they changed stays.")
      : t("“Keep mine” keeps your version wherever you changed something.")),
  h("div", { class: "dialog-actions" },
    h("button", { type: "button", class: "button ghost", value: "back" }, t("Back to editing")),
    h("button", { type: "button", class: "button", value: "theirs" }, t("Take theirs")),
    h("button", { type: "button", class: "button", value: "mine", "aria-describedby": "conflict-keep-hint" }, t("Keep mine")),
    h("button", { type: "button", class: "button primary", value: "merge" }, t("Merge"))));

  const opener = document.activeElement;
  document.body.append(dialog);
  return new Promise((resolve) => {
    const finish = (choice) => {
      let values = null;
      if (choice === "theirs") values = { ...theirs };
      // Keep mine and merge both start from their version, so a field only they changed is
      // never thrown away: keep mine takes my value wherever I changed something (clashes
      // included), merge takes the side picked for each clash.
      if (choice === "mine" || choice === "merge") {
        values = { ...theirs };
        for (const f of onlyMine) values[f.name] = mine[f.name];
        for (const f of clashes) {
          const picked = dialog.querySelector(`input[name="pick-${f.name}"]:checked`)?.value;
          values[f.name] = choice === "merge" && picked === "theirs" ? theirs[f.name] : mine[f.name];
        }
      }
      dialog.close();
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(choice === "back" ? null : { choice, values });
    };
    dialog.querySelectorAll(".dialog-actions button").forEach((b) => b.addEventListener("click", () => finish(b.value)));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish("back");
    });
    // Tab and Shift+Tab cycle inside the dialog.
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const focusable = [...dialog.querySelectorAll("button, input, summary, [tabindex]:not([tabindex='-1'])")].filter((el) => !el.disabled);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.showModal();
    dialog.querySelector(".button.primary").focus();
  });
}
