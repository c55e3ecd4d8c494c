// One output frame of a draft drawn on a canvas, as the renderer makes it: the same frame timing
// (partsAtFrame), Ken Burns path and easing (exactWindow on the cover), cover maths, transitions
// and text layout. Used by the live preview and by renderFrame (the parity test's probe).
import { cssFont } from "./fonts.js";
import { layoutText } from "./text_layout.js";
import { clipSpans, msToFrame, partsAtFrame } from "../model/time.js";
import { exactWindow, resolvePath } from "../model/kenburns.js";
import { safeAreas } from "../model/cover.js";
import { fromTimelineJSON } from "../model/timeline.js";
import { drawCover } from "./cover_canvas.js";
import { blend } from "./blend_canvas.js";

/** @typedef {import("../model/types.js").Draft} Draft */

export class FrameRenderer {
  /** @param {Map<string, any>} media by source @param {() => void} onImage called when a photo arrives */
  constructor(media, onImage = () => {}) {
    this.media = media;
    this.onImage = onImage;
    /** @type {Map<string, HTMLImageElement>} */
    this.images = new Map();
    /** @type {Map<string, HTMLCanvasElement>} */
    this.covers = new Map();
    this.warming = 0;
    this.warm_done = false; // every clip's cover is made (the benchmark waits for it)
    this.measure = /** @type {CanvasRenderingContext2D} */ (document.createElement("canvas").getContext("2d"));
  }

  /** Resolves once every photo of the draft has loaded (or failed). @param {Draft} draft */
  async loaded(draft) {
    const waits = draft.timeline.video.map((clip) => {
      this.image(clip.source);
      const img = this.images.get(clip.source);
      return img && !img.complete ? new Promise((done) => { img.addEventListener("load", done, { once: true }); img.addEventListener("error", done, { once: true }); }) : null;
    });
    await Promise.all(waits);
  }

  /**
   * Draw output frame ``frame`` of the draft at width x height (also used by the preview test).
   * @param {CanvasRenderingContext2D} ctx @param {Draft} draft @param {number} frame @param {number} width @param {number} height
   */
  drawFrame(ctx, draft, frame, width, height) {
    const spans = clipSpans(draft.timeline);
    const parts = partsAtFrame(draft.timeline, frame, spans);
    if (!parts) return;
    const base = this.clipFrame(draft, parts.index, parts.local_frame, spans[parts.index].frames, width, height);
    if (parts.incoming && base) {
      const inc = parts.incoming;
      const next = this.clipFrame(draft, inc.index, inc.local_frame, spans[inc.index].frames, width, height);
      if (next) blend(ctx, inc.type, base, next, inc.progress, width, height);
      else ctx.drawImage(base, 0, 0);
    } else if (base) ctx.drawImage(base, 0, 0);
    for (const text of this.texts(draft, frame, width, height, false)) this.drawText(ctx, text);
  }

  /**
   * One clip's picture at its local frame, on its own canvas.
   * @param {Draft} draft @param {number} index @param {number} local @param {number} frames @param {number} width @param {number} height
   */
  clipFrame(draft, index, local, frames, width, height) {
    const clip = draft.timeline.video[index];
    if (clip.kind !== "photo") return null;
    const image = this.image(clip.source);
    if (!image) return null;
    const path = resolvePath(clip.kenburns);
    const zoom = path ? Math.max(path.start.zoom, path.end.zoom) : 1;
    const cover = this.cover(clip.source, clip.fit, image, width, height, zoom);
    const out = scratch(`clip-${index % 2}`, width, height);
    const octx = /** @type {CanvasRenderingContext2D} */ (out.getContext("2d"));
    // Bilinear, as the renderer resamples its window (resample.py); the cover was made once with
    // the better filter, as ingest's area shrink.
    octx.imageSmoothingQuality = "low";
    if (path) {
      const win = exactWindow(path, local, frames, cover.width, cover.height);
      octx.drawImage(cover, win.x, win.y, win.w, win.h, 0, 0, width, height);
    } else octx.drawImage(cover, 0, 0, width, height);
    return out;
  }

  /** @param {string} source @param {string} fit @param {HTMLImageElement} image @param {number} width @param {number} height @param {number} zoom */
  cover(source, fit, image, width, height, zoom) {
    const key = `${source}|${fit}|${width}x${height}|${zoom}`;
    let cover = this.covers.get(key);
    if (!cover) {
      cover = drawCover(image, /** @type {"blur"|"crop"} */ (fit), width, height, zoom);
      this.covers.set(key, cover);
    }
    return cover;
  }

