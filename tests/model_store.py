"""An embedded store with the model, built once per test process and copied for each test.

Loading the model takes about a second; copying the folder of a store that
holds it is much faster, and every test still gets a store of its own.

Usage in a test module::

    from model_store import model_template_fixture

    model_template = model_template_fixture()   # a module-scoped fixture

    def test_something(tmp_path, model_template) -> None:
        shutil.copytree(model_template, tmp_path / "store")
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from store_templates import copy_of

from krbgraph.settings import Settings
from krbgraph.store import ensure_model


def model_template_fixture(scope: Any = "module") -> Callable[..., Any]:
    """A fixture ``model_template``: the folder of a closed store holding the model.

    Assign the result to a module-level name ``model_template`` so pytest finds it.
    """

    @pytest.fixture(scope=scope, name="model_template")
    def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
        # A copy of the store made once per test process (store_templates): the same
        # calls filled it, and tests copy this folder again, never writing it.
        folder = tmp_path_factory.mktemp("template") / "store"
        return copy_of("model", Settings(), ensure_model, folder)

    return _template


def store_folder_fixture() -> Callable[..., Any]:
    """A fixture ``folder``: a fresh embedded store with the model, copied from the
    module's ``model_template`` (as `krb` would leave it after a first run). Assign it
    to a module-level name ``folder`` beside ``model_template``."""

    @pytest.fixture(name="folder")
    def _folder(tmp_path: Path, model_template: Path) -> str:
        target = tmp_path / "store"
        shutil.copytree(model_template, target)
        return str(target)

    return _folder
