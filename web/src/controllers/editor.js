// The editor screen: builds the views, owns the draft's history, the UI state, the library, the
// jobs and the draft store, and turns each view action into an edit command or an API call.
import * as api from "../api/client.js";
import { ApiError } from "../api/http.js";
import { JobWatch } from "../api/watch.js";
import * as cmd from "../model/commands.js";
import { History } from "../model/history.js";
import { defaultPhotoClip, newDraft, toTimelineJSON } from "../model/timeline.js";
import { totalDurationMs } from "../model/time.js";
import { UiState } from "../model/ui_state.js";
import { validateTimeline } from "../model/validate.js";
import { h } from "../view/dom.js";
import { HeaderView } from "../view/header_view.js";
import { InspectorView } from "../view/inspector_view.js";
import { JobsView } from "../view/jobs_view.js";
import { LibraryView } from "../view/library_view.js";
import { PreviewView } from "../view/preview_view.js";
import { TimelineView } from "../view/timeline_view.js";
import { toast } from "../view/toast.js";
import { DraftStore } from "./drafts.js";
import { bindShortcuts } from "./keyboard.js";
import { Uploads } from "./uploads.js";

const PHOTO_MS = 3000;
const WORDS_PER_SECOND = 2.5; // the offline voice's pace; the script writer fits scripts to it

/** @typedef {import("../model/types.js").Draft} Draft */

export class Editor {
  /** @param {HTMLElement} root @param {import("../api/client.js").Session} session @param {() => void} onSignOut */
  constructor(root, session, onSignOut) {
    this.root = root;
    this.session = session;
    this.onSignOut = onSignOut;
    this.history = new History(newDraft({ aspect: "16:9" }));
    this.ui = new UiState();
    /** @type {Map<string, any>} by source */
    this.media = new Map();
    /** @type {any[]} */
    this.mediaOrder = [];
    /** @type {any[]} */
    this.jobs = [];
    /** @type {any[]} */
    this.voices = [];
    /** @type {any[]} */
    this.drafts = [];
    this.saveState = "";
    this.zoomedByHand = false; // until the person zooms, the timeline fits the window
    this.drafting = new DraftStore(session.uid, (state) => { this.saveState = state; this.renderHeader(); });
    const slots = {
      header: h("div", { class: "slot-header" }), library: h("aside", { class: "slot-library" }),
      preview: h("section", { class: "slot-preview", "aria-label": "Preview" }), inspector: h("aside", { class: "slot-inspector", "aria-label": "Properties" }),
      timeline: h("section", { class: "slot-timeline", "aria-label": "Timeline" }), jobs: h("aside", { class: "slot-jobs" }),
    };
    // Shown once the draft has loaded, so no edit is made to a draft about to be replaced.
    this.shell = h("div", { class: "editor" }, slots.header, slots.library, slots.preview, slots.inspector, slots.jobs, slots.timeline);
    root.replaceChildren(h("p", { class: "boot", role: "status", text: "Opening your draft…" }));
    this.header = new HeaderView(slots.header, this.headerActions());
    this.uploads = new Uploads({ onRows: () => this.renderLibrary(), onReady: (item) => this.addMedia(item) });
    this.library = new LibraryView(slots.library, this.libraryActions());
    this.preview = new PreviewView(slots.preview, {
      onFocus: (index, x, y) => this.edit(cmd.setFocus, [index, x, y], "Move the focus point"),
      onTime: (ms) => { this.ui.setPlayhead(ms); this.timeline.setPlayhead(ms); },
    });
    this.inspector = new InspectorView(slots.inspector, this.inspectorActions());
    this.timeline = new TimelineView(slots.timeline, this.timelineActions());
    this.jobsView = new JobsView(slots.jobs, this.jobsActions());
    this.history.on("change", ({ cause }) => {
      if (cause !== "reset") this.drafting.schedule(this.history.draft);
      if (!this.zoomedByHand) this.fitZoom();
      this.render();
    });
    this.unbindKeys = bindShortcuts({
      playPause: () => (this.preview.playing ? this.preview.pause() : this.preview.start()),
      remove: () => this.removeSelection(),
      undo: () => this.history.undo(),
      redo: () => this.history.redo(),
      step: (n, seconds) => this.seek(this.ui.playhead_ms + n * (seconds ? 1000 : 1000 / this.draft.timeline.format.fps)),
    });
    /** @type {JobWatch|null} */
    this.watch = null;
  }

