"""Character n-gram similarity between a question and the FAQ's phrasings.

A second view beside the word matcher: n-grams of 3 to 5 letters inside words meet across
inflections and derivations the stemmer keeps apart ("inscrit"/"inscription", "reçu"/
"recevoir" share little, but "labellisées"/"labellisation", "réutiliser"/"réutilisation",
"candidate"/"candidature" share a lot) and across typos. Each phrasing is a TF-IDF vector of
its n-grams; an entry's similarity is the best cosine over its phrasings. Computed with
numpy over posting lists, so it scales like the word index.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.faq.normalize import words

GRAM_SIZES = (3, 4, 5)


def grams(text: str) -> Counter[str]:
    """Letter n-grams of the content words of ``text`` (word boundaries marked by spaces)."""
    found: Counter[str] = Counter()
    for word in words(text):
        padded = f" {word} "
        for n in GRAM_SIZES:
            for i in range(len(padded) - n + 1):
                found[padded[i:i + n]] += 1
    return found


class CharIndex:
    """Best n-gram cosine per entry, over rows (phrasings) grouped by entry in order."""

    def __init__(self, rows: Sequence[str], row_entry: Sequence[int], n_entries: int) -> None:
        self.n_entries = n_entries
        counts = [grams(text) for text in rows]
        df: Counter[str] = Counter(g for c in counts for g in c)
        n = len(rows)
        self._idf = {g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items()}
        self._unknown_idf = math.log(n + 1) + 1.0
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for r, c in enumerate(counts):
            vec = {g: (1.0 + math.log(x)) * self._idf[g] for g, x in c.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for g, v in vec.items():
                rows_g, weights_g = lists.setdefault(g, ([], []))
                rows_g.append(r)
                weights_g.append(v / norm)
        self._postings = {
            g: (np.asarray(r, dtype=np.int32), np.asarray(w, dtype=np.float32)) for g, (r, w) in lists.items()
        }
        self._n_rows = n
        self._row_entry = np.asarray(row_entry, dtype=np.int32)
        # Rows are grouped by entry: reduceat over each entry's first row gives the per-entry best.
        self._starts = np.searchsorted(self._row_entry, np.arange(n_entries)).astype(np.intp)
        self._has_rows = np.bincount(self._row_entry, minlength=n_entries) > 0

    def similarity(self, text: str) -> np.ndarray:
        """Best cosine in [0, 1] of each entry's rows with ``text``."""
        out = np.zeros(self.n_entries, dtype=np.float32)
        query = grams(text)
        if not query or self._n_rows == 0:
            return out
        vec = {g: (1.0 + math.log(x)) * self._idf.get(g, self._unknown_idf) for g, x in query.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        acc = np.zeros(self._n_rows, dtype=np.float32)
        for g, v in vec.items():
            posting = self._postings.get(g)
            if posting is not None:
                acc[posting[0]] += (v / norm) * posting[1]
        starts = np.minimum(self._starts, self._n_rows - 1)
        best = np.maximum.reduceat(acc, starts)
        return np.where(self._has_rows, best, 0.0).astype(np.float32)
