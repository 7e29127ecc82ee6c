"""urls.py: canonical URLs."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.ingest.urls import article_url, canonical_url, unwrap_redirect, url_problem


def test_canonical_url_rules() -> None:
    assert canonical_url("HTTP://News.Example.COM:80/a/b?utm_source=x&id=3&fbclid=y#frag") == (
        "http://news.example.com/a/b?id=3"
    )
    assert canonical_url("https://n.example:443") == "https://n.example/"
    assert canonical_url("https://n.example:8443/x?gclid=1") == "https://n.example:8443/x"
    assert (
        canonical_url("/story/1?utm_medium=rss", base="https://n.example/feed") == "https://n.example/story/1"
    )
    assert canonical_url("https://n.example/p?b=2&a=1") == "https://n.example/p?b=2&a=1"  # order kept


@pytest.mark.parametrize(
    "tracking",
    [
        "wt_mc=rss.world", "WT.mc_id=abc", "WT.z_src=x", "utm_content=top", "UTM_Source=a",
        "fbclid=IwAR", "gclid=1", "mc_cid=9", "mc_eid=8", "ocid=msn", "cmpid=rss",
        "at_medium=rss", "at_campaign=feed", "_ga=2.1", "icid=nav", "INTCMP=home",
        "ns_campaign=x", "ns_mchannel=rss", "ns_anything=y", "ttclid=t", "ref_src=twsrc",
    ],
)  # fmt: skip
def test_common_tracking_parameters_are_dropped(tracking: str) -> None:
    """The issue's `wt_mc` and the families beside it identify a campaign, not the article:
    the same article with and without them is one URL."""
    plain = "https://n.example/world/2025/story?id=7"
    assert canonical_url(f"{plain}&{tracking}") == plain
    assert canonical_url(f"https://n.example/world/2025/story?{tracking}&id=7") == plain


@pytest.mark.parametrize("kept", ["id=7", "page=2", "at=3", "wt=5", "ns=x", "icon=1", "cmp=a", "ref=home"])
def test_parameters_that_may_name_the_article_are_kept(kept: str) -> None:
    assert canonical_url(f"https://n.example/a?{kept}") == f"https://n.example/a?{kept}"


url_parts = st.builds(
    lambda scheme, host, port, path, params, frag: (
        f"{scheme}://{host}{port}/{path}" + ("?" + "&".join(params) if params else "") + frag
    ),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.[A-Za-z]{2,5}", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.from_regex(r"[a-z0-9/%._-]{0,20}", fullmatch=True),
    st.lists(
        st.sampled_from(["utm_source=rss", "id=1", "q=a%20b", "fbclid=zz", "page=2", "x=", "gclid=3"]),
        max_size=4,
    ),
    st.sampled_from(["", "#top", "#"]),
)


@given(url_parts)
def test_canonical_url_is_idempotent_and_clean(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "#" not in once and "utm_" not in once and "fbclid" not in once and "gclid" not in once
    assert once.split("://")[0] in ("http", "https")


def test_url_problem() -> None:
    assert url_problem("https://a.example/feed") is None
    assert url_problem("") is not None
    assert "scheme" in (url_problem("file:///etc/passwd") or "")
    assert url_problem("https://a.example:99999/") is not None


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        (  # Google Alerts
            "https://www.google.com/url?rct=j&sa=t&url=https://www.example.com/2026/11/story.html%3Fa%3D1&ct=ga&usg=AOv",
            "https://www.example.com/2026/11/story.html?a=1",
        ),
        (  # Bing News
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&url=https%3a%2f%2fnews.example.org%2fa%2f123&c=1",
            "https://news.example.org/a/123",
        ),
        (  # the target after a star
            "https://redir.folha.com.br/redir/online/poder/rss091/*https://www1.folha.uol.com.br/poder/x.shtml",
            "https://www1.folha.uol.com.br/poder/x.shtml",
        ),
    ],
)
def test_a_redirectors_wrapper_gives_the_articles_own_address(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/news/share?url=https://other.com/x",  # not a redirector's path
        "https://example.com/go?url=https://example.com/x",  # the same host: not a wrapper
        "https://site.example/article?id=5&q=https://x.example",
        "https://web.archive.org/web/2020/https://x.example/",
        "https://example.com/url?url=javascript:alert(1)",
    ],
)
def test_other_addresses_are_left_as_they_are(url: str) -> None:
    assert unwrap_redirect(url) == url


def test_wrappers_around_wrappers_unwrap_to_the_end_and_a_star_needs_another_host() -> None:
    inner = "https://final.example/a"
    url = inner
    for n in range(5):
        url = f"https://l{n}.example/go?url={quote(url, safe='')}"
    assert unwrap_redirect(url) == inner
    assert unwrap_redirect(unwrap_redirect(url)) == inner
    same_host = "https://b.example/x/*https://b.example/y"
    assert unwrap_redirect(same_host) == same_host


def _article_url_before(link: str, base: str | None) -> str:
    """What a poll stored before article_url: canonical_url on both sides of the unwrap."""
    return canonical_url(unwrap_redirect(canonical_url(link, base=base)))


@pytest.mark.parametrize(
    "link",
    [
        "https://News.Example.com:443/a?utm_source=rss&id=2#top",
        "/2026/12/story.html?fbclid=x",
        "story.html",
        "  https://a.example/x  ",
        "https://www.google.com/url?rct=j&url=https://Www.Example.com:443/s%3Futm_medium%3Dx%26b%3D2&ct=ga",
        "https://redir.example/r/*HTTPS://Other.example/x?gclid=1#f",
        "https://a.example:99999/bad-port",
        "mailto:desk@example.com",
        "urn:uuid:1234",
        "https://[::1]:8080/v6",
    ],
)
def test_article_url_is_what_canonical_unwrap_canonical_gave(link: str) -> None:
    base = "https://feeds.example/rss/news.xml"
    assert article_url(link, base=base) == _article_url_before(link, base)


@given(url_parts, st.booleans())
def test_article_url_agrees_with_the_double_canonical_url_on_any_link(url: str, wrapped: bool) -> None:
    link = f"https://l.example/go?url={quote(url, safe='')}&utm_source=x" if wrapped else url
    assert article_url(link) == _article_url_before(link, None)