  get draft() {
    return this.history.draft;
  }

  /** Load the library, voices, the latest draft, and start watching the jobs. */
  async start() {
    this.startWatch();
    const [library, voices] = await Promise.all([
      api.media.list(),
      api.voices.list().catch(() => ({ voices: [] })),
    ]);
    for (const item of library.media) this.addMedia(item, false);
    this.voices = voices.voices;
    const { draft } = await this.drafting.openLatest();
    this.history.reset(draft);
    await this.refreshDrafts();
    this.root.replaceChildren(this.shell);
    this.fitZoom();
    this.render();
  }

  startWatch() {
    this.watch?.close();
    this.watch = new JobWatch(this.session.uid, this.session.firestore);
    this.watch.start((jobs) => {
      this.jobs = jobs;
      this.jobsView.render(jobs);
    }, (error) => toast(`Live job updates stopped: ${error.message}`, "error"));
  }

  /** After signing in again (the session had expired): same person, carry on. @param {import("../api/client.js").Session} session */
  resume(session) {
    this.session = session;
    this.startWatch();
    this.drafting.flush();
  }

  async destroy() {
    this.unbindKeys();
    this.preview.pause();
    await this.drafting.flush();
    await this.watch?.close();
  }

  // -- edits ------------------------------------------------------------------------------

