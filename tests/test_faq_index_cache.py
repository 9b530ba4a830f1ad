"""On-disk cache of the built FAQ index (``assistant.faq.index_cache``): a cached index answers exactly like a
fresh build, and any change to what it was built from, or a damaged file, means a rebuild, never a failure."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from assistant.faq import index_cache
from assistant.faq.corpus import FaqCorpus, load_corpus
from assistant.faq.index_cache import CACHE_ENV, cache_file, cache_key, cached_matcher, default_cache_dir
from assistant.faq.matcher import FaqMatcher, MatcherParams

REPO = Path(__file__).resolve().parent.parent

QUESTIONS = (
    "c est gratuit ?",
    "Est-ce payant ?",
    "Où envoyer le dossier ?",
    "Quel temps fera-t-il demain ?",
    "Combien d'habitants compte la ville d'Albi ?",
    "kel sont les criteres pr avoir le label",
    "Bonjour,\nNous voulons former nos agents à LibreOffice. Combien coûte-t-elle ? Qui la délivre ?\n"
    "Cordialement,\nLa mairie",
)


@pytest.fixture(autouse=True)
def _sources_unchanged() -> None:
    """The cache refuses to store an index when a matcher source changed after this process loaded it
    (the code running may not be the code hashed): someone editing the matcher meanwhile is no failure
    on a work tree, but CI must run every test."""
    if index_cache._recently_edited():
        message = "a source of the FAQ matcher changed during the test run: the cache is rightly not written"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    """A private copy of the project's corpus, free to edit."""
    return Path(shutil.copytree(REPO / "faq", tmp_path / "faq"))


def assert_same_answers(cached: FaqMatcher, fresh: FaqMatcher) -> None:
    for question in QUESTIONS:
        assert cached.ask(question, k=3) == fresh.ask(question, k=3), question
        assert cached.ask(question, k=3, context=QUESTIONS[-1]) == fresh.ask(question, k=3, context=QUESTIONS[-1])
        index, features = cached.decision_features(question)
        fresh_index, fresh_features = fresh.decision_features(question)
        assert index == fresh_index and np.array_equal(features, fresh_features), question


