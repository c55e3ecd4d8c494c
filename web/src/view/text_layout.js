// Text placement as the renderer does it (shared/render/text/text_layout.py): wrap at words, shrink
// until the block fits the safe area, anchor top/center/bottom, keep it inside the area.
// Pure: the caller passes a measure function (the canvas, with the same shipped fonts).

export const MIN_FONT_PX = 12;
export const SHRINK_STEP = 0.92;
export const BOX_PADDING_EM = 0.25;

/**
 * @typedef {{left: number, top: number, right: number, bottom: number}} Area
 * @typedef {{width: (text: string, sizePx: number) => number, lineHeight: (sizePx: number) => number}} Measure
 * @typedef {{lines: string[], size: number, x: number, y: number, width: number, height: number, padding: number}} Block
 */

/** @param {string} text @param {number} size @param {number} maxWidth @param {Measure} m */
function wrapWords(text, size, maxWidth, m) {
  /** @type {string[]} */
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ").filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (m.width(candidate, size) <= maxWidth) line = candidate;
      else if (!line) return null; // one word wider than the area: shrink instead
      else {
        lines.push(line);
        if (m.width(word, size) > maxWidth) return null;
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** @param {string} text @param {number} size @param {number} maxWidth @param {Measure} m */
function wrapChars(text, size, maxWidth, m) {
  /** @type {string[]} */
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const ch of paragraph) {
      if (line && m.width(line + ch, size) > maxWidth) {
        lines.push(line);
        line = ch;
      } else line += ch;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * @param {string} text
 * @param {{sizePx: number, area: Area, anchor: "top"|"center"|"bottom", centreX: number, offsetY: number, box: boolean}} o
 * @param {Measure} m
 * @returns {Block}
 */
export function layoutText(text, o, m) {
  const areaW = o.area.right - o.area.left;
  const areaH = o.area.bottom - o.area.top;
  let size = o.sizePx;
  /** @type {string[]} */
  let lines;
  let pad;
  for (;;) {
    pad = o.box ? Math.round(size * BOX_PADDING_EM) : 0;
    const maxWidth = areaW - 2 * pad;
    let wrapped = wrapWords(text, size, maxWidth, m);
    const smallest = size <= MIN_FONT_PX;
    if (wrapped === null && smallest) wrapped = wrapChars(text, size, maxWidth, m);
    if (wrapped !== null && (wrapped.length * m.lineHeight(size) + 2 * pad <= areaH || smallest)) {
      lines = wrapped;
      break;
    }
    size = Math.max(MIN_FONT_PX, Math.floor(size * SHRINK_STEP));
  }
  const width = Math.max(...lines.map((line) => Math.round(m.width(line, size))));
  const height = lines.length * m.lineHeight(size);
  const outerW = width + 2 * pad;
  const outerH = height + 2 * pad;
  let top;
  if (o.anchor === "top") top = o.area.top + o.offsetY;
  else if (o.anchor === "bottom") top = o.area.bottom - outerH + o.offsetY;
  else top = (o.area.top + o.area.bottom - outerH) / 2 + o.offsetY;
  let left = o.centreX - outerW / 2;
  left = Math.min(Math.max(left, o.area.left), o.area.right - outerW);
  top = Math.min(Math.max(top, o.area.top), o.area.bottom - outerH);
  return { lines, size, x: Math.round(left) + pad, y: Math.round(top) + pad, width, height, padding: pad };
}
