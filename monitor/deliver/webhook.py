"""One webhook delivery: an HTTP POST of the alert's JSON, signed with HMAC-SHA256 over the
body, carrying the alert's idempotency key, under the guards of feed fetching (the
private-address guard on every connection, a whole-request deadline, a cap on the answer
read). Returns the outcome in words; never raises for the receiver's failure."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from monitor.deliver.alertplan import KEY_HEADER, SIGNATURE_HEADER, sign, status_outcome
from monitor.errors import FetchError
from monitor.ingest.fetch import (
    ALLOW_PRIVATE_EXTENSION,
    FetchOptions,
    _describe_http_error,
    is_public_address,
    make_client,
    read_body,
)
from monitor.watches.settings import WebhookAlert

MAX_ANSWER_BYTES = 64 * 1024  # what is read of the receiver's answer (kept for the error text)
MAX_REDIRECTS = 3
USER_AGENT = "monitor-webhook/1"


@dataclass(frozen=True)
class DeliveryOutcome:
    outcome: str  # 'sent', 'retry' or 'failed'
    status: int | None = None
    error: str | None = None
    elapsed: float = 0.0


def webhook_secret(hook: WebhookAlert, environ: Mapping[str, str] | None = None) -> bytes:
    """The signature key, from the environment variable or file the config names."""
    environ = os.environ if environ is None else environ
    if hook.secret_env:
        value = environ.get(hook.secret_env)
        if not value:
            raise FetchError(hook.url, f"environment variable {hook.secret_env} is not set", step="secret")
        return value.encode()
    if hook.secret_file is not None:
        try:
            value = hook.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise FetchError(
                hook.url, f"cannot read secret_file {hook.secret_file}: {exc.strerror or exc}", step="secret"
            ) from None
        if not value:
            raise FetchError(hook.url, f"secret_file {hook.secret_file} is empty", step="secret")
        return value.encode()
    raise FetchError(hook.url, "no secret_env or secret_file", step="secret")


def client_for(
    hook: WebhookAlert, is_allowed: Callable[[str], bool] = is_public_address
) -> httpx.AsyncClient:
    """A client for one delivery: the guarded transport of feed fetching, no redirects
    followed by httpx (each is checked here), the hook's timeout as the read timeout."""
    options = FetchOptions(
        user_agent=USER_AGENT, timeout=hook.timeout, connect_timeout=hook.timeout, read_timeout=hook.timeout
    )
    return make_client(options, is_allowed=is_allowed)


async def post_webhook(
    client: httpx.AsyncClient, hook: WebhookAlert, body: bytes, key: str, secret: bytes
) -> DeliveryOutcome:
    """POST `body` to the hook within its timeout (the whole exchange, answer included)."""
    started = time.monotonic()
    try:
        return await asyncio.wait_for(_post(client, hook, body, key, secret, started), hook.timeout)
    except TimeoutError:
        return DeliveryOutcome(
            "retry", error=f"no complete answer within {hook.timeout:g} s", elapsed=time.monotonic() - started
        )
    except FetchError as exc:
        return DeliveryOutcome("retry", error=exc.message, elapsed=time.monotonic() - started)
    except httpx.HTTPError as exc:
        message, _step = _describe_http_error(exc)
        return DeliveryOutcome("retry", error=message, elapsed=time.monotonic() - started)
    except (OSError, ValueError, UnicodeError) as exc:
        return DeliveryOutcome(
            "retry", error=f"{type(exc).__name__}: {exc}", elapsed=time.monotonic() - started
        )


async def _post(
    client: httpx.AsyncClient, hook: WebhookAlert, body: bytes, key: str, secret: bytes, started: float
) -> DeliveryOutcome:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "*/*",
        "Accept-Encoding": "identity",
        SIGNATURE_HEADER: sign(secret, body),
        KEY_HEADER: key,
    }
    extensions = {ALLOW_PRIVATE_EXTENSION: hook.allow_private_addresses}
    url = httpx.URL(hook.url)
    for _hop in range(MAX_REDIRECTS + 1):
        if url.scheme not in ("http", "https") or not url.host:
            return DeliveryOutcome("failed", error=f"not an http(s) URL: {url}")
        async with client.stream("POST", url, content=body, headers=headers, extensions=extensions) as answer:
            if answer.status_code in (307, 308) and answer.headers.get("location"):
                # Only these keep the method and body (RFC 9110 §15.4); the next hop's
                # connection passes the same address guard.
                url = url.join(answer.headers["location"].strip())
                continue
            try:
                text = await read_body(answer, MAX_ANSWER_BYTES)
            except FetchError as exc:
                return DeliveryOutcome(
                    "retry", answer.status_code, f"answer: {exc.message}", time.monotonic() - started
                )
            outcome = status_outcome(answer.status_code)
            error = None
            if outcome != "sent":
                said = " ".join(text[:200].decode("utf-8", "replace").split())
                error = f"HTTP {answer.status_code} {answer.reason_phrase}".strip() + (
                    f": {said}" if said else ""
                )
                if 300 <= answer.status_code < 400:
                    error += " (only 307 and 308 redirects are followed: give the final URL)"
                    outcome = "failed"
            return DeliveryOutcome(outcome, answer.status_code, error, time.monotonic() - started)
    return DeliveryOutcome("failed", error=f"more than {MAX_REDIRECTS} redirects")
