"""Builders shared by the intake tests: settings pointing at the test servers, and sample messages."""

from __future__ import annotations

import email.utils
import itertools
from email.message import EmailMessage
from pathlib import Path

from assistant.config import Settings, settings_from_mapping
from assistant.runner import OnceReport, Runner

LABEL = "label@territoire-numerique-libre.org"
_counter = itertools.count(1)


def make_settings(tmp_path: Path, dovecot=None, smtp=None, **sections: dict) -> Settings:
    """Settings whose store lives in ``tmp_path`` and whose IMAP/SMTP point at the test servers."""
    raw: dict[str, dict] = {
        "store": {"path": str(tmp_path / "tnl.sqlite3")},
        "outbox": {"folder": str(tmp_path / "outbox"), "retry_initial_seconds": 0.0},
    }
    if dovecot is not None:
        raw["imap"] = {
            "host": dovecot.host,
            "port": dovecot.port,
            "security": "none",
            "user": dovecot.user,
            "password": dovecot.password,
            "poll_interval_seconds": 2.0,
            "idle_timeout_seconds": 2.0,
            "reconnect_max_seconds": 1.0,
            "timeout_seconds": 5.0,
        }
    if smtp is not None:
        raw["smtp"] = {"host": smtp.host, "port": smtp.port, "security": "none", "sender": LABEL,
                       "timeout_seconds": 5.0}
    for name, values in sections.items():
        raw.setdefault(name, {}).update(values)
    return settings_from_mapping(raw, tmp_path / "config.toml")


def make_message(
    sender: str = "claire.martin@mairie-exemple.fr",
    subject: str = "Question sur le label",
    body: str = "Bonjour, la participation au label est-elle payante ?\nMerci, Claire",
    to: str = LABEL,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id or f"<test-{next(_counter)}-{id(msg)}@mairie-exemple.fr>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def run_once(settings: Settings) -> OnceReport:
    """``assistant run --once`` in-process: one IMAP pass, the pipeline, one outbox flush."""
    runner = Runner(settings)
    try:
        return runner.run_once()
    finally:
        runner.close()
