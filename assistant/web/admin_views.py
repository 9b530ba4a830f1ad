"""Dashboard pages around the dossiers: quarantined mail, unanswered FAQ questions, jury export."""

from __future__ import annotations

import logging

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from assistant import staff
from assistant.dossiers import export
from assistant.faq.corpus import FaqCorpusError, load_corpus
from assistant.faq.log import get_question, resolve, unanswered
from assistant.store import messages as msg_store
from assistant.store.database import Database
from assistant.web import queries
from assistant.web.base import action, back, ctx, db_call, edition_param, field, flash, page, render
from assistant.web.faq_admin import FaqAdminError, add_as_phrasing, create_entry, mark_off_topic

log = logging.getLogger(__name__)


@page
async def quarantine(request: Request, user: staff.StaffUser) -> Response:
    items = await db_call(request, queries.quarantined)
    return render(request, "quarantine.html", title="Quarantaine", items=items)


@action
async def retry(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    message_id: int = request.path_params["message_id"]
    settings = ctx(request).settings

    def run(db: Database) -> msg_store.StoredMessage | None:
        from assistant.runner import build_pipeline

        if not msg_store.requeue(db, message_id):
            return None
        build_pipeline(db, settings).process(message_id)
        return msg_store.get_message(db, message_id)

    result = await db_call(request, run)
    if result is None:
        flash(request, "error", f"Le message n° {message_id} n'est pas (ou plus) en quarantaine.")
    elif result.state == msg_store.STATE_DONE:
        log.info("quarantined message #%d processed again by staff", message_id)
        flash(request, "ok", f"Message n° {message_id} retraité : {result.reason or result.category}.")
    else:
        flash(request, "error", f"Message n° {message_id} toujours en échec : {result.last_error}")
    return back("/quarantaine")


@page
async def faq(request: Request, user: staff.StaffUser) -> Response:
    questions = await db_call(request, lambda db: unanswered(db))
    try:
        entries = load_corpus(ctx(request).faq_dir).entries
        corpus_error = None
    except FaqCorpusError as exc:
        entries, corpus_error = (), str(exc)
    return render(request, "faq.html", title="Questions sans réponse", questions=questions, entries=entries,
                  corpus_error=corpus_error)


@action
async def faq_phrasing(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    question_id, entry_id = request.path_params["question_id"], field(form, "entry_id", 100)
    faq_dir = ctx(request).faq_dir
    try:
        added = await db_call(request, lambda db: add_as_phrasing(db, faq_dir, question_id, entry_id))
    except FaqAdminError as exc:
        flash(request, "error", f"Formulation non ajoutée : {exc}")
    else:
        flash(request, "ok", f"Question ajoutée aux formulations de « {entry_id} »." if added
              else f"Cette formulation était déjà dans « {entry_id} » ; question marquée traitée.")
    return back("/faq")


@action
async def faq_off_topic(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    question_id = request.path_params["question_id"]
    faq_dir = ctx(request).faq_dir
    try:
        await db_call(request, lambda db: mark_off_topic(db, faq_dir, question_id))
    except FaqAdminError as exc:
        flash(request, "error", f"Question non notée hors champ : {exc}")
    else:
        flash(request, "ok", f"Question n° {question_id} notée hors du champ de la FAQ ; l'assistant s'abstiendra "
              "sur les questions qui lui ressemblent.")
    return back("/faq")


@action
async def faq_new_entry(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    question_id = request.path_params["question_id"]
    faq_dir = ctx(request).faq_dir
    entry_id, question, answer = field(form, "entry_id", 100), field(form, "question", 500), field(form, "answer")
    keywords = field(form, "keywords", 1000).split(",")
    try:
        path = await db_call(request, lambda db: create_entry(db, faq_dir, question_id, entry_id, question,
                                                              answer, keywords))
    except FaqAdminError as exc:
        flash(request, "error", f"Entrée non créée : {exc}")
    else:
        flash(request, "ok", f"Nouvelle entrée « {path.stem} » ajoutée à la FAQ.")
    return back("/faq")


@action
async def faq_resolve(request: Request, user: staff.StaffUser, form: FormData) -> Response:
    question_id = request.path_params["question_id"]

    def run(db: Database) -> bool:
        if get_question(db, question_id) is None:
            return False
        resolve(db, question_id, f"traitée par {user.name}")
        return True

    if await db_call(request, run):
        flash(request, "ok", f"Question n° {question_id} marquée traitée.")
    else:
        flash(request, "error", f"Question n° {question_id} inconnue.")
    return back("/faq")


@page
async def export_table(request: Request, user: staff.StaffUser) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in export.FORMATS:
        return render(request, "error.html", status_code=404, title="Format inconnu",
                      detail=f"Formats possibles : {', '.join(export.FORMATS)}.")
    edition = edition_param(request)
    table = await db_call(request, lambda db: export.jury_table(db, edition))
    data = export.render(table, fmt)
    name = export.default_filename(edition, fmt)
    log.info("jury export (%s, %d dossiers) downloaded", fmt, len(table.rows))
    return Response(data, media_type=export.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
