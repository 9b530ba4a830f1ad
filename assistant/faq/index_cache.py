"""On-disk cache of the built FAQ index, for commands that start, answer and exit (``assistant faq ask``).

Building ``FaqMatcher`` (stemming every text of the corpus, two letter n-gram indexes) takes about as
long as everything else a cold ``faq ask`` does; loading its pickled state is about 15 times faster.
The cache file starts with a key, a hash of everything the built state depends on: the corpus content
(entries and ``hors-champ.txt``, not where or when they were read), the source of the modules that
build it, the decision model, the matcher parameters, and the Python, numpy and stemmer versions. A file
with another key is rebuilt and replaced; an unreadable or corrupt one is logged and rebuilt; a cache
directory that cannot be written only means there is no cache. The cache is never needed for a correct
answer. A matcher source edited while a process had it loaded is not cached by that process (the code
running may not be the code hashed).

Location: ``$TNL_ASSISTANT_CACHE_DIR``, else ``$XDG_CACHE_HOME/tnl-assistant``, else
``~/.cache/tnl-assistant``; one file per corpus directory, the few most recently used kept.

The cache holds pickles, which run code when loaded: keep its directory private to its user (it is
created with mode 0700).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

# Taken before the modules below are imported, so that a source edited after this process loaded it is
# noticed (see ``_recently_edited``).
_IMPORTED_AT_NS = time.time_ns()

import numpy as np  # noqa: E402

from assistant.faq import normalize  # noqa: E402
from assistant.faq.corpus import FaqCorpus  # noqa: E402
from assistant.faq.matcher import FaqMatcher, MatcherParams, default_model  # noqa: E402

log = logging.getLogger(__name__)

CACHE_ENV = "TNL_ASSISTANT_CACHE_DIR"
CACHE_SUBDIR = "tnl-assistant"
_MAGIC = b"tnl-faq-index 1\n"
_PREFIX, _SUFFIX = "faq-index-", ".pickle"
_KEEP_FILES = 8  # cache files kept in the directory (one per corpus directory), most recent first

_PACKAGE = Path(__file__).resolve().parent
# Everything the built index is computed from, besides the corpus: hashed byte for byte.
SOURCE_FILES: tuple[Path, ...] = tuple(
    _PACKAGE / name
    for name in (
        "matcher.py", "normalize.py", "lexicon.py", "chargrams.py", "corpus.py", "decision_model.json",
        "index_cache.py",
    )
)
# Third-party code that changes the stems (hashed byte for byte too; PyStemmer, compiled, by version).
_DEPENDENCY_MODULES = ("snowballstemmer.basestemmer", "snowballstemmer.french_stemmer")
# Set from the caller, not from the cache file.
_FROM_CALLER = ("corpus", "entries", "model")
# A source modified less than this before the process imported it may differ from the code running.
_EDIT_SLACK_NS = 1_000_000_000


def _stemmer_identity() -> str:
    """Which Snowball implementation stems (snowballstemmer hands over to PyStemmer, its C build, when
    it is installed) and its version."""
    kind = type(normalize._stemmer).__module__
    distribution = "PyStemmer" if kind == "Stemmer" else "snowballstemmer"
    try:
        return f"{kind}|{metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return f"{kind}|?"


def default_cache_dir() -> Path | None:
    """``$TNL_ASSISTANT_CACHE_DIR``, else the user's cache directory (XDG), None when there is no home."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / CACHE_SUBDIR
    try:
        return Path.home() / ".cache" / CACHE_SUBDIR
    except RuntimeError:  # no HOME and no password entry
        return None


def cache_file(corpus: FaqCorpus, cache_dir: Path) -> Path:
    """The cache file of ``corpus``'s directory inside ``cache_dir``."""
    where = hashlib.sha256(os.fsencode(str(Path(corpus.directory).resolve()))).hexdigest()[:20]
    return cache_dir / f"{_PREFIX}{where}{_SUFFIX}"


def cache_key(
    corpus: FaqCorpus, params: MatcherParams | None = None, sources: tuple[Path, ...] = SOURCE_FILES
) -> str:
    """Hash of everything the built index depends on (raises ``OSError`` if a source cannot be read)."""
    h = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    part("python", f"{sys.version}|{sys.implementation.cache_tag}|{sys.byteorder}".encode())
    part("numpy", np.__version__.encode())
    part("params", repr(params or MatcherParams()).encode())
    for path in sources:
        part(path.name, path.read_bytes())
    for name in _DEPENDENCY_MODULES:
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        part(name, Path(file).read_bytes() if file else b"?")
    part("stemmer", _stemmer_identity().encode())
    # The corpus by content: what ``FaqEntry`` compares (its path aside), then the rest of the corpus
    # (``hors-champ.txt``); where and when it was read does not change the index.
    for entry in corpus.entries:
        part("entry", repr([getattr(entry, f.name) for f in dataclasses.fields(entry) if f.compare]).encode())
    rest = [
        (f.name, getattr(corpus, f.name))
        for f in dataclasses.fields(corpus)
        if f.name not in ("directory", "entries", "signature")
    ]
    part("corpus", repr(rest).encode())
    return h.hexdigest()