def test_cache_hit_answers_like_a_fresh_build(faq_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    corpus = load_corpus(faq_copy)
    first = cached_matcher(corpus, cache)
    path = cache_file(corpus, cache)
    assert path.is_file() and path.read_bytes().startswith(b"tnl-faq-index ")
    written = path.stat().st_ino
    again = load_corpus(faq_copy)
    cached = cached_matcher(again, cache)
    assert path.stat().st_ino == written  # read, not rebuilt and rewritten
    assert cached is not first and cached.corpus is again and cached.entries == list(again.entries)
    assert_same_answers(cached, FaqMatcher(again))
    assert_same_answers(first, cached)


def test_editing_an_entry_invalidates_the_cache(faq_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = load_corpus(faq_copy)
    stale = cached_matcher(before, cache)
    written = cache_file(before, cache).stat().st_ino
    # Same size and modification time: only the content tells the edit apart.
    entry = faq_copy / "cout.toml"
    st = entry.stat()
    text = entry.read_text(encoding="utf-8")
    assert '"prix ?"' in text and "zorg" not in text
    entry.write_text(text.replace('"prix ?"', '"zorg ?"'), encoding="utf-8")
    os.utime(entry, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = load_corpus(faq_copy)
    assert after.signature == before.signature
    assert cache_key(after) != cache_key(before)
    cached = cached_matcher(after, cache)
    assert cache_file(after, cache).stat().st_ino != written  # rebuilt and rewritten
    fresh = FaqMatcher(after)
    assert not stale.scores("zorg ?").any()
    assert np.array_equal(cached.scores("zorg ?"), fresh.scores("zorg ?"))
    assert cached.scores("zorg ?")[[e.id for e in after.entries].index("cout")] > 0
    assert_same_answers(cached, fresh)
    assert_same_answers(cached_matcher(load_corpus(faq_copy), cache), fresh)  # and cached again


def test_editing_the_off_topic_file_invalidates_the_cache(faq_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = load_corpus(faq_copy)
    cached_matcher(before, cache)
    written = cache_file(before, cache).stat().st_ino
    question = "Où se trouve la piscine municipale de Quimper ?"
    with (faq_copy / "hors-champ.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"\n{question}\n")
    after = load_corpus(faq_copy)
    assert cache_key(after) != cache_key(before)
    cached = cached_matcher(after, cache)
    assert cache_file(after, cache).stat().st_ino != written
    assert cached.off_topic_similarity(question) == pytest.approx(1.0, abs=1e-5)
    assert_same_answers(cached, FaqMatcher(after))


def test_key_covers_sources_params_and_nothing_else(faq_copy: Path, tmp_path: Path) -> None:
    names = {path.name for path in index_cache.SOURCE_FILES}
    assert {"matcher.py", "normalize.py", "lexicon.py", "chargrams.py", "corpus.py", "decision_model.json"} <= names
    assert all(path.is_file() for path in index_cache.SOURCE_FILES)
    corpus = load_corpus(faq_copy)
    copies = tuple(Path(shutil.copy(path, tmp_path / path.name)) for path in index_cache.SOURCE_FILES)
    key = cache_key(corpus, sources=copies)
    assert key == cache_key(corpus)  # the bytes, not the location
    for copy in copies:
        data = copy.read_bytes()
        copy.write_bytes(data + b"\n")
        assert cache_key(corpus, sources=copies) != key, copy.name
        copy.write_bytes(data)
    assert cache_key(corpus, MatcherParams(char_weight=0.4)) != key
    # Where and when the corpus was read does not change the index.
    moved = FaqCorpus(directory=tmp_path, entries=corpus.entries, signature=(), off_topic=corpus.off_topic)
    assert cache_key(moved) == key


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"garbage", id="not-a-cache-file"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[: data.index(b"\n", 20) + 1] + b"\x80\x05not a pickle", id="bad-pickle"),
    ],
)
def test_corrupt_cache_file_is_ignored_and_rebuilt(
    faq_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage
) -> None:
    cache = tmp_path / "cache"
    corpus = load_corpus(faq_copy)
    cached_matcher(corpus, cache)
    path = cache_file(corpus, cache)
    good = path.read_bytes()
    path.write_bytes(damage(good))
    with caplog.at_level(logging.DEBUG, logger="assistant.faq.index_cache"):
        rebuilt = cached_matcher(corpus, cache)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0].getMessage()
    assert_same_answers(rebuilt, FaqMatcher(corpus))
    assert path.read_bytes().startswith(good[: good.index(b"\n", 20) + 1])  # a good file again
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.faq.index_cache"):
        cached_matcher(corpus, cache)
    assert not caplog.records


def test_unwritable_cache_dir_still_answers(faq_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    corpus = load_corpus(faq_copy)
    fresh = FaqMatcher(corpus)
    with caplog.at_level(logging.WARNING, logger="assistant.faq.index_cache"):
        for cache in (blocker / "cache", blocker):
            assert_same_answers(cached_matcher(corpus, cache), fresh)
    assert not caplog.records
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_old_cache_files_are_pruned(faq_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for n in range(12):
        old = cache / f"faq-index-old{n:02d}.pickle"
        old.write_bytes(b"x")
        os.utime(old, ns=(n * 10**9, n * 10**9))
    (cache / "other-file.txt").write_text("kept", encoding="utf-8")
    corpus = load_corpus(faq_copy)
    cached_matcher(corpus, cache)
    left = sorted(p.name for p in cache.glob("faq-index-*.pickle"))
    assert len(left) == 8 and cache_file(corpus, cache).name in left
    assert "faq-index-old11.pickle" in left and "faq-index-old00.pickle" not in left
    assert (cache / "other-file.txt").is_file()


def test_default_location_and_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "tnl-assistant"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "tnl-assistant"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"


def test_cli_uses_the_cache(
    faq_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cli-cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    args = ["faq", "ask", "--json", "--faq-dir", str(faq_copy), "Est-ce payant ?"]
    assert main(args) == 0
    cold = json.loads(capsys.readouterr().out)
    path = cache_file(load_corpus(faq_copy), cache)
    assert path.is_file()
    written = path.stat().st_ino
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == cold
    assert path.stat().st_ino == written
    assert cold["zone"] == "answer" and cold["id"] == "cout"
    # An unusable cache location changes nothing for the user.
    monkeypatch.setenv(CACHE_ENV, str(path / "under-a-file"))
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == cold
