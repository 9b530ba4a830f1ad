from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.config import ConfigError, Settings, load_settings, resolve_secret


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.imap is None and settings.smtp is None
    intake = settings.intake_or_default()
    assert intake is not None and intake.port == 2525


def test_config_toml_in_cwd_is_read(tmp_path, monkeypatch):
    write(tmp_path, '[store]\npath = "data/base.sqlite3"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None)
    assert settings.store.path == (tmp_path / "data/base.sqlite3").resolve()


def test_full_example_file_loads():
    example = Path(__file__).parent.parent / "config.example.toml"
    settings = load_settings(example)
    assert settings.imap is not None and settings.imap.security == "ssl"
    assert settings.smtp is not None and settings.smtp.effective_port() == 587
    assert settings.intake is not None and settings.intake.max_message_bytes == 26214400


def test_imap_section_typed(tmp_path):
    settings = load_settings(write(tmp_path, '[imap]\nhost = "h"\nuser = "u"\nsince = 2024-06-01\nport = 1143\n'))
    assert settings.imap.since == dt.date(2024, 6, 1)
    assert settings.imap.effective_port() == 1143
    assert settings.intake_or_default() is None  # IMAP configured: no embedded intake unless asked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[imap]\nhost = "h"\n', "clé obligatoire manquante [imap] user"),
        ('[imap]\nhost = "h"\nuser = "u"\nport = "993"\n', "[imap] port doit être un nombre entier"),
        ('[imap]\nhost = "h"\nuser = "u"\nsecurity = "tls"\n', "valeurs possibles ssl, starttls, none"),
        ('[imap]\nhost = "h"\nuser = "u"\nfolders = "x"\n', "clé inconnue [imap] folders"),
        ("[imapp]\n", "section inconnue [imapp]"),
        ('[intake]\nrecipients = "label@x"\n', "[intake] recipients doit être une liste"),
        ('[imap]\nhost = "h"\nuser = "u"\nsince = "hier"\n', "[imap] since doit être une date"),
        ("[store\n", "TOML invalide"),
    ],
)
def test_errors_name_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(path) in str(exc.value) and expected in str(exc.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="introuvable"):
        load_settings(tmp_path / "absent.toml")


def test_secret_from_environment(monkeypatch):
    monkeypatch.setenv("TNL_TEST_SECRET", "s3cret")
    assert resolve_secret(None, "TNL_TEST_SECRET", "[imap]") == "s3cret"
    assert resolve_secret("direct", "TNL_TEST_SECRET", "[imap]") == "direct"
    monkeypatch.delenv("TNL_TEST_SECRET")
    with pytest.raises(ConfigError, match="TNL_TEST_SECRET"):
        resolve_secret(None, "TNL_TEST_SECRET", "[imap]")


def test_own_addresses_include_sender_and_recipients(tmp_path):
    settings = load_settings(write(tmp_path, '[label]\nown_addresses = ["Contact@TNL.org"]\n'
                                             '[smtp]\nhost = "s"\nsender = "envoi@tnl.org"\n'))
    assert {"contact@tnl.org", "envoi@tnl.org", "label@territoire-numerique-libre.org"} <= settings.own_addresses()
