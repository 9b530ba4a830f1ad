"""Log-in and log-out pages."""

from __future__ import annotations

import datetime as dt
import time

from starlette.requests import Request
from starlette.responses import Response

from assistant import staff
from assistant.web.base import back, csrf_token, ctx, current_user, db_call, field, forbidden, render
from assistant.web.security import CSRF_FIELD, csrf_ok, new_csrf_token


def safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, no "//"), else the home page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def login_page(request: Request) -> Response:
    if await current_user(request) is not None:
        return back(safe_next(request.query_params.get("next")))
    csrf_token(request)
    return render(request, "login.html", next=safe_next(request.query_params.get("next")), error=None, name="")


async def login(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return forbidden(request)
    name, password = field(form, "name", 64), form.get("password")
    target = safe_next(field(form, "next", 2000))
    web = ctx(request).settings.web
    if not name or not isinstance(password, str) or not password:
        return render(request, "login.html", status_code=400, next=target, name=name,
                      error="Saisissez votre nom et votre mot de passe.")
    result = await db_call(request, lambda db: staff.authenticate(
        db, name, password, max_failed=web.max_failed_logins, lockout=dt.timedelta(minutes=web.lockout_minutes)))
    if result.user is None:
        error = ("Trop d'essais infructueux : ce compte est verrouillé pour quelques minutes."
                 if result.locked else "Nom ou mot de passe incorrect.")
        return render(request, "login.html", status_code=401, next=target, name=name, error=error)
    request.session.clear()  # a fresh session (and CSRF token) at each log-in
    request.session.update({"user": result.user.name, "login_at": int(time.time()), "csrf": new_csrf_token()})
    return back(target)


async def logout(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return forbidden(request)
    request.session.clear()
    return back("/login")
