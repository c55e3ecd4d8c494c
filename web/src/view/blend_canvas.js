// Transitions between two clip frames, with xfade's geometry (shared/render/draw/blends.py): its
// progress p runs from 1 (all outgoing) to 0; wipes reveal and slides push by int(size * p).
// The shapes and dissolve's noise are drawn as their nearest simple kin (noted in docs/editor.md).

/**
 * @param {CanvasRenderingContext2D} ctx destination
 * @param {string} type the transition into ``b``
 * @param {CanvasImageSource} a outgoing frame
 * @param {CanvasImageSource} b incoming frame
 * @param {number} mix share of the incoming clip, 0..1 (step / steps)
 * @param {number} w @param {number} h
 */
export function blend(ctx, type, a, b, mix, w, h) {
  const p = 1 - mix;
  const cut = (/** @type {number} */ size, /** @type {number} */ f) => Math.trunc(size * f);
  ctx.save();
  switch (type) {
    case "wipeleft": case "smoothleft": {
      const edge = cut(w, p) + 1; // columns right of the edge show b
      ctx.drawImage(a, 0, 0);
      ctx.drawImage(b, edge, 0, w - edge, h, edge, 0, w - edge, h);
      break;
    }
    case "wiperight": case "smoothright": {
      const edge = cut(w, 1 - p) + 1;
      ctx.drawImage(a, 0, 0);
      ctx.drawImage(b, 0, 0, edge, h, 0, 0, edge, h);
      break;
    }
    case "wipeup": {
      const edge = cut(h, p) + 1;
      ctx.drawImage(a, 0, 0);
      ctx.drawImage(b, 0, edge, w, h - edge, 0, edge, w, h - edge);
      break;
    }
    case "wipedown": {
      const edge = cut(h, 1 - p) + 1;
      ctx.drawImage(a, 0, 0);
      ctx.drawImage(b, 0, 0, w, edge, 0, 0, w, edge);
      break;
    }
    case "slideleft": { const m = cut(w, p); ctx.drawImage(a, m - w, 0); ctx.drawImage(b, m, 0); break; }
    case "slideright": { const s = cut(w, p); ctx.drawImage(b, -s, 0); ctx.drawImage(a, w - s, 0); break; }
    case "slideup": { const m = cut(h, p); ctx.drawImage(a, 0, m - h); ctx.drawImage(b, 0, m); break; }
    case "slidedown": { const s = cut(h, p); ctx.drawImage(b, 0, -s); ctx.drawImage(a, 0, h - s); break; }
    case "fadeblack": case "fadewhite": {
      ctx.fillStyle = type === "fadeblack" ? "#000" : "#fff";
      ctx.fillRect(0, 0, w, h);
      ctx.globalAlpha = mix < 0.5 ? 1 - 2 * mix : 2 * mix - 1;
      ctx.drawImage(mix < 0.5 ? a : b, 0, 0);
      break;
    }
    case "circleopen": case "circleclose": {
      ctx.drawImage(type === "circleopen" ? a : b, 0, 0);
      const r = Math.hypot(w, h) / 2 * (type === "circleopen" ? mix : 1 - mix);
      ctx.beginPath();
      ctx.arc(w / 2, h / 2, r, 0, Math.PI * 2);
      ctx.clip();
      ctx.drawImage(type === "circleopen" ? b : a, 0, 0);
      break;
    }
    default: { // fade, dissolve, radial, zoomin: a cross-fade
      ctx.drawImage(a, 0, 0);
      ctx.globalAlpha = mix;
      ctx.drawImage(b, 0, 0);
    }
  }
  ctx.restore();
}
