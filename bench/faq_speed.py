"""Per-question latency of the FAQ matcher beside the naive baseline, at several corpus sizes.

The real corpus is measured as is; larger corpora append synthetic entries built from the
corpus vocabulary plus invented words (so the vocabulary grows as a real corpus would).
Questions are the dev set and our hard set. The baseline is rapidfuzz ``token_set_ratio``
over the titles (``process.extractOne``), as in the issue.

    python bench/faq_speed.py [--sizes 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz, process  # noqa: E402

from assistant.faq.corpus import FaqCorpus, FaqEntry, load_corpus  # noqa: E402
from assistant.faq.matcher import FaqMatcher  # noqa: E402
from assistant.faq.normalize import words  # noqa: E402

DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval"
HARD_SET = REPO / "bench" / "data" / "faq_hard.tsv"


def questions(eval_dir: Path) -> list[str]:
    result = []
    for path in (eval_dir / "faq_dev.tsv", HARD_SET):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                result.append(line.split("\t", 1)[1].strip())
    return result


def synthetic_corpus(base: FaqCorpus, size: int, seed: int = 4) -> FaqCorpus:
    """``base`` plus synthetic entries up to ``size`` entries in total."""
    rng = random.Random(seed)
    vocab = sorted({w for e in base.entries for w in words(f"{e.question} {' '.join(e.phrasings)} {e.answer}")})
    letters = "abcdefghijklmnopqrstuvwxyz"
    invented = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size * 3)]
    pool = vocab + invented

    def sentence(n: int) -> str:
        return " ".join(rng.choice(pool) for _ in range(n)).capitalize()

    entries = list(base.entries)
    for i in range(max(0, size - len(entries))):
        entries.append(
            FaqEntry(
                id=f"synthetique-{i}",
                question=sentence(rng.randint(5, 10)) + " ?",
                answer=" ".join(sentence(rng.randint(8, 16)) + "." for _ in range(rng.randint(3, 8))),
                phrasings=tuple(sentence(rng.randint(4, 9)) + " ?" for _ in range(rng.randint(2, 8))),
                keywords=tuple(rng.choice(pool) for _ in range(rng.randint(3, 8))),
                source="synthétique",
            )
        )
    return FaqCorpus(directory=base.directory, entries=tuple(entries))


def measure(ask: Callable[[str], object], qs: list[str], repeat: int) -> tuple[float, float, float]:
    """(median ms, p99 ms, questions per second) over ``repeat`` passes."""
    for q in qs[:20]:  # warm-up (caches, lazy imports)
        ask(q)
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        for q in qs:
            t0 = time.perf_counter_ns()
            ask(q)
            times.append((time.perf_counter_ns() - t0) / 1e6)
    wall = time.perf_counter() - start
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    return statistics.median(times), p99, len(times) / wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    base = load_corpus()
    qs = questions(args.eval_dir)
    print(f"{len(qs)} questions x {args.repeat} passes; latency per question in ms.")
    header = (f"{'entries':>8} {'build s':>8} | {'matcher med':>11} {'p99':>7} {'q/s':>8} | "
              f"{'baseline med':>12} {'p99':>7} {'q/s':>8}")
    print(header)
    print("-" * len(header))
    for corpus in [base, *(synthetic_corpus(base, n) for n in args.sizes)]:
        t0 = time.perf_counter()
        matcher = FaqMatcher(corpus)
        build = time.perf_counter() - t0
        titles = [e.question for e in corpus.entries]

        def naive(q: str, titles: list[str] = titles) -> object:
            return process.extractOne(q, titles, scorer=fuzz.token_set_ratio)

        m_med, m_p99, m_qps = measure(matcher.ask, qs, args.repeat)
        b_med, b_p99, b_qps = measure(naive, qs, args.repeat)
        print(f"{len(corpus):>8} {build:>8.2f} | {m_med:>11.3f} {m_p99:>7.3f} {m_qps:>8.0f} | "
              f"{b_med:>12.3f} {b_p99:>7.3f} {b_qps:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
