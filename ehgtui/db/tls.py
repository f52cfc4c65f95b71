"""The TLS side of a connection, as libpq's sslmode and ssl* parameters define it.

`disable` sends no TLS request. `allow` and `prefer` are left to asyncpg, which implements
libpq's fallbacks (plain first or TLS first) and verifies nothing, as libpq does. For
`require`, `verify-ca` and `verify-full` the SSLContext is built here, following libpq:

- the root certificate is `sslrootcert`, else `PGSSLROOTCERT`, else `~/.postgresql/root.crt`;
  `sslrootcert=system` means the system's trusted roots and demands `verify-full`;
- `require` verifies the chain when that file exists (as libpq does) and nothing otherwise;
  `verify-ca` and `verify-full` fail when it does not exist;
- `verify-full` also checks that the certificate names the host;
- a client certificate (`sslcert`, else `~/.postgresql/postgresql.crt`) is sent when its file
  exists, with its key (`sslkey`, else `~/.postgresql/postgresql.key`, unlocked by
  `sslpassword`); a CRL (`sslcrl`, else `~/.postgresql/root.crl`) is checked when present.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

VERIFYING_MODES = ("verify-ca", "verify-full")

_TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


class TlsSetupError(ValueError):
    """The TLS settings cannot be honoured (a missing root certificate, an unreadable key)."""


def postgresql_dir() -> Path:
    """libpq's per-user directory for certificates: ~/.postgresql."""
    return Path.home() / ".postgresql"


def driver_arguments(mode: str, settings: Mapping[str, str]) -> dict[str, object]:
    """asyncpg.connect's `ssl` (or, for allow/prefer, `dsn`) argument for this sslmode."""
    if mode == "disable":
        return {"ssl": False}
    if mode in ("allow", "prefer"):
        # asyncpg keeps libpq's fallback only for an sslmode it reads itself
        keys = ("sslcert", "sslkey", "sslpassword")
        query = urlencode({"sslmode": mode} | {k: settings[k] for k in keys if k in settings})
        return {"dsn": f"postgresql://?{query}"}
    return {"ssl": build_context(mode, settings)}


def build_context(mode: str, settings: Mapping[str, str]) -> ssl.SSLContext:
    """An SSLContext that checks what `mode` (require or stronger) promises.

    Raises:
        TlsSetupError: with one line saying which file is missing or unreadable.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = mode == "verify-full"
    _protocol_versions(context, settings)
    root = settings.get("sslrootcert") or str(postgresql_dir() / "root.crt")
    if root == "system":
        if mode != "verify-full":
            raise TlsSetupError(
                f'sslmode={mode} may not be used with sslrootcert=system (use "verify-full")'
            )
        context.load_default_certs()
        context.verify_mode = ssl.CERT_REQUIRED
    elif Path(root).is_file():
        _load(context.load_verify_locations, "root certificate", root, cafile=root)
        context.verify_mode = ssl.CERT_REQUIRED
        _load_crl(context, settings)
    elif mode in VERIFYING_MODES:
        raise TlsSetupError(
            f'root certificate file "{root}" does not exist: sslmode={mode} checks the '
            "server's certificate against it (give sslrootcert=FILE or sslrootcert=system, "
            "or use sslmode=require)"
        )
    else:
        context.verify_mode = ssl.CERT_NONE
    _load_client_certificate(context, settings)
    return context


def _protocol_versions(context: ssl.SSLContext, settings: Mapping[str, str]) -> None:
    for key, default in (("ssl_min_protocol_version", "TLSv1.2"), ("ssl_max_protocol_version", "")):
        name = settings.get(key) or default
        if not name:
            continue
        if name not in _TLS_VERSIONS:
            raise TlsSetupError(f"{key} must be one of {', '.join(_TLS_VERSIONS)}")
        if key.startswith("ssl_min"):
            context.minimum_version = _TLS_VERSIONS[name]
        else:
            context.maximum_version = _TLS_VERSIONS[name]


def _load_crl(context: ssl.SSLContext, settings: Mapping[str, str]) -> None:
    crl = settings.get("sslcrl") or str(postgresql_dir() / "root.crl")
    if Path(crl).is_file():
        _load(context.load_verify_locations, "certificate revocation list", crl, cafile=crl)
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN


def _load_client_certificate(context: ssl.SSLContext, settings: Mapping[str, str]) -> None:
    cert = settings.get("sslcert") or str(postgresql_dir() / "postgresql.crt")
    if not Path(cert).is_file():
        return
    key = settings.get("sslkey") or str(postgresql_dir() / "postgresql.key")
    if not Path(key).is_file():
        raise TlsSetupError(f'certificate present, but not private key file "{key}"')
    password = settings.get("sslpassword", "")
    _load(
        context.load_cert_chain,
        "client certificate",
        cert,
        certfile=cert,
        keyfile=key,
        password=lambda: password,  # never a prompt on the terminal for an encrypted key
    )


def _load(loader: object, what: str, path: str, **kwargs: object) -> None:
    try:
        loader(**kwargs)  # type: ignore[operator]
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
        raise TlsSetupError(f'could not load {what} file "{path}": {reason}') from None
