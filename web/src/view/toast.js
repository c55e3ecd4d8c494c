// Short messages at the top right, under the header, read out by screen readers; a click
// dismisses one before its time.
import { h } from "./dom.js";

/** @type {HTMLElement|null} */
let tray = null;

/** @param {string} message @param {"ok"|"error"|"info"} [kind] */
export function toast(message, kind = "info") {
  if (!tray) {
    tray = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(tray);
  }
  const item = h("div", { class: `toast ${kind}`, text: message });
  item.addEventListener("click", () => item.remove());
  tray.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 3500);
}
