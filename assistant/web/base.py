"""Shared pieces of the dashboard's views: store access off the event loop, rendering, login and CSRF guards."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from assistant import staff
from assistant.config import Settings
from assistant.store.database import Database
from assistant.templating import environment
from assistant.web.security import CSRF_FIELD, csrf_ok, new_csrf_token

T = TypeVar("T")


@dataclass(frozen=True)
class WebContext:
    """What every view needs, kept in ``app.state.ctx``."""

    settings: Settings
    faq_dir: Path


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx


def _with_db(path: Path, func: Callable[[Database], T]) -> T:
    with Database(path) as db:  # one connection per thread: opened and closed in the worker thread
        return func(db)


async def db_call(request: Request, func: Callable[[Database], T]) -> T:
    return await run_in_threadpool(_with_db, ctx(request).settings.store.path, func)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = new_csrf_token()
        request.session["csrf"] = token
    return token


def flash(request: Request, kind: str, text: str) -> None:
    request.session["flash"] = [*request.session.get("flash", []), [kind, text]]


try:
    _LOCAL_TZ: dt.tzinfo = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # no tz database on this machine: show UTC
    _LOCAL_TZ = dt.UTC


def when(moment: dt.datetime | None) -> str:
    """12/10/2024 14:03, in French time."""
    return moment.astimezone(_LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def size(n: int) -> str:
    return f"{n} o" if n < 1024 else f"{n / 1024:.0f} Ko" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} Mo"


def render(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    messages = request.session.pop("flash", []) if "flash" in request.session else []
    html = environment().get_template(f"web/{template}").render(
        request_path=request.url.path,
        user=request.scope.get("staff_user"),
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(request),
        flashes=messages,
        label=ctx(request).settings.label,
        when=when,
        size=size,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def current_user(request: Request) -> staff.StaffUser | None:
    """The logged-in staff member, if the session is valid, not expired and the account still exists."""
    name, login_at = request.session.get("user"), request.session.get("login_at")
    if not isinstance(name, str) or not isinstance(login_at, int | float):
        return None
    if time.time() - login_at > ctx(request).settings.web.session_hours * 3600:
        request.session.clear()
        return None
    user = await db_call(request, lambda db: staff.get_user(db, name))
    if user is None or (user.locked_until is not None and user.locked_until > dt.datetime.now(dt.UTC)):
        request.session.clear()
        return None
    request.scope["staff_user"] = user
    return user


PageView = Callable[[Request, staff.StaffUser], Awaitable[Response]]
ActionView = Callable[[Request, staff.StaffUser, FormData], Awaitable[Response]]


def page(view: PageView) -> Callable[[Request], Awaitable[Response]]:
    """A page for logged-in staff; anyone else is sent to the login page."""

    @wraps(view)
    async def endpoint(request: Request) -> Response:
        user = await current_user(request)
        if user is None:
            return login_redirect(request)
        return await view(request, user)

    return endpoint


def forbidden(request: Request) -> HTMLResponse:
    return render(request, "error.html", status_code=403, title="Requête refusée",
                  detail="Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.")


def action(view: ActionView) -> Callable[[Request], Awaitable[Response]]:
    """A form submission by logged-in staff, with the session's CSRF token."""

    @wraps(view)
    async def endpoint(request: Request) -> Response:
        user = await current_user(request)
        if user is None:
            return login_redirect(request)
        form = await request.form()
        if not csrf_ok(request.session, form.get(CSRF_FIELD)):
            return forbidden(request)
        return await view(request, user, form)

    return endpoint


def back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


EDITION_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


def edition_param(request: Request) -> str:
    """The ``edition`` query parameter when well-formed, else the active edition."""
    value = request.query_params.get("edition", "")
    return value if EDITION_RE.match(value) else ctx(request).settings.edition.active


def field(form: FormData, name: str, limit: int = 10_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
