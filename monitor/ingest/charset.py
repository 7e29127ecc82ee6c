"""An article page's bytes -> text, as a browser decodes them (WHATWG Encoding and HTML's
encoding sniffing). Pure: no I/O.

In order: a byte order mark; the charset of the HTTP Content-Type; the page's own
`<meta charset>` or `<meta http-equiv=Content-Type>`; then detection. A declared charset is
used only when the bytes decode in it: one they do not decode in is wrong (a server default,
a template copied from another site) and the next source is tried. Valid UTF-8 with non-ASCII
bytes is read as UTF-8 whatever an ASCII-compatible label says (text in another charset is
almost never valid UTF-8, and pages saved in UTF-8 under an old label are common).

Detection, for pages that declare nothing usable: UTF-8 first, then charset_normalizer on the
page's text (tags, scripts and styles taken out) from a bounded prefix, among the charsets a
browser knows, read as browsers read them (latin-1 as windows-1252, Shift_JIS as cp932, GBK as
gb18030). Where several Latin code pages fit, the one that leaves no symbol inside a word wins
("zag³osowa³a" is Polish read as Baltic), then windows-1252 (HTML's default) on a tie.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING

from monitor.ingest import langid

if TYPE_CHECKING:
    from charset_normalizer.models import CharsetMatch

DETECT_PREFIX = 256 * 1024  # bytes of the page looked at to detect its charset...
DETECT_SAMPLE = 32 * 1024  # ...and of its text (tags out) handed to the detector
META_PREFIX = 4096  # where a page's <meta charset> must be (HTML: the first 1024 bytes; kept wider)
FALLBACK = "cp1252"  # HTML's default for pages that say nothing and detection cannot place

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NOT_TEXT = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.I | re.S)
_SPACES = re.compile(rb"[ \t\r\n\f]+")
_NON_ASCII = re.compile(rb"[\x80-\xff]")

# WHATWG Encoding: the label a page gives -> the decoder every browser uses for it.
_AS_BROWSERS_READ = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
}
# Labels browsers know and Python does not.
_LABELS = {"windows-874": "cp874", "x-sjis": "cp932", "x-cp1250": "cp1250", "x-cp1251": "cp1251"}
# The legacy charsets of WHATWG Encoding (Python's names): what detection chooses among.
WEB_CHARSETS = (
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u",
    "cp866", "cp874", "mac_roman", "mac_cyrillic", "gb18030", "big5hkscs", "euc_jp", "cp932", "cp949",
)  # fmt: skip
# The code pages a language's pages are written in, by ISO 639-1 code (most used first).
CODE_PAGES = {
    **dict.fromkeys(("cs", "sk", "pl", "hu", "sl", "hr", "bs", "ro"), ("cp1250", "iso8859_2")),
    **dict.fromkeys(("ru", "uk", "be", "bg", "sr", "mk"), ("cp1251", "koi8_r", "koi8_u", "iso8859_5")),
    **dict.fromkeys(("lt", "lv", "et"), ("cp1257", "iso8859_13", "iso8859_4")),
    "el": ("cp1253", "iso8859_7"),
    "tr": ("cp1254", "iso8859_9"),
    "he": ("cp1255", "iso8859_8"),
    **dict.fromkeys(("ar", "fa", "ur"), ("cp1256", "iso8859_6")),
    "vi": ("cp1258",),
    "th": ("cp874",),
}

# Charsets of scripts other than Latin (Python's names): a page detected in one of these is
# not in the windows-1252 a server's default label gives it.
OTHER_SCRIPTS = frozenset({
    "cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic", "cp1253", "iso8859-7",
    "cp1255", "iso8859-8", "cp1256", "iso8859-6", "cp874", "gb18030", "big5hkscs", "euc_jp",
    "cp932", "cp949",
})  # fmt: skip


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str  # Python's codec name
    source: str  # 'bom', 'http', 'meta', 'utf-8' (valid UTF-8), 'detected' or 'default'


def codec_for(label: str | None) -> str | None:
    """The decoder browsers use for a charset label, by Python's name; None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        codec = codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None
    return _AS_BROWSERS_READ.get(codec, codec)


def _ascii_compatible(codec: str) -> bool:
    return codec.startswith(("cp", "iso8859", "koi8", "mac", "gb", "big5", "euc", "shift", "tis"))


