// The edit commands: (draft, ...args) -> a new draft, never changing the one given. Each checks
// its arguments (TypeError / RangeError naming the command) and leaves a valid draft behind.
import { AD_MAX_CLIPS } from "./rules.js";
import { defaultsOf } from "./defaults.js";
import {
  checkIndex, checkNumber, checkOneOf, clamp, finish, MAX_TRANSITION_MS, withTimeline,
} from "./edit.js";
import { resolvePath } from "./kenburns.js";

export {
  addText, removeText, setBrand, setCallToAction, setTextPreset, updateText,
} from "./text_commands.js";

/** @typedef {import("./types.js").Draft} Draft */
/** @typedef {import("./types.js").Clip} Clip */
/** @typedef {import("./types.js").KenBurns} KenBurns */
/** @typedef {import("./types.js").TransitionType} TransitionType */

const MIN_CLIP_MS = 500;
const MAX_CLIP_MS = { photo: 10 * 60 * 1000, video: 60 * 60 * 1000 };
const MAX_SCRIPT_CHARS = 20_000;
const MAX_NAME_CHARS = 200;
const MAX_PROMPT_CHARS = 500; // shared/pipeline/made_tracks.py
const VOICE_ID = /^[A-Za-z0-9_:.-]{1,100}$/; // shared/projects/model.py
const ASPECTS = /** @type {const} */ (["16:9", "9:16", "1:1"]);
const FITS = /** @type {const} */ (["blur", "crop"]);
const MOTIONS = /** @type {const} */ ([
  "none", "zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down", "custom",
]);
const EASINGS = /** @type {const} */ (["linear", "ease_in", "ease_out", "ease_in_out"]);
/** @type {readonly TransitionType[]} */
const TRANSITIONS = [
  "cut", "fade", "dissolve", "fadeblack", "fadewhite", "wipeleft", "wiperight", "wipeup", "wipedown",
  "slideleft", "slideright", "slideup", "slidedown", "smoothleft", "smoothright", "circleopen",
  "circleclose", "radial", "zoomin",
];

/**
 * @param {Draft} draft
 * @param {number} index
 * @param {(clip: Clip) => Clip} change
 */
function withClip(draft, index, change) {
  const video = draft.timeline.video.map((clip, i) => (i === index ? change(clip) : clip));
  return withTimeline(draft, { video });
}

/**
 * Insert `clip` (missing fields take their defaults) before position `index` (default: at the end).
 * @param {Draft} draft
 * @param {Partial<Clip> & {kind: "photo"|"video", source: string, duration_ms: number}} clip
 * @param {number} [index]
 */
export function addClip(draft, clip, index = draft.timeline.video.length) {
  const kind = checkOneOf("addClip", "clip kind", clip?.kind, ["photo", "video"]);
  const at = checkIndex("addClip", index, draft.timeline.video.length + 1);
  const video = [...draft.timeline.video];
  video.splice(at, 0, defaultsOf(kind === "photo" ? "PhotoClip" : "VideoClip", clip));
  // An ad holds at most AD_MAX_CLIPS; one clip more makes the video a long-form one.
  const longForm = draft.timeline.kind === "ad" && video.length > AD_MAX_CLIPS ? "long_form" : draft.timeline.kind;
  return finish("addClip", draft, withTimeline(draft, { video, kind: longForm }));
}

/** @param {Draft} draft @param {number} from @param {number} to */
export function moveClip(draft, from, to) {
  const n = draft.timeline.video.length;
  const a = checkIndex("moveClip", from, n);
  const b = checkIndex("moveClip", to, n);
  const video = [...draft.timeline.video];
  video.splice(b, 0, ...video.splice(a, 1));
  return finish("moveClip", draft, withTimeline(draft, { video }));
}

/** @param {Draft} draft @param {number} index */
export function removeClip(draft, index) {
  const i = checkIndex("removeClip", index, draft.timeline.video.length);
  const video = draft.timeline.video.filter((_, j) => j !== i);
  return finish("removeClip", draft, withTimeline(draft, { video }));
}

/**
 * Set a clip's length, clamped so it stays at least as long as its transitions (and 500 ms).
 * @param {Draft} draft @param {number} index @param {number} duration_ms
 */
export function trimClip(draft, index, duration_ms) {
  const video = draft.timeline.video;
  const i = checkIndex("trimClip", index, video.length);
  const wanted = checkNumber("trimClip", "duration_ms", duration_ms);
  const into = i ? video[i - 1].transition.duration_ms : 0;
  const out = i < video.length - 1 ? video[i].transition.duration_ms : 0;
  const ms = clamp(Math.round(wanted), Math.max(MIN_CLIP_MS, into + out), MAX_CLIP_MS[video[i].kind]);
  return finish("trimClip", draft, withClip(draft, i, (clip) => ({ ...clip, duration_ms: ms })));
}

