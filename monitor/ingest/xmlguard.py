"""Defuse a feed's DTD before the parser sees it: no entity expansion bomb, no external entity.

feedparser's strict parser (expat) refuses billion-laughs documents, but then falls back to
its loose parser, which expands the "safe" entities it kept from the DTD without any limit:
a 40 kB body with one 10 kB entity used 10,000 times becomes 100 MB of text. So the
internal DTD subset is judged here first, on the raw bytes, and removed when it could
expand beyond a small budget, or declares parameter or external entities (XXE).
Undeclared references then stay as literal text.
"""

from __future__ import annotations

import codecs
import re

EXPANSION_BUDGET = 1024 * 1024  # bytes the declared entities may add, beyond the body's size

_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE\s[^\[>]*\[(?P<subset>.*?)\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[^\s\"'>]+)\s*(?P<rest>[^>]*)>", re.DOTALL)
_QUOTED = re.compile(r"^(?:\"(?P<d>[^\"]*)\"|'(?P<s>[^']*)')\s*$", re.DOTALL)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec_of(content: bytes) -> str:
    """A codec that reads the markup of the prolog losslessly enough to find a DTD."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec
    head = content[:4]
    if head == b"<\0\0\0":
        return "utf-32-le"
    if head == b"\0\0\0<":
        return "utf-32-be"
    if head[:2] == b"<\0":
        return "utf-16-le"
    if head[:2] == b"\0<":
        return "utf-16-be"
    return "latin-1"  # every ASCII-compatible encoding: bytes map one to one


def defuse_entities(content: bytes) -> tuple[bytes, str | None]:
    """The body with a dangerous internal DTD subset removed, and a note saying why (or None)."""
    if b"<!" not in content and b"<\0!" not in content and b"\0<\0!" not in content:
        return content, None
    codec = _codec_of(content)
    try:
        text = content.decode(codec)
    except UnicodeDecodeError:
        text = content.decode("latin-1")
        codec = "latin-1"
    first = _FIRST_ELEMENT.search(text)
    prolog_end = first.start() if first else len(text)
    match = _DOCTYPE_SUBSET.search(text, 0, prolog_end)
    if match is None or "<!ENTITY" not in match.group("subset"):
        return content, None
    reason = _danger(match.group("subset"), text, len(content))
    if reason is None:
        return content, None
    start, end = match.span("subset")
    cleaned = text[: start - 1] + text[end + 1 :]  # drop '[' subset ']'
    encoded = cleaned.encode(codec) if codec != "utf-8-sig" else codecs.BOM_UTF8 + cleaned.encode("utf-8")
    return encoded, f"DTD entity declarations removed: {reason}"


def _danger(subset: str, text: str, size: int) -> str | None:
    expansion = 0
    values: dict[str, str] = {}
    for entity in _ENTITY.finditer(subset):
        if entity.group("pe"):
            return "parameter entities are not allowed"
        quoted = _QUOTED.match(entity.group("rest").strip())
        if quoted is None:
            return f"the external entity {entity.group('name')!r} is not fetched"
        values[entity.group("name")] = (
            quoted.group("d") if quoted.group("d") is not None else quoted.group("s")
        )
    for name, value in values.items():
        # A value referring to another entity nests the expansion (billion laughs).
        if re.search(r"&[^#\s;]+;", value):
            return f"the entity {name!r} refers to other entities"
        expansion += text.count(f"&{name};") * len(value)
        if expansion > EXPANSION_BUDGET + size:
            return f"entities would expand to more than {EXPANSION_BUDGET + size} bytes"
    return None
