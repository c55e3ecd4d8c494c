// The editor's top bar: drafts, format switch, undo/redo, save state, renders, sign out.
import { h } from "./dom.js";

/**
 * @typedef {{
 *   onFormat: (aspect: "16:9"|"9:16"|"1:1") => void, onUndo: () => void, onRedo: () => void,
 *   onRender: (preview: boolean) => void, onSignOut: () => void, onTitle: (name: string) => void,
 *   onOpenDraft: (id: string) => void, onNewDraft: () => void,
 * }} HeaderActions
 */

export class HeaderView {
  /** @param {HTMLElement} root @param {HeaderActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.radios = /** @type {HTMLInputElement[]} */ ([]);
    const format = h("div", { class: "segmented format", role: "radiogroup", "aria-label": "Format" },
      ...["16:9", "9:16", "1:1"].map((aspect) => {
        const input = h("input", { type: "radio", name: "format", value: aspect, "aria-label": aspect, class: "visually-hidden" });
        input.addEventListener("change", () => actions.onFormat(/** @type {"16:9"|"9:16"|"1:1"} */ (aspect)));
        this.radios.push(input);
        return h("label", { class: "segment" }, input, h("span", { class: `aspect-icon a${aspect.replace(":", "x")}`, "aria-hidden": "true" }), h("span", { text: aspect }));
      }));
    this.title = h("input", { class: "title-input", "aria-label": "Project title", maxlength: 200 });
    this.title.addEventListener("change", () => actions.onTitle(this.title.value.trim() || "Untitled ad"));
    this.drafts = h("select", { class: "drafts", "aria-label": "Open a draft" });
    this.drafts.addEventListener("change", () => {
      if (this.drafts.value === "__new__") actions.onNewDraft();
      else if (this.drafts.value) actions.onOpenDraft(this.drafts.value);
    });
    this.undo = h("button", { class: "icon-text", onclick: actions.onUndo, title: "Undo (Ctrl+Z)" }, "Undo");
    this.redo = h("button", { class: "icon-text", onclick: actions.onRedo, title: "Redo (Ctrl+Shift+Z)" }, "Redo");
    this.saved = h("span", { class: "save-state", role: "status", "aria-live": "polite" });
    this.user = h("span", { class: "user" });
    this.previewRender = h("button", { class: "secondary", onclick: () => actions.onRender(true), title: "A fast, low-quality MP4 to check the edit" }, "Preview render");
    this.renderButton = h("button", { class: "primary", onclick: () => actions.onRender(false) }, "Render");
    root.replaceChildren(h("header", { class: "topbar" },
      h("div", { class: "brand-mark small" }, h("span", { class: "logo", "aria-hidden": "true" }), h("span", { text: "Create Studio" })),
      this.title, this.drafts, this.saved,
      h("div", { class: "spacer" }),
      format,
      h("div", { class: "history" }, this.undo, this.redo),
      this.previewRender, this.renderButton,
      h("div", { class: "account" }, this.user, h("button", { class: "ghost small", onclick: actions.onSignOut }, "Sign out"))));
  }

  /**
   * @param {{aspect: string, canUndo: boolean, canRedo: boolean, title: string, uid: string, save: string, renderable: boolean,
   *   drafts: {project_id: string, name: string}[], projectId: string|null}} state
   */
  render(state) {
    for (const radio of this.radios) {
      radio.checked = radio.value === state.aspect;
      /** @type {HTMLElement} */ (radio.parentElement).classList.toggle("on", radio.checked);
    }
    this.undo.disabled = !state.canUndo;
    this.redo.disabled = !state.canRedo;
    if (document.activeElement !== this.title) this.title.value = state.title;
    this.user.textContent = state.uid;
    this.saved.textContent = state.save;
    this.renderButton.disabled = !state.renderable;
    this.previewRender.disabled = !state.renderable;
    const options = [...state.drafts.map((d) => [d.project_id, d.name || "Untitled ad"]), ["__new__", "+ New draft"]];
    this.drafts.replaceChildren(...options.map(([v, t]) => h("option", { value: v, text: t })));
    this.drafts.value = state.projectId || "";
  }
}
