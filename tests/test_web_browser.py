"""The pages in a real browser: Debian's headless Chromium loads the stories page and a
story page, the test reads the rendered DOM, checks that a feed entry's XSS payload did
not run, and keeps screenshots in the test's temporary folder."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .browser import Page, requires_chromium
from .browser import chromium as run_chromium
from .test_web import DAY, PAGE_PARAGRAPHS, XSS_TITLE, Built, WebServer, build_database

pytestmark = requires_chromium


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_chromium(profile, "--window-size=1200,1000", "--virtual-time-budget=3000", *args, timeout=90)


class Dom(HTMLParser):
    """The elements of a dumped DOM (tag and attributes) and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.elements if t == tag]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, Built, Path]]:
    folder = tmp_path_factory.mktemp("browser")
    built = build_database(folder)
    server = WebServer(built.config, built.db)
    try:
        yield server, built, folder
    finally:
        server.stop()


WIDTHS = (1280, 390)  # a laptop, a phone


def text_of(page: Page, selector: str) -> str:
    value = page.eval(f"(document.querySelector({selector!r}) || {{innerText: ''}}).innerText")
    assert isinstance(value, str)
    return " ".join(value.split())


def load(folder: Path, url: str) -> Dom:
    result = chromium(folder / "profile", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<html" in result.stdout, result.stderr[-2000:]
    return Dom(result.stdout)


def assert_payload_inert(dom: Dom) -> None:
    body = dom.find("body")
    assert body and "data-pwned" not in body[0] and "x" not in body[0], body
    assert dom.find("script") == [{"src": "/static/keys.js", "defer": ""}]  # ours, nothing from a feed
    assert not [img for img in dom.find("img") if "onerror" in img]
    assert not [a for a in dom.find("a") if (a.get("href") or "").lower().startswith("javascript:")]


def test_stories_page_in_chromium(site: tuple[WebServer, Built, Path]) -> None:
    server, built, folder = site
    dom = load(folder, f"{server.base}/?day={DAY}")
    items = [attrs.get("id") for attrs in dom.find("li") if (attrs.get("id") or "").startswith("story-")]
    assert items == [f"story-{built.ids[k]}" for k in ("summit", "vote", "xss")]
    text = dom.all_text
    assert "Summit in Geneva ends with an agreement" in text
    assert "first: BBC, 2024-03-22 09:30" in text and "3 outlets" in text
    assert " ".join(XSS_TITLE.split()) in text  # shown as text, exactly as the feed gave it
    assert_payload_inert(dom)

    shot = folder / "stories.png"
    result = chromium(folder / "profile", f"--screenshot={shot}", f"{server.base}/?day={DAY}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_story_page_in_chromium(site: tuple[WebServer, Built, Path]) -> None:
    server, built, folder = site
    dom = load(folder, f"{server.base}/stories/{built.ids['summit']}")
    sections = [attrs.get("id") for attrs in dom.find("section") if attrs.get("class") == "language"]
    assert sections == ["lang-en", "lang-de", "lang-fr"]  # the headline's language first
    links = {a.get("href") for a in dom.find("a")}
    assert "https://news.example/monde-summit" in links and "https://news.example/evil-copy" in links
    text = dom.all_text
    assert "first reported by BBC at 2024-03-22 09:30" in text
    assert "Gipfel in Genf endet mit Einigung" in text and "1 copy" in text
    assert len(dom.find("details")) == 1  # the copy, folded

    xss = load(folder, f"{server.base}/stories/{built.ids['xss']}")
    assert " ".join(XSS_TITLE.split()) in xss.all_text
    assert_payload_inert(xss)
    shot = folder / "story.png"
    result = chromium(
        folder / "profile", f"--screenshot={shot}", f"{server.base}/stories/{built.ids['summit']}"
    )
    assert result.returncode == 0 and shot.stat().st_size > 5000


@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_leads_with_the_latest_news(site: tuple[WebServer, Built, Path], width: int) -> None:
    server, built, folder = site
    with Page(folder / f"profile-home-{width}", width=width) as page:
        page.goto(f"{server.base}/")
        assert text_of(page, "h1") == "Latest stories"
        assert page.eval("[...document.querySelectorAll('li.story')].map(e => e.id)") == [
            f"story-{built.ids['storm']}"
        ]
        assert page.overflow() == 0
        page.follow("#calendar-day")
        assert text_of(page, "h1").startswith("Stories of ")
        page.goto(f"{server.base}/stories/{built.ids['summit']}")
        page.follow("#back")
        assert text_of(page, "h1") == "Latest stories"


@pytest.mark.parametrize("width", WIDTHS)
def test_search_from_the_header_finds_older_news(site: tuple[WebServer, Built, Path], width: int) -> None:
    server, built, folder = site
    with Page(folder / f"profile-search-{width}", width=width) as page:
        page.goto(f"{server.base}/")
        page.eval("document.querySelector('form.search input').value = 'Genf'")
        page.events.clear()
        page.eval("document.querySelector('form.search').submit()")
        page._wait_event("Page.loadEventFired")
        assert page.eval("location.pathname + location.search") == "/search?q=Genf"
        assert page.eval("[...document.querySelectorAll('li.result')].map(e => e.id)") == [
            f"result-story-{built.ids['summit']}"
        ]  # two days old: beyond the home page's 24 hours
        assert page.eval("[...document.querySelectorAll('mark')].map(e => e.textContent)") == ["Genf", "Genf"]
        assert page.overflow() == 0, page.cut_off()


@pytest.mark.parametrize("width", WIDTHS)
def test_story_page_timeline_facts_and_why_fit_the_window(
    site: tuple[WebServer, Built, Path], width: int
) -> None:
    server, built, folder = site
    with Page(folder / f"profile-story-{width}", width=width) as page:
        page.goto(f"{server.base}/stories/{built.ids['summit']}")
        assert page.overflow() == 0, page.cut_off()
        rows = page.eval(
            "[...document.querySelectorAll('table.timeline tr')].map(r => [r.id, "
            "r.querySelectorAll('rect').length, "
            "Math.round(r.querySelector('svg').getBoundingClientRect().width)])"
        )
        assert isinstance(rows, list) and [r[:2] for r in rows] == [
            ["timeline-en", 2],
            ["timeline-de", 1],
            ["timeline-fr", 1],
        ]
        assert all(r[2] > width / 3 for r in rows), rows  # the bars use the width there is
        assert text_of(page, "#languages") == "English 2, German 1, French 1"
        assert text_of(page, "#outlets").startswith("BBC, Le Monde, Der Spiegel, Evil <b>feed</b>")
        why = f"#article-{built.ids['monde-summit']} .why"
        assert text_of(page, why) == "similarity 0.81 · 30 min after the first report"
        assert page.eval(f"getComputedStyle(document.querySelector({why!r})).flexWrap") == "wrap"
        page.follow("#entities a")
        assert page.eval("decodeURIComponent(location.search)") == '?q="Geneva"'
        assert page.eval("document.querySelectorAll('li.result').length") == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_an_article_reads_in_its_own_page_right_to_left_where_it_should(
    site: tuple[WebServer, Built, Path], width: int
) -> None:
    server, built, folder = site
    article = built.ids["monde-summit"]
    with Page(folder / f"profile-article-{width}", width=width) as page:
        page.goto(f"{server.base}/stories/{built.ids['summit']}")
        page.follow(f"#article-{article} a.read")
        assert page.eval("location.pathname") == f"/articles/{article}"
        assert page.overflow() == 0, page.cut_off()  # a long address wraps
        paragraphs = page.eval(
            "[...document.querySelectorAll('#text p')].map(p => [p.innerText, getComputedStyle(p).direction,"
            " Math.round(p.getBoundingClientRect().width)])"
        )
        assert isinstance(paragraphs, list)
        assert [p[0] for p in paragraphs] == PAGE_PARAGRAPHS
        assert [p[1] for p in paragraphs] == ["ltr", "ltr", "rtl", "ltr"]  # Arabic right to left
        assert all(p[2] <= min(width, 42 * 16) for p in paragraphs), paragraphs  # a column to read
        # Nothing else loads: no image, no frame, our script only.
        assert page.eval("document.images.length + document.querySelectorAll('iframe').length") == 0
        assert page.eval("[...document.scripts].map(s => new URL(s.src).pathname)") == ["/static/keys.js"]
        assert page.eval("document.querySelector('#original').href") == "https://news.example/monde-summit"
        page.screenshot(folder / f"article-{width}.png")
        assert (folder / f"article-{width}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page.follow("#back")
        assert page.eval("location.pathname + location.hash") == (
            f"/stories/{built.ids['summit']}#article-{article}"
        )
        page.goto(f"{server.base}/articles/{built.ids['evil-xss']}")
        assert " ".join(XSS_TITLE.split()) in str(page.eval("document.querySelector('h1').innerText"))
        assert page.eval("document.body.getAttribute('data-pwned')") is None
        assert page.overflow() == 0, page.cut_off()


@pytest.mark.parametrize("width", WIDTHS)
def test_feeds_page_sorts_filters_and_fits(site: tuple[WebServer, Built, Path], width: int) -> None:
    server, built, folder = site
    with Page(folder / f"profile-feeds-{width}", width=width) as page:
        page.goto(f"{server.base}/feeds")
        assert page.overflow() == 0, page.cut_off()
        # Every figure of a feed is on screen, the right-hand ones too.
        visible = page.eval(
            "[...document.querySelectorAll('tbody tr:first-child td')].every(td => {"
            " const r = td.getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth + 0.5; })"
        )
        assert visible is True
        page.follow("#sort-name")
        names = page.eval("[...document.querySelectorAll('tbody td.name > a')].map(a => a.textContent)")
        assert names == ["BBC", "Der Spiegel", "Down feed", "Evil <b>feed</b>", "Le Monde"]
        page.follow("#sort-name")  # again: the other way
        assert page.eval("document.querySelector('tbody td.name > a').textContent") == "Le Monde"
        page.follow("#failing-only")
        assert page.eval("[...document.querySelectorAll('tbody tr')].map(r => r.id)") == [
            f"feed-{built.ids['feed:Down feed']}"
        ]
        assert page.overflow() == 0, page.cut_off()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_api_link_opens_docs_that_work_under_the_csp(
    site: tuple[WebServer, Built, Path], width: int
) -> None:
    server, built, folder = site
    with Page(folder / f"profile-api-{width}", width=width) as page:
        page.goto(f"{server.base}/")
        page.follow("header nav a[href='/docs']")
        assert text_of(page, "h1") == "The JSON API"
        assert page.overflow() == 0, page.cut_off()
        headings = page.eval("[...document.querySelectorAll('section.endpoint h2')].map(h => h.innerText)")
        assert isinstance(headings, list)
        assert "GET /api/stories/{story_id}" in headings and "GET /api/articles" in headings
        # Only our own script is on the page; the CSP (script-src 'self') blocks nothing it needs.
        scripts = page.eval("[...document.scripts].map(s => new URL(s.src || location).pathname)")
        assert scripts == ["/static/keys.js"]
        # Every parameter of /api/articles is listed with what it takes.
        names = page.eval(
            "[...document.querySelectorAll('#get-api-articles td[data-label=Parameter] code')]"
            ".map(c => c.textContent)"
        )
        assert isinstance(names, list) and {"since", "until", "lang", "page", "per_page"} <= set(names)
        # Try it: a story by its id, from the form.
        form = "#get-api-stories-story-id form"
        page.eval(f"document.querySelector('{form} input[name=story_id]').value = '{built.ids['summit']}'")
        page.events.clear()
        page.eval(f"document.querySelector('{form}').submit()")
        page._wait_event("Page.loadEventFired")
        assert page.eval("location.pathname") == f"/api/stories/{built.ids['summit']}"
        assert "Summit in Geneva" in str(page.eval("document.body.innerText"))


@pytest.mark.parametrize("width", WIDTHS)
def test_dark_mode_and_j_k_through_the_list(site: tuple[WebServer, Built, Path], width: int) -> None:
    server, built, folder = site
    colours = "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    with Page(folder / f"profile-light-{width}", width=width) as light:
        light.goto(f"{server.base}/?day={DAY}")
        assert light.eval(colours) == ["rgb(255, 255, 255)", "rgb(29, 31, 35)"]
    with Page(folder / f"profile-dark-{width}", width=width, dark=True) as page:
        page.goto(f"{server.base}/?day={DAY}")
        assert page.eval(colours) == ["rgb(22, 24, 28)", "rgb(228, 230, 234)"]
        current = "(document.querySelector('.current') || {id: null}).id"
        assert page.eval(current) is None
        page.press("j")
        assert page.eval(current) == f"story-{built.ids['summit']}"
        page.press("j")
        page.press("j")
        page.press("j")  # stays on the last
        assert page.eval(current) == f"story-{built.ids['xss']}"
        page.press("k")
        assert page.eval(current) == f"story-{built.ids['vote']}"
        page.events.clear()
        page.press("Enter")
        page._wait_event("Page.loadEventFired")
        assert page.eval("location.pathname") == f"/stories/{built.ids['vote']}"
        assert page.overflow() == 0, page.cut_off()
