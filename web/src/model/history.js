// Undo and redo over drafts (persisted state only). A command is a pure function of the draft;
// repeated edits with the same coalesce key (a drag) make one undo step.
import { Emitter } from "./emitter.js";

/** @typedef {import("./types.js").Draft} Draft */
/** @typedef {{draft: Draft, label: string, cause: "do"|"undo"|"redo"|"reset"}} HistoryChange */
/** @typedef {{before: Draft, after: Draft, label: string, key: string|null, at: number}} Entry */

export const COALESCE_MS = 1000; // a gesture's edits further apart than this are separate steps
const LIMIT = 200;

/** @extends {Emitter<{change: [HistoryChange]}>} */
export class History extends Emitter {
  /** @type {Draft} */
  #draft;
  /** @type {Entry[]} */
  #undo = [];
  /** @type {Entry[]} */
  #redo = [];
  #sealed = true;
  #now;

  /**
   * @param {Draft} draft
   * @param {{now?: () => number}} [options] the clock that separates gestures (tests pass one)
   */
  constructor(draft, { now = () => Date.now() } = {}) {
    super();
    this.#draft = draft;
    this.#now = now;
  }

  get draft() {
    return this.#draft;
  }

  get canUndo() {
    return this.#undo.length > 0;
  }

  get canRedo() {
    return this.#redo.length > 0;
  }

  /** What undo() would undo ("" when nothing). */
  get undoLabel() {
    return this.#undo.at(-1)?.label ?? "";
  }

  get redoLabel() {
    return this.#redo.at(-1)?.label ?? "";
  }

  /**
   * Apply `command` to the draft. It throws (and nothing changes) when the edit is invalid; an
   * edit that changes nothing adds no step.
   * @param {(draft: Draft) => Draft} command
   * @param {string} label what the menu says: "Undo <label>"
   * @param {string} [coalesceKey] same key as the last step, within COALESCE_MS: one step
   */
  do(command, label, coalesceKey) {
    const after = command(this.#draft);
    if (after === this.#draft) return;
    const at = this.#now();
    const last = this.#undo.at(-1);
    if (!this.#sealed && coalesceKey && last && last.key === coalesceKey && at - last.at <= COALESCE_MS) {
      this.#undo[this.#undo.length - 1] = { ...last, after, at };
    } else {
      this.#undo.push({ before: this.#draft, after, label, key: coalesceKey ?? null, at });
      if (this.#undo.length > LIMIT) this.#undo.shift();
    }
    this.#sealed = !coalesceKey;
    this.#redo = [];
    this.#set(after, label, "do");
  }

  /** End the current gesture: the next edit is a new step even with the same key. */
  seal() {
    this.#sealed = true;
  }

  undo() {
    const entry = this.#undo.pop();
    if (!entry) return;
    this.#redo.push(entry);
    this.#sealed = true;
    this.#set(entry.before, entry.label, "undo");
  }

  redo() {
    const entry = this.#redo.pop();
    if (!entry) return;
    this.#undo.push(entry);
    this.#sealed = true;
    this.#set(entry.after, entry.label, "redo");
  }

  /** Start over from `draft` (another project was opened), with no undo steps. */
  reset(/** @type {Draft} */ draft) {
    this.#undo = [];
    this.#redo = [];
    this.#sealed = true;
    this.#set(draft, "", "reset");
  }

  /** @param {Draft} draft @param {string} label @param {HistoryChange["cause"]} cause */
  #set(draft, label, cause) {
    this.#draft = draft;
    this.emit("change", { draft, label, cause });
  }
}
