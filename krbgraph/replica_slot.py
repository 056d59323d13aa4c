"""The replica a service validates its writes on, kept from one write to the next.

Made at start-up or at the first write, and made again when anything but the
service's own validated writes changed the store: its ``write_generation`` moved on
(krbgraph.store.backend), or, on a SPARQL server others write too, its write version or
its graphs' sizes differ from what the service's own last write left
(shared_fingerprint). On such a server a write takes its turn first
(krbgraph.store.write_claim.turn_for), and the copy is made current inside it.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from .replica import NOT_DATA, Change, ValidationReplica
from .store import QueryTimeout, Store, StoreError
from .store.write_claim import is_shared, read_version


class UpdateTimeout(QueryTimeout):
    """A client's update ran past its time limit on the validation copy; nothing was
    written (HTTP 503)."""


class UpdateStillStopping(StoreError):
    """An update that ran past its time limit is still running out in the background; no
    other update runs until it has (HTTP 503 with Retry-After)."""


def shared_fingerprint(store: Store) -> Hashable | None:
    """For a store others may write (a remote SPARQL server): its write version and its
    graphs with their sizes, to see an outside write by (the sizes for writers that set
    no version: krbgraph.store.write_claim); None for a store only this process writes."""
    if not is_shared(store):
        return None
    sizes = tuple(sorted((info.iri, info.triples) for info in store.graphs()))
    return (read_version(store), sizes)


class ReplicaSlot:
    """The replica of the store a service writes to: made at start-up or at the first write,
    and made again when the store was written by anything but the service's own validated
    writes (its ``write_generation`` moved on; krbgraph.store.backend)."""

    def __init__(self) -> None:
        self._store: Store | None = None
        self._replica: ValidationReplica | None = None
        self._generation = -1
        self._fingerprint: Hashable | None = None
        self._abandoned: threading.Thread | None = None

    @classmethod
    def holding(cls, store: Store, replica: ValidationReplica) -> ReplicaSlot:
        """A slot with ``replica``, a copy of ``store`` as it is now, for one write."""
        slot = cls()
        slot._replica, slot._store = replica, store
        slot._generation = getattr(store, "write_generation", -1)
        slot._fingerprint = shared_fingerprint(store)
        return slot

    def run_update(
        self, store: Store, update: str, *, base_iri: str | None, timeout_s: float | None
    ) -> tuple[ValidationReplica, Change]:
        """ValidationReplica.run_update on the replica of ``store``, for at most
        ``timeout_s`` seconds; call with the write lock held.

        pyoxigraph cannot stop an update, so it runs in a worker thread. Past the limit
        the caller gets UpdateTimeout at once and the lock is free again: the replica,
        which the update will still change, is dropped (the next write makes a new one
        from the store, which the update never reached), and the update runs out in the
        background, one at a time: until it has, further updates get
        UpdateStillStopping, so no client can occupy more than one core this way."""
        if self._abandoned is not None:
            if self._abandoned.is_alive():
                raise UpdateStillStopping(
                    "An earlier update that ran past the time limit is still being "
                    "stopped; try again later."
                )
            self._abandoned = None
        replica = self.get(store)
        outcome: list[Change | BaseException] = []

        def work() -> None:
            try:
                outcome.append(replica.run_update(update, base_iri=base_iri))
            except BaseException as exc:  # handed to the caller below, never swallowed
                outcome.append(exc)

        worker = threading.Thread(target=work, name="krb-update", daemon=True)
        worker.start()
        worker.join(timeout_s)
        if not outcome:
            self._abandoned = worker
            self._replica = None
            raise UpdateTimeout(
                f"The update did not finish within {timeout_s:g} s, the time limit of "
                "updates on this service; nothing was written. Narrow its WHERE down "
                "(more specific patterns) or split it."
            )
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return replica, result

    def get(self, store: Store) -> ValidationReplica:
        """The replica of ``store``; call with the application's write lock held."""
        generation = getattr(store, "write_generation", None)
        fingerprint = shared_fingerprint(store)
        if (
            self._replica is None
            or self._store is not store
            or generation is None
            or generation != self._generation
            or fingerprint != self._fingerprint
        ):
            self._replica = ValidationReplica.of(store)
            self._store = store
            self._generation = getattr(store, "write_generation", -1)
            self._fingerprint = fingerprint
        return self._replica

    def synced(self, store: Store) -> None:
        """Say that the replica holds what ``store`` holds after a write the replica
        followed (the derived graph aside). On a shared server whose graph sizes then
        differ from the copy's, another process wrote beside this write: the copy is
        dropped (kept, it committed later deletes half), made again by the next write."""
        if self._store is store:
            self._generation = getattr(store, "write_generation", -1)
            fingerprint = shared_fingerprint(store)
            if self._replica is not None and isinstance(fingerprint, tuple):
                version, graphs = fingerprint
                sizes = {g: n for g, n in graphs if g not in NOT_DATA and n}
                own = getattr(store, "written_version", None)  # what this service's write set
                if sizes != self._replica.graph_sizes() or version != own:
                    self._replica = None
                else:
                    self._replica.base_version = version
            self._fingerprint = fingerprint

    def forget(self) -> None:
        """Drop the replica: the next write makes it again from the store."""
        self._replica = None
