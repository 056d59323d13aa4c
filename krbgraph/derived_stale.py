"""The mark that makes a derived graph replaced in a second step safe across a crash.

Loading files, dropping a graph and a write that changes too much to name commit the
data first and replace the derived graph (krbgraph.derived) after: the derivation
reads what was written, or the data goes in by the bulk loader, outside any
transaction the derived graph could join. A process killed between the two would
leave the derived facts a write behind, served as current (the dates in force of a
dropped plan). So the derived graph's ``owl:versionInfo`` is set to ``STALE`` before
the data is written; krbgraph.derived.ensure_current, run whenever a store is opened,
derives a graph of any version but the current rules' again, and ``replace`` writes
the current version with the new graph.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rdflib.namespace import OWL

from .model import DERIVED_GRAPH
from .store import QuerySyntaxError, Store, StoreError
from .store.write_claim import StoreChangedElsewhere, WriteClaimedElsewhere

__all__ = ["STALE", "Rederivation", "mark_stale", "may_have_written", "stale_during"]

STALE = "stale: being replaced"
"""The derived graph's ``owl:versionInfo`` while a write replaces it in a second step."""


@dataclass(frozen=True)
class Rederivation:
    """Why the derived graph is derived again as a store is opened."""

    cut_off: bool
    """A write was cut off before it replaced the graph; else an earlier release derived
    it, or the model beside it was replaced."""
    model_replaced: bool = False
    """The model was replaced since: an upgrade, or another release wrote the store (one
    that keeps no derived graph left its dates in force behind)."""

    @property
    def message_nl(self) -> str:
        why = (
            "een schrijfactie is afgebroken voordat de afgeleide graaf was bijgewerkt"
            if self.cut_off
            else "het model in de store is vervangen (een upgrade, of een andere versie heeft "
            "erin geschreven)"
            if self.model_replaced
            else "de afgeleide graaf is gemaakt door een eerdere versie"
        )
        return f"{why}; de hele store wordt opnieuw afgeleid (minuten bij miljoenen triples)"

    @property
    def message_en(self) -> str:
        why = (
            "a write was cut off before the derived graph was brought up to date"
            if self.cut_off
            else "the model in the store was replaced (an upgrade, or another release wrote to it)"
            if self.model_replaced
            else "the derived graph was made by an earlier release"
        )
        return f"{why}; deriving it again for the whole store (minutes for millions of triples)"


_VERSION = f"GRAPH <{DERIVED_GRAPH}> {{ <{DERIVED_GRAPH}> <{OWL.versionInfo}> %s }}"
_DROP = f"DROP SILENT GRAPH <{DERIVED_GRAPH}>"
_SET_VERSION = f"DELETE WHERE {{ {_VERSION % '?v'} }} ;\nINSERT DATA {{ %s }}"
_VERSIONS = f"SELECT ?v WHERE {{ {_VERSION % '?v'} }}"


def mark_stale(store: Store) -> None:
    """Say that the derived graph is about to be replaced as a whole, before the write of
    data it will follow (loading files, dropping a graph, a write that changes too much
    to name). That write cannot carry the derived graph in its own transaction (a bulk
    load, or the derivation reads what was written), so a crash between the two would
    leave the derived facts a write behind, served as current: with this mark the next
    opening of the store (ensure_current) derives the graph again, and ``replace``
    clears the mark."""
    store.update(_SET_VERSION % (_VERSION % f'"{STALE}"'), repeatable=True)


@contextmanager
def stale_during(store: Store, *, needed: bool = True) -> Iterator[None]:
    """``mark_stale`` for a write of data the derived graph will follow (when ``needed``).
    A write refused before it was sent has changed nothing, so the versions it found are
    put back. A write the store failed (StoreError) or that was cut off (an interrupt)
    may have been committed all the same: a server that commits and then dies or loses
    its reply, a proxy that cuts the connection. The mark then stays, so whoever opens
    the store next derives the graph again, never serving the dates in force of the
    data before the write for the data after it."""
    if not needed:
        yield
        return
    found = [row[0] for row in store.query(_VERSIONS).rows if row[0] is not None]
    mark_stale(store)
    try:
        yield
    except StoreError as exc:
        if may_have_written(exc):
            raise
        _put_back(store, found)
        raise
    except Exception:
        _put_back(store, found)
        raise


_REFUSED_BEFORE_SENDING = (StoreChangedElsewhere, WriteClaimedElsewhere, QuerySyntaxError)
"""Store errors of a write that was never committed: the store changed by another writer
since the copy (checked before sending), no turn to write, an update the engine refused
to read."""


def may_have_written(exc: StoreError) -> bool:
    """Whether a write that failed with ``exc`` may have been committed all the same."""
    return not isinstance(exc, _REFUSED_BEFORE_SENDING)


def _put_back(store: Store, found: Sequence[object]) -> None:
    versions = " ".join(_VERSION % f'"{v}"' for v in found)
    # no version: there was no derived graph (derive always writes one with it)
    store.update(_SET_VERSION % versions if found else _DROP, repeatable=True)
