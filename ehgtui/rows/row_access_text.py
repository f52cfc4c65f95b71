"""The explanation of one row's access as lines of text, each with its tone (passed, failed,
NULL, a value read): the CLI prints the text, the TUI colours each line by its tone."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ehgtui.rows.policy_eval import PartResult
from ehgtui.rows.row_access import CommandAccess, PolicyResult, RowAccess

RESULT_MARK = {True: "✓", False: "✗", None: "∅"}
"""pass, fail, NULL."""

PASS, FAIL, NULL, ERROR, READ, PLAIN = "pass", "fail", "null", "error", "read", "plain"
"""Line tones: a result that passed, failed, was NULL or raised; a value a failing test
read; anything else (headings, the proposed row)."""


@dataclass(frozen=True)
class Line:
    """One line of an explanation and what it says about the row."""

    text: str
    tone: str = PLAIN


def result_word(result: bool | None, error: str | None = None) -> str:
    if error is not None:
        return f"error: {error}"
    return {True: "true", False: "false", None: "NULL"}[result]


def _tone(result: bool | None, error: str | None) -> str:
    if error is not None:
        return ERROR
    return {True: PASS, False: FAIL, None: NULL}[result]


def _part_lines(part: PartResult, depth: int) -> list[Line]:
    pad = "    " * depth
    mark = RESULT_MARK[part.result] if part.error is None else "!"
    tone = _tone(part.result, part.error)
    lines = [Line(f"{pad}{mark} {part.text}  → {result_word(part.result, part.error)}", tone)]
    for name, value in part.reads:
        lines.append(Line(f"{pad}      {name} = {value}", READ))
    for child in part.children:
        if part.kind == "and" and child.result is True:
            lines.append(Line(f"{pad}    ✓ {child.text}  → true", PASS))
            continue
        lines.extend(_part_lines(child, depth + 1))
    return lines


def _policy_lines(result: PolicyResult) -> list[Line]:
    kind = "permissive" if result.permissive else "restrictive"
    check = result.check
    head = (
        f"  {RESULT_MARK[check.result] if check.error is None else '!'} {kind} "
        f'"{result.name}" ({result.command}) for {result.requirement}: {check.clause} '
        f"on the {check.row} row → {result_word(check.result, check.error)}"
    )
    lines = [Line(head, _tone(check.result, check.error))]
    if check.result is not True:
        if check.failing is not None:
            lines.extend(_part_lines(check.failing, 2))
        else:
            lines.append(Line(f"        {check.expression}", READ))
    return lines


def command_parts(answer: CommandAccess) -> list[Line]:
    """One command's answer: the verdict, privilege, bypass, each policy and the failing
    branches, the proposed row."""
    verdict = PASS if answer.verdict == "allow" else FAIL
    lines = [Line(f"{answer.command}: {answer.verdict.upper()} — {answer.reason}", verdict)]
    lines.append(Line(f"  privilege: {'yes' if answer.privilege else 'no'}"))
    if answer.bypass is not None:
        lines.append(Line(f"  RLS: does not apply ({answer.bypass})"))
    for result in answer.policies:
        lines.extend(_policy_lines(result))
    if answer.proposed is not None:
        shown = ", ".join(f"{k}={_value_text(v)}" for k, v in answer.proposed.items())
        lines.append(Line(f"  proposed row: {shown}"))
    return lines


def command_lines(answer: CommandAccess) -> list[str]:
    return [line.text for line in command_parts(answer)]


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
