"""The incoming links of a resource page with many of them: first page, every link.

One indicator that N norms point at (krb:indicator), in a store with the model and the
demo: per N, the time to count the links per property, to read, order and name the
first page, and to name a page of ?rijen=alle (krbgraph.web.resource_page.IncomingLinks),
then the whole page through the application, first and again, and every page of
?rijen=alle followed to the end (each link once: checked).

    .venv/bin/python bench/incoming_links.py
    .venv/bin/python bench/incoming_links.py --sizes 5000,50000,200000
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store
from krbgraph.web import resource_page, row_cap
from krbgraph.web.app import create_app
from krbgraph.web.describe import Labeller

BASE = "https://krb.demogemeente.nl"
KRB = "https://data.krb.nl/def/krb#"
_NEXT = re.compile(r'<a rel="next" href="([^"]+)"')


def _links(n: int) -> Graph:
    indicator = URIRef(f"{BASE}/id/beleidsindicator/VEEL-{n}")
    graph = Graph()
    graph.add((indicator, RDF.type, URIRef(f"{KRB}Beleidsindicator")))
    graph.add((indicator, RDFS.label, Literal(f"{n} normen", lang="nl")))
    for i in range(n):
        norm = URIRef(f"{BASE}/id/beleidsnorm/VEEL-{n}-{i:06d}")
        graph.add((norm, URIRef(f"{KRB}indicator"), indicator))
    return graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,50000")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(store=str(Path(folder) / "store"), base_iri=BASE)
        with open_store(settings) as store:
            ensure_model(store)
            load_paths(store, demo_paths(), replace=True, validate=False)
            for n in sizes:
                store.replace_graph(f"{BASE}/graph/veel-{n}", _links(n))
            app = create_app(settings, store=store)
            with TestClient(app) as client:
                for n in sizes:
                    iri = f"{BASE}/id/beleidsindicator/VEEL-{n}"
                    start = time.perf_counter()
                    links = resource_page.IncomingLinks(store, URIRef(iri), Labeller(BASE))
                    counted = time.perf_counter()
                    links.page(row_cap.ROWS_SHOWN, None)
                    first = time.perf_counter()
                    links.page(None, None)
                    every = time.perf_counter()
                    print(
                        f"{n:>7} links: counted {counted - start:.2f} s, first page "
                        f"{first - counted:.2f} s, a page of ?rijen=alle {every - first:.2f} s"
                    )
                    path = f"/id/beleidsindicator/VEEL-{n}"
                    for label, url in (("first page", path), ("again", path)):
                        start = time.perf_counter()
                        assert client.get(url).status_code == 200
                        print(f"{'':>7}  whole page, {label}: {time.perf_counter() - start:.2f} s")
                    start, url, pages, seen = time.perf_counter(), path + "?rijen=alle", 0, 0
                    while url:
                        answer = client.get(url.replace("&amp;", "&"))
                        assert answer.status_code == 200
                        seen += answer.text.count(f"/id/beleidsnorm/VEEL-{n}-")
                        pages += 1
                        found = _NEXT.search(answer.text)
                        url = found[1] if found else ""
                    took = time.perf_counter() - start
                    print(f"{'':>7}  every page of ?rijen=alle: {pages} pages, {took:.2f} s")
                    if seen < n:
                        print(f"{'':>7}  only {seen} of {n} links seen", file=sys.stderr)
                        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
