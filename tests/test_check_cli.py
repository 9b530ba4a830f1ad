"""``assistant check MESSAGE.eml``: the verdict for one message, human and JSON, without any store."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_answers import COMPLETE_NUMBERED, INLINE_REPLY

from assistant.cli import main
from assistant.questionnaire.export import fill_form, render_form
from assistant.questionnaire.model import load_questionnaire

DATA = Path(__file__).resolve().parent / "data" / "candidatures"
Q = load_questionnaire("2024")


def eml(
    tmp_path: Path, body: str | None = None, *, html: str | None = None, name: str = "m.eml", charset: str = "utf-8"
) -> Path:
    msg = EmailMessage()
    msg["From"] = "Marie Martin <marie.martin@saint-martin.fr>"
    msg["To"] = "label@territoire-numerique-libre.org"
    msg["Subject"] = "Candidature TNL 2024"
    if body is not None:
        msg.set_content(body, charset=charset)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    path = tmp_path / name
    path.write_bytes(bytes(msg))
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["check", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_complete_body_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, str(eml(tmp_path, COMPLETE_NUMBERED)))
    assert code == 0
    assert data["complete"] is True and data["missing"] == [] and data["invalid"] == {}
    assert data["answers"]["0.1"] == "Commune de Saint-Martin-de-Londres"
    assert data["sources"]["0.1"].startswith("corps du message")
    assert data["unreadable"] == [] and data["edition"] == "2024"


def test_human_report_per_volet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = COMPLETE_NUMBERED.replace("3.4 environ 40", "3.4 beaucoup").replace("5.2 12\n", "")
    code = main(["check", str(eml(tmp_path, body))])
    out = capsys.readouterr().out
    assert code == 1
    assert "Dossier INCOMPLET" in out and "5. Gestion des données" in out
    assert "✘ 5.2 Combien de jeux de données avez-vous publiés ? — réponse obligatoire manquante" in out
    assert "⚠ 3.4" in out and "un nombre est attendu" in out
    assert "✔ 0.1 Nom de la collectivité" in out


def test_inline_reply_and_edition_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(capsys, str(eml(tmp_path, INLINE_REPLY)), "--edition", "2024")
    assert code == 1
    assert data["answers"] == {
        "0.6": "paul.durand@lodeve.fr",
        "3.4": "45 postes",
        "5.3": "Licence ouverte Etalab",
        "1.2": "Le conseil municipal unanime",
    }
    assert "5.2" in data["missing"]


def test_html_only_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(
        f"<tr><td>{qid}</td><td>question</td><td>{text}</td></tr>"
        for qid, text in [("0.1", "Ville de Sète"), ("0.4", "44&nbsp;000"), ("0.6", "elu@sete.fr")]
    )
    html = f"<html><body><p>Bonjour,</p><table>{rows}</table><p>Cordialement</p></body></html>"
    code, data = run_json(capsys, str(eml(tmp_path, html=html)))
    assert data["answers"] == {"0.1": "Ville de Sète", "0.4": "44 000", "0.6": "elu@sete.fr"}
    assert code == 1 and "0.2" in data["missing"]


def test_latin1_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = eml(tmp_path, "0.1 Commune d'Évian\n1.3 Les habitudes\n", charset="iso-8859-1")
    assert b"=C9vian" in path.read_bytes() or b"\xc9vian" in path.read_bytes()
    _, data = run_json(capsys, str(path))
    assert data["answers"]["0.1"] == "Commune d'Évian"


@pytest.mark.parametrize("fmt", ["odt", "docx", "md"])
def test_attachment_overrides_body_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    answers = {"1.1": "Souveraineté", "3.4": "120", "0.6": "elu@ville.fr"}
    msg = EmailMessage()
    msg["From"] = "a@ville.fr"
    msg["Subject"] = "Candidature"
    msg.set_content("Bonjour,\n1.1 voir pièce jointe\n")
    msg.add_attachment(
        fill_form(Q, fmt, render_form(Q, fmt), answers),
        maintype="application",
        subtype="octet-stream",
        filename=f"réponses.{fmt}",
    )
    path = tmp_path / "a.eml"
    path.write_bytes(bytes(msg))
    _, data = run_json(capsys, str(path))
    assert {k: v for k, v in data["answers"].items()} == answers
    assert data["sources"]["3.4"].startswith(f"réponses.{fmt}")


def test_unreadable_attachment_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = EmailMessage()
    msg["From"] = "a@ville.fr"
    msg["Subject"] = "Candidature"
    msg.set_content("0.1 Ville de Sète\n")
    msg.add_attachment(
        b"PK\x03\x04 pas un zip",
        maintype="application",
        subtype="vnd.oasis.opendocument.text",
        filename="questionnaire.odt",
    )
    path = tmp_path / "b.eml"
    path.write_bytes(bytes(msg))
    code, data = run_json(capsys, str(path))
    assert code == 1
    assert [u["filename"] for u in data["unreadable"]] == ["questionnaire.odt"]
    assert data["unreadable"][0]["reason"]
    main(["check", str(path)])
    assert "Pièce jointe illisible : questionnaire.odt" in capsys.readouterr().out


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent.eml")]) == 2
    assert "absent.eml" in capsys.readouterr().err
    assert main(["check", str(eml(tmp_path, "x")), "--edition", "1999"]) == 2
    assert "édition 1999" in capsys.readouterr().err


def test_export_and_import_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = tmp_path / "form.md"
    assert main(["questionnaire", "export", "--format", "md", "-o", str(form)]) == 0
    toml = tmp_path / "2024.toml"
    assert main(["questionnaire", "import", str(form), "-o", str(toml), "--opens", "2024-06-01"]) == 0
    assert main(["questionnaire", "import", str(form), "-o", str(toml)]) == 2  # no silent overwrite
    text = toml.read_text(encoding="utf-8")
    assert 'edition = "2024"' in text and "closes = 2024-11-08" in text and "opens = 2024-06-01" in text
    assert main(["questionnaire", "export", "--format", "txt", "-o", "-"]) == 0
    assert "0.1 Nom de la collectivité [obligatoire] (texte)" in capsys.readouterr().out


SAMPLES = sorted(DATA.glob("*.eml"))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_candidatures(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    code, data = run_json(capsys, str(path))
    assert data["complete"] is expected["complete"]
    assert data["missing"] == expected["missing"]
    assert sorted(data["invalid"]) == sorted(expected["invalid"])
    assert [u["filename"] for u in data["unreadable"]] == expected["unreadable"]
    assert code == (0 if expected["complete"] else 1)


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 3
