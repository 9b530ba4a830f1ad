"""``assistant web``: serve the staff dashboard with uvicorn."""

from __future__ import annotations

import argparse
import logging

from assistant.config import Settings

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    web = subparsers.add_parser(
        "web", help="tableau de bord de l'équipe (navigateur) : dossiers, relances, quarantaine, FAQ, export",
        description="Sert le tableau de bord sur [web] host:port (127.0.0.1:8080 par défaut). Créez d'abord un "
        "compte avec « assistant staff add NOM ». Les relances automatiques ne partent pas d'ici mais de "
        "« assistant run » (ou « assistant dossiers remind »).")
    web.add_argument("--host", help="adresse d'écoute (par défaut : [web] host)")
    web.add_argument("--port", type=int, help="port (par défaut : [web] port)")
    web.set_defaults(func=cmd_web)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from assistant.web.app import create_app

    host, port = args.host or settings.web.host, args.port or settings.web.port
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.web.secure_cookies:
        log.warning("dashboard listening on %s without secure cookies: put it behind HTTPS and set "
                    "[web] secure_cookies = true", host)
    log.info("dashboard on http://%s:%d/", host, port)
    # No access log: request lines would put staff IP addresses in the journal.
    uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_level="warning",
                proxy_headers=False, server_header=False)
    return 0
