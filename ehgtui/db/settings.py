"""Where the connection comes from, what it resolves to, and how it is shown without secrets.

Resolution order: an explicit DSN (`--dsn`), then `DATABASE_URL` in the environment, then
`DATABASE_URL` in a `.env` file in the current directory, then libpq's `PG*` variables alone.
Any of these may be a `postgresql://` URL or a libpq keyword/value string. As in libpq, what
the DSN leaves unset comes from its service (`service=`, else `PGSERVICE`, looked up in
`PGSERVICEFILE` or `~/.pg_service.conf`, then `PGSYSCONFDIR/pg_service.conf`), then from the
`PG*` variables, then from the defaults.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from ehgtui.db import conninfo
from ehgtui.db.conninfo import DsnError

__all__ = [
    "DEFAULT_COMMAND_TIMEOUT_SECONDS",
    "DEFAULT_CONNECT_TIMEOUT_SECONDS",
    "SUPABASE_HOST_SUFFIXES",
    "SUPABASE_POOLER_PORT",
    "ConnectionTarget",
    "DsnError",
    "mask_dsn",
    "resolve_parameters",
    "resolve_target",
    "scrub",
]

SUPABASE_HOST_SUFFIXES = (".supabase.co", ".supabase.com", ".pooler.supabase.com")
"""Hosts for which TLS is required unless the DSN says otherwise."""

SUPABASE_POOLER_PORT = 6543
"""Supabase's pooler in transaction mode: no server-side prepared statements survive."""

DEFAULT_CONNECT_TIMEOUT_SECONDS = 10.0
"""How long a connection attempt may take before it is reported as a timeout."""

DEFAULT_COMMAND_TIMEOUT_SECONDS = 30.0
"""How long one statement may wait for the server's answer once connected (`--timeout`).

Without a bound, a server that stops answering (a stalled proxy or VPN, a frozen host) holds
every command until the network gives up, minutes later; a catalog load takes well under a
second, so 30 s only ever cuts off a server that is not answering."""

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
"""libpq's sslmodes, weakest first."""

PG_VARIABLES = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "client_encoding": "PGCLIENTENCODING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "krbsrvname": "PGKRBSRVNAME",
    "gsslib": "PGGSSLIB",
}
"""libpq's environment variable for each keyword (the ones ehgtui honours)."""

_TARGET_VARIABLES = (
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGSERVICE",
)
"""Variables that, set without any DSN, name a database to connect to."""

SYSTEM_SERVICE_DIRS = ("/etc/postgresql-common", "/etc")
"""Where libpq's builds usually look for pg_service.conf when PGSYSCONFDIR is unset."""


def _service_files(env: Mapping[str, str]) -> list[Path]:
    user_file = env.get("PGSERVICEFILE")
    files = [Path(user_file) if user_file else _home(env) / ".pg_service.conf"]
    sysconf = env.get("PGSYSCONFDIR")
    dirs = [sysconf] if sysconf else list(SYSTEM_SERVICE_DIRS)
    files += [Path(d) / "pg_service.conf" for d in dirs]
    return files


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def read_service(name: str, env: Mapping[str, str]) -> dict[str, str]:
    """The parameters of service `name`: from the first service file that defines it.

    Raises:
        DsnError: no file defines it, or the defining file is malformed.
    """
    files = _service_files(env)
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        found = _service_section(text, name, path)
        if found is not None:
            return found
    where = " or ".join(str(p) for p in files)
    raise DsnError(f"service {name!r} is not defined in {where} (PGSERVICEFILE names the file)")


def _service_section(text: str, name: str, path: Path) -> dict[str, str] | None:
    """libpq's parseServiceFile: `[name]` groups of `keyword=value` lines, `#` comments."""
    section: str | None = None
    found: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if found is not None:
                return found
            section = line[1:].partition("]")[0]
            if section == name:
                found = {}
            continue
        if found is None:
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or key not in conninfo.KEYWORDS:
            raise DsnError(f"syntax error in service file {path}, line {number}")
        if key == "service":
            raise DsnError(f"nested service specifications are not supported in {path}")
        found.setdefault(key, value.strip())
    return found


