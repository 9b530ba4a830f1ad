"""The staff dashboard as a Starlette application: ``create_app(settings)``.

Every page but the log-in page and the style sheet requires a logged-in staff member; every form
carries the session's CSRF token. Sessions live in a signed, HttpOnly, SameSite=Lax cookie.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from assistant.config import Settings
from assistant.faq.corpus import default_directory
from assistant.resources import data_dir
from assistant.web import admin_views, auth, dossier_views
from assistant.web.base import WebContext
from assistant.web.security import SecurityHeadersMiddleware, session_secret

SESSION_COOKIE = "tnl_session"
_NUMBER = "{number:str}"


async def stylesheet(request: Request) -> Response:
    css = (data_dir("templates") / "web" / "style.css").read_bytes()
    return Response(css, media_type="text/css; charset=utf-8")


ROUTES = [
    Route("/login", auth.login_page, methods=["GET"]),
    Route("/login", auth.login, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"]),
    Route("/static/style.css", stylesheet, methods=["GET"]),
    Route("/", dossier_views.dashboard, methods=["GET"]),
    Route(f"/dossiers/{_NUMBER}", dossier_views.dossier, methods=["GET"]),
    Route(f"/dossiers/{_NUMBER}/relance", dossier_views.remind, methods=["POST"]),
    Route(f"/dossiers/{_NUMBER}/complet", dossier_views.complete, methods=["POST"]),
    Route(f"/dossiers/{_NUMBER}/retrait", dossier_views.withdraw, methods=["POST"]),
    Route(f"/dossiers/{_NUMBER}/reouverture", dossier_views.reopen, methods=["POST"]),
    Route(f"/dossiers/{_NUMBER}/signalement", dossier_views.resolve_flags, methods=["POST"]),
    Route(f"/dossiers/{_NUMBER}/messages/{{message_id:int}}/pieces/{{index:int}}",
          dossier_views.download_attachment, methods=["GET"]),
    Route("/quarantaine", admin_views.quarantine, methods=["GET"]),
    Route("/quarantaine/{message_id:int}/retraiter", admin_views.retry, methods=["POST"]),
    Route("/faq", admin_views.faq, methods=["GET"]),
    Route("/faq/{question_id:int}/formulation", admin_views.faq_phrasing, methods=["POST"]),
    Route("/faq/{question_id:int}/hors-champ", admin_views.faq_off_topic, methods=["POST"]),
    Route("/faq/{question_id:int}/entree", admin_views.faq_new_entry, methods=["POST"]),
    Route("/faq/{question_id:int}/traitee", admin_views.faq_resolve, methods=["POST"]),
    Route("/export/{fmt:str}", admin_views.export_table, methods=["GET"]),
]


def create_app(settings: Settings, faq_dir: Path | None = None) -> Starlette:
    web = settings.web
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(SessionMiddleware, secret_key=session_secret(web, Path(settings.store.path)),
                   session_cookie=SESSION_COOKIE, max_age=int(web.session_hours * 3600), same_site="lax",
                   https_only=web.secure_cookies),
    ]
    app = Starlette(routes=ROUTES, middleware=middleware)
    app.state.ctx = WebContext(settings=settings, faq_dir=faq_dir or default_directory())
    return app
