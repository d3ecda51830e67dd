"""The offline embedder: TF-IDF over jieba words and character n-grams, reduced by truncated SVD.

Fitted on the corpus at ingest and saved with the index as JSON and .npy files (never pickle).
The transform is written out here (vocabulary lookup, idf, l2, projection) so a reloaded embedder
gives exactly the vectors the fitted one gave; scikit-learn does the fitting.
"""
from __future__ import annotations

import io
import json
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from index.tokenize import tokenize

KIND = "offline"
MODEL_NAME = "tfidf-svd"
DEFAULT_DIM = 256
MAX_FEATURES = 16384
FILES = ("vocabulary.json", "idf.npy", "components.npy")  # what `save` writes
FIT_SAMPLE = 20000  # fitting on a sample keeps a 100k-clause ingest quick; transform covers all
_NON_TEXT = re.compile(r"[\W_\d]+")


def features(text: str, words: list[str] | None = None) -> list[str]:
    """jieba words (given, or tokenised here) plus character 2- and 3-grams of each letter run."""
    words = ["w:" + w for w in (tokenize(text) if words is None else words)]
    grams: list[str] = []
    for run in _NON_TEXT.split(text.lower()):
        for n in (2, 3):
            grams.extend("c:" + run[i:i + n] for i in range(len(run) - n + 1))
    return words + grams


class OfflineEmbedder:
    """An Embedder fitted on a corpus; same vectors for queries and passages."""

    name = f"{KIND}:{MODEL_NAME}"
    kind = KIND
    model = MODEL_NAME
    max_piece_chars: int | None = None  # no input limit: a clause is embedded whole

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, components: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.components = components.astype(np.float32)  # (dim, n_features)

    @property
    def dim(self) -> int:
        return int(self.components.shape[0])

    @classmethod
    def fit(cls, texts: list[str], dim: int = DEFAULT_DIM, seed: int = 0,
            words: list[list[str]] | None = None) -> OfflineEmbedder:
        """Fit vocabulary, idf and the SVD projection on the given passages (jieba words optional)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            raise ValueError("cannot fit the offline embedder on no text")
        rng = np.random.default_rng(seed)
        chosen = range(len(texts)) if len(texts) <= FIT_SAMPLE else sorted(
            rng.choice(len(texts), FIT_SAMPLE, replace=False))
        sample = [features(texts[i], None if words is None else words[i]) for i in chosen]
        vectorizer = TfidfVectorizer(analyzer=lambda feats: feats, max_features=MAX_FEATURES,
                                     sublinear_tf=True, dtype=np.float32)
        matrix = vectorizer.fit_transform(sample)
        n_components = max(1, min(dim, matrix.shape[0], matrix.shape[1] - 1))
        with warnings.catch_warnings():
            # one tiny document has no variance to explain: sklearn's ratio divides by zero and warns;
            # the components are still right, and the ratio is never used
            warnings.filterwarnings("ignore", "invalid value encountered in divide", RuntimeWarning)
            svd = TruncatedSVD(n_components=n_components, random_state=seed).fit(matrix)
        vocabulary = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        return cls(vocabulary, vectorizer.idf_, svd.components_)

    def _tfidf(self, texts: list[str], words: list[list[str]] | None) -> Any:
        """Rows of l2-normalised sublinear tf-idf, as a scipy CSR matrix."""
        from scipy import sparse  # imported here: a no-change re-ingest must not pay for scipy

        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            feats = features(text, None if words is None else words[row])
            counts = Counter(self.vocabulary[f] for f in feats if f in self.vocabulary)
            for col, count in counts.items():
                rows.append(row)
                cols.append(col)
                values.append((1.0 + np.log(count)) * self.idf[col])
        matrix = sparse.csr_matrix((np.asarray(values, dtype=np.float32), (rows, cols)),
                                   shape=(len(texts), len(self.idf)))
        norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A.ravel()
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms.astype(np.float32)) @ matrix

    def embed_passages(self, texts: list[str], words: list[list[str]] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (zero rows for texts with no known feature)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        dense = np.asarray(self._tfidf(texts, words) @ self.components.T, dtype=np.float32)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.ascontiguousarray(dense / norms, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Queries share the passages' space: no instruction, same transform."""
        return self.embed_passages(texts)

    def save(self, folder: Path) -> None:
        """Write vocabulary.json, idf.npy and components.npy into `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False),
                                                encoding="utf-8")
        np.save(folder / "idf.npy", self.idf, allow_pickle=False)
        np.save(folder / "components.npy", self.components, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> OfflineEmbedder:
        """Read an embedder written by `save`."""
        return cls.from_files({name: (folder / name).read_bytes() for name in FILES})

    @classmethod
    def from_files(cls, files: Mapping[str, bytes]) -> OfflineEmbedder:
        """The embedder from the bytes of the files `save` writes (as a Milvus catalogue keeps them)."""
        vocabulary = json.loads(files["vocabulary.json"].decode("utf-8"))
        idf = np.load(io.BytesIO(files["idf.npy"]), allow_pickle=False)
        components = np.load(io.BytesIO(files["components.npy"]), allow_pickle=False)
        return cls(vocabulary, idf, components)
