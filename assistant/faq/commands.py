"""``assistant faq ask``: answer FAQ questions from the command line.

Heavy modules (numpy, rapidfuzz, the index) are imported inside the command, not at
import time, because every ``assistant`` invocation imports this module to build the
parser.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.faq.matcher import FaqResult

_ZONE_LABELS = {"answer": "réponse", "suggest": "suggestions", "abstain": "je ne sais pas"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``faq`` and its sub-commands to the main parser."""
    faq = subparsers.add_parser("faq", help="questions fréquentes : répondre à une question")
    faq_sub = faq.add_subparsers(dest="faq_command", metavar="SOUS-COMMANDE", required=True)
    ask = faq_sub.add_parser(
        "ask",
        help="répondre à une question (ou à une question par ligne lue sur l'entrée standard)",
        description="Cherche la réponse dans la FAQ du label. Sans question en argument, lit une question "
        "par ligne sur l'entrée standard et écrit un résultat par ligne.",
    )
    ask.add_argument("question", nargs="?", help="la question, entre guillemets")
    ask.add_argument("--json", action="store_true", help="sortie JSON (un objet par ligne)")
    ask.add_argument("-k", type=int, default=3, metavar="N", help="nombre d'alternatives proposées (3)")
    ask.add_argument("--faq-dir", help="dossier du corpus FAQ (par défaut : faq/ du projet)")
    ask.set_defaults(func=cmd_ask)


def result_to_json(result: FaqResult) -> dict[str, Any]:
    """The JSON shape of one result; ``answer`` is null unless the zone is "answer"."""
    best = result.best
    return {
        "question": result.question,
        "zone": result.zone,
        "answer": best.entry.answer if best and result.zone == "answer" else None,
        "id": best.entry.id if best else None,
        "entry_question": best.entry.question if best else None,
        "score": round(best.score, 4) if best else 0.0,
        "alternatives": [
            {"id": m.entry.id, "question": m.entry.question, "score": round(m.score, 4)}
            for m in result.alternatives
        ],
    }


def format_result(result: FaqResult) -> str:
    """Human-readable French answer for one question."""
    lines = [f"Question : {result.question}"]
    best = result.best
    if result.zone == "answer" and best:
        lines.append(f"Réponse (« {best.entry.question} », confiance {best.score:.2f}, fiche {best.entry.id}) :")
        lines.append("")
        lines.append(best.entry.answer)
        if result.alternatives:
            lines.append("")
            lines.append("Voir aussi :")
            lines.extend(f"  - {m.entry.question} ({m.entry.id}, {m.score:.2f})" for m in result.alternatives)
    elif result.zone == "suggest" and best:
        lines.append("Je ne suis pas certain de la réponse. Vouliez-vous demander :")
        for m in [best, *result.alternatives]:
            lines.append(f"  - {m.entry.question} ({m.entry.id}, confiance {m.score:.2f})")
    else:
        lines.append("Je ne sais pas répondre à cette question à partir de la FAQ : l'équipe du label répondra.")
    return "\n".join(lines)


def format_line(result: FaqResult) -> str:
    """One-line summary used when questions come from standard input."""
    best = result.best
    label = _ZONE_LABELS.get(result.zone, result.zone)
    if best is None:
        return f"{result.question}\t{label}"
    return f"{result.question}\t{label}\t{best.entry.id}\t{best.score:.2f}"


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.faq.corpus import FaqCorpusError, load_corpus
    from assistant.faq.matcher import FaqMatcher

    try:
        corpus = load_corpus(args.faq_dir)
    except FaqCorpusError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    matcher = FaqMatcher(corpus)
    k = max(0, args.k)
    from_stdin = args.question is None
    questions = [line.strip() for line in sys.stdin if line.strip()] if from_stdin else [args.question]
    for question in questions:
        result = matcher.ask(question, k=k)
        if args.json:
            print(json.dumps(result_to_json(result), ensure_ascii=False))
        elif args.question is not None:
            print(format_result(result))
        else:
            print(format_line(result))
    return 0
