"""Dashboard pages about dossiers: the list by state with the staff queue, one dossier, its actions."""

from __future__ import annotations

import logging

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from assistant import staff
from assistant.dossiers import actions
from assistant.dossiers import store as dstore
from assistant.dossiers.handler import questionnaire_for
from assistant.questionnaire.model import QuestionnaireError
from assistant.store.database import Database
from assistant.web import queries
from assistant.web.base import action, back, ctx, db_call, edition_param, field, flash, page, render
from assistant.web.security import download_headers

log = logging.getLogger(__name__)


def _filters(request: Request) -> queries.Filters:
    params = request.query_params
    state = params.get("state", "")
    return queries.Filters(
        q=params.get("q", "").strip()[:200],
        edition=edition_param(request),
        state=state if state in dstore.STATES else "",
        structure_type=params.get("structure_type", "")[:100],
        departement=params.get("departement", "")[:100],
        volet=params.get("volet", "")[:5],
    )


def _volets(edition: str) -> list[tuple[str, str]]:
    try:
        return [(v.id, f"{v.id}. {v.title}") for v in questionnaire_for(edition).volets]
    except QuestionnaireError:
        return []


@page
async def dashboard(request: Request, user: staff.StaffUser) -> Response:
    filters = _filters(request)
    settings = ctx(request).settings

    def load(db: Database) -> dict[str, object]:
        edition_dossiers = dstore.list_dossiers(db, edition=filters.edition)
        return {
            "counts": queries.state_counts(db, filters.edition),
            "total": len(edition_dossiers),
            "waiting": queries.waiting_on_staff(db, edition_dossiers),
            "dossiers": queries.search(db, filters),
            "options": queries.filter_options(db, filters.edition),
            "editions": queries.editions(db, settings.edition.active),
        }

    data = await db_call(request, load)
    return render(request, "dashboard.html", title="Dossiers", filters=filters, states=dstore.STATES,
                  volets=_volets(filters.edition), **data)


@page
async def dossier(request: Request, user: staff.StaffUser) -> Response:
    number = request.path_params["number"]
    settings = ctx(request).settings

    def load(db: Database) -> queries.DossierPage | None:
        found = dstore.find_by_number(db, number)
        if found is None:
            return None
        closes = settings.edition.closes if found.edition == settings.edition.active else None
        return queries.dossier_page(db, found, closes or questionnaire_for(found.edition).closes)

    view = await db_call(request, load)
    if view is None:
        return render(request, "error.html", status_code=404, title="Dossier introuvable",
                      detail=f"Aucun dossier ne porte le numéro {number}.")
    return render(request, "dossier.html", title=view.dossier.number, page=view, d=view.dossier)


@page
async def download_attachment(request: Request, user: staff.StaffUser) -> Response:
    number = request.path_params["number"]
    message_id, index = request.path_params["message_id"], request.path_params["index"]

    def load(db: Database):
        found = dstore.find_by_number(db, number)
        return queries.attachment(db, found, message_id, index) if found else None

    found = await db_call(request, load)
    if found is None:
        return render(request, "error.html", status_code=404, title="Pièce jointe introuvable",
                      detail="Cette pièce jointe n'appartient à aucun message de ce dossier.")
    media_type, headers = download_headers(found.filename, found.content_type)
    return Response(found.data, media_type=media_type, headers=headers)


def _dossier_path(number: str) -> str:
    return f"/dossiers/{number}"


async def _run_action(request: Request, func, success: str) -> Response:
    number = request.path_params["number"]
    try:
        result = await db_call(request, func)
    except actions.ActionError as exc:
        flash(request, "error", str(exc))
    else:
        flash(request, "ok", success.format(result=result))
    return back(_dossier_path(number))


@action
async def remind(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    settings, number = ctx(request).settings, request.path_params["number"]
    return await _run_action(
        request, lambda db: actions.send_reminder(db, settings, number, user.name),
        "Relance mise en file d'attente pour {result.recipient} : elle partira avec le prochain envoi du courrier.")


@action
async def complete(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    number, reason = request.path_params["number"], field(form, "reason", 1000)
    return await _run_action(request, lambda db: actions.mark_complete(db, number, user.name, reason),
                             "Dossier marqué complet.")


@action
async def withdraw(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    number, reason = request.path_params["number"], field(form, "reason", 1000)
    return await _run_action(request, lambda db: actions.withdraw(db, number, user.name, reason),
                             "Dossier retiré.")


@action
async def reopen(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    number, reason = request.path_params["number"], field(form, "reason", 1000)
    return await _run_action(request, lambda db: actions.reopen(db, number, user.name, reason),
                             "Dossier rouvert.")


@action
async def resolve_flags(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    number = request.path_params["number"]

    def run(db: Database) -> int:
        found = dstore.find_by_number(db, number)
        if found is None:
            raise actions.ActionError(f"dossier {number} introuvable")
        return queries.resolve_dossier_flags(db, found, user.name)

    return await _run_action(request, run, "Signalement traité ({result} avis clos).")
