"""The workshop deck builds: reveal.js slides and a static HTML page of notebooks/05_workshop.ipynb.

Each build runs what docs/notebooks.md documents (``make slides``, i.e.
``alignment.present.slides.build_slides``: ``jupyter nbconvert --to slides --execute ...``
with reveal.js vendored beside the slides; and ``--to html``) into ``tmp_path``,
executing the notebook on the bundled data, then checks the produced page: every chart
cell (tag ``chart``) gave exactly one embedded PNG, every heading is there, no code and
no warnings are shown, and the slides load reveal.js from the local copy.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "notebooks" / "05_workshop.ipynb"
#: The options of the documented commands (docs/notebooks.md).
OPTIONS = ["--execute", "--no-prompt", "--TagRemovePreprocessor.remove_input_tags=remove_input"]
IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"data:image/png;base64,")


def _cells() -> list[dict]:
    return json.loads(DECK.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _build(to: str, out: Path, extra: list[str]) -> str:
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", to, *OPTIONS, *extra,
               "--ExecutePreprocessor.timeout=600", "--output-dir", str(out), str(DECK)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr[-4000:]}"
    suffix = ".slides.html" if to == "slides" else ".html"
    return (out / f"{DECK.stem}{suffix}").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def slides_path(tmp_path_factory) -> Path:
    from alignment.present.slides import build_slides

    return build_slides(DECK, tmp_path_factory.mktemp("slides"))


@pytest.fixture(scope="module")
def slides(slides_path) -> str:
    return slides_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    return _build("html", tmp_path_factory.mktemp("html"), [])


def _chart_cells() -> list[dict]:
    return [c for c in _cells() if "chart" in c.get("metadata", {}).get("tags", [])]


def _headings() -> list[str]:
    found = []
    for cell in _cells():
        if cell["cell_type"] == "markdown":
            found += [line.lstrip("#").strip() for line in _source(cell).splitlines() if line.startswith("#")]
    return found


def test_the_deck_is_marked_up_for_slides():
    cells = _cells()
    assert all("slideshow" in c.get("metadata", {}) for c in cells), "every cell needs a slide_type"
    assert sum(c["metadata"]["slideshow"]["slide_type"] == "slide" for c in cells) >= 6
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all("remove_input" in c["metadata"].get("tags", []) for c in code), "the deck shows charts, not code"
    setup = [c for c in code if "import " in _source(c)]
    assert setup and all(c["metadata"]["slideshow"]["slide_type"] == "skip" for c in setup)
    assert len(_chart_cells()) >= 5


@pytest.mark.parametrize("build", ["slides", "page"])
def test_every_chart_is_in_the_build(build, request):
    text = request.getfixturevalue(build)
    assert len(IMAGE.findall(text)) == len(_chart_cells()), "one PNG per chart cell (none missing, none twice)"


@pytest.mark.parametrize("build", ["slides", "page"])
def test_every_heading_is_in_the_build(build, request):
    text = html.unescape(request.getfixturevalue(build))
    missing = [h for h in _headings() if h not in text]
    assert not missing, f"headings missing from the {build}: {missing}"
    assert "What alignment is" in _headings() and "What to do next" in _headings()


@pytest.mark.parametrize("build", ["slides", "page"])
def test_no_code_and_no_warnings_are_shown(build, request):
    text = request.getfixturevalue(build)
    assert "hl-ipython3" not in text, "a code cell's input is shown"
    for cell in _cells():
        if cell["cell_type"] == "code":
            last = _source(cell).splitlines()[-1].strip()
            assert len(last) < 12 or html.escape(last) not in text, f"code shown: {last}"
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text, "a warning or error is printed on the deck"


def test_executed_slides_need_no_internet_for_reveal_js(slides_path):
    from test_slides_offline import check_offline

    check_offline(slides_path)


def test_slides_are_reveal_slides(slides):
    assert "Reveal.initialize" in slides
    n_slides = sum(c["metadata"]["slideshow"]["slide_type"] in ("slide", "subslide") for c in _cells())
    assert slides.count("<section") >= n_slides
