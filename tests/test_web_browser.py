"""End to end in a real headless browser: Debian's chromium driven by Playwright, against a real uvicorn server.

A candidature arrives through the Dovecot fixture, staff log in, open the incomplete dossier, send a
reminder; the next run of the assistant sends it and the SMTP capture server receives it.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from intake_support import make_settings
from servers import LOCALHOST, free_port
from test_web import LATER, PASSWORD, candidature, incomplete_answers

from assistant.runner import Runner
from assistant.staff import add_user
from assistant.store.database import Database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _require_browser() -> None:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install playwright; no browser download needed)")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set: the browser test must run in CI")
        pytest.skip(message)


class DashboardServer:
    """The dashboard served by a real uvicorn on a free port, in a thread."""

    def __init__(self, settings) -> None:
        import uvicorn

        from assistant.web.app import create_app

        self.port = free_port()
        config = uvicorn.Config(create_app(settings), host=LOCALHOST, port=self.port, log_level="warning",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def __enter__(self) -> DashboardServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the dashboard server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run_once(settings) -> None:
    runner = Runner(settings)
    try:
        runner.run_once()
    finally:
        runner.close()


def test_staff_send_a_reminder_from_the_browser(tmp_path, dovecot, smtp_capture):
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    dovecot.append(candidature(incomplete_answers(), "<e2e@saint-exemple.fr>", subject="Candidature Saint-Exemple"))
    run_once(settings)
    (automatic,) = smtp_capture.wait_for(1)  # the missing list, sent automatically
    with Database(settings.store.path) as db:
        add_user(db, "marie", PASSWORD)

    ARTIFACTS.mkdir(exist_ok=True)
    with DashboardServer(settings) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1150}, locale="fr-FR")
            page.goto(server.url + "/")
            expect(page).to_have_url(f"{server.url}/login?next=/")
            page.fill("#name", "marie")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("Dossiers de l'édition 2024")
            page.click("text=TNL-2024-0001")
            expect(page.locator("h1")).to_contain_text("TNL-2024-0001 — Commune de Saint-Exemple")
            for qid in LATER:
                expect(page.locator("tr.status-manquante td.qid", has_text=qid)).to_be_visible()
            expect(page.locator("article.mail")).to_have_count(2)  # the candidature and the automatic reply
            page.click("#send-reminder")
            flash = page.locator(".flash-ok")
            expect(flash).to_contain_text("Relance mise en file d'attente pour dsi@saint-exemple.fr")
            expect(page.locator(".history")).to_contain_text("relance manuelle envoyée")
            page.screenshot(path=str(ARTIFACTS / "dossier.png"), full_page=False)
        finally:
            browser.close()

    run_once(settings)  # the assistant's next pass sends the queued reminder
    reminder = smtp_capture.wait_for(2)[1].message
    assert reminder["Subject"] == "Re: [TNL-2024-0001] Candidature Saint-Exemple"
    assert reminder["In-Reply-To"] == "<e2e@saint-exemple.fr>"
    assert reminder["To"] == "dsi@saint-exemple.fr"
    text = reminder.get_body(("plain",)).get_content()
    assert all(f"- {qid} " in text for qid in LATER)
    assert automatic.message["Message-ID"] != reminder["Message-ID"]
    assert (ARTIFACTS / "dossier.png").stat().st_size > 10_000
