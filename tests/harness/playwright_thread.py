"""Playwright's sync API in a thread of its own.

The browser tests (tests/browser/conftest.py) keep one session-wide sync Playwright per pytest worker, which runs
an asyncio loop in the worker's main thread; a second sync Playwright cannot start in that thread ("using
Playwright Sync API inside the asyncio loop"). A test module outside tests/browser that needs its own Chromium
(other flags, profiles) runs it here: ``run(work)`` calls ``work(tools)`` in the Playwright thread, where
``tools`` is what ``setup(playwright)`` returned, and hands back its result or raises its exception."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any


class PlaywrightThread:
    def __init__(self, setup: Callable[[Any], Any], teardown: Callable[[Any], None] | None = None, name: str = "playwright") -> None:
        self._setup, self._teardown = setup, teardown
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], Future[Any]] | None] = queue.Queue()
        self._started: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._thread.start()
        self._started.result(120)

    def _run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                tools = self._setup(pw)
                self._started.set_result(None)
                while (job := self._jobs.get()) is not None:
                    work, result = job
                    try:
                        result.set_result(work(tools))
                    except BaseException as exc:  # handed to the test's thread
                        result.set_exception(exc)
                if self._teardown is not None:
                    self._teardown(tools)
        except BaseException as exc:
            if not self._started.done():
                self._started.set_exception(exc)

    def run(self, work: Callable[[Any], Any], timeout: float = 180) -> Any:
        result: Future[Any] = Future()
        self._jobs.put((work, result))
        return result.result(timeout)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(30)
