"""krbgraph: the Kernregistratie Beleid (KRB) as linked data.

Register municipal policy (norms, rules, measures, their intended effects and
the decisions behind them) as RDF, validate it with SHACL and query it with
named SPARQL queries, embedded or against any SPARQL 1.1 server.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("krbgraph")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
