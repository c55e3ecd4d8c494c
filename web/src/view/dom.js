// A tiny element builder: h("button", {class: "x", onclick}, "Label").

/**
 * @typedef {{[key: string]: unknown}} Props
 * Keys: "class", "text", "style" (object), "dataset" (object), "on<event>" (listener),
 * anything else is set as an attribute (false/null/undefined: left out; true: present).
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "style") Object.assign(el.style, value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** @param {Element} el @param {...(Node|string|null|undefined|false)} children */
export function replace(el, ...children) {
  el.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false).map((c) => /** @type {Node|string} */ (c)));
}

/** "1:05.3" from milliseconds. @param {number} ms */
export function clock(ms) {
  const total = Math.max(0, ms) / 1000;
  const minutes = Math.floor(total / 60);
  const seconds = total - minutes * 60;
  return `${minutes}:${seconds.toFixed(1).padStart(4, "0")}`;
}

/** A labelled field: <label>Text <input></label>. @param {string} label @param {HTMLElement} control */
export function field(label, control, hint = "") {
  return h("label", { class: "field" }, h("span", { class: "field-label", text: label }), control,
    hint ? h("span", { class: "field-hint", text: hint }) : null);
}
