// What every edit command shares: argument checks with "command(): ..." messages, and the
// finishing step that keeps a draft valid (transitions and texts fitted to the new clips).
import { defaultsOf } from "./defaults.js";
import { totalDurationMs } from "./time.js";
import { validateTimeline } from "./validate.js";

/** @typedef {import("./types.js").Draft} Draft */
/** @typedef {import("./types.js").Clip} Clip */
/** @typedef {import("./types.js").TextOverlay} TextOverlay */

export const MAX_TRANSITION_MS = 5000;
export const BRAND_TITLE_MS = 3000; // the brand's title shows for the first 3 s
export const CTA_MS = 3000; // the call to action, for the last 3 s

/**
 * @param {string} name the command, for messages
 * @param {unknown} index
 * @param {number} length
 * @returns {number}
 */
export function checkIndex(name, index, length) {
  if (!Number.isInteger(index)) throw new TypeError(`${name}(): index ${String(index)} is not an integer`);
  const i = /** @type {number} */ (index);
  if (i < 0 || i >= length) {
    const range = length ? ` (0..${length - 1})` : " (there are none)";
    throw new RangeError(`${name}(): index ${i} is out of range${range}`);
  }
  return i;
}

/** @param {string} name @param {string} what @param {unknown} value @returns {number} */
export function checkNumber(name, what, value) {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name}(): ${what} must be a number, not ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * @template {string} T
 * @param {string} name @param {string} what @param {unknown} value @param {readonly T[]} allowed
 * @returns {T}
 */
export function checkOneOf(name, what, value, allowed) {
  if (!allowed.includes(/** @type {T} */ (value))) {
    throw new TypeError(`${name}(): ${what} ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  }
  return /** @type {T} */ (value);
}

/** @param {number} value @param {number} lo @param {number} hi */
export function clamp(value, lo, hi) {
  return Math.min(Math.max(value, lo), hi);
}

/**
 * The draft with `patch` applied to its timeline.
 * @param {Draft} draft
 * @param {Partial<import("./types.js").Timeline>} patch
 * @returns {Draft}
 */
export function withTimeline(draft, patch) {
  return { ...draft, timeline: { ...draft.timeline, ...patch } };
}

/** @param {TextOverlay} text @returns {TextOverlay} fades shortened to fit its time on screen */
export function fittedFades(text) {
  const length = text.end_ms - text.start_ms;
  const fades = text.fade_in_ms + text.fade_out_ms;
  if (fades <= length) return text;
  const fade_in_ms = Math.floor((length * text.fade_in_ms) / fades);
  return { ...text, fade_in_ms, fade_out_ms: Math.min(text.fade_out_ms, length - fade_in_ms) };
}

/**
 * Transitions shortened (or turned into cuts) so that no clip is shorter than the transitions
 * on both its sides.
 * @param {Clip[]} video
 * @returns {Clip[]}
 */
function fittedTransitions(video) {
  let into = 0;
  return video.map((clip, i) => {
    if (i === video.length - 1) return clip;
    const room = Math.min(clip.duration_ms - into, video[i + 1].duration_ms, MAX_TRANSITION_MS);
    let out = clip.transition;
    if (out.duration_ms > room) {
      out = room > 0 ? { ...out, duration_ms: room } : { type: "cut", duration_ms: 0 };
    }
    into = out.duration_ms;
    return out === clip.transition ? clip : { ...clip, transition: out };
  });
}

/**
 * Texts fitted to the video's new length: the call to action stays at the end, the brand's
 * title exists while there is a brand, and texts past the end are clamped or dropped.
 * @param {Draft} before
 * @param {Draft} after
 * @returns {TextOverlay[]}
 */
function fittedTexts(before, after) {
  const total = totalDurationMs(after.timeline);
  const oldTotal = totalDurationMs(before.timeline);
  /** @type {TextOverlay[]} */
  const texts = [];
  for (let text of after.timeline.texts) {
    if (text.role === "cta" && text.end_ms === oldTotal && total !== oldTotal) {
      const length = text.end_ms - text.start_ms;
      text = { ...text, start_ms: Math.max(0, total - length), end_ms: total };
    }
    if (text.start_ms >= total) continue;
    if (text.end_ms > total) text = { ...text, end_ms: total };
    texts.push(fittedFades(text));
  }
  if (after.brand_name.trim() && !texts.some((t) => t.role === "title")) {
    texts.unshift(brandTitle(after.brand_name, total));
  }
  return texts;
}

/**
 * The brand's title overlay: large, centred, over the first seconds.
 * @param {string} text
 * @param {number} total_ms
 * @returns {TextOverlay}
 */
export function brandTitle(text, total_ms) {
  const end_ms = Math.min(BRAND_TITLE_MS, total_ms);
  const style = { font: "serif_bold", size: 0.12, box: false };
  const fields = { role: "title", text, start_ms: 0, end_ms, anchor: "center", style };
  return fittedFades(defaultsOf("TextOverlay", fields));
}

/**
 * The end of every command: fit transitions and texts to the clips, then check the result is a
 * valid timeline (once it has a clip). Returns `before` itself when nothing changed.
 * @param {string} name the command, for messages
 * @param {Draft} before
 * @param {Draft} after
 * @returns {Draft}
 */
export function finish(name, before, after) {
  if (!after.timeline.video.length) return same(before, after) ? before : after;
  const video = fittedTransitions(after.timeline.video);
  const settled = withTimeline(after, { video });
  const done = withTimeline(settled, { texts: fittedTexts(before, settled) });
  if (same(before, done)) return before;
  const result = validateTimeline(done.timeline);
  if (!result.ok) throw new RangeError(`${name}(): ${result.errors.join("; ")}`);
  return done;
}

/** @param {Draft} a @param {Draft} b */
function same(a, b) {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