  /**
   * Make every clip's cover ahead of time, one per idle moment, so scrubbing or playing into a
   * clip never waits for its photo to be fitted.
   * @param {Draft} draft @param {number} width @param {number} height
   */
  warm(draft, width, height) {
    const todo = [...draft.timeline.video];
    this.warming = (this.warming || 0) + 1;
    this.warm_done = false;
    const generation = this.warming;
    const next = () => {
      if (generation !== this.warming) return; // a newer draft is being warmed
      const clip = todo.shift();
      if (!clip) {
        this.warm_done = true;
        return;
      }
      const image = clip.kind === "photo" ? this.image(clip.source) : null;
      if (image && clip.kind === "photo") {
        const path = resolvePath(clip.kenburns);
        this.cover(clip.source, clip.fit, image, width, height, path ? Math.max(path.start.zoom, path.end.zoom) : 1);
      }
      idle(next);
    };
    idle(next);
  }

  /** The photo for a source, loading it on first use (drawn again once it arrives). @param {string} source */
  image(source) {
    const cached = this.images.get(source);
    if (cached) return cached.complete && cached.naturalWidth ? cached : null;
    const item = this.media.get(source);
    const url = item?.preview_url || item?.url;
    if (!url) return null;
    const img = new Image();
    img.crossOrigin = "anonymous"; // the cloud bucket's CORS rule; locally it is same-origin
    img.decoding = "async";
    img.onload = () => this.onImage();
    img.src = url;
    this.images.set(source, img);
    return null;
  }

  /**
   * Texts on screen at ``frame`` laid out at this size, with their opacity.
   * @param {Draft} draft @param {number} frame @param {number} width @param {number} height @param {boolean} all include hidden ones (for warnings)
   */
  texts(draft, frame, width, height, all) {
    const fps = draft.timeline.format.fps;
    const area = safeAreas(draft.timeline.format.aspect, width, height).title;
    const ctx = this.measure;
    const shown = [];
    for (const text of draft.timeline.texts) {
      const start = msToFrame(text.start_ms, fps);
      const end = msToFrame(text.end_ms, fps);
      const visible = frame >= start && frame < end;
      if (!visible && !all) continue;
      const fadeIn = msToFrame(text.fade_in_ms, fps);
      const fadeOut = msToFrame(text.fade_out_ms, fps);
      let alpha = 1;
      if (fadeIn && frame < start + fadeIn) alpha = (frame - start) / fadeIn;
      if (fadeOut && frame >= end - fadeOut) alpha = Math.min(alpha, (end - frame) / fadeOut);
      const style = text.style;
      const block = layoutText(text.text, {
        sizePx: Math.round(style.size * height), area, anchor: text.anchor, centreX: text.x * width,
        offsetY: text.offset_y * height, box: style.box,
      }, {
        width: (s, size) => { ctx.font = cssFont(style.font, size); return ctx.measureText(s).width; },
        lineHeight: (size) => { ctx.font = cssFont(style.font, size); const m = ctx.measureText("Hg"); return Math.ceil(m.fontBoundingBoxAscent + m.fontBoundingBoxDescent); },
      });
      shown.push({ text, block, alpha: visible ? Math.max(0, Math.min(1, alpha)) : 0, visible });
    }
    return shown;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {{text: any, block: import("./text_layout.js").Block, alpha: number}} item */
  drawText(ctx, { text, block, alpha }) {
    const style = text.style;
    ctx.save();
    if (style.box) {
      ctx.globalAlpha = alpha * style.box_opacity;
      ctx.fillStyle = style.box_color;
      ctx.fillRect(block.x - block.padding, block.y - block.padding, block.width + 2 * block.padding, block.height + 2 * block.padding);
    }
    ctx.globalAlpha = alpha;
    ctx.fillStyle = style.color;
    ctx.font = cssFont(style.font, block.size);
    ctx.textBaseline = "top";
    ctx.textAlign = "center";
    const lineHeight = block.height / block.lines.length;
    block.lines.forEach((line, i) => ctx.fillText(line, block.x + block.width / 2, block.y + i * lineHeight));
    ctx.restore();
  }

}

/** @param {() => void} fn */
function idle(fn) {
  if ("requestIdleCallback" in window) window.requestIdleCallback(fn, { timeout: 500 });
  else setTimeout(fn, 16);
}

/** @type {Map<string, HTMLCanvasElement>} */
const scratches = new Map();
/** A reusable offscreen canvas. @param {string} key @param {number} width @param {number} height */
function scratch(key, width, height) {
  let c = scratches.get(key);
  if (!c) {
    c = document.createElement("canvas");
    scratches.set(key, c);
  }
  if (c.width !== width || c.height !== height) {
    c.width = width;
    c.height = height;
  }
  return c;
}

/**
 * Output frame ``frame`` of a timeline document (docs/timeline.md) at width x height, as RGBA
 * pixels (for the parity test and exports).
 * @param {unknown} timeline @param {Record<string, any>} media by source @param {number} frame @param {number} width @param {number} height
 */
export async function renderFrame(timeline, media, frame, width, height) {
  const draft = fromTimelineJSON(timeline);
  const renderer = new FrameRenderer(new Map(Object.entries(media)));
  await renderer.loaded(draft);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, height);
  renderer.drawFrame(ctx, draft, frame, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}
