// Undo/redo over drafts, coalescing of drags, and the emitters views subscribe to.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cmd from "../../web/src/model/commands.js";
import { Emitter } from "../../web/src/model/emitter.js";
import { COALESCE_MS, History } from "../../web/src/model/history.js";
import { defaultPhotoClip, newDraft } from "../../web/src/model/timeline.js";
import { MAX_ZOOM, MIN_ZOOM, UiState } from "../../web/src/model/ui_state.js";

function withClips() {
  let d = newDraft();
  d = cmd.addClip(d, defaultPhotoClip("a.jpg", 3000));
  return cmd.addClip(d, defaultPhotoClip("b.jpg", 3000));
}

/** A clock the test moves by hand. */
function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

test("do, undo and redo move between drafts and report each change", () => {
  const start = withClips();
  const h = new History(start);
  /** @type {string[]} */
  const seen = [];
  const off = h.on("change", ({ label, cause }) => seen.push(`${cause}:${label}`));
  assert.equal(h.canUndo, false);
  h.do((d) => cmd.trimClip(d, 0, 4000), "Trim");
  h.do((d) => cmd.setFit(d, 1, "crop"), "Fit");
  assert.equal(h.undoLabel, "Fit");
  h.undo();
  assert.equal(h.draft.timeline.video[1].fit, "blur");
  assert.equal(h.draft.timeline.video[0].duration_ms, 4000);
  assert.equal(h.canRedo, true);
  h.redo();
  assert.equal(h.draft.timeline.video[1].fit, "crop");
  h.undo();
  h.undo();
  assert.equal(h.draft, start);
  assert.equal(h.canUndo, false);
  h.undo(); // nothing left: no change, no event
  assert.deepEqual(seen, ["do:Trim", "do:Fit", "undo:Fit", "redo:Fit", "undo:Fit", "undo:Trim"]);
  off();
  h.redo();
  assert.equal(seen.length, 6, "unsubscribed");
});

test("a new edit clears redo; a failing or empty edit changes nothing", () => {
  const h = new History(withClips());
  h.do((d) => cmd.trimClip(d, 0, 4000), "Trim");
  h.undo();
  h.do((d) => cmd.setFit(d, 0, "crop"), "Fit");
  assert.equal(h.canRedo, false);
  const before = h.draft;
  assert.throws(() => h.do((d) => cmd.moveClip(d, 7, 0), "Move"), /moveClip\(\): index 7 is out of range/);
  h.do((d) => cmd.setFit(d, 0, "crop"), "Fit again");
  assert.equal(h.draft, before);
  assert.equal(h.undoLabel, "Fit");
});

test("repeated edits with one coalesce key are one undo step (a drag)", () => {
  const c = clock();
  const start = withClips();
  const h = new History(start, { now: c.now });
  for (const ms of [3100, 3200, 3300, 3400]) {
    c.t += 16;
    h.do((d) => cmd.trimClip(d, 0, ms), "Trim", "trim-1");
  }
  assert.equal(h.draft.timeline.video[0].duration_ms, 3400);
  h.undo();
  assert.equal(h.draft, start);
  assert.equal(h.canUndo, false);
  h.redo();
  assert.equal(h.draft.timeline.video[0].duration_ms, 3400);
});

test("coalescing stops at another key, a pause, seal() or an undo", () => {
  const c = clock();
  const h = new History(withClips(), { now: c.now });
  const trim = (/** @type {number} */ ms) => h.do((d) => cmd.trimClip(d, 0, ms), "Trim", "trim");
  trim(3100);
  trim(3200);
  h.do((d) => cmd.setFit(d, 0, "crop"), "Fit");
  trim(3300); // after another edit: a new step
  c.t += COALESCE_MS + 1;
  trim(3400); // after a pause: a new step
  h.seal();
  trim(3500); // after the gesture ended: a new step
  const steps = [];
  while (h.canUndo) {
    steps.push(h.draft.timeline.video[0].duration_ms);
    h.undo();
  }
  assert.deepEqual(steps, [3500, 3400, 3300, 3200, 3200]);
});

test("reset starts over with no steps", () => {
  const h = new History(withClips());
  h.do((d) => cmd.trimClip(d, 0, 4000), "Trim");
  const other = newDraft({ aspect: "9:16" });
  h.reset(other);
  assert.equal(h.draft, other);
  assert.equal(h.canUndo, false);
  assert.equal(h.canRedo, false);
});

test("the emitter: on() returns its unsubscribe, once() fires once, a listener may unsubscribe itself", () => {
  /** @type {Emitter<{ping: [number]}>} */
  const e = new Emitter();
  /** @type {number[]} */
  const got = [];
  const off = e.on("ping", (n) => got.push(n));
  e.once("ping", (n) => got.push(n * 10));
  const selfOff = e.on("ping", () => selfOff());
  e.emit("ping", 1);
  e.emit("ping", 2);
  off();
  e.emit("ping", 3);
  assert.deepEqual(got, [1, 10, 2]);
});

test("UI state: selection, clamped zoom and playhead, each with its event", () => {
  const ui = new UiState();
  /** @type {unknown[]} */
  const events = [];
  ui.on("selection", (s) => events.push(s));
  ui.on("zoom", (z) => events.push(z));
  ui.on("playhead", (ms) => events.push(ms));
  ui.select({ kind: "clip", index: 2 });
  ui.select({ kind: "clip", index: 2 }); // same: no event
  ui.select(null);
  ui.setZoom(1e6);
  ui.setZoom(0);
  ui.setPlayhead(-5);
  ui.setPlayhead(1500, 1000);
  assert.deepEqual(events, [{ kind: "clip", index: 2 }, null, MAX_ZOOM, MIN_ZOOM, 1000]);
  assert.deepEqual([ui.selection, ui.zoom, ui.playhead_ms], [null, MIN_ZOOM, 1000]);
  assert.throws(() => ui.select(/** @type {any} */ ({ kind: "photo", index: 0 })), TypeError);
  assert.throws(() => ui.select({ kind: "text", index: -1 }), RangeError);
  assert.throws(() => ui.setZoom(NaN), TypeError);
});
