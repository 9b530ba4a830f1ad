"""``assistant dossiers …``, ``assistant staff …`` and ``assistant purge`` through the real command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat

import pytest
from test_web import ANSWERS, LATER, candidature, incomplete_answers, ingest

from assistant import cli
from assistant.config import load_settings
from assistant.documents.readers import read_document
from assistant.dossiers import store as dstore
from assistant.staff import authenticate
from assistant.store.database import Database

FEATURES = ("assistant.dossiers.commands", "assistant.web.commands")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """Until cli.py lists them, register this feature's command modules for the tests."""
    missing = tuple(m for m in FEATURES if m not in cli._FEATURE_MODULES)
    monkeypatch.setattr(cli, "_FEATURE_MODULES", cli._FEATURE_MODULES + missing)


def write_config(tmp_path, closes: str = "2099-12-31", retention_days: int = 730):
    path = tmp_path / "config.toml"
    path.write_text(f"""
[store]
path = "tnl.sqlite3"
[outbox]
folder = "outbox"
[edition]
closes = {closes}
[privacy]
retention_days = {retention_days}
""", encoding="utf-8")
    return path


def run(config, *argv: str) -> int:
    return cli.main(["--config", str(config), *argv])


@pytest.fixture
def config(tmp_path):
    path = write_config(tmp_path)
    settings = load_settings(path)
    ingest(settings, candidature(incomplete_answers(), "<a1@saint-exemple.fr>"))
    ingest(settings, candidature({**ANSWERS, "0.1": "Ville du Val", "0.8": "dsi@val.fr"}, "<b1@val.fr>",
                                 sender="dsi@val.fr"))
    return path


def test_list_and_show(config, capsys):
    assert run(config, "dossiers", "list") == 0
    out = capsys.readouterr().out
    assert "TNL-2024-0001\tincomplet\tCommune de Saint-Exemple" in out and "2 dossier(s)" in out
    assert run(config, "dossiers", "list", "--state", "complet") == 0
    out = capsys.readouterr().out
    assert "TNL-2024-0002" in out and "TNL-2024-0001" not in out
    assert run(config, "dossiers", "show", "tnl-2024-0001") == 0
    out = capsys.readouterr().out
    assert "2. Bonnes pratiques numériques" in out and "→ MANQUANTE" in out and "Historique :" in out
    assert run(config, "dossiers", "show", "TNL-2024-0099") == 1


def test_state_actions_record_who(config, capsys):
    with pytest.raises(SystemExit):
        run(config, "dossiers", "complete", "TNL-2024-0001")  # --reason is required
    assert run(config, "dossiers", "complete", "TNL-2024-0001", "--reason", "reçu par la poste", "--by", "paul") == 0
    assert run(config, "dossiers", "withdraw", "TNL-2024-0001", "--by", "paul") == 0
    assert run(config, "dossiers", "reopen", "TNL-2024-0001", "--reason", "erreur") == 0
    assert "Dossier TNL-2024-0001 : incomplet" in capsys.readouterr().out
    assert run(config, "dossiers", "withdraw", "TNL-2024-0404") == 1
    with Database(load_settings(config).store.path) as db:
        actors = [e.actor for e in dstore.events(db, dstore.find_by_number(db, "TNL-2024-0001").id) if e.kind == "état"]
    assert actors[-3:-1] == ["paul", "paul"] and actors[-1].endswith("(ligne de commande)")


def test_remind_one_or_all_due(tmp_path, capsys):
    soon = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    config = write_config(tmp_path, closes=soon)
    settings = load_settings(config)
    ingest(settings, candidature(incomplete_answers(), "<a1@saint-exemple.fr>"))
    assert run(config, "dossiers", "remind", "--dry-run") == 0
    assert capsys.readouterr().out.strip() == "TNL-2024-0001"
    assert run(config, "dossiers", "remind", "--send") == 0
    out = capsys.readouterr().out
    assert "TNL-2024-0001 : relance en file d'attente pour dsi@saint-exemple.fr" in out
    assert "2 envoyé(s)" in out  # the reminder and the automatic reply that was still waiting
    sent = sorted((tmp_path / "outbox").iterdir())
    assert any(b"- 2.2 " in p.read_bytes() for p in sent)
    assert run(config, "dossiers", "remind") == 0  # at most one per period
    assert "Aucune relance automatique due" in capsys.readouterr().out
    assert run(config, "dossiers", "remind", "TNL-2024-0001", "--by", "marie") == 0
    with Database(settings.store.path) as db:
        rows = db.all("SELECT kind, actor FROM reminders ORDER BY id")
    assert [(r["kind"], r["actor"]) for r in rows] == [("automatique", "assistant"), ("manuelle", "marie")]


@pytest.mark.parametrize("fmt", ["ods", "csv", "json"])
def test_export(config, tmp_path, fmt, capsys):
    output = tmp_path / f"jury.{fmt}"
    assert run(config, "dossiers", "export", "--format", fmt, "-o", str(output)) == 0
    assert "2 dossier(s) exporté(s)" in capsys.readouterr().out
    data = output.read_bytes()
    if fmt == "json":
        parsed = json.loads(data)
        assert [q["id"] for q in parsed["questions"]][:2] == ["0.1", "0.2"]
        assert parsed["dossiers"][0]["manquantes"] == list(LATER)
        return
    content = read_document(output.name, None, data)
    rows = [b.cells for b in content.blocks if b.cells]
    header = rows[0]
    assert header[0] == "Numéro" and header[header.index("Collectivité")] == "Collectivité"
    question_headers = [h for h in header if h[:1].isdigit()]
    assert question_headers[0].startswith("0.1 Nom de la collectivité") and len(question_headers) > 25
    assert rows[1][0] == "TNL-2024-0001" and rows[2][2] == "Ville du Val"


