"""The CUDA paths, checked in one short run on a GPU box (CI never has one).

    python bench/gpu_check.py prepare              # here: the segment's photos and timeline
    python bench/gpu_check.py run --out FILE.json  # on the GPU box (and here, for the CPU side)

What ``run`` reports, each part on its own so one failure does not hide the rest:
    environment  the GPU (nvidia-smi), torch and its CUDA
    encoder      what a GPU box announces (gpu_subscriber.capabilities.detect): CUDA, VRAM and
                 whether a real NVENC encode works, and why not
    sdxl, wan-t2v, wan-i2v, musicgen
                 tiny random-weight models (tests/*_tiny.py, saved and loaded through
                 from_pretrained) run by the production loaders on the CPU (float32) and on CUDA
                 (half precision, as production loads them, then the same pipeline in float32):
                 load and run times, CUDA peak memory, and how far apart the outputs are (PSNR
                 for pictures, the largest logit difference for MusicGen, whose audio is sampled)

On a GPU box without the project's virtual environment, install the wheels named by
docs/performance.md ("On a GPU box") first, with IMAGEIO_FFMPEG_EXE naming the FFmpeg.
    segment      one 20 s 1080p final long-form segment (shared/render/run/distributed.py) encoded
                 with x264 at 1, 4 and all threads: wall time, its content key, and the MD5 of
                 its decoded frames (equal on every worker, or a re-used segment differs from
                 the one a fresh render makes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "bench" / "out" / "gpu"
SEGMENT_PHOTOS, CLIP_MS = 4, 5000  # 20 s: long enough to time, short enough for the lease
PROMPT = "a red shoe on white background product shot"


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else round(10 * np.log10(255.0**2 / mse), 2)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - started, 3)


def devices() -> tuple[str, ...]:
    """The CPU, then CUDA where there is one (so the run also works, CPU only, off a GPU box)."""
    import torch

    return ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)


def cuda_peak_mib() -> float:
    import torch

    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


def environment() -> dict[str, Any]:
    import torch

    try:
        gpu = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    except OSError:
        gpu = None
    return {
        "python": platform.python_version(), "cpus": os.cpu_count(), "torch": torch.__version__,
        "torch_cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available(),
        "gpu": gpu,
    }  # fmt: skip


def encoder() -> dict[str, Any]:
    import imageio_ffmpeg

    from gpu_subscriber.capabilities import detect
    from shared.render.run.encoders import choose_encoder, probe_nvenc
    from shared.timeline.model import Quality

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    listed = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True,
                            text=True, check=False).stdout  # fmt: skip
    caps = detect()
    return {
        "ffmpeg": Path(ffmpeg).name, "lists_h264_nvenc": "h264_nvenc" in listed,
        "cuda": caps.cuda, "gpu_name": caps.gpu_name, "vram_mb": caps.vram_mb,
        "nvenc": caps.nvenc, "why_no_nvenc": probe_nvenc(ffmpeg),
        "chosen": choose_encoder(Quality.FINAL, ffmpeg).codec,
    }  # fmt: skip


def on_both(load: Callable[[str], Any], run: Callable[[Any], np.ndarray]) -> dict[str, Any]:
    """Load and run on the CPU, then on CUDA; the outputs and the times of each."""
    import torch

    found: dict[str, Any] = {}
    outputs = {}
    for device in devices():
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        pipe, load_s = timed(lambda device=device: load(device))
        run(pipe)  # warm-up: the first CUDA call compiles kernels
        out, run_s = timed(lambda pipe=pipe: run(pipe))
        outputs[device] = out
        found[device] = {"load_s": load_s, "run_s": run_s, "finite": bool(np.isfinite(out).all())}
        if device == "cuda":
            found[device]["peak_mib"] = cuda_peak_mib()
            # The same pipeline in float32 on CUDA: what differs from the CPU's output beyond
            # this tells the device from the precision.
            outputs["cuda_fp32"] = run(pipe.to(torch.float32))
        del pipe
    found["shape"] = list(outputs["cpu"].shape)
    if "cuda" in outputs:
        found["cpu_vs_cuda_psnr_db"] = psnr(outputs["cpu"], outputs["cuda"])
        found["cpu_vs_cuda_fp32_psnr_db"] = psnr(outputs["cpu"], outputs["cuda_fp32"])
    return found


def sdxl(models: Path) -> dict[str, Any]:
    from shared.ai.sdxl import load_sdxl, sdxl_image
    from tests.imagery_tiny import save_tiny_sdxl

    folder = save_tiny_sdxl(models / "sdxl")
    return on_both(
        lambda device: load_sdxl(folder, device),
        lambda pipe: np.asarray(sdxl_image(pipe, PROMPT, width=64, height=64, steps=2, seed=3)),
    )


def wan(models: Path, *, image_to_video: bool) -> dict[str, Any]:
    from PIL import Image

    from shared.ai.wan_video import load_wan_i2v, load_wan_t2v, wan_clip
    from tests.imagery_tiny import save_tiny_wan_i2v, save_tiny_wan_t2v

    if image_to_video:
        folder, load = save_tiny_wan_i2v(models / "wan-i2v"), load_wan_i2v
    else:
        folder, load = save_tiny_wan_t2v(models / "wan-t2v"), load_wan_t2v
    still = Image.fromarray(np.linspace(0, 255, 64 * 64 * 3).astype(np.uint8).reshape(64, 64, 3))
    extra = {"image": still} if image_to_video else {}

    def frames(pipe: Any) -> np.ndarray:
        import torch

        result = pipe(
            prompt=PROMPT, height=64, width=64, num_frames=9, num_inference_steps=2,
            generator=torch.Generator(device="cpu").manual_seed(3), output_type="np", **extra,
        )  # fmt: skip
        return np.clip(np.asarray(result.frames[0]) * 255, 0, 255)

    found = on_both(lambda device: load(folder, device), frames)
    # The production call (on CUDA where there is one), through to the MP4 the chain hands on.
    pipe = load(folder, devices()[-1])
    with tempfile.TemporaryDirectory() as tmp:
        out = wan_clip(pipe, PROMPT, Path(tmp) / "clip.mp4", width=64, height=64, frames=9,
                       image=still if image_to_video else None, steps=2, seed=3)  # fmt: skip
        found["mp4"] = {"device": devices()[-1], "bytes": out.stat().st_size}
    return found


def musicgen(models: Path) -> dict[str, Any]:
    import torch

    from shared.ai.musicgen import load_musicgen, musicgen_audio
    from tests.music_tiny import save_tiny_musicgen

    folder = save_tiny_musicgen(models / "musicgen")
    found: dict[str, Any] = {}
    logits = {}
    for device in devices():
        model, load_s = timed(lambda device=device: load_musicgen(folder, device))
        inputs = model.processor(text=[PROMPT], padding=True, return_tensors="pt").to(device)
        codes = torch.full((4, 8), 3, dtype=torch.long, device=device)  # 4 codebooks x 8 steps
        with torch.inference_mode():
            out = model.model(**inputs, decoder_input_ids=codes)
        logits[device] = out.logits.float().cpu().numpy()
        audio, run_s = timed(lambda model=model: musicgen_audio(model, PROMPT, seconds=1.0, seed=3))
        found[device] = {"load_s": load_s, "generate_1s_s": run_s, "rate": model.rate,
                         "samples": int(audio.shape[0]),
                         "finite": bool(np.isfinite(audio).all())}  # fmt: skip
    found["logits_max_abs"] = float(np.abs(logits["cpu"]).max())
    if "cuda" in logits:
        found["logits_max_abs_diff"] = float(np.abs(logits["cpu"] - logits["cuda"]).max())
    return found


def prepare() -> Path:
    """The segment's photos (generated here, carried to the GPU box, so both read the same
    bytes) and its timeline."""
    from examples.make_media import draw_photo

    OUT.mkdir(parents=True, exist_ok=True)
    clips = []
    for i in range(SEGMENT_PHOTOS):
        photo = OUT / f"p{i}.jpg"
        if not photo.exists():
            draw_photo(i + 1, 1920, 1080).save(photo, "JPEG", quality=88)
        clips.append({
            "kind": "photo", "source": str(photo.relative_to(REPO)), "duration_ms": CLIP_MS,
            "kenburns": {"motion": ("zoom_in", "pan_left", "zoom_out", "pan_right")[i]},
            "transition": {"type": "dissolve", "duration_ms": 500},
        })  # fmt: skip
    doc = {
        "kind": "long_form", "format": {"aspect": "16:9", "fps": 30, "quality": "final"},
        "video": clips,
        "texts": [{"role": "title", "text": "Harbor Bakery", "start_ms": 0, "end_ms": 4000}],
    }  # fmt: skip
    path = OUT / "segment.json"
    path.write_text(json.dumps(doc))
    return path


def segment() -> dict[str, Any]:
    from frames import frames_md5

    from shared.render.media.media_resolver import MediaResolver
    from shared.render.run.distributed import prepare_segment, render_segment, segment_encoder
    from shared.timeline.validate import parse_timeline

    timeline = parse_timeline(json.loads((OUT / "segment.json").read_text()))
    frames = timeline.duration_ms * timeline.format.fps // 1000
    found: dict[str, Any] = {"frames": frames}
    for threads in (1, 4, 0):
        enc = segment_encoder(timeline, threads=threads)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            started = time.perf_counter()
            prepared = prepare_segment(timeline, 0, (0, frames), MediaResolver(REPO), work, enc)
            out = render_segment(timeline, prepared, enc, work / "s.mp4", work_dir=work)
            wall = round(time.perf_counter() - started, 2)
            digest = frames_md5(out)
        found[f"threads_{threads or 'all'}"] = {
            "wall_s": wall, "key": prepared.segment.key[:16], "frames_md5": digest,
        }  # fmt: skip
    return found


def run(out: Path, parts: list[str]) -> None:
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp)
        steps: dict[str, Callable[[], dict[str, Any]]] = {
            "environment": environment, "encoder": encoder,
            "sdxl": lambda: sdxl(models), "wan-t2v": lambda: wan(models, image_to_video=False),
            "wan-i2v": lambda: wan(models, image_to_video=True),
            "musicgen": lambda: musicgen(models), "segment": segment,
        }  # fmt: skip
        for name in parts or list(steps):
            started = time.perf_counter()
            try:
                found[name] = steps[name]()
            except Exception as exc:  # one part's failure is a finding, not the end of the run
                found[name] = {"error": f"{type(exc).__name__}: {exc}"[:2000],
                               "trace": traceback.format_exc()[-3000:]}  # fmt: skip
            found[name]["section_s"] = round(time.perf_counter() - started, 1)
            print(json.dumps({name: found[name]}), flush=True)
            out.write_text(json.dumps(found, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare")
    go = sub.add_parser("run")
    go.add_argument("--out", type=Path, required=True)
    go.add_argument("parts", nargs="*")
    args = parser.parse_args()
    if args.command == "prepare":
        print(prepare())
    else:
        run(args.out, args.parts)


if __name__ == "__main__":
    main()
