// The editor's shortcuts: space plays, Delete removes the selection, Ctrl/Cmd+Z undoes
// (with Shift, redoes), arrows move the playhead by a frame (Shift: a second).

/**
 * @param {{playPause: () => void, remove: () => void, undo: () => void, redo: () => void, step: (frames: number, seconds: boolean) => void}} actions
 * @returns {() => void} unbind
 */
export function bindShortcuts(actions) {
  /** @param {KeyboardEvent} event */
  const onKey = (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const typing = target.closest("input, textarea, select, [contenteditable]") !== null;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "z") {
      if (typing) return; // the field's own undo
      event.preventDefault();
      if (event.shiftKey) actions.redo();
      else actions.undo();
      return;
    }
    if (mod && event.key.toLowerCase() === "y" && !typing) {
      event.preventDefault();
      actions.redo();
      return;
    }
    if (typing || mod) return;
    if (event.key === " " && !target.closest("button, [role=button], [role=slider]")) {
      event.preventDefault();
      actions.playPause();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      actions.remove();
    } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && !target.closest("[role=slider]") && !event.altKey) {
      event.preventDefault();
      actions.step(event.key === "ArrowLeft" ? -1 : 1, event.shiftKey);
    }
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
