// The draft on the server (per-user "projects"): opened on sign-in, saved a moment after each
// edit with its revision (a stale revision is a conflict, never a silent overwrite), and kept in
// this browser too, so a session that expires mid-work loses nothing.
import { projects } from "../api/client.js";
import { ApiError } from "../api/http.js";
import { fromTimelineJSON, newDraft, toTimelineJSON } from "../model/timeline.js";

const SAVE_AFTER_MS = 700;

/** @typedef {import("../model/types.js").Draft} Draft */

/** The draft as the API stores it: a timeline with no clips yet is null. @param {Draft} draft */
export function toServer(draft) {
  return { ...draft, timeline: toTimelineJSON(draft) };
}

/** A stored draft, every default filled in (an integrator may have saved a sparse one). @param {any} stored @returns {Draft} */
export function fromServer(stored) {
  const base = newDraft({ aspect: "16:9" });
  if (!stored) return base;
  const extra = { name: stored.name || base.name, brand_name: stored.brand_name ?? "", script: stored.script ?? "",
    voice_id: stored.voice_id ?? null, music: { ...base.music, ...(stored.music || {}) } };
  if (!stored.timeline) return { ...base, ...extra };
  try {
    return fromTimelineJSON(stored.timeline, extra);
  } catch (error) {
    console.error(error); // a draft this editor cannot read opens empty rather than not at all
    return { ...base, ...extra };
  }
}

export class DraftStore {
  /** @param {string} uid @param {(state: string) => void} onState */
  constructor(uid, onState) {
    this.uid = uid;
    this.onState = onState;
    /** @type {string|null} */
    this.projectId = null;
    this.revision = 0;
    /** @type {Draft|null} */
    this.pending = null;
    this.timer = 0;
    this.saving = false;
    this.conflict = false;
  }

  /** @param {string} projectId */
  backupKey(projectId) {
    return `createstudio:draft:${this.uid}:${projectId}`;
  }

  /** The most recent draft, or a new one. @returns {Promise<{project: any, draft: Draft}>} */
  async openLatest() {
    const { projects: list } = await projects.list();
    if (list.length) return this.open(list[0].project_id);
    return this.create("Untitled ad");
  }

  /** @param {string} name @param {Draft} [draft] */
  async create(name, draft) {
    const { project } = await projects.create(name);
    this.use(project);
    if (draft) {
      this.schedule({ ...draft, name });
      await this.flush();
      return { project, draft: { ...draft, name } };
    }
    return { project, draft: fromServer(project.draft ? { ...project.draft, name } : { name }) };
  }

  /** @param {string} projectId */
  async open(projectId) {
    await this.flush();
    const { project } = await projects.get(projectId);
    this.use(project);
    // A backup newer than the server's copy is work that never reached it (a session expired).
    const backup = localStorage.getItem(this.backupKey(projectId));
    if (backup) {
      try {
        const saved = JSON.parse(backup);
        if (saved.revision === project.revision) {
          this.schedule(saved.draft);
          return { project, draft: /** @type {Draft} */ (saved.draft) };
        }
      } catch {
        // an unreadable backup is ignored
      }
      localStorage.removeItem(this.backupKey(projectId));
    }
    return { project, draft: fromServer(project.draft) };
  }

  /** @param {any} project */
  use(project) {
    this.projectId = project.project_id;
    this.revision = project.revision;
    this.conflict = false;
    this.onState("Saved");
  }

  /** @param {Draft} draft */
  schedule(draft) {
    if (!this.projectId) return;
    this.pending = draft;
    localStorage.setItem(this.backupKey(this.projectId), JSON.stringify({ revision: this.revision, draft }));
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.flush(), SAVE_AFTER_MS);
    if (!this.conflict) this.onState("Saving…");
  }

  /** Save what is pending now. */
  async flush() {
    clearTimeout(this.timer);
    if (!this.pending || !this.projectId || this.saving || this.conflict) return;
    const draft = this.pending;
    const projectId = this.projectId;
    this.pending = null;
    this.saving = true;
    try {
      const { project } = await projects.save(projectId, this.revision, toServer(draft));
      if (projectId === this.projectId) this.revision = project.revision;
      if (!this.pending) localStorage.removeItem(this.backupKey(projectId));
      this.onState(this.pending ? "Saving…" : "Saved");
    } catch (error) {
      this.pending = this.pending || draft;
      if (error instanceof ApiError && error.status === 409) {
        this.conflict = true;
        this.onState("Changed in another window: reload the draft");
      } else if (error instanceof ApiError && error.status === 401) {
        this.onState("Not saved yet: sign in again");
      } else if (error instanceof ApiError && error.status === 400) {
        this.onState(`Not saved: ${error.message}`);
      } else {
        this.onState("Not saved yet: retrying");
        this.timer = window.setTimeout(() => this.flush(), 3000);
      }
    } finally {
      this.saving = false;
    }
    if (this.pending && !this.conflict) this.timer = window.setTimeout(() => this.flush(), SAVE_AFTER_MS);
  }
}
