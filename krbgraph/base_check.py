"""Whether a command that nobody gave a base IRI writes under another registry's.

Every command takes the registry's base IRI from ``--base-iri`` or ``KRB_BASE_IRI``,
and without either from the demo's (krbgraph.iris.DEFAULT_BASE_IRI). A municipality's
store whose data lies under its own base, written by one command run without the
variable (a shell or a scheduled job that lacks it), got a second copy of a workbook's
registry and measurement graphs under the demo's base, with exit code 0: every
question then answered twice. The store does not record one base, and should not (a
province keeps several municipalities' registries in one store, each under its own),
so the check is narrow: the base was not given, and the store holds registry graphs
(named ``{base}/graph/...``, as krbgraph names them) of which none is under the default
base. Then the command is refused, naming the bases
the store's graphs are under; given explicitly, any base is the user's to choose.
"""

from __future__ import annotations

from .iris import DEFAULT_BASE_IRI
from .settings import Settings
from .store import Store
from .store.modelgraphs import graph_kind

MANAGED = "https://data.krb.nl/"
"""Where the model's and the product's own graphs live (derived, audit, meta...)."""


def implicit_base_problem(
    settings: Settings, store: Store, outcome: str = "nothing written"
) -> str | None:
    """The message refusing a write under the default base nobody chose, or None;
    ``outcome`` ends it (what the refusal left undone)."""
    default = DEFAULT_BASE_IRI.rstrip("/")
    if settings.base_iri_given or settings.base_iri.rstrip("/") != default:
        return None
    # Graphs krbgraph named under a base ({base}/graph/...): a graph a client named
    # itself over the Graph Store Protocol says nothing of a registry's base.
    registry = [
        info.iri
        for info in store.graphs()
        if "/graph/" in info.iri
        and info.iri.startswith(("http://", "https://"))
        and not info.iri.startswith(MANAGED)
        and graph_kind(info.iri) == "data"
    ]
    if not registry or any(iri.startswith(default + "/") for iri in registry):
        return None
    bases = sorted({iri.split("/graph/", 1)[0] for iri in registry})
    shown = ", ".join(bases[:3]) + (f" and {len(bases) - 3} more" if len(bases) > 3 else "")
    return (
        f"no base IRI given (--base-iri, KRB_BASE_IRI), and this store holds no registry "
        f"data under the default one, {default} (the demo's), but under {shown}: "
        "things and graphs would be named under the demo's base beside the registry's "
        f"own. Give the registry's base IRI; {outcome}"
    )
