"""Find any object of a catalog by the name a user types: `table`, `schema.function`,
`function(integer, text)` for one overload, a type, sequence, extension or publication.

Names are matched as the catalog stores them (unquoted); a bare name is looked up in the
loaded schemas in order, as the rest of the catalog does. Argument types are compared the way
PostgreSQL identifies an overload: by the types of the input arguments only (OUT arguments
and argument names do not count), with the common aliases (`int`, `varchar`, `timestamptz`,
...) read as the names `format_type()` prints.
"""

from __future__ import annotations

import re

from ehgtui.catalog.model import (
    Catalog,
    DataType,
    Extension,
    Function,
    Publication,
    Sequence,
    Table,
)

Found = Table | Function | DataType | Sequence | Extension | Publication
"""Everything `find_object` returns."""

TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "float4": "real",
    "float": "double precision",
    "float8": "double precision",
    "bool": "boolean",
    "varchar": "character varying",
    "char": "character",
    "bpchar": "character",
    "decimal": "numeric",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
    "varbit": "bit varying",
}
"""Type names people type, as `format_type()` prints them."""

_ARGUMENT_MODES = ("IN ", "OUT ", "INOUT ", "VARIADIC ")


class ObjectLookupError(LookupError):  # noqa: N818 (the subclasses say what went wrong)
    """Base of the lookup failures: the message is one line for the user."""


class ObjectNotFound(ObjectLookupError):
    """No object of any kind has that name."""


class AmbiguousFunction(ObjectLookupError):
    """A bare function name matches several overloads."""


def _split_arguments(text: str) -> list[str]:
    """Top-level comma-separated parts (a comma inside parentheses or quotes stays)."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _normal_type(text: str, schemas: tuple[str, ...]) -> str:
    """A type as `format_type()` prints it from the loader's session: spaces collapsed,
    aliases spelled out, a loaded schema's prefix dropped, `pg_catalog.` dropped."""
    text = re.sub(r"\s+", " ", text.strip()).lower()
    text = re.sub(r"\s*\(\s*", "(", text)
    text = re.sub(r"\s*,\s*", ",", text)
    suffix = ""
    while text.endswith("[]"):
        text, suffix = text[:-2].rstrip(), suffix + "[]"
    base, typmod = (text.split("(", 1) + [""])[:2] if "(" in text else (text, "")
    for schema in ("pg_catalog", *schemas):
        if base.startswith(f"{schema.lower()}."):
            base = base[len(schema) + 1 :]
            break
    base = TYPE_ALIASES.get(base, base)
    return base + (f"({typmod}" if typmod else "") + suffix


def _input_arguments(function: Function) -> list[str]:
    """A function's input arguments as identity arguments print them (OUT ones left out)."""
    inputs = []
    for argument in _split_arguments(function.identity_arguments):
        mode = next((m for m in _ARGUMENT_MODES if argument.upper().startswith(m)), "")
        if mode == "OUT ":
            continue
        argument = argument[len(mode) :]
        if argument.upper().startswith("ORDER BY "):  # an ordered-set aggregate's
            argument = argument[len("ORDER BY ") :]
        inputs.append(argument)
    return inputs


def _readings(argument: str, schemas: tuple[str, ...]) -> set[str]:
    """What an identity argument's type may be: the whole text (`double precision`) or the
    text after its first word (`width integer`); a quoted first word is always a name."""
    if argument.startswith('"'):
        end = 1
        while True:
            end = argument.find('"', end)
            if end < 0 or argument[end + 1 : end + 2] != '"':
                break
            end += 2
        return {_normal_type(argument[end + 1 :], schemas)} if end > 0 else set()
    readings = {_normal_type(argument, schemas)}
    _, _, rest = argument.partition(" ")
    if rest:
        readings.add(_normal_type(rest, schemas))
    return readings


def _matches(function: Function, wanted: list[str], schemas: tuple[str, ...]) -> bool:
    """True when `wanted` (normalised types) are the function's input argument types."""
    inputs = _input_arguments(function)
    return len(inputs) == len(wanted) and all(
        w in _readings(a, schemas) for a, w in zip(inputs, wanted, strict=True)
    )


def _signature(text: str) -> tuple[str, list[str] | None]:
    """`name(a, b)` -> (`name`, [`a`, `b`]); a bare name -> (name, None)."""
    text = text.strip()
    if text.endswith(")") and "(" in text:
        name, arguments = text[:-1].split("(", 1)
        return name.strip(), _split_arguments(arguments)
    return text, None


def _unquoted(name: str) -> str:
    """`"Odd Schema"."Odd Function"` -> `Odd Schema.Odd Function`: the catalog's keys."""
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', name)
    return ".".join(quoted.replace('""', '"') if quoted else bare for quoted, bare in parts)


def describe_function(function: Function) -> str:
    """`schema.name(identity arguments)`, as the ambiguity message lists overloads."""
    return function.signature


def find_function(catalog: Catalog, text: str) -> Function | None:
    """A function by `name`, `schema.name`, or either with `(argument types)`.

    Raises:
        AmbiguousFunction: a name without arguments has several overloads.
    """
    name, arguments = _signature(text)
    candidates = catalog.find_functions(_unquoted(name))
    if not candidates:
        return None
    if arguments is None:
        if len(candidates) > 1:
            listed = ", ".join(describe_function(f) for f in candidates)
            raise AmbiguousFunction(
                f"{name!r} is overloaded: {listed}; name one with its argument types, "
                f"e.g. {name}({candidates[0].identity_arguments})"
            )
        return candidates[0]
    wanted = [_normal_type(a, catalog.schemas) for a in arguments]
    return next((f for f in candidates if _matches(f, wanted, catalog.schemas)), None)


def find_object(catalog: Catalog, text: str) -> Found:
    """The object called `text`: a relation, then a sequence, type, function, extension or
    publication (the first kind that has one).

    Raises:
        ObjectNotFound: nothing has that name.
        AmbiguousFunction: it names an overloaded function without its argument types.
    """
    name = _unquoted(text)
    if "(" not in text:
        found: Found | None = (
            catalog.table(name) or catalog.find_sequence(name) or catalog.find_type(name)
        )
        if found is not None:
            return found
    function = find_function(catalog, text)
    if function is not None:
        return function
    extension = next((e for e in catalog.extensions if e.name == name), None)
    if extension is not None:
        return extension
    publication = next((p for p in catalog.publications if p.name == name), None)
    if publication is not None:
        return publication
    raise ObjectNotFound(
        f"no table, view, function, type, sequence, extension or publication named {text!r} "
        f"in schema(s) {', '.join(catalog.schemas)}"
    )


def schema_of(text: str) -> str | None:
    """The schema a typed name qualifies (`auth.uid()` -> `auth`), or None for a bare name."""
    name, _ = _signature(text)
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', name)
    if len(parts) < 2:
        return None
    quoted, bare = parts[0]
    return quoted.replace('""', '"') if quoted else bare
