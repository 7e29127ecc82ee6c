"""The HTML digest as a browser shows it: Debian's chromium, headless, driven by subprocess.

The rendered DOM (--dump-dom: the document after scripts would have run) must hold the
headlines in their scripts (Latin, Arabic, Chinese, Cyrillic) and show that no script from
a feed ran. A control page proves that this harness does run scripts, so the check can fail.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from monitor.deliver.digest import build_digest
from monitor.deliver.rank import DailyWatch
from monitor.deliver.render import render_digest
from monitor.deliver.settings import DigestConfig, Recipient
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import WatchConfig, WatchesConfig

from .browser import chromium as run_chromium
from .browser import requires_chromium
from .test_digest import DAY, IN_DAY, World, three_stories, world  # noqa: F401 - the fixture

pytestmark = requires_chromium

MARK = "document.documentElement.setAttribute('data-xss', 'ran')"
ATTACKS = [
    (f"<script>{MARK}</script>Markets calm after the vote", f'<img src="x" onerror="{MARK}">Lead text.'),
    (f'Storm warning <img src=x onerror="{MARK}">', f'<svg onload="{MARK}"></svg><p>Rain.</p>'),
    (f'<a href="javascript:{MARK}">Click</a> Bridge reopens', f'<body onload="{MARK}">Traffic resumes.'),
]


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return run_chromium(profile, *args)


def test_digest_in_headless_chromium(world: World, tmp_path: Path) -> None:  # noqa: F811
    three_stories(world)
    for index, (title, text) in enumerate(ATTACKS):
        article = world.article(
            "Hostile Wire",
            "en",
            title,
            IN_DAY + timedelta(minutes=index),
            text=text,
            url=f"javascript:{MARK}" if index == 0 else None,
        )
        world.story([article])
    cfg = DigestConfig(timezone="Europe/Paris", versions="all")  # every version, in every script
    digest = build_digest(world.store, cfg, DAY, Recipient("reader@example.org", languages=("fr", "en")))
    _text, page = render_digest(digest, cfg)
    html = tmp_path / "digest.html"
    html.write_text(page, encoding="utf-8")

    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body><p>control</p><script>{MARK}</script></body></html>")
    dumped = chromium("--dump-dom", control.as_uri(), profile=tmp_path / "profile-control")
    assert 'data-xss="ran"' in dumped.stdout, "this chromium did not run the control page's script"

    dumped = chromium("--dump-dom", html.as_uri(), profile=tmp_path / "profile-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "data-xss" not in dom.split("<body", 1)[0], "a script from a feed ran"
    for headline in (
        "Un séisme frappe la côte",
        "Local election results",
        "Markets calm after the vote",
        "Bridge reopens",
    ):
        assert headline in dom
    for foreign in ("زلزال يضرب الساحل", "地震袭击海岸", "Землетрясение на побережье"):
        assert foreign in dom  # link titles in Arabic, Chinese and Cyrillic
    assert 'href="javascript' not in dom.lower() and "<script" not in dom.lower()

    screenshot = tmp_path / "digest.png"
    shot = chromium(
        "--window-size=600,2400",
        "--hide-scrollbars",
        f"--screenshot={screenshot}",
        html.as_uri(),
        profile=tmp_path / "profile-shot",
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 600  # the IHDR width: read at 600 px


def test_watch_sections_in_headless_chromium(world: World, tmp_path: Path) -> None:  # noqa: F811
    """A daily watch's section: its headline and why in the DOM, feed markup inert, readable
    at 390 px (the page is no wider than the window)."""
    watches = WatchesConfig(watches=(WatchConfig(name="Quake", query="earthquake OR séisme"),))
    run_watch_stage(world.store, watches, None)  # the watch before the news: live matches
    title, text = ATTACKS[0]
    hostile = world.article("Hostile Wire", "en", f"Earthquake {title}", IN_DAY, text=text)
    fr = world.article("Le Monde", "fr", "Un séisme frappe la côte", IN_DAY + timedelta(hours=1))
    story = world.story([hostile, fr])
    world.store.db.execute(
        'UPDATE stories SET n_outlets = 2, languages = \'["en", "fr"]\' WHERE id = ?', [story]
    )
    run_watch_stage(world.store, watches, None)
    cfg = DigestConfig(timezone="Europe/Paris")
    digest = build_digest(
        world.store, cfg, DAY, Recipient("reader@example.org"), watches=[DailyWatch("Quake")]
    )
    assert [s.id for s in digest.watches[0].stories] == [story]
    _text, page = render_digest(digest, cfg)
    html = tmp_path / "watch.html"
    html.write_text(page, encoding="utf-8")
    dumped = chromium("--dump-dom", html.as_uri(), profile=tmp_path / "profile-watch")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "data-xss" not in dom.split("<body", 1)[0] and "<script" not in dom.lower()
    assert 'data-watch="Quake"' in dom and "Watch: Quake" in dom
    assert "Why: terms earthquake, séisme" in dom and "Un séisme frappe la côte" in dom
    # No horizontal scrolling in a narrow window (headless Chromium widens 390 px to 500).
    probe = tmp_path / "probe.html"
    probe.write_text(
        page.replace(
            "</body>",
            "<script>document.body.setAttribute('data-width', "
            "document.documentElement.scrollWidth + ' ' + innerWidth)</script></body>",
        ),
        encoding="utf-8",
    )
    measured = chromium("--window-size=390,2000", "--dump-dom", probe.as_uri(), profile=tmp_path / "p390")
    width, window = measured.stdout.split('data-width="', 1)[1].split('"', 1)[0].split()
    assert int(width) <= int(window) <= 500
