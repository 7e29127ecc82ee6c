"""RFC 822 dates written with day and month names in other languages, or a 12-hour clock.

Many publishers localize pubDate ('mer, 16 nov 2022 00:38:15 +0100', 'Seg, 24 Set 2018
19:42:40 -0300', 'Di, 03 Mär 2020 ...'). feedparser reads only English names; this handler,
registered with feedparser, maps the names to English and parses the rest as RFC 822.
"""

from __future__ import annotations

import email.utils
import re
import time
import unicodedata
from datetime import datetime

import feedparser

_MONTHS = (
    # en, fr, de, es, it, pt, nl, pl/cs/other common abbreviations
    ("jan", "janv", "janvier", "januar", "jän", "ene", "enero", "gen", "gennaio", "janeiro", "januari"),
    (
        "feb",
        "fev",
        "fév",
        "févr",
        "fevr",
        "février",
        "februar",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
    ),
    ("mar", "mars", "mär", "märz", "marz", "marzo", "março", "marco", "maart", "mrt"),
    ("apr", "avr", "avril", "april", "abr", "abril", "aprile"),
    ("may", "mai", "mayo", "mag", "maggio", "maio", "mei"),
    ("jun", "juin", "juni", "junio", "giu", "giugno", "junho"),
    ("jul", "juil", "juillet", "juli", "julio", "lug", "luglio", "julho"),
    ("aug", "août", "aout", "august", "ago", "agosto", "augustus"),
    ("sep", "sept", "septembre", "september", "septiembre", "set", "settembre", "setembro"),
    ("oct", "octobre", "okt", "oktober", "octubre", "ott", "ottobre", "out", "outubro"),
    ("nov", "novembre", "november", "noviembre", "novembro"),
    (
        "dec",
        "déc",
        "décembre",
        "decembre",
        "dez",
        "dezember",
        "dic",
        "diciembre",
        "dicembre",
        "dezembro",
        "december",
    ),
)
_ENGLISH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_OF = {
    unicodedata.normalize("NFC", name): _ENGLISH[index]
    for index, names in enumerate(_MONTHS)
    for name in names
}
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def parse_localized_rfc822(value: str) -> time.struct_time | None:
    """Parse an RFC 822 date whose day and month names are not English; None if not one."""
    if not value or not any(ch.isalpha() for ch in value):
        return None
    text = unicodedata.normalize("NFC", value.strip())
    # Drop a leading weekday name (in any language) and translate the month name.
    text = re.sub(r"^\s*[^\W\d_]+\.?,?\s+", "", text, flags=re.UNICODE)
    month_found = False

    def translate(match: re.Match[str]) -> str:
        nonlocal month_found
        word = match.group(0).rstrip(".").lower()
        if word in _MONTH_OF and not month_found:
            month_found = True
            return _MONTH_OF[word]
        return match.group(0)

    text = _WORD.sub(translate, text)
    if not month_found:
        return None
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return None
    timestamp = email.utils.mktime_tz(parsed)
    return time.gmtime(timestamp)


_ISO_COMPACT_OFFSET = re.compile(
    r"^\s*(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)([+-]\d\d)(\d\d)\s*$"
)


def parse_iso_compact_offset(value: str) -> time.struct_time | None:
    """ISO 8601 with an offset written without a colon ('2024-03-22T10:00:00+0530'):
    feedparser misreads the offset's minutes (05:00 instead of 04:30 UTC)."""
    match = _ISO_COMPACT_OFFSET.match(value or "")
    if match is None:
        return None
    try:
        when = datetime.fromisoformat(f"{match.group(1)}{match.group(2)}:{match.group(3)}")
    except ValueError:
        return None
    return time.gmtime(when.timestamp())


# A 12-hour clock in an RFC 822 date ('Tue, 02 Dec 2025 02:02:33 PM EST'): feedparser and
# email.utils read the hour and drop the PM (and with it the zone: 02:02 UTC for 19:02 UTC).
TWELVE_HOUR = re.compile(r"\b(\d{1,2}):(\d\d)(?::(\d\d))?\s*([AaPp])\.?[Mm]\.?(?=\s|$)")


def parse_twelve_hour_rfc822(value: str) -> time.struct_time | None:
    """An RFC 822 date whose time has AM or PM (English or other month names); None if
    not one."""
    match = TWELVE_HOUR.search(value or "")
    if match is None:
        return None
    hour = int(match.group(1))
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match.group(4).lower() == "p" else 0)
    clock = f"{hour:02d}:{match.group(2)}:{match.group(3) or '00'}"
    text = f"{value[: match.start()]}{clock}{value[match.end():]}"
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return parse_localized_rfc822(text)
    return time.gmtime(email.utils.mktime_tz(parsed))


# feedparser tries the handler registered last first.
feedparser.registerDateHandler(parse_localized_rfc822)
feedparser.registerDateHandler(parse_iso_compact_offset)
feedparser.registerDateHandler(parse_twelve_hour_rfc822)
