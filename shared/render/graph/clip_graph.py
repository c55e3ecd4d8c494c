"""One filter chain per clip: fitted to the frame, moved (Ken Burns) or fps-converted, exactly
``frames`` frames at the output rate, yuv420p, pts 0..frames-1 in a 1/fps time base."""

from __future__ import annotations

from shared.render.graph import kenburns
from shared.render.graph.escape import escape_filter_arg
from shared.render.graph.plan import InputSpec, MediaInfo
from shared.timeline import Fit, PhotoClip, VideoClip

BLUR_DOWNSCALE = 8  # the fill is blurred at 1/8 size: strong blur for little work
BLUR_SIGMA = 4
FILL_BRIGHTNESS = -0.12
MAX_LOWRES = 3  # JPEG decoders can scale by 1/2, 1/4, 1/8 while decoding
# An input option applies to the next -i only: every input gets its own whitelist, so no media
# file (a playlist in disguise) can make FFmpeg open anything but local files.


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def fit_chain(fit: Fit, width: int, height: int, label: str) -> str:
    """Filters turning the picture into exactly width x height, limited-range yuv420p.

    ``crop`` covers the frame; ``blur`` shows the whole picture over a blurred, darkened fill
    made from itself (never stretched, never black bars). ``label`` names the chain's
    intermediate pads (unique per clip).
    """
    to_tv = "out_range=tv:flags=bicubic"
    if fit is Fit.CROP:
        # Crop first (a view, no copy) so that the scaler writes only the frame's own pixels.
        crop_w = escape_filter_arg(f"min(iw,ih*{width}/{height})")
        crop_h = escape_filter_arg(f"min(ih,iw*{height}/{width})")
        return f"crop=w={crop_w}:h={crop_h},scale={width}:{height}:{to_tv},format=yuv420p"
    sw, sh = _even(width / BLUR_DOWNSCALE), _even(height / BLUR_DOWNSCALE)
    return (
        f"split=2[{label}b][{label}f];"
        f"[{label}b]scale={sw}:{sh}:force_original_aspect_ratio=increase:{to_tv},crop={sw}:{sh},"
        f"gblur=sigma={BLUR_SIGMA},eq=brightness={FILL_BRIGHTNESS},"
        f"scale={width}:{height}:flags=bicubic,format=yuv420p[{label}g];"
        f"[{label}f]scale={width}:{height}:force_original_aspect_ratio=decrease:{to_tv},"
        f"format=yuv420p[{label}p];"
        f"[{label}g][{label}p]overlay=x=(W-w)/2:y=(H-h)/2:format=yuv420,format=yuv420p"
    )


def _frames_out(fps: int) -> str:
    return f"setsar=1,settb=1/{fps},setpts=N"


def photo_lowres(media: MediaInfo, fit: Fit, need_w: int, need_h: int) -> int:
    """How far a JPEG may be scaled down while decoding and still cover what the fit needs."""
    if media.container not in ("", "image2") or not media.path.lower().endswith((".jpg", ".jpeg")):
        return 0
    if not media.width or not media.height:
        return 0
    ratios = (need_w / media.width, need_h / media.height)
    scale = max(ratios) if fit is Fit.CROP else min(ratios)
    k = 0
    while k < MAX_LOWRES and scale * 2 ** (k + 1) <= 1:
        k += 1
    return k


def photo_input(clip: PhotoClip, media: MediaInfo, width: int, height: int, fps: int) -> InputSpec:
    path = kenburns.resolve(clip.kenburns)
    factor = kenburns.PRESCALE if path else 1
    lowres = photo_lowres(media, clip.fit, round(factor * width), round(factor * height))
    # image2 would read a '%' in a file name as a sequence pattern: pattern_type none. Its
    # frame rate (25 by default) is the still's link rate: xfade refuses a mismatch with its
    # neighbour, and a raw-frame output would drop frames to fit it.
    options: tuple[str, ...] = ("-f", media.container or "image2")
    if media.container in ("", "image2"):
        options += ("-pattern_type", "none", "-framerate", str(fps))
    if lowres:
        options += ("-lowres", str(lowres))
    return InputSpec(media.path, options)


def photo_chain(
    clip: PhotoClip, index: int, input_index: int, frames: int, size: tuple[int, int], fps: int
) -> str:
    """A still, fitted once (its input is one frame), then moved per frame or held."""
    width, height = size
    tag = f"p{index}"
    path = kenburns.resolve(clip.kenburns)
    src = f"[{input_index}:v]"
    if path is None:
        return (
            f"{src}{fit_chain(clip.fit, width, height, tag)},"
            f"loop=loop={frames - 1}:size=1:start=0,{_frames_out(fps)}[v{index}]"
        )
    pw, ph = _even(kenburns.PRESCALE * width), _even(kenburns.PRESCALE * height)
    z, x, y = (escape_filter_arg(e) for e in kenburns.zoompan_exprs(path, frames))
    zp = f"zoompan=z={z}:x={x}:y={y}:d={frames}:fps={fps}"
    # One zoompan per plane: on yuv420p zoompan rounds x/y down to the 2-px chroma grid.
    return (
        f"{src}{fit_chain(clip.fit, pw, ph, tag)},extractplanes=y+u+v[{tag}y][{tag}u][{tag}v];"
        f"[{tag}y]{zp}:s={width}x{height}[{tag}Y];"
        f"[{tag}u]{zp}:s={width // 2}x{height // 2}[{tag}U];"
        f"[{tag}v]{zp}:s={width // 2}x{height // 2}[{tag}V];"
        f"[{tag}Y][{tag}U][{tag}V]mergeplanes=map1s=1:map2s=2:format=yuv420p,"
        f"{_frames_out(fps)}[v{index}]"
    )


def video_input(clip: VideoClip, media: MediaInfo, frames: int, fps: int) -> InputSpec:
    # Input seek: only the used part is decoded. One spare frame; trim makes the count exact.
    options: tuple[str, ...] = (
        "-ss",
        f"{clip.trim_start_ms / 1000:.3f}",
        "-t",
        f"{(frames + 1) / fps:.6f}",
    )
    if media.container:
        options += ("-f", media.container)
    return InputSpec(media.path, options)


def video_chain(
    clip: VideoClip, index: int, input_index: int, frames: int, size: tuple[int, int], fps: int
) -> str:
    """A video clip: fps-converted, fitted per frame, padded with its last frame if short."""
    width, height = size
    return (
        f"[{input_index}:v]fps={fps},{fit_chain(clip.fit, width, height, f'm{index}')},"
        f"tpad=stop_mode=clone:stop={frames},trim=end_frame={frames},{_frames_out(fps)}[v{index}]"
    )
