// Log in, sign up and accept an invitation; each goes back to where the person was going.

import { api, pageData, submitting } from "./common.js";
import { safeNext } from "./next.js";

const data = pageData();
// The server already normalised it; checked again here, where the navigation happens.
const next = safeNext(data.next);

function values(form) {
  return Object.fromEntries(new FormData(form).entries());
}

const login = document.getElementById("login-form");
login?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(login, async () => {
    await api("POST", "/auth/login", values(login));
    location.href = next;
  });
});

const signup = document.getElementById("signup-form");
signup?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(signup, async () => {
    await api("POST", "/auth/register", values(signup));
    location.href = next;
  });
});

const accept = document.getElementById("accept-invitation");
accept?.addEventListener("click", async () => {
  const section = accept.closest("section");
  await submitting(section, async () => {
    const joined = await api("POST", `/invitations/${encodeURIComponent(data.token)}/accept`);
    location.href = `/c/${joined.id}`;
  });
});
