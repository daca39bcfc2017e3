// The search page: results with highlighted snippets, facets to narrow them, pages.

import { api, errorText, h, hitHref, kindLabel, N_, pageData, t, tn } from "./common.js";

const data = pageData();
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const results = document.getElementById("results");
const summary = document.getElementById("search-summary");
const facetsEl = document.getElementById("facets");
const pager = document.getElementById("pager");
const PAGE = 20;
const filters = { kind: null, tag: null, board: null };
let offset = 0;
let asked = 0;

const HIT_TYPES = { card: N_("card"), comment: N_("comment"), attachment: N_("attached file") };

function params() {
  const q = new URLSearchParams({ q: input.value.trim(), limit: PAGE, offset });
  const collective = document.getElementById("search-collective")?.value;
  if (collective) q.set("collective", collective);
  for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
  return q;
}

async function run(push = true) {
  const q = input.value.trim();
  if (push) history.replaceState(null, "", q ? `/search?q=${encodeURIComponent(q)}` : "/search");
  if (!q) {
    results.replaceChildren();
    facetsEl.replaceChildren();
    summary.textContent = t("Type a few words: a practice, a supplier, a regulation…");
    return;
  }
  const ticket = ++asked;
  let found;
  try {
    found = await api("GET", `/search?${params()}`);
  } catch (error) {
    if (ticket === asked) summary.textContent = errorText(error);
    return;
  }
  if (ticket !== asked) return;
  summary.textContent = found.total
    ? (found.total_exact ? tn("{n} result", "{n} results", found.total) : tn("about {n} result", "about {n} results", found.total))
    : t("Nothing found. Try fewer or other words.");
  results.replaceChildren(...found.hits.map((hit) => {
    const snippet = h("p", { class: "hit-snippet" });
    snippet.innerHTML = hit.snippet || ""; // escaped by the server, with <mark> around matches
    return h("li", { class: "result" },
      h("a", { href: hitHref(hit), class: "result-title" }, hit.title),
      h("span", { class: "hit-type" }, t(HIT_TYPES[hit.type] || hit.type)),
      data.boards[String(hit.board_id)] ? h("span", { class: "meta" }, ` · ${data.boards[String(hit.board_id)]}`) : null,
      snippet);
  }));
  renderFacets(found.facets || {});
  renderPager(found.total);
}

function renderFacets(facets) {
  const groups = [
    ["kind", t("Kind"), (k) => kindLabel(k)],
    ["board", t("Board"), (k) => data.boards[k] || k],
    ["tag", t("Keyword"), (k) => k],
  ];
  facetsEl.replaceChildren(...groups.filter(([key]) => Object.keys(facets[key] || {}).length || filters[key]).map(([key, label, name]) =>
    h("fieldset", { class: "facet" }, h("legend", {}, label),
      Object.entries(facets[key] || {}).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([value, count]) => {
        const id = `facet-${key}-${value}`;
        const box = h("input", { type: "checkbox", id, checked: filters[key] === value });
        box.addEventListener("change", () => {
          filters[key] = box.checked ? value : null;
          offset = 0;
          run();
        });
        return h("div", { class: "facet-option" }, box, h("label", { for: id }, `${name(value)} `, h("span", { class: "count" }, count)));
      }))));
}

function renderPager(total) {
  pager.replaceChildren();
  if (total <= PAGE) return;
  if (offset > 0) pager.append(h("button", { type: "button", class: "button", onclick: () => { offset -= PAGE; run(); } }, t("Previous")));
  pager.append(h("span", { class: "meta" }, t("Page {n}", { n: offset / PAGE + 1 })));
  if (offset + PAGE < total) pager.append(h("button", { type: "button", class: "button", onclick: () => { offset += PAGE; run(); } }, t("Next")));
}

let timer = 0;
input.addEventListener("input", () => {
  clearTimeout(timer);
  offset = 0;
  timer = setTimeout(run, 200);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  offset = 0;
  run();
});
document.getElementById("search-collective")?.addEventListener("change", () => run());
run(false);
input.focus();