def test_ods_export_keeps_formulas_and_markup_as_text(tmp_path):
    from assistant.dossiers import export

    table = export.JuryTable("2024", ["Numéro", "1.1 Q"], ["1.1"], ["Q"], [["TNL-2024-0001", "=1+1 <b>&\x01"]],
                             [], [])
    content = read_document("t.ods", None, export.to_ods(table))
    assert content.blocks[-1].cells == ("TNL-2024-0001", "=1+1 <b>&")
    assert b"'=1+1" in export.to_csv(table)


def test_rgpd_export(config, tmp_path, capsys):
    output = tmp_path / "rgpd.json"
    assert run(config, "dossiers", "rgpd-export", "commune de saint exemple", "-o", str(output)) == 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    data = json.loads(output.read_text(encoding="utf-8"))
    (dossier,) = data["dossiers"]
    assert dossier["numero"] == "TNL-2024-0001" and dossier["responsable_email"] == "dsi@saint-exemple.fr"
    assert dossier["messages"][0]["text"].startswith("Bonjour") and dossier["messages"][0]["headers"]
    assert dossier["reponses_envoyees"][0]["template"] == "dossier_incomplet"
    assert any(e["type"] == "création" for e in dossier["historique"])
    assert run(config, "dossiers", "rgpd-export", "TNL-2024-0002", "-o", str(output)) == 0
    assert json.loads(output.read_text(encoding="utf-8"))["dossiers"][0]["collectivite"] == "Ville du Val"
    assert run(config, "dossiers", "rgpd-export", "Inconnue", "-o", str(tmp_path / "x.json")) == 1


def test_staff_add_with_password_on_stdin(config, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe solide\n"))
    assert run(config, "staff", "add", "marie", "--password-stdin") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert run(config, "staff", "add", "paul", "--password-stdin") == 1
    assert "trop court" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("un autre mot de passe\n"))
    assert run(config, "staff", "add", "marie", "--password-stdin") == 1
    assert run(config, "staff", "list") == 0
    assert "marie\tcréé le" in capsys.readouterr().out
    with Database(load_settings(config).store.path) as db:
        assert authenticate(db, "marie", "un mot de passe solide", max_failed=3,
                            lockout=dt.timedelta(minutes=5)).user is not None
        for _ in range(3):
            authenticate(db, "marie", "faux", max_failed=3, lockout=dt.timedelta(minutes=5))
        assert authenticate(db, "marie", "un mot de passe solide", max_failed=3,
                            lockout=dt.timedelta(minutes=5)).locked
    assert run(config, "staff", "unlock", "marie") == 0
    with Database(load_settings(config).store.path) as db:
        assert authenticate(db, "marie", "un mot de passe solide", max_failed=3,
                            lockout=dt.timedelta(minutes=5)).user is not None


def test_purge_is_a_dry_run_unless_applied(tmp_path, capsys):
    config = write_config(tmp_path, closes="2024-11-08", retention_days=365)  # candidatures arrive late: closed
    settings = load_settings(config)
    ingest(settings, candidature(ANSWERS, "<old@saint-exemple.fr>"))
    ingest(settings, candidature({**ANSWERS, "0.1": "Ville du Val", "0.8": "dsi@val.fr"}, "<new@val.fr>",
                                 sender="dsi@val.fr"))
    with Database(settings.store.path) as db:
        assert {d.state for d in dstore.list_dossiers(db)} == {dstore.STATE_LATE}
        db.execute("UPDATE dossiers SET updated_at = '2020-01-01T00:00:00.000000Z' WHERE number = 'TNL-2024-0001'")
        db.execute("UPDATE dossiers SET updated_at = '2020-01-01T00:00:00.000000Z', state = 'incomplet' "
                   "WHERE number = 'TNL-2024-0002'")  # open dossiers are never purged
    assert run(config, "purge") == 0
    out = capsys.readouterr().out
    assert "Serait supprimé : TNL-2024-0001" in out and "TNL-2024-0002" not in out and "--apply" in out
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM dossiers")["n"] == 2
    assert run(config, "purge", "--apply") == 0
    assert "Supprimé : TNL-2024-0001 (hors délai, Commune de Saint-Exemple" in capsys.readouterr().out
    with Database(settings.store.path) as db:
        assert [d.number for d in dstore.list_dossiers(db)] == ["TNL-2024-0002"]
        senders = [r["sender"] for r in db.all("SELECT sender FROM messages")]
        assert senders == ["dsi@val.fr"]
        assert [r["recipient"] for r in db.all("SELECT recipient FROM outbox")] == ["dsi@val.fr"]
        assert db.one("SELECT COUNT(*) AS n FROM dossier_answers WHERE dossier_id NOT IN "
                      "(SELECT id FROM dossiers)")["n"] == 0
        assert db.one("SELECT COUNT(*) AS n FROM dossier_events WHERE dossier_id NOT IN "
                      "(SELECT id FROM dossiers)")["n"] == 0
    assert run(config, "purge") == 0
    assert "Rien à supprimer" in capsys.readouterr().out
