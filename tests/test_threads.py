"""Threads: a later development of a subject is a story of its own, linked to the earlier one,
never merged into it. Here the links go through the real store (stories_write) on a real SQLite
file, and out through the CLI, the export, the web server and the digest."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from monitor.deliver.rank import StoryView, mark_follow_ups
from monitor.store import Store
from tests.browser import Page, requires_chromium
from tests.test_stories_cli import Corpus
from tests.test_web import WebServer

NOW = datetime(2024, 5, 20, tzinfo=UTC)


def record(story_id: int) -> dict[str, object]:
    """A story row as the stage writes it (figures only; these tests look at thread ids)."""
    return {
        "id": story_id, "model": "e5-small", "first_seen": f"2024-05-{story_id:02d}T10:00:00Z",
        "last_seen": f"2024-05-{story_id:02d}T12:00:00Z", "headline_article_id": None, "n_articles": 1,
        "n_outlets": 1, "n_languages": 1, "languages": '["en"]', "entities": "[]", "keys": "{}",
        "centroid": None,
    }  # fmt: skip


def link(store: Store, story_id: int, earlier: int) -> None:
    store.stories_write([], [], [record(story_id)], NOW, threads=[(story_id, earlier)])


def threads_of(store: Store) -> dict[int, int | None]:
    return {r["id"]: r["thread_id"] for r in store.query("SELECT id, thread_id FROM stories ORDER BY id")}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "monitor.db")
    opened.stories_write([], [], [record(1), record(2)], NOW)
    return opened


def test_a_follow_up_starts_a_thread_named_by_the_first_story(store: Store) -> None:
    assert threads_of(store) == {1: None, 2: None}
    link(store, 3, 1)
    assert threads_of(store) == {1: 1, 2: None, 3: 1}
    link(store, 4, 3)  # a follow-up of a follow-up joins the same thread
    assert threads_of(store) == {1: 1, 2: None, 3: 1, 4: 1}


def test_merging_two_stories_joins_their_threads_under_a_live_story(store: Store) -> None:
    link(store, 3, 1)  # thread 1: stories 1, 3
    link(store, 4, 2)  # thread 2: stories 2, 4
    # Story 1 (which names its thread) is merged into story 4: one thread, named by story 4's.
    store.stories_write([], [(1, 4)], [], NOW)
    assert threads_of(store) == {1: 2, 2: 2, 3: 2, 4: 2}
    live = store.query("SELECT id FROM stories WHERE thread_id = 2 AND merged_into IS NULL ORDER BY id")
    assert [r["id"] for r in live] == [2, 3, 4]


def test_merging_the_story_that_names_a_thread_renames_it(store: Store) -> None:
    link(store, 3, 1)
    store.stories_write([], [(1, 2)], [], NOW)  # story 2 was alone
    assert threads_of(store) == {1: 2, 2: 2, 3: 2}


def thread_corpus(tmp_path: Path) -> Corpus:
    corpus = Corpus(tmp_path)
    for story_id, first, last, n in ((1, "05-01T10", "05-01T12", 2), (2, "05-06T10", "05-06T11", 1),
                                     (3, "05-02T09", "05-02T09", 1)):  # fmt: skip
        corpus.story(
            story_id, first_seen=f"2024-{first}:00:00Z", last_seen=f"2024-{last}:00:00Z", n_articles=n,
            languages='["en"]', n_languages=1,
        )  # fmt: skip
    corpus.article(1, title="Senate passes the infrastructure bill", published="2024-05-01T10:00:00Z")
    corpus.article(1, title="Senate vote: bill passes", published="2024-05-01T12:00:00Z", feed_id=2)
    corpus.article(2, title="House delays the infrastructure vote", published="2024-05-06T10:00:00Z")
    corpus.article(3, title="Storm hits the coast", published="2024-05-02T09:00:00Z")
    corpus.write()
    with Store.open(corpus.folder / "monitor.db") as store:
        store.stories_write([], [], [], NOW, threads=[(2, 1)])
    return corpus


def test_the_cli_shows_a_story_s_thread_and_lists_threads(tmp_path: Path) -> None:
    corpus = thread_corpus(tmp_path)
    story = corpus.run("story", "2")
    assert story.exit_code == 0, story.output
    assert "thread 1" in story.output
    assert "before: [1] 2024-05-01 10:00 UTC  Senate passes the infrastructure bill" in story.output
    first = corpus.run("story", "1")
    assert "after:  [2] 2024-05-06 10:00 UTC  House delays the infrastructure vote" in first.output
    alone = corpus.run("story", "3")
    assert "thread" not in alone.output

    listed = corpus.run("stories", "--threads", "--since", "2024-04-01")
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith("thread 1: 2 stories, 3 articles, en;")
    assert "Storm" not in listed.output

    as_json = json.loads(corpus.run("thread", "1", "--json").output)
    assert [s["id"] for s in as_json["stories"]] == [1, 2]
    assert as_json["articles"] == 3
    missing = corpus.run("thread", "3")
    assert missing.exit_code == 1 and "monitor: error: no thread 3: story 3 is in no thread" in missing.output
    nothing = corpus.run("thread", "99")
    assert nothing.exit_code == 1 and "monitor: error: no thread 99, and no story 99" in nothing.output


def test_monitor_thread_given_a_story_id_names_the_story_s_thread(tmp_path: Path) -> None:
    corpus = thread_corpus(tmp_path)
    by_story = corpus.run("thread", "2")  # story 2 follows story 1: thread 1
    assert by_story.exit_code == 0, by_story.output
    lines = by_story.output.splitlines()
    assert lines[0] == "story 2 is in thread 1:" and lines[1].startswith("thread 1: 2 stories, 3 articles")
    assert by_story.output.splitlines()[1:] == corpus.run("thread", "1").output.splitlines()
    as_json = json.loads(corpus.run("thread", "2", "--json").output)
    assert as_json["id"] == 1 and as_json["story"] == 2 and [s["id"] for s in as_json["stories"]] == [1, 2]


def test_the_export_carries_the_thread_id(tmp_path: Path) -> None:
    corpus = thread_corpus(tmp_path)
    result = corpus.run("export")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {r["id"]: r["thread_id"] for r in rows} == {1: 1, 2: 1, 4: None, 3: 1}


def test_the_web_serves_threads_and_shows_them_on_the_story_page(tmp_path: Path) -> None:
    corpus = thread_corpus(tmp_path)
    server = WebServer(corpus.config, corpus.folder / "monitor.db")
    try:
        thread = server.get("/api/threads/1")
        assert thread.status_code == 200, thread.text
        body = thread.json()
        assert [s["id"] for s in body["stories"]] == [1, 2]
        assert [s["articles"] for s in body["stories"]] == [2, 1]
        assert body["languages"] == ["en"]
        assert server.get("/api/threads/3").status_code == 404
        assert "story 3 is in no thread" in server.get("/api/threads/3").json()["error"]
        # a story's id leads to its thread, as `monitor thread 2` does
        moved = server.get("/threads/2")
        assert moved.status_code == 302 and moved.headers["location"] == "/threads/1#story-2"
        api_moved = server.get("/api/threads/2")
        assert api_moved.status_code == 302 and api_moved.headers["location"] == "/api/threads/1"
        story = server.get("/api/stories/2").json()
        assert story["thread"]["id"] == 1
        assert [s["id"] for s in story["thread"]["earlier"]] == [1] and story["thread"]["later"] == []
        assert server.get("/api/stories/3").json()["thread"] is None
        page = server.get("/threads/1")
        assert page.status_code == 200
        assert "House delays the infrastructure vote" in page.text and 'href="/stories/1"' in page.text
        story_page = server.get("/stories/1").text
        assert 'href="/threads/1"' in story_page and 'href="/stories/2"' in story_page
    finally:
        server.stop()


def view(story_id: int, **values: object) -> StoryView:
    fields: dict[str, object] = {
        "id": story_id, "score": 1.0, "headline": f"Story {story_id}", "headline_language": "en",
        "lead": "", "languages": ("en",), "outlets": 1, "articles": 1, "new_articles": 1,
        "first_outlet": "Outlet", "first_published": NOW, "links": (),
    }  # fmt: skip
    fields.update(values)
    return StoryView(**fields)  # type: ignore[arg-type]


def test_a_story_following_one_already_sent_is_marked_as_a_follow_up() -> None:
    views = [view(5), view(6), view(7, continued=True)]
    thread_of = {5: 1, 6: None, 7: 1}
    sent = {1: {"story_id": 1, "title": "Senate passes the <b>bill</b>"}}
    marked = mark_follow_ups(views, thread_of, sent)
    assert marked[0].follow_up_of == "Senate passes the bill"
    assert marked[1].follow_up_of == ""  # in no thread
    assert marked[2].follow_up_of == ""  # the same story, continued: said otherwise
    assert mark_follow_ups([view(1)], {1: 1}, sent)[0].follow_up_of == ""  # the story sent itself


def test_the_store_finds_the_thread_stories_a_recipient_was_sent(tmp_path: Path) -> None:
    corpus = thread_corpus(tmp_path)
    with Store.open(corpus.folder / "monitor.db") as store:
        for day, recipient, state, ids in (
            ("2024-05-02", "reader@example.org", "sent", [1, 3]),
            ("2024-05-02", "other@example.org", "failed", [1]),
        ):
            store.db.execute(
                "INSERT INTO digests (day, recipient, state, due_at, story_ids, created, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [day, recipient, state, day, json.dumps(ids), day, day],
            )
        store.db.conn.commit()
        sent = store.digest_thread_stories_sent
        found = sent([1], "reader@example.org", date(2024, 4, 25), date(2024, 5, 7))
        assert found == {1: {"story_id": 1, "title": "Senate passes the infrastructure bill"}}
        assert sent([1], "other@example.org", date(2024, 4, 25), date(2024, 5, 7)) == {}  # not sent
        assert sent([1], "reader@example.org", date(2024, 5, 3), date(2024, 5, 7)) == {}  # too early


@requires_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_thread_pages_fit_a_laptop_and_a_phone_in_a_real_browser(tmp_path: Path, width: int) -> None:
    corpus = thread_corpus(tmp_path)
    server = WebServer(corpus.config, corpus.folder / "monitor.db")
    try:
        with Page(tmp_path / "profile", width=width) as page:
            page.goto(f"{server.base}/stories/2")
            thread = str(page.eval("document.querySelector('nav.thread').innerText"))
            assert "Senate passes the infrastructure bill" in thread
            assert page.overflow() == 0 and page.cut_off() == []
            page.follow("nav.thread a[href='/threads/1']")
            assert page.eval("location.pathname") == "/threads/1"
            links = "[...document.querySelectorAll('ol.thread-timeline li a')]"
            items = page.eval(f"{links}.map(a => a.textContent)")
            assert items == ["Senate passes the infrastructure bill", "House delays the infrastructure vote"]
            assert page.overflow() == 0 and page.cut_off() == []
    finally:
        server.stop()


def test_the_thread_of_a_merged_story_is_named_by_a_live_story() -> None:
    from monitor.stories.decide import merged_thread

    assert merged_thread(keep=4, kept_thread=2, drop=1, dropped_thread=1) == 2  # the survivor's thread
    assert merged_thread(keep=2, kept_thread=None, drop=1, dropped_thread=1) == 2  # renamed to the survivor
    assert merged_thread(keep=2, kept_thread=None, drop=3, dropped_thread=1) == 1  # joins the dropped one's
    assert merged_thread(keep=2, kept_thread=1, drop=1, dropped_thread=1) == 2  # it named the survivor's too
    assert merged_thread(keep=2, kept_thread=None, drop=1, dropped_thread=None) is None
