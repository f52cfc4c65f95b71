"""libpq connection strings: `postgresql://` URLs and `keyword=value` pairs.

Read as libpq reads them (PostgreSQL's "Connection Strings"), so that whatever psql accepts
works here too, with two leniencies for what users paste: a password with a raw `@`, `/`, `?`,
`#`, space or `%` in a URL is taken as the password rather than cut short (the last `@` after
which a valid host list follows ends the user info), and a `%` not followed by two hex digits
is kept as it is.

Parsing records where the password's value sits in the text, so masking replaces that field
and nothing else. No message here quotes the text it could not read: a string that does not
parse may be a password pasted in the wrong place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

KEYWORDS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "require_auth",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "sslnegotiation",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslcertmode",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "gssdelegation",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
    }
)
"""The keywords libpq knows (PostgreSQL 18); a keyword DSN with any other is refused, as libpq
refuses it. URL query parameters outside this list are passed on as server settings, as
asyncpg has always done with them."""

SECRET_KEYWORDS = frozenset({"password", "sslpassword"})
"""Keywords whose values are masked wherever the DSN is shown."""

URL_PREFIXES = ("postgresql://", "postgres://")


class DsnError(ValueError):
    """The connection string is missing or malformed; the message never quotes it."""


@dataclass(frozen=True)
class Conninfo:
    """A parsed connection string: its parameters, and where its secrets are in the text."""

    text: str
    params: dict[str, str]
    """libpq keyword -> value (decoded); URL query parameters under their own names."""
    secret_spans: tuple[tuple[int, int], ...]
    """(start, end) of each secret value in `text`, quotes included."""

    @property
    def masked(self) -> str:
        """The text with every secret value replaced by `***`."""
        text = self.text
        for start, end in sorted(self.secret_spans, reverse=True):
            text = text[:start] + "***" + text[end:]
        return text


def is_url(text: str) -> bool:
    return text.lstrip().lower().startswith(URL_PREFIXES)


def looks_like_keywords(text: str) -> bool:
    """True when text starts like a libpq keyword/value string (`host=…`)."""
    return re.match(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*=", text) is not None


def parse(text: str) -> Conninfo:
    """Parse a URL or keyword/value connection string, or raise DsnError saying what is wrong."""
    if is_url(text):
        return _parse_url(text)
    scheme = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]{0,30})://", text)
    if scheme:
        raise DsnError(
            f"malformed DSN: a {scheme[1]}:// URL is not a PostgreSQL one "
            "(expected postgresql://user:password@host:port/dbname)"
        )
    if looks_like_keywords(text):
        return _parse_keywords(text)
    raise DsnError(
        "malformed DSN: it is neither a postgresql:// URL nor libpq keyword=value pairs "
        "(expected postgresql://user:password@host:port/dbname or host=… dbname=… user=…)"
    )


# --- keyword/value strings -------------------------------------------------------------------


def _parse_keywords(text: str) -> Conninfo:
    """libpq's conninfo_parse: `key = value` pairs; values single-quoted or bare, `\\` escapes."""
    params: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    pos, n, count = 0, len(text), 0
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            break
        count += 1
        key_start = pos
        while pos < n and not text[pos].isspace() and text[pos] != "=":
            pos += 1
        key = text[key_start:pos]
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n or text[pos] != "=":
            raise DsnError(
                f'malformed DSN: the {_ordinal(count)} keyword/value pair has no "=" '
                "(write keyword=value, quoting values that hold spaces: password='a b')"
            )
        pos += 1
        while pos < n and text[pos].isspace():
            pos += 1
        value_start = pos
        value, pos = _keyword_value(text, pos, count)
        if key not in KEYWORDS:
            raise DsnError(f"malformed DSN: {_name_for_message(key)} is not a libpq keyword")
        params[key] = value
        if key in SECRET_KEYWORDS:
            spans.append((value_start, pos))
    return Conninfo(text, params, tuple(spans))


def _keyword_value(text: str, pos: int, count: int) -> tuple[str, int]:
    """The value starting at pos (quoted or bare) and the position after it."""
    n = len(text)
    chars: list[str] = []
    if pos < n and text[pos] == "'":
        pos += 1
        while True:
            if pos >= n:
                raise DsnError(
                    f"malformed DSN: the {_ordinal(count)} value opens a quote that never "
                    "closes (inside quotes write \\' for a quote and \\\\ for a backslash)"
                )
            char = text[pos]
            if char == "\\" and pos + 1 < n:
                chars.append(text[pos + 1])
                pos += 2
            elif char == "'":
                return "".join(chars), pos + 1
            else:
                chars.append(char)
                pos += 1
    while pos < n and not text[pos].isspace():
        if text[pos] == "\\" and pos + 1 < n:
            chars.append(text[pos + 1])
            pos += 2
        else:
            chars.append(text[pos])
            pos += 1
    return "".join(chars), pos


