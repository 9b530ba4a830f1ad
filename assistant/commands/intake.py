"""Sub-commands of the mail intake: run, ingest, outbox, quarantine, notices."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.store.database import Database


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run", help="relever le courrier, traiter les messages et envoyer les réponses",
        description="Lance toutes les sources configurées (IMAP, réception SMTP intégrée) et traite le courrier. "
        "Sans configuration : réception SMTP sur 127.0.0.1:2525 et réponses écrites dans var/outbox/.",
    )
    run.add_argument("--once", action="store_true",
                     help="traiter ce qui attend (une relève IMAP, les messages stockés, l'envoi) puis quitter")
    run.set_defaults(func=cmd_run)

    ingest = subparsers.add_parser(
        "ingest", help="importer des messages depuis un fichier .eml, un dossier, un Maildir ou un mbox")
    ingest.add_argument("path", type=Path, help="fichier .eml, dossier de .eml, Maildir ou fichier mbox")
    ingest.add_argument("--process", action="store_true",
                        help="traiter aussitôt les messages importés et envoyer les réponses (comme run --once)")
    ingest.set_defaults(func=cmd_ingest)

    outbox = subparsers.add_parser("outbox", help="réponses en attente, envoyées ou en échec")
    outbox_sub = outbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    outbox_list = outbox_sub.add_parser("list", help="lister les réponses")
    outbox_list.add_argument("--state", choices=["pending", "sent", "failed"], help="filtrer par état")
    outbox_list.set_defaults(func=cmd_outbox_list)
    outbox_retry = outbox_sub.add_parser("retry", help="renvoyer maintenant les réponses en attente ou en échec")
    outbox_retry.add_argument("id", nargs="?", type=int, help="numéro de la réponse (toutes si absent)")
    outbox_retry.set_defaults(func=cmd_outbox_retry)

    quarantine = subparsers.add_parser("quarantine", help="messages mis de côté après des erreurs de traitement")
    q_sub = quarantine.add_subparsers(dest="action", metavar="ACTION", required=True)
    q_list = q_sub.add_parser("list", help="lister les messages en quarantaine avec leur erreur")
    q_list.set_defaults(func=cmd_quarantine_list)
    q_retry = q_sub.add_parser("retry", help="retraiter un message en quarantaine")
    q_retry.add_argument("id", type=int, help="numéro du message (voir quarantine list)")
    q_retry.set_defaults(func=cmd_quarantine_retry)

    notices = subparsers.add_parser("notices", help="avis pour l'équipe (rebonds, quarantaine, plafonds…)")
    notices.add_argument("--kind", help="filtrer par type d'avis")
    notices.set_defaults(func=cmd_notices)


def _open(settings: Settings) -> Database:
    return Database(settings.store.path)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.runner import Runner

    runner = Runner(settings)
    try:
        if args.once:
            report = runner.run_once()
            print(f"{report.fetched} message(s) relevé(s), {report.processed} traité(s) ; réponses : "
                  f"{report.outbox.sent} envoyée(s), {report.outbox.deferred} différée(s), "
                  f"{report.outbox.failed} en échec")
        else:
            runner.run_forever()
    finally:
        runner.close()
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.mail.file_source import IngestError, ingest

    with _open(settings) as db:
        try:
            report = ingest(db, args.path, progress=sys.stderr.isatty())
        except IngestError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
    print(f"{report.seen} message(s) lu(s) : {report.created} nouveau(x), {report.duplicates} déjà connu(s)")
    if args.process:
        return cmd_run(argparse.Namespace(once=True), settings)
    return 0


def cmd_outbox_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.store.outbox import list_items

    with _open(settings) as db:
        items = list_items(db, args.state)
    if not items:
        print("Aucune réponse.")
    for item in items:
        when = (item.sent_at or item.next_attempt_at).strftime("%Y-%m-%d %H:%M")
        print(f"#{item.id}\t{item.state}\t{when}\t{item.recipient}\t{item.subject}"
              + (f"\t[{item.last_error}]" if item.last_error and item.state != "sent" else ""))
    return 0


def cmd_outbox_retry(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.mail.outbox import OutboxSender, make_transport
    from assistant.store.outbox import retry_now

    with _open(settings) as db:
        touched = retry_now(db, args.id)
        report = OutboxSender(db, make_transport(settings.smtp, settings.outbox), settings.reply_sender(),
                              settings.outbox).flush()
    print(f"{touched} réponse(s) remise(s) en file : {report.sent} envoyée(s), {report.deferred} différée(s), "
          f"{report.failed} en échec")
    return 0 if report.failed == 0 else 1


def cmd_quarantine_list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.store.messages import STATE_QUARANTINED, list_by_state

    with _open(settings) as db:
        items = list_by_state(db, STATE_QUARANTINED)
    if not items:
        print("Aucun message en quarantaine.")
    for m in items:
        print(f"#{m.id}\t{m.received_at:%Y-%m-%d %H:%M}\t{m.sender}\t{m.subject}\t{m.message_id}\n"
              f"\terreur : {m.last_error}")
    return 0


def cmd_quarantine_retry(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.runner import build_pipeline
    from assistant.store.messages import get_message, requeue
    from assistant.store.notices import resolve_for_message

    with _open(settings) as db:
        if not requeue(db, args.id):
            print(f"Le message #{args.id} n'est pas en quarantaine.", file=sys.stderr)
            return 1
        build_pipeline(db, settings).process(args.id)
        message = get_message(db, args.id)
        if message is not None and message.state == "done":
            resolve_for_message(db, args.id, "quarantaine")
            print(f"Message #{args.id} traité : {message.category} ({message.reason})")
            return 0
        print(f"Message #{args.id} toujours en échec : {message.last_error if message else '?'}", file=sys.stderr)
        return 1


def cmd_notices(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.store.notices import open_notices

    with _open(settings) as db:
        notices = open_notices(db, args.kind)
    if not notices:
        print("Aucun avis en attente.")
    for n in notices:
        print(f"#{n.id}\t{n.created_at:%Y-%m-%d %H:%M}\t{n.kind}\t{n.summary}")
    return 0
