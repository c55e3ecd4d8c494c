"""What the browser tests do to a page: sign in, drop files from the desktop, screenshots, axe,
and Firestore as the page's own user sees it."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from playwright.sync_api import Locator, Page, ViewportSize, expect

from examples.make_media import draw_photo
from shared.auth.sessions import COLLECTION as SESSIONS
from shared.localstack.api_client import CONTENT_TYPES
from tests.integration.http_helpers import PASSWORD

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "out" / "screenshots"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = ViewportSize(width=1366, height=768)
SCREEN_SIZES = (DESKTOP, ViewportSize(width=1920, height=1080))
BLOCKING_IMPACTS = ("serious", "critical")


def sign_in(page: Page, name: str, password: str = PASSWORD) -> int:
    """Fill "Name" and "Password" and press "Sign in" (whatever screen shows them); the HTTP
    status the login request got, once it came back."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_response(lambda r: urlparse(r.url).path == "/api/auth/login") as answer:
        page.get_by_role("button", name="Sign in", exact=True).click()
    return answer.value.status


def open_editor(page: Page, name: str, password: str = PASSWORD) -> None:
    """Load /, sign in, and wait for the editor (its "Sign out" button)."""
    page.goto("/")
    status = sign_in(page, name, password)
    assert status == 200, f"signing in as {name} answered HTTP {status}"
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def region(page: Page, name: str) -> Locator:
    """A landmark region by its accessible name ("Media library", "Video track", "Jobs"...)."""
    return page.get_by_role("region", name=name, exact=True)


def format_switch(page: Page) -> Locator:
    """The "Format" group of radio buttons (a radiogroup is a kind of group)."""
    return page.get_by_role("radiogroup", name="Format", exact=True).or_(
        page.get_by_role("group", name="Format", exact=True)
    )


def choose_format(page: Page, aspect: str) -> Locator:
    """Click the "Format" choice showing ``aspect`` (the words a person clicks, whether or not
    the radio itself is drawn); the radio button, for assertions."""
    formats = format_switch(page)
    formats.get_by_text(aspect, exact=True).click()
    return formats.get_by_role("radio", name=aspect, exact=True)


def library_item(page: Page, filename: str) -> Locator:
    """A ready item of the media library: the draggable list item named by its file's name
    (an upload's own row, named the same, is not draggable)."""
    named = region(page, "Media library").get_by_role("listitem", name=filename, exact=True)
    return named.and_(page.locator("[draggable=true]"))


def pointer_drag(
    page: Page, source: Locator, target: Locator, at: tuple[float, float] | None = None
) -> None:
    """Press on ``source``, move in steps to ``target`` (``at`` from its top left, else its
    centre) and release: what a hand does, for pointer-driven and HTML5 drags alike."""
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None and end is not None, "drag source or target is not visible"
    x, y = at if at is not None else (end["width"] / 2, end["height"] / 2)
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + x, end["y"] + y, steps=12)
    page.mouse.up()