  /**
   * Run an edit command through the history; a refused edit is a message, not a crash.
   * @param {(draft: Draft, ...args: any[]) => Draft} command @param {any[]} args @param {string} label @param {string} [coalesceKey]
   */
  edit(command, args, label, coalesceKey) {
    try {
      this.history.do((draft) => command(draft, ...args), label, coalesceKey);
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) toast(error.message, "error");
      else throw error;
    }
  }

  /** @param {any} item @param {boolean} [show] */
  addMedia(item, show = true) {
    this.media.set(item.source, item);
    this.mediaOrder = [item, ...this.mediaOrder.filter((m) => m.media_id !== item.media_id)];
    if (show) this.render();
  }

  removeSelection() {
    const sel = this.ui.selection;
    if (!sel) return;
    if (sel.kind === "clip") this.edit(cmd.removeClip, [sel.index], "Delete clip");
    else if (sel.kind === "text") this.edit(cmd.removeText, [sel.index], "Delete text");
    else if (sel.kind === "voice") this.edit(cmd.setVoiceTrack, [null], "Remove the voice recording");
    else if (sel.kind === "music") this.edit(cmd.setMusicSource, [null], "Remove the music file");
    this.ui.select(null);
    this.render();
  }

  /** @param {number} ms */
  seek(ms) {
    const end = this.draft.timeline.video.length ? totalDurationMs(this.draft.timeline) : 0;
    this.ui.setPlayhead(Math.max(0, Math.min(ms, Math.max(0, end - 1))));
    this.preview.seek(this.ui.playhead_ms);
    this.timeline.setPlayhead(this.ui.playhead_ms);
  }

  fitZoom() {
    const total = this.draft.timeline.video.length ? totalDurationMs(this.draft.timeline) : 15000;
    const width = (this.timeline.scroller.clientWidth || 900) - 40;
    this.ui.setZoom(Math.min(200, (width / (Math.max(total, 5000) * 1.05)) * 1000));
  }

  voiceEstimateMs() {
    const words = this.draft.script.trim().split(/\s+/).filter(Boolean).length;
    return words ? Math.round((words / WORDS_PER_SECOND) * 1000) : null;
  }

  // -- render -----------------------------------------------------------------------------

  render() {
    const draft = this.draft;
    this.renderHeader();
    this.renderLibrary();
    const selection = this.ui.selection;
    const focusIndex = selection?.kind === "clip" && draft.timeline.video[selection.index]?.kind === "photo" ? selection.index : -1;
    this.preview.render(draft, this.media, this.ui.playhead_ms, focusIndex);
    const durationMs = draft.timeline.video.length ? totalDurationMs(draft.timeline) : 0;
    this.inspector.render(draft, selection, this.media, { voices: this.voices, estimateMs: this.voiceEstimateMs(), durationMs });
    this.timeline.render(draft, this.ui, this.media, { voiceEstimateMs: this.voiceEstimateMs() });
  }

  renderHeader() {
    this.header.render({
      aspect: this.draft.timeline.format.aspect, canUndo: this.history.canUndo, canRedo: this.history.canRedo,
      title: this.draft.name, uid: this.session.uid, save: this.saveState, renderable: this.draft.timeline.video.length > 0,
      drafts: this.drafts, projectId: this.drafting.projectId,
    });
  }

  renderLibrary() {
    this.library.render(this.mediaOrder, this.uploads.rows);
  }

  async refreshDrafts() {
    this.drafts = (await api.projects.list()).projects;
    this.renderHeader();
  }

  /** @param {boolean} preview */
  async submit(preview) {
    const draft = this.draft;
    const timeline = toTimelineJSON(draft);
    if (!timeline) {
      toast("Add at least one photo to the video track first.", "error");
      return;
    }
    if (preview) timeline.format = { ...timeline.format, quality: "preview" };
    const checked = validateTimeline(timeline);
    if (!checked.ok) {
      toast(`The timeline cannot be rendered yet: ${checked.errors.slice(0, 3).join("; ")}`, "error");
      return;
    }
    /** @type {Record<string, unknown>} */
    const body = { brand_name: draft.brand_name.trim() || draft.name || "Untitled", timeline, engine: "auto" };
    if (draft.script.trim() && !timeline.voice) body.script = draft.script.trim();
    if (!timeline.voice && body.script) body.voice = { voice_id: draft.voice_id, volume: 1.0 };
    if (!timeline.music) {
      const { prompt, volume, duck, snap_cuts = false } = draft.music;
      body.music = { prompt, volume, duck, snap_cuts };
    }
    try {
      const { job } = await api.jobs.create(body);
      // Shown at once; the Firestore watch takes over from here.
      if (!this.jobs.some((j) => j.job_id === job.job_id)) this.jobs = [job, ...this.jobs];
      this.jobsView.render(this.jobs);
      toast(preview ? "Preview render started" : "Render started", "ok");
    } catch (error) {
      toast(error instanceof ApiError ? error.message : "The render could not be started", "error");
    }
  }

  // -- view actions -----------------------------------------------------------------------

  /** @returns {import("../view/header_view.js").HeaderActions} */
  headerActions() {
    return {
      onFormat: (aspect) => this.edit(cmd.setFormat, [aspect], `Switch to ${aspect}`),
      onUndo: () => this.history.undo(),
      onRedo: () => this.history.redo(),
      onRender: (preview) => this.submit(preview),
      onSignOut: () => this.onSignOut(),
      onTitle: (name) => this.edit(cmd.setName, [name], "Rename"),
      onOpenDraft: async (id) => {
        const { draft } = await this.drafting.open(id);
        this.history.reset(draft);
        this.ui.select(null);
        this.fitZoom();
        this.render();
      },
      onNewDraft: async () => {
        await this.drafting.flush();
        const { draft } = await this.drafting.create("Untitled ad");
        this.history.reset(draft);
        await this.refreshDrafts();
        this.render();
      },
    };
  }

  /** @returns {import("../view/library_view.js").LibraryActions} */
  libraryActions() {
    return {
      onFiles: (files) => this.uploads.add(files),
      onDelete: async (item) => {
        if (this.usedSources().has(item.source)) {
          toast(`${item.filename} is on the timeline; remove it there first.`, "error");
          return;
        }
        try {
          await api.media.remove(item.media_id);
          this.media.delete(item.source);
          this.mediaOrder = this.mediaOrder.filter((m) => m.media_id !== item.media_id);
          this.render();
        } catch (error) {
          toast(error instanceof ApiError ? error.message : "Could not delete it", "error");
        }
      },
      onAdd: (item) => {
        if (item.kind === "image") this.dropMedia(item.media_id, this.draft.timeline.video.length);
        else this.dropAudio(item.media_id, this.draft.timeline.voice ? "music" : "voice");
      },
      onDismiss: (key) => this.uploads.dismiss(key),
    };
  }

  usedSources() {
    const t = this.draft.timeline;
    return new Set([...t.video.map((c) => c.source), t.voice?.source, t.music?.source].filter(Boolean));
  }

  /** @param {string} mediaId @param {number} index */
  dropMedia(mediaId, index) {
    const item = this.mediaOrder.find((m) => m.media_id === mediaId);
    if (!item) return;
    if (item.kind !== "image") {
      toast(`${item.filename} is audio: drop it on the voice or music track.`, "error");
      return;
    }
    this.edit(cmd.addClip, [defaultPhotoClip(item.source, PHOTO_MS), index], "Add clip");
    this.ui.select({ kind: "clip", index });
    this.render();
  }

  /** @param {string} mediaId @param {"voice"|"music"} track */
  dropAudio(mediaId, track) {
    const item = this.mediaOrder.find((m) => m.media_id === mediaId);
    if (!item) return;
    if (item.kind !== "audio") {
      toast(`${item.filename} is a photo: drop it on the video track.`, "error");
      return;
    }
    if (track === "music") this.edit(cmd.setMusicSource, [item.source], "Use a music file");
    else this.edit(cmd.setVoiceTrack, [{ source: item.source, duration_ms: item.duration_ms || 0, script: this.draft.script || null, word_timings: null }], "Use a voice recording");
  }

  /** @returns {import("../view/timeline_view.js").TimelineActions} */
  timelineActions() {
    return {
      onSeek: (ms) => this.seek(ms),
      onSelect: (selection) => {
        this.ui.select(selection);
        this.render();
      },
      onDropMedia: (id, index) => this.dropMedia(id, index),
      onMoveClip: (from, to) => {
        this.edit(cmd.moveClip, [from, to], "Move clip");
        this.ui.select({ kind: "clip", index: to });
        this.render();
      },
      onTrimClip: (index, ms, gesture) => this.edit(cmd.trimClip, [index, ms], "Change a clip's length", `trim-${gesture}`),
      onMoveText: (index, start, end, gesture) => this.edit(cmd.updateText, [index, { start_ms: start, end_ms: end }], "Move text", `text-${gesture}`),
      onZoom: (zoom) => {
        this.zoomedByHand = true;
        this.ui.setZoom(zoom);
        this.timeline.render(this.draft, this.ui, this.media, { voiceEstimateMs: this.voiceEstimateMs() });
      },
      onDropAudio: (id, track) => this.dropAudio(id, track),
    };
  }

  /** @returns {import("../view/inspector_view.js").InspectorActions} */
  inspectorActions() {
    return {
      onBrand: (text) => this.edit(cmd.setBrand, [text], "Brand", "brand"),
      onCallToAction: (text) => this.edit(cmd.setCallToAction, [text], "Call to action", "cta"),
      onScript: (text) => {
        this.edit(cmd.setScript, [text], "Script", "script");
        // A voice made from the old words no longer says the script: the render makes a new
        // one from it (or press "Make the voice now" again). One undo brings both back.
        const voice = this.draft.timeline.voice;
        if (voice && this.media.get(voice.source)?.made_by && voice.script !== this.draft.script) {
          this.edit(cmd.setVoiceTrack, [null], "Script", "script");
        }
      },
      onMakeVoice: () => this.makeVoice(),
      onVoice: (id) => this.edit(cmd.setVoiceId, [id || null], "Voice"),
      onWrite: (brief) => this.writeScript(brief),
      onMusic: (partial) => this.edit(cmd.setMusic, [partial], "Music", `music-${Object.keys(partial).join()}`),
      onMusicFile: (source) => this.edit(cmd.setMusicSource, [source], "Music file"),
      onVoiceFile: (source) => {
        const item = source ? this.media.get(source) : null;
        this.edit(cmd.setVoiceTrack, [item ? { source, duration_ms: item.duration_ms || 0, script: this.draft.script || null, word_timings: null } : null], "Voice recording");
      },
      onClip: (index, partial) => {
        if ("duration_ms" in partial) this.edit(cmd.trimClip, [index, partial.duration_ms], "Clip length");
        if ("fit" in partial) this.edit(cmd.setFit, [index, partial.fit], "Fit");
      },
      onKenBurns: (index, partial) => this.edit(cmd.setKenBurns, [index, partial], "Motion", `kb-${index}-${Object.keys(partial).join()}`),
      onTransition: (index, type, ms) => this.edit(cmd.setTransition, [index, { type, duration_ms: ms }], "Transition"),
      onDeleteClip: (index) => { this.ui.select({ kind: "clip", index }); this.removeSelection(); },
      onText: (index, partial) => this.edit(cmd.updateText, [index, partial], "Text", `text-${index}-${Object.keys(partial).join()}`),
      onTextPreset: (index, preset) => this.edit(cmd.setTextPreset, [index, preset], "Text position"),
      onAddText: () => {
        if (!this.draft.timeline.video.length) {
          toast("Add a photo first: texts sit on the video.", "error");
          return;
        }
        const end = Math.min(totalDurationMs(this.draft.timeline), this.ui.playhead_ms + 3000);
        const start = Math.max(0, Math.min(this.ui.playhead_ms, end - 1000));
        this.edit(cmd.addText, [{ role: "text", text: "Your text", start_ms: start, end_ms: end }], "Add text");
        this.ui.select({ kind: "text", index: this.draft.timeline.texts.length - 1 });
        this.render();
      },
      onDeleteText: (index) => { this.ui.select({ kind: "text", index }); this.removeSelection(); },
    };
  }

  async makeVoice() {
    const script = this.draft.script;
    if (!script.trim()) {
      this.inspector.voiceState(false, { error: "Write the script first (or have it written)." });
      return;
    }
    this.inspector.voiceState(true, null);
    try {
      const made = await api.voices.make({ script, voice_id: this.draft.voice_id });
      this.addMedia(made.media, false);
      this.edit(cmd.setVoiceTrack, [{ source: made.source, duration_ms: made.duration_ms, script, word_timings: made.word_timings }], "Make the voice");
      this.inspector.voiceState(false, made);
      if (made.warning) toast(made.warning, "info");
      this.render();
    } catch (error) {
      this.inspector.voiceState(false, { error: error instanceof ApiError ? error.message : "The voice could not be made" });
    }
  }

  /** @param {{business: string, offer: string, tone: string, duration_s: number}} brief */
  async writeScript(brief) {
    const brand = this.draft.brand_name.trim();
    if (!brand) {
      this.inspector.writeState(false, { error: "Fill in the Brand first." });
      return;
    }
    this.inspector.writeState(true, null);
    try {
      const language = (this.voices.find((v) => v.voice_id === this.draft.voice_id)?.language || "en").slice(0, 2);
      const answer = await api.scripts.write({ brand, business: brief.business, ...(brief.offer ? { offer: brief.offer } : {}), tone: brief.tone, language, duration_s: brief.duration_s });
      this.edit(cmd.setScript, [answer.script], "Write with AI");
      const cta = this.draft.timeline.texts.find((t) => t.role === "cta");
      if (!cta && answer.call_to_action && this.draft.timeline.video.length) this.edit(cmd.setCallToAction, [answer.call_to_action], "Call to action");
      this.inspector.writeState(false, { made_by: answer.made_by, warnings: answer.warnings });
    } catch (error) {
      this.inspector.writeState(false, { error: error instanceof ApiError ? error.message : "The script could not be written" });
    }
  }

  /** @returns {import("../view/jobs_view.js").JobsActions} */
  jobsActions() {
    const guard = async (/** @type {() => Promise<unknown>} */ call) => {
      try {
        await call();
      } catch (error) {
        toast(error instanceof ApiError ? error.message : "That did not work", "error");
      }
    };
    return {
      onControl: (id, action) => guard(() => api.jobs.control(id, action)),
      onLinks: async (id) => (await api.jobs.get(id)).job.download || {},
      onRate: (id, rating) => guard(() => api.jobs.rate(id, rating)),
      onComment: (id, text) => guard(async () => { await api.jobs.comment(id, text); toast("Note saved", "ok"); }),
      onReopen: (id) => guard(async () => {
        const { job } = await api.jobs.get(id);
        const base = newDraft({ aspect: job.timeline?.format?.aspect || "16:9" });
        const draft = { ...base, name: `${job.brand_name || "Untitled"} (new version)`, brand_name: job.brand_name || "", timeline: { ...base.timeline, ...job.timeline } };
        const made = await this.drafting.create(draft.name, draft);
        this.history.reset(made.draft);
        await this.refreshDrafts();
        this.fitZoom();
        this.render();
        toast("Opened the job's timeline as a new draft", "ok");
      }),
      onDelete: (id) => guard(async () => {
        await api.jobs.remove(id);
        this.jobs = this.jobs.filter((j) => j.job_id !== id);
        this.jobsView.render(this.jobs);
      }),
    };
  }
}
