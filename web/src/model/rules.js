// The timeline's rules that its JSON Schema cannot say (the pydantic validators in
// shared/timeline/model.py), checked on a document that already matches the schema.

import { totalDurationMs } from "./time.js";

export const AD_MAX_CLIPS = 10;
const LONG_FORM_MAX_CLIPS = 1000;
const MAX_DURATION_MS = 3 * 60 * 60 * 1000;
// Whole-string matches, as the model's fullmatch.
const MEDIA_ID = /^media:[A-Za-z0-9_-]{1,128}$/;
const GS_URI = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}\/[^\x00-\x1f\x7f-\x9f]{1,1024}$/;
// [^\n] is Python's "." (JavaScript's also stops at \r and U+2028/9).
const REL_PATH = /^(?![/\\])(?![^\n]*(^|[/\\])\.\.([/\\]|$))[^:\x00-\x1f\x7f-\x9f]{1,512}$/;
const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
// shared/plain_text.py: one-line text refuses every control character; on-screen text and
// scripts let newline and tab through.
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROL_BUT_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/**
 * Every rule the document breaks, as "field: what is wrong" lines.
 * @param {import("./types.js").Timeline} t a document that matches the schema, normalised
 *   (model/defaults.js)
 * @returns {string[]}
 */
export function ruleErrors(t) {
  /** @type {string[]} */
  const errors = [];
  const fail = (/** @type {string} */ where, /** @type {string} */ what) =>
    errors.push(`${where}: ${what}`);
  const source = (/** @type {string} */ where, /** @type {string} */ value) => {
    if (!(MEDIA_ID.test(value) || GS_URI.test(value) || REL_PATH.test(value))) {
      const forms = "a library id (media:<id>), a gs://bucket/object URI or a relative file path";
      fail(where, `must be ${forms}`);
    }
  };
  const text = (/** @type {string} */ where, /** @type {string} */ value) => {
    if (CONTROL_BUT_LINES.test(value)) {
      fail(where, "must not contain control characters (only newline and tab)");
    } else if (!value.trim()) fail(where, "must not be blank");
  };
  const oneLine = (/** @type {string} */ where, /** @type {string} */ value) => {
    if (CONTROL.test(value)) {
      fail(where, "must not contain control characters (newlines, tabs, NUL, escapes)");
    }
  };
  const style = (/** @type {string} */ where, /** @type {import("./types.js").TextStyle} */ s) => {
    for (const key of /** @type {const} */ (["color", "box_color"])) {
      if (!HEX_COLOR.test(s[key])) fail(`${where}.${key}`, "must be a colour like #RRGGBB");
    }
  };

  oneLine("name", t.name);
  const limit = t.kind === "ad" ? AD_MAX_CLIPS : LONG_FORM_MAX_CLIPS;
  if (t.video.length > limit) {
    const hint = t.kind === "ad" ? " (use kind 'long_form' for longer videos)" : "";
    fail("video", `${t.video.length} clips is more than the ${limit} a '${t.kind}' timeline allows${hint}`);
  }
  t.video.forEach((clip, i) => {
    source(`video.${i}.source`, clip.source);
    const { type, duration_ms } = clip.transition;
    if (type !== "cut" && duration_ms === 0) {
      fail(`video.${i}.transition`, `a '${type}' transition needs duration_ms > 0`);
    }
    const into = i ? t.video[i - 1].transition.duration_ms : 0;
    const out = i < t.video.length - 1 ? clip.transition.duration_ms : 0;
    if (into + out > clip.duration_ms) {
      const what = `its transitions (${into} ms in + ${out} ms out) are longer than the clip`;
      fail(`video.${i}`, `${what} (${clip.duration_ms} ms)`);
    }
    if (clip.kind === "photo") {
      const kb = clip.kenburns;
      if (kb.motion === "custom" && (!kb.start || !kb.end)) {
        fail(`video.${i}.kenburns`, "motion 'custom' needs both 'start' and 'end' viewports");
      }
      if (kb.motion !== "custom" && (kb.start || kb.end)) {
        fail(`video.${i}.kenburns`, "'start'/'end' viewports are only used with motion 'custom'");
      }
    }
  });
  const total = totalDurationMs(t);
  if (total > MAX_DURATION_MS) {
    fail("video", `the video would last ${total} ms; the limit is ${MAX_DURATION_MS} ms`);
  }
  t.texts.forEach((overlay, i) => {
    text(`texts.${i}.text`, overlay.text);
    style(`texts.${i}.style`, overlay.style);
    if (overlay.end_ms <= overlay.start_ms) fail(`texts.${i}.end_ms`, "must be after start_ms");
    else if (overlay.fade_in_ms + overlay.fade_out_ms > overlay.end_ms - overlay.start_ms) {
      fail(`texts.${i}`, "fade_in_ms + fade_out_ms is longer than the text is on screen");
    }
    if (overlay.end_ms > total) {
      fail(`texts.${i}.end_ms`, `${overlay.end_ms} ms is after the end of the video (${total} ms)`);
    }
  });
  if (t.captions) style("captions.style", t.captions.style);
  if (t.voice) {
    const v = t.voice;
    source("voice.source", v.source);
    if (v.script !== null) text("voice.script", v.script);
    if (v.trim_end_ms !== null && v.trim_end_ms <= v.trim_start_ms) {
      fail("voice.trim_end_ms", "must be after trim_start_ms");
    }
    (v.word_timings ?? []).forEach((w, i) => {
      oneLine(`voice.word_timings.${i}.word`, w.word);
      if (w.end_ms < w.start_ms) fail(`voice.word_timings.${i}.end_ms`, "must not be before start_ms");
    });
  }
  if (t.music) source("music.source", t.music.source);
  if (t.captions?.enabled && t.voice && !t.voice.script) {
    fail("captions", "the voice track needs its script (the captions' words)");
  }
  return errors;
}
