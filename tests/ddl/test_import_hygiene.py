"""The DDL package is pure: importing it loads neither Textual, Rich nor a database driver."""

from __future__ import annotations

import subprocess
import sys

import pytest

DDL_MODULES = [
    "ehgtui.ddl",
    "ehgtui.ddl.render",
    "ehgtui.ddl.migration",
    "ehgtui.ddl.order",
    "ehgtui.ddl.quote",
]


@pytest.mark.parametrize("module", DDL_MODULES)
def test_ddl_imports_no_ui_and_no_driver(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in ('textual', 'rich', 'asyncpg') if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
