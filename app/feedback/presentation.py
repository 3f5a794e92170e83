# SPDX-License-Identifier: AGPL-3.0-or-later
"""Showing a plain-text message as paragraphs with clickable links, without trusting it as HTML."""

from __future__ import annotations

import re

_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_BLANK_LINES = re.compile(r"\n\s*\n")

Piece = tuple[str, bool]  # the text, and whether it is a link


def split_links(line: str) -> list[Piece]:
    """A line cut into plain text and http(s) links."""
    pieces: list[Piece] = []
    position = 0
    for match in _LINK.finditer(line):
        if match.start() > position:
            pieces.append((line[position : match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(line):
        pieces.append((line[position:], False))
    return pieces


def message_paragraphs(text: str) -> list[list[list[Piece]]]:
    """Paragraphs (split on blank lines), each a list of lines, each a list of pieces."""
    normalized = (text or "").replace("\r\n", "\n").strip()
    if not normalized:
        return []
    return [
        [split_links(line) for line in paragraph.strip().split("\n")]
        for paragraph in _BLANK_LINES.split(normalized)
        if paragraph.strip()
    ]
