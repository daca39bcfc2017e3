// One's account (name, language) and one's business in each collective.

import { ApiError, api, errorText, fieldError, formError, resendsVerification, splitList, submitting, t, toast } from "./common.js";

const me = document.getElementById("profile-form");
me.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(me, async () => {
    const before = document.documentElement.lang;
    const saved = await api("PATCH", "/me", {
      display_name: me.elements.display_name.value.trim(),
      language: me.elements.language.value,
    });
    if (saved.user.language !== before) location.reload();
    else toast(t("Saved."));
  });
});

document.querySelectorAll(".membership-form").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const userId = Number(document.body.dataset.me);
      await api("PATCH", `/collectives/${form.dataset.collective}/members/${userId}`, {
        organisation: form.elements.organisation.value.trim(),
        trade: form.elements.trade.value.trim(),
        skills: splitList(form.elements.skills.value),
      });
      toast(t("Saved."));
    });
  });
});

// My data: deleting the account asks for the password (the server checks it), then the
// session is gone, so the person lands on the login page.
const deletion = document.getElementById("delete-account");
deletion?.addEventListener("submit", (event) => {
  event.preventDefault();
  const password = deletion.elements.password;
  fieldError(password, null);
  if (!password.value) {
    fieldError(password, t("Type your password to confirm."));
    password.focus();
    return;
  }
  submitting(deletion, async () => {
    if (!window.confirm(t("Delete your account for good?"))) return;
    try {
      await api("DELETE", "/me", {
        password: password.value,
        erase_contributions: deletion.elements.erase_contributions.checked,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "wrong_password") throw error;
      // Said under the password field, where the person types it again.
      formError(deletion, null);
      fieldError(password, errorText(error));
      password.select();
      password.focus();
      return;
    }
    location.href = "/login?deleted=1";
  });
});

// My calendar: a secret feed URL, turned on, renewed or off by its person.
const calendarBox = document.getElementById("my-calendar");
function showCalendar(url) {
  document.getElementById("calendar-on").hidden = !url;
  document.getElementById("calendar-off-state").hidden = Boolean(url);
  document.getElementById("calendar-url").value = url || "";
}
async function calendarAction(method, message) {
  formError(calendarBox, null);
  try {
    const answer = await api(method, "/me/calendar");
    showCalendar(answer ? answer.calendar_url : null);
    document.getElementById("calendar-status").textContent = message;
    toast(message);
  } catch (error) {
    formError(calendarBox, error);
  }
}
if (calendarBox) {
  api("GET", "/me").then((answer) => showCalendar(answer.calendar_url)).catch(() => {});
  document.getElementById("calendar-turn-on").addEventListener("click", () => calendarAction("POST", t("Your calendar is on.")));
  document.getElementById("calendar-renew").addEventListener("click", () => calendarAction("POST", t("Your calendar has a new address.")));
  document.getElementById("calendar-off").addEventListener("click", () => calendarAction("DELETE", t("Your calendar is off.")));
  document.getElementById("calendar-copy").addEventListener("click", async () => {
    const field = document.getElementById("calendar-url");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      toast(t("Address copied."));
    } catch {
      toast(t("Select the address and copy it."));
    }
  });
}

// The address is not verified yet: send the link again.
resendsVerification(document.getElementById("resend-verification"));
