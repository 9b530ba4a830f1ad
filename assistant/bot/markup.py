"""Telegram-safe HTML: FAQ Markdown converted to the few tags Telegram accepts, long texts split.

Telegram's HTML parse mode knows only b/strong, i/em, u, s, a href, code, pre and
blockquote, and at most 4,096 characters per message. Lists become "• " lines,
headings bold lines; every text is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup

MAX_MESSAGE_LENGTH = 4096
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tg://")


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback data, at most 64 bytes


@dataclass(frozen=True)
class Reply:
    """One answer of the bot: Telegram HTML and the inline buttons under it (rows)."""

    html: str
    buttons: list[list[Button]] = field(default_factory=list)


def escape(text: str) -> str:
    return html.escape(text, quote=False)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")


def markdown_to_telegram(text: str) -> str:
    """Convert staff-written Markdown (FAQ answers) to Telegram HTML."""
    renderer = _Renderer()
    renderer.blocks(_parser().parse(text or ""))
    return re.sub(r"\n{3,}", "\n\n", "".join(renderer.out)).strip()


class _Renderer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
        self.item_fresh = False

    def _ensure(self, newlines: int) -> None:
        text = "".join(self.out)
        if not text:
            return
        have = len(text) - len(text.rstrip("\n"))
        if have < newlines:
            self.out.append("\n" * (newlines - have))

    def _block(self) -> None:
        """Start a block: right after a list marker, inside a list (one line) or between blocks (blank line)."""
        if self.item_fresh:
            self.item_fresh = False
            return
        self._ensure(1 if self.lists else 2)

    def blocks(self, tokens: list) -> None:
        for tok in tokens:
            kind = tok.type
            if kind == "paragraph_open":
                self._block()
            elif kind == "heading_open":
                self._block()
                self.out.append("<b>")
            elif kind == "heading_close":
                self.out.append("</b>")
            elif kind in ("bullet_list_open", "ordered_list_open"):
                if not self.item_fresh:
                    self._ensure(1 if self.lists else 2)
                self.item_fresh = False
                start = tok.attrGet("start")
                self.lists.append([int(kind == "ordered_list_open"), int(start) if start else 1])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self._ensure(1)
                ordered, number = self.lists[-1]
                marker = f"{number}. " if ordered else "• "
                self.lists[-1][1] += 1
                self.out.append("    " * (len(self.lists) - 1) + marker)
                self.item_fresh = True
            elif kind == "list_item_close":
                self.item_fresh = False
            elif kind == "blockquote_open":
                self._block()
                self.out.append("<blockquote>")
                self.item_fresh = True
            elif kind == "blockquote_close":
                self.out.append("</blockquote>")
            elif kind in ("code_block", "fence"):
                self._block()
                self.out.append(f"<pre>{escape(tok.content.rstrip(chr(10)))}</pre>")
            elif kind == "hr":
                self._block()
                self.out.append("——————")
            elif kind == "inline":
                self.out.append(_inline(tok.children or []))


def _inline(children: list) -> str:
    out: list[str] = []
    links: list[bool] = []  # whether each open link produced an <a>
    for tok in children:
        kind = tok.type
        if kind == "text":
            out.append(escape(tok.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "strong_open":
            out.append("<b>")
        elif kind == "strong_close":
            out.append("</b>")
        elif kind == "em_open":
            out.append("<i>")
        elif kind == "em_close":
            out.append("</i>")
        elif kind == "s_open":
            out.append("<s>")
        elif kind == "s_close":
            out.append("</s>")
        elif kind == "code_inline":
            out.append(f"<code>{escape(tok.content)}</code>")
        elif kind == "link_open":
            href = str(tok.attrGet("href") or "")
            safe = href.lower().startswith(_SAFE_SCHEMES)
            links.append(safe)
            if safe:
                out.append(f'<a href="{html.escape(href, quote=True)}">')
        elif kind == "link_close":
            if links and links.pop():
                out.append("</a>")
        elif kind == "image":
            out.append(escape(tok.content or str(tok.attrGet("src") or "")))
        else:  # html_inline cannot occur (html disabled); anything else is shown as text
            out.append(escape(tok.content or ""))
    return "".join(out)


def tidy(rendered: str | Markup) -> str:
    """A rendered template without the blank-line runs and edge whitespace Jinja leaves."""
    text = re.sub(r"[ \t]+\n", "\n", str(rendered))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render(template: str, **context: object) -> str:
    """Render ``templates/bot/<template>.html.j2`` (autoescaped) into Telegram HTML."""
    from assistant.templating import render as render_template

    return tidy(render_template(f"bot/{template}.html.j2", **context))


# ---------------------------------------------------------------------------
# Splitting long messages

_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Cut ``text`` (Telegram HTML) into messages of at most ``limit`` characters.

    Cuts fall on a paragraph break if one is in reach, else a line break, else a space,
    else anywhere between two characters; never inside a tag or an entity. Tags open at
    a cut are closed at the end of the piece and reopened at the start of the next.
    """
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if telegram_length(rest) <= limit:
            pieces.append(rest)
            break
        head, rest = _cut(rest, limit)
        pieces.append(head)
    return pieces or [""]


def _cut(text: str, limit: int) -> tuple[str, str]:
    # Every position where a cut may fall, with the length before it and the tags open there.
    stack: list[tuple[str, str]] = []  # (name, opening tag as written)
    positions: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    used = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        tag = _TAG.fullmatch(token)
        if tag and tag.group(1):
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == tag.group(2).lower():
                    del stack[i]
                    break
        elif tag:
            stack.append((tag.group(2).lower(), token))
        if tag or token.startswith("&"):
            used += telegram_length(token)
            positions.append((match.end(), used, tuple(stack)))
        else:
            for offset, char in enumerate(token, start=match.start()):
                used += telegram_length(char)
                positions.append((offset + 1, used, tuple(stack)))
                if used > limit:
                    break
        if used > limit:
            break

    def fits(used_before: int, open_tags: tuple[tuple[str, str], ...]) -> bool:
        return used_before + sum(len(name) + 3 for name, _ in open_tags) <= limit

    best = None
    for pattern in ("\n\n", "\n", " ", ""):
        for pos, used_before, open_tags in reversed(positions):
            if not fits(used_before, open_tags) or pos >= len(text):
                continue
            if pattern == "" or (pos > len(pattern) and text[pos - len(pattern):pos] == pattern):
                best = (pos, open_tags)
                break
        if best:
            break
    if best is None:
        raise ValueError("message impossible à découper (limite trop petite)")
    pos, open_tags = best
    head = text[:pos].rstrip() + "".join(f"</{name}>" for name, _ in reversed(open_tags))
    rest = "".join(opening for _, opening in open_tags) + text[pos:].lstrip()
    return head, rest
