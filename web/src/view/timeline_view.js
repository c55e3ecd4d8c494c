// The multi-track timeline: ruler with zoom, playhead, and the VIDEO, TEXT, VOICE and MUSIC
// tracks. Clips are dropped from the library, reordered and trimmed with the pointer, and every
// change goes through the edit commands (so it can be undone).
import { clock, h, replace } from "./dom.js";
import { MEDIA_DRAG_TYPE } from "./library_view.js";
import { clipSpans, totalDurationMs } from "../model/time.js";
import { msToPx, pxToMs, rulerTicks, dropIndex } from "../model/geometry.js";

const DRAG_THRESHOLD_PX = 4;

/**
 * @typedef {import("../model/types.js").Draft} Draft
 * @typedef {{
 *   onSeek: (ms: number) => void,
 *   onSelect: (selection: {kind: "clip"|"text"|"voice"|"music"|"transition", index: number} | null) => void,
 *   onDropMedia: (mediaId: string, index: number) => void,
 *   onMoveClip: (from: number, to: number) => void,
 *   onTrimClip: (index: number, durationMs: number, gesture: number) => void,
 *   onMoveText: (index: number, startMs: number, endMs: number, gesture: number) => void,
 *   onZoom: (pxPerSecond: number) => void,
 *   onDropAudio: (mediaId: string, track: "voice"|"music") => void,
 * }} TimelineActions
 */

