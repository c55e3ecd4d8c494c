// The edit commands: new drafts (the old one untouched), checked arguments, always valid.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cmd from "../../web/src/model/commands.js";
import { totalDurationMs } from "../../web/src/model/time.js";
import { defaultPhotoClip, newDraft, toTimelineJSON } from "../../web/src/model/timeline.js";
import { validateTimeline } from "../../web/src/model/validate.js";

/** A draft with `n` photo clips of `ms` each, joined by 500 ms fades. */
function draftWith(n = 3, ms = 3000) {
  let d = newDraft();
  for (let i = 0; i < n; i++) d = cmd.addClip(d, defaultPhotoClip(`photos/${i}.jpg`, ms));
  for (let i = 0; i < n - 1; i++) d = cmd.setTransition(d, i, { type: "fade", duration_ms: 500 });
  return d;
}

/** Clip `i`, which must be a photo. @param {import("../../web/src/model/types.js").Draft} d @param {number} i */
function photo(d, i) {
  const clip = d.timeline.video[i];
  assert.equal(clip.kind, "photo");
  return /** @type {import("../../web/src/model/types.js").PhotoClip} */ (clip);
}

/** @param {import("../../web/src/model/types.js").Draft} d */
function assertValid(d) {
  const json = toTimelineJSON(d);
  assert.ok(json, "the draft has clips");
  assert.deepEqual(validateTimeline(json), { ok: true });
}

test("commands return a new draft and leave the old one as it was", () => {
  const d = draftWith(2);
  const frozen = JSON.stringify(d);
  const e = cmd.trimClip(d, 0, 4000);
  assert.notEqual(e, d);
  assert.equal(JSON.stringify(d), frozen);
  assert.equal(e.timeline.video[0].duration_ms, 4000);
  assert.equal(e.timeline.video[1], d.timeline.video[1], "untouched clips are shared");
});

test("an edit that changes nothing returns the same draft", () => {
  const d = draftWith(2);
  assert.equal(cmd.setFit(d, 0, "blur"), d);
  assert.equal(cmd.trimClip(d, 1, 3000), d);
});

test("addClip inserts at an index with defaults and refuses bad ones", () => {
  const d = draftWith(2);
  const e = cmd.addClip(d, { kind: "photo", source: "photos/new.jpg", duration_ms: 2000 }, 1);
  assert.deepEqual(e.timeline.video.map((c) => c.source), ["photos/0.jpg", "photos/new.jpg", "photos/1.jpg"]);
  assert.equal(e.timeline.video[1].fit, "blur");
  assert.throws(() => cmd.addClip(d, defaultPhotoClip("a.jpg", 1000), 7), {
    name: "RangeError", message: "addClip(): index 7 is out of range (0..2)",
  });
  assert.throws(() => cmd.addClip(d, /** @type {any} */ ({ kind: "slide" })), TypeError);
  assert.throws(() => cmd.addClip(d, defaultPhotoClip("/etc/passwd", 1000)), /addClip\(\): video\.2\.source: must be a library id/);
});

test("moveClip reorders, refusing indexes out of range", () => {
  const d = draftWith(3);
  const e = cmd.moveClip(d, 0, 2);
  assert.deepEqual(e.timeline.video.map((c) => c.source), ["photos/1.jpg", "photos/2.jpg", "photos/0.jpg"]);
  assert.throws(() => cmd.moveClip(d, 7, 0), { name: "RangeError", message: "moveClip(): index 7 is out of range (0..2)" });
  assert.throws(() => cmd.moveClip(d, 0.5, 0), TypeError);
  assertValid(e);
});

test("moving a short clip between long transitions shortens them to fit", () => {
  let d = draftWith(3);
  d = cmd.setTransition(d, 0, { type: "fade", duration_ms: 2000 });
  d = cmd.setTransition(d, 1, { type: "fade", duration_ms: 2000 });
  d = cmd.addClip(d, defaultPhotoClip("photos/short.jpg", 600), 3);
  const e = cmd.moveClip(d, 3, 1); // between 2 s transitions: the one into it must shrink
  const [a, b] = e.timeline.video;
  assert.ok(a.transition.duration_ms + b.transition.duration_ms <= b.duration_ms);
  assertValid(e);
});

