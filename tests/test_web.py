"""The staff dashboard over HTTP (Starlette's TestClient): every route, login, CSRF, lock-out, actions, exports."""

from __future__ import annotations

import email.utils
import json
import logging
import re
import shutil
import stat
import tomllib
from email.message import EmailMessage

import pytest
from intake_support import LABEL, make_message, make_settings
from starlette.testclient import TestClient

from assistant.documents.readers import read_document
from assistant.dossiers import store as dstore
from assistant.faq.corpus import default_directory, load_corpus
from assistant.faq.log import get_question, record_question
from assistant.runner import build_pipeline
from assistant.staff import add_user
from assistant.store import messages as msg_store
from assistant.store.database import Database
from assistant.web.app import ROUTES, SESSION_COOKIE, create_app
from assistant.web.security import SECRET_FILE_NAME, download_headers, safe_filename

PASSWORD = "correct horse battery"
ANSWERS = {
    "0.1": "Commune de Saint-Exemple", "0.2": "commune", "0.3": "34", "0.4": "5 600",
    "0.5": "Claudine Martin, adjointe au numérique", "0.6": "claudine.martin@saint-exemple.fr",
    "0.7": "Jean Dupont, DSI", "0.8": "dsi@saint-exemple.fr",
    "1.1": "Souveraineté numérique et maîtrise des coûts", "1.2": "Le maire et la direction générale",
    "1.3": "Habitudes des agents", "1.4": "Migration bureautique en 2025", "1.5": "Oui",
    "1.6": "Environ 30 % via l'opérateur public", "2.1": "ODF, CSV", "2.2": "Non, pas encore audité",
    "2.3": "Réemploi des postes", "3.1": "LibreOffice, Firefox", "3.2": "openCimetière", "3.3": "Debian",
    "3.4": "12", "4.1": "Ateliers internes", "4.2": "Réunion publique annuelle", "4.3": "Signalement d'anomalies",
    "5.1": "https://data.saint-exemple.fr", "5.2": "14", "5.3": "Licence Ouverte 2.0",
    "5.5": "DPO mutualisé avec le centre de gestion",
}  # fmt: skip
LATER = ("2.2", "4.2", "5.3")


def candidature(answers: dict[str, str], message_id: str, sender: str = "Jean Dupont <dsi@saint-exemple.fr>",
                subject: str = "Candidature TNL", attachments: list[tuple[str, str, bytes]] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = LABEL
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id
    lines = ["Bonjour,", "", "Voici nos réponses :", "", *(f"{q} {t}" for q, t in answers.items()), "", "Jean"]
    msg.set_content("\n".join(lines))
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def ingest(settings, raw: bytes) -> int:
    """Store a message and run the real pipeline on it (replies stay queued in the outbox)."""
    with Database(settings.store.path) as db:
        stored = msg_store.add_message(db, raw, "test")
        build_pipeline(db, settings).run_pending()
    return stored.id


def incomplete_answers() -> dict[str, str]:
    return {k: v for k, v in ANSWERS.items() if k not in LATER}


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, edition={"closes": "2099-12-31"}, web={"max_failed_logins": 3})


@pytest.fixture
def faq_dir(tmp_path):
    folder = tmp_path / "faq"
    shutil.copytree(default_directory(), folder)
    return folder


@pytest.fixture
def app(settings, faq_dir):
    with Database(settings.store.path) as db:
        add_user(db, "marie", PASSWORD)
    return create_app(settings, faq_dir=faq_dir)


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, name: str = "marie", password: str = PASSWORD, next_path: str = "/"):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "next": next_path,
                                       "csrf_token": token})


@pytest.fixture
def staff_client(client):
    assert login(client).status_code == 303
    return client


def results(client: TestClient, **params: str) -> str:
    """The dossier table of the dashboard (not the staff queue above it)."""
    return client.get("/", params=params).text.split('<table class="list">', 1)[1]


def token(client: TestClient, path: str = "/") -> str:
    return csrf_of(client.get(path).text)


