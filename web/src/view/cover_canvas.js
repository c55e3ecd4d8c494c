// A photo fitted to the output's aspect once per clip (the renderer's "cover frame"): a centred
// crop, or the whole photo over a blurred, darkened fill of itself (shared/render/draw/photo_cover.py).
import { centreCrop, coverSize } from "../model/cover.js";

const BLUR_DOWNSCALE = 8;
const BLUR_SIGMA = 4;
// photo_cover._FILL_SHIFT: the fill is darkened by subtracting this from every channel.
const FILL_SHIFT = Math.round((0.12 * 256 * 255) / 219);

/**
 * @param {HTMLImageElement} image
 * @param {"blur"|"crop"} fit
 * @param {number} width output frame width (the preview's)
 * @param {number} height
 * @param {number} zoom the clip's largest zoom, so the window is never upscaled much
 * @returns {HTMLCanvasElement}
 */
export function drawCover(image, fit, width, height, zoom) {
  const iw = image.naturalWidth;
  const ih = image.naturalHeight;
  const [cw, ch] = coverSize([iw, ih], fit, [width, height], zoom);
  const canvas = document.createElement("canvas");
  canvas.width = cw;
  canvas.height = ch;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.imageSmoothingQuality = "high";
  if (fit === "crop") {
    const c = centreCrop(iw, ih, width, height);
    ctx.drawImage(image, c.x, c.y, c.w, c.h, 0, 0, cw, ch);
    return canvas;
  }
  // The fill: the centred crop, small, blurred, darkened, scaled up.
  const sw = Math.max(2, 2 * Math.round(cw / BLUR_DOWNSCALE / 2));
  const sh = Math.max(2, 2 * Math.round(ch / BLUR_DOWNSCALE / 2));
  const small = document.createElement("canvas");
  small.width = sw;
  small.height = sh;
  const sctx = /** @type {CanvasRenderingContext2D} */ (small.getContext("2d"));
  const c = centreCrop(iw, ih, sw, sh);
  sctx.drawImage(image, c.x, c.y, c.w, c.h, 0, 0, sw, sh);
  const pixels = sctx.getImageData(0, 0, sw, sh);
  blurAndDarken(pixels);
  sctx.putImageData(pixels, 0, 0);
  ctx.drawImage(small, 0, 0, cw, ch);
  const scale = Math.min(cw / iw, ch / ih);
  const fw = Math.min(cw, 2 * Math.round((iw * scale) / 2));
  const fh = Math.min(ch, 2 * Math.round((ih * scale) / 2));
  ctx.drawImage(image, Math.floor((cw - fw) / 2), Math.floor((ch - fh) / 2), fw, fh);
  return canvas;
}

/** Reflect-101 index into 0..n-1 (OpenCV's default border). @param {number} i @param {number} n */
function reflect(i, n) {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

/**
 * cv2.GaussianBlur(sigma=4) (a 25-tap kernel, reflect-101 border) then the darkening
 * subtraction, in place on the small fill: a canvas blur would fade the edges to transparent.
 * @param {ImageData} image
 */
function blurAndDarken(image) {
  const { width: w, height: h, data } = image;
  const radius = 12;
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * BLUR_SIGMA ** 2)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  const weights = kernel.map((k) => k / sum);
  const tmp = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += weights[k + radius] * data[(y * w + reflect(x + k, w)) * 4 + c];
        tmp[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += weights[k + radius] * tmp[(reflect(y + k, h) * w + x) * 3 + c];
        data[(y * w + x) * 4 + c] = Math.max(0, Math.round(acc) - FILL_SHIFT);
      }
    }
  }
}