def _ordinal(count: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(count % 10 if count % 100 not in (11, 12, 13) else 0)
    return f"{count}{suffix or 'th'}"


def _name_for_message(key: str) -> str:
    """A keyword to quote in a message, if it looks like one (it might be a stray secret)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", key):
        return repr(key)
    return "a keyword"


# --- URLs ------------------------------------------------------------------------------------

_HOST = r"(?:\[[0-9A-Fa-f:.%a-zA-Z]*\]|[^\s:/?#@,\[\]]*)"
_HOSTSPEC = re.compile(rf"{_HOST}(?::[0-9]*)?(?:,{_HOST}(?::[0-9]*)?)*")


def _parse_url(text: str) -> Conninfo:
    lead = len(text) - len(text.lstrip())
    body_start = text.index("://", lead) + 3
    body = text[body_start:]
    split = _split_authority(body)
    if split is None:
        raise DsnError(
            "malformed DSN: cannot tell the host and port from the rest of the URL "
            "(expected postgresql://user:password@host:port/dbname; "
            "a port must be a number)"
        )
    at, host_end = split
    params: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    if at is not None:
        user, colon, password = body[:at].partition(":")
        if user:
            params["user"] = unquote(user)
        if colon:
            params["password"] = unquote(password)
            start = body_start + len(user) + 1
            spans.append((start, body_start + at))
    _host_params(body[(at + 1 if at is not None else 0) : host_end], params)
    rest = body[host_end:]
    path, question, query = rest.partition("?")
    if path.startswith("/") and len(path) > 1:
        params["dbname"] = unquote(path[1:])
    if question:
        query_start = body_start + host_end + len(path) + 1
        _query_params(query, query_start, params, spans)
    return Conninfo(text, params, tuple(spans))


def _split_authority(body: str) -> tuple[int | None, int] | None:
    """(index of the `@` ending the user info or None, index where the host list ends).

    First as libpq reads it: the user info ends at the first `@` before any `/`. When that
    leaves no valid host list (a raw `@`, `/` or `:` in the password), each later `@` is tried
    in turn, provided the user name before it holds no `/` or `?`.
    """
    first = re.search(r"[@/]", body)
    candidates: list[int | None] = []
    if first is not None and body[first.start()] == "@":
        candidates.append(first.start())
    else:
        candidates.append(None)
    candidates += [m.start() for m in re.finditer("@", body) if m.start() not in candidates]
    for at in candidates:
        if at is not None and re.search(r"[/?]", body[:at].partition(":")[0]):
            continue
        host_start = 0 if at is None else at + 1
        host_end = host_start + len(re.match(r"[^/?]*", body[host_start:])[0])  # type: ignore[index]
        if _HOSTSPEC.fullmatch(body[host_start:host_end]):
            return at, host_end
    return None


def _host_params(hostspec: str, params: dict[str, str]) -> None:
    """`host1:port1,host2` -> host and port lists, as libpq's comma-separated forms."""
    if not hostspec:
        return
    hosts, ports = [], []
    for item in hostspec.split(","):
        if item.startswith("["):
            host, _, port = item[1:].partition("]")
            port = port.removeprefix(":")
        else:
            host, _, port = item.partition(":")
        hosts.append(unquote(host))
        ports.append(port)
    if any(hosts):
        params["host"] = ",".join(hosts)
    if any(ports):
        params["port"] = ",".join(ports)


def _query_params(
    query: str, offset: int, params: dict[str, str], spans: list[tuple[int, int]]
) -> None:
    pos = 0
    for count, item in enumerate(query.split("&"), start=1):
        start = offset + pos
        pos += len(item) + 1
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals:
            raise DsnError(
                f'malformed DSN: the {_ordinal(count)} query parameter has no "=" '
                "(write ?keyword=value&keyword=value)"
            )
        key = unquote(key)
        if key == "ssl" and value == "true":  # libpq accepts the JDBC spelling
            key, value = "sslmode", "require"
        params[key] = unquote(value)
        if key in SECRET_KEYWORDS:
            value_start = start + len(item) - len(value)
            spans.append((value_start, start + len(item)))
