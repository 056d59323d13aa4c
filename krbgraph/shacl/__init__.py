"""A SHACL engine that compiles shapes into SPARQL and runs them on the store.

``validate_store(store, shapes)`` validates the data of any krbgraph store
(embedded pyoxigraph or a SPARQL 1.1 server); ``validate_graph(data, shapes)``
validates an rdflib graph through an in-memory pyoxigraph store. Both return
a Report: the sh:ValidationReport graph and its results as Python values.
Shapes the compiler cannot translate are validated by pySHACL and listed in
``Report.fallbacks``. ``findings`` turns results into krbgraph.validation's
Finding.

Modules, by concern: shapes (reading the shapes graph), paths, targets,
core (SHACL Core components), sparql_constraints (SHACL-SPARQL), datatypes
(well-formed literals), checks and plans (how checks become queries),
report, fallback (pySHACL), memory (the in-memory store), engine.
"""

from .engine import QueryStore, validate_graph, validate_store
from .errors import ShapesError
from .report import Fallback, Report, Result

__all__ = [
    "Fallback",
    "QueryStore",
    "Report",
    "Result",
    "ShapesError",
    "validate_graph",
    "validate_store",
]
