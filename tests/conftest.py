"""Shared pytest fixtures. Server logic lives in tests/servers.py; keep this file thin."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from servers import DovecotServer, SmtpCapture, dovecot_binary, make_server_dir, remove_server_dir


@pytest.fixture(autouse=True, scope="session")
def _private_faq_index_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``assistant faq ask`` caches its index (see ``assistant.faq.index_cache``): the tests, and the
    commands they run, keep theirs in a temp dir rather than the user's ~/.cache."""
    previous = os.environ.get("TNL_ASSISTANT_CACHE_DIR")
    os.environ["TNL_ASSISTANT_CACHE_DIR"] = str(tmp_path_factory.mktemp("faq-index-cache"))
    yield
    if previous is None:
        os.environ.pop("TNL_ASSISTANT_CACHE_DIR", None)
    else:
        os.environ["TNL_ASSISTANT_CACHE_DIR"] = previous


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh, started Dovecot IMAP server with an empty mailbox, in its own temp dir.

    Skipped when dovecot is not installed, except under CI (env CI set) where that is a failure:
    CI must never silently skip the IMAP tests.
    """
    if dovecot_binary() is None:
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set: the IMAP tests must run in CI")
        pytest.skip(message)
    base_dir = make_server_dir("tnl-dovecot-")
    server = DovecotServer(base_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        remove_server_dir(base_dir)


@pytest.fixture
def smtp_capture() -> Iterator[SmtpCapture]:
    """A started SMTP relay on 127.0.0.1 that records what it receives (``.messages``)."""
    capture = SmtpCapture()
    capture.start()
    try:
        yield capture
    finally:
        capture.stop()
