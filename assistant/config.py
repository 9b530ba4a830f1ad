"""Typed settings read once from a TOML file.

Every section is optional: an absent section falls back to the embedded default
(SMTP intake on loopback, replies written to an outbox folder) or is not started
(IMAP, outgoing SMTP, Telegram). A wrong type, an unknown key or a missing
required key is a :class:`ConfigError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG_NAME = "config.toml"
LABEL_ADDRESS = "label@territoire-numerique-libre.org"


class ConfigError(Exception):
    """A configuration problem a staff member can fix: names the file and the key."""


@dataclass(frozen=True)
class LabelSettings:
    """Who we are: our addresses are never answered and sign the replies."""

    name: str = "Label Territoire Numérique Libre"
    address: str = LABEL_ADDRESS
    own_addresses: list[str] = field(default_factory=list)
    website: str = "https://territoire-numerique-libre.org"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    user: str
    port: int = 0  # 0: 993 for ssl, 143 otherwise
    security: str = "ssl"
    password: str | None = None
    password_env: str | None = None
    folder: str = "INBOX"
    processed_folder: str = "Traite"
    since: dt.date | None = None
    poll_interval_seconds: float = 60.0
    idle_timeout_seconds: float = 300.0
    reconnect_max_seconds: float = 300.0
    stale_after_minutes: float = 30.0
    timeout_seconds: float = 30.0

    def effective_port(self) -> int:
        return self.port or (993 if self.security == "ssl" else 143)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str = LABEL_ADDRESS
    port: int = 0  # 0: 465 for ssl, 587 for starttls, 25 otherwise
    security: str = "starttls"
    user: str | None = None
    password: str | None = None
    password_env: str | None = None
    timeout_seconds: float = 30.0

    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587}.get(self.security, 25)


@dataclass(frozen=True)
class IntakeSettings:
    host: str = "127.0.0.1"
    port: int = 2525
    recipients: list[str] = field(default_factory=lambda: [LABEL_ADDRESS])
    max_message_bytes: int = 25 * 1024 * 1024


@dataclass(frozen=True)
class StoreSettings:
    path: Path = Path("var/tnl.sqlite3")


@dataclass(frozen=True)
class OutboxSettings:
    folder: Path = Path("var/outbox")
    max_auto_replies_per_sender_per_day: int = 5
    retry_initial_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    give_up_after_hours: float = 72.0


@dataclass(frozen=True)
class PipelineSettings:
    max_attempts: int = 3
    batch_size: int = 200


@dataclass(frozen=True)
class EditionSettings:
    active: str = "2024"
    closes: dt.date | None = None  # overrides the question list's closing date (a deadline extension)


@dataclass(frozen=True)
class TelegramSettings:
    token: str | None = None
    token_env: str | None = "TNL_TELEGRAM_TOKEN"
    base_url: str = "https://api.telegram.org/bot"  # a self-hosted Bot API server, or the tests' fake one
    base_file_url: str = "https://api.telegram.org/file/bot"
    staff_chat_ids: list[int] = field(default_factory=list)
    mode: str = "polling"  # polling or webhook
    webhook_url: str | None = None  # public HTTPS address Telegram calls (webhook mode)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret_env: str | None = "TNL_TELEGRAM_WEBHOOK_SECRET"
    notify_interval_seconds: float = 10.0  # how often staff notifications are looked for


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str | None = None
    secret_key_env: str | None = "TNL_WEB_SECRET_KEY"
    session_hours: float = 12.0
    secure_cookies: bool = False  # true behind HTTPS
    max_failed_logins: int = 5
    lockout_minutes: float = 15.0


@dataclass(frozen=True)
class RemindersSettings:
    days_before_close: list[int] = field(default_factory=lambda: [14, 3])  # automatic reminders
    min_days_between: float = 5.0  # at most one reminder per dossier in this period


@dataclass(frozen=True)
class PrivacySettings:
    retention_days: int = 730  # closed dossiers and their messages are purged after this


@dataclass(frozen=True)
class Settings:
    source: str = "valeurs par défaut intégrées"
    label: LabelSettings = field(default_factory=LabelSettings)
    imap: ImapSettings | None = None
    smtp: SmtpSettings | None = None
    intake: IntakeSettings | None = None
    store: StoreSettings = field(default_factory=StoreSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    edition: EditionSettings = field(default_factory=EditionSettings)
    telegram: TelegramSettings | None = None
    web: WebSettings = field(default_factory=WebSettings)
    reminders: RemindersSettings = field(default_factory=RemindersSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    extras: dict[str, object] = field(default_factory=dict)

    def intake_or_default(self) -> IntakeSettings | None:
        """The SMTP intake to start: the configured one, or the embedded default when no IMAP is set."""
        if self.intake is not None:
            return self.intake
        return IntakeSettings() if self.imap is None else None

    def own_addresses(self) -> set[str]:
        """Every address that is ours: mail from them is never answered."""
        addrs = {self.label.address, *self.label.own_addresses}
        if self.smtp is not None:
            addrs.add(self.smtp.sender)
        intake = self.intake_or_default()
        if intake is not None:
            addrs.update(intake.recipients)
        return {a.strip().lower() for a in addrs if a}

    def reply_sender(self) -> str:
        return self.smtp.sender if self.smtp is not None else self.label.address


_SECTIONS: dict[str, type] = {
    "label": LabelSettings,
    "imap": ImapSettings,
    "smtp": SmtpSettings,
    "intake": IntakeSettings,
    "store": StoreSettings,
    "outbox": OutboxSettings,
    "pipeline": PipelineSettings,
    "edition": EditionSettings,
    "telegram": TelegramSettings,
    "web": WebSettings,
    "reminders": RemindersSettings,
    "privacy": PrivacySettings,
}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("imap", "security"): ("ssl", "starttls", "none"),
    ("smtp", "security"): ("ssl", "starttls", "none"),
    ("telegram", "mode"): ("polling", "webhook"),
}
# Sections owned by later features register themselves here (name -> dataclass).
EXTRA_SECTIONS: dict[str, type] = {}


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from ``path``, else ``./config.toml`` if present, else the embedded defaults."""
    if path is None:
        candidate = Path.cwd() / DEFAULT_CONFIG_NAME
        if not candidate.is_file():
            return Settings()
        path = candidate
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: fichier de configuration introuvable") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML invalide: {exc}") from None
    return settings_from_mapping(raw, path)


