// A card's history (GET /cards/{id}/versions): each version of its content — who made it, when,
// what changed — with the lines added and removed since the one before, marked « + » and « − »
// and said in words to screen readers (the colours only repeat it). Its author and the
// animators may restore an old version, after a confirmation dialog; it comes back as a new
// version, so nothing is lost.

import { api, errorText, h, lang, N_, t, tn } from "./common.js";

const CHANGES = {
  kind: N_("kind"),
  title: N_("title"),
  body: N_("text"),
  tags: N_("keywords"),
  "practice.context": N_("context"),
  "practice.steps": N_("approach"),
  "practice.results": N_("results and indicators"),
  "practice.costs": N_("costs and duration"),
  "practice.vigilance": N_("points to watch"),
  "practice.contacts": N_("contacts"),
};
const when = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });

/** What a version changed, in words: « Modifié : titre, démarche ». */
export function changesText(changes) {
  if (changes.includes("created")) return t("Card created");
  if (!changes.length) return t("No change to the content");
  return t("Changed: {what}", { what: changes.map((c) => t(CHANGES[c] || c)).join(", ") });
}

/** The diff as a <pre>: « + » lines added, « − » lines removed, said in words as well, and a
 * count of both that the <pre> refers to. */
export function diffView(diff, id) {
  const lines = diff.split("\n").filter((line) => !line.startsWith("+++") && !line.startsWith("---"));
  let added = 0;
  let removed = 0;
  const rows = lines.map((line) => {
    if (line.startsWith("@@")) return h("span", { class: "diff-line hunk" }, h("span", { "aria-hidden": "true" }, "⋯"), h("span", { class: "visually-hidden" }, t("(unchanged lines)")));
    const sign = line[0];
    const text = line.slice(1);
    if (sign === "+") {
      added += 1;
      return h("span", { class: "diff-line add" }, h("span", { class: "diff-sign", "aria-hidden": "true" }, "+"),
        h("span", { class: "visually-hidden" }, t("Added:")), " ", text);
    }
    if (sign === "-") {
      removed += 1;
      return h("span", { class: "diff-line del" }, h("span", { class: "diff-sign", "aria-hidden": "true" }, "−"),
        h("span", { class: "visually-hidden" }, t("Removed:")), " ", h("del", {}, text));
    }
    return h("span", { class: "diff-line same" }, h("span", { class: "diff-sign", "aria-hidden": "true" }, " "), " ", text);
  });
  const summary = h("p", { class: "diff-summary meta", id: `${id}-summary` },
    [added ? tn("{n} line added", "{n} lines added", added) : null, removed ? tn("{n} line removed", "{n} lines removed", removed) : null]
      .filter(Boolean).join(", ") || t("No line changed"));
  return h("div", { class: "diff" }, summary,
    h("pre", { class: "diff-text", "aria-describedby": summary.id }, rows));
}

/** The history dialog of a card page. `canRestore()` says whether this viewer may restore;
 * `onRestored(card)` receives the card the server answers. */
export function cardHistory({ cardId, canRestore, onRestored }) {
  const dialog = document.getElementById("history-dialog");
  const list = document.getElementById("versions");
  const confirmDialog = document.getElementById("restore-dialog");
  let opener = null;
  let count = null;

  document.getElementById("history-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener?.isConnected) opener.focus();
    else document.getElementById("history-open")?.focus();
  });

  const versionItem = (v, i) => {
    const id = `version-${v.version}`;
    const current = i === 0;
    return h("li", { class: `version${current ? " current" : ""}`, "aria-labelledby": `${id}-title` },
      h("div", { class: "version-head" },
        h("h3", { id: `${id}-title` }, t("Version {n}", { n: v.version })),
        current ? h("span", { class: "badge now" }, t("current version")) : null),
      h("p", { class: "version-meta" },
        v.by ? v.by.display_name : t("Anonymous"), " · ",
        h("time", { datetime: v.at }, when.format(new Date(v.at)))),
      h("p", { class: "version-changes" }, changesText(v.changes)),
      h("details", { class: "version-diff", open: i === 0 },
        h("summary", {}, v.changes.includes("created") ? t("See the first content") : t("See what changed")),
        diffView(v.diff, id)),
      !current && canRestore() ? h("button", {
        type: "button", class: "button small restore", "aria-haspopup": "dialog",
        onclick: (event) => askRestore(v, event.currentTarget),
      }, t("Restore this version"), h("span", { class: "visually-hidden" }, ` (${t("Version {n}", { n: v.version })})`)) : null);
  };

  /** How many versions the card has (asked again after each change of its content). */
  const load = async () => {
    const found = await api("GET", `/cards/${cardId}/versions`);
    count = found.versions.length;
    return found;
  };

  const open = async (button) => {
    opener = button;
    list.replaceChildren(h("li", { class: "empty" }, t("Loading…")));
    dialog.showModal();
    document.getElementById("history-close").focus();
    try {
      const found = await load();
      list.replaceChildren(...found.versions.map(versionItem));
    } catch (error) {
      list.replaceChildren(h("li", { class: "form-error" }, errorText(error)));
    }
  };

  const askRestore = (v, button) => {
    document.getElementById("restore-title").textContent = t("Restore version {n}?", { n: v.version });
    document.getElementById("restore-text").textContent = t("The card’s title, text, keywords and practice sheet become those of version {n} again. Nothing is lost: what it says now stays in its history.", { n: v.version });
    const error = confirmDialog.querySelector(".form-error");
    error.hidden = true;
    const yes = document.getElementById("restore-confirm");
    const no = document.getElementById("restore-cancel");
    const done = () => {
      yes.onclick = null;
      no.onclick = null;
      confirmDialog.onclose = null;
      if (confirmDialog.open) confirmDialog.close();
    };
    no.onclick = () => {
      done();
      button.focus();
    };
    confirmDialog.onclose = () => {
      done();
      if (button.isConnected) button.focus();
    };
    yes.onclick = async () => {
      yes.disabled = true;
      try {
        const card = await api("POST", `/cards/${cardId}/versions/${v.version}/restore`);
        confirmDialog.onclose = null;
        done();
        opener = null;
        dialog.close();
        await onRestored(card, v.version);
      } catch (failure) {
        error.textContent = errorText(failure);
        error.hidden = false;
      } finally {
        yes.disabled = false;
      }
    };
    confirmDialog.showModal();
    no.focus();
  };

  return {
    open,
    load,
    label: () => (count === null ? t("History") : tn("History ({n} version)", "History ({n} versions)", count)),
  };
}
