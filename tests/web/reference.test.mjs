// The web model against the Python renderer's values for the same inputs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { centreCrop, coverSize, fitPlacement, safeAreas } from "../../web/src/model/cover.js";
import { withDefaults } from "../../web/src/model/defaults.js";
import { eased, exactWindow, resolvePath, viewportAt } from "../../web/src/model/kenburns.js";
import {
  clipSpans, frameAt, msToFrame, partsAtFrame, totalDurationMs, totalFrames,
} from "../../web/src/model/time.js";
import { fromTimelineJSON, outputSize } from "../../web/src/model/timeline.js";
import { validateTimeline } from "../../web/src/model/validate.js";
import { assertClose, reference } from "./helpers.mjs";

test("msToFrame rounds like timing.ms_to_frame", () => {
  for (const { ms, fps, frame } of reference.timing.ms_to_frame) {
    assert.equal(msToFrame(ms, fps), frame, `${ms} ms at ${fps} fps`);
  }
});

test("clip spans, durations and frame counts equal timing.clip_spans", () => {
  for (const [n, c] of reference.timing.timelines.entries()) {
    const { timeline } = fromTimelineJSON(c.timeline);
    assert.equal(totalDurationMs(timeline), c.duration_ms, `timeline ${n}`);
    assert.equal(totalFrames(timeline), c.total_frames, `timeline ${n}`);
    const spans = clipSpans(timeline).map(({ start_ms, end_ms, ...s }) => s);
    assert.deepEqual(spans, c.spans, `timeline ${n}`);
  }
});

test("clip spans' times are the clips laid end to end less each transition", () => {
  const { timeline } = fromTimelineJSON(reference.timing.timelines[0].timeline);
  let start = 0;
  for (const span of clipSpans(timeline)) {
    const clip = timeline.video[span.index];
    assert.deepEqual([span.start_ms, span.end_ms], [start, start + clip.duration_ms]);
    start += clip.duration_ms - clip.transition.duration_ms;
  }
});

test("what a frame shows equals frame_plan.frame_at, by frame and by time", () => {
  for (const [n, c] of reference.timing.timelines.entries()) {
    const { timeline } = fromTimelineJSON(c.timeline);
    const fps = timeline.format.fps;
    for (const want of c.frame_parts) {
      const where = `timeline ${n} frame ${want.frame}`;
      const parts = partsAtFrame(timeline, want.frame);
      assert.ok(parts, where);
      assert.equal(parts.index, want.index, where);
      assert.equal(parts.incoming?.index ?? null, want.incoming, where);
      if (parts.incoming) {
        assert.equal(parts.incoming.local_frame, want.step, where);
        assertClose(parts.incoming.progress, want.step / want.steps, where);
        assert.equal(parts.incoming.type, timeline.video[want.index].transition.type, where);
      }
      const span = clipSpans(timeline)[want.index];
      assert.equal(parts.local_frame, want.frame - span.start_frame, where);
      assert.equal(parts.frames, span.frames, where);
      // A frame is on screen from its start (inexact in ms) until the next frame's.
      assert.equal(frameAt(timeline, (want.frame * 1000) / fps)?.frame, want.frame, where);
      assert.equal(frameAt(timeline, ((want.frame + 0.99) * 1000) / fps)?.frame, want.frame, where);
    }
  }
});

test("frameAt clamps to the video and is null without clips", () => {
  const { timeline } = fromTimelineJSON(reference.timing.timelines[3].timeline);
  assert.equal(frameAt(timeline, -50)?.frame, 0);
  assert.equal(frameAt(timeline, 1e9)?.frame, totalFrames(timeline) - 1);
  assert.equal(frameAt({ ...timeline, video: [] }, 0), null);
});

