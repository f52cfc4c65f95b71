"""The explanation of one row's access as plain text lines (the CLI prints them; the TUI has
its own view of the same `RowAccess`)."""

from __future__ import annotations

import json

from ehgtui.rows.policy_eval import PartResult
from ehgtui.rows.row_access import CommandAccess, PolicyResult, RowAccess

RESULT_MARK = {True: "✓", False: "✗", None: "∅"}
"""pass, fail, NULL."""


def result_word(result: bool | None, error: str | None = None) -> str:
    if error is not None:
        return f"error: {error}"
    return {True: "true", False: "false", None: "NULL"}[result]


def _part_lines(part: PartResult, depth: int) -> list[str]:
    pad = "    " * depth
    mark = RESULT_MARK[part.result] if part.error is None else "!"
    lines = [f"{pad}{mark} {part.text}  → {result_word(part.result, part.error)}"]
    for name, value in part.reads:
        lines.append(f"{pad}      {name} = {value}")
    for child in part.children:
        if part.kind == "and" and child.result is True:
            lines.append(f"{pad}    ✓ {child.text}  → true")
            continue
        lines.extend(_part_lines(child, depth + 1))
    return lines


def _policy_lines(result: PolicyResult) -> list[str]:
    kind = "permissive" if result.permissive else "restrictive"
    check = result.check
    head = (
        f"  {RESULT_MARK[check.result] if check.error is None else '!'} {kind} "
        f'"{result.name}" ({result.command}) for {result.requirement}: {check.clause} '
        f"on the {check.row} row → {result_word(check.result, check.error)}"
    )
    lines = [head]
    if check.result is not True:
        if check.failing is not None:
            lines.extend(_part_lines(check.failing, 2))
        else:
            lines.append(f"        {check.expression}")
    return lines


def command_lines(answer: CommandAccess) -> list[str]:
    lines = [f"{answer.command}: {answer.verdict.upper()} — {answer.reason}"]
    lines.append(f"  privilege: {'yes' if answer.privilege else 'no'}")
    if answer.bypass is not None:
        lines.append(f"  RLS: does not apply ({answer.bypass})")
    for result in answer.policies:
        lines.extend(_policy_lines(result))
    if answer.proposed is not None:
        shown = ", ".join(f"{k}={'NULL' if v is None else v}" for k, v in answer.proposed.items())
        lines.append(f"  proposed row: {shown}")
    return lines


def _value_text(value: object) -> str:
    if value is None:
        return "NULL"
    return value if isinstance(value, str) else json.dumps(value)


def access_lines(access: RowAccess) -> list[str]:
    key = ",".join(f"{k}={v}" for k, v in access.key.items()) or "(new row)"
    lines = [f"# {access.table}  {key}  as {access.viewer}"]
    for answer in access.commands:
        lines.extend(command_lines(answer))
    lines.extend(f"# note: {note}" for note in access.notes)
    return lines
