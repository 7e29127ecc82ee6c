"""The shapes of the JSON API's answers (pydantic models: they are the OpenAPI schema too)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FirstReport(BaseModel):
    article_id: int | None
    outlet: str | None
    feed_id: int | None
    title: str | None
    url: str | None
    language: str | None
    published: str | None
    published_local: str


class DayFigures(BaseModel):
    articles: int = Field(description="Articles of the story published in the window.")
    outlets: int
    languages: int
    last_published: str | None


class StorySummary(BaseModel):
    rank: int
    id: int
    headline: str
    headline_language: str | None
    languages: list[str]
    countries: list[str] = Field(
        [],
        description="The countries the story is about (ISO 3166-1 alpha-2), most covered first: those "
        "named by at least a third of the outlets whose articles name a place.",
    )
    n_articles: int
    n_outlets: int
    first_published: str | None
    last_published: str | None
    first_report: FirstReport | None
    day: DayFigures
    entities: list[str | int | float]
    hourly: list[int] = Field(description="Articles per hour of the day (local time).")
    url: str
    breaking_at: str | None = Field(
        None,
        description="When the story was flagged breaking (UTC, publication time of the article that "
        "made it so), or null.",
    )
    breaking: str | None = Field(None, description="Why it was flagged, in words, or null.")


class StoryPage(BaseModel):
    day: str
    timezone: str
    start: str
    end: str
    page: int
    per_page: int
    total: int
    stories: list[StorySummary]


class StoryArticle(BaseModel):
    id: int
    title: str
    url: str | None
    language: str | None
    outlet: str | None
    feed_id: int | None
    published: str | None
    published_local: str
    published_estimated: bool
    duplicate_of: int | None
    text_source: str = Field(
        "feed",
        description="Where the stored text comes from: 'feed', or 'page' when it was read from the "
        "article's page (a feed of teasers); the text is shown at /articles/{id}.",
    )
    why: dict[str, Any] = Field(
        description="Why it joined: similarity, shared names/numbers, reason (when the stories "
        "stage records them), and hours after the first report."
    )
    copies: list[StoryArticle]


class LanguageGroup(BaseModel):
    language: str | None
    articles: list[StoryArticle]


class ThreadStory(BaseModel):
    id: int
    headline: str
    headline_language: str | None
    first_published: str | None
    last_published: str | None
    articles: int
    outlets: int
    languages: list[str]


class ThreadAround(BaseModel):
    id: int = Field(description="The thread's id (that of its first story): /api/threads/{id}.")
    earlier: list[ThreadStory] = Field(description="Stories of the thread before this one, oldest first.")
    later: list[ThreadStory] = Field(description="Stories of the thread after this one, oldest first.")


class RisingNameOut(BaseModel):
    key: str = Field(description="The recognised name's key, the same in every script (/names/KEY).")
    name: str = Field(description="Its most mentioned spelling (in Latin letters where there is one).")
    recent: int = Field(description="Stories first reported in the last 48 hours that name it.")
    before: int = Field(description="Stories of the 14 days before that name it.")
    expected: float = Field(description="What the 14 days before predict for the last 48 hours.")
    score: float


class RisingCountryOut(BaseModel):
    code: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str
    recent: int = Field(description="Stories first reported in the last 48 hours with a place in it.")
    before: int = Field(description="Stories of the 14 days before with a place in it.")
    expected: float = Field(description="What the 14 days before predict for the last 48 hours.")
    score: float


class RisingPlaceOut(BaseModel):
    geonameid: int
    name: str = Field(description="From the gazetteer on the server ('GeoNames <id>' where there is none).")
    country: str = Field(description="ISO 3166-1 alpha-2 code ('' where unknown).")
    recent: int = Field(description="Stories first reported in the last 48 hours naming it.")
    before: int = Field(description="Stories of the 14 days before naming it.")
    expected: float = Field(description="What the 14 days before predict for the last 48 hours.")
    score: float


class TrendsOut(BaseModel):
    at: str = Field(description="The end of the window (now, or just after the newest article).")
    recent_since: str
    names: list[RisingNameOut] = Field(description="Rising names, best first.")
    countries: list[RisingCountryOut] = Field(
        description="Rising countries (where the places its articles name lie), best first."
    )
    places: list[RisingPlaceOut] = Field(
        description="Rising places below a country (cities, regions), best first."
    )


class ThreadOut(BaseModel):
    id: int
    stories: list[ThreadStory] = Field(description="The thread's stories, oldest first.")
    articles: int
    languages: list[str]
    first_published: str | None
    last_published: str | None


class StoryDetail(BaseModel):
    id: int
    headline: str
    languages: list[str]
    countries: list[str] = Field(
        [],
        description="The countries the story is about (ISO 3166-1 alpha-2), most covered first: those "
        "named by at least a third of the outlets whose articles name a place.",
    )
    n_articles: int
    n_outlets: int
    first_published: str | None
    last_published: str | None
    first_report: FirstReport | None
    entities: list[str | int | float]
    breaking_at: str | None = Field(None, description="When the story was flagged breaking (UTC), or null.")
    breaking: str | None = Field(None, description="Why it was flagged, in words, or null.")
    thread: ThreadAround | None = Field(
        None, description="The thread this story belongs to (follow-ups of one subject), if any."
    )
    groups: list[LanguageGroup]


class ArticleName(BaseModel):
    key: str = Field(description="The name's key, the same in every script: /api/names/{key}.")
    name: str = Field(description="The article's fullest spelling of it.")
    variants: list[str] = Field(description="Every spelling the article uses, fullest first.")
    mentions: int


class ArticleOut(BaseModel):
    id: int
    title: str
    url: str | None
    language: str | None
    published: str
    published_estimated: bool
    first_seen: str
    story_id: int | None
    duplicate_of: int | None
    feed_id: int
    outlet: str | None
    names: list[ArticleName] = Field(
        default=[], description="The people and organisations it names, most mentioned first."
    )


class ArticlePage(BaseModel):
    page: int
    per_page: int
    total: int
    articles: list[ArticleOut]


class FeedOut(BaseModel):
    id: int
    url: str
    name: str | None
    language: str | None
    tags: list[str]
    active: bool
    gone: bool
    last_polled: str | None
    last_success: str | None
    last_status: str | None
    last_http_status: int | None
    error_streak: int
    last_error: str | None
    last_error_step: str | None
    last_error_at: str | None
    next_due: str | None
    articles: int
    articles_per_day: float = Field(description="Mean articles first seen per day over the last 7 days.")
    daily: list[int] = Field(description="Articles first seen per day, the last 7 days, oldest first.")


class ErrorOut(BaseModel):
    error: str


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}}


class CountryOut(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2.")
    name: str
    recent: int = Field(description="Stories about it with an article in the last 24 hours.")
    week: int = Field(description="Stories about it with an article in the last 7 days.")
    expected: float = Field(description="What the 6 days before predict for 24 hours.")
    score: float = Field(description="(recent - expected) / sqrt(expected + 4).")
    rising: bool = Field(description="At least 3 stories in 24 hours and a score of at least 1.")


class PlacesOut(BaseModel):
    at: str
    recent_since: str
    week_since: str
    countries: list[CountryOut]
