"""Who may execute a function, and whether the API roles can call it as an RPC.

PostgREST serves a function of an exposed schema as `POST /rpc/name` to the roles it runs
requests as (`anon`, `authenticated`). They can call it when they hold EXECUTE: granted to
them, or to PUBLIC, which a function has by default (an empty ACL). The shown answer is what
the catalog says; whether the schema is exposed is the API's configuration (Supabase exposes
`public` unless told otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

from ehgtui.catalog.acl import parse_aclitem
from ehgtui.catalog.model import Function

API_ROLES = ("anon", "authenticated")
"""The roles PostgREST runs requests as."""

API_SCHEMAS = frozenset({"public", "graphql_public"})
"""The schemas Supabase exposes over the API by default."""


@dataclass(frozen=True)
class Executor:
    """A role that holds EXECUTE on a function."""

    grantee: str
    """A role name, or `PUBLIC`."""
    grantable: bool
    grantor: str


@dataclass(frozen=True)
class ApiCall:
    """Whether one API role can call the function, and through which grant."""

    role: str
    can_call: bool
    reason: str
    """e.g. `EXECUTE granted to PUBLIC (the default)`, `no EXECUTE for anon or PUBLIC`."""


def executors(function: Function) -> tuple[Executor, ...]:
    """The roles holding EXECUTE; an empty ACL means the defaults: the owner and PUBLIC."""
    if not function.acl:
        return (Executor(function.owner, False, function.owner), Executor("PUBLIC", False, ""))
    found: list[Executor] = []
    for acl in filter(None, map(parse_aclitem, function.acl)):
        for privilege, grantable in acl.privileges:
            if privilege == "EXECUTE":
                found.append(Executor(acl.grantee, grantable, acl.grantor))
    return tuple(found)


def is_trigger_function(function: Function) -> bool:
    """A trigger (or event trigger) function: it cannot be called directly."""
    return function.result in ("trigger", "event_trigger")


def api_calls(function: Function) -> tuple[ApiCall, ...]:
    """For `anon` and `authenticated`: whether the API can call this function as an RPC."""
    holders = {e.grantee: e for e in executors(function)}
    calls: list[ApiCall] = []
    for role in API_ROLES:
        if role in holders:
            grant = f"EXECUTE granted to {role}"
        elif "PUBLIC" in holders:
            grant = "EXECUTE through PUBLIC" + ("" if function.acl else " (the default)")
        else:
            calls.append(ApiCall(role, False, f"no EXECUTE for {role} or PUBLIC"))
            continue
        if function.kind != "function" or is_trigger_function(function):
            calls.append(ApiCall(role, False, f"{grant}, but a {_what(function)} is no RPC"))
        elif function.schema not in API_SCHEMAS:
            reason = f"{grant}; {function.schema} is not exposed by default"
            calls.append(ApiCall(role, False, reason))
        else:
            calls.append(ApiCall(role, True, grant))
    return tuple(calls)


def _what(function: Function) -> str:
    return "trigger function" if is_trigger_function(function) else function.kind
