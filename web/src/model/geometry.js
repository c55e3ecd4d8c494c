// Timeline geometry for the views, DOM-free: time <-> pixels, ruler ticks, where a drop lands.

/** @typedef {{ms: number, major: boolean, label: string}} Tick */

// Major tick steps (ms) to choose from, and how many minor steps each splits into.
const STEPS = [
  [100, 2], [200, 2], [500, 5], [1000, 4], [2000, 4], [5000, 5], [10_000, 5], [15_000, 3],
  [30_000, 6], [60_000, 4], [120_000, 4], [300_000, 5], [600_000, 5], [1_800_000, 6], [3_600_000, 4],
];
const MIN_MAJOR_PX = 80; // labels need this much room

/** @param {number} ms @param {number} pxPerSecond */
export function msToPx(ms, pxPerSecond) {
  return (ms * pxPerSecond) / 1000;
}

/** Whole milliseconds at `px`. @param {number} px @param {number} pxPerSecond */
export function pxToMs(px, pxPerSecond) {
  return Math.round((px * 1000) / pxPerSecond);
}

/** "m:ss", with tenths when the step is under a second. @param {number} ms @param {number} step */
function label(ms, step) {
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const text = step < 1000 ? seconds.toFixed(1) : String(Math.floor(seconds));
  return `${minutes}:${text.padStart(step < 1000 ? 4 : 2, "0")}`;
}

/**
 * Ruler ticks over [startMs, endMs] at a zoom: majors at least MIN_MAJOR_PX apart, labelled.
 * @param {number} startMs
 * @param {number} endMs
 * @param {number} pxPerSecond
 * @returns {Tick[]}
 */
export function rulerTicks(startMs, endMs, pxPerSecond) {
  const found = STEPS.find(([ms]) => msToPx(ms, pxPerSecond) >= MIN_MAJOR_PX);
  const [major, parts] = found ?? STEPS[STEPS.length - 1];
  const minor = major / parts;
  /** @type {Tick[]} */
  const ticks = [];
  for (let n = Math.ceil(Math.max(startMs, 0) / minor); n * minor <= endMs; n++) {
    const ms = n * minor;
    const isMajor = n % parts === 0;
    ticks.push({ ms, major: isMajor, label: isMajor ? label(ms, major) : "" });
  }
  return ticks;
}

/**
 * Where a clip dropped at `ms` lands: before the first clip whose middle is after `ms`.
 * @param {{start_ms: number, end_ms: number}[]} spans clipSpans(timeline)
 * @param {number} ms
 */
export function dropIndex(spans, ms) {
  const i = spans.findIndex((s) => (s.start_ms + s.end_ms) / 2 > ms);
  return i === -1 ? spans.length : i;
}
