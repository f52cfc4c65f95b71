"""Where the connection comes from, and how it is shown without its password.

Resolution order: an explicit DSN (`--dsn`), then `DATABASE_URL` in the environment, then
`DATABASE_URL` in a `.env` file in the current directory, then libpq's `PG*` variables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

SUPABASE_HOST_SUFFIXES = (".supabase.co", ".supabase.com", ".pooler.supabase.com")
"""Hosts for which TLS is required unless the DSN says otherwise."""

SUPABASE_POOLER_PORT = 6543
"""Supabase's pooler in transaction mode: no server-side prepared statements survive."""

DEFAULT_CONNECT_TIMEOUT_SECONDS = 10.0
"""How long a connection attempt may take before it is reported as a timeout."""

_PG_ENV_KEYS = ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD")


class DsnError(ValueError):
    """The connection string is missing or malformed."""


@dataclass(frozen=True)
class ConnectionTarget:
    """A resolved connection: the DSN to use and where it came from."""

    dsn: str
    """The full DSN, password included: never show it; show `masked` instead."""
    source: str
    """Where the DSN came from: `--dsn`, `DATABASE_URL`, `.env`, `PG* variables` or `demo`."""

    @property
    def masked(self) -> str:
        """The DSN with its password replaced by `***`."""
        return mask_dsn(self.dsn)

    @property
    def password(self) -> str | None:
        """The password, so that error messages can be scrubbed of it."""
        return dsn_password(self.dsn)

    @property
    def requires_tls(self) -> bool:
        """True when TLS must be used: Supabase hosts, unless `sslmode` says otherwise."""
        parts = urlsplit(self.dsn)
        params = dict(parse_qsl(parts.query))
        if "sslmode" in params:
            return params["sslmode"] in ("require", "verify-ca", "verify-full")
        host = (parts.hostname or "").lower()
        return host.endswith(SUPABASE_HOST_SUFFIXES)

    @property
    def connect_timeout(self) -> float | None:
        """libpq's `connect_timeout` query parameter, in seconds, when the DSN sets one."""
        try:
            value = dict(parse_qsl(urlsplit(self.dsn).query)).get("connect_timeout")
            return float(value) if value is not None and float(value) > 0 else None
        except ValueError:
            return None

    @property
    def driver_dsn(self) -> str:
        """The DSN for asyncpg: without `connect_timeout`, which it would send as a setting."""
        parts = urlsplit(self.dsn)
        params = parse_qsl(parts.query, keep_blank_values=True)
        if not any(key == "connect_timeout" for key, _ in params):
            return self.dsn
        query = urlencode([(k, v) for k, v in params if k != "connect_timeout"])
        return urlunsplit(parts._replace(query=query))

    @property
    def host(self) -> str:
        """The host name the DSN points at (`localhost` when it names none)."""
        try:
            return urlsplit(self.dsn).hostname or "localhost"
        except ValueError:
            return "localhost"

    @property
    def identity(self) -> str:
        """host:port/database as role: names the server without any secret."""
        parts = urlsplit(self.dsn)
        user = unquote(parts.username or "")
        host = parts.hostname or "localhost"
        port = parts.port or 5432
        database = unquote(parts.path.lstrip("/")) or user
        return f"{user}@{host}:{port}/{database}"


# Bounded repetitions keep matching linear on long lines (task output can be megabytes).
# The password may itself hold `@`: like urlsplit, the user info ends at the netloc's last `@`.
_PASSWORD_IN_URL = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]{0,30}://[^:/@\s]{0,256}:)(?P<pw>[^\s/?#]{0,512})(?P<at>@)"
)
_PASSWORD_IN_KV = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'[^']*'|[^\s&]+)", re.IGNORECASE)
_WHOLE_URL = re.compile(r"(?P<head>[a-z][a-z0-9+.-]{0,30}://)(?P<netloc>[^/?#]*)(?P<rest>.*)", re.S)


def _mask_whole_url(dsn: str) -> str:
    """Mask the password of a string that is one URL, even one with raw `@` or spaces in it."""
    match = _WHOLE_URL.fullmatch(dsn)
    if match is None:
        return dsn
    netloc = match["netloc"]
    userinfo, at, hostport = netloc.rpartition("@")
    if ":" in userinfo:
        netloc = f"{userinfo.partition(':')[0]}:***{at}{hostport}"
    rest = re.sub(r"([?&]password=)[^&#]*", r"\1***", match["rest"], flags=re.IGNORECASE)
    return f"{match['head']}{netloc}{rest}"


def mask_dsn(dsn: str) -> str:
    """Return dsn with any password (URL or key=value form, or query parameter) masked."""
    masked = _PASSWORD_IN_URL.sub(r"\g<head>***\g<at>", _mask_whole_url(dsn))
    masked = _PASSWORD_IN_KV.sub(r"\g<head>***", masked)
    return re.sub(r"([?&]password=)[^&\s]*", r"\1***", masked, flags=re.IGNORECASE)


def dsn_password(dsn: str) -> str | None:
    """Return the password a DSN carries, if any."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return None
    if parts.password:
        return unquote(parts.password)
    params = dict(parse_qsl(parts.query))
    return params.get("password") or None


def scrub(text: str, *secrets: str | None) -> str:
    """Return text with every given secret (and any DSN password in it) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
            quoted = quote(secret, safe="")
            if quoted != secret:
                text = text.replace(quoted, "***")
    return mask_dsn(text)


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _dsn_from_pg_env(env: Mapping[str, str]) -> str | None:
    if not any(key in env for key in _PG_ENV_KEYS):
        return None
    user = env.get("PGUSER", "")
    password = env.get("PGPASSWORD")
    host = env.get("PGHOST", "localhost")
    port = env.get("PGPORT", "5432")
    database = env.get("PGDATABASE", user)
    auth = quote(user, safe="")
    if password:
        auth += ":" + quote(password, safe="")
    netloc = f"{auth}@{host}:{port}" if auth else f"{host}:{port}"
    query = f"sslmode={env['PGSSLMODE']}" if env.get("PGSSLMODE") else ""
    return urlunsplit(("postgresql", netloc, "/" + quote(database, safe=""), query, ""))


def validate_dsn(dsn: str) -> None:
    """Raise DsnError unless dsn is a postgres URL asyncpg can parse."""
    try:
        parts = urlsplit(dsn)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise DsnError(f"malformed DSN {mask_dsn(dsn)}: {exc}") from None
    if parts.scheme not in ("postgres", "postgresql"):
        raise DsnError(
            f"malformed DSN {mask_dsn(dsn)}: expected postgresql://user:password@host:port/db"
        )


def resolve_target(
    dsn: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ConnectionTarget:
    """Find the DSN to use, in the documented order, or raise DsnError."""
    env = os.environ if env is None else env
    if dsn:
        target = ConnectionTarget(dsn, "--dsn")
    elif env.get("DATABASE_URL"):
        target = ConnectionTarget(env["DATABASE_URL"], "DATABASE_URL")
    elif dotenv_dsn := _read_dotenv((cwd or Path.cwd()) / ".env").get("DATABASE_URL"):
        target = ConnectionTarget(dotenv_dsn, ".env")
    elif pg_dsn := _dsn_from_pg_env(env):
        target = ConnectionTarget(pg_dsn, "PG* variables")
    else:
        raise DsnError(
            "no database given: pass --dsn, set DATABASE_URL (or put it in .env), "
            "or try the embedded demo with --demo"
        )
    validate_dsn(target.dsn)
    return target
