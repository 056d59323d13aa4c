"""Whether a folder given as a store holds one, and what to say when it does not.

An Oxigraph store folder holds RocksDB's CURRENT file. A folder without it is a new
store to a command that writes (`krb load`, `krb serve`), but no store to one that
reads it (`krb validate --store`, `krb graphs`): read, an empty folder became a store
and a validation of nothing passed. A folder of other files (Turtle given as --store
where `krb load FOLDER` was meant) is refused by both.
"""

from __future__ import annotations

from pathlib import Path

from .base import StoreError


def _other_files(path: Path) -> list[str]:
    """The names in a folder that holds no store (no RocksDB CURRENT) besides what a new
    volume or a desktop puts in an empty folder (lost+found, .DS_Store, any hidden file)
    and krb's own markers (krb-pending-load.json)."""
    return sorted(
        child.name
        for child in path.iterdir()
        if not child.name.startswith((".", "krb-")) and child.name != "lost+found"
    )


def no_store_at(path: Path) -> str | None:
    """Why ``path`` holds no store, for a command that reads one: "" when nothing is
    there, " (an empty folder)" for a folder empty but for what does not count
    (_other_files). None when it holds one, or is a file or a folder of other files:
    opening says what is wrong with those (refuse_other_folder)."""
    if not path.exists():
        return ""
    if not path.is_dir() or (path / "CURRENT").exists() or _other_files(path):
        return None
    return " (an empty folder)"


def refuse_other_folder(path: Path) -> None:
    """StoreError for a folder that holds files but no store (no RocksDB CURRENT): a
    folder of Turtle files given as --store (for `krb load folder`) became a database,
    and a read answered from that empty store, exit 0 (_other_files: what does not
    count)."""
    if not path.is_dir() or (path / "CURRENT").exists():
        return
    held = _other_files(path)
    if held:
        raise StoreError(
            f"{path} is a folder that holds no store ({', '.join(held[:3])}"
            f"{', ...' if len(held) > 3 else ''}); give a "
            "new or empty folder as the store (--store, KRB_STORE), and files to load as "
            f"an argument: `krb load {path}`"
        )
