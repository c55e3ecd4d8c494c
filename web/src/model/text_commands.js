// Edit commands for on-screen text: free texts, the brand's title and the call to action.
// Re-exported by commands.js; same contract: a new draft, argument errors naming the command.
import { defaultsOf } from "./defaults.js";
import {
  brandTitle, checkIndex, checkNumber, checkOneOf, CTA_MS, finish, fittedFades, withTimeline,
} from "./edit.js";
import { totalDurationMs } from "./time.js";

/** @typedef {import("./types.js").Draft} Draft */
/** @typedef {import("./types.js").TextOverlay} TextOverlay */
/** Fields of a text to set; `style` is merged with the text's own.
 * @typedef {Partial<Omit<TextOverlay, "style">>
 *   & {style?: Partial<import("./types.js").TextStyle>}} TextPatch */

const MAX_TEXT_CHARS = 200;
const DEFAULT_TEXT_MS = 3000;
const ANCHORS = /** @type {const} */ (["top", "center", "bottom"]);
const FIELDS = [
  "role", "text", "start_ms", "end_ms", "anchor", "x", "offset_y", "style", "fade_in_ms", "fade_out_ms",
];

/** @param {string} name @param {unknown} text */
function checkText(name, text) {
  if (typeof text !== "string") throw new TypeError(`${name}(): text must be a string`);
  if (text.length > MAX_TEXT_CHARS) {
    throw new RangeError(`${name}(): the text is ${text.length} characters; at most ${MAX_TEXT_CHARS}`);
  }
  return text;
}

/** @param {string} name @param {Draft} draft */
function needsClips(name, draft) {
  const total = totalDurationMs(draft.timeline);
  if (!total) throw new RangeError(`${name}(): add a clip first; text needs a video to sit on`);
  return total;
}

/** @param {string} name @param {TextPatch} partial @returns {TextPatch} */
function checkFields(name, partial) {
  for (const key of Object.keys(partial)) checkOneOf(name, "field", key, FIELDS);
  if ("text" in partial) checkText(name, partial.text);
  for (const key of /** @type {const} */ (["start_ms", "end_ms", "fade_in_ms", "fade_out_ms"])) {
    if (key in partial) partial = { ...partial, [key]: Math.round(checkNumber(name, key, partial[key])) };
  }
  return partial;
}

/** @param {Draft} draft @param {TextOverlay[]} texts */
function withTexts(draft, texts) {
  return withTimeline(draft, { texts });
}

/**
 * Add a text (missing fields take their defaults; it shows for 3 s from start_ms unless told).
 * @param {Draft} draft @param {TextPatch & {text: string}} overlay
 */
export function addText(draft, overlay) {
  const total = needsClips("addText", draft);
  const fields = checkFields("addText", overlay);
  const start_ms = Math.max(0, Math.min(fields.start_ms ?? 0, total - 1));
  const end_ms = Math.min(fields.end_ms ?? start_ms + DEFAULT_TEXT_MS, total);
  const text = fittedFades(defaultsOf("TextOverlay", { ...fields, start_ms, end_ms }));
  return finish("addText", draft, withTexts(draft, [...draft.timeline.texts, text]));
}

/**
 * Change a text's fields (`style` is merged). Editing the brand's title edits the brand.
 * @param {Draft} draft @param {number} index @param {TextPatch} partial
 */
export function updateText(draft, index, partial) {
  const i = checkIndex("updateText", index, draft.timeline.texts.length);
  const fields = checkFields("updateText", partial);
  const old = draft.timeline.texts[i];
  const text = fittedFades({ ...old, ...fields, style: { ...old.style, ...fields.style } });
  const texts = draft.timeline.texts.map((t, j) => (j === i ? text : t));
  const brand_name = text.role === "title" && old.role === "title" ? text.text : draft.brand_name;
  return finish("updateText", draft, { ...withTexts(draft, texts), brand_name });
}

/** Removing the brand's title removes the brand. @param {Draft} draft @param {number} index */
export function removeText(draft, index) {
  const i = checkIndex("removeText", index, draft.timeline.texts.length);
  const texts = draft.timeline.texts.filter((_, j) => j !== i);
  const brand_name = draft.timeline.texts[i].role === "title" ? "" : draft.brand_name;
  return finish("removeText", draft, { ...withTexts(draft, texts), brand_name });
}

/**
 * Put a text at the top, middle or bottom of the safe area, centred across.
 * @param {Draft} draft @param {number} index @param {"top"|"center"|"bottom"} preset
 */
export function setTextPreset(draft, index, preset) {
  const i = checkIndex("setTextPreset", index, draft.timeline.texts.length);
  const anchor = checkOneOf("setTextPreset", "preset", preset, ANCHORS);
  const texts = draft.timeline.texts.map((t, j) => (j === i ? { ...t, anchor, x: 0.5, offset_y: 0 } : t));
  return finish("setTextPreset", draft, withTexts(draft, texts));
}

/**
 * The brand's name, shown as the title over the first seconds (made when missing, removed when
 * the name is cleared).
 * @param {Draft} draft @param {string} text
 */
export function setBrand(draft, text) {
  checkText("setBrand", text);
  const blank = !text.trim();
  const hasTitle = draft.timeline.texts.some((t) => t.role === "title");
  /** @type {TextOverlay[]} */
  let texts;
  if (blank) texts = draft.timeline.texts.filter((t) => t.role !== "title");
  else if (hasTitle) texts = draft.timeline.texts.map((t) => (t.role === "title" ? { ...t, text } : t));
  else {
    const total = totalDurationMs(draft.timeline);
    texts = total ? [brandTitle(text, total), ...draft.timeline.texts] : draft.timeline.texts;
  }
  return finish("setBrand", draft, { ...withTexts(draft, texts), brand_name: text });
}

/**
 * The call to action over the last 3 s, at the bottom (cleared text removes it).
 * @param {Draft} draft @param {string} text
 */
export function setCallToAction(draft, text) {
  checkText("setCallToAction", text);
  const others = draft.timeline.texts.filter((t) => t.role !== "cta");
  if (!text.trim()) return finish("setCallToAction", draft, withTexts(draft, others));
  const existing = draft.timeline.texts.findIndex((t) => t.role === "cta");
  if (existing !== -1) {
    const texts = draft.timeline.texts.map((t, j) => (j === existing ? { ...t, text } : t));
    return finish("setCallToAction", draft, withTexts(draft, texts));
  }
  const total = needsClips("setCallToAction", draft);
  const style = { font: "sans_bold", size: 0.07, box: true, box_color: "#B02828", box_opacity: 0.85 };
  const cta = fittedFades(defaultsOf("TextOverlay", {
    role: "cta", text, start_ms: Math.max(0, total - CTA_MS), end_ms: total, anchor: "bottom", style,
  }));
  return finish("setCallToAction", draft, withTexts(draft, [...others, cta]));
}
