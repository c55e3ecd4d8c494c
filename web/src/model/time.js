// Frame-accurate placement of clips on the output, exactly as shared/render/graph/timing.py and
// shared/render/draw/frame_plan.py compute it: every boundary rounded from milliseconds to a frame once.

/** @typedef {import("./types.js").Timeline} Timeline */
/** @typedef {import("./types.js").TransitionType} TransitionType */
/**
 * Clip `index` on the output: frames [start_frame, end_frame), the first `overlap_in` of them
 * shared with the previous clip by the transition `transition_in` into this one.
 * @typedef {{index: number, start_ms: number, end_ms: number, start_frame: number,
 *   end_frame: number, frames: number, overlap_in: number,
 *   transition_in: TransitionType}} ClipSpan
 */
/**
 * What one output frame shows: clip `index`'s frame `local_frame` (of `frames`), and while a
 * transition into the next clip is under way, that clip as `incoming`.
 * @typedef {{index: number, local_frame: number, frames: number, progress: number,
 *   type: TransitionType}} IncomingPart
 * @typedef {{frame: number, index: number, local_frame: number, frames: number,
 *   incoming?: IncomingPart}} FrameParts
 */

/**
 * The frame that starts at or nearest to `ms` (ties round up), as timing.ms_to_frame.
 * @param {number} ms an integer
 * @param {number} fps
 */
export function msToFrame(ms, fps) {
  return Math.floor((2 * ms * fps + 1000) / 2000);
}

/** @param {Timeline} timeline @returns {ClipSpan[]} */
export function clipSpans(timeline) {
  const fps = timeline.format.fps;
  /** @type {ClipSpan[]} */
  const spans = [];
  let startMs = 0;
  let prevEnd = 0;
  timeline.video.forEach((clip, i) => {
    const start = msToFrame(startMs, fps);
    const end = msToFrame(startMs + clip.duration_ms, fps);
    spans.push({
      index: i,
      start_ms: startMs,
      end_ms: startMs + clip.duration_ms,
      start_frame: start,
      end_frame: end,
      frames: end - start,
      overlap_in: i ? prevEnd - start : 0,
      transition_in: i ? timeline.video[i - 1].transition.type : "cut",
    });
    prevEnd = end;
    startMs += clip.duration_ms - clip.transition.duration_ms;
  });
  return spans;
}

/** The clips laid end to end, less each transition's overlap (the last clip's never counts).
 * @param {Timeline} timeline */
export function totalDurationMs(timeline) {
  const v = timeline.video;
  const overlap = (/** @type {number} */ i) => (i < v.length - 1 ? v[i].transition.duration_ms : 0);
  return v.reduce((sum, clip, i) => sum + clip.duration_ms - overlap(i), 0);
}

/** @param {Timeline} timeline */
export function totalFrames(timeline) {
  return msToFrame(totalDurationMs(timeline), timeline.format.fps);
}

/**
 * What output `frame` is made of (frame_plan.frame_at); null for a timeline with no clips.
 * @param {Timeline} timeline
 * @param {number} frame
 * @param {ClipSpan[]} [spans] clipSpans(timeline), when the caller has them
 * @returns {FrameParts|null}
 */
export function partsAtFrame(timeline, frame, spans = clipSpans(timeline)) {
  const showing = spans.filter((s) => s.start_frame <= frame && frame < s.end_frame);
  if (!showing.length) return null;
  let base = showing[0];
  /** @type {ClipSpan|undefined} */
  let incoming = showing[1];
  if (incoming && (incoming.transition_in === "cut" || !incoming.overlap_in)) {
    [base, incoming] = [incoming, undefined]; // a cut shows the new clip at once
  }
  /** @type {FrameParts} */
  const parts = { frame, index: base.index, local_frame: frame - base.start_frame, frames: base.frames };
  if (incoming) {
    const step = frame - incoming.start_frame;
    parts.incoming = {
      index: incoming.index,
      local_frame: step,
      frames: incoming.frames,
      progress: step / incoming.overlap_in,
      type: incoming.transition_in,
    };
  }
  return parts;
}

/**
 * What is on screen at `t_ms` (a frame is shown from its start until the next one's), clamped
 * to the video; null for a timeline with no clips.
 * @param {Timeline} timeline
 * @param {number} t_ms
 * @param {ClipSpan[]} [spans]
 */
export function frameAt(timeline, t_ms, spans = clipSpans(timeline)) {
  const last = totalFrames(timeline) - 1;
  // The epsilon keeps a frame's own start time (k * 1000 / fps, inexact) on that frame.
  const frame = Math.floor((t_ms * timeline.format.fps) / 1000 + 1e-9);
  return partsAtFrame(timeline, Math.min(Math.max(frame, 0), last), spans);
}

/**
 * `ms` moved to the nearest candidate within `tolerance_ms`, else `ms` unchanged.
 * @param {number} ms
 * @param {number[]} candidates
 * @param {number} tolerance_ms
 */
export function snapMs(ms, candidates, tolerance_ms) {
  let best = ms;
  let bestDistance = tolerance_ms;
  for (const c of candidates) {
    const d = Math.abs(c - ms);
    if (d <= bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
