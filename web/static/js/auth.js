// Log in, sign up and accept an invitation, each going back to where the person was going;
// ask for a password-reset link, choose the new password, and confirm one's email address.

import { ApiError, N_, api, fieldError, formError, pageData, resendsVerification, submitting, t } from "./common.js";
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
resendsVerification(document.getElementById("invitation-resend-verification"));

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

// Shown on the page after a form went away: focus goes there, so it is read out and the
// keyboard does not fall back to the top of the page.
function showResult(id) {
  const result = document.getElementById(id);
  result.hidden = false;
  result.setAttribute("tabindex", "-1");
  result.focus();
}

const forgot = document.getElementById("forgot-form");
forgot?.addEventListener("submit", (event) => {
  event.preventDefault();
  // The form is novalidate (the browser's bubbles are not translated nor read out the same
  // everywhere): an empty or malformed address is said here, under the field.
  const email = forgot.elements.email;
  email.value = email.value.trim();
  if (!email.value || !email.checkValidity()) {
    fieldError(email, email.value
      ? t("This is not an email address: it looks like name@example.org.")
      : t("Give the email address of your account."));
    email.focus();
    return;
  }
  fieldError(email, null);
  submitting(forgot, async () => {
    await api("POST", "/auth/password-reset", values(forgot));
    forgot.hidden = true;
    showResult("forgot-sent");
  });
});

const reset = document.getElementById("reset-form");
reset?.addEventListener("submit", (event) => {
  event.preventDefault();
  const password = reset.elements.password;
  const tooShort = () => t("This password is too short: at least {n} characters.", { n: password.minLength });
  fieldError(password, null);
  if (password.value.length < password.minLength) {
    fieldError(password, tooShort());
    password.focus();
    return;
  }
  submitting(reset, async () => {
    try {
      await api("POST", `/auth/password-reset/${encodeURIComponent(data.token)}`, values(reset));
    } catch (error) {
      if (error instanceof ApiError && error.fields?.password) {
        // The server's own rule (it may be stricter than the page's): said under the field.
        formError(reset, null);
        fieldError(password, tooShort());
        password.focus();
        return;
      }
      if (!LINK_TEXT[error?.code]) throw error;
      linkError(reset, error);
      return;
    }
    reset.hidden = true;
    const title = document.querySelector("#main h1");
    title.textContent = t("Your new password is saved");
    document.title = title.textContent;
    showResult("reset-done");
  });
});

const verify = document.getElementById("verify-email");
if (verify) {
  const done = (id, title) => {
    document.getElementById("verify-pending").hidden = true;
    if (title) verify.querySelector("h1").textContent = title;
    document.getElementById(id).hidden = false;
  };
  api("POST", `/auth/verify-email/${encodeURIComponent(data.verify_token)}`).then(
    () => done("verify-done"),
    (error) => {
      // A link used already (or an address verified already) is good news, not an error.
      if (error?.code === "verification_link_used" || error?.code === "email_already_verified") {
        return done("verify-used");
      }
      if (error?.code === "not_found") return done("verify-invalid", t("This link is not valid"));
      done("verify-failed");
      linkError(verify, error);
    },
  );
}