def resolve_parameters(explicit: Mapping[str, str], env: Mapping[str, str]) -> dict[str, str]:
    """What libpq would connect with: the DSN's own values, then its service's, then PG*'s."""
    params = {k: v for k, v in explicit.items() if v != "" or k == "password"}
    service = params.get("service") or env.get("PGSERVICE")
    if service:
        for key, value in read_service(service, env).items():
            params.setdefault(key, value)
    for key, variable in PG_VARIABLES.items():
        from_env = env.get(variable)
        if key not in params and from_env:
            params[key] = from_env
    mode = params.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise DsnError(f"sslmode {mode!r} is not one of {', '.join(SSL_MODES)}")
    return params


@dataclass(frozen=True)
class ConnectionTarget:
    """A resolved connection: the DSN as given, where it came from, and what it resolves to."""

    dsn: str = field(repr=False)
    """The DSN as given, password included: never show it; show `masked` instead. Empty when
    the connection comes from the PG* variables alone."""
    source: str
    """Where the DSN came from: `--dsn`, `DATABASE_URL`, `.env`, `PG* variables` or `demo`."""
    resolved: Mapping[str, str] | None = field(default=None, repr=False, compare=False)
    """The parameters `resolve_target` found (None: resolve from the DSN and os.environ)."""

    @cached_property
    def settings(self) -> Mapping[str, str]:
        """Every libpq parameter of the connection: DSN, then service file, then PG* values."""
        if self.resolved is not None:
            return self.resolved
        explicit = conninfo.parse(self.dsn).params if self.dsn else {}
        return resolve_parameters(explicit, os.environ)

    @property
    def masked(self) -> str:
        """The DSN with its password field replaced by `***` (without it, when none given)."""
        if self.dsn:
            try:
                return conninfo.parse(self.dsn).masked
            except DsnError:
                return "(unreadable DSN)"
        return f"postgresql://{quote(self.user, safe='')}@{self._host_port}/{quote(self.database)}"

    @property
    def password(self) -> str | None:
        """The password, so that error messages and task output can be scrubbed of it."""
        return self.settings.get("password") or None

    @property
    def sslmode(self) -> str:
        """The effective sslmode: the DSN's, service's or PGSSLMODE; else `require` for
        Supabase hosts and libpq's `prefer` for all others."""
        mode = self.settings.get("sslmode")
        if mode:
            return mode
        return "require" if self.host.lower().endswith(SUPABASE_HOST_SUFFIXES) else "prefer"

    @property
    def requires_tls(self) -> bool:
        """True when the connection fails rather than go without TLS."""
        return self.sslmode in ("require", "verify-ca", "verify-full")

    @property
    def connect_timeout(self) -> float | None:
        """libpq's `connect_timeout` (or PGCONNECT_TIMEOUT), in seconds, when one is set."""
        try:
            value = float(self.settings.get("connect_timeout", ""))
        except ValueError:
            return None
        return max(value, 2.0) if value > 0 else None  # libpq rounds 1 s up to 2 s

    @property
    def hosts(self) -> list[str]:
        """The host list (`host=a,b`); empty when none is given (libpq's default applies)."""
        hosts = self.settings.get("host") or self.settings.get("hostaddr") or ""
        return [h for h in hosts.split(",") if h] if hosts else []

    @property
    def ports(self) -> list[int]:
        """One port per host (a single port applies to every host)."""
        spec = [p.strip() for p in self.settings.get("port", "").split(",")]
        count = max(len(self.hosts), 1)
        if len(spec) == 1:
            spec = spec * count
        ports = []
        for item in spec:
            if item and not item.isdigit():
                raise DsnError("malformed DSN: the port is not a number")
            ports.append(int(item) if item else 5432)
        return ports

    @property
    def host(self) -> str:
        """The first host name the connection points at (`localhost` when it names none)."""
        return self.hosts[0] if self.hosts else "localhost"

    @property
    def user(self) -> str:
        """The role to log in as: libpq's default is the operating system's user name."""
        return self.settings.get("user") or getpass.getuser()

    @property
    def database(self) -> str:
        return self.settings.get("dbname") or self.user

    @property
    def _host_port(self) -> str:
        try:
            port = self.ports[0]
        except DsnError:
            port = 5432
        return f"{self.host}:{port}"

    @property
    def identity(self) -> str:
        """host:port/database as role: names the server without any secret."""
        return f"{self.user}@{self._host_port}/{self.database}"