export class TimelineView {
  /** @param {HTMLElement} root @param {TimelineActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.pxPerSecond = 40;
    this.gesture = 0;
    /** @type {Draft|null} */
    this.draft = null;
    /** @type {Map<string, any>} */
    this.media = new Map();
    this.zoom = h("input", { type: "range", min: "10", max: "400", step: "1", value: "40", "aria-label": "Zoom" });
    this.zoom.addEventListener("input", () => actions.onZoom(Number(this.zoom.value)));
    this.time = h("output", { class: "timecode", "aria-label": "Playhead time", text: "0:00.0 / 0:00.0" });
    this.ruler = h("div", { class: "ruler", role: "slider", tabindex: "0", "aria-label": "Timeline position", "aria-valuemin": "0" });
    this.video = this.track("Video track", "video");
    this.text = this.track("Text track", "text");
    this.voice = this.track("Voice track", "voice");
    this.music = this.track("Music track", "music");
    this.playhead = h("div", { class: "playhead", "aria-hidden": "true" }, h("span", { class: "playhead-knob" }));
    this.lanes = h("div", { class: "lanes" }, this.ruler, this.video.lane, this.text.lane, this.voice.lane, this.music.lane, this.playhead);
    this.scroller = h("div", { class: "timeline-scroll" }, this.lanes);
    root.replaceChildren(
      h("div", { class: "timeline-bar" }, h("h2", { class: "visually-hidden", text: "Timeline" }), this.time,
        h("label", { class: "zoom" }, h("span", { "aria-hidden": "true", text: "−" }), this.zoom, h("span", { "aria-hidden": "true", text: "+" }))),
      h("div", { class: "timeline-body" },
        h("div", { class: "track-heads", "aria-hidden": "true" }, h("div", { class: "ruler-head" }),
          ...["Video", "Text", "Voice", "Music"].map((name) => h("div", { class: `track-head ${name.toLowerCase()}`, text: name }))),
        this.scroller));
    this.bindRuler();
    this.bindVideoDrops();
    this.bindAudioDrops(this.voice.lane, "voice");
    this.bindAudioDrops(this.music.lane, "music");
    this.scroller.addEventListener("wheel", (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      actions.onZoom(this.pxPerSecond * (event.deltaY < 0 ? 1.15 : 1 / 1.15));
    }, { passive: false });
  }

  /** @param {string} name @param {string} kind */
  track(name, kind) {
    const lane = h("section", { class: `lane ${kind}`, role: "region", "aria-label": name });
    return { lane };
  }

  /**
   * @param {Draft} draft
   * @param {{zoom: number, playhead_ms: number, selection: any}} ui
   * @param {Map<string, any>} media by source ("media:<id>")
   * @param {{voiceEstimateMs: number|null}} extra
   */
  render(draft, ui, media, extra) {
    this.draft = draft;
    this.media = media;
    this.pxPerSecond = ui.zoom;
    this.zoom.value = String(Math.round(ui.zoom));
    const timeline = draft.timeline;
    const total = timeline.video.length ? totalDurationMs(timeline) : 0;
    const width = Math.max(msToPx(total + 2_000, ui.zoom), this.scroller.clientWidth || 800);
    this.lanes.style.width = `${width}px`;
    this.ruler.setAttribute("aria-valuemax", String(total));
    this.renderRuler(width);
    this.renderVideo(draft, ui.selection);
    this.renderTexts(draft, ui.selection);
    this.renderVoice(draft, ui.selection, extra.voiceEstimateMs);
    this.renderMusic(draft, ui.selection, total);
    this.setPlayhead(ui.playhead_ms, total);
  }

  /** @param {number} ms @param {number} [total] */
  setPlayhead(ms, total) {
    const end = total ?? (this.draft?.timeline.video.length ? totalDurationMs(this.draft.timeline) : 0);
    this.playhead.style.transform = `translateX(${msToPx(ms, this.pxPerSecond)}px)`;
    this.time.textContent = `${clock(ms)} / ${clock(end)}`;
    this.ruler.setAttribute("aria-valuenow", String(Math.round(ms)));
    this.ruler.setAttribute("aria-valuetext", clock(ms));
  }

  /** @param {number} width */
  renderRuler(width) {
    const ticks = rulerTicks(0, pxToMs(width, this.pxPerSecond), this.pxPerSecond);
    replace(this.ruler, ...ticks.map((tick) => h("span", {
      class: tick.major ? "tick major" : "tick",
      style: { transform: `translateX(${msToPx(tick.ms, this.pxPerSecond)}px)` },
    }, tick.major ? tick.label : "")));
  }

  /** @param {Draft} draft @param {any} selection */
  renderVideo(draft, selection) {
    const timeline = draft.timeline;
    if (!timeline.video.length) {
      replace(this.video.lane, h("p", { class: "lane-hint", text: "Drag photos here from the media library" }));
      return;
    }
    const spans = clipSpans(timeline);
    const blocks = [];
    for (const span of spans) {
      const clip = timeline.video[span.index];
      const item = this.media.get(clip.source);
      const left = msToPx(span.start_ms, this.pxPerSecond);
      const width = msToPx(span.end_ms - span.start_ms, this.pxPerSecond);
      const selected = selection?.kind === "clip" && selection.index === span.index;
      const name = item?.filename || clip.source;
      const seconds = `${(clip.duration_ms / 1000).toFixed(1)}s`;
      // Named by its content ("Clip 2: shop.jpg 3.0s"); the trim handle is a sibling, not a child,
      // so the button holds nothing else focusable.
      const block = h("div", {
        class: `clip${selected ? " selected" : ""}`, role: "button", tabindex: "0",
        "aria-pressed": selected ? "true" : "false",
        style: { transform: `translateX(${left}px)`, width: `${width}px`, backgroundImage: item?.thumb_url ? `url("${item.thumb_url}")` : "" },
        dataset: { index: String(span.index) },
      }, h("span", { class: "visually-hidden", text: `Clip ${span.index + 1}: ` }), h("span", { class: "clip-label", text: name }),
      h("span", { class: "clip-duration", text: seconds }));
      const handle = h("span", {
        class: "trim-handle", role: "slider", tabindex: "0", "aria-label": `Length of clip ${span.index + 1}`,
        "aria-valuemin": "500", "aria-valuemax": "600000", "aria-valuenow": String(clip.duration_ms), "aria-valuetext": `${seconds.slice(0, -1)} seconds`,
        style: { transform: `translateX(${left + width - 8}px)` },
      });
      this.bindClip(block, handle, span.index, clip.duration_ms);
      blocks.push(block, handle);
      if (span.index < timeline.video.length - 1) {
        const type = clip.transition.type;
        const at = msToPx(spans[span.index + 1].start_ms, this.pxPerSecond);
        const on = selection?.kind === "transition" && selection.index === span.index;
        blocks.push(h("button", {
          class: `transition-badge${on ? " selected" : ""}${type === "cut" ? " cut" : ""}`,
          style: { transform: `translateX(${at - 11}px)` },
          "aria-label": `Transition after clip ${span.index + 1}: ${type}`,
          title: `${type}${type === "cut" ? "" : ` ${clip.transition.duration_ms} ms`}`,
          onclick: () => this.actions.onSelect({ kind: "transition", index: span.index }),
        }, type === "cut" ? "|" : "⋈"));
      }
    }
    this.marker = h("div", { class: "drop-marker", hidden: true });
    replace(this.video.lane, ...blocks, this.marker);
  }

  /**
   * Pointer gestures on a clip: a click selects, a drag reorders, the edge handle trims.
   * @param {HTMLElement} block @param {HTMLElement} handle @param {number} index @param {number} durationMs
   */
  bindClip(block, handle, index, durationMs) {
    block.addEventListener("keydown", (event) => {
      if (event.target !== block) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.actions.onSelect({ kind: "clip", index });
      } else if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
        event.preventDefault();
        const to = index + (event.key === "ArrowLeft" ? -1 : 1);
        if (to >= 0 && to < (this.draft?.timeline.video.length || 0)) this.actions.onMoveClip(index, to);
      }
    });
    handle.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 1000 : 100;
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        event.stopPropagation();
        this.actions.onTrimClip(index, durationMs + (event.key === "ArrowRight" ? step : -step), ++this.gesture);
      }
    });
    handle.addEventListener("pointerdown", (event) => {
      event.stopPropagation();
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      const x0 = event.clientX;
      const gesture = ++this.gesture;
      const move = (/** @type {PointerEvent} */ e) => {
        this.actions.onTrimClip(index, Math.round(durationMs + pxToMs(e.clientX - x0, this.pxPerSecond)), gesture);
      };
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        handle.removeEventListener("pointercancel", up);
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
      handle.addEventListener("pointercancel", up);
    });
    block.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      block.setPointerCapture(event.pointerId);
      const x0 = event.clientX;
      let dragging = false;
      let to = index;
      const move = (/** @type {PointerEvent} */ e) => {
        const dx = e.clientX - x0;
        if (!dragging && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
        dragging = true;
        block.classList.add("dragging");
        block.style.translate = `${dx}px 0`;
        to = this.indexAtClientX(e.clientX, index);
        this.showMarker(to, index);
      };
      const up = () => {
        block.removeEventListener("pointermove", move);
        block.removeEventListener("pointerup", up);
        block.removeEventListener("pointercancel", up);
        block.classList.remove("dragging");
        block.style.translate = "";
        if (this.marker) this.marker.hidden = true;
        if (!dragging) this.actions.onSelect({ kind: "clip", index });
        else if (to !== index) this.actions.onMoveClip(index, to);
      };
      block.addEventListener("pointermove", move);
      block.addEventListener("pointerup", up);
      block.addEventListener("pointercancel", up);
    });
  }

  /** Where a clip moved from ``from`` lands when released at clientX. @param {number} clientX @param {number} from */
  indexAtClientX(clientX, from) {
    if (!this.draft) return from;
    const ms = this.msAtClientX(clientX);
    const spans = clipSpans(this.draft.timeline);
    const slot = dropIndex(spans, ms); // 0..n: the gap before clip ``slot``
    return slot > from ? slot - 1 : slot;
  }

  /** @param {number} to @param {number|null} from */
  showMarker(to, from) {
    if (!this.marker || !this.draft) return;
    const spans = clipSpans(this.draft.timeline);
    const gap = from !== null && to > from ? to + 1 : to;
    const ms = gap >= spans.length ? spans[spans.length - 1].end_ms : spans[gap].start_ms;
    this.marker.hidden = false;
    this.marker.style.transform = `translateX(${msToPx(ms, this.pxPerSecond) - 2}px)`;
  }

  /** @param {number} clientX */
  msAtClientX(clientX) {
    const box = this.lanes.getBoundingClientRect();
    return Math.max(0, pxToMs(clientX - box.left, this.pxPerSecond));
  }

  bindVideoDrops() {
    const lane = this.video.lane;
    lane.addEventListener("dragover", (event) => {
      if (![...(event.dataTransfer?.types || [])].includes(MEDIA_DRAG_TYPE)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      lane.classList.add("drop-target");
      if (this.draft?.timeline.video.length) this.showMarker(dropIndex(clipSpans(this.draft.timeline), this.msAtClientX(event.clientX)), null);
    });
    lane.addEventListener("dragleave", () => {
      lane.classList.remove("drop-target");
      if (this.marker) this.marker.hidden = true;
    });
    lane.addEventListener("drop", (event) => {
      const id = event.dataTransfer?.getData(MEDIA_DRAG_TYPE);
      lane.classList.remove("drop-target");
      if (!id || !this.draft) return;
      event.preventDefault();
      const spans = this.draft.timeline.video.length ? clipSpans(this.draft.timeline) : [];
      this.actions.onDropMedia(id, spans.length ? dropIndex(spans, this.msAtClientX(event.clientX)) : 0);
    });
  }

  /** @param {HTMLElement} lane @param {"voice"|"music"} kind */
  bindAudioDrops(lane, kind) {
    lane.addEventListener("dragover", (event) => {
      if (![...(event.dataTransfer?.types || [])].includes(MEDIA_DRAG_TYPE)) return;
      event.preventDefault();
      lane.classList.add("drop-target");
    });
    lane.addEventListener("dragleave", () => lane.classList.remove("drop-target"));
    lane.addEventListener("drop", (event) => {
      const id = event.dataTransfer?.getData(MEDIA_DRAG_TYPE);
      lane.classList.remove("drop-target");
      if (!id) return;
      event.preventDefault();
      this.actions.onDropAudio(id, kind);
    });
  }

  /** @param {Draft} draft @param {any} selection */
  renderTexts(draft, selection) {
    const blocks = draft.timeline.texts.map((text, index) => {
      const selected = selection?.kind === "text" && selection.index === index;
      const block = h("div", {
        class: `text-block ${text.role}${selected ? " selected" : ""}`, role: "button", tabindex: "0",
        "aria-label": `${roleName(text.role)}: ${text.text}`,
        style: { transform: `translateX(${msToPx(text.start_ms, this.pxPerSecond)}px)`, width: `${msToPx(text.end_ms - text.start_ms, this.pxPerSecond)}px` },
      }, h("span", { class: "clip-label", text: text.text }));
      this.bindText(block, index, text.start_ms, text.end_ms);
      return block;
    });
    replace(this.text.lane, ...(blocks.length ? blocks : [h("p", { class: "lane-hint", text: "Brand, call to action and captions show here" })]));
  }

  /** A drag moves a text in time; a click selects it. @param {HTMLElement} block @param {number} index @param {number} start @param {number} end */
  bindText(block, index, start, end) {
    block.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.actions.onSelect({ kind: "text", index });
      }
    });
    block.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      block.setPointerCapture(event.pointerId);
      const x0 = event.clientX;
      const gesture = ++this.gesture;
      let moved = false;
      const move = (/** @type {PointerEvent} */ e) => {
        const dx = e.clientX - x0;
        if (!moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
        moved = true;
        const shift = Math.max(-start, Math.round(pxToMs(dx, this.pxPerSecond)));
        this.actions.onMoveText(index, start + shift, end + shift, gesture);
      };
      const up = () => {
        block.removeEventListener("pointermove", move);
        block.removeEventListener("pointerup", up);
        if (!moved) this.actions.onSelect({ kind: "text", index });
      };
      block.addEventListener("pointermove", move);
      block.addEventListener("pointerup", up);
    });
  }

  /** @param {Draft} draft @param {any} selection @param {number|null} estimateMs */
  renderVoice(draft, selection, estimateMs) {
    const voice = draft.timeline.voice;
    const selected = selection?.kind === "voice";
    if (voice) {
      const item = this.media.get(voice.source);
      const fileMs = item?.duration_ms || 0;
      const length = Math.max(0, (voice.trim_end_ms ?? fileMs) - voice.trim_start_ms);
      const label = item?.made_by ? `Voiceover · ${item.made_by} · ${(length / 1000).toFixed(1)} s` : item?.filename || "Voice";
      replace(this.voice.lane, this.audioBlock("voice", label, voice.offset_ms, length, selected, false));
    } else if (draft.script.trim() && estimateMs) {
      replace(this.voice.lane, this.audioBlock("voice", "Voiceover (made when you render)", 0, estimateMs, selected, true));
    } else {
      replace(this.voice.lane, h("p", { class: "lane-hint", text: "Write a script, or drop a voice recording here" }));
    }
  }

  /** @param {Draft} draft @param {any} selection @param {number} total */
  renderMusic(draft, selection, total) {
    const music = draft.timeline.music;
    const selected = selection?.kind === "music";
    if (!total) {
      replace(this.music.lane, h("p", { class: "lane-hint", text: "Music is fitted to the video's length" }));
      return;
    }
    const label = music ? (this.media.get(music.source)?.filename || "Music") : `Music: ${draft.music.prompt || "made for this ad"}`;
    replace(this.music.lane, this.audioBlock("music", label, 0, total, selected, !music));
  }

  /** @param {"voice"|"music"} kind @param {string} label @param {number} at @param {number} length @param {boolean} selected @param {boolean} planned */
  audioBlock(kind, label, at, length, selected, planned) {
    return h("div", {
      class: `audio-block ${kind}${selected ? " selected" : ""}${planned ? " planned" : ""}`, role: "button", tabindex: "0",
      "aria-label": `${label}, ${(length / 1000).toFixed(1)} s`,
      style: { transform: `translateX(${msToPx(at, this.pxPerSecond)}px)`, width: `${Math.max(8, msToPx(length, this.pxPerSecond))}px` },
      onclick: () => this.actions.onSelect({ kind, index: 0 }),
      onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === "Enter") this.actions.onSelect({ kind, index: 0 }); },
    }, h("span", { class: "clip-label", text: label }));
  }

  bindRuler() {
    const seek = (/** @type {PointerEvent} */ e) => this.actions.onSeek(this.msAtClientX(e.clientX));
    this.ruler.addEventListener("pointerdown", (event) => {
      this.ruler.setPointerCapture(event.pointerId);
      seek(event);
      const up = () => {
        this.ruler.removeEventListener("pointermove", seek);
        this.ruler.removeEventListener("pointerup", up);
      };
      this.ruler.addEventListener("pointermove", seek);
      this.ruler.addEventListener("pointerup", up);
    });
  }
}

/** @param {string} role */
function roleName(role) {
  return role === "title" ? "Brand" : role === "cta" ? "Call to action" : "Text";
}

