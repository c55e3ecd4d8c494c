// The properties panel: the ad's words (brand, call to action, script, voice), its music, and
// whatever is selected on the timeline (a clip's length, fit and motion; a transition; a text).
import { field, h } from "./dom.js";

export const TRANSITIONS = ["cut", "fade", "dissolve", "fadeblack", "fadewhite", "wipeleft", "wiperight", "wipeup", "wipedown",
  "slideleft", "slideright", "slideup", "slidedown", "smoothleft", "smoothright", "circleopen", "circleclose", "radial", "zoomin"];
const MOTIONS = [["zoom_in", "Zoom in"], ["zoom_out", "Zoom out"], ["pan_left", "Pan left"], ["pan_right", "Pan right"],
  ["pan_up", "Pan up"], ["pan_down", "Pan down"], ["none", "Still"]];
const EASINGS = [["ease_in_out", "Ease in and out"], ["linear", "Linear"], ["ease_in", "Ease in"], ["ease_out", "Ease out"]];
const TONES = ["friendly", "energetic", "premium", "calm", "playful", "professional"];

/**
 * @typedef {import("../model/types.js").Draft} Draft
 * @typedef {{
 *   onBrand: (text: string) => void, onCallToAction: (text: string) => void, onScript: (text: string) => void,
 *   onVoice: (voiceId: string) => void, onMakeVoice: () => void, onWrite: (brief: {business: string, offer: string, tone: string, duration_s: number}) => void,
 *   onMusic: (partial: {prompt?: string, volume?: number, duck?: boolean, snap_cuts?: boolean, bpm?: number|null}) => void, onMusicFile: (source: string|null) => void,
 *   onClip: (index: number, partial: Record<string, any>) => void, onKenBurns: (index: number, partial: Record<string, any>) => void,
 *   onTransition: (index: number, type: string, durationMs: number) => void, onDeleteClip: (index: number) => void,
 *   onText: (index: number, partial: Record<string, any>) => void, onTextPreset: (index: number, preset: "top"|"center"|"bottom") => void,
 *   onAddText: () => void, onDeleteText: (index: number) => void, onVoiceFile: (source: string|null) => void,
 * }} InspectorActions
 */

