"""Whose eyes rows are seen through: the connection's role, a Supabase role, or a user's JWT.

"View as" happens inside the row query's own read-only transaction: `SET LOCAL ROLE` and
`set_config(..., true)` of the claims PostgREST sets (`request.jwt.claims`, and the older
`request.jwt.claim.sub` / `request.jwt.claim.role`), so `auth.uid()`, `auth.role()` and
`auth.jwt()` answer as they would for that request. Everything ends with the rollback.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from ehgtui.db.pool import AnyConnection
from ehgtui.ddl.quote import quote_ident
from ehgtui.rows.errors import RoleError, first_line

ANON = "anon"
AUTHENTICATED = "authenticated"
SERVICE_ROLE = "service_role"
SUPABASE_ROLES = (ANON, AUTHENTICATED, SERVICE_ROLE)
"""The roles PostgREST switches to for Supabase's API keys and signed-in users."""

ME = "me"
"""The name a user types (`--as me`) for the connection's own role."""


@dataclass(frozen=True)
class ViewAs:
    """A request to see rows as someone: a role, optionally with a user's JWT claims.

    `role=None` (or `"me"`) is the connection's own role. A `user` (uuid or email) implies
    `authenticated` unless another role is given, as Supabase puts the user's role in the JWT.
    """

    role: str | None = None
    user: str | None = None

    @property
    def effective_role(self) -> str | None:
        """The role to switch to, or None to stay the connection's role."""
        if self.role in (None, "", ME):
            return AUTHENTICATED if self.user else None
        return self.role


@dataclass(frozen=True)
class AuthUser:
    """A row of `auth.users`, as much of it as goes into a JWT."""

    id: str
    email: str | None
    aud: str | None = None
    role: str | None = None
    app_metadata: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Viewer:
    """A resolved ViewAs: the role the query runs as and the claims it carries."""

    role: str
    """current_user while the query runs."""
    switched: bool
    """False when the rows are seen as the connection's own role (no SET ROLE)."""
    claims: dict[str, Any] | None
    """The JWT claims set for the transaction; None when none are set."""
    user: AuthUser | None = None

    @property
    def label(self) -> str:
        """Whose eyes these are, for a title or a header line."""
        if not self.switched:
            return f"{self.role} (the connection's role)"
        if self.user is not None:
            who = self.user.email or "no email"
            return f"{self.role} as user {who} ({self.user.id})"
        if self.claims and self.claims.get("sub"):
            return f"{self.role} as user {self.claims['sub']} (not in auth.users)"
        return self.role


def supabase_claims(role: str, user: AuthUser | None = None) -> dict[str, Any]:
    """Claims shaped like those Supabase Auth puts in its JWTs (minus times and signature)."""
    claims: dict[str, Any] = {"iss": "supabase", "role": role}
    if user is not None:
        claims.update(
            {
                "sub": user.id,
                "aud": user.aud or AUTHENTICATED,
                "email": user.email or "",
                "phone": "",
                "app_metadata": user.app_metadata,
                "user_metadata": user.user_metadata,
                "is_anonymous": False,
            }
        )
    return claims


def _parse_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


_USER_QUERY = """\
SELECT id::text AS id, email::text AS email, aud::text AS aud, role::text AS role,
       raw_app_meta_data::text AS app_metadata, raw_user_meta_data::text AS user_metadata
  FROM auth.users
 WHERE CASE WHEN $1::uuid IS NULL THEN lower(email) = lower($2::text) ELSE id = $1::uuid END
 LIMIT 1"""


def _user_from_record(record: asyncpg.Record) -> AuthUser:
    return AuthUser(
        id=record["id"],
        email=record["email"],
        aud=record["aud"],
        role=record["role"],
        app_metadata=_json_object(record["app_metadata"]),
        user_metadata=_json_object(record["user_metadata"]),
    )


async def find_user(conn: AnyConnection, uuid_or_email: str) -> AuthUser | None:
    """Look a user up in `auth.users` by uuid or (case-insensitive) email; None when absent."""
    user_id = _parse_uuid(uuid_or_email)
    try:
        record = await conn.fetchrow(_USER_QUERY, user_id, None if user_id else uuid_or_email)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return None
    except asyncpg.InsufficientPrivilegeError as exc:
        raise RoleError(f"cannot look up user {uuid_or_email!r}: {first_line(exc)}") from None
    return None if record is None else _user_from_record(record)


_USERS_QUERY = """\
SELECT id::text AS id, email::text AS email, aud::text AS aud, role::text AS role,
       raw_app_meta_data::text AS app_metadata, raw_user_meta_data::text AS user_metadata
  FROM auth.users
 ORDER BY email NULLS LAST, id
 LIMIT $1"""


async def list_users(conn: AnyConnection, limit: int = 200) -> list[AuthUser]:
    """The users a "view as" picker can offer, by email; empty when there is no `auth.users`."""
    try:
        records = await conn.fetch(_USERS_QUERY, limit)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return []
    return [_user_from_record(r) for r in records]


async def _user_for(conn: AnyConnection, uuid_or_email: str) -> AuthUser | None:
    """The user a `--user` value names: found, or (a bare uuid) accepted without a row."""
    found = await find_user(conn, uuid_or_email)
    if found is not None:
        return found
    if _parse_uuid(uuid_or_email) is None:
        raise RoleError(f"no user with email {uuid_or_email!r} in auth.users")
    return None


async def enter_view(conn: AnyConnection, view_as: ViewAs) -> Viewer:
    """Switch the current transaction to view_as; the rollback at its end undoes it all.

    Raises RoleError (one line) when the user is unknown or the role cannot be assumed.
    """
    role = view_as.effective_role
    if role is None:
        current = await conn.fetchval("SELECT current_user::text")
        return Viewer(role=current, switched=False, claims=None)
    user: AuthUser | None = None
    claims = supabase_claims(role)
    if view_as.user:
        user = await _user_for(conn, view_as.user)
        sub = user.id if user is not None else str(uuid.UUID(view_as.user))
        claims = supabase_claims(role, user) | {"sub": sub}
        if user is None:
            claims["aud"] = AUTHENTICATED
    await conn.fetchval(
        "SELECT set_config('request.jwt.claims', $1, true),"
        " set_config('request.jwt.claim.sub', $2, true),"
        " set_config('request.jwt.claim.role', $3, true)",
        json.dumps(claims, sort_keys=True),
        claims.get("sub", ""),
        role,
    )
    try:
        # SET takes no parameters; the role name goes in as a quoted identifier.
        await conn.execute(f"SET LOCAL ROLE {quote_ident(role)}")
    except (asyncpg.InsufficientPrivilegeError, asyncpg.InvalidParameterValueError) as exc:
        raise RoleError(f"cannot view as {role}: {first_line(exc)}") from None
    return Viewer(role=role, switched=True, claims=claims, user=user)


_ASSUMABLE_ROLES = """\
SELECT r.rolname::text
  FROM pg_catalog.pg_roles r
 WHERE r.rolname !~ '^pg_'
   AND (r.rolname = current_user OR pg_has_role(session_user, r.oid, 'MEMBER'))
 ORDER BY r.rolname"""


async def assumable_roles(conn: AnyConnection) -> list[str]:
    """Roles the session may SET ROLE to (for a picker): members' roles, or all for superusers."""
    return [r[0] for r in await conn.fetch(_ASSUMABLE_ROLES)]