# --- masking text that may hold a DSN --------------------------------------------------------

# Bounded repetitions keep matching linear on long lines (task output can be megabytes).
# The password may itself hold `@`: like urlsplit, the user info ends at the netloc's last `@`.
_PASSWORD_IN_URL = re.compile(
    r"(?P<head>\b[a-z][a-z0-9+.-]{0,30}://[^:/@\s]{0,256}:)(?P<pw>[^\s/?#]{0,512})(?P<at>@)"
)
_PASSWORD_IN_KV = re.compile(
    r"(?P<head>(?<![?&])\b(?:ssl)?password\s*=\s*)(?P<pw>'(?:[^'\\]|\\.){0,512}'?|(?:[^\s&\\]|\\.){1,512})",
    re.IGNORECASE,
)
_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s]{0,512})", re.IGNORECASE)


def _mask_query_password(match: re.Match[str]) -> str:
    """`?password=***`, keeping a `)` that closes a parenthesis opened before the DSN."""
    value = match["pw"]
    before = match.string[: match.start()]
    closing = ")" if value.endswith(")") and before.count("(") > before.count(")") else ""
    return f"{match['head']}***{closing}"


def mask_dsn(text: str) -> str:
    """Return text with every password masked: exactly by field when text is one DSN, by
    pattern (URL user info, `password=` pairs and query parameters) in any other text."""
    if conninfo.is_url(text) or conninfo.looks_like_keywords(text):
        try:
            return conninfo.parse(text).masked
        except DsnError:
            pass
    masked = _PASSWORD_IN_URL.sub(r"\g<head>***\g<at>", text)
    masked = _PASSWORD_IN_KV.sub(r"\g<head>***", masked)
    return _PASSWORD_IN_QUERY.sub(_mask_query_password, masked)


SHORT_SECRET_LENGTH = 6
"""Secrets shorter than this are masked only where they stand alone (not inside a word):
the password `s` must not turn `host` into `ho***t`."""


def scrub(text: str, *secrets: str | None) -> str:
    """Return text with every given secret (plain or percent-encoded) and DSN password masked."""
    for secret in secrets:
        if not secret:
            continue
        for needle in {secret, quote(secret, safe="")}:
            if len(needle) >= SHORT_SECRET_LENGTH:
                text = text.replace(needle, "***")
            else:
                text = re.sub(rf"(?<![\w]){re.escape(needle)}(?![\w])", "***", text)
    return mask_dsn(text)


# --- resolution ------------------------------------------------------------------------------


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def resolve_target(
    dsn: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ConnectionTarget:
    """Find the DSN to use, in the documented order, and resolve it; or raise DsnError."""
    env = os.environ if env is None else env
    if dsn:
        text, source = dsn, "--dsn"
    elif env.get("DATABASE_URL"):
        text, source = env["DATABASE_URL"], "DATABASE_URL"
    elif dotenv_dsn := _read_dotenv((cwd or Path.cwd()) / ".env").get("DATABASE_URL"):
        text, source = dotenv_dsn, ".env"
    elif any(env.get(key) for key in _TARGET_VARIABLES):
        text, source = "", "PG* variables"
    else:
        raise DsnError(
            "no database given: pass --dsn, set DATABASE_URL (or put it in .env), "
            "set PGHOST/PGDATABASE or PGSERVICE, or try the embedded demo with --demo"
        )
    try:
        explicit = conninfo.parse(text).params if text else {}
        target = ConnectionTarget(text, source, resolve_parameters(explicit, env))
        _ = target.ports  # a bad port is a malformed DSN, said now
    except DsnError as exc:
        raise DsnError(f"{exc} (from {source})") from None
    return target
