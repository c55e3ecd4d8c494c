// What the editor shows, not what it edits: selection, zoom and playhead. Never in the undo
// history (omniclip's non-historical state).
import { Emitter } from "./emitter.js";

/** @typedef {{kind: "clip"|"transition"|"text"|"voice"|"music", index: number}} Selection */
/**
 * @typedef {{selection: [Selection|null], zoom: [number], playhead: [number]}} UiEvents
 */

export const MIN_ZOOM = 5; // px per second: a 3-minute video in 900 px
export const MAX_ZOOM = 1000; // a frame at 30 fps is about 33 px
export const DEFAULT_ZOOM = 100;
const KINDS = ["clip", "transition", "text", "voice", "music"];

/** @extends {Emitter<UiEvents>} */
export class UiState extends Emitter {
  /** @type {Selection|null} */
  #selection = null;
  #zoom = DEFAULT_ZOOM;
  #playheadMs = 0;

  get selection() {
    return this.#selection;
  }

  /** @param {Selection|null} selection */
  select(selection) {
    if (selection !== null) {
      if (!KINDS.includes(selection.kind)) {
        const kind = JSON.stringify(selection.kind);
        throw new TypeError(`select(): kind ${kind} is not one of ${KINDS.join(", ")}`);
      }
      if (!Number.isInteger(selection.index) || selection.index < 0) {
        throw new RangeError(`select(): index ${selection.index} is not a valid index`);
      }
    }
    const prev = this.#selection;
    const same = prev && selection && prev.kind === selection.kind && prev.index === selection.index;
    if (prev === selection || same) return;
    this.#selection = selection && { kind: selection.kind, index: selection.index };
    this.emit("selection", this.#selection);
  }

  /** Pixels per second of the timeline. */
  get zoom() {
    return this.#zoom;
  }

  /** @param {number} pxPerSecond clamped to MIN_ZOOM..MAX_ZOOM */
  setZoom(pxPerSecond) {
    if (!Number.isFinite(pxPerSecond)) throw new TypeError(`setZoom(): ${pxPerSecond} is not a number`);
    const zoom = Math.min(Math.max(pxPerSecond, MIN_ZOOM), MAX_ZOOM);
    if (zoom === this.#zoom) return;
    this.#zoom = zoom;
    this.emit("zoom", zoom);
  }

  get playhead_ms() {
    return this.#playheadMs;
  }

  /** @param {number} ms clamped to 0..duration_ms @param {number} [duration_ms] */
  setPlayhead(ms, duration_ms = Infinity) {
    if (!Number.isFinite(ms)) throw new TypeError(`setPlayhead(): ${ms} is not a number`);
    const at = Math.min(Math.max(ms, 0), duration_ms);
    if (at === this.#playheadMs) return;
    this.#playheadMs = at;
    this.emit("playhead", at);
  }
}
