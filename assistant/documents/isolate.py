"""Read a document in a child process with a hard time limit and a memory ceiling.

The in-process budget is only checked between pages, rows and elements: a single pathological PDF page
or a library bug could still run long or allocate without bound. For untrusted mail, the intake can run
each attachment here; the child is killed at the deadline and cannot take the service's memory down.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection

from assistant.documents.limits import DocumentLimits
from assistant.documents.model import DocumentContent, DocumentError
from assistant.documents.readers import read_document

Reader = Callable[[str, "str | None", bytes, DocumentLimits], DocumentContent]

DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024


def _child(
    conn: Connection,
    reader: Reader,
    filename: str,
    content_type: str | None,
    data: bytes,
    limits: DocumentLimits,
    memory_bytes: int,
) -> None:
    with contextlib.suppress(ValueError, OSError):  # lowering is always allowed; tolerate odd platforms
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        conn.send(("ok", reader(filename, content_type, data, limits)))
    except DocumentError as exc:
        conn.send(("error", exc.reason))
    except MemoryError:
        conn.send(("error", "le document demande trop de mémoire pour être lu"))
    except BaseException:
        conn.send(("error", "le document n'a pas pu être lu (fichier endommagé ?) : enregistrez-le à nouveau"))
    finally:
        conn.close()


def read_document_isolated(
    filename: str,
    content_type: str | None,
    data: bytes,
    limits: DocumentLimits | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    reader: Reader = read_document,
    grace_seconds: float = 5.0,
) -> DocumentContent:
    """Like ``read_document``, in a spawned child killed after ``limits.max_seconds`` plus a grace period.

    Spawn (not fork): the service runs threads (asyncio, the Telegram bot) that a fork would copy
    mid-state. Costs a few hundred milliseconds per document.
    """
    limits = limits or DocumentLimits()
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, reader, filename, content_type, data, limits, memory_bytes),
        daemon=True,
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(limits.max_seconds + grace_seconds):
            raise DocumentError(
                filename,
                f"la lecture du document a dépassé le temps autorisé ({limits.max_seconds:g} s) : "
                "envoyez un document plus court, limité au questionnaire",
            )
        status, payload = receiver.recv()
    except (EOFError, OSError) as exc:  # the child died: killed by the memory ceiling or crashed
        raise DocumentError(
            filename, "la lecture du document a échoué (mémoire dépassée ou fichier endommagé)"
        ) from exc
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
    if status == "error":
        raise DocumentError(filename, payload)
    return payload
