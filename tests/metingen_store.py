"""The store the measurement-import tests write into: the demo registry without its
measurements (its data sources stay), in a closed folder the `krb` command can open.
Imported by test_metingen_graph_names, test_metingen_numbers_spaces and
test_metingen_import_ambiguity."""

from __future__ import annotations

from pathlib import Path

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store


def demo_store_folder(root: Path, *, validated: Path | None = None, base_iri: str = "") -> Path:
    """``root/db`` with the model and the demo but its measurements; ``validated``, a
    file loaded after them with validation (as imports validate) under ``base_iri``."""
    with open_store(Settings(store=str(root / "db"))) as handle:
        ensure_model(handle)
        paths = [p for p in demo_paths() if p.name != "metingen.ttl"]  # sources stay
        load_paths(handle, paths, replace=True, validate=False)
        if validated is not None:
            load_paths(handle, [validated], replace=True, base_iri=base_iri)
    return root / "db"
