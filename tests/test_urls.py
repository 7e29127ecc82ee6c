"""urls.py: canonical URLs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitor.urls import canonical_url, url_problem


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
