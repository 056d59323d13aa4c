"""The marker that makes a bulk write all or nothing across a crash.

pyoxigraph's bulk loader and bulk writer are several times faster than a
transaction but give no transactional guarantee: a process that dies halfway
leaves part of the data. krb uses them only for graphs that held nothing
before, so undoing means removing those graphs; this file lists them while the
write runs, and opening the store removes the graphs a leftover marker names
(krbgraph.store.embedded).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from .base import StoreError

__all__ = ["PENDING_LOAD_FILE", "PendingLoad"]

logger = logging.getLogger(__name__)

PENDING_LOAD_FILE = "krb-pending-load.json"
"""In the store folder while a bulk load runs: the graphs to remove if it never finishes."""


class PendingLoad:
    """The marker file that lists the graphs of a bulk load while it runs.

    Written (to a temporary name, synced, renamed) before the first file is
    loaded and removed when the load has finished or been undone, so its
    presence on open means the process died in between.
    """

    def __init__(self, path: Path):
        self.path = path

    def start(self, graphs: Iterable[str]) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                json.dump({"graphs": sorted(graphs)}, out)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(self.path)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def graphs(self) -> list[str]:
        """The graphs of an unfinished load; empty when there is none."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            graphs = json.loads(text)["graphs"]
            if not all(isinstance(iri, str) for iri in graphs):
                raise TypeError("graph IRIs must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"{self.path} lists the graphs of an interrupted load but cannot be read "
                f"({exc}); remove those graphs and the file by hand"
            ) from exc
        return list(graphs)

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)

    def undone(self, graphs: Iterable[str]) -> None:
        """Removes the marker of a load whose graphs were just removed, and says so: the
        next command (or `krb serve`, which took seconds longer to start) undid it in
        silence, and nobody knew to run the load again."""
        self.finish()
        names = ", ".join(f"<{iri}>" for iri in graphs)
        logger.warning(
            "let op: een onderbroken laadopdracht is ongedaan gemaakt; %s staat niet in de "
            "store, laad opnieuw\n  en: an interrupted load was undone; %s is not in the "
            "store, load it again",
            names,
            names,
        )
