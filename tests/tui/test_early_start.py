"""The first start's target and cache read, begun in a thread as the app runs (EarlyStart)."""

from __future__ import annotations

import threading

import pytest

from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.db.settings import ConnectionTarget, DsnError
from ehgtui.tui.catalog_source import EarlyStart

TARGET = ConnectionTarget("postgresql://someone@db.example:5432/app", "test")


def test_ready_is_none_until_the_thread_has_succeeded() -> None:
    release = threading.Event()

    def slow_opener() -> ConnectionTarget:
        release.wait(timeout=30)
        return TARGET

    early = EarlyStart(slow_opener, ("public",), DomainSettings(), use_cache=False)
    early.begin()
    assert early.ready() is None  # still opening
    release.set()
    target, start = early.result()
    assert early.ready() == (target, start)
    assert target is TARGET
    assert start.cached is None  # the cache is off: nothing read


def test_ready_is_none_after_a_failure_which_result_raises() -> None:
    def failing_opener() -> ConnectionTarget:
        raise DsnError("not a DSN: nowhere")

    early = EarlyStart(failing_opener, ("public",), DomainSettings(), use_cache=False)
    with pytest.raises(DsnError, match="not a DSN"):
        early.result()
    assert early.ready() is None  # the worker reports the failure, not the fast path