def settings_from_mapping(raw: dict, path: Path) -> Settings:
    """Build typed settings from a parsed TOML mapping; relative paths are resolved against its folder."""
    known = {**_SECTIONS, **EXTRA_SECTIONS}
    values: dict[str, object] = {"source": str(path)}
    extras: dict[str, object] = {}
    for section, body in raw.items():
        if section not in known:
            raise ConfigError(
                f"{path}: section inconnue [{section}] (sections possibles: {', '.join(sorted(known))})"
            )
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: [{section}] doit être une section, pas une valeur")
        built = _build_section(known[section], section, body, path)
        if section in _SECTIONS:
            values[section] = built
        else:
            extras[section] = built
    return Settings(**values, extras=extras)  # type: ignore[arg-type]


def extra_section(settings: Settings, name: str) -> object | None:
    """A section registered in EXTRA_SECTIONS, if the file had it."""
    return settings.extras.get(name)


def _build_section(cls: type, section: str, body: dict, path: Path) -> object:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, object] = {}
    for key, value in body.items():
        if key not in fields:
            raise ConfigError(
                f"{path}: clé inconnue [{section}] {key} (clés possibles: {', '.join(sorted(fields))})"
            )
        converted = _convert(value, hints[key], f"[{section}] {key}", path)
        choices = _CHOICES.get((section, key))
        if choices and converted not in choices:
            raise ConfigError(f"{path}: [{section}] {key} = {value!r}: valeurs possibles {', '.join(choices)}")
        kwargs[key] = converted
    for name, f in fields.items():
        missing = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if missing and name not in kwargs:
            raise ConfigError(f"{path}: clé obligatoire manquante [{section}] {name}")
    for name, value in list(kwargs.items()):
        if isinstance(value, Path) and not value.is_absolute():
            kwargs[name] = (path.parent / value).resolve()
    return cls(**kwargs)


def _convert(value: object, hint: object, where: str, path: Path) -> object:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(value, options[0], where, path)
    if origin is list:
        (item_type,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {where} doit être une liste")
        return [_convert(v, item_type, where, path) for v in value]
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {where} doit valoir true ou false, pas {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: {where} doit être un nombre entier, pas {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: {where} doit être un nombre, pas {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {where} doit être une chaîne de caractères, pas {value!r}")
        return value
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {where} doit être un chemin (chaîne), pas {value!r}")
        return Path(value).expanduser()
    if hint is dt.date:
        day = toml_date(value)
        if day is None:
            raise ConfigError(f"{path}: {where} doit être une date AAAA-MM-JJ, pas {value!r}")
        return day
    raise ConfigError(f"{path}: {where}: type non géré {hint!r}")


def toml_date(value: object) -> dt.date | None:
    """A TOML date (or date-time, or "AAAA-MM-JJ" string) as a date; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def resolve_secret(value: str | None, env_name: str | None, where: str) -> str | None:
    """A secret given directly, or read from the environment variable named by ``*_env``."""
    if value is not None:
        return value
    if env_name is None:
        return None
    secret = os.environ.get(env_name)
    if secret is None:
        raise ConfigError(f"{where}: la variable d'environnement {env_name} n'est pas définie")
    return secret
