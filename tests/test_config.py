"""config.py: feeds.yaml is read into frozen settings; a bad file is refused with file and line."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from monitor.config import (
    FeedConfig,
    add_feeds,
    load_config,
    normalize_language,
    parse_interval,
    remove_feed,
)
from monitor.errors import ConfigError

ROOT = Path(__file__).parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """settings:
  database: data/news.db
  interval: 2h
  user_agent: "my-monitor/1.0"
  timezone: Europe/Paris
  allow_private_addresses: false
feeds:
  - url: https://news.example/rss
    name: Example News
    language: fr-FR
    interval: 15m
    tags: [world, france]
  - url: https://other.example/atom.xml
""",
    )
    config = load_config(path)
    assert config.settings.database == tmp_path / "data" / "news.db"
    assert config.settings.interval == 7200
    assert config.settings.user_agent == "my-monitor/1.0"
    assert config.settings.timezone == "Europe/Paris"
    first, second = config.feeds
    assert first == FeedConfig(
        url="https://news.example/rss",
        name="Example News",
        language="fr",
        interval=900,
        tags=("world", "france"),
        line=8,
    )
    assert second.interval is None and second.name is None and second.line == 13


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "feeds:\n  - url: https://a.example/feed\n"))
    assert config.settings.database == tmp_path / "db" / "monitor.db"
    assert config.settings.allow_private_addresses is False
    assert config.settings.interval == 1800


def test_shipped_feeds_yaml_is_a_real_default() -> None:
    config = load_config(ROOT / "feeds.yaml")
    assert 40 <= len(config.feeds) <= 80
    languages = {f.language for f in config.feeds}
    assert None not in languages and len(languages) >= 8
    assert all(f.name for f in config.feeds)
    assert config.settings.allow_private_addresses is False


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("feeds:\n  - url: https://a.example/\n    colour: red\n", 3, "unknown key 'colour'"),
        ("settings:\n  databse: x.db\nfeeds: []\n", 2, "unknown key 'databse'"),
        ("setting:\n  database: x.db\n", 1, "unknown key 'setting'"),
        ("feeds:\n  - name: No URL\n", 2, "feed without a 'url'"),
        ("feeds:\n  - url: ftp://a.example/feed\n", 2, "scheme must be http or https"),
        ("feeds:\n  - url: not a url\n", 2, "bad URL"),
        ("feeds:\n  - url: https:///nohost\n", 2, "no host"),
        (
            "feeds:\n  - url: https://a.example/rss\n  - url: HTTPS://A.example/rss\n",
            3,
            "duplicate feed URL",
        ),
        ("feeds:\n  - url: https://a.example/rss\n    interval: soon\n", 3, "bad interval"),
        ("feeds:\n  - url: https://a.example/rss\n    interval: 10s\n", 3, "at least one minute"),
        ("settings:\n  interval: 5 parsecs\n", 2, "bad interval"),
        ("settings:\n  timezone: Mars/Olympus\n", 2, "unknown time zone"),
        ("settings:\n  allow_private_addresses: maybe\n", 2, "true or false"),
        ("feeds:\n  - url: https://a.example/rss\n    language: 123\n", 3, "bad language"),
        ("feeds:\n  - url: https://a.example/rss\n  - [oops]\n", 3, "must be a mapping"),
        ("feeds: https://a.example/rss\n", 1, "must be a list"),
        ("feeds:\n  - url: https://a.example/rss\n    tags: {a: 1}\n", 3, "tags must be a list"),
        ("feeds:\n  - url: [unclosed\n", 3, "not valid YAML"),
        ("feeds:\n  - url: https://a.example/rss\n    full_text: sometimes\n", 3, "one of auto, always"),
        ("settings:\n  full_text: yes\n", 2, "one of auto, always, never"),
        ("settings:\n  pages_per_poll: 0\n", 2, "positive whole number"),
    ],
)
def test_bad_file_names_file_line_and_problem(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == str(path)
    assert info.value.line == line, str(info.value)
    assert message in info.value.message
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_full_text_per_feed_and_in_settings(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "settings:\n  full_text: never\n  pages_per_poll: 3\nfeeds:\n"
            "  - url: https://a.example/rss\n    full_text: always\n  - url: https://b.example/rss\n",
        )
    )
    assert (config.settings.full_text, config.settings.pages_per_poll) == ("never", 3)
    assert [f.full_text for f in config.feeds] == ["always", None]
    assert load_config(write(tmp_path, "feeds: []\n")).settings.full_text == "auto"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("2h", 7200), ("1h30m", 5400), ("1d", 86400), (600, 600)]
)
def test_parse_interval(text: str | int, seconds: int) -> None:
    assert parse_interval(text) == seconds


def test_normalize_language() -> None:
    assert normalize_language("pt-BR") == "pt"
    assert normalize_language("ZH_cn") == "zh"
    assert normalize_language("und") is None
    assert normalize_language("") is None


def test_add_and_remove_keep_comments(tmp_path: Path) -> None:
    path = write(
        tmp_path, "# my feeds\nsettings:\n  interval: 1h  # hourly\nfeeds:\n  - url: https://a.example/rss\n"
    )
    added = add_feeds(
        path,
        [
            FeedConfig(url="https://b.example/rss", name="B", language="de", tags=("x",)),
            FeedConfig(url="https://A.example/rss"),
        ],
    )
    assert [f.url for f in added] == ["https://b.example/rss"]
    text = path.read_text()
    assert "# my feeds" in text and "# hourly" in text
    assert [f.url for f in load_config(path).feeds] == ["https://a.example/rss", "https://b.example/rss"]
    assert remove_feed(path, "https://a.example/rss")
    assert not remove_feed(path, "https://a.example/rss")
    assert [f.url for f in load_config(path).feeds] == ["https://b.example/rss"]
    assert "# my feeds" in path.read_text()


def test_add_refuses_bad_url_and_leaves_file(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - url: https://a.example/rss\n")
    before = path.read_text()
    with pytest.raises(ConfigError, match="bad URL"):
        add_feeds(path, [FeedConfig(url="gopher://x")])
    assert path.read_text() == before


def test_add_keeps_the_mode_and_the_symlink(tmp_path: Path) -> None:
    real = write(tmp_path, "feeds: []\n")
    real.chmod(0o640)  # a daemon's group reads it: a rewrite must not make it 0600
    link = tmp_path / "link.yaml"
    link.symlink_to(real.name)
    add_feeds(link, [FeedConfig(url="https://b.example/rss")])
    assert link.is_symlink() and (real.stat().st_mode & 0o777) == 0o640
    assert [f.url for f in load_config(real).feeds] == ["https://b.example/rss"]


def test_add_to_a_file_that_cannot_be_written_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    with pytest.raises(ConfigError, match="cannot write the file"):  # was a traceback
        add_feeds(tmp_path / "not-a-folder" / "feeds.yaml", [FeedConfig(url="https://b.example/rss")])


# --- hostile files: bombs, odd keys, odd bytes, endless files -------------------------------

# Every scalar place of feeds.yaml where a value is checked (issue 11, item 2), as YAML with
# VALUE standing for the value.
SCALAR_PLACES = {
    "settings.timezone": "settings:\n  timezone: VALUE\n",
    "settings.languages": "settings:\n  languages: VALUE\n",
    "settings.interval": "settings:\n  interval: VALUE\n",
    "feeds.url": "feeds:\n  - url: VALUE\n",
    "feeds.name": "feeds:\n  - url: https://a.example/\n    name: VALUE\n",
    "feeds.language": "feeds:\n  - url: https://a.example/\n    language: VALUE\n",
    "feeds.interval": "feeds:\n  - url: https://a.example/\n    interval: VALUE\n",
    "feeds.max_entries": "feeds:\n  - url: https://a.example/\n    max_entries: VALUE\n",
    "stories.model": "stories:\n  model: VALUE\n",
    "stories.threshold": "stories:\n  threshold: VALUE\n",
    "digest.time": "digest:\n  time: VALUE\n",
    "digest.timezone": "digest:\n  timezone: VALUE\n",
}


def alias_chain(levels: int) -> str:
    """A flow list whose text, aliases written out, holds 9**levels "lol"s."""
    chain = ['&x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    chain += [f"&x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "[" + ", ".join(chain) + "]"


def test_alias_bombs_are_refused_at_load_time_in_every_place(tmp_path: Path) -> None:
    """A billion laughs (9**10 items when written out) in each place: refused with its line,
    fast and in little memory. Run in a child with a 1 GiB address-space limit, so that a
    regression fails the test instead of eating the machine."""
    import json
    import subprocess
    import sys

    files = {}
    for place, template in SCALAR_PLACES.items():
        path = tmp_path / f"{place}.yaml"
        path.write_text(template.replace("VALUE", alias_chain(10)), encoding="utf-8")
        files[place] = str(path)
    child = (
        "import json, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from monitor.errors import ConfigError\n"
        "from monitor.sections import load_checked_config\n"
        "out = {}\n"
        "for place, path in json.loads(sys.argv[1]).items():\n"
        "    try:\n"
        "        load_checked_config(path)\n"
        "        out[place] = 'accepted'\n"
        "    except ConfigError as exc:\n"
        "        out[place] = str(exc)\n"
        "    except BaseException as exc:\n"
        "        out[place] = 'CRASH ' + type(exc).__name__\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, json.dumps(files)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    for place in SCALAR_PLACES:
        assert "aliases (*name, <<: *name) expand this file" in results[place], (place, results[place])


def test_a_small_alias_in_a_checked_place_is_named_by_its_kind_not_written_out(tmp_path: Path) -> None:
    """Type checks come before any text of the value: an error never quotes a whole list."""
    from monitor.sections import load_checked_config

    for place, template in SCALAR_PLACES.items():
        path = write(tmp_path, template.replace("VALUE", alias_chain(4)))  # 6,561 items written out
        with pytest.raises(ConfigError) as caught:
            load_checked_config(path)
        assert len(str(caught.value)) < 300, (place, str(caught.value)[:300])


def test_legitimate_aliases_and_merge_keys_still_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "feeds:\n"
        "  - &base {url: https://a.example/, interval: 2h, tags: &world [world, news]}\n"
        "  - {<<: *base, url: https://b.example/}\n"
        "  - url: https://c.example/\n    tags: *world\n",
    )
    feeds = load_config(path).feeds
    assert [f.interval for f in feeds] == [7200, 7200, None]
    assert feeds[2].tags == ("world", "news")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("feeds: " + "[" * 100 + "]" * 100 + "\n", "nested more than"),
        ("a: &a [1]\n" + "".join(f"k{i}: *a\n" for i in range(1001)), "more than 1000 aliases"),
        ("feeds: &a [*a]\n", None),  # an alias to an enclosing node: refused, whoever reports it
    ],
)
def test_deep_nesting_many_aliases_and_self_reference_are_refused(
    tmp_path: Path, text: str, problem: str | None
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    if problem:
        assert problem in str(caught.value)


def test_a_list_as_a_mapping_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - url: https://a.example/\n    ? [[1, 2], [3]]\n    : x\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:3: column 7: a mapping key must be")


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        ("feeds:\n  - url: https://a.example/\n    name: Café\n".encode("latin-1"), ":3: column 14:", "0xE9"),
        (b"feeds: []\n# \xff\n", ":2: column 3:", "0xFF"),
        ("feeds: []\n".encode("utf-16"), ":1: column 1:", "UTF-16"),
        (b"feeds:\n  - url: https://a.example/\n    name: a\x00b\n", ":3: column 12:", "U+0000"),
        ("\ufefffeeds:\n  - url: https://a.example/\n    name: é\x01\n".encode(), ":3: column 12:", "U+0001"),
    ],
)
def test_bytes_that_are_not_utf8_text_are_reported_by_line_and_column(
    tmp_path: Path, data: bytes, where: str, problem: str
) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path) + where) and problem in message, message
    assert "position" not in message


def test_an_endless_or_huge_file_is_refused_after_reading_a_bounded_prefix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="larger than 64 MiB"):
        load_config("/dev/zero")
    huge = tmp_path / "feeds.yaml"
    with huge.open("wb") as handle:  # sparse: 10 GB of nothing, on no disk
        handle.truncate(10 * 1024**3)
    with pytest.raises(ConfigError, match="larger than 64 MiB"):
        load_config(huge)


# --- the fast reader (monitor/yamlread.py) against ruamel's, and large lists ---------------

# Every form of value a feeds.yaml may hold, as YAML 1.2 reads it (`no` is Norway's code,
# `07:00` and dates are text), with anchors, merges, flow and block styles, and comments.
FORMS = """\
# comment
settings:
  interval: 90m          # a comment after a value
  timezone: "Europe/Oslo"
  allow_private_addresses: False
  languages: [no, yes, on, off, en]
  max_entries: 0x20
  timeout: 12.5
  concurrency: +8
  weird: [~, null, NULL, '', "", .inf, -.Inf, 1e3, 1_000, 0o17, 0b101, 2026-12-02, 07:00]
  quoted: ['123', "true", !!str 45, !!int "7", !!float 3]
  folded: >
    two lines
    folded
  literal: |
    kept
    as is
