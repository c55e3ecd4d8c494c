// Ken Burns motion as shared/render/graph/kenburns.py computes it: presets resolved to start/end
// viewports on the cover frame, eased progress, and the exact (unrounded) window per frame.

/** @typedef {import("./types.js").KenBurns} KenBurns */
/** @typedef {import("./types.js").Viewport} Viewport */
/** @typedef {import("./types.js").Easing} Easing */
/** @typedef {{start: Viewport, end: Viewport, easing: Easing}} KenBurnsPath */
/** A window on the cover frame, in cover pixels.
 * @typedef {{x: number, y: number, w: number, h: number}} Window */

export const ZOOM_PER_STRENGTH = 0.5; // strength 1 -> zoom 1.5
export const PAN_ZOOM_PER_STRENGTH = 0.3; // pans zoom in a little to have room to move

/** A viewport whose window stays inside the cover frame.
 * @param {number} zoom @param {number} x @param {number} y @returns {Viewport} */
function clamped(zoom, x, y) {
  const half = 0.5 / zoom;
  return { zoom, x: Math.min(Math.max(x, half), 1 - half), y: Math.min(Math.max(y, half), 1 - half) };
}

/** @param {Viewport} a @param {Viewport} b */
function same(a, b) {
  return a.zoom === b.zoom && a.x === b.x && a.y === b.y;
}

/**
 * The start/end viewports a clip's motion means; null for a still.
 * @param {KenBurns} kb
 * @returns {KenBurnsPath|null}
 */
export function resolvePath(kb) {
  if (kb.motion === "custom") {
    if (!kb.start || !kb.end) throw new TypeError("resolvePath(): motion 'custom' needs start and end");
    const start = clamped(kb.start.zoom, kb.start.x, kb.start.y);
    const end = clamped(kb.end.zoom, kb.end.x, kb.end.y);
    return same(start, end) ? null : { start, end, easing: kb.easing };
  }
  if (kb.motion === "none" || kb.strength === 0) return null;
  const fx = kb.focus_x;
  const fy = kb.focus_y;
  if (kb.motion === "zoom_in" || kb.motion === "zoom_out") {
    const wide = { zoom: 1, x: 0.5, y: 0.5 };
    const close = clamped(1 + ZOOM_PER_STRENGTH * kb.strength, fx, fy);
    return kb.motion === "zoom_in"
      ? { start: wide, end: close, easing: kb.easing }
      : { start: close, end: wide, easing: kb.easing };
  }
  const zoom = 1 + PAN_ZOOM_PER_STRENGTH * kb.strength;
  const lo = 0.5 / zoom;
  const hi = 1 - 0.5 / zoom;
  const centre = clamped(zoom, fx, fy);
  const ends = {
    pan_left: [[hi, centre.y], [lo, centre.y]],
    pan_right: [[lo, centre.y], [hi, centre.y]],
    pan_up: [[centre.x, hi], [centre.x, lo]],
    pan_down: [[centre.x, lo], [centre.x, hi]],
  }[kb.motion];
  const [[x0, y0], [x1, y1]] = ends;
  return { start: { zoom, x: x0, y: y0 }, end: { zoom, x: x1, y: y1 }, easing: kb.easing };
}

/**
 * Progress 0..1 -> eased progress 0..1.
 * @param {Easing} easing
 * @param {number} t
 */
export function eased(easing, t) {
  if (easing === "ease_in") return 1 - Math.cos((Math.PI / 2) * t);
  if (easing === "ease_out") return Math.sin((Math.PI / 2) * t);
  if (easing === "ease_in_out") return (1 - Math.cos(Math.PI * t)) / 2;
  return t;
}

/**
 * The viewport on a clip's frame `frame` of `frames`.
 * @param {KenBurnsPath} path
 * @param {number} frame
 * @param {number} frames
 * @returns {Viewport}
 */
export function viewportAt(path, frame, frames) {
  const p = eased(path.easing, frames > 1 ? frame / (frames - 1) : 0);
  const a = path.start;
  const b = path.end;
  return { zoom: a.zoom + (b.zoom - a.zoom) * p, x: a.x + (b.x - a.x) * p, y: a.y + (b.y - a.y) * p };
}

/**
 * The window shown on frame `frame` of `frames`, on a cover frame of iw x ih pixels.
 * @param {KenBurnsPath} path
 * @param {number} frame
 * @param {number} frames
 * @param {number} iw
 * @param {number} ih
 * @returns {Window}
 */
export function exactWindow(path, frame, frames, iw, ih) {
  const v = viewportAt(path, frame, frames);
  const w = iw / v.zoom;
  const h = ih / v.zoom;
  return { x: v.x * iw - w / 2, y: v.y * ih - h / 2, w, h };
}

/** The largest zoom a path reaches (1 for a still).
 * @param {KenBurnsPath|null} path */
export function maxZoom(path) {
  return path ? Math.max(path.start.zoom, path.end.zoom) : 1;
}
