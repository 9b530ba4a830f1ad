"""Jinja2 environment over ``templates/``: HTML templates autoescaped, text templates not."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jinja2
from markupsafe import Markup

from assistant.resources import data_dir

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")


def date_fr(value: dt.date | dt.datetime | None) -> str:
    """8 novembre 2024 — dates in French whatever the machine's locale."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


@lru_cache(maxsize=1)
def _markdown_renderer():
    from markdown_it import MarkdownIt

    # Raw HTML in the corpus is escaped, not passed through: staff write Markdown, never markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@lru_cache(maxsize=1024)
def markdown_to_html(text: str) -> Markup:
    return Markup(_markdown_renderer().render(text or ""))


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_fr"] = date_fr
    env.filters["markdown"] = markdown_to_html
    return env


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