/**
 * The transition from clip `index` into the next, its length clamped to what both clips allow.
 * @param {Draft} draft @param {number} index
 * @param {{type: TransitionType, duration_ms?: number}} transition
 */
export function setTransition(draft, index, { type, duration_ms }) {
  const video = draft.timeline.video;
  const i = checkIndex("setTransition", index, video.length);
  if (i === video.length - 1) {
    throw new RangeError(`setTransition(): clip ${i} is the last one; there is no clip to go into`);
  }
  checkOneOf("setTransition", "type", type, TRANSITIONS);
  let ms = 0;
  if (type !== "cut") {
    const into = i ? video[i - 1].transition.duration_ms : 0;
    const nextOut = i + 1 < video.length - 1 ? video[i + 1].transition.duration_ms : 0;
    const room = Math.min(MAX_TRANSITION_MS, video[i].duration_ms - into, video[i + 1].duration_ms - nextOut);
    if (room < 1) {
      throw new RangeError(`setTransition(): clips ${i} and ${i + 1} are too short for a transition`);
    }
    const wanted = duration_ms ?? (video[i].transition.duration_ms || 500);
    ms = clamp(Math.round(checkNumber("setTransition", "duration_ms", wanted)), 1, room);
  }
  const transition = { type, duration_ms: ms };
  return finish("setTransition", draft, withClip(draft, i, (clip) => ({ ...clip, transition })));
}

/**
 * @param {string} name
 * @param {Draft} draft @param {number} index
 * @param {(clip: import("./types.js").PhotoClip) => import("./types.js").PhotoClip} change
 */
function editPhoto(name, draft, index, change) {
  const i = checkIndex(name, index, draft.timeline.video.length);
  const clip = draft.timeline.video[i];
  if (clip.kind !== "photo") throw new TypeError(`${name}(): clip ${i} is a video; only photos move`);
  return finish(name, draft, withClip(draft, i, () => change(clip)));
}

/** @param {string} name @param {unknown} v @returns {import("./types.js").Viewport} */
function viewport(name, v) {
  const { zoom = 1, x = 0.5, y = 0.5 } = /** @type {any} */ (v ?? {});
  return {
    zoom: clamp(checkNumber(name, "zoom", zoom), 1, 4),
    x: clamp(checkNumber(name, "x", x), 0, 1),
    y: clamp(checkNumber(name, "y", y), 0, 1),
  };
}

/**
 * Change a photo's motion. Switching to "custom" starts from the viewports the old motion had.
 * @param {Draft} draft @param {number} index @param {Partial<KenBurns>} partial
 */
export function setKenBurns(draft, index, partial) {
  const name = "setKenBurns";
  for (const key of Object.keys(partial)) {
    checkOneOf(name, "field", key, ["motion", "focus_x", "focus_y", "strength", "easing", "start", "end"]);
  }
  return editPhoto(name, draft, index, (clip) => {
    const old = clip.kenburns;
    const kb = { ...old, ...partial };
    checkOneOf(name, "motion", kb.motion, MOTIONS);
    checkOneOf(name, "easing", kb.easing, EASINGS);
    kb.focus_x = clamp(checkNumber(name, "focus_x", kb.focus_x), 0, 1);
    kb.focus_y = clamp(checkNumber(name, "focus_y", kb.focus_y), 0, 1);
    kb.strength = clamp(checkNumber(name, "strength", kb.strength), 0, 1);
    if (kb.motion === "custom") {
      const from = old.motion === "custom" ? null : resolvePath(old);
      kb.start = viewport(name, kb.start ?? from?.start);
      kb.end = viewport(name, kb.end ?? from?.end);
    } else {
      kb.start = null;
      kb.end = null;
    }
    return { ...clip, kenburns: kb };
  });
}

/**
 * The point the motion moves around (0..1 of the photo, clamped).
 * @param {Draft} draft @param {number} index @param {number} x @param {number} y
 */
export function setFocus(draft, index, x, y) {
  const fx = clamp(checkNumber("setFocus", "x", x), 0, 1);
  const fy = clamp(checkNumber("setFocus", "y", y), 0, 1);
  return editPhoto("setFocus", draft, index, (clip) => ({
    ...clip, kenburns: { ...clip.kenburns, focus_x: fx, focus_y: fy },
  }));
}

/** @param {Draft} draft @param {number} index @param {"blur"|"crop"} fit */
export function setFit(draft, index, fit) {
  const i = checkIndex("setFit", index, draft.timeline.video.length);
  checkOneOf("setFit", "fit", fit, FITS);
  return finish("setFit", draft, withClip(draft, i, (clip) => ({ ...clip, fit })));
}