test("trimClip clamps to 500..600000 and to the transitions on both sides", () => {
  let d = draftWith(3);
  d = cmd.setTransition(d, 0, { type: "fade", duration_ms: 800 });
  d = cmd.setTransition(d, 1, { type: "fade", duration_ms: 900 });
  assert.equal(cmd.trimClip(d, 1, 100).timeline.video[1].duration_ms, 1700);
  assert.equal(cmd.trimClip(d, 2, 100).timeline.video[2].duration_ms, 900);
  assert.equal(cmd.trimClip(d, 0, 10_000_000).timeline.video[0].duration_ms, 600_000);
  assert.equal(cmd.trimClip(draftWith(1), 0, 1).timeline.video[0].duration_ms, 500);
  assert.throws(() => cmd.trimClip(d, 0, NaN), TypeError);
  assert.throws(() => cmd.trimClip(d, 3, 1000), /trimClip\(\): index 3 is out of range/);
});

test("setTransition clamps to what both clips allow; a cut is 0 ms", () => {
  const d = draftWith(3, 1000);
  assert.deepEqual(cmd.setTransition(d, 0, { type: "wipeleft", duration_ms: 9000 }).timeline.video[0].transition,
    { type: "wipeleft", duration_ms: 500 }); // clip 1 also gives 500 ms to its fade out
  assert.deepEqual(cmd.setTransition(d, 1, { type: "cut", duration_ms: 700 }).timeline.video[1].transition,
    { type: "cut", duration_ms: 0 });
  assert.throws(() => cmd.setTransition(d, 2, { type: "fade" }), /setTransition\(\): clip 2 is the last one/);
  assert.throws(() => cmd.setTransition(d, 0, /** @type {any} */ ({ type: "spin" })), TypeError);
});

test("removeClip drops the clip; texts past the new end are clamped or dropped", () => {
  let d = draftWith(3); // 3000 * 3 - 1000 = 8000 ms
  assert.equal(totalDurationMs(d.timeline), 8000);
  d = cmd.addText(d, { text: "late", start_ms: 6000, end_ms: 7500 });
  d = cmd.addText(d, { text: "middle", start_ms: 4000, end_ms: 6000 });
  const e = cmd.removeClip(d, 2); // 5500 ms left
  assert.equal(totalDurationMs(e.timeline), 5500);
  assert.deepEqual(e.timeline.texts.map((t) => [t.text, t.start_ms, t.end_ms]), [["middle", 4000, 5500]]);
  assertValid(e);
  const empty = cmd.removeClip(cmd.removeClip(e, 0), 0);
  assert.equal(empty.timeline.video.length, 0);
  assert.equal(toTimelineJSON(empty), null);
});

test("short texts keep their fades inside their time on screen", () => {
  let d = draftWith(1, 1000);
  d = cmd.addText(d, { text: "brief", start_ms: 800, end_ms: 1000 });
  const [t] = d.timeline.texts;
  assert.ok(t.fade_in_ms + t.fade_out_ms <= 200);
  assertValid(d);
});

test("setKenBurns merges, clamps and fills a custom motion's viewports from the old motion", () => {
  const d = draftWith(2);
  const e = cmd.setKenBurns(d, 0, { motion: "pan_left", strength: 3 });
  assert.equal(photo(e, 0).kenburns.strength, 1);
  const custom = photo(cmd.setKenBurns(d, 0, { motion: "custom" }), 0).kenburns;
  assert.deepEqual(custom.start, { zoom: 1, x: 0.5, y: 0.5 });
  assert.deepEqual(custom.end, { zoom: 1.25, x: 0.5, y: 0.5 });
  const back = cmd.setKenBurns(cmd.setKenBurns(d, 0, { motion: "custom" }), 0, { motion: "zoom_out" });
  assert.equal(photo(back, 0).kenburns.start, null);
  assert.throws(() => cmd.setKenBurns(d, 0, /** @type {any} */ ({ wobble: 1 })), TypeError);
  assert.throws(() => cmd.setKenBurns(d, 0, /** @type {any} */ ({ motion: "spin" })), TypeError);
  const video = cmd.addClip(d, { kind: "video", source: "clips/a.mp4", duration_ms: 2000 });
  assert.throws(() => cmd.setKenBurns(video, 2, { strength: 0.2 }), /setKenBurns\(\): clip 2 is a video/);
});

