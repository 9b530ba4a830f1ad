"""Security plumbing of the dashboard: the session secret, CSRF tokens, response headers, safe file names."""

from __future__ import annotations

import hmac
import logging
import mimetypes
import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.config import ConfigError, WebSettings

log = logging.getLogger(__name__)

SECRET_FILE_NAME = "web-secret.key"
CSRF_FIELD = "csrf_token"
_SAFE_TYPE_RE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")
# Types a browser could render or run: never sent as such, even as a download.
_ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                 "text/javascript", "application/javascript")


def session_secret(web: WebSettings, store_path: Path) -> str:
    """``[web] secret_key``, else the variable named by ``secret_key_env``, else a key generated once in a
    0600 file next to the store (so sessions survive a restart)."""
    if web.secret_key:
        return web.secret_key
    if web.secret_key_env and os.environ.get(web.secret_key_env):
        return os.environ[web.secret_key_env]
    path = store_path.parent / SECRET_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
            log.warning("session key file %s was readable by others: permissions reset to 0600", path)
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise ConfigError(f"{path} : clé de session trop courte ; supprimez le fichier pour la régénérer") from None
        return key
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    log.info("session key generated in %s", path)
    return key


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(session: dict, submitted: object) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(submitted, str) and bool(submitted) and hmac.compare_digest(
        expected.encode(), submitted.encode())


def safe_filename(name: str, fallback: str = "piece-jointe") -> str:
    """ASCII letters, digits, dots, dashes and underscores only; no path, no leading dot."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._-")
    cleaned = re.sub(r"_+", "_", cleaned)
    if not cleaned:
        return fallback
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[:100]}.{ext}" if stem else f"{fallback}.{ext}"
    return cleaned[:110]


def download_headers(original_name: str, declared_type: str) -> tuple[str, dict[str, str]]:
    """Media type and headers that make the browser save the file, never display or run it."""
    name = safe_filename(original_name)
    guessed, _ = mimetypes.guess_type(name, strict=False)
    declared = (declared_type or "").split(";", 1)[0].strip().lower()
    media_type = guessed or (declared if _SAFE_TYPE_RE.match(declared) else "application/octet-stream")
    if media_type in _ACTIVE_TYPES:
        media_type = "application/octet-stream"
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return media_type, {"Content-Disposition": disposition, "Content-Security-Policy": "sandbox; default-src 'none'"}


_SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeadersMiddleware:
    """Adds the security headers to every response (a response may already set its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
