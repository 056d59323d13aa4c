"""What every page module declares the same way: how a route receives the
settings and the store (see krbgraph.web.deps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ...settings import Settings
from ...store import Store
from ..deps import get_settings, get_store

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
