"""The workshop slides show without the internet: reveal.js, RequireJS and jQuery are
vendored (alignment/present/static/slides/) and the slides point at the copy beside them.

The build here converts notebooks/05_workshop.ipynb as committed (no execution: seconds,
no model); ``tests/test_slides.py`` checks the executed build the same way. The last test
opens the built slides in headless Chromium with every host name unresolvable and checks
that reveal.js started.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from alignment.present import slides

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "notebooks" / "05_workshop.ipynb"
REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#][^"']*)["']|["']([^"']+\.(?:js|css))["']""")
#: What the slides need to run (not MathJax or mermaid, which the deck does not use).
NEEDED = ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css", "reveal.js/plugin/notes/notes.js",
          "requirejs/require.js", "jquery/jquery.min.js")


def references(page: str) -> list[str]:
    """Every URL the page loads (src, href, and the .js/.css names RequireJS loads)."""
    return sorted({a or b for a, b in REFERENCE.findall(page)})


def check_offline(html_path: Path) -> None:
    """No reveal.js/RequireJS/jQuery from the internet; every local reference exists."""
    page = html_path.read_text(encoding="utf-8")
    refs = references(page)
    remote = [r for r in refs if urlsplit(r).scheme in ("http", "https") or r.startswith("//")]
    assert not [r for r in remote if re.search(r"reveal|require|jquery", r, re.I)], remote
    local = [r for r in refs if r not in remote and not urlsplit(r).scheme]
    for needed in NEEDED:
        assert any(r.endswith(needed) for r in local), f"the slides do not load {needed} locally"
    missing = [r for r in local if not (html_path.parent / r).is_file()]
    assert not missing, f"referenced but not beside the slides: {missing}"
    theme = re.search(r'href="([^"]+/dist/theme/([a-z-]+)\.css)"', page)
    assert theme and theme.group(2) == "white"
    css = (html_path.parent / theme.group(1)).read_text(encoding="utf-8")
    imports = re.findall(r"@import url\(([^)]+)\)", css)
    assert imports and not [i for i in imports if urlsplit(i).scheme]  # the theme's font is local too
    for font in imports:
        assert (html_path.parent / theme.group(1)).parent.joinpath(font).is_file()


def test_the_vendored_files_are_pinned_small_and_licensed():
    static = slides.STATIC_DIR
    for needed in NEEDED:
        assert (static / needed).is_file(), needed
    assert "@license RequireJS 2.3.8" in (static / "requirejs/require.js").read_text(encoding="utf-8")[:200]
    assert "jQuery v3.7.1" in (static / "jquery/jquery.min.js").read_text(encoding="utf-8")[:100]
    assert "reveal.js 4.6" in (static / "reveal.js/dist/reveal.js").read_text(encoding="utf-8")[:300]  # 4.6.1 says 4.6.0
    for license_file in ("reveal.js/LICENSE", "jquery/LICENSE.txt", "reveal.js/dist/theme/fonts/source-sans-pro/LICENSE"):
        assert (static / license_file).is_file(), license_file
    size = sum(p.stat().st_size for p in static.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024, f"{size / 1e6:.1f} MB vendored"
    assert not list(static.rglob("*.map")) and not list(static.rglob("*.esm.js"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return slides.build_slides(DECK, tmp_path_factory.mktemp("slides"), execute=False)


def test_slides_load_reveal_js_from_the_copy_beside_them(built):
    assert built.name == "05_workshop.slides.html" and (built.parent / slides.ASSETS).is_dir()
    check_offline(built)
    page = built.read_text(encoding="utf-8")
    assert "Reveal.initialize" in page and "unpkg.com" not in page and "cdnjs.cloudflare.com/ajax/libs/require" not in page


def test_the_folder_travels(built, tmp_path):
    """Copied elsewhere (a USB stick), the slides still find everything."""
    moved = tmp_path / "usb"
    shutil.copytree(built.parent, moved)
    check_offline(moved / built.name)


@pytest.mark.browser
def test_reveal_starts_with_no_network(built):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is missing (apt-get install -y chromium)")
        pytest.skip("needs Debian's chromium")
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000", "--dump-dom",
         built.as_uri()], capture_output=True, text=True, timeout=180)
    dom = result.stdout
    wrapper = re.search(r'<div class="reveal ([^"]*)"', dom)
    assert wrapper and "ready" in wrapper.group(1).split(), "reveal.js did not start offline"
    assert 'class="controls"' in dom and "present" in dom
