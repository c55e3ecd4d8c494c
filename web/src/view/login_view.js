// The sign-in form: the first screen, and the dialog shown when a session ends mid-work.
import { h } from "./dom.js";
import { ApiError } from "../api/http.js";

/**
 * @param {{onSignIn: (name: string, password: string) => Promise<void>, dialog?: boolean, message?: string}} options
 * @returns {HTMLElement}
 */
export function loginView({ onSignIn, dialog = false, message = "" }) {
  const name = h("input", { id: dialog ? "relogin-name" : "login-name", name: "username", autocomplete: "username", required: true, maxlength: 64 });
  const password = h("input", { id: dialog ? "relogin-password" : "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const notice = h("p", { class: "form-error", role: "alert", "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "login-form", "aria-label": "Sign in" },
    h("h1", { class: "brand-mark" }, h("span", { class: "logo", "aria-hidden": "true" }), "Create Studio"),
    message ? h("p", { class: "form-note", text: message }) : h("p", { class: "form-note", text: "Photos in, a broadcast-ready video ad out." }),
    h("label", { class: "field", for: name.id }, h("span", { class: "field-label", text: "Name" }), name),
    h("label", { class: "field", for: password.id }, h("span", { class: "field-label", text: "Password" }), password),
    notice,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    notice.textContent = "";
    submit.disabled = true;
    try {
      await onSignIn(name.value.trim(), password.value);
    } catch (error) {
      notice.textContent = signInMessage(error);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  queueMicrotask(() => name.focus());
  const wrapper = h("div", { class: dialog ? "modal-backdrop" : "login-screen" },
    dialog ? h("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": "Session ended" }, form) : form);
  return wrapper;
}

/** Words for a failed sign-in. @param {unknown} error */
export function signInMessage(error) {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterS ? waitWords(error.retryAfterS) : "a few minutes";
      return `Too many failed attempts. Try again in ${wait}.`;
    }
    if (error.status === 401) return "Wrong name or password.";
    if (error.status === 400) return "Enter your name and password.";
    return error.message;
  }
  return "Signing in failed; try again.";
}

/** @param {number} seconds */
function waitWords(seconds) {
  if (seconds < 60) return `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
