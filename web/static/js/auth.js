// Log in, sign up and accept an invitation, each going back to where the person was going;
// ask for a password-reset link, choose the new password, and confirm one's email address.

import { N_, api, errorText, formError, pageData, submitting, t, toast } from "./common.js";
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

// An invitation to an address waits for its verification: send the link again.
const resendFromInvitation = document.getElementById("invitation-resend-verification");
resendFromInvitation?.addEventListener("click", async () => {
  resendFromInvitation.disabled = true;
  try {
    await api("POST", "/auth/verify-email");
    toast(t("A new link is on its way."));
  } catch (error) {
    toast(errorText(error), "error");
  } finally {
    resendFromInvitation.disabled = false;
  }
});

// The emailed links' own errors, in the person's language (the API's messages are English).
const LINK_TEXT = {
  reset_link_used: N_("This link has already been used: ask for a new one."),
  reset_link_expired: N_("This link has expired: ask for a new one."),
  verification_link_used: N_("This link has already been used: your address is verified."),
  verification_link_expired: N_("This link has expired: ask for a new one from your profile."),
};

function linkError(form, error) {
  formError(form, error);
  const known = LINK_TEXT[error?.code];
  if (known) form.querySelector(".form-error").textContent = t(known);
}

const forgot = document.getElementById("forgot-form");
forgot?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(forgot, async () => {
    await api("POST", "/auth/password-reset", values(forgot));
    forgot.hidden = true;
    document.getElementById("forgot-sent").hidden = false;
  });
});

const reset = document.getElementById("reset-form");
reset?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(reset, async () => {
    try {
      await api("POST", `/auth/password-reset/${encodeURIComponent(data.token)}`, values(reset));
    } catch (error) {
      if (!LINK_TEXT[error?.code]) throw error;
      linkError(reset, error);
      return;
    }
    reset.hidden = true;
    document.getElementById("reset-done").hidden = false;
  });
});

const verify = document.getElementById("verify-email");
if (verify) {
  api("POST", `/auth/verify-email/${encodeURIComponent(data.verify_token)}`).then(
    () => {
      document.getElementById("verify-pending").hidden = true;
      document.getElementById("verify-done").hidden = false;
    },
    (error) => {
      document.getElementById("verify-pending").hidden = true;
      linkError(verify, error);
    },
  );
}
