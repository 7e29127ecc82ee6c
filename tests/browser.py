"""Debian's headless Chromium for the tests that look at pages as a person would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium); .ci/run installs it",
)


def chromium(profile: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once with a fresh profile; no network beyond what the page loads."""
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Page:
    """One headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4; no
    port is opened): load a page at a given window width and colour scheme, run an
    expression in it, press keys. Only the addresses the test gives are loaded."""

    def __init__(self, profile: Path, *, width: int = 1280, height: int = 900, dark: bool = False) -> None:
        import json
        import os

        assert CHROMIUM is not None
        self._json = json
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads commands, fd 4 writes answers
            reading, writing = os.dup(to_child_r), os.dup(from_child_w)  # out of the way of 3, 4
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            close_fds=False,  # the child keeps fds 3 and 4 that wire() set up
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, object]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,  # a phone would zoom out to fit what overflows: measure, do not hide it
        )
        scheme = "dark" if dark else "light"
        self.call(
            "Emulation.setEmulatedMedia",
            session=True,
            features=[{"name": "prefers-color-scheme", "value": scheme}],
        )

    def _read(self) -> dict[str, object]:
        import os

        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 65536)
            if not chunk:
                raise AssertionError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        value: dict[str, object] = self._json.loads(message)
        return value

    def call(self, method: str, *, session: bool = False, **params: object) -> dict[str, object]:
        import os

        self._next_id += 1
        message: dict[str, object] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, self._json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                result = answer.get("result")
                return result if isinstance(result, dict) else {}
            self.events.append(answer)

    def _wait_event(self, method: str, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {method} within {timeout} s")
            self.events.append(self._read())

    def goto(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self._wait_event("Page.loadEventFired")

    def follow(self, selector: str) -> None:
        """Click the element (a link) and wait for the page it leads to."""
        self.events.clear()
        self.eval(f"document.querySelector({selector!r}).click()")
        self._wait_event("Page.loadEventFired")

    def eval(self, expression: str) -> object:
        """The value of a JavaScript expression in the page (JSON-serialisable values)."""
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r}: {result['exceptionDetails']}")
        inner = result.get("result")
        return inner.get("value") if isinstance(inner, dict) else None

    def press(self, key: str) -> None:
        """Press and release a key ('j', 'Enter') as a person would."""
        text = {"Enter": "\r"}.get(key, key if len(key) == 1 else "")
        self.call("Input.dispatchKeyEvent", session=True, type="keyDown", key=key, text=text)
        self.call("Input.dispatchKeyEvent", session=True, type="keyUp", key=key)

    def screenshot(self, path: Path) -> None:
        """The whole page as a PNG (beyond the window's height too)."""
        import base64

        shot = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(str(shot["data"])))

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0: nothing cut off)."""
        value = self.eval("document.documentElement.scrollWidth - window.innerWidth")
        assert isinstance(value, int)
        return value

    def cut_off(self) -> list[str]:
        """The elements whose right edge passes the window's (what a reader cannot see)."""
        value = self.eval(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 0.5).map(e => e.tagName.toLowerCase()"
            " + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined"
            " ? '.' + e.className : ''))"
        )
        assert isinstance(value, list)
        return [str(v) for v in value]

    def close(self) -> None:
        import os

        try:
            self.call("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