test("setFocus and setFit", () => {
  const d = draftWith(1);
  const kb = photo(cmd.setFocus(d, 0, 1.4, 0.25), 0).kenburns;
  assert.deepEqual([kb.focus_x, kb.focus_y], [1, 0.25]);
  assert.equal(cmd.setFit(d, 0, "crop").timeline.video[0].fit, "crop");
  assert.throws(() => cmd.setFit(d, 0, /** @type {any} */ ("stretch")), TypeError);
});

test("setBrand keeps the brand name and its title overlay in step", () => {
  let d = cmd.setBrand(newDraft(), "Harbor Bakery"); // no clips yet: the title waits
  assert.equal(d.timeline.texts.length, 0);
  d = cmd.addClip(d, defaultPhotoClip("a.jpg", 2000));
  assert.deepEqual(d.timeline.texts.map((t) => [t.role, t.text, t.start_ms, t.end_ms]), [["title", "Harbor Bakery", 0, 2000]]);
  d = cmd.addClip(d, defaultPhotoClip("b.jpg", 2000));
  d = cmd.setBrand(d, "Harbour Bakery");
  assert.equal(d.timeline.texts[0].text, "Harbour Bakery");
  const title = d.timeline.texts.findIndex((t) => t.role === "title");
  d = cmd.updateText(d, title, { text: "Harbour Bakes" });
  assert.equal(d.brand_name, "Harbour Bakes");
  const cleared = cmd.setBrand(d, "");
  assert.equal(cleared.timeline.texts.some((t) => t.role === "title"), false);
  assert.equal(cmd.removeText(d, title).brand_name, "");
  assertValid(d);
});

test("a fresh brand title spans at most the first 3 s", () => {
  const d = cmd.setBrand(draftWith(3), "Brand");
  const [t] = d.timeline.texts;
  assert.deepEqual([t.role, t.start_ms, t.end_ms], ["title", 0, 3000]);
});

test("setCallToAction covers the last 3 s at the bottom and follows the end", () => {
  let d = cmd.setCallToAction(draftWith(3), "Visit us today");
  const cta = () => d.timeline.texts.find((t) => t.role === "cta");
  assert.deepEqual([cta()?.start_ms, cta()?.end_ms, cta()?.anchor], [5000, 8000, "bottom"]);
  d = cmd.trimClip(d, 2, 4000);
  assert.deepEqual([cta()?.start_ms, cta()?.end_ms], [6000, 9000]);
  d = cmd.setCallToAction(d, "Order ahead");
  assert.equal(d.timeline.texts.filter((t) => t.role === "cta").length, 1);
  assert.equal(cmd.setCallToAction(d, " ").timeline.texts.some((t) => t.role === "cta"), false);
  assert.throws(() => cmd.setCallToAction(newDraft(), "Buy"), /setCallToAction\(\): add a clip first/);
  assertValid(d);
});

test("texts: add, update, preset, remove, with named errors", () => {
  let d = cmd.addText(draftWith(2), { text: "Hello", start_ms: 1000 });
  assert.deepEqual([d.timeline.texts[0].start_ms, d.timeline.texts[0].end_ms], [1000, 4000]);
  d = cmd.updateText(d, 0, { style: { color: "#FF0000" } });
  assert.equal(d.timeline.texts[0].style.color, "#FF0000");
  assert.equal(d.timeline.texts[0].style.font, "sans_bold", "style is merged");
  d = cmd.setTextPreset(d, 0, "top");
  assert.deepEqual([d.timeline.texts[0].anchor, d.timeline.texts[0].offset_y], ["top", 0]);
  assert.throws(() => cmd.updateText(d, 0, { style: /** @type {any} */ ({ color: "red" }) }),
    { name: "RangeError", message: "updateText(): texts.0.style.color: must be a colour like #RRGGBB" });
  assert.throws(() => cmd.updateText(d, 3, { text: "x" }), /updateText\(\): index 3 is out of range \(0\.\.0\)/);
  assert.throws(() => cmd.addText(d, { text: "x".repeat(201) }), RangeError);
  assert.throws(() => cmd.setTextPreset(d, 0, /** @type {any} */ ("left")), TypeError);
  assert.equal(cmd.removeText(d, 0).timeline.texts.length, 0);
  assert.throws(() => cmd.addText(newDraft(), { text: "x" }), /addText\(\): add a clip first/);
});

