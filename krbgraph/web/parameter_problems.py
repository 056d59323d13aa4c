"""A request parameter FastAPI refused, said in Dutch for the site's error page.

The pages answer a parameter of the wrong kind with the site's page (krbgraph.web.app),
not FastAPI's English JSON that echoes the whole value back: what the parameter is
called and what it should be, never the value (it may be a 100,000-character query).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parameter_problem(error: Mapping[str, Any]) -> str:
    """One validation error in Dutch: the parameter, and what it should be."""
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "het verzoek"
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "missing":
        said = "ontbreekt"
    elif kind == "string_too_long":
        said = f"is te lang (ten hoogste {context.get('max_length', '?')} tekens)"
    elif kind == "string_pattern_mismatch":
        said = f"heeft niet de vorm {context.get('pattern', '')}"
    elif kind.startswith("bool"):
        said = "moet true of false zijn"
    elif kind.startswith(("int", "float", "decimal")):
        said = "moet een getal zijn"
    else:
        said = "heeft een waarde die hier niet kan"
    return f"'{where}' {said}"
