"""Text from feeds, made safe to print on a terminal.

A feed title can carry escape sequences (which retitle or repaint the terminal, or hide what
follows), other control characters, and bidirectional overrides (which reorder the rest of the
line). What the CLI prints from feeds goes through `one_line` first. JSON the CLI prints goes
through `json_text`: the JSON encoder escapes C0 control characters but passes the C1 ones
(U+0080-U+009F: U+009B starts an escape sequence on some terminals) and bidi overrides as
they are; `json_text` escapes those too, so the text decodes to the same value.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_text", "one_line"]

_C0 = range(0x00, 0x20)
_DEL_C1 = range(0x7F, 0xA0)  # DEL and the C1 controls (U+009B starts an escape sequence)
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # embeddings, overrides, isolates
# On one line: control characters become spaces, bidi controls vanish.
_UNPRINTABLE: dict[int, str | None] = {**{c: " " for c in [*_C0, *_DEL_C1]}, **{c: None for c in _BIDI}}
# In JSON text: what the encoder leaves raw (it escapes only C0) is escaped too.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in [*_DEL_C1, *_BIDI]}
# Whole escape sequences (CSI, OSC, two-character), so no `[31m` is left behind.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-Z\\-_]"
)


def one_line(text: object, limit: int | None = None) -> str:
    """`text` on one terminal line: no escape sequences or control characters, no bidi
    overrides, whitespace collapsed, cut at `limit` characters with an ellipsis."""
    raw = _ESCAPES.sub("", str(text or ""))
    line = " ".join(raw.translate(_UNPRINTABLE).split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def json_text(value: Any, *, indent: int | None = None) -> str:
    """`value` as JSON (non-ASCII text as is) with nothing in it a terminal would act on."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)
