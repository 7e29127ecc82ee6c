"""`monitor digest`: preview, write or send one day's digest."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.deliver.digest import (
    latest_story_day,
    preview_digest,
    resolve_digest,
    send_digest_now,
    write_digest_html,
)
from monitor.deliver.rank import due_day
from monitor.deliver.render import render_digest
from monitor.deliver.settings import DigestConfig, DigestError, load_digest_config
from monitor.timeutil import utcnow
from monitor.wording import count as _count

if TYPE_CHECKING:
    from monitor.cli.context import Context


def _day(value: str | None) -> date | None:
    """The --date given, or None for the default (which depends on --send)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"bad date {value!r}: use YYYY-MM-DD", param_hint="--date") from None


@click.command()
@click.option(
    "--date",
    "day_text",
    metavar="YYYY-MM-DD",
    help="The day (default: the day of the newest story; with --send, the latest day due).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the HTML digest to this file instead of sending it.",
)
@click.option("--send", is_flag=True, help="Send it to every recipient not yet served that day.")
@click.option("--recipient", help="Whose digest to show (languages, tags); default the first listed.")
@click.option(
    "--resolve",
    type=click.Choice(["sent", "resend"]),
    help="Settle a digest of unknown outcome (see `monitor stats`), with --date and --recipient: "
    "it arrived (sent), or send it again (resend).",
)
@click.pass_obj
def digest(
    obj: Context,
    day_text: str | None,
    output: Path | None,
    send: bool,
    recipient: str | None,
    resolve: str | None,
) -> None:
    """Show, write (--output FILE.html) or send (--send) the daily digest of top stories.

    Without --output or --send, prints the plain-text digest. Sending goes through the
    same records as the daemon: a day's digest reaches each recipient once. A digest whose
    end reached the server without a reply is never sent again on its own: --resolve settles it.
    """
    if sum([output is not None, send, resolve is not None]) > 1:
        raise click.UsageError("give one of --output, --send and --resolve")
    if resolve is not None and (day_text is None or recipient is None):
        raise click.UsageError("--resolve needs --date and --recipient: the digest to settle")
    config = obj.config
    cfg = load_digest_config(config) or DigestConfig(timezone=config.settings.timezone)
    known = recipient is None or any(r.address.lower() == recipient.lower() for r in cfg.recipients)
    if not known and resolve is None:  # a digest to settle may be of a reader taken off the list since
        listed = ", ".join(r.address for r in cfg.recipients) or "none"
        raise click.BadParameter(
            f"{recipient!r} is not in digest.recipients (listed: {listed})", param_hint="--recipient"
        )
    chosen = _day(day_text)
    today = utcnow().astimezone(cfg.zone).date()
    if chosen is not None and chosen > today:
        raise click.BadParameter(
            f"{chosen} is in the future (today is {today} in {cfg.timezone}): a digest covers a day "
            "that has begun",
            param_hint="--date",
        )
    with obj.store() as store:
        if resolve is not None and chosen is not None and recipient is not None:
            click.echo(resolve_digest(store, chosen, recipient, resolve, utcnow()))
            return
        if send:
            # The latest day whose digest is due (a day's digest goes out at `time` the day after).
            now = utcnow()
            day = chosen or due_day(now, cfg) or now.astimezone(cfg.zone).date() - timedelta(days=2)
            failures: list[str] = []
            for note in send_digest_now(store, config, day, failures=failures):
                click.echo(note)
            if failures:  # so that cron (or whatever runs this) notices
                raise DigestError(f"{_count(len(failures), 'digest')} of {day} not sent")
            return
        day = chosen or latest_story_day(store, cfg)  # a preview leads with the latest news
        if output is not None:
            try:
                path = write_digest_html(store, config, day, output, recipient=recipient)
            except OSError as exc:
                raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
            click.echo(f"wrote the digest of {day} to {path}")
            return
        view = preview_digest(store, config, cfg, day, recipient)
    text, _page = render_digest(view, cfg)
    click.echo(text, nl=False)