def screenshot(page: Page, name: str) -> list[Path]:
    """out/screenshots/<name>-<w>x<h>.png at 1366x768 and 1920x1080; the page is left at
    1366x768."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for size in SCREEN_SIZES:
        page.set_viewport_size(size)
        _next_frame(page)
        path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path))
        saved.append(path)
    page.set_viewport_size(DESKTOP)
    _next_frame(page)
    return saved


def _next_frame(page: Page) -> None:
    """Wait until the page has laid out and painted twice (after a resize)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def axe_check(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is; fail on any serious or critical violation, listing
    each (rule, impact, what to fix, the elements). Returns every violation found."""
    if not AXE.is_file():
        raise AssertionError(
            f"axe-core is missing ({AXE.relative_to(REPO)}): install the editor's npm packages "
            "(`npm ci` in web/, which the project's setup runs)"
        )
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text())
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = found["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(map(describe_violation, blocking))
    return violations


def describe_violation(violation: dict[str, Any]) -> str:
    nodes = violation.get("nodes", [])
    lines = [f"- {violation['impact']}: {violation['id']}: {violation['help']} ({len(nodes)} x)"]
    for node in nodes[:5]:
        summary = " ".join(str(node.get("failureSummary", "")).split())
        lines.append(f"    {' '.join(map(str, node.get('target', [])))}: {summary}")
    return "\n".join(lines)


_OBSERVE = """
(root, {selector, key}) => {
  // name (aria-label, else a number per element) -> the values it showed, in order. By name:
  // a view that redraws makes a new element for the same bar.
  const seen = new Map();
  const ids = new WeakMap();
  let unnamed = 0;
  const nameOf = el => {
    if (el.hasAttribute("aria-label")) return el.getAttribute("aria-label");
    if (!ids.has(el)) ids.set(el, `#${++unnamed}`);
    return ids.get(el);
  };
  const value = el =>
    el.getAttribute("aria-valuenow") ?? (el.value === undefined ? null : String(el.value));
  const scan = () => root.querySelectorAll(selector).forEach(el => {
    const name = nameOf(el);
    const shown = seen.get(name) ?? [];
    const now = value(el);
    if (shown.length === 0 || shown[shown.length - 1] !== now) shown.push(now);
    seen.set(name, shown);
  });
  scan();
  new MutationObserver(scan).observe(root, {subtree: true, childList: true, attributes: true});
  (window.__observed ??= {})[key] = seen;
}
"""


def observe(root: Locator, selector: str, key: str) -> None:
    """From now on, remember every element matching ``selector`` that appears inside ``root``
    (by its aria-label) and the values (aria-valuenow, else value) it shows; see ``observed``."""
    root.evaluate(_OBSERVE, {"selector": selector, "key": key})


def observed(page: Page, key: str) -> dict[str, list[str | None]]:
    """What ``observe(..., key)`` saw: each element's name -> its values, in order."""
    values: dict[str, list[str | None]] = page.evaluate(
        "key => Object.fromEntries(window.__observed[key])", key
    )
    return values


PROGRESS = "[role=progressbar], progress"


def photo_files(
    folder: Path, count: int, size: tuple[int, int] = (960, 540), prefix: str = "photo"
) -> list[Path]:
    """``count`` photo-like JPEGs, ``<prefix>-1.jpg``...: what a person would drop."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        path = folder / f"{prefix}-{n}.jpg"
        draw_photo(n, *size).save(path, "JPEG", quality=85)
        paths.append(path)
    return paths


def bad_photo_files(folder: Path) -> list[Path]:
    """Two photos the server must refuse: text named .jpg, and a real JPEG cut in half."""
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "notes.jpg"
    text.write_text("Shopping list: flour, yeast, salt.\n")
    whole = photo_files(folder / "whole", 1)[0].read_bytes()
    cut = folder / "half.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    return [text, cut]


_DROP = """
(target, {files, offset}) => {
  const data = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
    data.items.add(new File([bytes], f.name, {type: f.type, lastModified: Date.now()}));
  }
  const box = target.getBoundingClientRect();
  const [x, y] = offset ? offset : [box.width / 2, box.height / 2];
  const at = {clientX: box.left + x, clientY: box.top + y};
  const fire = type => target.dispatchEvent(new DragEvent(type, {
    bubbles: true, cancelable: true, composed: true, dataTransfer: data, ...at}));
  fire("dragenter");
  fire("dragover");
  return !fire("drop");  // dispatchEvent is false when a handler called preventDefault
}
"""


def drop_files(
    target: Locator, files: Sequence[Path], offset: tuple[float, float] | None = None
) -> None:
    """Drop ``files`` on ``target`` as a drag from the desktop does: File objects made in the
    page from the bytes, dragenter/dragover/drop with one DataTransfer (at ``offset`` from the
    element's top left, else its centre). Fails if no handler took the drop."""
    payload = [
        {
            "name": path.name,
            "type": CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
            "data": base64.b64encode(path.read_bytes()).decode(),
        }
        for path in files
    ]
    taken = target.evaluate(_DROP, {"files": payload, "offset": offset})
    assert taken, f"nothing on the page took the drop of {[p.name for p in files]} (no handler)"


_FIRESTORE = """
async ({method, path, body}) => {
  const me = await fetch("/api/auth/me");
  if (!me.ok) return {status: 0, text: `GET /api/auth/me answered ${me.status}`};
  const access = (await me.json()).firestore;
  const url = `http://${access.emulator_host}/v1/projects/${access.project}` +
    `/databases/(default)/documents${path}`;
  const answer = await fetch(url, {
    method, body: body === null ? undefined : JSON.stringify(body),
    headers: {Authorization: `Bearer ${access.token}`, "Content-Type": "application/json"},
  });
  return {status: answer.status, text: await answer.text()};
}
"""


def firestore_as_page(
    page: Page, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, str]:
    """Call the Firestore emulator's REST API from the page, with the Firestore token of the
    page's signed-in user (GET /api/auth/me), so the rules decide; (HTTP status, body).
    ``path`` follows ``.../documents``: ``"/jobs/abc"`` or ``":runQuery"``."""
    answer = page.evaluate(_FIRESTORE, {"method": method, "path": path, "body": body})
    return int(answer["status"]), str(answer["text"])


def owned_by_query(collection: str, uid: str) -> dict[str, Any]:
    """A runQuery body: ``collection`` where uid == ``uid`` (the only shape the rules answer)."""
    where = {"field": {"fieldPath": "uid"}, "op": "EQUAL", "value": {"stringValue": uid}}
    return {
        "structuredQuery": {"from": [{"collectionId": collection}], "where": {"fieldFilter": where}}
    }


def end_sessions(db: firestore.Client, uid: str) -> int:
    """Delete every server-side session of ``uid`` (what expiry does); how many there were."""
    found = list(db.collection(SESSIONS).where(filter=FieldFilter("uid", "==", uid)).stream())
    for snapshot in found:
        snapshot.reference.delete()
    return len(found)


def documents_of(db: firestore.Client, collection: str, uid: str) -> list[dict[str, Any]]:
    """``uid``'s documents in ``collection``, read as the admin (rules bypassed)."""
    query = db.collection(collection).where(filter=FieldFilter("uid", "==", uid))
    return [snapshot.to_dict() or {} for snapshot in query.stream()]
