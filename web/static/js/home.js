// The list of one's collectives, and creating a new one.

import { api, splitList, submitting } from "./common.js";

const toggle = document.getElementById("new-collective-toggle");
const form = document.getElementById("new-collective");
toggle.addEventListener("click", () => {
  form.hidden = !form.hidden;
  toggle.setAttribute("aria-expanded", String(!form.hidden));
  if (!form.hidden) form.elements.name.focus();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(form, async () => {
    const created = await api("POST", "/collectives", {
      name: form.elements.name.value.trim(),
      territory: form.elements.territory.value.trim(),
      theme: form.elements.theme.value.trim(),
      funders: splitList(form.elements.funders.value),
      description: form.elements.description.value,
    });
    location.href = `/c/${created.id}`;
  });
});
