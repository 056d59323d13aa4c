"""The store the measurement-import tests write into: the demo registry without its
measurements (its data sources stay), in a closed folder the `krb` command can open.
Imported by test_metingen_graph_names, test_metingen_numbers_spaces,
test_metingen_import_ambiguity, test_metingen_excel and test_metingen_own_lists. The
store is a copy of one made once per test process (store_templates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_templates import copy_of

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store


def fill_with_policy(store: Store) -> None:
    """The model and the demo but its measurements (its data sources stay), loaded
    without validation."""
    ensure_model(store)
    paths = [p for p in demo_paths() if p.name != "metingen.ttl"]  # sources stay
    load_paths(store, paths, replace=True, validate=False)


def policy_store_folder(target: Path) -> Path:
    """``target``, a new closed store folder filled by ``fill_with_policy``: a copy of one
    made once per test process (store_templates)."""
    return copy_of("demo-without-measurements", Settings(), fill_with_policy, target)


def demo_store_folder(root: Path, *, validated: Path | None = None, base_iri: str = "") -> Path:
    """``root/db`` with the model and the demo but its measurements; ``validated``, a
    file loaded after them with validation (as imports validate) under ``base_iri``."""
    policy_store_folder(root / "db")
    if validated is not None:
        with open_store(Settings(store=str(root / "db"))) as handle:
            load_paths(handle, [validated], replace=True, base_iri=base_iri)
    return root / "db"


def graphs_in(folder: Path) -> set[str]:
    """The graphs of the closed store in ``folder``."""
    with open_store(Settings(store=str(folder))) as handle:
        return {info.iri for info in handle.graphs()}


@pytest.fixture()
def graphs_before(folder: Path) -> Iterator[set[str]]:
    """The graphs of the module's store ``folder`` before the test, checked unchanged
    after it (a refused import writes nothing). Import it into a module that has a
    ``folder`` fixture."""
    before = graphs_in(folder)
    yield before
    assert graphs_in(folder) == before  # nothing written
