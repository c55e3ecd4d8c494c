// The editor's draft and the timeline document the API takes: making, exporting, importing.
import { defaultsOf, normalised } from "./defaults.js";
import { validateTimeline } from "./validate.js";

/** @typedef {import("./types.js").Draft} Draft */
/** @typedef {import("./types.js").Timeline} Timeline */
/** @typedef {import("./types.js").PhotoClip} PhotoClip */
/** @typedef {import("./types.js").Aspect} Aspect */
/** @typedef {import("./types.js").Quality} Quality */

/** @type {Record<Aspect, [number, number]>} */
const FRAME_SIZES = { "16:9": [1920, 1080], "9:16": [1080, 1920], "1:1": [1080, 1080] };
const PREVIEW_DIVISOR = 3; // shared/render/graph/compiler.py: a third of the final size
export const DEFAULT_MUSIC_VOLUME = 0.6; // MusicTrack.volume's default

/**
 * The frame size a render of this format has (shared/render/graph/compiler.output_size).
 * @param {Aspect} aspect
 * @param {Quality} [quality]
 * @returns {[number, number]}
 */
export function outputSize(aspect, quality = "final") {
  const size = FRAME_SIZES[aspect];
  if (!size) {
    throw new RangeError(`outputSize(): aspect ${JSON.stringify(aspect)} is not one of 16:9, 9:16, 1:1`);
  }
  const [width, height] = size;
  if (quality === "preview") {
    const shrink = (/** @type {number} */ n) => Math.floor(Math.floor(n / PREVIEW_DIVISOR) / 2) * 2;
    return [shrink(width), shrink(height)];
  }
  return [width, height];
}

/**
 * An empty draft: no clips yet, every other field at its default.
 * @param {{aspect?: Aspect}} [options]
 * @returns {Draft}
 */
export function newDraft({ aspect = "16:9" } = {}) {
  outputSize(aspect); // checks the aspect
  const timeline = normalised({ video: [], format: { aspect } });
  return {
    name: timeline.name,
    brand_name: "",
    timeline,
    script: "",
    voice_id: null,
    music: { prompt: "", volume: DEFAULT_MUSIC_VOLUME, duck: true, snap_cuts: false },
  };
}

/**
 * A photo clip with every default (blur fit, the default Ken Burns zoom, a cut out).
 * @param {string} source
 * @param {number} duration_ms
 * @returns {PhotoClip}
 */
export function defaultPhotoClip(source, duration_ms) {
  return defaultsOf("PhotoClip", { kind: "photo", source, duration_ms });
}

/**
 * The document the API takes for this draft, or null while it has no clips.
 * @param {Draft} draft
 * @returns {Timeline|null}
 */
export function toTimelineJSON(draft) {
  if (!draft.timeline.video.length) return null;
  return structuredClone({ ...draft.timeline, name: draft.name });
}

/**
 * A draft editing a timeline document (a saved job's, an example's); throws a TypeError naming
 * every problem when the document is not a valid timeline.
 * @param {unknown} json
 * @param {Partial<Omit<Draft, "timeline">>} [extra] what the document does not hold (the job's
 *   brand name, voice id, music prompt)
 * @returns {Draft}
 */
export function fromTimelineJSON(json, extra = {}) {
  const result = validateTimeline(json);
  if (!result.ok) throw new TypeError(`fromTimelineJSON(): ${result.errors.join("; ")}`);
  /** @type {Timeline} */
  const timeline = normalised(json);
  const title = timeline.texts.find((t) => t.role === "title");
  return {
    name: timeline.name,
    brand_name: title?.text ?? "",
    timeline,
    script: timeline.voice?.script ?? "",
    voice_id: null,
    ...extra,
    music: {
      prompt: "",
      volume: timeline.music?.volume ?? DEFAULT_MUSIC_VOLUME,
      duck: timeline.music?.duck.enabled ?? true,
      ...extra.music,
    },
  };
}
