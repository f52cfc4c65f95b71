"""The core is reachable without the TUI: importing it never loads Textual or Rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "ehgtui.db.settings",
    "ehgtui.db.pool",
    "ehgtui.db.failures",
    "ehgtui.db.connect_errors",
    "ehgtui.db.read_only_session",
    "ehgtui.catalog.model",
    "ehgtui.catalog.loader",
    "ehgtui.catalog.domains",
    "ehgtui.catalog.domain_settings",
    "ehgtui.catalog.object_queries",
    "ehgtui.catalog.serialize",
    "ehgtui.config",
    "ehgtui.demo.server",
    "ehgtui.demo.lifecycle",
    "ehgtui.relations.neighbourhood",
    "ehgtui.relations.picture",
    "ehgtui.relations.mermaid",
    "ehgtui.relations.dot",
    "ehgtui.rows.query",
    "ehgtui.rows.access",
    "ehgtui.checks.rls",
    "ehgtui.checks.conventions",
    "ehgtui.docs.render",
    "ehgtui.docs.writer",
    "ehgtui.migrations.status",
    "ehgtui.tasks.registry",
    "ehgtui.tasks.runner",
    "ehgtui.tasks.ping",
    "ehgtui.catalog.fingerprint",
    "ehgtui.catalog.cache",
    "ehgtui.diff.model",
    "ehgtui.diff.compare",
    "ehgtui.diff.snapshot",
    "ehgtui.diff.render",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_the_ui(module: str) -> None:
    code = (
        f"import {module}, sys; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')"
        " or m.startswith(('ehgtui.tui', 'ehgtui.cli'))); "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