test("format, name, script, voice id", () => {
  const d = draftWith(1);
  assert.equal(cmd.setFormat(d, "9:16").timeline.format.aspect, "9:16");
  assert.throws(() => cmd.setFormat(d, /** @type {any} */ ("4:3")), TypeError);
  const named = cmd.setName(d, "Spring sale");
  assert.deepEqual([named.name, named.timeline.name, toTimelineJSON(named)?.name], ["Spring sale", "Spring sale", "Spring sale"]);
  assert.throws(() => cmd.setName(d, "x".repeat(201)), RangeError);
  assert.equal(cmd.setScript(d, "Fresh bread daily.").script, "Fresh bread daily.");
  assert.equal(cmd.setVoiceId(d, "voice_1").voice_id, "voice_1");
  assert.equal(cmd.setVoiceId(cmd.setVoiceId(d, "voice_1"), null).voice_id, null);
  assert.throws(() => cmd.setVoiceId(d, "bad id!"), TypeError);
});

test("voice track and music", () => {
  let d = draftWith(2);
  d = cmd.setVoiceTrack(d, { source: "media:voice1", duration_ms: 4000, script: "Hello there.", word_timings: null });
  assert.deepEqual(d.timeline.voice, {
    source: "media:voice1", offset_ms: 0, trim_start_ms: 0, trim_end_ms: null, volume: 1, script: "Hello there.", word_timings: null,
  });
  assert.equal(cmd.setVoiceTrack(d, null).timeline.voice, null);
  assert.throws(() => cmd.setVoiceTrack(d, { source: "http://x", duration_ms: 1, script: null, word_timings: null }), /voice\.source/);
  d = cmd.setMusic(d, { prompt: "warm acoustic", volume: 0.4 });
  assert.deepEqual(d.music, { prompt: "warm acoustic", volume: 0.4, duck: true, snap_cuts: false });
  assert.throws(() => cmd.setMusic(d, { bpm: 120 }), /no(ne| music file)|there is none/);
  d = cmd.setMusicSource(d, "media:song");
  assert.deepEqual([d.timeline.music?.volume, d.timeline.music?.duck.enabled], [0.4, true]);
  d = cmd.setMusic(d, { duck: false, volume: 9 });
  assert.deepEqual([d.timeline.music?.volume, d.timeline.music?.duck.enabled, d.music.volume], [4, false, 4]);
  assert.throws(() => cmd.setMusic(d, /** @type {any} */ ({ tempo: 1 })), TypeError);
  assertValid(d);
  d = cmd.setMusic(d, { snap_cuts: true });
  assert.deepEqual([d.music.snap_cuts, d.timeline.music?.snap_cuts], [true, false]); // no tempo yet
  assertValid(d);
  d = cmd.setMusic(d, { bpm: 300 });
  assert.deepEqual([d.timeline.music?.bpm, d.timeline.music?.snap_cuts], [240, true]);
  d = cmd.setMusic(d, { bpm: null });
  assert.deepEqual([d.timeline.music?.bpm, d.timeline.music?.snap_cuts], [null, false]);
  d = cmd.setMusic(d, { bpm: 120 });
  assert.throws(() => cmd.setMusic(d, /** @type {any} */ ({ snap_cuts: "yes" })), /snap_cuts/);
  assert.equal(cmd.setMusicSource(d, null).timeline.music, null);
  assertValid(d);
});

test("a draft built by commands validates and survives the schema's round trip", () => {
  let d = draftWith(4);
  d = cmd.setBrand(d, "Harbor Bakery");
  d = cmd.setCallToAction(d, "Visit us today");
  d = cmd.addText(d, { text: "Since 1990", start_ms: 3000, end_ms: 6000 });
  d = cmd.setKenBurns(d, 1, { motion: "custom", end: { zoom: 1.4, x: 0.3, y: 0.6 } });
  d = cmd.setVoiceTrack(d, { source: "media:v", duration_ms: 9000, script: "Fresh bread.", word_timings: [{ word: "Fresh", start_ms: 0, end_ms: 300 }] });
  d = cmd.setMusicSource(d, "media:m");
  assertValid(d);
});

test("an eleventh clip makes an ad a long-form video", () => {
  let draft = newDraft();
  for (let i = 0; i < 10; i++) draft = cmd.addClip(draft, defaultPhotoClip(`media:p${i}`, 1000));
  assert.equal(draft.timeline.kind, "ad");
  draft = cmd.addClip(draft, defaultPhotoClip("media:p10", 1000));
  assert.equal(draft.timeline.kind, "long_form");
  assert.equal(draft.timeline.video.length, 11);
});
