// The live preview: the timeline drawn on a canvas from the same model the renderer compiles
// (same frame timing, Ken Burns path and easing, cover maths, transitions, text layout), played
// from the playhead with the voice and music audio; safe areas and their warnings on top.
import { h } from "./dom.js";
import { FrameRenderer } from "./frame_renderer.js";
import { totalFrames } from "../model/time.js";
import { safeAreas } from "../model/cover.js";
import { outputSize } from "../model/timeline.js";

/**
 * @typedef {import("../model/types.js").Draft} Draft
 * @typedef {{onFocus: (index: number, x: number, y: number) => void, onTime: (ms: number) => void}} PreviewActions
 */

export class PreviewView {
  /** @param {HTMLElement} root @param {PreviewActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.canvas = h("canvas", { class: "preview-canvas", "aria-label": "Preview", role: "img" });
    this.overlay = h("canvas", { class: "preview-overlay", "aria-hidden": "true" });
    this.ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    this.warnings = h("ul", { class: "preview-warnings", "aria-live": "polite", "aria-label": "Format warnings" });
    this.hintTitle = h("p", { class: "stage-hint-title" });
    this.hintLine = h("p", { class: "stage-hint-line" });
    // What to do first, over the empty frame; hidden once the video track has a clip.
    this.hint = h("div", { class: "stage-hint", hidden: true }, hintIcon(), this.hintTitle, this.hintLine);
    this.stage = h("div", { class: "stage" }, this.canvas, this.overlay, this.hint);
    this.play = h("button", { class: "play", "aria-label": "Play", onclick: () => (this.playing ? this.pause() : this.start()) }, "▶");
    this.safeToggle = h("input", { type: "checkbox", checked: true, onchange: () => this.draw() });
    root.replaceChildren(
      h("div", { class: "stage-wrap" }, this.stage),
      h("div", { class: "transport" }, this.play,
        h("label", { class: "check" }, this.safeToggle, "Safe areas"), this.warnings));
    /** @type {Draft|null} */
    this.draft = null;
    this.frames = new FrameRenderer(new Map(), () => {
      this.draw();
      if (this.draft) this.frames.warm(this.draft, this.canvas.width, this.canvas.height);
    });
    /** @type {Map<string, HTMLAudioElement>} */
    this.audio = new Map();
    this.ms = 0;
    this.playing = false;
    this.focusIndex = -1;
    this.raf = 0;
    this.canvas.addEventListener("click", (event) => this.pickFocus(event));
  }

  /** @param {Draft} draft @param {Map<string, any>} media @param {number} ms @param {number} focusIndex clip whose focus a click sets, or -1 */
  render(draft, media, ms, focusIndex) {
    this.draft = draft;
    this.frames.media = media;
    this.focusIndex = focusIndex;
    const [w, hgt] = outputSize(draft.timeline.format.aspect, "final");
    const scale = Math.min(1, 960 / Math.max(w, hgt));
    const cw = Math.round(w * scale);
    const ch = Math.round(hgt * scale);
    if (this.canvas.width !== cw || this.canvas.height !== ch) {
      for (const c of [this.canvas, this.overlay]) {
        c.width = cw;
        c.height = ch;
      }
      this.frames.covers.clear();
    }
    this.stage.dataset.aspect = draft.timeline.format.aspect;
    this.showHint(draft, media);
    this.canvas.style.cursor = focusIndex >= 0 ? "crosshair" : "";
    if (!this.playing) this.ms = ms;
    this.draw();
    this.frames.warm(draft, this.canvas.width, this.canvas.height);
  }

  /** @param {Draft} draft @param {Map<string, any>} media */
  showHint(draft, media) {
    this.hint.hidden = draft.timeline.video.length > 0;
    if (this.hint.hidden) return;
    const photos = [...media.values()].some((m) => m.kind === "image");
    this.hintTitle.textContent = photos ? "Drag photos from the library onto the Video track" : "Start with your photos";
    this.hintLine.textContent = photos
      ? "or press + beside a photo in the Media library"
      : "Drop photos on the Media library, or press Upload";
  }

  /** The frame at the current time, then the safe-area overlay. */
  draw() {
    const draft = this.draft;
    const ctx = this.ctx;
    const { width, height } = this.canvas;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, width, height);
    if (!draft || !draft.timeline.video.length) {
      this.drawOverlay([]);
      return;
    }
    const fps = draft.timeline.format.fps;
    const last = totalFrames(draft.timeline) - 1;
    const frame = Math.max(0, Math.min(Math.floor((this.ms * fps) / 1000 + 1e-9), last)); // the frame on screen at ms
    this.frames.drawFrame(ctx, draft, frame, width, height);
    this.drawOverlay(this.frames.texts(draft, frame, width, height, true));
  }

  /** Safe areas, the focus point, and warnings for what falls outside. @param {any[]} texts */
  drawOverlay(texts) {
    const octx = /** @type {CanvasRenderingContext2D} */ (this.overlay.getContext("2d"));
    const { width, height } = this.overlay;
    octx.clearRect(0, 0, width, height);
    const draft = this.draft;
    /** @type {string[]} */
    const warnings = [];
    if (draft) {
      const areas = safeAreas(draft.timeline.format.aspect, width, height);
      if (this.safeToggle.checked) {
        octx.save();
        octx.setLineDash([6, 4]);
        octx.strokeStyle = "rgba(255, 214, 10, 0.9)";
        octx.lineWidth = 1.5;
        const t = areas.title;
        octx.strokeRect(t.left + 0.5, t.top + 0.5, t.right - t.left, t.bottom - t.top);
        if (areas.platform) {
          octx.fillStyle = "rgba(255, 70, 90, 0.28)"; // where phone apps draw their own buttons and captions
          const p = areas.platform;
          octx.fillRect(0, 0, width, p.top);
          octx.fillRect(0, p.bottom, width, height - p.bottom);
        }
        octx.restore();
      }
      for (const { text, block } of texts) {
        const t = areas.title;
        if (block.size < Math.round(text.style.size * height) || block.x - block.padding < t.left || block.y - block.padding < t.top ||
            block.x + block.width + block.padding > t.right || block.y + block.height + block.padding > t.bottom) {
          warnings.push(`“${text.text.slice(0, 30)}” was shrunk or moved to stay inside the ${draft.timeline.format.aspect} safe area`);
        }
      }
      draft.timeline.video.forEach((clip, index) => {
        if (clip.kind !== "photo") return;
        const kb = clip.kenburns;
        if (kb.motion === "none" || kb.motion === "custom") return;
        const p = areas.platform || areas.title;
        const fx = kb.focus_x * width;
        const fy = kb.focus_y * height;
        if (fx < p.left || fx > p.right || fy < p.top || fy > p.bottom) warnings.push(`Clip ${index + 1}: the focus point is outside the ${draft.timeline.format.aspect} safe area`);
        if (index === this.focusIndex) {
          octx.save();
          octx.strokeStyle = "#fff";
          octx.lineWidth = 2;
          octx.beginPath();
          octx.arc(fx, fy, 10, 0, Math.PI * 2);
          octx.moveTo(fx - 16, fy); octx.lineTo(fx + 16, fy);
          octx.moveTo(fx, fy - 16); octx.lineTo(fx, fy + 16);
          octx.stroke();
          octx.restore();
        }
      });
    }
    this.warnings.replaceChildren(...warnings.map((w) => h("li", { text: w })));
  }

  /** A click on the picture sets the selected clip's focus point (0..1 of its fitted frame). @param {MouseEvent} event */
  pickFocus(event) {
    if (this.focusIndex < 0) return;
    const box = this.canvas.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    this.actions.onFocus(this.focusIndex, Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000);
  }

  // -- playback -------------------------------------------------------------------------

  start() {
    const draft = this.draft;
    if (!draft || !draft.timeline.video.length) return;
    const end = (totalFrames(draft.timeline) / draft.timeline.format.fps) * 1000;
    if (this.ms >= end - 1) this.ms = 0;
    this.playing = true;
    this.play.textContent = "❚❚";
    this.play.setAttribute("aria-label", "Pause preview");
    const t0 = performance.now() - this.ms;
    this.startAudio(draft);
    const fps = draft.timeline.format.fps;
    let shown = -1;
    const tick = () => {
      if (!this.playing) return;
      this.ms = performance.now() - t0;
      if (this.ms >= end) {
        this.ms = end - 1;
        this.pause();
        return;
      }
      // The video has fps frames a second; the screen refreshes faster: draw only new frames.
      const frame = Math.floor((this.ms * fps) / 1000);
      if (frame !== shown) {
        shown = frame;
        this.draw();
      }
      this.actions.onTime(this.ms);
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause() {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    for (const audio of this.audio.values()) audio.pause();
    this.play.textContent = "▶";
    this.play.setAttribute("aria-label", "Play");
    this.draw();
    this.actions.onTime(this.ms);
  }

  /** Voice and music files from the library, started where the playhead is. @param {Draft} draft */
  startAudio(draft) {
    const tracks = [];
    const voice = draft.timeline.voice;
    if (voice) tracks.push({ source: voice.source, at: voice.offset_ms - voice.trim_start_ms, volume: voice.volume, loop: false });
    const music = draft.timeline.music;
    if (music) tracks.push({ source: music.source, at: 0, volume: music.volume * (voice && music.duck.enabled ? 0.5 : 1), loop: true });
    for (const track of tracks) {
      const url = this.frames.media.get(track.source)?.url;
      if (!url) continue;
      let audio = this.audio.get(track.source);
      if (!audio) {
        audio = new Audio(url);
        audio.preload = "auto";
        this.audio.set(track.source, audio);
      }
      const offset = (this.ms - track.at) / 1000;
      audio.loop = track.loop;
      audio.volume = Math.min(1, track.volume);
      if (offset < 0) {
        const a = audio;
        setTimeout(() => { if (this.playing) { a.currentTime = 0; a.play().catch(() => {}); } }, -offset * 1000);
      } else {
        audio.currentTime = track.loop && audio.duration ? offset % audio.duration : offset;
        audio.play().catch(() => {}); // autoplay refusals only silence the preview
      }
    }
  }

  /** @param {number} ms */
  seek(ms) {
    this.ms = ms;
    if (this.playing) {
      this.pause();
      this.start();
    } else this.draw();
  }
}

/** A photo with an arrow down to the timeline, drawn as SVG (decorative). */
function hintIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 48 48");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "stage-hint-icon");
  for (const d of ["M8 6h24a3 3 0 0 1 3 3v16a3 3 0 0 1-3 3H8a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3z", "M7 25l8-8 6 6 4-4 9 9",
    "M40 20v20", "M34 34l6 6 6-6"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  const sun = document.createElementNS(ns, "circle");
  for (const [k, v] of [["cx", "26"], ["cy", "13"], ["r", "3"]]) sun.setAttribute(k, v);
  svg.append(sun);
  return svg;
}
