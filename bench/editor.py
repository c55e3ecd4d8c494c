"""The editor benchmark (`make bench-editor`): frame times in the browser while a person drags a
clip, scrubs the ruler and plays the preview, with 50 photos in the library and 30 clips on the
timeline, against the idle frame times of the same page in the same run (the baseline).

    python bench/editor.py            # the full run (about two minutes on two cores)

Frame times are requestAnimationFrame intervals recorded in the page, plus the long animation
frames Chromium reports (work that held a frame past 50 ms). Results go to stdout and
bench/out/editor.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from examples.make_media import draw_photo  # noqa: E402
from shared.adapters.clients import GoogleClients  # noqa: E402
from shared.auth.service import add_user  # noqa: E402
from shared.auth.users import FirestoreUserStore  # noqa: E402
from shared.cli.dev import start_local  # noqa: E402
from shared.localstack import StackConfig  # noqa: E402
from shared.localstack.api_client import ApiClient  # noqa: E402

OUT = REPO / "bench" / "out"
PHOTOS, CLIPS = 50, 30
FRAME_MS = 1000 / 60
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip

RECORDER = """() => {
  window.__frames = []; window.__loaf = [];
  const tick = (t) => { window.__frames.push(t); window.__raf = requestAnimationFrame(tick); };
  window.__raf = requestAnimationFrame(tick);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__loaf.push(e.duration);
    }).observe({ type: "long-animation-frame", buffered: false });
  } catch (e) { /* older Chromium: no LoAF */ }
}"""
COLLECT = """() => {
  cancelAnimationFrame(window.__raf);
  const f = window.__frames; const d = [];
  for (let i = 1; i < f.length; i++) d.push(f[i] - f[i - 1]);
  return { intervals: d, loaf: window.__loaf };
}"""


def _stats(intervals: list[float], loaf: list[float]) -> dict[str, float]:
    ordered = sorted(intervals) or [0.0]
    return {
        "frames": len(intervals),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
        "over_one_frame": round(
            sum(d > FRAME_MS * 1.5 for d in intervals) / max(1, len(intervals)), 3
        ),
        "long_frames": len(loaf),
    }


def _measure(page: Page, action: Any) -> dict[str, float]:
    page.evaluate(RECORDER)
    action()
    found = page.evaluate(COLLECT)
    return _stats(found["intervals"], found["loaf"])


def _setup(api: ApiClient, tmp: Path) -> None:
    sources = []
    for i in range(PHOTOS):
        path = tmp / f"photo-{i:02d}.jpg"
        draw_photo(i, 1600, 1200).save(path, quality=88)
        sources.append(api.upload(path)["source"])
    clips = [
        {"kind": "photo", "source": sources[i % PHOTOS], "duration_ms": 3000,
         "transition": {"type": "fade" if i % 2 else "cut", "duration_ms": 500 if i % 2 else 0}}
        for i in range(CLIPS)
    ]  # fmt: skip
    project = api.call("POST", "/api/projects", json={"name": "bench"}, expect=201)["project"]
    draft = {"name": "bench", "brand_name": "Bench Bakery", "script": "", "voice_id": None,
             "music": {"prompt": "", "volume": 0.6, "duck": True},
             "timeline": {"schema_version": 1, "kind": "long_form", "video": clips}}  # fmt: skip
    api.call("PUT", f"/api/projects/{project['project_id']}",
             json={"revision": project["revision"], "draft": draft})  # fmt: skip


def _paced_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A hand's drag: pointer events at about 60 Hz over a second."""
    page.mouse.move(*start)
    page.mouse.down()
    for i in range(1, 61):
        t = i / 60
        page.mouse.move(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
        page.wait_for_timeout(FRAME_MS)
    page.mouse.up()


def run(tmp: Path) -> dict[str, Any]:
    stack, gateway = start_local(StackConfig(), gateway_port=0)
    with stack:
        assert gateway is not None
        os.environ.update(stack.env)
        name, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(18)
        clients = GoogleClients(stack.settings)
        add_user(FirestoreUserStore(clients.firestore), name, password, datetime.now(UTC))
        api = ApiClient(gateway.url)
        api.login(name, password)
        started = time.monotonic()
        _setup(api, tmp)
        took = time.monotonic() - started
        print(f"uploaded {PHOTOS} photos and saved a {CLIPS}-clip draft in {took:.0f} s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, base_url=gateway.url)
            page.goto("/")
            page.get_by_label("Name", exact=True).fill(name)
            page.get_by_label("Password", exact=True).fill(password)
            page.get_by_role("button", name="Sign in", exact=True).click()
            clips = page.get_by_role("region", name="Video track").locator(".clip")
            clips.nth(CLIPS - 1).wait_for()
            # Thumbnails, the first frame, and every clip's cover made in idle time: what a person
            # sees settle in the first seconds after opening a draft.
            page.wait_for_function(
                "() => window.createStudio.editor?.preview.frames.warm_done", timeout=60_000
            )
            page.wait_for_timeout(500)
            results = {"idle": _measure(page, lambda: page.wait_for_timeout(1000))}
            first = clips.nth(2).bounding_box()
            last = clips.nth(12).bounding_box()
            assert first and last
            y = first["y"] + first["height"] / 2
            results["drag_clip"] = _measure(
                page,
                lambda: _paced_drag(
                    page, (first["x"] + first["width"] / 2, y), (last["x"] + last["width"] / 2, y)
                ),
            )
            ruler = page.get_by_role("slider", name="Timeline position").bounding_box()
            assert ruler
            ry = ruler["y"] + ruler["height"] / 2
            results["scrub"] = _measure(
                page,
                lambda: _paced_drag(
                    page, (ruler["x"] + 20, ry), (ruler["x"] + ruler["width"] * 0.8, ry)
                ),
            )
            page.get_by_role("button", name="Play", exact=True).click()
            results["play"] = _measure(page, lambda: page.wait_for_timeout(2000))
            browser.close()
    idle = results["idle"]["p95_ms"] or FRAME_MS
    for key in ("drag_clip", "scrub", "play"):
        results[key]["p95_vs_idle"] = round(results[key]["p95_ms"] / idle, 2)
    return {"photos": PHOTOS, "clips": CLIPS, "viewport": "1920x1080", "results": results}


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report = run(Path(tmp))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "editor.json").write_text(json.dumps(report, indent=2))
    heads = ("frames", "p50 ms", "p95 ms", "max ms", ">1.5 frames", "long", "p95/idle")
    print(f"{'gesture':10} " + " ".join(f"{h:>11}" for h in heads))
    for key, r in report["results"].items():
        values = (r["frames"], r["p50_ms"], r["p95_ms"], r["max_ms"], r["over_one_frame"],
                  r["long_frames"], r.get("p95_vs_idle", 1.0))  # fmt: skip
        print(f"{key:10} " + " ".join(f"{v:>11}" for v in values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