export class InspectorView {
  /** @param {HTMLElement} root @param {InspectorActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.brand = h("input", { id: "brand", maxlength: 200, placeholder: "Your business name", autocomplete: "organization" });
    this.brand.addEventListener("input", () => actions.onBrand(this.brand.value));
    this.cta = h("input", { id: "cta", maxlength: 200, placeholder: "Visit us today" });
    this.cta.addEventListener("input", () => actions.onCallToAction(this.cta.value));
    // Named by its label alone: the length hint beside it describes it (so the name stays "Script").
    this.script = h("textarea", { id: "script", rows: 5, maxlength: 20000, placeholder: "What the voiceover says",
      "aria-labelledby": "script-label", "aria-describedby": "script-estimate" });
    this.script.addEventListener("input", () => actions.onScript(this.script.value));
    this.estimate = h("span", { class: "field-hint", id: "script-estimate", "aria-live": "polite" });
    this.voice = h("select", { id: "voice" });
    this.voice.addEventListener("change", () => actions.onVoice(this.voice.value));
    this.business = h("input", { maxlength: 300, placeholder: "e.g. sourdough bread and coffee" });
    this.offer = h("input", { maxlength: 300, placeholder: "e.g. 2 for 1 on Mondays" });
    this.tone = h("select", {}, ...TONES.map((t) => h("option", { value: t, text: t })));
    this.writeButton = h("button", { class: "ai", type: "button", onclick: () => this.write() }, "Write with AI");
    this.writeNote = h("div", { class: "write-note", "aria-live": "polite" });
    this.makeVoiceButton = h("button", { class: "secondary", type: "button", onclick: () => actions.onMakeVoice() }, "Make the voice now");
    this.musicPrompt = h("input", { maxlength: 500, placeholder: "warm acoustic, upbeat" });
    this.musicPrompt.addEventListener("input", () => actions.onMusic({ prompt: this.musicPrompt.value }));
    this.musicVolume = h("input", { type: "range", min: "0", max: "1.5", step: "0.05" });
    this.musicVolume.addEventListener("input", () => actions.onMusic({ volume: Number(this.musicVolume.value) }));
    this.duck = h("input", { type: "checkbox" });
    this.duck.addEventListener("change", () => actions.onMusic({ duck: this.duck.checked }));
    this.snap = h("input", { type: "checkbox", id: "snap-cuts" });
    this.snap.addEventListener("change", () => actions.onMusic({ snap_cuts: this.snap.checked }));
    this.bpm = h("input", { type: "number", id: "music-bpm", min: "40", max: "240", step: "1", placeholder: "e.g. 120" });
    this.bpm.addEventListener("change", () => {
      const value = this.bpm.value.trim() === "" ? null : Number(this.bpm.value);
      if (value === null || Number.isFinite(value)) actions.onMusic({ bpm: value });
    });
    this.bpmField = field("File's tempo (bpm)", this.bpm);
    this.snapHint = h("span", { class: "field-hint", id: "snap-hint", "aria-live": "polite" });
    this.musicFile = h("select", {});
    this.musicFile.addEventListener("change", () => actions.onMusicFile(this.musicFile.value || null));
    this.voiceFile = h("select", {});
    this.voiceFile.addEventListener("change", () => actions.onVoiceFile(this.voiceFile.value || null));
    this.selection = h("div", { class: "selection" });
    this.selectionKey = "";
    this.durationS = 15;
    root.replaceChildren(h("div", { class: "inspector" },
      h("section", { class: "group", "aria-labelledby": "ad-heading" },
        h("h2", { id: "ad-heading", text: "Ad" }),
        h("label", { class: "field", for: "brand" }, h("span", { class: "field-label", text: "Brand" }), this.brand),
        h("label", { class: "field", for: "cta" }, h("span", { class: "field-label", text: "Call to action" }), this.cta),
        h("label", { class: "field", for: "script" }, h("span", { class: "field-label", id: "script-label", text: "Script" }), this.script, this.estimate),
        h("details", { class: "brief" }, h("summary", { text: "Brief for the AI writer" }),
          field("What you sell", this.business), field("Offer", this.offer), field("Tone", this.tone)),
        h("div", { class: "row" }, this.writeButton, field("Voice", this.voice)),
        h("div", { class: "row" }, this.makeVoiceButton),
        this.writeNote,
        field("Voice recording", this.voiceFile, "a file from the library instead of a made voice")),
      h("section", { class: "group", "aria-labelledby": "music-heading" },
        h("h2", { id: "music-heading", text: "Music" }),
        field("Mood", this.musicPrompt),
        h("div", { class: "row" }, field("Volume", this.musicVolume), h("label", { class: "check" }, this.duck, "Duck under the voice")),
        field("Music file", this.musicFile, "or leave empty to have music made"),
        h("div", { class: "row" }, h("label", { class: "check", for: "snap-cuts" }, this.snap, "Cuts on the beat"), this.bpmField),
        this.snapHint),
      this.selection));
  }

  write() {
    const business = this.business.value.trim();
    if (!business) {
      this.writeNote.replaceChildren(h("p", { class: "form-error", text: "Say what the business sells (open “Brief for the AI writer”)." }));
      /** @type {HTMLDetailsElement} */ (this.business.closest("details")).open = true;
      this.business.focus();
      return;
    }
    this.actions.onWrite({ business, offer: this.offer.value.trim(), tone: this.tone.value, duration_s: Math.max(5, Math.min(120, Math.round(this.durationS))) });
  }

  /** @param {boolean} busy @param {{made_by?: string, duration_ms?: number, error?: string}|null} result */
  voiceState(busy, result) {
    this.makeVoiceButton.disabled = busy;
    this.makeVoiceButton.textContent = busy ? "Making the voice…" : "Make the voice now";
    if (busy) {
      this.writeNote.replaceChildren(h("p", { class: "muted", text: "Speaking the script…" }));
    } else if (result?.error) {
      this.writeNote.replaceChildren(h("p", { class: "form-error", text: result.error }));
    } else if (result) {
      const seconds = ((result.duration_ms || 0) / 1000).toFixed(1);
      this.writeNote.replaceChildren(h("p", { class: "made-by", text: `Voice made by ${result.made_by}: ${seconds} s, now on the VOICE track.` }));
    }
  }

  /** @param {boolean} busy @param {{made_by?: string, warnings?: string[], error?: string}|null} result */
  writeState(busy, result) {
    this.writeButton.disabled = busy;
    this.writeButton.textContent = busy ? "Writing…" : "Write with AI";
    if (busy) {
      this.writeNote.replaceChildren(h("p", { class: "muted", text: "Writing a script from your brief…" }));
      return;
    }
    if (!result) return;
    if (result.error) {
      this.writeNote.replaceChildren(h("p", { class: "form-error", text: result.error }));
      return;
    }
    this.writeNote.replaceChildren(
      h("p", { class: "made-by", text: `Written by ${result.made_by}.` }),
      ...(result.warnings || []).map((w) => h("p", { class: "warning", text: w })));
  }

  /**
   * @param {Draft} draft
   * @param {any} selection
   * @param {Map<string, any>} media
   * @param {{voices: {voice_id: string, name: string, available: boolean, why: string|null}[], estimateMs: number|null, durationMs: number}} extra
   */
  render(draft, selection, media, extra) {
    this.durationS = (extra.durationMs || 15000) / 1000;
    setValue(this.brand, draft.brand_name);
    const cta = draft.timeline.texts.find((t) => t.role === "cta");
    setValue(this.cta, cta ? cta.text : "");
    setValue(this.script, draft.script);
    const video = `the video is ${(extra.durationMs / 1000).toFixed(1)} s`;
    const made = draft.timeline.voice ? media.get(draft.timeline.voice.source)?.duration_ms : null;
    this.estimate.textContent = made ? `${(made / 1000).toFixed(1)} s spoken (the voice on the track); ${video}`
      : extra.estimateMs ? `≈ ${(extra.estimateMs / 1000).toFixed(1)} s spoken; ${video}` : "";
    this.fillVoices(draft, extra.voices);
    setValue(this.musicPrompt, draft.music.prompt);
    this.musicVolume.value = String(draft.timeline.music ? draft.timeline.music.volume : draft.music.volume);
    this.duck.checked = draft.timeline.music ? draft.timeline.music.duck.enabled : draft.music.duck;
    this.renderSnap(draft);
    const audio = [...media.values()].filter((m) => m.kind === "audio");
    fillSelect(this.musicFile, [["", "Made for this ad"], ...audio.map((m) => [m.source, m.filename])], draft.timeline.music?.source || "");
    fillSelect(this.voiceFile, [["", "Made from the script"], ...audio.map((m) => [m.source, m.filename])], draft.timeline.voice?.source || "");
    this.renderSelection(draft, selection, media);
  }

  /** The beat snap: made music has its prompt's tempo; a file needs the person to give its own.
   * @param {Draft} draft */
  renderSnap(draft) {
    const track = draft.timeline.music;
    const wanted = Boolean(draft.music.snap_cuts);
    this.snap.checked = wanted;
    this.bpmField.style.display = track ? "" : "none"; // .field sets display, which beats [hidden]
    if (track) setValue(this.bpm, track.bpm == null ? "" : String(track.bpm));
    this.snapHint.textContent = !wanted ? ""
      : track && track.bpm == null ? "Give the file's tempo to put the cuts on its beats."
      : "Each photo's cut moves to the nearest beat when the video is rendered.";
  }

  /** @param {Draft} draft @param {{voice_id: string, name: string, available: boolean, why: string|null}[]} voices */
  fillVoices(draft, voices) {
    const options = [["", "Best available"],
      ...voices.map((v) => [v.voice_id, v.available ? v.name : `${v.name} (unavailable: ${v.why || "not set up"})`])];
    fillSelect(this.voice, options, draft.voice_id || "");
    [...this.voice.options].forEach((option, i) => { option.disabled = i > 0 && !voices[i - 1].available; });
  }

  /** @param {Draft} draft @param {any} selection @param {Map<string, any>} media */
  renderSelection(draft, selection, media) {
    const focusedId = document.activeElement && this.selection.contains(document.activeElement) ? document.activeElement.id : null;
    this.placeSelection(selection);
    if (!selection) {
      this.selection.replaceChildren(h("p", { class: "empty-note", text: "Select a clip, a transition or a text on the timeline to change it." }),
        h("button", { class: "small", onclick: () => this.actions.onAddText() }, "Add text"));
      return;
    }
    if (selection.kind === "clip" && draft.timeline.video[selection.index]) this.clipPanel(draft, selection.index, media);
    else if (selection.kind === "transition" && draft.timeline.video[selection.index + 1]) this.transitionPanel(draft, selection.index);
    else if (selection.kind === "text" && draft.timeline.texts[selection.index]) this.textPanel(draft, selection.index);
    else this.selection.replaceChildren();
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  /**
   * What is selected is edited first: its panel leads the inspector and is scrolled into view
   * when the selection changes (at 1366x768 the panel is short); with nothing selected the
   * hint sits last, under the ad's fields.
   * @param {any} selection
   */
  placeSelection(selection) {
    const key = selection ? `${selection.kind}:${selection.index}` : "";
    if (key === this.selectionKey) return;
    this.selectionKey = key;
    const panel = /** @type {HTMLElement} */ (this.selection.parentElement);
    this.selection.classList.toggle("lead", Boolean(selection));
    if (selection) {
      if (panel.firstElementChild !== this.selection) panel.prepend(this.selection);
      requestAnimationFrame(() => this.selection.scrollIntoView({ block: "nearest" }));
    } else if (panel.lastElementChild !== this.selection) panel.append(this.selection);
  }

  /** @param {Draft} draft @param {number} index @param {Map<string, any>} media */
  clipPanel(draft, index, media) {
    const clip = draft.timeline.video[index];
    const a = this.actions;
    const duration = h("input", { id: "clip-duration", type: "number", min: "0.5", max: "600", step: "0.1", value: (clip.duration_ms / 1000).toFixed(1) });
    duration.addEventListener("change", () => a.onClip(index, { duration_ms: Math.round(Number(duration.value) * 1000) }));
    const fit = select("clip-fit", [["blur", "Whole photo, blurred fill"], ["crop", "Fill the frame (crop)"]], clip.fit, (v) => a.onClip(index, { fit: v }));
    /** @type {HTMLElement[]} */
    const parts = [h("h2", { text: `Clip ${index + 1}` }), h("p", { class: "muted", text: media.get(clip.source)?.filename || clip.source }),
      field("Length (s)", duration), field("Fit", fit)];
    if (clip.kind === "photo") {
      const kb = clip.kenburns;
      const motion = select("clip-motion", MOTIONS, kb.motion === "custom" ? "zoom_in" : kb.motion, (v) => a.onKenBurns(index, { motion: v }));
      const strength = h("input", { id: "clip-zoom", type: "range", min: "0", max: "1", step: "0.05", value: String(kb.strength) });
      strength.addEventListener("input", () => a.onKenBurns(index, { strength: Number(strength.value) }));
      const easing = select("clip-easing", EASINGS, kb.easing, (v) => a.onKenBurns(index, { easing: v }));
      parts.push(field("Motion", motion), field("Zoom", strength, `up to ${(1 + 0.5 * kb.strength).toFixed(2)}×`), field("Easing", easing),
        h("p", { class: "hint", text: `Focus ${Math.round(kb.focus_x * 100)}%, ${Math.round(kb.focus_y * 100)}%: click the preview to move it.` }));
    }
    parts.push(h("button", { class: "danger small", onclick: () => a.onDeleteClip(index) }, "Delete clip"));
    this.selection.replaceChildren(h("section", { class: "group" }, ...parts));
  }

  /** @param {Draft} draft @param {number} index */
  transitionPanel(draft, index) {
    const t = draft.timeline.video[index].transition;
    const type = select("transition-type", TRANSITIONS.map((x) => [x, x]), t.type, (v) => this.actions.onTransition(index, v, v === "cut" ? 0 : Math.max(t.duration_ms, 500)));
    const duration = h("input", { id: "transition-duration", type: "number", min: "0", max: "5", step: "0.1", value: (t.duration_ms / 1000).toFixed(1), disabled: t.type === "cut" });
    duration.addEventListener("change", () => this.actions.onTransition(index, t.type, Math.round(Number(duration.value) * 1000)));
    this.selection.replaceChildren(h("section", { class: "group" }, h("h2", { text: `Transition ${index + 1} → ${index + 2}` }),
      field("Transition", type), field("Length (s)", duration)));
  }

  /** @param {Draft} draft @param {number} index */
  textPanel(draft, index) {
    const text = draft.timeline.texts[index];
    const a = this.actions;
    const body = h("textarea", { id: "text-body", rows: 2, maxlength: 200 });
    body.value = text.text;
    body.addEventListener("input", () => { if (body.value.trim()) a.onText(index, { text: body.value }); });
    const start = h("input", { id: "text-start", type: "number", min: "0", step: "0.1", value: (text.start_ms / 1000).toFixed(1) });
    const end = h("input", { id: "text-end", type: "number", min: "0", step: "0.1", value: (text.end_ms / 1000).toFixed(1) });
    const times = () => a.onText(index, { start_ms: Math.round(Number(start.value) * 1000), end_ms: Math.round(Number(end.value) * 1000) });
    start.addEventListener("change", times);
    end.addEventListener("change", times);
    const presets = h("div", { class: "segmented", role: "group", "aria-label": "Position" },
      ...["top", "center", "bottom"].map((p) => h("button", { class: text.anchor === p ? "on" : "", "aria-pressed": text.anchor === p ? "true" : "false",
        onclick: () => a.onTextPreset(index, /** @type {"top"|"center"|"bottom"} */ (p)) }, p)));
    const size = h("input", { id: "text-size", type: "range", min: "0.02", max: "0.2", step: "0.005", value: String(text.style.size) });
    size.addEventListener("input", () => a.onText(index, { style: { ...text.style, size: Number(size.value) } }));
    const color = h("input", { id: "text-color", type: "color", value: text.style.color.toLowerCase() });
    color.addEventListener("change", () => a.onText(index, { style: { ...text.style, color: color.value.toUpperCase() } }));
    const box = h("input", { type: "checkbox", checked: text.style.box });
    box.addEventListener("change", () => a.onText(index, { style: { ...text.style, box: box.checked } }));
    const role = text.role === "title" ? "Brand title" : text.role === "cta" ? "Call to action" : "Text";
    this.selection.replaceChildren(h("section", { class: "group" }, h("h2", { text: role }),
      text.role === "text" ? field("Words", body) : h("p", { class: "muted", text: "Edit the words in the Ad section above." }),
      presets, h("div", { class: "row" }, field("From (s)", start), field("To (s)", end)),
      h("div", { class: "row" }, field("Size", size), field("Colour", color), h("label", { class: "check" }, box, "Box")),
      h("button", { class: "danger small", onclick: () => a.onDeleteText(index) }, "Delete text")));
  }
}

/** @param {HTMLInputElement|HTMLTextAreaElement} el @param {string} value */
function setValue(el, value) {
  if (document.activeElement !== el && el.value !== value) el.value = value;
}

/** @param {HTMLSelectElement} el @param {string[][]} options @param {string} value */
function fillSelect(el, options, value) {
  const same = el.options.length === options.length && options.every(([v, t], i) => el.options[i].value === v && el.options[i].text === t);
  if (!same) el.replaceChildren(...options.map(([v, t]) => h("option", { value: v, text: t })));
  el.value = value;
}

/** @param {string} id @param {string[][]} options @param {string} value @param {(v: string) => void} onChange */
function select(id, options, value, onChange) {
  const el = h("select", { id });
  fillSelect(el, options, value);
  el.addEventListener("change", () => onChange(el.value));
  return el;
}
