"""Helpers of the browser tests beyond the WebDriver client of test_browser_pages.

axe-core (the accessibility engine, from npm: ``make axe``) run in the page
shown, full-page screenshots at a chosen width, and downloads into a folder.
Used by test_browser_a11y and test_browser_journeys.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

from test_browser_pages import ARTIFACTS, Browser

AXE_TARGET = "axe"
"""The Makefile target that installs axe-core (npm, pinned) where AXE_JS looks for it."""

AXE_JS = Path(
    os.environ.get("KRB_AXE_JS")
    or Path(__file__).parent.parent / ".cache/axe/node_modules/axe-core/axe.min.js"
)
"""The engine's one-file build; KRB_AXE_JS names another copy."""

AXE_MISSING = f"axe-core is not installed: run `make {AXE_TARGET}` (needs npm)"

SERIOUS = ("serious", "critical")

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error),
                         targets: [], count: 0}]));
"""


def axe_source() -> str | None:
    """The text of axe.min.js, or None when it is not installed."""
    return AXE_JS.read_text(encoding="utf-8") if AXE_JS.is_file() else None


def serious_violations(browser: Browser, axe: str) -> list[str]:
    """axe-core's serious and critical violations on the page shown, one line each.

    The engine is injected through WebDriver (which the page's script policy does
    not govern) and run to the end; each line names the rule, its impact, how many
    elements break it and the first three of them as CSS selectors.
    """
    browser.command("POST", "/execute/sync", {"script": axe + "\n;return true;", "args": []})
    found = browser.command("POST", "/execute/async", {"script": _RUN_AXE, "args": []})
    return [
        f"{v['id']} ({v['impact']}, {v['count']}×): {v['help']} — {', '.join(v['targets'])}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def resize(browser: Browser, width: int, height: int = 1000) -> None:
    browser.command("POST", "/window/rect", {"width": width, "height": height})


def screenshot(browser: Browser, name: str, width: int) -> Path:
    """``tests/artifacts/{name}-{width}.png``, the whole page: the window is stretched first."""
    height = browser.script("window.scrollTo(0, 0); return document.documentElement.scrollHeight")
    resize(browser, width, min(int(height) + 40, 8000))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{width}.png"
    path.write_bytes(base64.b64decode(browser.command("GET", "/screenshot")))
    resize(browser, width)
    return path


def allow_downloads(browser: Browser, folder: Path) -> None:
    """Save what the browser downloads into `folder` (Chrome DevTools, through chromedriver)."""
    browser.command(
        "POST",
        "/goog/cdp/execute",
        {
            "cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": str(folder)},
        },
    )


def downloaded(folder: Path, name: str, timeout: float = 60) -> Path:
    """`folder`/`name` once the browser has finished writing it."""
    path = folder / name
    deadline = time.monotonic() + timeout
    while not path.is_file() or any(folder.glob("*.crdownload")):
        if time.monotonic() > deadline:
            raise AssertionError(f"no download {name} in {sorted(folder.iterdir())}")
        time.sleep(0.1)
    return path
