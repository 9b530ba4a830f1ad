"""Character n-gram similarity between a question and the FAQ's phrasings.

A second view beside the word matcher: n-grams of 3 to 5 letters inside words meet across
inflections and derivations the stemmer keeps apart ("inscrit"/"inscription", "reçu"/
"recevoir" share little, but "labellisées"/"labellisation", "réutiliser"/"réutilisation",
"candidate"/"candidature" share a lot) and across typos. Each phrasing is a TF-IDF vector of
its n-grams; an entry's similarity is the best cosine over its phrasings. The index is built
with numpy (one sort over all n-grams, compressed posting lists), so it scales like the word
index.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from assistant.faq.normalize import words

GRAM_SIZES = (3, 4, 5)
_WORD_CACHE_SIZE = 8192  # words whose n-gram ids an index keeps


@lru_cache(maxsize=65536)
def word_grams(word: str) -> tuple[str, ...]:
    """Letter n-grams of one word, its boundaries marked by spaces (words repeat: cached)."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in GRAM_SIZES for i in range(len(padded) - n + 1))


class CharIndex:
    """Best n-gram cosine per entry, over rows (phrasings) grouped by entry in order."""

    def __init__(self, rows: Sequence[str], row_entry: Sequence[int], n_entries: int) -> None:
        self.n_entries = n_entries
        n = len(rows)
        self._n_rows = n
        flat: list[str] = []
        lengths = np.zeros(n, dtype=np.int64)
        for r, text in enumerate(rows):
            start = len(flat)
            for word in words(text):
                flat.extend(word_grams(word))
            lengths[r] = len(flat) - start
        vocab, gram_ids = np.unique(np.asarray(flat, dtype="<U5"), return_inverse=True) if flat else (
            np.asarray([], dtype="<U5"), np.asarray([], dtype=np.int64))
        n_grams = len(vocab)
        self._gram_id = {g: i for i, g in enumerate(vocab.tolist())}
        # One (row, gram) pair per distinct n-gram of a row, with its count.
        row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        pairs, counts = np.unique(row_of * max(n_grams, 1) + gram_ids, return_counts=True)
        pair_row, pair_gram = pairs // max(n_grams, 1), pairs % max(n_grams, 1)
        df = np.bincount(pair_gram, minlength=n_grams)
        self._idf = np.log((n + 1) / (df + 1)) + 1.0
        self._unknown_idf = math.log(n + 1) + 1.0
        weight = (1.0 + np.log(counts)) * self._idf[pair_gram]
        norms = np.sqrt(np.bincount(pair_row, weights=weight * weight, minlength=n))
        norms[norms == 0] = 1.0
        weight = weight / norms[pair_row]
        # Posting lists in compressed form: the rows and weights of gram g lie in [indptr[g], indptr[g+1]).
        order = np.argsort(pair_gram, kind="stable")
        self._post_rows = pair_row[order].astype(np.int32)
        self._post_weights = weight[order].astype(np.float32)
        self._indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self._row_entry = np.asarray(row_entry, dtype=np.int32)
        # Rows are grouped by entry: reduceat over each entry's first row gives the per-entry best.
        self._starts = np.searchsorted(self._row_entry, np.arange(n_entries)).astype(np.intp)
        self._has_rows = np.bincount(self._row_entry, minlength=n_entries) > 0
        # One row per entry, in order (the off-topic questions): the rows' cosines are the answer.
        self._one_row_each = n_entries == n and bool(np.array_equal(self._row_entry, np.arange(n)))
        self._word_ids: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_word_ids"] = {}  # a cache of lookups, rebuilt on use
        return state

    def _ids_of(self, word: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """(ids of the word's known n-grams, its unknown n-grams): words repeat, their lookups are kept."""
        found = self._word_ids.get(word)
        if found is None:
            if len(self._word_ids) >= _WORD_CACHE_SIZE:
                self._word_ids.clear()
            known, unknown = [], []
            for g in word_grams(word):
                gid = self._gram_id.get(g)
                if gid is None:
                    unknown.append(g)
                else:
                    known.append(gid)
            found = self._word_ids[word] = (np.asarray(known, dtype=np.int64), tuple(unknown))
        return found

    def similarity(self, text: str) -> np.ndarray:
        """Best cosine in [0, 1] of each entry's rows with ``text``."""
        out = np.zeros(self.n_entries, dtype=np.float32)
        text_words = words(text)
        if not text_words or self._n_rows == 0:
            return out
        looked_up = [self._ids_of(word) for word in text_words]
        known = [ids for ids, _ in looked_up if ids.size]
        if not known:
            return out
        ids, counts = np.unique(np.concatenate(known), return_counts=True)
        vec = (1.0 + np.log(counts)) * self._idf[ids]
        unknown_sq = sum(((1.0 + math.log(x)) * self._unknown_idf) ** 2
                         for x in Counter(g for _, unknown in looked_up for g in unknown).values())
        norm = math.sqrt(float(vec @ vec) + unknown_sq) or 1.0
        # All posting lists of the query's n-grams at once: positions lo..hi-1 of each gram, flattened.
        lo, hi = self._indptr[ids], self._indptr[ids + 1]
        lengths = hi - lo
        total = int(lengths.sum())
        if total == 0:
            return out
        offsets = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions = np.arange(total, dtype=np.int64) + offsets
        weights = self._post_weights[positions] * np.repeat((vec / norm).astype(np.float32), lengths)
        acc = np.bincount(self._post_rows[positions], weights=weights, minlength=self._n_rows).astype(np.float32)
        if self._one_row_each:
            return acc
        starts = np.minimum(self._starts, self._n_rows - 1)
        best = np.maximum.reduceat(acc, starts)
        return np.where(self._has_rows, best, 0.0).astype(np.float32)
