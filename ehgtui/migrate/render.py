"""A migration as SQL text: one transaction, hazards in comments, held-back statements
commented out, what cannot run in a transaction after it, and the enum labels the
transaction uses before it."""

from __future__ import annotations

from ehgtui.migrate.plan import Migration, Phase, Statement

HOLD_BACK = "held back: it loses data; rerun with --allow-data-loss to include it"


def _commented(sql: str) -> str:
    return "\n".join(f"-- {line}" if line else "--" for line in sql.splitlines())


def _statement_text(statement: Statement, allow_data_loss: bool) -> str:
    lines = [f"-- hazard ({h.label}): {h.reason}" for h in statement.hazards]
    if statement.loses_data and not allow_data_loss:
        lines.append(f"-- {HOLD_BACK}")
        lines.append(_commented(statement.sql))
    else:
        lines.append(statement.sql)
    return "\n".join(lines)


def render_sql(migration: Migration, header: str, *, allow_data_loss: bool = False) -> str:
    """The migration file's text (empty when there is nothing to do)."""
    if migration.is_empty and not migration.notes:
        return ""
    parts = [f"-- {line}" for line in header.splitlines()]
    parts += [f"-- note: {note}" for note in migration.notes]
    text = "\n".join(parts) + "\n"
    before = [s for s in migration.statements if s.phase is Phase.BEFORE_TRANSACTION]
    inside = [s for s in migration.statements if not s.outside_transaction]
    after = [s for s in migration.statements if s.phase is Phase.AFTER_TRANSACTION]
    if before:
        body = "\n\n".join(_statement_text(s, allow_data_loss) for s in before)
        text += (
            "\n-- Before the transaction: a new enum label cannot be used in the transaction"
            " that adds it\n-- (IF NOT EXISTS: the file can run again if the transaction"
            " fails).\n\n" + body + "\n"
        )
    if inside:
        body = "\n\n".join(_statement_text(s, allow_data_loss) for s in inside)
        text += f"\nBEGIN;\n\n{body}\n\nCOMMIT;\n"
    if after:
        body = "\n\n".join(_statement_text(s, allow_data_loss) for s in after)
        text += "\n-- After the transaction: PostgreSQL refuses these inside one.\n\n" + body + "\n"
    return text


def hazard_summary(migration: Migration, *, allow_data_loss: bool = False) -> list[str]:
    """One line per hazard, most severe first (what `diff --sql` prints on stderr)."""
    lines = []
    for statement, hazard in migration.hazards:
        where = statement.target or statement.sql.splitlines()[0]
        held = " (held back)" if statement.loses_data and not allow_data_loss else ""
        lines.append(f"{hazard.label}: {where}: {hazard.reason}{held}")
    return lines
