"""The demo registry with its research data (measurements and their sources), and its app.

The ``registry`` fixture of conftest holds the policy only; the indicator and
monitoring pages need what ``krb serve --demo`` also loads: the measurements of
examples/onderzoek and the DCAT catalogue of the sources they come from.
Imported by test_front_indicator, test_front_monitoring and test_browser_indicator.
"""

from __future__ import annotations

from pathlib import Path

from test_pages_fixtures import BASE, Registry
from test_sparql_support import demo_store

from krbgraph.loading import load_paths
from krbgraph.model import project_root
from krbgraph.store import Store
from krbgraph.web.app import create_app

ONDERZOEK = project_root() / "examples" / "onderzoek"

PREFIXES = """
PREFIX krb:  <https://data.krb.nl/def/krb#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct:  <http://purl.org/dc/terms/>
"""


def build_research_registry(folder: Path) -> Registry:
    """An embedded store in `folder` with the model, the demo and its research data."""
    store, settings = demo_store(folder)
    load_paths(store, [ONDERZOEK], base_iri=BASE, validate=False)
    return Registry(create_app(settings, store=store), store, settings)


def select(store: Store, body: str) -> list[dict[str, str]]:
    """The rows of a SELECT (with the PREFIXES above) as plain strings."""
    rows = store.query(PREFIXES + body).dicts()
    return [{name: str(value) for name, value in row.items()} for row in rows]
