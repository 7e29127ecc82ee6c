"""One error tree for monitor: every failure a user can see is a MonitorError."""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""


class ConfigError(MonitorError):
    """feeds.yaml (or another config file) is unusable; names the file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class StoreError(MonitorError):
    """The database cannot be opened, migrated or written."""


class FeedError(MonitorError):
    """A feed failed at one step; carries the feed URL and the step."""

    def __init__(self, url: str, step: str, message: str) -> None:
        self.url = url
        self.step = step
        self.message = message
        super().__init__(f"{url}: {step}: {message}")


class FetchError(FeedError):
    """Fetching failed: network, timeout, HTTP status, size cap, refused address."""

    def __init__(self, url: str, message: str, *, step: str = "while fetching") -> None:
        super().__init__(url, step, message)


class ParseError(FeedError):
    """The body could not be read as a feed."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(url, "while parsing", message)
