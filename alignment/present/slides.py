"""The workshop slides, buildable and showable without the internet.

``build_slides(notebook, output_dir)`` runs the documented ``jupyter nbconvert --to
slides`` command (docs/notebooks.md) with reveal.js, RequireJS and jQuery pointed at the
copies vendored in ``alignment/present/static/slides/`` (pinned npm versions, see its
README) instead of CDNs, and copies them beside the slides as ``slides_assets/``: the
output folder is self-contained (carry it on a USB stick, open the ``.slides.html``).

    python -m alignment.present.slides notebooks/05_workshop.ipynb --output-dir build/slides
    make slides
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

#: The vendored files (reveal.js 4, RequireJS, jQuery) and their licenses.
STATIC_DIR = Path(__file__).resolve().parent / "static" / "slides"
#: Where they go beside the built slides (URLs in the slides are relative to it).
ASSETS = "slides_assets"
#: The deck's options (docs/notebooks.md): no prompts, no code, scrolling long slides;
#: the "white" theme, whose font is vendored too (nbconvert's default, "simple", loads
#: its fonts from Google Fonts).
DECK_OPTIONS = ["--no-prompt", "--TagRemovePreprocessor.remove_input_tags=remove_input",
                "--SlidesExporter.reveal_scroll=True", "--SlidesExporter.reveal_theme=white"]


def local_asset_options(prefix: str = ASSETS) -> list[str]:
    """nbconvert options that make the slides load reveal.js, RequireJS and jQuery from
    ``prefix`` (a URL relative to the slides) instead of CDNs."""
    return [f"--SlidesExporter.reveal_url_prefix={prefix}/reveal.js",
            f"--SlidesExporter.require_js_url={prefix}/requirejs/require.js",
            f"--SlidesExporter.jquery_url={prefix}/jquery/jquery.min.js"]


def copy_assets(output_dir: str | Path) -> Path:
    """The vendored files copied to ``output_dir/slides_assets`` (replacing an older copy)."""
    target = Path(output_dir) / ASSETS
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(STATIC_DIR, target)
    return target


def build_slides(notebook: str | Path, output_dir: str | Path, *, execute: bool = True, timeout: int = 600,
                 extra: list[str] | tuple[str, ...] = ()) -> Path:
    """Build ``notebook`` as reveal.js slides in ``output_dir`` (created), with the
    vendored assets beside them; returns the ``.slides.html``. ``execute=False`` converts
    the notebook as committed (no outputs: fast, for checking the page's references).
    Raises RuntimeError with nbconvert's message when the build fails."""
    notebook, output_dir = Path(notebook), Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides", *(["--execute"] if execute else []),
               *DECK_OPTIONS, *local_asset_options(), *extra, f"--ExecutePreprocessor.timeout={timeout}",
               "--output-dir", str(output_dir), str(notebook)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 300)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-4000:]}")
    copy_assets(output_dir)
    return output_dir / f"{notebook.stem}.slides.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alignment.present.slides", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", default="notebooks/05_workshop.ipynb")
    parser.add_argument("--output-dir", default="build/slides", help="where the slides and slides_assets/ go")
    parser.add_argument("--no-execute", action="store_true", help="convert the notebook as it is (no outputs)")
    args = parser.parse_args(argv)
    try:
        path = build_slides(args.notebook, args.output_dir, execute=not args.no_execute)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} (open it in a browser; no internet needed)", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
