// The gallery of the person's jobs, live from the Firestore watch: status, step, progress and
// every warning; cancel, pause, resume; when done, watch it inline, download, rate, comment,
// reopen its timeline, delete.
import { clock, h, replace } from "./dom.js";

/**
 * @typedef {{job_id: string, brand_name: string, status: string, step: string, progress: number, warnings: string[], error: string|null,
 *   output: {duration_ms: number, size_bytes: number}|null, rating: number|null, comment: string|null, created_at: string}} JobDoc
 * @typedef {{video_url?: string, poster_url?: string}} Links
 * @typedef {{
 *   onControl: (id: string, action: "cancel"|"pause"|"resume") => Promise<void>, onLinks: (id: string) => Promise<Links>,
 *   onRate: (id: string, rating: number) => void, onComment: (id: string, text: string) => void,
 *   onReopen: (id: string) => void, onDelete: (id: string) => void,
 * }} JobsActions
 */

const LIVE = new Set(["pending", "processing", "paused"]);
const STATUS_WORDS = /** @type {Record<string, string>} */ ({
  pending: "Queued", processing: "Rendering", paused: "Paused", done: "Ready", error: "Failed", cancelled: "Cancelled",
});

export class JobsView {
  /** @param {HTMLElement} root @param {JobsActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.list = h("ol", { class: "job-list" });
    this.empty = h("p", { class: "empty-note", text: "Your renders appear here, live." });
    this.region = h("section", { class: "panel jobs", role: "region", "aria-label": "Jobs" },
      h("header", { class: "panel-head" }, h("h2", { text: "Jobs" })), this.empty, this.list);
    root.replaceChildren(this.region);
    /** @type {Map<string, HTMLElement>} */
    this.cards = new Map();
    /** @type {Map<string, Links>} */
    this.links = new Map();
  }

  /** @param {JobDoc[]} jobs newest first */
  render(jobs) {
    this.empty.hidden = jobs.length > 0;
    const keep = new Set(jobs.map((j) => j.job_id));
    for (const [id, card] of this.cards) if (!keep.has(id)) { card.remove(); this.cards.delete(id); }
    jobs.forEach((job, position) => {
      let card = this.cards.get(job.job_id);
      // A card is rebuilt only when its shape changes; progress and step are patched in place, so
      // a click on Pause or Cancel in flight is not lost to a progress tick replacing the button.
      const signature = JSON.stringify([job.status, job.warnings, job.error, job.rating, job.comment]);
      if (!card || card.dataset.signature !== signature) {
        const fresh = this.card(job);
        fresh.dataset.signature = signature;
        if (card) card.replaceWith(fresh);
        card = fresh;
        this.cards.set(job.job_id, card);
      }
      tick(card, job);
      if (this.list.children[position] !== card) this.list.insertBefore(card, this.list.children[position] || null);
    });
  }

  /** @param {JobDoc} job */
  card(job) {
    const a = this.actions;
    const id = job.job_id;
    const live = LIVE.has(job.status);
    const aspect = /** @type {any} */ (job).timeline?.format?.aspect || "16:9";
    const media = h("div", { class: `job-media a${aspect.replace(":", "x")}` });
    if (job.status === "done") this.fillPoster(media, job);
    else media.append(h("div", { class: `job-placeholder ${job.status}` }));
    const buttons = [];
    // Only a running job can pause (the API answers 409 for a queued one: docs/api.md).
    if (job.status === "processing") buttons.push(button("Pause", () => a.onControl(id, "pause")));
    if (job.status === "paused") buttons.push(button("Resume", () => a.onControl(id, "resume")));
    if (live) buttons.push(button("Cancel", () => a.onControl(id, "cancel"), "danger"));
    if (job.status === "done") {
      buttons.push(button("Download", () => this.download(job)));
    }
    if (!live) buttons.push(button("Edit a copy", () => a.onReopen(id)), button("Delete job", () => a.onDelete(id), "danger ghost"));
    const warnings = job.warnings || [];
    return h("li", { class: `job ${job.status}`, "aria-label": `${job.brand_name || "Untitled"}: ${STATUS_WORDS[job.status] || job.status}`, dataset: { jobId: id } },
      media,
      h("div", { class: "job-body" },
        h("div", { class: "job-title" }, h("strong", { text: job.brand_name || "Untitled" }), h("span", { class: `badge ${job.status}`, text: STATUS_WORDS[job.status] || job.status })),
        live ? h("progress", { max: 100, "aria-label": `Progress of ${job.brand_name || "the job"}` }) : null,
        h("p", { class: "job-step", "aria-live": "polite" }),
        job.output ? h("p", { class: "muted", text: `${clock(job.output.duration_ms)} · ${(job.output.size_bytes / 1e6).toFixed(1)} MB` }) : null,
        warnings.length ? h("details", { class: "job-warnings" }, h("summary", { text: warnings.length === 1 ? "1 warning" : `${warnings.length} warnings` }),
          h("ul", {}, ...warnings.map((w) => h("li", { text: w })))) : null,
        h("div", { class: "job-actions" }, ...buttons)),
      job.status === "done" ? this.feedback(job) : null);
  }

  /** @param {HTMLElement} media @param {JobDoc} job */
  async fillPoster(media, job) {
    const links = await this.linksFor(job.job_id);
    if (!links.video_url) return;
    const video = h("video", { controls: true, preload: "none", poster: links.poster_url || "", src: links.video_url, "aria-label": `Video of ${job.brand_name || "the job"}` });
    replace(media, video);
  }

  /** @param {string} id */
  async linksFor(id) {
    let links = this.links.get(id);
    if (!links) {
      links = await this.actions.onLinks(id);
      this.links.set(id, links);
      setTimeout(() => this.links.delete(id), 10 * 60 * 1000); // signed links live 15 minutes
    }
    return links;
  }

  /** @param {JobDoc} job */
  async download(job) {
    const links = await this.linksFor(job.job_id);
    if (!links.video_url) return;
    const a = h("a", { href: links.video_url, download: `${(job.brand_name || "ad").replace(/[^\w-]+/g, "-")}.mp4` });
    document.body.append(a);
    a.click();
    a.remove();
  }

  /** @param {JobDoc} job */
  feedback(job) {
    const name = `rating-${job.job_id}`;
    const stars = h("div", { class: "stars", role: "radiogroup", "aria-label": "Rating" },
      ...[1, 2, 3, 4, 5].map((n) => {
        const input = h("input", { type: "radio", name, value: String(n), checked: job.rating === n, "aria-label": `${n} star${n > 1 ? "s" : ""}` });
        input.addEventListener("change", () => this.actions.onRate(job.job_id, n));
        return h("label", { class: job.rating && n <= job.rating ? "on" : "" }, input, h("span", { "aria-hidden": "true", text: "★" }));
      }));
    const comment = h("textarea", { rows: 1, maxlength: 2000, placeholder: "A note on this version", "aria-label": "Comment" });
    comment.value = job.comment || "";
    const save = h("button", { class: "small ghost", onclick: () => this.actions.onComment(job.job_id, comment.value) }, "Save note");
    return h("div", { class: "feedback" }, stars, h("div", { class: "row" }, comment, save));
  }
}

