# SPDX-License-Identifier: AGPL-3.0-or-later
"""Markdown written by staff, rendered to sanitized HTML (markdown-it-py, then nh3)."""

from __future__ import annotations

import html
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    # "js-default" escapes raw HTML instead of passing it through; nh3 is the second fence.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for a Markdown text: raw HTML is escaped, links are limited and nofollow."""
    if not text:
        return Markup("")
    cleaned = nh3.clean(
        _parser().render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - sanitized by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """Plain text of a Markdown text (for feeds, meta descriptions and search)."""
    if not text:
        return ""
    return html.unescape(nh3.clean(_parser().render(text), tags=set())).strip()
