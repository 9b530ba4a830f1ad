"""The python-telegram-bot Application: handlers, error handler, notifications, polling or webhook.

All handlers and the notification task run in the bot's event loop thread, where the
bot's own :class:`Database` is opened (``post_init``) and closed (``post_shutdown``);
updates are handled one at a time, so that connection is never shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.bot import dossiers, faq, texts
from assistant.bot.markup import Reply, escape, render, split_message
from assistant.bot.notify import Notifier
from assistant.config import ConfigError, Settings, TelegramSettings, resolve_secret
from assistant.faq.handler import shared_matcher
from assistant.questionnaire.export import default_filename, render_form
from assistant.questionnaire.model import QuestionnaireError
from assistant.store.database import Database

log = logging.getLogger(__name__)

SERVICE = "tnl"
ALLOWED_UPDATES = ["message", "callback_query"]
_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
APPLICANT_COMMANDS = [
    BotCommand("aide", "Ce que je sais faire"),
    BotCommand("questionnaire", "Recevoir le questionnaire de candidature"),
    BotCommand("statut", "Où en est mon dossier (numéro et code)"),
]
STAFF_COMMANDS = [
    *APPLICANT_COMMANDS,
    BotCommand("dossiers", "Dossiers par état, incomplets"),
    BotCommand("dossier", "Détail d'un dossier"),
    BotCommand("relancer", "Relancer le responsable d'un dossier"),
]


@dataclass(frozen=True)
class BotRuntime:
    """What the bot needs besides the settings: the resolved secrets and how to receive updates."""

    token: str
    telegram: TelegramSettings
    mode: str = "polling"
    webhook_secret: str | None = None
    poll_timeout: float = 30.0
    bootstrap_retries: int = -1  # keep retrying while Telegram is unreachable at start


def runtime_from_settings(settings: Settings, mode: str | None = None) -> BotRuntime:
    """Resolve the token (and webhook secret); a :class:`ConfigError` in French when something is missing."""
    tg = settings.telegram
    if tg is None:
        raise ConfigError(
            f"{settings.source}: pas de section [telegram] : le bot n'est pas configuré "
            "(le reste de l'assistant fonctionne sans lui)"
        )
    if tg.token is None and (tg.token_env is None or tg.token_env not in os.environ):
        where = f"la variable d'environnement {tg.token_env}" if tg.token_env else "[telegram] token_env"
        raise ConfigError(
            f"{settings.source}: aucun jeton Telegram : définissez {where} avec le jeton donné par @BotFather "
            "(ou indiquez [telegram] token)"
        )
    token = (resolve_secret(tg.token, tg.token_env, "[telegram] token") or "").strip()
    if not _TOKEN.fullmatch(token):
        raise ConfigError(f"{settings.source}: le jeton Telegram n'a pas la forme 123456789:ABC… donnée par @BotFather")
    mode = mode or tg.mode
    secret = None
    if mode == "webhook":
        if not tg.webhook_url or not tg.webhook_url.startswith("https://"):
            raise ConfigError(f"{settings.source}: le mode webhook demande [telegram] webhook_url en https://")
        if importlib.util.find_spec("tornado") is None:
            raise ConfigError("le mode webhook demande python-telegram-bot[webhooks] (module tornado absent)")
        secret = resolve_secret(None, tg.webhook_secret_env, "[telegram] webhook_secret_env")
        if not secret or not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError(f"{settings.source}: le secret du webhook ({tg.webhook_secret_env}) doit faire 1 à 256 "
                              "caractères parmi A-Z, a-z, 0-9, _ et -")
    return BotRuntime(token=token, telegram=tg, mode=mode, webhook_secret=secret)


@dataclass
class BotService:
    """State shared by the handlers, kept in ``application.bot_data[SERVICE]``."""

    settings: Settings
    staff_chat_ids: frozenset[int]
    notify_interval: float
    guard: dossiers.AttemptGuard = field(default_factory=dossiers.AttemptGuard)
    db: Database | None = None
    notifier_task: asyncio.Task | None = None

    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the bot's database is not open (post_init has not run)")
        return self.db

    def is_staff(self, update: Update) -> bool:
        return update.effective_chat is not None and update.effective_chat.id in self.staff_chat_ids


def _service(context: ContextTypes.DEFAULT_TYPE) -> BotService:
    return context.application.bot_data[SERVICE]


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in reply.buttons]
    )


async def send_reply(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
    """Send ``reply`` in as many messages as needed; its buttons go under the last one."""
    pieces = split_message(reply.html)
    for i, piece in enumerate(pieces):
        await context.bot.send_message(
            chat_id, piece, parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_markup=_markup(reply) if i == len(pieces) - 1 else None,
        )


async def _send_all(context: ContextTypes.DEFAULT_TYPE, update: Update, replies: Sequence[Reply]) -> None:
    for reply in replies:
        await send_reply(context, update.effective_chat.id, reply)


# ---------------------------------------------------------------------------
# Applicants


async def cmd_aide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context)
    user = update.effective_user
    html = render("aide", label=service.settings.label, staff=service.is_staff(update),
                  first_name=user.first_name if user else "")
    await send_reply(context, update.effective_chat.id, Reply(html))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context)
    replies = faq.answer_question(service.database(), service.settings, update.effective_chat.id,
                                  update.effective_message.text or "")
    await _send_all(context, update, replies)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_reply(context, update.effective_chat.id, Reply(texts.NOT_TEXT))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_reply(context, update.effective_chat.id, Reply(texts.UNKNOWN_COMMAND))


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context)
    query = update.callback_query
    chat_id = update.effective_chat.id if update.effective_chat else None
    parts = (query.data or "").split(":", 2)
    if chat_id is None or len(parts) != 3 or not parts[1].isdigit():
        await query.answer(texts.BUTTON_EXPIRED)
        return
    kind, question_id, value = parts[0], int(parts[1]), parts[2]
    db = service.database()
    if kind == faq.ALTERNATIVE:
        await query.answer()
        await _send_all(context, update, faq.choose_alternative(db, service.settings, chat_id, question_id, value))
    elif kind == faq.FEEDBACK:
        html = faq.record_feedback(db, service.settings, chat_id, question_id, value)
        await query.answer(texts.FEEDBACK_THANKS)
        await query.edit_message_text(html, parse_mode=ParseMode.HTML)
    else:
        await query.answer(texts.BUTTON_EXPIRED)


async def cmd_questionnaire(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    settings = _service(context).settings
    edition = settings.edition.active
    address = escape(settings.label.address)
    try:
        from assistant.dossiers.handler import questionnaire_for

        questionnaire = questionnaire_for(edition)
        data = render_form(questionnaire, "odt", settings.label.address)
    except (QuestionnaireError, OSError) as exc:
        log.error("telegram: blank form of edition %s unavailable: %s", edition, exc)
        await send_reply(context, update.effective_chat.id,
                         Reply(texts.QUESTIONNAIRE_MISSING.format(edition=escape(edition))))
        return
    await context.bot.send_document(
        update.effective_chat.id, data, filename=default_filename(questionnaire, "odt"),
        caption=texts.QUESTIONNAIRE_CAPTION.format(edition=escape(edition), address=address),
        parse_mode=ParseMode.HTML,
    )
    log.info("telegram chat %s: blank form %s sent", update.effective_chat.id, edition)


async def cmd_statut(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context)
    reply = dossiers.statut(service.database(), service.settings, service.guard, update.effective_chat.id,
                            list(context.args or []))
    await send_reply(context, update.effective_chat.id, reply)


# ---------------------------------------------------------------------------
# Staff


async def _staff_only(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str) -> bool:
    if _service(context).is_staff(update):
        return True
    log.warning("telegram chat %s: staff command /%s refused", update.effective_chat.id, command)
    await send_reply(context, update.effective_chat.id, Reply(texts.STAFF_ONLY))
    return False


async def cmd_dossiers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await _staff_only(update, context, "dossiers"):
        service = _service(context)
        await send_reply(context, update.effective_chat.id,
                         dossiers.dossiers_overview(service.database(), service.settings))


async def cmd_dossier(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _staff_only(update, context, "dossier"):
        return
    service = _service(context)
    if len(context.args or []) != 1:
        reply = Reply(texts.DOSSIER_USAGE.format(command="dossier"))
    else:
        reply = dossiers.dossier_detail(service.database(), service.settings, context.args[0])
    await send_reply(context, update.effective_chat.id, reply)


async def cmd_relancer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _staff_only(update, context, "relancer"):
        return
    service = _service(context)
    if len(context.args or []) != 1:
        reply = Reply(texts.DOSSIER_USAGE.format(command="relancer"))
    else:
        user = update.effective_user
        actor = f"telegram:{(user.username or user.id) if user else update.effective_chat.id}"
        reply = dossiers.remind(service.database(), service.settings, context.args[0], actor)
    await send_reply(context, update.effective_chat.id, reply)


# ---------------------------------------------------------------------------
# Errors and lifecycle


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure of one update and apologise; the bot goes on with the next updates."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, TelegramError) and not isinstance(update, Update):
        log.warning("telegram: %s: %s", type(error).__name__, error)
        return
    log.error("telegram update %s failed: %s: %s", update_id, type(error).__name__, error, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        address = escape(_service(context).settings.label.address)
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR.format(address=address),
                                           parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("telegram update %s: apology not sent: %s", update_id, exc)


async def _post_init(application: Application) -> None:
    service: BotService = application.bot_data[SERVICE]
    service.db = Database(service.settings.store.path)
    shared_matcher()  # load the FAQ index now rather than on the first question
    try:
        await application.bot.set_my_commands(APPLICANT_COMMANDS, scope=BotCommandScopeDefault())
        for chat_id in service.staff_chat_ids:
            await application.bot.set_my_commands(STAFF_COMMANDS, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("telegram: command menu not set: %s", exc)
    notifier = Notifier(service.db, application.bot, sorted(service.staff_chat_ids))
    service.notifier_task = asyncio.get_running_loop().create_task(
        notifier.run_forever(service.notify_interval), name="tnl-notifications"
    )
    me = application.bot.bot
    log.info("telegram bot @%s ready, %d staff chat(s), notifications every %.0f s", me.username,
             len(service.staff_chat_ids), service.notify_interval)


async def _post_stop(application: Application) -> None:
    service: BotService = application.bot_data[SERVICE]
    task, service.notifier_task = service.notifier_task, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_shutdown(application: Application) -> None:
    service: BotService = application.bot_data[SERVICE]
    await _post_stop(application)
    if service.db is not None:
        service.db.close()
        service.db = None


def build_application(settings: Settings, runtime: BotRuntime) -> Application:
    """The Application with every handler registered, pointed at ``base_url`` (Telegram or another server)."""
    tg = runtime.telegram
    application = (
        ApplicationBuilder()
        .token(runtime.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .get_updates_read_timeout(10.0)  # on top of the long-polling timeout
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[SERVICE] = BotService(
        settings=settings, staff_chat_ids=frozenset(tg.staff_chat_ids), notify_interval=tg.notify_interval_seconds
    )
    application.add_handler(CommandHandler(["start", "aide", "help"], cmd_aide))
    application.add_handler(CommandHandler("questionnaire", cmd_questionnaire))
    application.add_handler(CommandHandler("statut", cmd_statut))
    application.add_handler(CommandHandler("dossiers", cmd_dossiers))
    application.add_handler(CommandHandler("dossier", cmd_dossier))
    application.add_handler(CommandHandler("relancer", cmd_relancer))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, on_unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, on_text))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, on_other))
    application.add_error_handler(on_error)
    return application


def serve(application: Application, runtime: BotRuntime,
          stop_signals: Sequence[int] | None = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Run until a stop signal (or ``application.stop_running()``): long polling, or the webhook server."""
    tg = runtime.telegram
    if runtime.mode == "webhook":
        url = tg.webhook_url or ""
        application.run_webhook(
            listen=tg.webhook_listen, port=tg.webhook_port, url_path=urlparse(url).path.lstrip("/"),
            webhook_url=url, secret_token=runtime.webhook_secret, allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=runtime.bootstrap_retries, stop_signals=stop_signals,
        )
    else:
        application.run_polling(
            timeout=runtime.poll_timeout, allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=runtime.bootstrap_retries, stop_signals=stop_signals,
        )


def run(settings: Settings, runtime: BotRuntime,
        stop_signals: Sequence[int] | None = (signal.SIGINT, signal.SIGTERM)) -> int:
    """``assistant bot``: build, serve until SIGTERM/SIGINT, shut down cleanly. Exit code."""
    # httpx logs every request URL at INFO, and Bot API URLs carry the token: keep it out of the logs.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    application = build_application(settings, runtime)
    log.info("telegram bot starting (%s, %s)", runtime.mode, runtime.telegram.base_url)
    try:
        serve(application, runtime, stop_signals)
    except InvalidToken as exc:
        log.error("telegram: token refused: %s", exc)
        print("Erreur de configuration : le jeton Telegram est refusé par le serveur (vérifiez-le auprès de "
              "@BotFather)", file=sys.stderr)
        return 2
    log.info("telegram bot stopped")
    return 0