/**
 * A card's button; while the request it starts is out it is disabled, so a second press cannot
 * race the first (the Firestore watch then redraws the card in its new state).
 * @param {string} label @param {() => void|Promise<unknown>} onClick @param {string} [extra]
 */
function button(label, onClick, extra = "") {
  const el = h("button", { class: `small ${extra}`, type: "button" }, label);
  el.addEventListener("click", async () => {
    el.disabled = true;
    try {
      await onClick();
    } finally {
      el.disabled = false;
    }
  });
  return el;
}

/**
 * Write a card's moving parts (progress bar, percent, step line) from the job, in place.
 * @param {HTMLElement} card @param {JobDoc} job
 */
function tick(card, job) {
  const live = LIVE.has(job.status);
  const progress = Math.round(job.progress);
  const bar = /** @type {HTMLProgressElement|null} */ (card.querySelector("progress"));
  if (bar) {
    bar.value = progress;
    bar.setAttribute("aria-valuetext", `${progress}%`);
  }
  const placeholder = card.querySelector(".job-placeholder");
  const words = job.status === "paused" ? `Paused at ${progress}%` : live ? `${progress}%` : STATUS_WORDS[job.status];
  if (placeholder && placeholder.textContent !== words) placeholder.textContent = words;
  const step = card.querySelector(".job-step");
  const line = job.status === "error" ? (job.error || "The render failed.") : (job.step || (live ? "Waiting for a worker…" : ""));
  if (step && step.textContent !== line) step.textContent = line;
}