def _decodes(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_charsets(content: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """The charsets a page declares, as (codec, source), the HTTP header's first."""
    found: list[tuple[str, str]] = []
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(content[:META_PREFIX])
    labels = (header.group(1) if header else None, meta.group(1).decode("ascii") if meta else None)
    for label, source in zip(labels, ("http", "meta"), strict=True):
        codec = codec_for(label)
        if source == "meta" and codec in ("utf-16", "utf-16-le", "utf-16-be"):
            codec = "utf-8"  # HTML: a <meta> that could be read was not UTF-16
        if codec is not None and all(codec != seen for seen, _ in found):
            found.append((codec, source))
    return found


def decode_page(content: bytes, content_type: str | None = None) -> Decoded:
    """The page's text, the charset it was read in and where that came from. Never raises."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return Decoded(content.decode(codec, errors="replace"), codec.removesuffix("-sig"), "bom")
    as_utf8 = _decodes(content, "utf-8")
    declared = declared_charsets(content, content_type)
    detect = cache(partial(detect_charset, content))  # the slow step, at most once a page
    for codec, source in declared:
        if as_utf8 is not None and codec != "utf-8" and _ascii_compatible(codec) and not content.isascii():
            return Decoded(as_utf8, "utf-8", "utf-8")  # saved in UTF-8 under an old label
        if source == "http" and codec == "cp1252" and not content.isascii():
            # A server's default label (HTTP/1.1's ISO-8859-1, Apache's AddDefaultCharset) on
            # a page in another script, which windows-1252 reads as letter soup: the page's
            # own <meta> says better, else the bytes do, when they are plainly of such a script.
            if any(other == "meta" for _, other in declared):
                continue
            detected = detect()
            if detected in OTHER_SCRIPTS:
                return Decoded(content.decode(detected, errors="replace"), detected, "detected")
        if codec.startswith(("utf-16", "utf-32")) and b"\x00" not in content[:1024]:
            continue  # without a BOM, UTF-16 text of a page has NULs: any bytes "decode"
        text = as_utf8 if codec == "utf-8" else _decodes(content, codec)
        if text is not None:
            return Decoded(text, codec, source)
    if as_utf8 is not None:
        return Decoded(as_utf8, "utf-8", "utf-8")
    detected = detect()
    if detected is not None:
        return Decoded(content.decode(detected, errors="replace"), detected, "detected")
    # Nothing fits: the first declared charset (a few bad bytes in a page that said what it
    # is), else HTML's default.
    codec, source = declared[0] if declared else (FALLBACK, "default")
    return Decoded(content.decode(codec, errors="replace"), codec, source)


def text_sample(content: bytes) -> bytes:
    """The page's text as bytes (tags, scripts, styles and comments out), from a bounded
    part of the page that starts a little before its first non-ASCII byte, cut at a space so
    that no multi-byte character is split."""
    first = _NON_ASCII.search(content)
    start = max(0, first.start() - 4096) if first else 0
    text = _SPACES.sub(b" ", _NOT_TEXT.sub(b" ", content[start : start + DETECT_PREFIX]))
    if len(text) > DETECT_SAMPLE:
        cut = text.rfind(b" ", 0, DETECT_SAMPLE)
        text = text[: cut if cut > 0 else DETECT_SAMPLE]
    return text


def symbols_in_words(text: str) -> int:
    """Non-ASCII characters that are neither letters nor marks, between two letters: what a
    wrong single-byte code page makes of a letter ("zag³osowa³a")."""
    return sum(
        1
        for before, ch, after in zip(text, text[1:], text[2:], strict=False)
        if ord(ch) > 127
        and before.isalpha()
        and after.isalpha()
        and not ch.isalpha()
        and not unicodedata.category(ch).startswith("M")
    )


def choose_match(matches: list[CharsetMatch]) -> str | None:
    """The charset to read a page in, from the detector's matches (best first). Pure but
    for language identification of the best reading.

    Several single-byte code pages often read a short Latin text equally well: the ones that
    leave a symbol inside a word are out; of the rest, the code page of the text's language
    (Czech text in windows-1250, Turkish in windows-1254, as a browser set to that language
    would read it), else windows-1252 when it reads the text alike, else the detector's best."""
    if not matches:
        return None
    close = [m for m in matches if m.chaos <= matches[0].chaos + 0.01]
    symbols = [symbols_in_words(str(m)) for m in close]
    clean = [m for m, count in zip(close, symbols, strict=True) if count == min(symbols)]
    chosen = clean[0]
    fitting = CODE_PAGES.get(langid.detect_language(str(chosen)) or "", ())
    for codec in fitting:
        if any(codec in m.could_be_from_charset for m in clean):
            return codec_for(codec)
    for match in clean:
        if (
            "cp1252" in match.could_be_from_charset
            and abs(match.chaos - chosen.chaos) < 0.01
            and abs(match.coherence - chosen.coherence) <= 0.02
        ):
            return "cp1252"
    return codec_for(chosen.encoding)


def detect_charset(content: bytes) -> str | None:
    """The charset a page that declares none (or a wrong one) is most likely in, among the
    browsers' charsets; None when the detector finds none that fits."""
    import charset_normalizer

    sample = text_sample(content)
    if sample.isascii():
        return None  # nothing to tell charsets apart: the caller uses HTML's default
    matches = list(charset_normalizer.from_bytes(sample, cp_isolation=list(WEB_CHARSETS)))
    return choose_match(matches)
