// The media library: upload by picker or by dropping files, one progress bar per file, errors
// next to the file that caused them, thumbnails, delete, and drag onto the timeline.
import { clock, h, replace } from "./dom.js";

export const MEDIA_DRAG_TYPE = "application/x-createstudio-media";

/**
 * @typedef {{media_id: string, kind: "image"|"audio", status: string, filename: string, width?: number|null, height?: number|null, duration_ms?: number|null, source: string, url?: string, thumb_url?: string, preview_url?: string}} MediaItem
 * @typedef {{key: string, filename: string, progress: number, state: "uploading"|"checking"|"failed", error?: string}} UploadRow
 * @typedef {{onFiles: (files: File[]) => void, onDelete: (item: MediaItem) => void, onAdd: (item: MediaItem) => void, onDismiss: (key: string) => void}} LibraryActions
 */

export class LibraryView {
  /** @param {HTMLElement} root @param {LibraryActions} actions */
  constructor(root, actions) {
    this.actions = actions;
    this.input = h("input", { type: "file", multiple: true, accept: "image/jpeg,image/png,image/webp,image/heic,image/heif,audio/*", class: "visually-hidden", tabindex: "-1", "aria-hidden": "true" });
    this.input.addEventListener("change", () => {
      if (this.input.files?.length) actions.onFiles([...this.input.files]);
      this.input.value = "";
    });
    const upload = h("button", { class: "primary small", onclick: () => this.input.click() }, "Upload");
    this.uploads = h("ul", { class: "upload-list", "aria-label": "Uploads" });
    this.list = h("ul", { class: "media-grid", "aria-label": "Library items" });
    this.empty = h("p", { class: "empty-note", text: "Drop photos, voice or music files here, or press Upload." });
    this.region = h("section", { class: "panel library", role: "region", "aria-label": "Media library" },
      h("header", { class: "panel-head" }, h("h2", { text: "Media" }), upload, this.input),
      this.uploads, this.empty, this.list);
    for (const type of ["dragenter", "dragover"]) {
      this.region.addEventListener(type, (event) => {
        if (!hasFiles(/** @type {DragEvent} */ (event))) return;
        event.preventDefault();
        this.region.classList.add("drop-target");
      });
    }
    this.region.addEventListener("dragleave", (event) => {
      if (!this.region.contains(/** @type {Node|null} */ (/** @type {DragEvent} */ (event).relatedTarget))) this.region.classList.remove("drop-target");
    });
    this.region.addEventListener("drop", (event) => {
      const drag = /** @type {DragEvent} */ (event);
      this.region.classList.remove("drop-target");
      if (!hasFiles(drag)) return;
      drag.preventDefault();
      actions.onFiles([...(drag.dataTransfer?.files || [])]);
    });
    root.replaceChildren(this.region);
  }

  /** @param {MediaItem[]} items @param {UploadRow[]} uploads */
  render(items, uploads) {
    replace(this.uploads, ...uploads.map((row) => this.uploadRow(row)));
    this.empty.hidden = items.length > 0 || uploads.length > 0;
    replace(this.list, ...items.map((item) => this.itemView(item)));
  }

  /** @param {UploadRow} row */
  uploadRow(row) {
    const failed = row.state === "failed";
    return h("li", { class: `upload ${row.state}`, "aria-label": row.filename },
      h("span", { class: "upload-name", text: row.filename }),
      failed
        ? h("span", { class: "upload-error", role: "alert", text: row.error || "the upload failed" })
        : h("progress", { max: 100, value: Math.round(row.progress * 100), "aria-label": `Uploading ${row.filename}` }),
      failed ? h("button", { class: "icon", "aria-label": `Dismiss ${row.filename}`, onclick: () => this.actions.onDismiss(row.key) }, "×") : null,
      !failed && row.state === "checking" ? h("span", { class: "upload-state", text: "checking…" }) : null,
    );
  }

  /** @param {MediaItem} item */
  itemView(item) {
    const isPhoto = item.kind === "image";
    const meta = isPhoto
      ? (item.width && item.height ? `${item.width}×${item.height}` : "photo")
      : `audio ${clock(item.duration_ms || 0)}`;
    const thumb = isPhoto
      ? h("img", { src: item.thumb_url || item.url || "", alt: "", loading: "lazy", draggable: "false" })
      : h("span", { class: "audio-thumb", "aria-hidden": "true" }, "♪");
    const li = h("li", { class: `media-item ${item.kind}`, draggable: "true", "aria-label": item.filename, tabindex: "0", dataset: { mediaId: item.media_id } },
      h("div", { class: "thumb" }, thumb),
      h("div", { class: "media-meta" }, h("span", { class: "media-name", text: item.filename, title: item.filename }), h("span", { class: "media-size", text: meta })),
      h("div", { class: "media-actions" },
        h("button", { class: "icon", title: isPhoto ? "Add to the video track" : "Use on the timeline", "aria-label": `Add ${item.filename} to the timeline`, onclick: () => this.actions.onAdd(item) }, "+"),
        h("button", { class: "icon danger", title: "Delete", "aria-label": `Delete ${item.filename}`, onclick: () => this.actions.onDelete(item) }, "🗑")),
    );
    li.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData(MEDIA_DRAG_TYPE, item.media_id);
      event.dataTransfer?.setData("text/plain", item.filename);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "copy";
    });
    li.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target === li) this.actions.onAdd(item);
    });
    return li;
  }
}

/** @param {DragEvent} event */
function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}
