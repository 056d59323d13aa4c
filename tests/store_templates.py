"""Stores made once per test process and copied for every test that needs one.

Putting the model (the ontology, shapes, IMBOR and QUDT) into a new RocksDB store
takes the engine's bulk loader 1-2 s, the demo and its derived graph half a second
more, and about a hundred modules and tests each need a store of their own in one of
those states. A copy of the folder of a store made once is that same store (30 ms):
the product made it through the same calls, RocksDB keeps nothing of its path, and
every test writes only its own copy. The tests of making a store from nothing
(``krb load``, ensure_model, the backends, the command line) still make their own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

_made: dict[str, Path] = {}
_lock = threading.Lock()
_folder: Path | None = None


def copy_of(name: str, settings: Settings, build: Callable[[Store], None], target: Path) -> Path:
    """``target``, a new folder holding a copy of the store that ``build`` fills, made
    once per process under ``name`` with ``settings`` (their store folder aside)."""
    with _lock:
        template = _made.get(name)
        if template is None:
            template = _templates() / name
            with open_store(_at(settings, template)) as store:
                build(store)
            _made[name] = template
    shutil.copytree(template, target)
    return target


def _at(settings: Settings, folder: Path) -> Settings:
    return replace(settings, store=str(folder))


def _templates() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="krb-store-templates-"))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder
