// Uploads from the picker or a drop: at most three at a time, one row (with its progress bar or
// its error in words) per file, each ready item added to the library as the server accepts it.
import { media as mediaApi } from "../api/client.js";
import { ApiError } from "../api/http.js";

const PARALLEL = 3;
const ACCEPTED = /^(image\/(jpeg|png|webp|heic|heif)|audio\/(mpeg|wav|x-wav|mp4|aac|ogg|flac))$/;

/** @typedef {import("../view/library_view.js").UploadRow} UploadRow */

export class Uploads {
  /** @param {{onRows: (rows: UploadRow[]) => void, onReady: (item: any) => void}} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {UploadRow[]} */
    this.rows = [];
    /** @type {{row: UploadRow, file: File}[]} */
    this.queue = [];
    this.active = 0;
    this.counter = 0;
  }

  /** @param {File[]} files */
  add(files) {
    for (const file of files) {
      const row = /** @type {UploadRow} */ ({ key: `u${++this.counter}`, filename: file.name, progress: 0, state: "uploading" });
      this.rows.push(row);
      if (file.type && !ACCEPTED.test(file.type)) {
        Object.assign(row, { state: "failed", error: `${file.name}: this kind of file (${file.type}) cannot be used; use JPEG, PNG, WebP or HEIC photos, or MP3, WAV, M4A, Ogg or FLAC audio` });
        continue;
      }
      this.queue.push({ row, file });
    }
    this.changed();
    this.pump();
  }

  /** @param {string} key */
  dismiss(key) {
    this.rows = this.rows.filter((r) => r.key !== key);
    this.changed();
  }

  pump() {
    while (this.active < PARALLEL && this.queue.length) {
      const next = /** @type {{row: UploadRow, file: File}} */ (this.queue.shift());
      this.active += 1;
      this.one(next.row, next.file).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  /** @param {UploadRow} row @param {File} file */
  async one(row, file) {
    try {
      const item = await mediaApi.upload(file, (fraction) => {
        row.progress = fraction;
        if (fraction >= 1) row.state = "checking";
        this.changed();
      });
      this.rows = this.rows.filter((r) => r !== row);
      this.hooks.onReady(item);
    } catch (error) {
      row.state = "failed";
      row.error = error instanceof ApiError ? error.message : `${file.name}: the upload failed`;
    }
    this.changed();
  }

  changed() {
    this.hooks.onRows([...this.rows]);
  }
}
