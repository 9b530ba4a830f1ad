"""Turn raw message bytes into a :class:`ParsedMessage` the rest of the pipeline reads.

The stdlib ``email`` package with ``policy.default`` does the MIME work; this module
adds what real mail needs on top: headers that fail to parse do not abort the
message, parts with unknown or lying charsets are decoded through a fallback chain.
"""

from __future__ import annotations

import datetime as dt
import email
import email.errors
import email.header
import email.parser
import email.utils
import logging
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32

from assistant.documents.text import decode_text

log = logging.getLogger(__name__)

_MSGID_RE = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMessage:
    """What the pipeline needs from one message; ``raw`` stays the source of truth."""

    raw: bytes
    message_id: str | None
    from_addr: str
    from_name: str
    reply_to: str | None
    to: list[str]
    cc: list[str]
    subject: str
    date: dt.datetime | None
    in_reply_to: str | None
    references: list[str]
    headers: list[tuple[str, str]]
    content_type: str
    text: str
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)
    embedded_headers: list[list[tuple[str, str]]] = field(default_factory=list)
    failed_recipients: list[str] = field(default_factory=list)  # from a delivery-status report
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitive."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def reply_address(self) -> str:
        return self.reply_to or self.from_addr

    def log_id(self) -> str:
        return self.message_id or "(sans Message-ID)"


def normalise_message_id(value: str | None) -> str | None:
    """``<abc@host>`` → ``abc@host``; garbage without angle brackets is kept stripped."""
    if not value:
        return None
    found = _MSGID_RE.search(value)
    if found:
        return found.group(1)
    cleaned = value.strip()
    return cleaned or None


def message_id_list(value: str | None) -> list[str]:
    if not value:
        return []
    found = _MSGID_RE.findall(value)
    return found or [v for v in value.split() if v]


def decode_header_value(value: object) -> str:
    """RFC 2047 encoded words decoded, and raw 8-bit headers (common, though not allowed) too."""
    text = str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):  # bytes the parser could not decode as ASCII
        text = decode_text(text.encode("ascii", "surrogateescape"))
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (email.errors.HeaderParseError, LookupError, UnicodeError, ValueError):
        return text


def _header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else str(value)


def _addresses(value: str | None) -> list[tuple[str, str]]:
    """(display name, lowercased address); names are decoded after splitting, as commas may hide in them."""
    if not value:
        return []
    pairs = email.utils.getaddresses([decode_header_value(value) if max(value) >= "\udc80" else value])
    return [(decode_header_value(name), addr.strip().lower()) for name, addr in pairs if addr and "@" in addr]


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = b""
    if not isinstance(payload, bytes):
        payload = str(payload).encode("utf-8", "replace")
    return decode_text(payload, part.get_content_charset())


def _all_headers(msg: Message) -> list[tuple[str, str]]:
    return [(key, decode_header_value(value)) for key, value in msg.items()]


def _read_delivery_status(part: Message, parsed: ParsedMessage) -> None:
    """RFC 3464 per-recipient blocks: keep the recipients whose Action is failed."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    for block in blocks:
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        action = str(block.get("Action") or "").strip().lower()
        if recipient and action in ("failed", ""):
            address = str(recipient).split(";", 1)[-1].strip()
            if address:
                parsed.failed_recipients.append(address.lower())


def _walk_parts(msg: Message, parsed: ParsedMessage) -> None:
    """Collect the first text and HTML bodies and every attachment, without descending into forwarded mail."""
    text_parts: list[str] = []
    html_parts: list[str] = []
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            _read_delivery_status(part, parsed)
            continue
        if part.is_multipart():
            if ctype == "message/rfc822" or ctype == "message/global":
                inner = part.get_payload()
                if inner and isinstance(inner, list):
                    parsed.embedded_headers.append(_all_headers(inner[0]))
                continue
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[0:0] = payload
            continue
        if ctype == "text/rfc822-headers":
            embedded = email.message_from_bytes(part.get_payload(decode=True) or b"", policy=compat32)
            parsed.embedded_headers.append(_all_headers(embedded))
            continue
        try:
            filename = part.get_filename()
        except (ValueError, LookupError, UnicodeError):
            filename = None
        if filename:
            filename = decode_header_value(filename)
        disposition = (part.get_content_disposition() or "").lower()
        is_body_text = ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename
        if is_body_text:
            (text_parts if ctype == "text/plain" else html_parts).append(_part_text(part))
            continue
        if ctype.startswith("multipart/"):
            continue
        data = part.get_payload(decode=True) or b""
        if not isinstance(data, bytes):
            data = b""
        if not filename and ctype in ("message/delivery-status", "message/disposition-notification"):
            continue
        parsed.attachments.append(
            Attachment(filename=filename or f"sans-nom-{len(parsed.attachments) + 1}", content_type=ctype, data=data)
        )
    parsed.text = "\n".join(t for t in text_parts if t.strip())
    parsed.html = "\n".join(html_parts) if html_parts else None


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse raw RFC 5322 bytes; never raises on malformed mail (defects are recorded).

    The legacy compat32 policy is used on purpose: it is about ten times cheaper than
    ``policy.default`` (which builds a header object on every access), and we decode the
    few headers we read ourselves.
    """
    return _parse(raw, headers_only=False)


def parse_headers(raw: bytes) -> ParsedMessage:
    """Only the headers (text and attachments left empty): what storing a message needs, for less."""
    return _parse(raw, headers_only=True)


def _parse(raw: bytes, headers_only: bool) -> ParsedMessage:
    parser = email.parser.BytesHeaderParser if headers_only else email.parser.BytesParser
    msg = parser(policy=compat32).parsebytes(raw)
    from_pairs = _addresses(_header(msg, "From"))
    from_name, from_addr = from_pairs[0] if from_pairs else ("", "")
    reply_pairs = _addresses(_header(msg, "Reply-To"))
    date_value = None
    date_header = _header(msg, "Date")
    if date_header:
        try:
            date_value = email.utils.parsedate_to_datetime(date_header)
            if date_value.tzinfo is None:
                date_value = date_value.replace(tzinfo=dt.UTC)
        except (TypeError, ValueError, IndexError):
            date_value = None
    parsed = ParsedMessage(
        raw=raw,
        message_id=normalise_message_id(_header(msg, "Message-ID")),
        from_addr=from_addr,
        from_name=from_name,
        reply_to=reply_pairs[0][1] if reply_pairs else None,
        to=[a for _, a in _addresses(_header(msg, "To"))],
        cc=[a for _, a in _addresses(_header(msg, "Cc"))],
        subject=" ".join(decode_header_value(_header(msg, "Subject") or "").split()),
        date=date_value,
        in_reply_to=normalise_message_id(_header(msg, "In-Reply-To")),
        references=message_id_list(_header(msg, "References")),
        headers=_all_headers(msg),
        content_type=msg.get_content_type(),
        text="",
        html=None,
        defects=[type(d).__name__ for d in msg.defects],
    )
    if headers_only:
        return parsed
    try:
        _walk_parts(msg, parsed)
    except Exception as exc:  # a broken MIME tree still leaves the headers usable
        log.warning("message %s: MIME structure unreadable: %s", parsed.log_id(), exc)
        parsed.defects.append(f"MIME illisible: {exc}")
    return parsed
