"""Textual's parsed CSS, kept on disk between runs: parsing it is a tenth of every start.

Textual parses the app's stylesheet and the default CSS of every widget class it mounts each
time the app starts (about 30 ms of a 0.2 s start from the catalog cache, with its tokenizer in
pure Python). The parsed rule sets depend only on the CSS text, where it came from, and the
theme's variables, so `CachedStylesheet` looks each parse up in a file of earlier results
first, keyed by all of these, and the app writes the file back when a run parsed something new.

The file is a pickle, which can run code when read, so it is only read when it and its
directory belong to the user and nobody else can write them: the same trust as the user's own
installed `.pyc` files. Textual's rule classes are internal, so the file is per Textual install
(its version is pinned in pyproject.toml), and anything unexpected (a missing or unreadable
file, another shape, an error while unpickling) is ignored and the CSS parsed as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

import platformdirs
import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import CSSLocation, Stylesheet

from ehgtui.files import write_atomically


def style_cache_path() -> Path:
    """The file for the installed Textual and this Python, in the user's cache directory."""
    directory = Path(platformdirs.user_cache_dir("ehgtui", appauthor=False)) / "styles"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return directory / f"textual-{_textual_build()}-python-{python}.pickle"


def _textual_build() -> str:
    """Tells installed Textuals apart by their CSS modules (name, size, time), which define
    what the file holds. (`textual.__version__` reads the package metadata: 40 ms, a fifth of
    a start from the catalog cache.)"""
    css = Path(textual.__file__).parent / "css"
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in css.glob("*.py"))
    return hashlib.sha256(repr(files).encode()).hexdigest()[:16]


def _private(path: Path) -> bool:
    """True when `path` is the user's own and nobody else may write to it."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


MAX_ENTRIES = 400
"""Past this many entries (a run uses about 50; others come from other themes and from edited
CSS), a write keeps only those this run used."""


class StyleCache:
    """Parsed rule sets by key, read from and written to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, bytes] = {}
        self._used: set[str] = set()
        self.dirty = False
        """True when this run parsed CSS the file does not have."""

    def read(self) -> None:
        """Read the file, if there is a trustworthy one; anything else leaves the cache empty."""
        try:
            if not (_private(self.path.parent) and _private(self.path)):
                return
            entries = pickle.loads(self.path.read_bytes())
        except Exception:  # noqa: BLE001 (any unreadable file is only a slower start)
            return
        if isinstance(entries, dict) and all(
            isinstance(k, str) and isinstance(v, bytes) for k, v in entries.items()
        ):
            self._entries = entries

    def get(self, key: str) -> list[RuleSet] | None:
        """The rule sets stored under `key`, or None."""
        data = self._entries.get(key)
        if data is None:
            return None
        try:
            rules = pickle.loads(data)
        except Exception:  # noqa: BLE001 (parsed again, and replaced when written)
            return None
        if isinstance(rules, list) and all(isinstance(r, RuleSet) for r in rules):
            self._used.add(key)
            return rules
        return None

    def put(self, key: str, rules: list[RuleSet]) -> None:
        """Store freshly parsed rule sets (pickled now: Textual may change them later)."""
        try:
            self._entries[key] = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 (a rule that cannot be pickled is parsed each time)
            return
        self._used.add(key)
        self.dirty = True

    def write(self) -> None:
        """Write the file (atomically, mode 0600, in a 0700 directory) if it gained entries.

        Raises:
            OSError: The file could not be written.
        """
        if not self.dirty:
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if len(self._entries) > MAX_ENTRIES:
            self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        write_atomically(self.path, pickle.dumps(self._entries, pickle.HIGHEST_PROTOCOL))
        self.dirty = False
        # an earlier Textual's file for the same Python (another Python keeps its own)
        python = self.path.name.partition("-python-")[2]
        for other in self.path.parent.glob(f"textual-*-python-{python}"):
            if other != self.path:
                with contextlib.suppress(OSError):
                    other.unlink()


class CachedStylesheet(Stylesheet):
    """Textual's stylesheet, looking its parses up in a `StyleCache` before parsing.

    A theme change re-parses through a plain Stylesheet (Textual's `reparse`), uncached: it is
    the start that matters.
    """

    def __init__(self, *, variables: dict[str, str] | None = None, store: StyleCache) -> None:
        super().__init__(variables=variables)
        self.store = store
        self._variables_digest: str | None = None

    def set_variables(self, variables: dict[str, str]) -> None:
        super().set_variables(variables)
        self._variables_digest = None

    def _key(self, *parts: Any) -> str:
        if self._variables_digest is None:
            text = repr(sorted(self._variables.items()))
            self._variables_digest = hashlib.sha256(text.encode()).hexdigest()
        text = repr(parts) + self._variables_digest
        return hashlib.sha256(text.encode()).hexdigest()

    def _parse_rules(
        self,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        memory_key = (css, read_from, is_default_rules, tie_breaker, scope)
        if memory_key in self._parse_cache:  # Textual's own cache, for this run
            return self._parse_cache[memory_key]
        key = self._key(*memory_key)
        rules = self.store.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            if not any(rule.errors for rule in rules):  # bad CSS is reported, never kept
                self.store.put(key, rules)
        else:
            self._parse_cache[memory_key] = rules
        return rules
