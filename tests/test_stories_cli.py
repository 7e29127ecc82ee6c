"""`monitor stories` and `monitor story ID` as a user runs them, on a real SQLite file.

The stories are written straight into the tables (no model runs here): what is under test is
what the commands print from what the stories stage stored, including what feeds put in
titles that a terminal should never see.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.store import Store

WHEN = "2024-05-01T10:00:00Z"


@dataclass
class Corpus:
    """A database with feeds, articles and stories, and a feeds.yaml pointing at it."""

    folder: Path
    articles: list[dict[str, Any]] = field(default_factory=list)
    stories: list[dict[str, Any]] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.folder / "feeds.yaml"

    def article(self, story_id: int, **values: Any) -> int:
        article_id = len(self.articles) + 1
        row = {
            "id": article_id,
            "feed_id": 1,
            "guid": f"g{article_id}",
            "url": f"https://news.example/{article_id}",
            "title": f"Article {article_id}",
            "text": "Some text.",
            "language": "en",
            "published": WHEN,
            "first_seen": WHEN,
            "content_hash": f"h{article_id}",
            "story_id": story_id,
            "story_reason": None,
        }
        row.update(values)
        self.articles.append(row)
        return article_id

    def story(self, story_id: int, **values: Any) -> None:
        row = {
            "id": story_id,
            "first_seen": WHEN,
            "last_seen": WHEN,
            "headline_article_id": None,
            "entities": "[]",
            "model": "e5-small",
        }
        row.update(values)
        self.stories.append(row)

    def write(self) -> None:
        self.config.write_text(
            "settings:\n  database: monitor.db\n  timezone: UTC\nfeeds: []\n", encoding="utf-8"
        )
        with Store.open(self.folder / "monitor.db") as store:
            for n, name in ((1, "Outlet One"), (2, "Outlet Two")):
                store.db.execute(
                    "INSERT INTO feeds (id, url, name, created) VALUES (?, ?, ?, ?)",
                    [n, f"https://feed{n}.example/rss", name, WHEN],
                )
            for story in self.stories:
                keys = list(story)
                store.db.execute(
                    f"INSERT INTO stories ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                    [story[k] for k in keys],
                )
            for article in self.articles:
                keys = list(article)
                store.db.execute(
                    f"INSERT INTO articles ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                    [article[k] for k in keys],
                )
            store.db.conn.commit()

    def run(self, *args: str) -> Result:
        if not (self.folder / "monitor.db").exists():
            self.write()
        return CliRunner().invoke(main, ["--config", str(self.config), *args])


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Corpus]:
    yield Corpus(tmp_path)


def listing(corpus: Corpus, *args: str) -> str:
    result = corpus.run("stories", "--since", "2024-01-01", *args)
    assert result.exit_code == 0, result.output
    return result.output


def shown(corpus: Corpus, story_id: int) -> str:
    result = corpus.run("story", str(story_id))
    assert result.exit_code == 0, result.output
    return result.output


# -- what users type -------------------------------------------------------------------------


@pytest.mark.parametrize("story_id", ["99999999999999999999999", "9223372036854775808", "0", "-1"])
def test_a_story_id_out_of_range_is_not_found_without_a_traceback(corpus: Corpus, story_id: str) -> None:
    # It was an OverflowError traceback from SQLite for ids past 2**63 - 1.
    corpus.story(1)
    corpus.article(1)
    result = corpus.run("story", "--", story_id)
    assert result.exit_code == 1
    assert f"monitor: error: no story {story_id}" in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_limit_below_one_is_refused(corpus: Corpus, limit: str) -> None:
    # --limit -1 printed every story but the last one; --limit 0 said "no stories".
    for n in (1, 2):
        corpus.story(n)
        corpus.article(n)
    result = corpus.run("stories", "--since", "2024-01-01", "--limit", limit)
    assert result.exit_code == 2
    assert "--limit" in result.output


# -- what feeds put in titles ----------------------------------------------------------------


def test_terminal_escapes_and_bidi_overrides_never_reach_the_terminal(corpus: Corpus) -> None:
    title = "Red \x1b[31mALERT\x1b[0m \x1b]0;pwned\x07 and \u202egnirts\u202c\r\nend\x9b"
    corpus.story(1, entities=json.dumps(["Evil\x1b[2J"]))
    corpus.article(1, title=title)
    for output in (listing(corpus), shown(corpus, 1)):
        assert not any(c in output for c in "\x1b\x07\x9b\u202e\u202c\r"), repr(output)
        assert "Red ALERT and gnirts end" in output and "[31m" not in output and "pwned" not in output
    # JSON keeps the data as it is (escaped by JSON itself).
    result = corpus.run("story", "1", "--json")
    assert json.loads(result.output)["items"][0]["title"] == title


def test_an_untitled_article_shows_the_start_of_its_text(corpus: Corpus) -> None:
    corpus.story(1, headline_article_id=1)
    corpus.article(1, title="", text="A strong earthquake struck off the coast of northern Chile.")
    corpus.story(2)
    corpus.article(2, title="", text="", url="https://news.example/empty")
    out = listing(corpus)
    assert "(no title) A strong earthquake struck" in out
    assert "(no title) https://news.example/empty" in out
    story = shown(corpus, 1)
    assert "story 1: (no title) A strong earthquake" in story
    assert "Outlet One: (no title) A strong earthquake" in story


def test_a_long_title_is_cut_on_one_line(corpus: Corpus) -> None:
    corpus.story(1)
    corpus.article(1, title="Very long headline " * 100)
    first = listing(corpus).splitlines()[0]
    assert len(first) < 260 and first.endswith("…")
    assert all(len(line) < 300 for line in shown(corpus, 1).splitlines())


# -- what the stories stage stored -----------------------------------------------------------


def test_calendar_words_are_not_key_entities(corpus: Corpus) -> None:
    names = ["Wednesday", "Putin", "Novembre", "Freitag", "May", "The", "Kyiv"]
    corpus.story(1, entities=json.dumps(names))
    corpus.article(1)
    out = listing(corpus)
    assert "Putin, May, Kyiv" in out
    assert not any(word in out for word in ("Wednesday", "Novembre", "Freitag", "The"))
    assert "key names: Putin, May, Kyiv" in shown(corpus, 1)
    listed = json.loads(corpus.run("stories", "--since", "2024-01-01", "--json").output)
    assert listed[0]["entities"] == ["Putin", "May", "Kyiv"]


def test_a_copy_points_at_an_article_the_listing_shows(corpus: Corpus) -> None:
    corpus.story(1)
    original = corpus.article(1, title="Wire story", story_reason="new story: no active story close enough")
    corpus.article(
        1, feed_id=2, title="Wire story", duplicate_of=original, story_similarity=0.99, story_score=0.99
    )
    out = shown(corpus, 1)
    assert f"#{original}  " in out and f"(copy of #{original})" in out


def test_why_it_joined_shows_the_score_and_its_bonuses(corpus: Corpus) -> None:
    # Joined below the threshold on similarity alone: the score with its bonuses says why.
    corpus.story(1)
    corpus.article(1, language="en", story_reason="new story: no active story close enough")
    corpus.article(
        1,
        language="hu",
        published="2024-05-01T10:40:00Z",
        story_similarity=0.8799,
        story_score=0.9499,
        story_shared_keys=7,
        story_gap_hours=0.67,
        story_reason="similarity 0.88, 7 shared names/numbers, gap 1 h",
    )
    out = shown(corpus, 1)
    assert "new story: no active story close enough" in out
    assert (
        "joined: similarity 0.88, score 0.95 with 7 shared names or numbers "
        "and first article in its language, gap 40 min"
    ) in out



def test_why_it_joined_says_what_carried_it_across_languages(corpus: Corpus) -> None:
    corpus.story(1)
    corpus.article(1, language="en", story_reason="new story: no active story close enough")
    corpus.article(
        1,
        language="pt",
        published="2024-05-01T10:01:00Z",
        story_similarity=0.8712,
        story_score=0.9212,
        story_shared_keys=1,
        story_gap_hours=0.02,
        story_reason="similarity 0.87, 1 shared names/numbers, gap 0 h; "
        "across languages: centered similarity, 1 shared number",
    )
    out = shown(corpus, 1)
    assert "gap 1 min, across languages by centered similarity, 1 shared number" in out


def test_an_estimated_publication_time_is_marked(corpus: Corpus) -> None:
    corpus.story(1)
    corpus.article(1, published_estimated=1)
    out = shown(corpus, 1)
    assert "~2024-05-01 10:00 UTC" in out and "no usable date" in out


def test_a_story_of_copies_only_still_has_one_outlet(corpus: Corpus) -> None:
    # The copy opened a story of its own (its original sits in another story).
    corpus.story(1)
    original = corpus.article(1, title="Original report")
    corpus.story(2)
    corpus.article(2, feed_id=2, title="Reprint", duplicate_of=original)
    out = listing(corpus)
    assert "0 outlets" not in out
    assert "Reprint\n     1 outlet, 1 article" in out


def test_stories_of_one_language_are_headlined_in_it(corpus: Corpus) -> None:
    # The stored headline follows settings.languages; --lang fr asks for French.
    corpus.story(1, headline_article_id=1)
    corpus.article(1, language="en", title="Gas row fears")
    corpus.article(1, language="fr", title="Copie", published="2024-05-01T10:05:00Z", duplicate_of=1)
    corpus.article(1, language="fr", title="Crainte d'une crise du gaz", published="2024-05-01T10:10:00Z")
    corpus.story(2, headline_article_id=4)
    corpus.article(2, language="en", title="Only in English")
    assert "[1] Crainte d'une crise du gaz" in listing(corpus, "--lang", "fr")
    assert "[1] Gas row fears" in listing(corpus)
    listed = json.loads(corpus.run("stories", "--since", "2024-01-01", "--lang", "fr", "--json").output)
    assert [(s["id"], s["headline"], s["headline_language"]) for s in listed] == [
        (1, "Crainte d'une crise du gaz", "fr")
    ]


def test_an_empty_period_says_which_period_and_how_to_see_more(corpus: Corpus) -> None:
    corpus.story(1)
    corpus.article(1)
    result = corpus.run("stories", "--since", "2030-01-01", "--lang", "de")
    assert result.exit_code == 0
    assert "no stories with an article in de since 2030-01-01 00:00 UTC" in result.output
    assert "--since" in result.output


def test_a_story_in_an_unknown_language_still_ranks_by_its_outlets(corpus: Corpus) -> None:
    # Three outlets of emoji-only or undetected text used to score 0 and sink below anything.
    corpus.story(1)
    corpus.article(1, language="en", title="One outlet, one language")
    corpus.story(2)
    corpus.article(2, language=None, title="🔥🔥 first")
    corpus.article(2, language=None, feed_id=2, title="🔥🔥 second")
    out = listing(corpus).splitlines()
    assert out[0].startswith("  1. [2] ") and out[1].startswith("     2 outlets, 2 articles, ?;")


def test_with_no_since_the_latest_news_leads_even_when_it_is_old(corpus: Corpus) -> None:
    # A replayed corpus (2024 here) showed "no stories" by default: the last 24 hours were empty.
    corpus.story(1)
    corpus.article(1, title="Newest story", published="2024-05-01T10:00:00Z")
    corpus.story(2)
    corpus.article(2, title="Two days older", published="2024-04-29T10:00:00Z")
    result = corpus.run("stories")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("nothing published in the last 24 hours; the 24 hours to the newest")
    assert "2024-05-01 10:00 UTC:" in lines[0]
    assert "Newest story" in result.output and "Two days older" not in result.output


def test_of_two_stories_as_wide_the_more_recent_ranks_first_without_a_tie(corpus: Corpus) -> None:
    # Growth used to be the share of the window's articles in its last 24 hours: in a 24-hour
    # window it was 2 for every story, so stories as wide tied on their score.
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    quiet, fresh = ((now - timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ") for h in (20, 2))
    corpus.story(1, first_seen=quiet, last_seen=quiet)
    corpus.story(2, first_seen=fresh, last_seen=fresh)
    corpus.article(1, title="Quiet story", published=quiet, first_seen=quiet)
    corpus.article(2, title="Fresh story", published=fresh, first_seen=fresh)
    result = corpus.run("stories", "--json")  # the last 24 hours
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)
    assert [s["headline"] for s in ranked] == ["Fresh story", "Quiet story"]
    assert ranked[0]["score"] > ranked[1]["score"]


def test_the_recognised_names_are_listed_before_the_key_entities(corpus: Corpus) -> None:
    corpus.story(1, entities=json.dumps(["Masoud", "Guterres", "Antonio", "United"]))
    first = corpus.article(1, title="Pezeshkian at the UN")
    second = corpus.article(1, feed_id=2, title="Пезешкиан в ООН", language="ru")
    corpus.story(2, entities=json.dumps(["Survey", "Tuesday"]))
    corpus.article(2, title="A survey")  # no names found: its key entities, as before
    corpus.write()
    pezeshkian = {"key": "masud pezeshkian", "name": "Masoud Pezeshkian", "mentions": 2,
                  "variants": ["Masoud Pezeshkian", "Pezeshkian"]}
    with Store.open(corpus.folder / "monitor.db") as store:
        store.names_write({
            first: [pezeshkian, {"key": "antonio guterres", "name": "Antonio Guterres", "mentions": 1,
                                 "variants": ["Antonio Guterres"]}],
            second: [{**pezeshkian, "name": "Масуд Пезешкиан",
                      "variants": ["Масуд Пезешкиан", "Пезешкиана"]}],
        })
    lines = listing(corpus).splitlines()
    one = next(i for i, line in enumerate(lines) if "[1]" in line)
    assert lines[one + 1].endswith("; Masoud Pezeshkian, Antonio Guterres"), lines[one + 1]
    two = next(i for i, line in enumerate(lines) if "[2]" in line)
    assert lines[two + 1].endswith("; Survey"), lines[two + 1]
    out = shown(corpus, 1)
    people = next(line for line in out.splitlines() if "people and organisations:" in line)
    assert people.startswith("  people and organisations: Masoud Pezeshkian (")
    assert "Antonio Guterres" in people
    assert "Масуд Пезешкиан" in people and "Пезешкиана" in people  # its spellings in every script
    assert "key names: Masoud, Guterres, Antonio, United" in out  # the stories stage's evidence stays
    assert "people and organisations" not in shown(corpus, 2)
