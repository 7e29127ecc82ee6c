"""Daily watches (`notify: email: {mode: daily}`): a section per watch in the reader's digest,
with the day's new matching stories and why they matched; sent once per reader and day with
the digest, through a real aiosmtpd server, on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from monitor.deliver.alertplan import StorySize
from monitor.deliver.digest import build_digest, daily_watches, run_due_digests
from monitor.deliver.rank import DailyWatch, watch_sections
from monitor.deliver.settings import load_digest_config
from monitor.store import Store
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import load_watches_config

from .test_digest import (  # noqa: F401 - the fixtures
    DAY,
    DUE,
    IN_DAY,
    SmtpServer,
    World,
    config_text,
    smtp,
    three_stories,
    world,
    write,
)

WATCHES = (
    "watches:\n"
    "  - name: Quake\n"
    "    query: earthquake OR séisme\n"
    "    notify:\n"
    "      email: {to: Reader@example.org, mode: daily}\n"
    "  - name: Elections\n"
    "    query: election*\n"
    "    min_outlets: 2\n"
    "    notify:\n"
    "      email: {to: reader@example.org, mode: daily}\n"
    "  - name: Instant\n"
    "    query: earthquake\n"
    "    notify:\n"
    "      email: {to: ar@example.org, mode: immediate}\n"
)


QUAKE_ONE = "Watch: Quake\n------------\n1 new matching story on this day."
ELECTIONS_ONE = "Watch: Elections\n----------------\n1 new matching story on this day."


def figures(w: World) -> None:
    """The story figures the stories stage keeps (World places articles by hand)."""
    w.store.db.execute(
        "UPDATE stories SET "
        "n_articles = (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id), "
        "n_outlets = (SELECT COUNT(DISTINCT feed_id) FROM articles a WHERE a.story_id = stories.id), "
        "languages = (SELECT json_group_array(DISTINCT language) FROM articles a "
        "WHERE a.story_id = stories.id), "
        "last_seen = (SELECT MAX(published) FROM articles a WHERE a.story_id = stories.id)"
    )


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


def mail_to(server: SmtpServer, address: str, index: int = -1) -> EmailMessage:
    mails = [m for env, m in server.mailbox.messages if env.rcpt_tos == [address]]
    return mails[index]  # type: ignore[return-value]


def test_only_the_readers_daily_watches_give_sections(world: World, tmp_path: Path) -> None:  # noqa: F811
    config = write(tmp_path, config_text(2525) + WATCHES)
    assert daily_watches(config, "READER@example.org") == [
        DailyWatch("Quake", 1),
        DailyWatch("Elections", 2),
    ]
    assert daily_watches(config, "ar@example.org") == []  # an immediate watch: not in the digest
    assert daily_watches(config, None) == []


def test_a_story_shown_before_comes_back_only_when_it_grew() -> None:
    row = {
        "watch_name": "Quake", "watch_id": 1, "article_id": 10, "story_id": 5, "why": '{"terms": ["quake"]}',
        "published": "2026-03-09T12:00:00Z", "title": "Quake", "url": "javascript:alert(1)", "link": None,
        "language": "en", "feed_name": "Wire", "feed_title": None, "feed_url": "https://w.example/rss",
        "n_outlets": 2, "story_languages": '["en"]', "headline": "<b>Quake</b> hits",
        "headline_language": "en",
    }  # fmt: skip
    similar = {**row, "article_id": 11, "why": '{"similarity": 0.91, "terms": ["aftershock"]}'}
    watches = [DailyWatch("quake")]
    (section,) = watch_sections(watches, [row, similar], {}, 10)
    (story,) = section.stories
    assert (story.reason, story.matched, story.headline) == ("new", 2, "Quake hits")
    assert story.why == "terms aftershock, quake; about (similarity 0.91)"
    assert story.links[0][1].url is None  # only http(s) links
    assert watch_sections(watches, [row], {(1, 5): StorySize(frozenset({"en"}), 2)}, 10) == ()
    (grown,) = watch_sections(watches, [row], {(1, 5): StorySize(frozenset({"en"}), 1)}, 10)
    assert grown.stories[0].reason == "outlets doubled"
    assert watch_sections([DailyWatch("Quake", min_outlets=3)], [row], {}, 10) == ()
    many = [{**row, "story_id": n, "article_id": n} for n in range(5)]
    (cut,) = watch_sections(watches, many, {}, 3)
    assert len(cut.stories) == 3 and cut.more == 2


def test_daily_watches_are_sections_of_the_digest_sent_once(
    world: World,  # noqa: F811
    tmp_path: Path,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    config = write(tmp_path, config_text(smtp.port, extra="  base_url: https://news.example\n") + WATCHES)
    watches = load_watches_config(config)
    run_watch_stage(world.store, watches, None)  # the watches exist before the news: live matches
    ids = three_stories(world)
    second = world.article("El País", "es", "Elecciones: election results", IN_DAY + timedelta(hours=5))
    world.store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [ids["small"], second])
    figures(world)
    run_watch_stage(world.store, watches, None)

    assert sorted(run_due_digests(world.store, config, DUE)) == [
        f"{DAY} ar@example.org: sent",
        f"{DAY} reader@example.org: sent",
    ]
    reader = mail_to(smtp, "reader@example.org")
    text, page = body(reader, "plain"), body(reader, "html")
    assert QUAKE_ONE in text
    assert "Why: terms earthquake, séisme (3 matching articles that day)" in text
    assert f"The story: https://news.example/stories/{ids['quake']}" in text
    assert "[fr] Un séisme frappe la côte (Le Monde" in text
    assert "Землетрясение" not in text.split("Watch: Quake")[1]  # the day before: not a match of this day
    assert ELECTIONS_ONE in text  # two outlets: min_outlets 2 holds
    assert 'data-watch="Quake"' in page and "Why: terms earthquake, séisme" in page
    assert "Watch:" not in body(mail_to(smtp, "ar@example.org"), "plain")  # not this reader's watches

    # Once per reader and day: a second run, and a restart, send nothing more.
    assert run_due_digests(world.store, config, DUE + timedelta(minutes=5)) == []
    world.store.close()
    world.store = Store.open(tmp_path / "monitor.db")
    assert run_due_digests(world.store, config, DUE + timedelta(minutes=10)) == []
    assert len(smtp.mailbox.messages) == 2
    shown = world.store.query("SELECT story_id, target FROM watch_alerts WHERE channel = 'digest'")
    assert sorted((r["story_id"], r["target"]) for r in shown) == [
        (ids["quake"], "reader@example.org"),
        (ids["small"], "reader@example.org"),
    ]

    # The next day: the quake story grows by one outlet in a language it had; a new story matches.
    day2 = IN_DAY + timedelta(days=1)
    more = world.article("AP", "en", "Earthquake: aftershocks", day2)
    chile = world.article("AP", "en", "Earthquake in Chile", day2 + timedelta(hours=1))
    world.store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [ids["quake"], more])
    chile_story = world.story([chile])
    figures(world)
    run_watch_stage(world.store, watches, None)
    run_due_digests(world.store, config, DUE + timedelta(days=1))
    text = body(mail_to(smtp, "reader@example.org"), "plain")
    assert QUAKE_ONE in text and "Earthquake in Chile" in text
    assert (
        "aftershocks" not in text.split("Watch: Quake")[1]
    )  # shown yesterday at nearly this size: not again
    assert "Watch: Elections" not in text

    # The day after: a new language makes the quake story worth showing again.
    day3 = IN_DAY + timedelta(days=2)
    spanish = world.article("El Mundo", "es", "Earthquake: España envía ayuda", day3)
    world.store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [ids["quake"], spanish])
    figures(world)
    run_watch_stage(world.store, watches, None)
    run_due_digests(world.store, config, DUE + timedelta(days=2))
    text = body(mail_to(smtp, "reader@example.org"), "plain")
    section = text.split("Watch: Quake")[1]
    assert "again: new language" in section and "España envía ayuda" in section
    assert "Earthquake in Chile" not in section

    # A preview of the first day, after it was sent, still shows what that day's digest held.
    cfg = load_digest_config(config)
    assert cfg is not None
    preview = build_digest(
        world.store, cfg, DAY, cfg.recipients[0], watches=daily_watches(config, "reader@example.org")
    )
    assert [s.id for s in preview.watches[0].stories] == [ids["quake"]]
    assert chile_story not in {s.id for section in preview.watches for s in section.stories}


def test_a_day_with_only_watch_news_is_not_skipped(
    world: World,  # noqa: F811
    tmp_path: Path,
    smtp: SmtpServer,  # noqa: F811
) -> None:
    sport_only = "    - address: reader@example.org\n      tags: [sport]\n    - ar@example.org\n"
    config = write(
        tmp_path, config_text(smtp.port, extra="  when_empty: skip\n", recipients=sport_only) + WATCHES
    )
    watches = load_watches_config(config)
    run_watch_stage(world.store, watches, None)
    world.story([world.article("Reuters", "en", "Earthquake hits the coast", IN_DAY)])
    figures(world)
    run_watch_stage(world.store, watches, None)
    notes = run_due_digests(world.store, config, DUE)
    assert sorted(notes) == [f"{DAY} ar@example.org: sent", f"{DAY} reader@example.org: sent"]
    text = body(mail_to(smtp, "reader@example.org"), "plain")
    assert "No new stories on this day." in text and QUAKE_ONE in text
