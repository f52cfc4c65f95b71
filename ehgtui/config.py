"""The configuration file: one place that finds, reads and (for the theme) writes it.

Looked for, nearest first: `.ehgtui.toml` in the current directory, then `config.toml` in the
user config directory. The first one found is used whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ehgtui.catalog.domain_settings import DomainSettings, settings_from_toml

PROJECT_FILE = ".ehgtui.toml"
"""The per-project configuration file, looked for in the current directory."""


class ConfigError(ValueError):
    """The configuration file is malformed; the message names the file."""


def user_config_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("ehgtui", appauthor=False)) / "config.toml"


def config_paths(cwd: Path | None = None) -> list[Path]:
    """Where configuration is looked for, nearest first."""
    return [(cwd or Path.cwd()) / PROJECT_FILE, user_config_file()]


@dataclass(frozen=True)
class Config:
    """Everything the configuration file may set."""

    domains: DomainSettings = field(default_factory=DomainSettings)
    theme: str | None = None
    """The Textual theme last chosen in the TUI."""
    timeout: float | None = None
    """`timeout = 30`: seconds a statement may wait for the server's answer (`--timeout`
    and `EHGTUI_TIMEOUT` win over it)."""
    source: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def load_config(cwd: Path | None = None) -> Config:
    """Read the nearest configuration file; defaults when there is none."""
    for path in config_paths(cwd):
        if not path.is_file():
            continue
        import tomllib  # only with a file to read: 10 ms of every start otherwise

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        theme = data.get("theme")
        return Config(
            domains=settings_from_toml(data, str(path)),
            theme=theme if isinstance(theme, str) else None,
            timeout=_timeout(data.get("timeout"), path),
            source=path,
            raw=data,
        )
    return Config()


def _timeout(value: Any, path: Path) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{path}: timeout must be a positive number of seconds, not {value!r}")
    return float(value)


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, quotes, backslashes and control characters escaped."""
    escaped = []
    for char in value:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


_TOP_LEVEL_THEME = re.compile(r"^\s*theme\s*=")


def remember_theme(theme: str) -> Path:
    """Store the chosen theme in the user config file, keeping its other lines.

    Only a top-level `theme = ...` line (before the first `[table]` header) is replaced; the
    file is rewritten atomically (temporary file + rename), so a crash never truncates it.
    """
    from ehgtui.files import write_atomically  # tempfile: not needed to read the file

    path = user_config_file()
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    first_table = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines)
    )
    top = [line for line in lines[:first_table] if not _TOP_LEVEL_THEME.match(line)]
    # top-level keys must come before any [table] header
    text = "\n".join([f"theme = {toml_string(theme)}", *top, *lines[first_table:]]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"), sync=True)
    return path
