// Timeline geometry: pixels and time, ruler ticks, where a dropped clip lands, snapping.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dropIndex, msToPx, pxToMs, rulerTicks } from "../../web/src/model/geometry.js";
import { snapMs } from "../../web/src/model/time.js";

test("ms and px convert both ways at a zoom", () => {
  assert.equal(msToPx(1500, 100), 150);
  assert.equal(pxToMs(150, 100), 1500);
  assert.equal(pxToMs(1, 3), 333);
});

test("ruler majors are at least 80 px apart, labelled m:ss, minors unlabelled", () => {
  const ticks = rulerTicks(0, 20_000, 40); // 2 s = 80 px
  const majors = ticks.filter((t) => t.major);
  assert.deepEqual(majors.slice(0, 3).map((t) => [t.ms, t.label]), [[0, "0:00"], [2000, "0:02"], [4000, "0:04"]]);
  assert.equal(ticks[1].ms, 500);
  assert.equal(ticks[1].label, "");
  for (const pps of [5, 17, 100, 400, 1000]) {
    const m = rulerTicks(0, 600_000, pps).filter((t) => t.major);
    assert.ok(msToPx(m[1].ms - m[0].ms, pps) >= 80, `${pps} px/s`);
  }
  assert.deepEqual(rulerTicks(0, 1000, 1000).filter((t) => t.major).map((t) => t.label), ["0:00.0", "0:00.1", "0:00.2", "0:00.3", "0:00.4", "0:00.5", "0:00.6", "0:00.7", "0:00.8", "0:00.9", "0:01.0"]);
  assert.equal(rulerTicks(0, 3_600_000, 5).find((t) => t.ms === 120_000)?.label, "2:00");
  assert.equal(rulerTicks(2500, 2400, 100).length, 0);
});

test("a dropped clip lands before the first clip whose middle is after the drop", () => {
  const spans = [{ start_ms: 0, end_ms: 3000 }, { start_ms: 2500, end_ms: 5500 }, { start_ms: 5000, end_ms: 8000 }];
  assert.deepEqual([0, 1499, 1501, 4100, 6600, 9000].map((ms) => dropIndex(spans, ms)), [0, 0, 1, 2, 3, 3]);
  assert.equal(dropIndex([], 100), 0);
});

test("snapMs moves to the nearest candidate within the tolerance", () => {
  assert.equal(snapMs(1040, [0, 1000, 2000], 50), 1000);
  assert.equal(snapMs(1060, [0, 1000, 2000], 50), 1060);
  assert.equal(snapMs(1510, [1500, 1520], 50), 1520);
});
