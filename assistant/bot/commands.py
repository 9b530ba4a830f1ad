"""``assistant bot``: run the Telegram bot (long polling by default, webhook as an option)."""

from __future__ import annotations

import argparse
import sys

from assistant.config import ConfigError, Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bot",
        help="lancer le bot Telegram (questions des candidats, statut des dossiers, alertes pour l'équipe)",
        description="Lance le bot Telegram configuré dans la section [telegram] ; s'arrête proprement sur "
        "SIGTERM ou Ctrl-C. Le jeton vient de [telegram] token ou de la variable TNL_TELEGRAM_TOKEN.",
    )
    parser.add_argument("--mode", choices=("polling", "webhook"),
                        help="réception des messages (par défaut : [telegram] mode, sinon polling)")
    parser.set_defaults(func=cmd_bot)


def cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.bot.app import run, runtime_from_settings

    try:
        runtime = runtime_from_settings(settings, getattr(args, "mode", None))
    except ConfigError as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return 2
    return run(settings, runtime)
