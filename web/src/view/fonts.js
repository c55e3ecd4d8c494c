// The renderer's fonts (shared/render/text/fonts), served with the editor so the preview measures and
// draws text with the same files FFmpeg's drawtext uses.

/** @type {Record<string, {family: string, file: string}>} */
export const FONTS = {
  sans: { family: "CS Sans", file: "DejaVuSans.ttf" },
  sans_bold: { family: "CS Sans Bold", file: "DejaVuSans-Bold.ttf" },
  serif: { family: "CS Serif", file: "DejaVuSerif.ttf" },
  serif_bold: { family: "CS Serif Bold", file: "DejaVuSerif-Bold.ttf" },
  mono: { family: "CS Mono", file: "DejaVuSansMono.ttf" },
};

/** Load every font once; resolves when they can be drawn. @param {string} base URL of the folder */
export async function loadFonts(base = "dist/fonts/") {
  await Promise.all(Object.values(FONTS).map(async ({ family, file }) => {
    const face = new FontFace(family, `url(${base}${file})`);
    await face.load();
    document.fonts.add(face);
  }));
}

// What the renderer falls back to for characters DejaVu lacks (shared/render/text/fonts.py: Debian's
// Noto CJK, then Symbola), where this machine has them; else the browser's own fallback.
const FALLBACK = { serif: '"Noto Serif CJK JP", "Symbola"', sans: '"Noto Sans CJK JP", "Symbola"' };

/** @param {string} font @param {number} sizePx */
export function cssFont(font, sizePx) {
  const fallback = font.startsWith("serif") ? FALLBACK.serif : FALLBACK.sans;
  return `${sizePx}px "${(FONTS[font] || FONTS.sans_bold).family}", ${fallback}`;
}
