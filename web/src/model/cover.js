// How a photo fills the frame (shared/render/draw/photo_cover.py: the cover's size, the centred crop,
// the whole photo over a blurred fill of itself) and where text is safe (text_layout.safe_area).
import { outputSize } from "./timeline.js";

/** @typedef {import("./types.js").Fit} Fit */
/** @typedef {import("./types.js").Aspect} Aspect */
/** @typedef {{x: number, y: number, w: number, h: number}} Rect */
/** Edges in pixels, as text_layout.SafeArea.
 * @typedef {{left: number, top: number, right: number, bottom: number}} Edges */
/**
 * Where a fitted photo comes from and goes: `source` (photo pixels) is drawn into `dest` (output
 * pixels); for "blur", `fill` (photo pixels) is the part blurred, darkened and stretched under it.
 * @typedef {{source: Rect, dest: Rect, fill: Rect|null}} Placement
 */

// The cover is kept this much larger than the largest zoom needs (photo_cover.COVER_MARGIN).
export const COVER_MARGIN = 1.0625;
export const BLUR_DOWNSCALE = 8; // the fill is blurred at 1/8 size (clip_graph.BLUR_DOWNSCALE)
// text_layout.safe_area's edges as fractions of the frame [left, top, right, bottom]: 90 %
// title-safe; portrait also keeps clear of the top 12 % (the apps' status and caption bar) and
// the bottom 22 % (their buttons and description).
const TITLE_SAFE = [0.05, 0.05, 0.95, 0.95];
const PORTRAIT_SAFE = [0.06, 0.12, 0.94, 0.78];
const PORTRAIT_BANDS = [0, 0.12, 1, 0.78];

/** Python's round(): to nearest, ties to even. @param {number} x */
function pyRound(x) {
  const floor = Math.floor(x);
  const rest = x - floor; // exact for doubles
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** @param {number} value */
function even(value) {
  return Math.max(2, Math.floor(Math.trunc(value) / 2) * 2);
}

/**
 * The size a moving photo is kept at (photo_cover.cover_size): enough for its largest zoom, but
 * no larger than the photo's own crop.
 * @param {[number, number]} photo [width, height]
 * @param {Fit} fit
 * @param {[number, number]} output [width, height]
 * @param {number} zoom
 * @returns {[number, number]}
 */
export function coverSize(photo, fit, output, zoom) {
  const [width, height] = output;
  let want = zoom * COVER_MARGIN;
  if (fit === "crop") {
    const [iw, ih] = photo;
    const scale = Math.min(want, Math.min(iw / width, ih / height));
    want = Math.max(scale, 2 / Math.min(width, height));
  }
  const coverW = Math.max(2, 2 * pyRound((width * want) / 2));
  return [coverW, Math.max(2, 2 * pyRound((coverW * height) / width / 2))];
}

/**
 * The largest centred part of a photo with the aspect of outW x outH (photo_cover.centre_crop).
 * @param {number} photoW @param {number} photoH @param {number} outW @param {number} outH
 * @returns {Rect}
 */
export function centreCrop(photoW, photoH, outW, outH) {
  const w = Math.trunc(Math.min(photoW, (photoH * outW) / outH));
  const h = Math.trunc(Math.min(photoH, (photoW * outH) / outW));
  return { x: Math.floor((photoW - w) / 2), y: Math.floor((photoH - h) / 2), w, h };
}

/**
 * Where a photo sits in an outW x outH frame for its fit (photo_cover's crop and blur fits).
 * @param {number} photoW @param {number} photoH @param {number} outW @param {number} outH
 * @param {Fit} fit
 * @returns {Placement}
 */
export function fitPlacement(photoW, photoH, outW, outH, fit) {
  if (fit === "crop") {
    const source = centreCrop(photoW, photoH, outW, outH);
    return { source, dest: { x: 0, y: 0, w: outW, h: outH }, fill: null };
  }
  const fill = centreCrop(photoW, photoH, even(outW / BLUR_DOWNSCALE), even(outH / BLUR_DOWNSCALE));
  const scale = Math.min(outW / photoW, outH / photoH);
  const w = Math.min(outW, even(photoW * scale));
  const h = Math.min(outH, even(photoH * scale));
  const dest = { x: Math.floor((outW - w) / 2), y: Math.floor((outH - h) / 2), w, h };
  return { source: { x: 0, y: 0, w: photoW, h: photoH }, dest, fill };
}

/**
 * A frame's safe areas, in pixels: `title` is where the renderer keeps text
 * (text_layout.safe_area); `platform`, for portrait only, is the band the phone apps' own UI
 * leaves clear (null for landscape and square).
 * @param {Aspect} aspect
 * @param {number} [width] the frame's size; the aspect's final size when left out
 * @param {number} [height]
 * @returns {{title: Edges, platform: Edges|null}}
 */
export function safeAreas(aspect, width, height) {
  const [w, h] = width && height ? [width, height] : outputSize(aspect, "final");
  const edges = (/** @type {number[]} */ [l, t, r, b]) =>
    ({ left: pyRound(w * l), top: pyRound(h * t), right: pyRound(w * r), bottom: pyRound(h * b) });
  if (h > w) return { title: edges(PORTRAIT_SAFE), platform: edges(PORTRAIT_BANDS) };
  return { title: edges(TITLE_SAFE), platform: null };
}

/** Whether the point (x, y) lies outside `area`. @param {Edges} area @param {number} x @param {number} y */
export function pointOutsideSafe(area, x, y) {
  return x < area.left || y < area.top || x > area.right || y > area.bottom;
}

/** Whether any part of a text's box lies outside `area`. @param {Edges} area @param {Edges} box */
export function textOutsideSafe(area, box) {
  return box.left < area.left || box.top < area.top || box.right > area.right || box.bottom > area.bottom;
}
