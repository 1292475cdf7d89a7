"""WhatsApp-style chat markup (`*bold*`, `_italic_`, `~strike~`, ```` ```mono``` ````) rendered as safe HTML.

The agent writes replies in WhatsApp's markup because most customers read them there; the website widget and
the staff inbox show the same text, so they render the markup instead of showing literal asterisks. The text is
HTML-escaped first; only the four markers become tags. A marker opens at the start of the text or after a
space or punctuation, closes before a space, punctuation or the end, and never spans a line break — as WhatsApp
does, so "5*3*2" and "harga_grosir_baru" stay as written. The widget has the same rules in JavaScript.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_EDGE_BEFORE = r"(?:(?<=^)|(?<=[\s(\[{\"'.,:;!?-]))"
_EDGE_AFTER = r"(?=$|[\s)\]}\"'.,:;!?-])"
_RULES = [
    (re.compile(r"```([^\n`][^`]*?)```"), "code"),
    (re.compile(_EDGE_BEFORE + r"\*(?=\S)([^*\n]*?\S)\*" + _EDGE_AFTER, re.M), "b"),
    (re.compile(_EDGE_BEFORE + r"_(?=\S)([^_\n]*?\S)_" + _EDGE_AFTER, re.M), "i"),
    (re.compile(_EDGE_BEFORE + r"~(?=\S)([^~\n]*?\S)~" + _EDGE_AFTER, re.M), "s"),
]


def to_html(text: str | None) -> Markup:
    """Escape `text` and turn WhatsApp markers into <b>, <i>, <s> and <code> (newlines kept as they are)."""
    html = str(escape(text or ""))
    for pattern, tag in _RULES:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return Markup(html)