@pytest.fixture
def dossiers(settings):
    """One incomplete dossier (with two attachments) and one complete, both through the real pipeline."""
    ingest(settings, candidature(incomplete_answers(), "<a1@saint-exemple.fr>", attachments=[
        ("Réponses d'été/../..\\annexe.txt", "text/plain", b"1.1 Annexe"),
        ("page.html", "text/html", b"<p>Notre charte</p><script>alert(1)</script>"),
    ]))
    other = {**ANSWERS, "0.1": "Communauté de communes du Val", "0.2": "EPCI", "0.3": "29",
             "0.8": "dsi@val.fr"}
    ingest(settings, candidature(other, "<b1@val.fr>", sender="DSI <dsi@val.fr>", subject="Dossier du Val"))
    with Database(settings.store.path) as db:
        first, second = dstore.list_dossiers(db)
    assert first.state == dstore.STATE_INCOMPLETE and second.state == dstore.STATE_COMPLETE
    return first, second


# --------------------------------------------------------------------------------------------------------
# Permissions

GET_PATHS = ["/", "/dossiers/TNL-2024-0001", "/dossiers/TNL-2024-0001/messages/1/pieces/0", "/quarantaine", "/faq",
             "/export/ods", "/export/csv", "/export/json"]
POST_PATHS = ["/dossiers/TNL-2024-0001/relance", "/dossiers/TNL-2024-0001/complet",
              "/dossiers/TNL-2024-0001/retrait", "/dossiers/TNL-2024-0001/reouverture",
              "/dossiers/TNL-2024-0001/signalement", "/quarantaine/1/retraiter", "/faq/1/formulation",
              "/faq/1/hors-champ", "/faq/1/entree", "/faq/1/traitee"]
PUBLIC = {"/login", "/static/style.css"}


def test_every_route_is_covered_by_these_tests():
    declared = {re.sub(r"\{[^}]+\}", "X", r.path) for r in ROUTES}
    tested = {re.sub(r"/(TNL-2024-0001|\d+|ods|csv|json)(?=/|$)", "/X", p) for p in GET_PATHS + POST_PATHS}
    assert declared == tested | PUBLIC | {"/logout"}


