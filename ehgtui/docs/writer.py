"""Writing the documentation tree: only files whose content changed, stale pages removed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ehgtui.docs.render import PAGE_DIRS


class DocsWriteError(OSError):
    """The output directory could not be written; the message is one line."""


@dataclass(frozen=True)
class DocsWriteReport:
    """What a write did, as paths relative to the output directory."""

    written: tuple[str, ...]
    """New or changed files."""
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    """Pages under tables/, functions/ or types/ of objects that no longer exist."""


def write_docs(outdir: Path, files: dict[str, str]) -> DocsWriteReport:
    """Write files under outdir, comparing content first; remove stale pages (PAGE_DIRS)."""
    written: list[str] = []
    unchanged: list[str] = []
    try:
        for relative, text in files.items():
            path = outdir / relative
            data = text.encode("utf-8")
            if path.is_file() and path.read_bytes() == data:
                unchanged.append(relative)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
            written.append(relative)
        removed = _remove_stale(outdir, set(files))
    except OSError as exc:
        raise DocsWriteError(f"cannot write docs to {outdir}: {exc.strerror or exc}") from None
    return DocsWriteReport(tuple(written), tuple(unchanged), tuple(removed))


def _remove_stale(outdir: Path, keep: set[str]) -> list[str]:
    removed = []
    for directory in PAGE_DIRS:
        pages = outdir / directory
        if not pages.is_dir():
            continue
        for page in sorted(pages.glob("*.md")):
            relative = f"{directory}/{page.name}"
            if relative not in keep:
                page.unlink()
                removed.append(relative)
    return removed
