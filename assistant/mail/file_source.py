"""Import messages from files: one .eml, a folder of them, a Maildir or an mbox."""

from __future__ import annotations

import logging
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.store.database import Database
from assistant.store.messages import add_message

log = logging.getLogger(__name__)

EML_SUFFIXES = {".eml", ".msg822", ".txt"}


class IngestError(Exception):
    """The path is not something we can read mail from."""


@dataclass
class IngestReport:
    seen: int = 0
    created: int = 0
    duplicates: int = 0


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _looks_like_mbox(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(5) == b"From "


def iter_raw_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (reference, raw bytes) for every message under ``path``."""
    if not path.exists():
        raise IngestError(f"{path} : fichier ou dossier introuvable")
    if _is_maildir(path):
        box = mailbox.Maildir(str(path), factory=None, create=False)
        for key in sorted(box.keys()):
            yield f"maildir:{path}/{key}", box.get_bytes(key)
        return
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EML_SUFFIXES)
        for file in files:
            yield from iter_raw_messages(file)
        return
    if _looks_like_mbox(path):
        box = mailbox.mbox(str(path), factory=None, create=False)
        for index, key in enumerate(box.keys()):
            yield f"mbox:{path}#{index}", box.get_bytes(key)
        return
    yield f"file:{path}", path.read_bytes()


def count_messages(path: Path) -> int | None:
    """Cheap total for the progress bar (None for an mbox, which would need a full scan)."""
    if _is_maildir(path):
        return sum(1 for d in ("cur", "new") for p in (path / d).iterdir() if p.is_file())
    if path.is_dir():
        return sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EML_SUFFIXES)
    return None if path.is_file() and _looks_like_mbox(path) else 1


def ingest(db: Database, path: Path, progress: bool = False) -> IngestReport:
    """Store every message found under ``path`` (already stored ones are recognised and skipped)."""
    report = IngestReport()
    total = count_messages(path) if path.exists() else None
    from tqdm import tqdm

    with tqdm(total=total, disable=not progress, unit="msg", desc="Import") as bar:
        for ref, raw in iter_raw_messages(path):
            result = add_message(db, raw, "file", ref)
            report.seen += 1
            if result.created:
                report.created += 1
            else:
                report.duplicates += 1
            bar.update(1)
    return report