@pytest.mark.parametrize("path", GET_PATHS)
def test_anonymous_get_is_sent_to_login(client, dossiers, path):
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", POST_PATHS)
def test_anonymous_post_is_sent_to_login_and_changes_nothing(client, settings, dossiers, path):
    response = client.post(path, data={"reason": "x", "entry_id": "cout"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM reminders")["n"] == 0
        assert dstore.find_by_number(db, "TNL-2024-0001").state == dstore.STATE_INCOMPLETE


@pytest.mark.parametrize("path", POST_PATHS)
@pytest.mark.parametrize("csrf", [None, "", "forged-token"])
def test_post_without_the_session_csrf_token_is_refused(staff_client, settings, dossiers, path, csrf):
    data = {"reason": "motif", "entry_id": "cout"}
    if csrf is not None:
        data["csrf_token"] = csrf
    response = staff_client.post(path, data=data)
    assert response.status_code == 403
    assert "Requête refusée" in response.text
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM reminders")["n"] == 0
        assert dstore.find_by_number(db, "TNL-2024-0001").state == dstore.STATE_INCOMPLETE


def test_login_and_logout_need_csrf_too(client):
    assert client.post("/login", data={"name": "marie", "password": PASSWORD}).status_code == 403
    assert login(client).status_code == 303
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    assert client.get("/").status_code == 200


def test_public_pages(client):
    page = client.get("/login")
    assert page.status_code == 200 and "Connexion de l'équipe" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


# --------------------------------------------------------------------------------------------------------
# Log-in, sessions, lock-out


def test_login_logout_and_session_cookie(client, settings):
    bad = login(client, password="wrong password")
    assert bad.status_code == 401 and "Nom ou mot de passe incorrect" in bad.text
    unknown = login(client, name="nobody")
    assert unknown.status_code == 401 and "Nom ou mot de passe incorrect" in unknown.text
    ok = login(client, next_path="/faq")
    assert ok.status_code == 303 and ok.headers["location"] == "/faq"
    cookie = ok.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
    home = client.get("/")
    assert home.status_code == 200 and "marie" in home.text
    out = client.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    with Database(settings.store.path) as db:
        row = db.one("SELECT failed_logins, last_login_at FROM staff_users WHERE name = 'marie'")
        assert row["failed_logins"] == 0 and row["last_login_at"] is not None


def test_login_redirect_target_stays_on_this_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = login(client, next_path=target)
        assert response.headers["location"] == "/"
        client.cookies.clear()


def test_forged_session_cookie_is_ignored(client):
    client.cookies.set(SESSION_COOKIE, "eyJ1c2VyIjogIm1hcmllIn0=.forged.signature")
    assert client.get("/").status_code == 303


def test_secure_cookie_when_configured(tmp_path):
    settings = make_settings(tmp_path, web={"secure_cookies": True, "secret_key": "k" * 40})
    with Database(settings.store.path) as db:
        add_user(db, "marie", PASSWORD)
    with TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False) as c:
        assert "secure" in login(c).headers["set-cookie"].lower()


def test_lockout_after_repeated_failures(client, settings):
    for _ in range(2):
        assert login(client, password="nope nope nope").status_code == 401
    third = login(client, password="nope nope nope")
    assert "verrouillé" in third.text
    locked = login(client)  # the right password is refused while locked
    assert locked.status_code == 401 and "verrouillé" in locked.text
    with Database(settings.store.path) as db:
        assert db.one("SELECT locked_until FROM staff_users")["locked_until"] is not None
        db.execute("UPDATE staff_users SET locked_until = '2000-01-01T00:00:00.000000Z'")  # the lock-out is over
    assert login(client).status_code == 303


def test_a_logged_in_session_ends_when_the_account_is_locked_or_removed(staff_client, settings):
    assert staff_client.get("/").status_code == 200
    with Database(settings.store.path) as db:
        db.execute("DELETE FROM staff_users")
    assert staff_client.get("/").status_code == 303


def test_secret_key_is_generated_once_in_a_private_file(tmp_path):
    settings = make_settings(tmp_path)
    create_app(settings)
    key_file = tmp_path / SECRET_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    create_app(settings)
    assert key_file.read_text() == first


def test_password_hash_format(settings):
    with Database(settings.store.path) as db:
        add_user(db, "paul", PASSWORD)
        stored = db.one("SELECT password_hash FROM staff_users WHERE name = 'paul'")["password_hash"]
    scheme, n, _r, _p, salt, key = stored.split("$")
    assert scheme == "scrypt" and int(n) >= 2**14 and len(bytes.fromhex(salt)) == 16 and len(key) == 64


# --------------------------------------------------------------------------------------------------------
# Pages


def test_dashboard_counts_queue_and_filters(staff_client, settings, dossiers):
    page = staff_client.get("/").text
    assert "Incomplet <span class=\"count\">1</span>" in page and "Complet <span class=\"count\">1</span>" in page
    assert "Hors délai <span class=\"count\">0</span>" in page and "Retiré <span class=\"count\">0</span>" in page
    assert "TNL-2024-0001" in page and "TNL-2024-0002" in page
    only = results(staff_client, state="incomplet")
    assert "TNL-2024-0001" in only and "Communauté de communes du Val" not in only
    by_type = results(staff_client, structure_type="EPCI")
    assert "/dossiers/TNL-2024-0002" in by_type and "/dossiers/TNL-2024-0001" not in by_type
    by_dep = results(staff_client, departement="34")
    assert "/dossiers/TNL-2024-0001" in by_dep and "/dossiers/TNL-2024-0002" not in by_dep
    by_volet = results(staff_client, volet="4")  # 4.2 is missing in the first dossier
    assert "/dossiers/TNL-2024-0001" in by_volet and "/dossiers/TNL-2024-0002" not in by_volet
    assert "/dossiers/TNL-2024-0001" not in results(staff_client, volet="1")
    search = results(staff_client, q="val")
    assert "/dossiers/TNL-2024-0002" in search and "/dossiers/TNL-2024-0001" not in search
    assert "/dossiers/TNL-2024-0001" in results(staff_client, q="tnl-2024-0001")


def test_waiting_on_staff_lists_flags_and_notices(staff_client, settings, dossiers):
    assert "En attente de l'équipe" not in staff_client.get("/").text
    with Database(settings.store.path) as db:
        db.execute("UPDATE dossiers SET staff_flag = 'scan.pdf : image sans texte' WHERE number = 'TNL-2024-0002'")
    page = staff_client.get("/").text
    assert "En attente de l'équipe" in page and "scan.pdf : image sans texte" in page
    # The same sender writes from a new thread: a suggestion the staff must check, listed with the dossier.
    ingest(settings, candidature({"3.4": "15", "3.1": "LibreOffice", "3.2": "QGIS"}, "<a2@saint-exemple.fr>",
                                 subject="Nos compléments"))
    page = staff_client.get("/").text
    assert "rattachement" in page and "semble compléter le dossier TNL-2024-0001" in page
    dossier_page = staff_client.get("/dossiers/TNL-2024-0001").text
    response = staff_client.post("/dossiers/TNL-2024-0001/signalement", data={"csrf_token": csrf_of(dossier_page)})
    assert response.status_code == 303
    assert "1 avis clos" in staff_client.get("/dossiers/TNL-2024-0001").text
    with Database(settings.store.path) as db:
        events = dstore.events(db, dstore.find_by_number(db, "TNL-2024-0001").id)
        assert events[-1].kind == "signalement" and events[-1].actor == "marie"


def test_dossier_page_shows_answers_thread_and_history(staff_client, dossiers):
    page = staff_client.get("/dossiers/TNL-2024-0001")
    assert page.status_code == 200
    html = page.text
    assert "Commune de Saint-Exemple" in html and "Bonnes pratiques numériques" in html
    for qid in LATER:
        assert re.search(rf'<tr class="status-manquante">\s*<td class="qid">{re.escape(qid)}</td>', html)
    assert re.search(r'<tr class="status-ok">\s*<td class="qid">1\.1</td>', html)
    assert "corps du message" in html or "message n° 1" in html  # the answers' source
    assert "message reçu" in html and "réponse automatique : dossier incomplet" in html  # the thread
    assert "Il manque encore" in html  # text body of the automatic reply
    assert "annexe.txt" in html and "/dossiers/TNL-2024-0001/messages/1/pieces/0" in html
    assert "Historique" in html and "création" in html
    assert 'id="send-reminder"' in html
    assert staff_client.get("/dossiers/TNL-2024-0042").status_code == 404


def test_pages_are_autoescaped(staff_client, settings):
    hostile = {**incomplete_answers(), "0.1": "<script>alert('x')</script> Ville"}
    ingest(settings, candidature(hostile, "<x1@hostile.fr>", sender="x@hostile.fr"))
    for path in ("/", "/dossiers/TNL-2024-0001"):
        html = staff_client.get(path).text
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_attachments_are_downloads_with_safe_names(staff_client, settings, dossiers):
    text = staff_client.get("/dossiers/TNL-2024-0001/messages/1/pieces/0")
    assert text.status_code == 200 and text.content == b"1.1 Annexe"
    disposition = text.headers["content-disposition"]
    assert disposition.startswith("attachment;") and '/' not in disposition.split("filename=")[1].split(";")[0]
    assert "annexe.txt" in disposition and text.headers["content-type"].startswith("text/plain")
    html = staff_client.get("/dossiers/TNL-2024-0001/messages/1/pieces/1")
    assert html.headers["content-type"] == "application/octet-stream"  # never rendered by the browser
    assert html.headers["content-disposition"].startswith('attachment; filename="page.html"')
    assert "sandbox" in html.headers["content-security-policy"]
    assert staff_client.get("/dossiers/TNL-2024-0001/messages/1/pieces/7").status_code == 404
    # A message of another dossier is not reachable through this one.
    assert staff_client.get("/dossiers/TNL-2024-0001/messages/2/pieces/0").status_code == 404


def test_safe_filename_and_download_type():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("Réponses été 2024.odt") == "Reponses_ete_2024.odt"
    assert safe_filename("...") == "piece-jointe"
    assert safe_filename('a"b;c\r\n.pdf') == "a_b_c_.pdf"
    assert download_headers("x.svg", "image/svg+xml")[0] == "application/octet-stream"
    assert download_headers("questionnaire.ods", "application/octet-stream")[0] == (
        "application/vnd.oasis.opendocument.spreadsheet")
    assert download_headers("sans-nom", "application/pdf")[0] == "application/pdf"


# --------------------------------------------------------------------------------------------------------
# Actions


def test_send_reminder_records_who_and_queues_the_missing_list(staff_client, settings, dossiers):
    response = staff_client.post("/dossiers/TNL-2024-0001/relance",
                                 data={"csrf_token": token(staff_client, "/dossiers/TNL-2024-0001")})
    assert response.status_code == 303 and response.headers["location"] == "/dossiers/TNL-2024-0001"
    page = staff_client.get("/dossiers/TNL-2024-0001").text
    assert "Relance mise en file d&#39;attente pour dsi@saint-exemple.fr" in page
    assert "relance manuelle envoyée" in page and ">marie<" in page
    with Database(settings.store.path) as db:
        row = db.one("SELECT r.actor, o.template, o.recipient, o.raw FROM reminders r JOIN outbox o ON o.id = r.outbox")
        assert (row["actor"], row["template"], row["recipient"]) == ("marie", "relance", "dsi@saint-exemple.fr")
        assert all(f"- {qid} ".encode() in row["raw"] for qid in LATER)
    # A complete dossier gets no reminder: the error is shown, nothing is queued.
    staff_client.post("/dossiers/TNL-2024-0002/relance",
                      data={"csrf_token": token(staff_client, "/dossiers/TNL-2024-0002")})
    assert "pas de relance" in staff_client.get("/dossiers/TNL-2024-0002").text
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM reminders")["n"] == 1


def test_complete_needs_a_reason_then_withdraw_and_reopen(staff_client, settings, dossiers):
    path = "/dossiers/TNL-2024-0001"
    staff_client.post(f"{path}/complet", data={"csrf_token": token(staff_client, path), "reason": "  "})
    assert "un motif est obligatoire" in staff_client.get(path).text
    with Database(settings.store.path) as db:
        assert dstore.find_by_number(db, "TNL-2024-0001").state == dstore.STATE_INCOMPLETE
    staff_client.post(f"{path}/complet", data={"csrf_token": token(staff_client, path),
                                               "reason": "pièces reçues par courrier postal"})
    staff_client.post(f"{path}/retrait", data={"csrf_token": token(staff_client, path), "reason": "renonce"})
    with Database(settings.store.path) as db:
        assert dstore.find_by_number(db, "TNL-2024-0001").state == dstore.STATE_WITHDRAWN
    staff_client.post(f"{path}/reouverture", data={"csrf_token": token(staff_client, path), "reason": "erreur"})
    with Database(settings.store.path) as db:
        d = dstore.find_by_number(db, "TNL-2024-0001")
        assert d.state == dstore.STATE_INCOMPLETE  # back to what the answers say
        states = [(e.actor, e.detail) for e in dstore.events(db, d.id) if e.kind == "état" and e.actor == "marie"]
    assert states == [("marie", "complet : forcé complet : pièces reçues par courrier postal"),
                      ("marie", "retiré : renonce"), ("marie", "incomplet : rouvert : erreur")]


def test_quarantined_mail_is_listed_and_retried(staff_client, settings):
    raw = make_message(body="Bonjour, la participation au label est-elle payante ?")
    with Database(settings.store.path) as db:
        stored = msg_store.add_message(db, raw, "test")
        msg_store.record_failure(db, stored.id, "RuntimeError: base verrouillée", quarantine=True)
    page = staff_client.get("/quarantaine").text
    assert f"Message n° {stored.id}" in page and "RuntimeError: base verrouillée" in page
    response = staff_client.post(f"/quarantaine/{stored.id}/retraiter", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    page = staff_client.get("/quarantaine").text
    assert f"Message n° {stored.id} retraité" in page and "Aucun message en quarantaine" in page
    with Database(settings.store.path) as db:
        assert msg_store.get_message(db, stored.id).state == msg_store.STATE_DONE
    staff_client.post(f"/quarantaine/{stored.id}/retraiter", data={"csrf_token": csrf_of(page)})
    assert "n&#39;est pas (ou plus) en quarantaine" in staff_client.get("/quarantaine").text


def _question(settings, text: str) -> int:
    with Database(settings.store.path) as db:
        return record_question(db, channel="courriel", question=text, zone="abstain", entry_id=None, score=0.2,
                               alternatives=["cout"])


def test_faq_question_added_as_phrasing(staff_client, settings, faq_dir):
    qid = _question(settings, "Faut-il sortir le chéquier pour candidater ?")
    page = staff_client.get("/faq").text
    assert "Faut-il sortir le chéquier pour candidater ?" in page and 'value="cout" selected' in page
    staff_client.post(f"/faq/{qid}/formulation", data={"csrf_token": csrf_of(page), "entry_id": "cout"})
    entry = tomllib.loads((faq_dir / "cout.toml").read_text(encoding="utf-8"))
    assert "Faut-il sortir le chéquier pour candidater ?" in entry["phrasings"]
    page = staff_client.get("/faq").text
    assert "Question ajoutée aux formulations" in page and "Aucune question en attente" in page
    with Database(settings.store.path) as db:
        assert get_question(db, qid).resolved_at is not None


def test_faq_question_recorded_as_off_topic(staff_client, settings, faq_dir):
    qid = _question(settings, "Combien d'habitants compte la ville de Rodez ?")
    page = staff_client.get("/faq").text
    assert f'action="/faq/{qid}/hors-champ"' in page
    staff_client.post(f"/faq/{qid}/hors-champ", data={"csrf_token": csrf_of(page)})
    assert "Combien d'habitants compte la ville de Rodez ?" in load_corpus(faq_dir).off_topic
    page = staff_client.get("/faq").text
    assert "notée hors du champ de la FAQ" in page and "Aucune question en attente" in page
    staff_client.post("/faq/999/hors-champ", data={"csrf_token": csrf_of(page)})
    assert "Question non notée hors champ : question n° 999 inconnue" in staff_client.get("/faq").text


def test_faq_question_as_a_new_entry_validated_and_bad_ids_refused(staff_client, settings, faq_dir):
    qid = _question(settings, "Peut-on candidater en tant que syndicat mixte ?")
    csrf = token(staff_client, "/faq")
    before = sorted(p.name for p in faq_dir.iterdir())
    for bad_id in ("../evil", "Majuscules", "cout", "a b", ""):
        staff_client.post(f"/faq/{qid}/entree", data={"csrf_token": csrf, "entry_id": bad_id,
                                                      "question": "Q ?", "answer": "R."})
    broken_link = {"csrf_token": csrf, "entry_id": "lien", "question": "Q ?", "answer": "Voir [ici](absent.pdf)."}
    staff_client.post(f"/faq/{qid}/entree", data=broken_link)
    page = staff_client.get("/faq").text
    assert "Entrée non créée" in page and "existe déjà" in page and "lien cassé" in page
    assert sorted(p.name for p in faq_dir.iterdir()) == before
    staff_client.post(f"/faq/{qid}/entree", data={
        "csrf_token": csrf, "entry_id": "syndicats-mixtes", "question": "Un syndicat mixte peut-il candidater ?",
        "keywords": "syndicat, mixte", "answer": "Oui : un syndicat mixte est une collectivité.\n\nÉcrivez-nous."})
    corpus = load_corpus(faq_dir)
    entry = corpus.get("syndicats-mixtes")
    assert entry is not None and entry.phrasings == ("Peut-on candidater en tant que syndicat mixte ?",)
    assert entry.keywords == ("syndicat", "mixte") and "Écrivez-nous." in entry.answer


def test_faq_question_marked_handled(staff_client, settings):
    qid = _question(settings, "Question hors sujet")
    staff_client.post(f"/faq/{qid}/traitee", data={"csrf_token": token(staff_client, "/faq")})
    with Database(settings.store.path) as db:
        assert get_question(db, qid).resolution == "traitée par marie"


# --------------------------------------------------------------------------------------------------------
# Exports


def test_export_downloads(staff_client, dossiers):
    ods = staff_client.get("/export/ods")
    assert ods.status_code == 200
    assert ods.headers["content-type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert ods.headers["content-disposition"] == 'attachment; filename="tnl-dossiers-2024.ods"'
    content = read_document("tnl-dossiers-2024.ods", None, ods.content)
    rows = [b.cells for b in content.blocks if b.cells]
    assert rows[0][:3] == ("Numéro", "État", "Collectivité") and any(c.startswith("1.1 ") for c in rows[0])
    assert rows[1][:3] == ("TNL-2024-0001", "incomplet", "Commune de Saint-Exemple")
    assert rows[2][0] == "TNL-2024-0002"
    csv_file = staff_client.get("/export/csv")
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbfNum\xc3\xa9ro,")
    data = json.loads(staff_client.get("/export/json").content)
    assert [d["numero"] for d in data["dossiers"]] == ["TNL-2024-0001", "TNL-2024-0002"]
    assert data["dossiers"][0]["reponses"]["0.1"] == "Commune de Saint-Exemple"
    assert staff_client.get("/export/xls").status_code == 404


# --------------------------------------------------------------------------------------------------------
# Personal data stays out of the journal


def test_no_personal_data_in_web_logs(client, settings, dossiers, caplog):
    caplog.set_level(logging.DEBUG)
    staff_client = client
    login(staff_client, password="wrong password")
    login(staff_client)
    staff_client.get("/dossiers/TNL-2024-0001")
    staff_client.get("/export/csv")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("assistant.web", "assistant.staff"))]
    assert ours, "the web layer logs its events"
    for line in ours:
        assert "marie" not in line and "saint-exemple" not in line and PASSWORD not in line
