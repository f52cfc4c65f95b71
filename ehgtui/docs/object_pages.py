"""One Markdown page per function and per type: what the explorer's tabs show, on paper.

A function's page: signature, flags (SECURITY DEFINER and a mutable search_path said in
words), who may EXECUTE it and whether the API roles can call it, what uses it as the server
records it, and its definition. A type's page: its labels or definition and what uses it.
"""

from __future__ import annotations

import hashlib
import re

from ehgtui.catalog.function_access import api_calls, executors
from ehgtui.catalog.model import Catalog, DataType, Function, ObjectUse
from ehgtui.catalog.objects import USES_NOT_RECORDED
from ehgtui.docs.markdown import cell, code, table

FUNCTIONS_DIR = "functions"
TYPES_DIR = "types"
"""Where the function and type pages go, relative to the output directory."""

_UNSAFE = re.compile(r"[^\w.\-]")


def _stem(primary: str, schema: str, name: str) -> str:
    return _UNSAFE.sub("_", name if schema == primary else f"{schema}.{name}")


def function_page_name(catalog: Catalog, function: Function) -> str:
    """`functions/<name>.md`; an overloaded name adds a short hash of its argument types, so
    each overload keeps its page whatever the others do."""
    primary = catalog.schemas[0] if catalog.schemas else "public"
    stem = _stem(primary, function.schema, function.name)
    if len(catalog.functions_by_name.get(function.qualified_name, ())) > 1:
        digest = hashlib.sha1(function.identity_arguments.encode(), usedforsecurity=False)
        stem += f"-{digest.hexdigest()[:8]}"
    return f"{FUNCTIONS_DIR}/{stem}.md"


def type_page_name(catalog: Catalog, data_type: DataType) -> str:
    """`types/<name>.md` (`<schema>.<name>` outside the first schema)."""
    primary = catalog.schemas[0] if catalog.schemas else "public"
    return f"{TYPES_DIR}/{_stem(primary, data_type.schema, data_type.name)}.md"


def function_flags(function: Function) -> list[str]:
    """The flags in words, the ones that matter for safety first."""
    flags: list[str] = []
    if function.security_definer:
        flags.append("**SECURITY DEFINER**")
    if function.search_path is None:
        mutable = "**search_path not set** (mutable: runs with the caller's)"
        flags.append(mutable if function.security_definer else "search_path not set (mutable)")
    else:
        flags.append(f"SET search_path = {code(function.search_path)}")
    flags += [function.volatility, f"PARALLEL {function.parallel}"]
    flags += ["STRICT"] * function.strict + ["LEAKPROOF"] * function.leakproof
    flags += [f"SET {code(c)}" for c in function.config if not c.startswith("search_path=")]
    return flags


def _uses(uses: tuple[ObjectUse, ...]) -> str:
    rows = [
        [u.kind, code(f"{u.schema}.{u.relation}"), code(u.name)]
        for u in sorted(uses, key=lambda u: (u.kind, u.schema, u.relation, u.name or ""))
    ]
    return table(["Kind", "Where", "Name"], rows)


def render_function_page(function: Function, group: str, index_link: str) -> str:
    """The page of one function, procedure or aggregate."""
    lines = [
        f"# {function.name}({function.identity_arguments})",
        "",
        f"[← index]({index_link})",
        "",
        f"- **Signature**: {code(function.signature)}",
        f"- **Kind**: {function.kind} · **Language**: {function.language}",
        f"- **Returns**: {code(function.result) or 'nothing (procedure)'}",
        f"- **Group**: {group}",
        f"- **Owner**: {code(function.owner)}",
        f"- **Flags**: {' · '.join(function_flags(function))}",
    ]
    if function.comment:
        lines += ["", *(f"> {line}" for line in function.comment.splitlines())]
    calls = [
        [c.role, "**yes**" if c.can_call else "no", cell(c.reason)] for c in api_calls(function)
    ]
    grants = [
        [code(e.grantee), "yes" if e.grantable else "", code(e.grantor)]
        for e in executors(function)
    ]
    lines += [
        "",
        "## Over the API",
        "",
        table(["Role", "Can call as RPC", "Why"], calls),
        "",
        "## EXECUTE" + (" (the default ACL)" if not function.acl else ""),
        "",
        table(["Grantee", "Grantable", "Grantor"], grants),
        "",
        f"## Used by ({len(function.used_by)})",
        "",
        USES_NOT_RECORDED,
    ]
    if function.used_by:
        lines += ["", _uses(function.used_by)]
    lines += ["", "## Definition", "", "```sql", function.definition.strip(), "```"]
    return "\n".join(lines) + "\n"


def type_definition(data_type: DataType) -> str:
    """One line: an enum's labels, a domain's base type, a composite's attributes, a range's
    subtype."""
    if data_type.kind == "enum":
        return ", ".join(code(label) for label in data_type.labels)
    if data_type.kind == "domain":
        return f"over {code(data_type.base_type)}"
    if data_type.kind == "composite":
        return ", ".join(f"{code(a.name)} {code(a.data_type)}" for a in data_type.attributes)
    return f"range of {code(data_type.subtype)}"


def render_type_page(data_type: DataType, index_link: str) -> str:
    """The page of one enum, domain, composite or range type."""
    lines = [
        f"# {data_type.name}",
        "",
        f"[← index]({index_link})",
        "",
        f"- **Schema**: {code(data_type.schema)}",
        f"- **Kind**: {data_type.kind}",
        f"- **Owner**: {code(data_type.owner)}",
    ]
    if data_type.comment:
        lines += ["", *(f"> {line}" for line in data_type.comment.splitlines())]
    lines += ["", "## Definition", ""]
    if data_type.kind == "enum":
        rows = [[str(n), code(label)] for n, label in enumerate(data_type.labels, 1)]
        lines.append(table(["#", "Label (in sort order)"], rows, [0]))
    elif data_type.kind == "composite":
        rows = [[code(a.name), code(a.data_type), code(a.collation)] for a in data_type.attributes]
        lines.append(table(["Attribute", "Type", "Collation"], rows))
    elif data_type.kind == "domain":
        lines += [
            f"- **Base type**: {code(data_type.base_type)}",
            f"- **Default**: {code(data_type.default) or 'none'}",
            f"- **NOT NULL**: {'yes' if data_type.not_null else 'no'}",
        ]
        if data_type.constraints:
            rows = [
                [code(c.name), code(c.definition), "" if c.validated else "NOT VALID"]
                for c in data_type.constraints
            ]
            lines += ["", table(["Constraint", "Definition", "Note"], rows)]
    else:
        lines.append(f"- **Subtype**: {code(data_type.subtype)}")
    lines += ["", f"## Used by ({len(data_type.used_by)})"]
    if data_type.used_by:
        lines += ["", _uses(data_type.used_by)]
    return "\n".join(lines) + "\n"
