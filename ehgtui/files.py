"""Writing a file whole or not at all: what every file ehgtui keeps (cache, config, copies,
snapshots) is written through."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_TEMPORARY = ".tmp"
"""The ending of `write_atomically`'s temporary files: `.NAME.RANDOM.tmp` beside NAME."""


def write_atomically(path: Path, data: bytes, *, mode: int = 0o600, sync: bool = False) -> None:
    """Write `data` to `path` through a temporary file in the same directory and a rename.

    A crash, a full disk or a reader at the wrong moment never sees half a file: the old one
    stays until the new one is complete. The directory must exist.

    Args:
        path: The file to write (replaced if it exists).
        data: Its whole content.
        mode: Its permissions: private to the user unless said otherwise (set on the open
            file, so that no other user can open it in between, whatever the umask).
        sync: Flush it to the disk before the rename, for files that must survive a power
            cut (the user's config, the catalog cache).

    Raises:
        OSError: It could not be written; the temporary file is removed.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TEMPORARY, dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def left_for(path: Path) -> str | None:
    """The name of the file `path` was a temporary for, if it is one `write_atomically` left
    (a crash mid-write); else None."""
    name = path.name
    if not (name.startswith(".") and name.endswith(_TEMPORARY)):
        return None
    target, dot, _random = name[1 : -len(_TEMPORARY)].rpartition(".")
    return target if dot and target else None
