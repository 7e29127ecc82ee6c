"""Rendering the digest: Jinja2 templates (plain text and HTML with inline CSS) into one
multipart/alternative message; every string from a feed is reduced to plain text and escaped,
and only http(s) links survive.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from monitor.deliver.rank import Digest
from monitor.deliver.settings import DigestConfig
from monitor.entities.countries import country_name
from monitor.languages import language_name
from monitor.wording import count

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "yi", "ps"})


TEMPLATES = Path(__file__).parent / "templates"


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["language_name"] = language_name
    env.filters["direction"] = lambda code: "rtl" if code in RTL_LANGUAGES else "ltr"
    env.filters["country_name"] = country_name
    return env


def subject_of(digest: Digest, cfg: DigestConfig) -> str:
    stories = "no new stories" if not digest.stories else count(len(digest.stories), "story")
    return f"{cfg.subject} — {digest.day.isoformat()} — {stories}"


def render_digest(digest: Digest, cfg: DigestConfig) -> tuple[str, str]:
    """(plain text, HTML) of a digest."""
    zone = ZoneInfo(digest.timezone)

    def local(when: datetime) -> str:
        return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    if digest.until is not None:
        day_line = f"{digest.day.isoformat()} so far, to {local(digest.until)[11:]} ({digest.timezone})"
    else:
        day_line = f"The day of {digest.day.isoformat()}, midnight to midnight ({digest.timezone})"
    context = {
        "count": count,
        "day_line": day_line,
        "digest": digest,
        "subject": subject_of(digest, cfg),
        "local": local,
        "zone": digest.timezone,
        "base_url": cfg.base_url,
    }
    text = _environment(autoescape=False).get_template("digest.txt.j2").render(context)
    page = _environment(autoescape=True).get_template("digest.html.j2").render(context)
    return text, page


def compose_message(
    digest: Digest, cfg: DigestConfig, recipient: str, *, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """The mail: multipart/alternative, text then HTML, UTF-8, with Date, Message-ID, Subject."""
    text, page = render_digest(digest, cfg)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject_of(digest, cfg)
    message["From"] = cfg.sender
    message["To"] = recipient
    message["Date"] = format_datetime(now.astimezone(UTC))
    domain = parseaddr(cfg.sender)[1].rpartition("@")[2] or "localhost"
    # Short enough to stay on one header line; unique per composed digest.
    message["Message-ID"] = message_id or f"<digest.{digest.day.isoformat()}.{secrets.token_hex(8)}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    message.add_alternative(page, subtype="html", charset="utf-8")
    return message
