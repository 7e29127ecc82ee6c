"""Text from feeds, made safe to print on a terminal.

A feed title can carry escape sequences (which retitle or repaint the terminal, or hide what
follows), other control characters, and bidirectional overrides (which reorder the rest of the
line). What the CLI prints from feeds goes through `one_line` first; JSON output does not need
it (the JSON encoder escapes control characters).
"""

from __future__ import annotations

import re

__all__ = ["one_line"]

# Control characters become spaces; bidirectional embeddings, overrides and isolates vanish.
_UNPRINTABLE: dict[int, str | None] = {
    **{c: " " for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]},
    **{c: None for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]},
}
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
