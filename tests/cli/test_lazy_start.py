"""`ehgtui --help` and the command line itself import only what they use.

The subcommands, asyncpg, Textual, Rich and the catalog are imported when a command runs; the
command list's summaries are written in `cli.main` for that reason, so they are checked here
against each command's own docstring.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from ehgtui.cli.main import LAZY_COMMANDS, cli

HEAVY = ("asyncpg", "textual", "rich", "msgspec", "ehgtui.catalog", "ehgtui.db.pool")


def _modules_after(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after running `ehgtui ARGV`."""
    code = (
        "import sys\n"
        "from ehgtui.cli.main import cli\n"
        "try:\n"
        f"    cli.main({argv!r}, prog_name='ehgtui', standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_imports_no_driver_ui_or_catalog() -> None:
    modules = _modules_after(["--help"])
    assert _heavy(modules) == []
    assert not any(m.endswith("_command") for m in modules)


def test_a_subcommands_help_imports_that_command_only() -> None:
    modules = _modules_after(["ping", "--help"])
    commands = sorted(m for m in modules if m.startswith("ehgtui.cli.") and m.endswith("_command"))
    assert commands == ["ehgtui.cli.ping_command"]


def test_help_lists_every_command_with_its_summary() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ehgtui", "--help"], capture_output=True, text=True, check=True
    )
    listed = done.stdout.split("Commands:", 1)[1].split()
    for name in LAZY_COMMANDS:
        assert name in listed
    assert "Show who may SELECT, INSERT, UPDATE, DELETE" in done.stdout


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_summary_is_the_commands_own(name: str) -> None:
    path, summary = LAZY_COMMANDS[name]
    module_name, _, attribute = path.partition(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
    assert summary == first_paragraph


def test_unknown_command_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ehgtui", "no-such-command"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "No such command 'no-such-command'" in done.stderr
    assert "Traceback" not in done.stderr


def test_group_resolves_every_lazy_command() -> None:
    ctx = click.Context(cli)
    for name in LAZY_COMMANDS:
        assert cli.get_command(ctx, name) is not None
