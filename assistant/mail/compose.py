"""Build outgoing messages: threaded, marked automatic, text and HTML alternatives."""

from __future__ import annotations

import email.utils
import re
import secrets
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32

from assistant.mail.classify import DOSSIER_TAG_RE
from assistant.mail.parse import ParsedMessage
from assistant.templating import render

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable .eml files, and no 8-bit lines for old relays
_SMTP = compat32.clone(linesep="\r\n")

_REPLY_PREFIX_RE = re.compile(r"^\s*((re|tr|fwd?|aw|sv)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Outgoing:
    """A rendered message ready for the outbox."""

    message_id: str
    recipient: str
    subject: str
    template: str
    raw: bytes


def reply_subject(original: str, tag: str | None = None) -> str:
    """``Re:`` once, the dossier tag kept (or added) so a reply to us finds its dossier."""
    base = _REPLY_PREFIX_RE.sub("", original or "").strip() or "Votre message"
    if tag and not DOSSIER_TAG_RE.search(base):
        base = f"[{tag}] {base}"
    return f"Re: {base}"


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def build_message(
    *,
    sender: str,
    sender_name: str,
    recipient: str,
    subject: str,
    template: str,
    context: dict[str, object],
    in_reply_to: ParsedMessage | None = None,
    automatic: bool = True,
) -> Outgoing:
    """Render ``template``.txt.j2 and ``template``.html.j2 into one multipart/alternative message."""
    text = render(f"email/{template}.txt.j2", **context)
    html = render(f"email/{template}.html.j2", **context)
    # The legacy MIME classes are several times cheaper than EmailMessage for the same bytes on the wire.
    # A random boundary of our own spares the generator a regex scan of the whole body (QP text cannot hold it).
    msg = MIMEMultipart("alternative", boundary=f"=_tnl_{secrets.token_hex(16)}")
    message_id = email.utils.make_msgid(domain=_domain(sender))
    msg["Message-ID"] = message_id
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["From"] = email.utils.formataddr((sender_name, sender), charset="utf-8")
    msg["To"] = recipient
    msg["Subject"] = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    if in_reply_to is not None and in_reply_to.message_id:
        msg["In-Reply-To"] = f"<{in_reply_to.message_id}>"
        refs = [*in_reply_to.references, in_reply_to.message_id]
        msg["References"] = " ".join(f"<{r}>" for r in refs[-20:])
    if automatic:
        # RFC 3834: tell other robots not to answer us, and Exchange not to send out-of-office replies.
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.attach(MIMEText(text, "plain", _UTF8_QP))
    msg.attach(MIMEText(html, "html", _UTF8_QP))
    return Outgoing(
        message_id=message_id.strip("<>"),
        recipient=recipient,
        subject=subject,
        template=template,
        raw=msg.as_bytes(policy=_SMTP),
    )
