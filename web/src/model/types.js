// JSDoc types of the timeline document (web/schema/timeline.schema.json, exported from
// shared/timeline/model.py) and of the editor's draft. The editor always holds documents with
// every default filled in (model/defaults.js), so every field here is present.

/** @typedef {"16:9"|"9:16"|"1:1"} Aspect */
/** @typedef {"preview"|"final"} Quality */
/** @typedef {"linear"|"ease_in"|"ease_out"|"ease_in_out"} Easing */
/** @typedef {"none"|"zoom_in"|"zoom_out"|"pan_left"|"pan_right"|"pan_up"|"pan_down"|"custom"} Motion */
/** @typedef {"blur"|"crop"} Fit */
/**
 * @typedef {"cut"|"fade"|"dissolve"|"fadeblack"|"fadewhite"|"wipeleft"|"wiperight"|"wipeup"
 *   |"wipedown"|"slideleft"|"slideright"|"slideup"|"slidedown"|"smoothleft"|"smoothright"
 *   |"circleopen"|"circleclose"|"radial"|"zoomin"} TransitionType
 */
/** @typedef {"sans"|"sans_bold"|"serif"|"serif_bold"|"mono"} Font */
/** @typedef {"title"|"cta"|"text"} TextRole */
/** @typedef {"top"|"center"|"bottom"} Anchor */

/** @typedef {{aspect: Aspect, fps: 24|25|30, quality: Quality}} OutputFormat */
/** A window on the cover frame: zoom 1 = all of it, centre (x, y) in 0..1.
 * @typedef {{zoom: number, x: number, y: number}} Viewport */
/**
 * @typedef {{motion: Motion, focus_x: number, focus_y: number, strength: number,
 *   easing: Easing, start: Viewport|null, end: Viewport|null}} KenBurns
 */
/** The transition from a clip into the next; it overlaps both by duration_ms.
 * @typedef {{type: TransitionType, duration_ms: number}} Transition */
/**
 * @typedef {{kind: "photo", source: string, duration_ms: number, fit: Fit, kenburns: KenBurns,
 *   transition: Transition}} PhotoClip
 */
/**
 * @typedef {{kind: "video", source: string, duration_ms: number, trim_start_ms: number,
 *   fit: Fit, transition: Transition}} VideoClip
 */
/** @typedef {PhotoClip|VideoClip} Clip */
/**
 * @typedef {{font: Font, size: number, color: string, box: boolean, box_color: string,
 *   box_opacity: number}} TextStyle
 */
/**
 * @typedef {{role: TextRole, text: string, start_ms: number, end_ms: number, anchor: Anchor,
 *   x: number, offset_y: number, style: TextStyle, fade_in_ms: number,
 *   fade_out_ms: number}} TextOverlay
 */
/** @typedef {{enabled: boolean, style: TextStyle, max_words: number}} Captions */
/** @typedef {{word: string, start_ms: number, end_ms: number}} WordTiming */
/**
 * @typedef {{source: string, offset_ms: number, trim_start_ms: number,
 *   trim_end_ms: number|null, volume: number, script: string|null,
 *   word_timings: WordTiming[]|null}} VoiceTrack
 */
/**
 * @typedef {{enabled: boolean, threshold: number, ratio: number, attack_ms: number,
 *   release_ms: number}} Ducking
 */
/**
 * @typedef {{source: string, volume: number, fade_in_ms: number, fade_out_ms: number,
 *   loop_crossfade_ms: number, duck: Ducking, bpm?: number|null, snap_cuts?: boolean}} MusicTrack
 */
/** @typedef {{target_lufs: number, true_peak_db: number}} Loudness */
/**
 * @typedef {{schema_version: 1, kind: "ad"|"long_form", name: string, format: OutputFormat,
 *   video: Clip[], texts: TextOverlay[], captions: Captions|null, voice: VoiceTrack|null,
 *   music: MusicTrack|null, loudness: Loudness}} Timeline
 */

/** What the job makes music from, how loud it sits under the voice, and whether the photos' cuts
 * move onto its beats.
 * @typedef {{prompt: string, volume: number, duck: boolean, snap_cuts?: boolean}} MusicSettings */
/**
 * The editor's document: the timeline (whose video may be [] while editing) plus what the job
 * makes for it (the voice from the script, music from the prompt).
 * @typedef {{name: string, brand_name: string, timeline: Timeline, script: string,
 *   voice_id: string|null, music: MusicSettings}} Draft
 */

export {};
