"""The one place for configuration: paths, model names, limits.

Everything has a default that works on a clean checkout; environment variables
(``PATHWAY_ALIGN_*``) override them, so apps and the CLI can be pointed at other
data without code changes. Nothing here does I/O at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the package is installed editable from it).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Bundled, vendored data (standards frameworks and the default catalog).
STANDARDS_DATA_DIR = Path(os.environ.get("PATHWAY_ALIGN_STANDARDS_DIR", REPO_ROOT / "standards_data"))

#: ``../shared`` beside the checkout: the raw, immutable sources (only the import
#: script and the benchmarks read it; the product runs without it).
SHARED_DIR = Path(os.environ.get("PATHWAY_ALIGN_SHARED_DIR", REPO_ROOT.parent / "shared"))

#: Where derived, re-computable artefacts (standards' vectors) are cached.
CACHE_DIR = Path(os.environ.get("PATHWAY_ALIGN_CACHE_DIR", REPO_ROOT / ".cache"))

#: An alternative sentence-model file (ONNX, same inputs and outputs as the shipped
#: int8 MiniLM, e.g. one written by ``benchmarks/finetune_structure.py``); empty: the
#: shipped model. Vectors are cached per model file, so switching never mixes them.
ENCODER_MODEL = os.environ.get("PATHWAY_ALIGN_ENCODER_MODEL", "")

#: Largest input file accepted (bytes). Bigger files are refused with a clear error
#: before anything is parsed.
MAX_INPUT_BYTES = int(os.environ.get("PATHWAY_ALIGN_MAX_INPUT_BYTES", 20 * 1024 * 1024))

#: Longest description accepted (characters).
MAX_TEXT_CHARS = 20_000
