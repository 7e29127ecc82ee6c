"""Breaking stories in a real browser (Debian's headless Chromium), at a laptop's and a
phone's width, light and dark: the home page's band and the story page's mark fit the page."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from .browser import Page, requires_chromium
from .test_breaking import _flag, make_store
from .test_web import WebServer, build_database

pytestmark = requires_chromium


@pytest.mark.parametrize(("width", "dark"), [(1280, False), (390, True)])
def test_the_breaking_band_and_mark_fit_the_page(tmp_path: Path, width: int, dark: bool) -> None:
    built = build_database(tmp_path)
    storm = built.ids["storm"]
    with make_store(built.db) as store:
        when = str(
            store.query("SELECT MAX(published) AS t FROM articles WHERE story_id = ?", [storm])[0]["t"]
        )
    _flag(built.db, storm, when)
    server = WebServer(built.config, built.db)
    try:
        with Page(tmp_path / "profile", width=width, dark=dark) as page:
            page.goto(f"{server.base}/")
            band = page.eval("[...document.querySelectorAll('#breaking li')].map(e => e.id)")
            assert band == [f"breaking-{storm}"]
            assert "Breaking" in str(page.eval("document.querySelector('#breaking h2').innerText"))
            marks = page.eval("[...document.querySelectorAll('li.story .mark-breaking')].length")
            assert marks == 1
            assert page.overflow() == 0, page.cut_off()
            shot = page.call("Page.captureScreenshot", session=True)
            (tmp_path / f"home-{width}.png").write_bytes(base64.b64decode(str(shot["data"])))
            colours = page.eval(
                "(s => [s.backgroundColor, s.color])"
                "(getComputedStyle(document.querySelector('.mark-breaking')))"
            )
            assert isinstance(colours, list) and colours[0] != colours[1]
            page.follow(f"#breaking-{storm} a")
            assert page.eval("location.pathname") == f"/stories/{storm}"
            text = str(page.eval("document.querySelector('#breaking').innerText"))
            assert text.startswith("Breaking since") and "4 new outlets" in text
            assert page.overflow() == 0, page.cut_off()
            shot = page.call("Page.captureScreenshot", session=True)  # kept to look at
            (tmp_path / f"story-{width}.png").write_bytes(base64.b64decode(str(shot["data"])))
    finally:
        server.stop()
