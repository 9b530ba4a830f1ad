"""Grow the FAQ corpus from a set of real-style questions, the way staff do with
``assistant faq add-phrasing`` and ``assistant faq hors-champ``: every in-scope question the matcher
does not answer right is added as a phrasing of the entry that answers it, and every off-topic
question goes to ``faq/hors-champ.txt`` (``fit_decision.py`` scores each set without the examples
it brought, so the decision learns from unseen ones).

Only tuning sets may be used (never the sealed ones): questions added here are no longer
unseen. The entry chosen for a question is the best-ranked entry whose answer is acceptable
for its topic, else the topic's main entry.

    python bench/grow_corpus.py bench/data/faq_tuning3.tsv [...] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import faq_quality as fq  # noqa: E402

from assistant.faq.corpus import load_corpus  # noqa: E402
from assistant.faq.corpus_edit import add_off_topic, add_phrasing  # noqa: E402
from assistant.faq.matcher import ANSWER, FaqMatcher, split_questions  # noqa: E402

MAIN_ENTRY = {
    "libre": "libre", "apport": "apport", "qui": "qui-peut-participer", "deja": "deja-territoire-libre",
    "procedure": "procedure", "communiquer": "communiquer", "gratuit": "cout", "criteres": "criteres",
    "adullact": "organisateur", "depuis": "historique", "nombre": "collectivites-labellisees",
    "comite": "comite-orientation", "licence": "licence-textes", "envoi": "envoi-questionnaire",
}
MAX_WORDS = 25  # a long e-mail is added only through its single question sentence


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if any("sealed" in path.name for path in args.sets):
        parser.error("sealed sets are never used to grow the corpus")
    regexes = fq.read_topics(fq.DEFAULT_EVAL_DIR / "faq_topics.tsv")
    corpus = load_corpus()
    matcher = FaqMatcher(corpus)
    files = {entry.id: entry.path for entry in corpus.entries}
    added = added_off_topic = 0
    for path in args.sets:
        for case in fq.read_cases(path):
            if case.off_topic:
                if not args.dry_run and add_off_topic(corpus.directory, case.question):
                    added_off_topic += 1
                continue
            parts = split_questions(case.question) if len(case.topics) > 1 else [case.question]
            if len(parts) != len(case.topics):
                continue
            for topic, part in zip(case.topics, parts, strict=True):
                result = matcher.ask(part)
                if result.zone == ANSWER and fq.acceptable(topic, result.best.entry, regexes):
                    continue
                text = part
                if len(text.split()) > MAX_WORDS:
                    questions = split_questions(text)
                    if len(questions) != 1 or len(questions[0].split()) > MAX_WORDS:
                        continue
                    text = questions[0]
                ranked = [m.entry for m in matcher.rank(text, 5) if fq.acceptable(topic, m.entry, regexes)]
                target = ranked[0].id if ranked else MAIN_ENTRY[topic]
                print(f"{target:<26} <- {text}")
                if not args.dry_run and add_phrasing(files[target], text):
                    added += 1
    print(f"{added} phrasing(s) added, {added_off_topic} off-topic question(s) added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