/** @param {Draft} draft @param {import("./types.js").Aspect} aspect */
export function setFormat(draft, aspect) {
  checkOneOf("setFormat", "aspect", aspect, ASPECTS);
  return finish("setFormat", draft, withTimeline(draft, { format: { ...draft.timeline.format, aspect } }));
}

/** @param {string} name @param {string} what @param {unknown} value @param {number} max */
function checkText(name, what, value, max) {
  if (typeof value !== "string") throw new TypeError(`${name}(): ${what} must be a string`);
  if (value.length > max) {
    throw new RangeError(`${name}(): ${what} is ${value.length} characters; at most ${max}`);
  }
  return value;
}

/** @param {Draft} draft @param {string} name */
export function setName(draft, name) {
  checkText("setName", "name", name, MAX_NAME_CHARS);
  return finish("setName", draft, { ...withTimeline(draft, { name }), name });
}

/** The words the job makes the voice from. @param {Draft} draft @param {string} script */
export function setScript(draft, script) {
  checkText("setScript", "script", script, MAX_SCRIPT_CHARS);
  return finish("setScript", draft, { ...draft, script });
}

/** The voice the job speaks the script with. @param {Draft} draft @param {string|null} voice_id */
export function setVoiceId(draft, voice_id) {
  if (voice_id !== null && !(typeof voice_id === "string" && VOICE_ID.test(voice_id))) {
    throw new TypeError(`setVoiceId(): ${JSON.stringify(voice_id)} is not a voice id`);
  }
  return finish("setVoiceId", draft, { ...draft, voice_id });
}

/**
 * A recorded (or made) voice file, played from the start of the video; null removes it.
 * `duration_ms` is the file's length as the library knows it (the document plays it whole).
 * @param {Draft} draft
 * @param {{source: string, duration_ms: number, script: string|null,
 *   word_timings: import("./types.js").WordTiming[]|null}|null} track
 */
export function setVoiceTrack(draft, track) {
  if (track === null) return finish("setVoiceTrack", draft, withTimeline(draft, { voice: null }));
  if (typeof track?.source !== "string") throw new TypeError("setVoiceTrack(): source must be a string");
  if (checkNumber("setVoiceTrack", "duration_ms", track.duration_ms) < 0) {
    throw new RangeError("setVoiceTrack(): duration_ms must not be negative");
  }
  const script = track.script?.trim() ? track.script : null;
  const word_timings = track.word_timings ?? null;
  const voice = defaultsOf("VoiceTrack", { source: track.source, script, word_timings });
  return finish("setVoiceTrack", draft, withTimeline(draft, { voice }));
}

/**
 * The music settings (what the job makes music from, its volume, ducking under the voice, cuts
 * on its beats); they also apply to a music file already on the timeline. ``bpm`` is that file's
 * tempo (made music has the tempo its prompt asks for): its cuts snap only once it is known.
 * @param {Draft} draft @param {Partial<import("./types.js").MusicSettings> & {bpm?: number|null}} partial
 */
export function setMusic(draft, partial) {
  const name = "setMusic";
  for (const key of Object.keys(partial)) checkOneOf(name, "field", key, ["prompt", "volume", "duck", "snap_cuts", "bpm"]);
  const { bpm, ...settings } = partial;
  const music = { snap_cuts: false, ...draft.music, ...settings };
  checkText(name, "prompt", music.prompt, MAX_PROMPT_CHARS);
  music.volume = clamp(checkNumber(name, "volume", music.volume), 0, 4);
  for (const key of /** @type {const} */ (["duck", "snap_cuts"])) {
    if (typeof music[key] !== "boolean") throw new TypeError(`${name}(): ${key} must be true or false`);
  }
  const track = draft.timeline.music;
  const next = { ...draft, music };
  if (!track) {
    if (bpm !== undefined) throw new TypeError(`${name}(): bpm is a music file's tempo, and there is none`);
    return finish(name, draft, next);
  }
  const tempo = bpm === undefined ? track.bpm ?? null : bpm === null ? null : clamp(checkNumber(name, "bpm", bpm), 40, 240);
  const synced = { ...track, volume: music.volume, duck: { ...track.duck, enabled: music.duck },
    bpm: tempo, snap_cuts: music.snap_cuts && tempo !== null };
  return finish(name, draft, withTimeline(next, { music: synced }));
}

/** A music file under the whole video (null removes it). @param {Draft} draft @param {string|null} source */
export function setMusicSource(draft, source) {
  if (source === null) return finish("setMusicSource", draft, withTimeline(draft, { music: null }));
  if (typeof source !== "string") throw new TypeError("setMusicSource(): source must be a string or null");
  const { volume, duck } = draft.music;
  // A new file's tempo is not known yet: its cuts snap once the person gives it.
  const music = defaultsOf("MusicTrack", { source, volume, duck: { enabled: duck } });
  return finish("setMusicSource", draft, withTimeline(draft, { music }));
}