defaults: &defaults
  interval: 2h
  tags: &tags [world, news]
feeds:
  - url: https://a.example/rss
    name: Aftenposten
    language: no
    <<: *defaults
  - {<<: [*defaults, {max_entries: 3}], url: "https://b.example/rss", interval: 1h}
  - https://c.example/rss
  - url: https://d.example/rss
    tags: *tags
    name: >-
      A name on
      two lines
"""


def _plain(value: object, lines: dict[str, int], where: str = "") -> object:
    """A document as plain data, and the line of each key and item (by its path) in `lines`:
    what the config code reads of it."""
    import math

    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, CommentedMap):
        for k in value:
            with contextlib.suppress(KeyError):  # ruamel gives a merged key no line
                lines[f"{where}/{k}"] = value.lc.key(k)[0]
        return {(type(k).__name__, str(k)): _plain(v, lines, f"{where}/{k}") for k, v in value.items()}
    if isinstance(value, CommentedSeq):
        for i in range(len(value)):
            lines[f"{where}/{i}"] = value.lc.item(i)[0]
        return [_plain(v, lines, f"{where}/{i}") for i, v in enumerate(value)]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, (bool, int, float)) or value is None:
        return (type(value).__name__ if isinstance(value, bool) or value is None else "number", value)
    return ("str", str(value))


@pytest.mark.parametrize("source", ["forms", "feeds.yaml"])
def test_the_fast_reader_reads_what_ruamel_reads_with_the_same_lines(tmp_path: Path, source: str) -> None:
    from ruamel.yaml import YAML

    from monitor.yamlread import read_document

    text = FORMS if source == "forms" else (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    fast = read_document(tmp_path / "feeds.yaml", text)
    slow = YAML(typ="rt").load(text)
    # ruamel reads a date as a timestamp; the fast reader keeps it as text (no key takes dates)
    if source == "forms":
        weird = slow["settings"]["weird"]
        weird[11] = "2026-12-02"
        assert fast["settings"]["weird"][11] == "2026-12-02"
        assert fast["feeds"][0]["language"] == "no" and fast["settings"]["max_entries"] == 32
        assert fast["feeds"][1]["interval"] == "1h" and fast["feeds"][1]["max_entries"] == 3
    fast_lines: dict[str, int] = {}
    slow_lines: dict[str, int] = {}
    assert _plain(fast, fast_lines) == _plain(slow, slow_lines)
    assert slow_lines and all(fast_lines[where] == line for where, line in slow_lines.items())
    if source == "forms":  # a merged key's line is the line of its '<<'
        assert fast_lines["/feeds/0/interval"] == FORMS.splitlines().index("    <<: *defaults")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "feeds:\n  - url: https://a.example/\n    url: https://b.example/\n",
            3,
            "duplicate key 'url' (first on line 2)",
        ),
        ("a: 1\n---\nb: 2\n", 2, "more than one document"),
        ("feeds:\n  - url: !secret https://a.example/\n", 2, "unknown tag !secret"),
        ("feeds:\n  - url: https://a.example/\n    max_entries: !!int ten\n", 3, "'ten' is not a int"),
        ("feeds:\n  - url: https://a.example/\n    <<: [1, 2]\n", 3, "'<<' merges a mapping"),
        ("feeds:\n  - url: https://a.example/\n    tags: *nowhere\n", 3, "alias *nowhere is not defined"),
    ],
)
def test_what_the_fast_reader_refuses_is_named_with_its_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line and problem in str(caught.value), str(caught.value)


def test_twenty_thousand_feeds_load_beyond_the_old_bound(tmp_path: Path) -> None:
    """The first bounds (2 MiB, 100,000 values) held about 16,000 feeds; a feeds.yaml may list
    hundreds of thousands (bench/feedlist.py measures 100,000 and more)."""
    count = 20_000
    lines = ["feeds:\n"]
    for i in range(count):
        lines.append(
            f"  - url: https://host{i % 97}.example/feed/{i}\n    name: Outlet {i}\n    language: de\n"
        )
    path = write(tmp_path, "".join(lines))
    feeds = load_config(path).feeds
    assert len(feeds) == count
    assert feeds[-1].url == f"https://host{(count - 1) % 97}.example/feed/{count - 1}"
    assert feeds[-1].line == 2 + 3 * (count - 1) and feeds[-1].language == "de"
    with path.open("a", encoding="utf-8") as handle:  # a mistake at the very end is still found
        handle.write("  - url: https://HOST7.example/feed/7\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 2 + 3 * count and "duplicate feed URL" in str(caught.value)
