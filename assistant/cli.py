"""Command line: ``assistant [--config FILE] [--verbose] COMMAND``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import ConfigError, Settings, load_settings

log = logging.getLogger("assistant")

# Each feature module exposes ``register(subparsers)``; its sub-commands set ``func(args, settings) -> int``.
_FEATURE_MODULES = (
    "assistant.commands.intake",
    "assistant.faq.commands",
    "assistant.questionnaire.commands",
    "assistant.dossiers.commands",
    "assistant.web.commands",
    "assistant.bot.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Assistant du label Territoire Numérique Libre : réception des candidatures par courriel, "
        "vérification des dossiers et réponses aux questions fréquentes.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="fichier de configuration TOML (par défaut ./config.toml s'il existe, sinon les valeurs intégrées)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé (niveau DEBUG)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    import importlib

    for module_name in _FEATURE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # An optional feature that is not installed is skipped; a missing dependency inside it is a bug.
            if exc.name is None or not (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise
            continue
        module.register(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO, and Telegram's URLs carry the bot token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings: Settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return 2
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        return func(args, settings)
    except ConfigError as exc:
        print(f"Erreur de configuration : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into a program that stopped reading (`| head`): not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
