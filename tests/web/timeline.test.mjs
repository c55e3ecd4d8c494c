// The draft and the document the API takes: new drafts, export, import, errors that name fields.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { withDefaults } from "../../web/src/model/defaults.js";
import { defaultPhotoClip, fromTimelineJSON, newDraft, outputSize, toTimelineJSON } from "../../web/src/model/timeline.js";
import { validateTimeline } from "../../web/src/model/validate.js";

const examples = ["ad-16x9.json", "ad-9x16.json", "ad-1x1.json"].map((name) =>
  JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8")));

test("a new draft has no clips, so no document yet", () => {
  const d = newDraft({ aspect: "9:16" });
  assert.equal(d.timeline.format.aspect, "9:16");
  assert.deepEqual(d.timeline.video, []);
  assert.equal(toTimelineJSON(d), null);
  assert.deepEqual(d.music, { prompt: "", volume: 0.6, duck: true, snap_cuts: false });
  assert.throws(() => newDraft({ aspect: /** @type {any} */ ("4:3") }), RangeError);
});

test("examples round-trip: import, export, and the document is the example with its defaults", () => {
  for (const doc of examples) {
    const draft = fromTimelineJSON(doc);
    const out = toTimelineJSON(draft);
    assert.deepEqual(out, withDefaults(doc));
    assert.deepEqual(validateTimeline(out), { ok: true });
    assert.equal(draft.brand_name, doc.texts.find((/** @type {any} */ t) => t.role === "title").text);
    assert.equal(draft.script, doc.voice?.script ?? "");
  }
});

test("fromTimelineJSON takes what the document does not hold, and refuses bad documents", () => {
  const d = fromTimelineJSON(examples[0], { voice_id: "v1", music: { prompt: "folk", volume: 1, duck: false } });
  assert.equal(d.voice_id, "v1");
  assert.equal(d.music.prompt, "folk");
  assert.throws(() => fromTimelineJSON({ video: [{ ...defaultPhotoClip("a.jpg", 400) }] }),
    { name: "TypeError", message: "fromTimelineJSON(): video.0.duration_ms: must be >= 500" });
});

test("exporting copies: editing the document does not touch the draft", () => {
  const d = fromTimelineJSON(examples[0]);
  const out = /** @type {any} */ (toTimelineJSON(d));
  out.video[0].duration_ms = 1;
  assert.equal(d.timeline.video[0].duration_ms, 3000);
});

test("errors name the field and say what is wrong", () => {
  const bad = {
    format: { fps: 60, aspect: "16:9" },
    video: [{ kind: "photo", source: "a.jpg", duration_ms: 400, colour: 1 }, { kind: "slide" }],
    voice: 3,
    texts: [{ text: "hi", start_ms: 0 }],
  };
  const result = validateTimeline(bad);
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : [...result.errors].sort(), [
    "format.fps: must be one of 24, 25, 30",
    "texts.0.end_ms: is required",
    "video.0.colour: is not a field here",
    "video.0.duration_ms: must be >= 500",
    'video.1.kind: must be "photo" or "video"',
    "voice: must be object",
  ]);
});

test("rules beyond the schema are checked too", () => {
  const clip = { kind: "photo", source: "a.jpg", duration_ms: 1000 };
  const result = validateTimeline({ video: [clip], texts: [{ text: "hi", start_ms: 0, end_ms: 1500 }] });
  assert.deepEqual(result, { ok: false, errors: ["texts.0.end_ms: 1500 ms is after the end of the video (1000 ms)"] });
});

test("output sizes: final and preview", () => {
  assert.deepEqual(outputSize("16:9"), [1920, 1080]);
  assert.deepEqual(outputSize("9:16", "preview"), [360, 640]);
  assert.throws(() => outputSize(/** @type {any} */ ("2:1")), RangeError);
});
