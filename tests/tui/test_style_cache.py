"""Textual's parsed CSS kept between runs (tui/style_cache.py): reused, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.css.stylesheet import Stylesheet, StylesheetParseError

from ehgtui.tui import app as app_module
from ehgtui.tui.app import EhgApp
from ehgtui.tui.style_cache import CachedStylesheet, StyleCache
from tests.tui.conftest import loaded

CSS = "Widget { color: $accent; background: red 50%; padding: 1 2; }"
LOCATION = ("test.tcss", "")


def rules_of(sheet: Stylesheet) -> list[tuple[Any, ...]]:
    """What the parsed rules say: selectors, declarations, precedence. (Declarations by their
    repr: a layout is an object, a new one on each parse, equal only to itself.)"""
    return [
        (
            r.selectors,
            repr(sorted(r.styles.get_rules().items())),
            r.is_default_rules,
            r.tie_breaker,
            r.selector_names,
            r.pseudo_classes,
        )
        for r in sheet.rules
    ]


def parse(store: StyleCache, variables: dict[str, str]) -> CachedStylesheet:
    sheet = CachedStylesheet(variables=variables, store=store)
    sheet.add_source(CSS, read_from=LOCATION)
    sheet.parse()
    return sheet


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every real parse Textual makes (its `_parse_rules`, which the cache skips on a hit)."""
    calls: list[Any] = []
    real = Stylesheet._parse_rules

    def counted(self: Stylesheet, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(read_from)
        return real(self, css, read_from, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "_parse_rules", counted)
    return calls


def test_a_written_cache_gives_the_same_rules_without_parsing(
    tmp_path: Path, parses: list[Any]
) -> None:
    path = tmp_path / "styles" / "textual.pickle"
    first = StyleCache(path)
    fresh = parse(first, {"accent": "#ff0000"})
    assert parses == [LOCATION] and first.dirty
    first.write()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

    second = StyleCache(path)
    second.read()
    cached = parse(second, {"accent": "#ff0000"})
    assert parses == [LOCATION]  # the second stylesheet parsed nothing
    assert not second.dirty
    assert rules_of(cached) == rules_of(fresh)
    assert cached.rules[0].styles.color == Color(255, 0, 0)


def test_other_variables_are_parsed_anew(tmp_path: Path, parses: list[Any]) -> None:
    store = StyleCache(tmp_path / "styles.pickle")
    red = parse(store, {"accent": "#ff0000"})
    blue = parse(store, {"accent": "#0000ff"})
    assert len(parses) == 2
    assert red.rules[0].styles.color == Color(255, 0, 0)
    assert blue.rules[0].styles.color == Color(0, 0, 255)


@pytest.mark.parametrize("spoil", ["garbage", "group_writable", "other_shape"])
def test_an_unusable_or_untrusted_file_is_not_read(
    tmp_path: Path, parses: list[Any], spoil: str
) -> None:
    path = tmp_path / "styles" / "textual.pickle"
    good = StyleCache(path)
    parse(good, {"accent": "#ff0000"})
    good.write()
    if spoil == "garbage":
        path.write_bytes(b"\x80\x05not a pickle")
    elif spoil == "group_writable":  # someone else could have put code in it
        os.chmod(path, 0o620)
    else:
        path.write_bytes(b"\x80\x04K\x01.")  # a valid pickle of the integer 1
    store = StyleCache(path)
    store.read()
    sheet = parse(store, {"accent": "#ff0000"})
    assert len(parses) == 2  # parsed again, as if there were no file
    assert sheet.rules[0].styles.color == Color(255, 0, 0)


def test_bad_css_is_reported_and_not_kept(tmp_path: Path) -> None:
    store = StyleCache(tmp_path / "styles.pickle")
    sheet = CachedStylesheet(variables={}, store=store)
    sheet.add_source("Widget { color: not-a-colour; }", read_from=LOCATION)
    with pytest.raises(StylesheetParseError):
        sheet.parse()
    assert not store.dirty


async def test_the_second_start_of_the_app_parses_no_css(
    make_app: Callable[..., EhgApp],
    tmp_path: Path,
    parses: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "styles" / "textual.pickle"
    monkeypatch.setattr(app_module, "style_cache_path", lambda: path)
    first = make_app()
    async with first.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        first_rules = rules_of(first.stylesheet)
    assert parses and path.is_file()  # parsed, then written at exit

    parses.clear()
    second = make_app()
    async with second.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert parses == []
        assert rules_of(second.stylesheet) == first_rules


def test_a_full_file_keeps_only_what_the_last_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ehgtui.tui import style_cache

    monkeypatch.setattr(style_cache, "MAX_ENTRIES", 2)
    path = tmp_path / "styles.pickle"
    store = StyleCache(path)
    for colour in ("#ff0000", "#00ff00", "#0000ff"):  # three themes, say
        parse(store, {"accent": colour})
    store.write()
    assert len(pickle.loads(path.read_bytes())) == 3  # all used by that run

    later = StyleCache(path)
    later.read()
    parse(later, {"accent": "#00ff00"})  # a hit
    parse(later, {"accent": "#ffffff"})  # new: the file is written
    later.write()
    kept = StyleCache(path)
    kept.read()
    assert len(pickle.loads(path.read_bytes())) == 2
    assert parse(kept, {"accent": "#00ff00"}).rules[0].styles.color == Color(0, 255, 0)
    assert not kept.dirty


def test_a_new_textual_replaces_the_old_file_but_not_another_pythons(tmp_path: Path) -> None:
    old = tmp_path / "textual-aaaa-python-3.11.pickle"
    other_python = tmp_path / "textual-aaaa-python-3.12.pickle"
    for path in (old, other_python):
        store = StyleCache(path)
        parse(store, {"accent": "#ff0000"})
        store.write()
    new = StyleCache(tmp_path / "textual-bbbb-python-3.11.pickle")
    parse(new, {"accent": "#ff0000"})
    new.write()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "textual-aaaa-python-3.12.pickle",
        "textual-bbbb-python-3.11.pickle",
    ]