def cached_matcher(
    corpus: FaqCorpus, cache_dir: Path | None = None, params: MatcherParams | None = None
) -> FaqMatcher:
    """``FaqMatcher(corpus, params)``, loaded from the cache when it holds the same index, else built and
    cached. ``cache_dir``: default ``default_cache_dir()``."""
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    if folder is None:
        return FaqMatcher(corpus, params)
    try:
        key = cache_key(corpus, params)
    except OSError as exc:  # a source file vanished (mid-upgrade?): no cache this time
        log.warning("FAQ index cache disabled: %s", exc)
        return FaqMatcher(corpus, params)
    path = cache_file(corpus, folder)
    loaded = _load(path, key, corpus)
    if loaded is not None:
        return loaded
    matcher = FaqMatcher(corpus, params)
    _save(path, key, matcher)
    return matcher


def _load(path: Path, key: str, corpus: FaqCorpus) -> FaqMatcher | None:
    """The cached matcher, or None (a missing file or another key: silently; anything else: one warning)."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # no cache yet, or no usable cache directory
        return None
    except OSError as exc:
        log.warning("FAQ index cache %s unreadable (%s): rebuilding the index", path, exc)
        return None
    header = _MAGIC + key.encode() + b"\n"
    if not data.startswith(_MAGIC):
        log.warning("FAQ index cache %s is not a cache file: rebuilding the index", path)
        return None
    if not data.startswith(header):
        log.debug("FAQ index cache %s is out of date: rebuilding the index", path)
        return None
    ids = [entry.id for entry in corpus.entries]
    try:
        payload = pickle.loads(memoryview(data)[len(header):])
        state = payload["state"]
        if payload["ids"] != ids or not isinstance(state, dict):
            raise ValueError("entries differ from the corpus")
        matcher = FaqMatcher.__new__(FaqMatcher)
        matcher.__dict__.update(_reset_question_caches(state))
    except Exception as exc:  # a truncated or tampered file can raise about anything
        log.warning("FAQ index cache %s is corrupt (%s: %s): rebuilding the index", path, type(exc).__name__, exc)
        return None
    matcher.corpus = corpus
    matcher.entries = list(corpus.entries)
    matcher.model = default_model()
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by the clean-up in ``_save``
    return matcher


def _reset_question_caches(state: dict[str, Any]) -> dict[str, Any]:
    """The matcher keeps what it computed for recent questions (``*_cache`` dictionaries): a cached
    index starts with none."""
    return {name: {} if name.endswith("_cache") and isinstance(value, dict) else value
            for name, value in state.items()}


def _recently_edited(sources: tuple[Path, ...] = SOURCE_FILES) -> bool:
    """Whether a module changed after (or just before) this process imported it: the code running may
    then differ from the bytes in the key, and its index must not be cached under that key. (The
    decision model is read from disk, not built into the index: it only needs to be in the key.)"""
    try:
        return any(
            path.stat().st_mtime_ns > _IMPORTED_AT_NS - _EDIT_SLACK_NS for path in sources if path.suffix == ".py"
        )
    except OSError:
        return True


def _save(path: Path, key: str, matcher: FaqMatcher) -> None:
    """Write the cache atomically (temporary file, then rename); any failure only means no cache."""
    if _recently_edited():
        log.debug("FAQ index cache not written: a source of the matcher changed while it was loaded")
        return
    state = {name: value for name, value in matcher.__dict__.items() if name not in _FROM_CALLER}
    payload = {"ids": [entry.id for entry in matcher.entries], "state": _reset_question_caches(state)}
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a new attribute that cannot be pickled: a bug to fix here, not a failure
        log.warning("FAQ index cannot be cached (%s: %s)", type(exc).__name__, exc)
        return
    tmp_name = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix="." + _PREFIX, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + key.encode() + b"\n")
            fh.write(data)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        log.debug("FAQ index cache not written to %s: %s", path.parent, exc)
        return
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the ``_KEEP_FILES`` most recently used cache files (one per corpus directory ever asked)."""
    try:
        files = []
        for candidate in folder.glob(f"{_PREFIX}*{_SUFFIX}"):
            try:
                files.append((candidate.stat().st_mtime_ns, candidate))
            except FileNotFoundError:
                continue
        files.sort(reverse=True)
        for _mtime, old in files[_KEEP_FILES:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("FAQ index cache clean-up failed in %s: %s", folder, exc)