test("Ken Burns paths, viewports and windows equal kenburns.resolve/viewport_at/exact_window", () => {
  for (const c of reference.kenburns.cases) {
    const where = JSON.stringify(c.kenburns);
    const path = resolvePath(c.kenburns);
    if (c.path === null) {
      assert.equal(path, null, where);
      continue;
    }
    assert.ok(path, where);
    assertClose(path, c.path, where);
    for (const s of c.samples) {
      assertClose(viewportAt(path, s.frame, s.frames), s.viewport, `${where} ${s.frame}/${s.frames}`);
      assertClose(exactWindow(path, s.frame, s.frames, 4320, 2430), s.window, `${where} ${s.frame}/${s.frames}`);
    }
  }
});

test("easing equals kenburns.eased", () => {
  for (const { easing, t, value } of reference.kenburns.eased) assertClose(eased(easing, t), value, `${easing}(${t})`);
});

test("cover sizes equal photo_cover.cover_size (Python's round-half-even included)", () => {
  for (const c of reference.cover.cover_size) {
    assert.deepEqual(coverSize(c.photo, c.fit, c.output, c.zoom), c.cover, JSON.stringify(c));
  }
});

test("centre crops and the crop fit equal photo_cover.centre_crop", () => {
  for (const c of reference.cover.centre_crop) {
    const [pw, ph] = c.photo;
    const [ow, oh] = c.output;
    assert.deepEqual(centreCrop(pw, ph, ow, oh), c.crop, JSON.stringify(c));
    const placed = fitPlacement(pw, ph, ow, oh, "crop");
    assert.deepEqual(placed, { source: c.crop, dest: { x: 0, y: 0, w: ow, h: oh }, fill: null });
  }
});

test("the blur fit places the photo and crops its fill as photo_cover draws them", () => {
  for (const c of reference.cover.blur) {
    const [pw, ph] = c.photo;
    const placed = fitPlacement(pw, ph, c.output[0], c.output[1], "blur");
    assert.deepEqual(placed, { source: { x: 0, y: 0, w: pw, h: ph }, dest: c.dest, fill: c.fill }, JSON.stringify(c));
  }
});

test("output sizes equal compiler.output_size", () => {
  for (const { aspect, quality, size } of reference.frames.output_size) {
    assert.deepEqual(outputSize(aspect, quality), size, `${aspect} ${quality}`);
  }
});

test("the text safe area equals text_layout.safe_area; portrait also marks the apps' bands", () => {
  for (const { aspect, size, safe } of reference.frames.safe_area) {
    const [left, top, right, bottom] = safe;
    const areas = safeAreas(aspect, size[0], size[1]);
    assert.deepEqual(areas.title, { left, top, right, bottom }, `${aspect} ${size}`);
    if (aspect === "9:16") {
      assert.deepEqual([areas.platform?.top, areas.platform?.bottom], [top, bottom]);
      assert.deepEqual([areas.platform?.left, areas.platform?.right], [0, size[0]]);
    } else assert.equal(areas.platform, null);
  }
  assert.deepEqual(safeAreas("16:9"), safeAreas("16:9", 1920, 1080));
});

test("the validator accepts and refuses the same documents as the model", () => {
  for (const { document, valid } of reference.documents) {
    const result = validateTimeline(document);
    assert.equal(result.ok, valid, `${JSON.stringify(document).slice(0, 160)}: ${JSON.stringify(result)}`);
    if (!result.ok) {
      assert.ok(result.errors.length > 0);
      for (const line of result.errors) assert.match(line, /^[a-z_.0-9]+: \S/, line);
    }
  }
});

test("defaults come from the schema: a sparse document fills like the model's", () => {
  const doc = withDefaults({ video: [{ kind: "photo", source: "a.jpg", duration_ms: 1000 }] });
  assert.deepEqual(doc.format, { aspect: "16:9", fps: 30, quality: "final" });
  assert.deepEqual(doc.video[0].kenburns, {
    motion: "zoom_in", focus_x: 0.5, focus_y: 0.5, strength: 0.5, easing: "ease_in_out", start: null, end: null,
  });
  assert.deepEqual(doc.video[0].transition, { type: "cut", duration_ms: 0 });
  assert.deepEqual(doc.loudness, { target_lufs: -14, true_peak_db: -1 });
});
