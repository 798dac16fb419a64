"""Reading letters for the scoring routes: the text-size limit, and large letters in their own process.

Parsing and extraction are regex work; one regex pass over a megabyte-long text holds Python's
interpreter lock for a tenth of a second or more, and then no other thread (the event loop included)
runs. Letters of `process_from_chars` characters or more are therefore read in a separate process
(one per server worker, started on first need), and the thread that waits for it holds no lock.
Shorter letters, almost all of them, are read in the calling thread, without the hand-over cost.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from features.spec import FeatureSpec
from serving.case_rows import PreparedCase, prepare_text

log = logging.getLogger("serving.letters")

TEXT_LIMIT_SETTING = "IMR_SERVE_MAX_TEXT_CHARS"


class TextTooLong(ValueError):
    """A letter text over the limit (413 for a request; an item error in a batch)."""


def check_text(text: str, limit: int) -> None:
    if len(text) > limit:
        raise TextTooLong(
            f"text is {len(text):,} characters; the limit is {limit:,} characters ({TEXT_LIMIT_SETTING})"
        )


def read_text(
    text: str, spec: FeatureSpec, case_id: str | None, limit: int, source: str = "request"
) -> PreparedCase:
    check_text(text, limit)
    return prepare_text(text, spec, case_id, source)


def upload_text(data: bytes, name: str) -> str:
    """The text of an uploaded letter, read exactly as `imr parse` reads a file."""
    from letters.ingest import letter_bytes_to_text

    return letter_bytes_to_text(data, name)


def _child_started(parent_pid: int) -> None:
    from serving.parent_watch import exit_with_parent

    exit_with_parent(parent_pid, signal.SIGKILL, kernel=False)  # started from a pool thread


class LetterReader:
    """Reads letter texts and uploads for one app, large ones in a separate process."""

    def __init__(self, spec: FeatureSpec, *, max_chars: int, process_from_chars: int) -> None:
        self.spec = spec
        self.max_chars = max_chars
        self.process_from_chars = process_from_chars
        self._process: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _large(self, size: int) -> bool:
        return 0 < self.process_from_chars <= size

    def text(self, text: str, case_id: str | None, source: str = "request") -> PreparedCase:
        """A letter's text -> its prepared case (`TextTooLong` over the limit)."""
        check_text(text, self.max_chars)  # before any hand-over
        if self._large(len(text)):
            return self._in_process(read_text, text, self.spec, case_id, self.max_chars, source)
        return read_text(text, self.spec, case_id, self.max_chars, source)

    def upload(self, data: bytes, name: str) -> PreparedCase:
        """An uploaded PDF or text letter -> its prepared case."""
        return self.text(upload_text(data, name), None, name)

    def _in_process(self, fn: Any, *args: Any) -> PreparedCase:
        with self._lock:
            if self._process is None:
                self._process = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_child_started,
                    initargs=(os.getpid(),),
                )
            process = self._process
        try:
            return process.submit(fn, *args).result()  # type: ignore[no-any-return]
        except BrokenProcessPool as exc:
            with self._lock:
                if self._process is process:
                    self._process = None
            log.error("the letter reader process died; a new one starts with the next large letter")
            raise ValueError("the letter could not be read (its reader process stopped)") from exc

    def shutdown(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.shutdown(wait=False, cancel_futures=True)
                self._process = None
