"""A local fake Telegram Bot API server for the bot tests (stdlib HTTP server in a thread).

It answers the methods python-telegram-bot calls (getMe, getUpdates with long polling,
sendMessage, editMessageText, answerCallbackQuery, sendDocument, deleteWebhook,
setMyCommands…), records every call, and lets a test queue updates (messages, button
presses) and wait for the bot's calls. Parameters arrive form-encoded or multipart, as
PTB sends them; JSON-valued ones (reply_markup…) are decoded in :attr:`ApiCall.params`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Assistant TNL", "username": "tnl_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
_JSON_PARAMS = {"reply_markup", "link_preview_options", "allowed_updates", "commands", "scope", "entities",
                "caption_entities"}


@dataclass
class ApiCall:
    method: str
    params: dict[str, object]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback data) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self._updates: list[dict] = []
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._messages: dict[int, dict] = {}  # bot messages by id, for button presses
        self._stopped = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                api._handle(self)

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-botapi", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    # -- what tests do ------------------------------------------------------------------------------

    def _queue(self, body: dict) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **body})
            self._cond.notify_all()
        return update_id

    def send_text(self, chat_id: int, text: str, first_name: str = "Claire", username: str | None = None) -> int:
        """A user writes ``text`` in a private chat with the bot."""
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name,
                     **({"username": username} if username else {})},
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._queue({"message": message})

    def send_sticker(self, chat_id: int) -> int:
        message = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Claire"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Claire"},
            "sticker": {"file_id": "st1", "file_unique_id": "st1u", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False, "type": "regular"},
        }
        return self._queue({"message": message})

    def press(self, call: ApiCall, data: str, chat_id: int | None = None) -> int:
        """The user presses the button carrying ``data`` under the message the bot sent with ``call``."""
        message = self._messages[int(call.params["_message_id"])]
        chat_id = chat_id if chat_id is not None else message["chat"]["id"]
        query = {
            "id": f"cbq-{next(self._message_ids)}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Claire"},
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": message,
        }
        return self._queue({"callback_query": query})

    def wait_for(self, predicate: Callable[[ApiCall], bool], timeout: float = 15.0, after: int = 0) -> ApiCall:
        """The first call (from index ``after``) matching ``predicate``, waiting for it up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self.calls[after:]:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = "\n".join(f"  {c.method} {c.chat_id} {c.text[:80]!r}" for c in self.calls[after:])
                    raise AssertionError(f"no matching Bot API call within {timeout} s; calls:\n{seen}")
                self._cond.wait(left)

    def wait_sent(self, chat_id: int, contains: str = "", method: str = "sendMessage", after: int = 0,
                  timeout: float = 15.0) -> ApiCall:
        return self.wait_for(lambda c: c.method == method and c.chat_id == chat_id and contains in c.text,
                             timeout, after)

    def mark(self) -> int:
        """Index to pass as ``after`` to wait only for calls made from now on."""
        with self._cond:
            return len(self.calls)

    def sent(self, chat_id: int, method: str = "sendMessage", after: int = 0) -> list[ApiCall]:
        with self._cond:
            return [c for c in self.calls[after:] if c.method == method and c.chat_id == chat_id]

    def wait_updates_consumed(self, timeout: float = 15.0) -> None:
        """Wait until the bot confirmed (by a later getUpdates offset) every queued update."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._updates:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot did not fetch the queued updates")
                self._cond.wait(left)

    # -- the server side ----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = request.path[len(prefix):]
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        params, files = _parse_body(request.headers.get("Content-Type", ""), body)
        call = ApiCall(method, params, files)
        status = 200
        with self._cond:
            result = self._get_updates(params) if method == "getUpdates" else self._answer(call)
            if method != "getUpdates" or result:
                self.calls.append(call)
            self._cond.notify_all()
        if result is None:
            status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        else:
            payload = {"ok": True, "result": result}
        self._reply(request, status, payload)

    def _get_updates(self, params: dict[str, object]) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopped:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._cond.wait(left)
        return list(self._updates[:limit])

    def _message(self, chat_id: int, **content: object) -> dict:
        message_id = next(self._message_ids)
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group",
                            **({"first_name": "Claire"} if chat_id > 0 else {"title": "Équipe"})},
                   **{k: v for k, v in content.items() if v is not None}}
        self._messages[message_id] = message
        return message

    def _answer(self, call: ApiCall) -> object:
        p = call.params
        if call.method == "getMe":
            return BOT_USER
        if call.method in ("deleteWebhook", "setMyCommands", "answerCallbackQuery", "close", "logOut",
                           "deleteMyCommands"):
            return True
        if call.method == "sendMessage":
            message = self._message(int(p["chat_id"]), text=p["text"], reply_markup=p.get("reply_markup"))
            p["_message_id"] = message["message_id"]
            return message
        if call.method == "sendDocument":
            name, data = call.files.get("document", ("document", b""))
            message = self._message(int(p["chat_id"]), caption=p.get("caption"),
                                    document={"file_id": f"doc{len(data)}", "file_unique_id": f"u{len(data)}",
                                              "file_name": name, "file_size": len(data)})
            p["_message_id"] = message["message_id"]
            return message
        if call.method == "editMessageText":
            message = self._messages.get(int(p.get("message_id") or 0))
            if message is None:
                return None
            message["text"] = p["text"]
            message.pop("reply_markup", None)
            if p.get("reply_markup"):
                message["reply_markup"] = p["reply_markup"]
            return message
        return None

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _decode(name: str, value: str) -> object:
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, object], dict[str, tuple[str, bytes]]]:
    params: dict[str, object] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, payload)
            else:
                params[name] = _decode(name, payload.decode("utf-8"))
    elif content_type.startswith("application/json"):
        params = json.loads(body or b"{}")
    else:
        for name, value in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params[name] = _decode(name, value)
    return params, files
