"""`krb serve`: start the registry service, optionally on the demo registry.

`make run` calls `krb serve --demo`: a newcomer gets a working registry at
http://127.0.0.1:8000 without preparing any data.

A store folder is served by a supervised `oxigraph serve` child process
unless KRB_ENGINE=embedded: a query past its time limit then costs no CPU or
memory after its 503, and a crash of the engine does not end the service
(see krbgraph/store/supervised.py). The demo is loaded before that, in this
process.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from ..model import project_root
from ..settings import Settings, shown_url
from .store import BaseIriOption, StoreOption, TimeoutOption, settings_from_cli


def demo_paths() -> list[Path]:
    """The demo municipality's files, one named graph each: its policy (examples/demo) and
    its research data, measurements and their sources (examples/onderzoek), which the
    method keeps apart from the policy."""
    examples = project_root() / "examples"
    return sorted(examples.glob("demo/*.ttl")) + sorted(examples.glob("onderzoek/*.ttl"))


def load_demo(settings: Settings) -> int:
    """(Re)load the demo registry into the configured store; returns triples loaded.

    Replacing keeps the demo current after a `git pull` without touching
    other graphs a user may have loaded beside it.
    """
    from ..loading import load_paths
    from ..store import ensure_model, open_store

    store = open_store(replace(settings, engine="embedded"))  # a load: no engine needed yet
    try:
        ensure_model(store)
        report = load_paths(store, demo_paths(), replace=True, base_iri=settings.base_iri)
        return report.triples
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option(envvar="KRB_HOST", help="Interface to bind.")
        ] = "127.0.0.1",
        # Read by Settings from KRB_PORT, not by typer: a malformed value got typer's own
        # boxed message, unlike every other KRB_ variable's.
        port: Annotated[
            int | None,
            typer.Option(help="TCP port [default: KRB_PORT, else 8000]", show_default=False),
        ] = None,
        store: StoreOption = None,
        base_iri: BaseIriOption = None,
        timeout: TimeoutOption = None,
        demo: Annotated[
            bool, typer.Option("--demo", help="Load the demo municipality first.")
        ] = False,
        engine: Annotated[
            str | None,
            typer.Option(
                help="How a store folder is run: 'supervised' (an oxigraph serve child "
                "process, restarted when a query overruns) or 'embedded' (in this process) "
                "[default: KRB_ENGINE, else supervised].",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Start the SPARQL endpoint, linked-data pages, JSON API and web front."""
        import uvicorn

        from ..store import StoreError
        from ..web.app import create_app

        # The engine's default here is not the other commands' (embedded): read as the
        # port is, by Settings, so --engine wins over a malformed KRB_ENGINE.
        chosen = engine.strip().lower() if engine is not None else None
        if chosen is None and not os.environ.get("KRB_ENGINE"):
            chosen = "supervised"
        settings = settings_from_cli(store, base_iri, timeout, port, chosen)
        try:
            settings = replace(settings, host=host)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if demo:
            try:
                triples = load_demo(settings)
            except StoreError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            typer.echo(f"Demo registry loaded ({triples} triples) into {shown_url(settings.store)}")
        _refuse_a_taken_address(settings)
        _refuse_a_store_that_does_not_open(settings)
        typer.echo(f"KRB registry on http://{settings.host}:{settings.port}/  (Ctrl+C stops)")
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            proxy_headers=bool(settings.trusted_proxies),  # else uvicorn trusts 127.0.0.1
            forwarded_allow_ips=list(settings.trusted_proxies),
            # The query editor sends its text in the address (a GET form, so results can
            # be linked and the back button works): up to 100,000 characters, escaped.
            # h11's 16 KiB for a request head arriving in pieces, as over any network,
            # refused an editor query of 17,000 characters with a bare 400.
            h11_max_incomplete_event_size=REQUEST_HEAD_BYTES,
            log_config=log_config(),
        )


REQUEST_HEAD_BYTES = 1024 * 1024
"""The largest request head (address and headers) the service reads."""


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the ``krbgraph`` loggers added: INFO and
    above to stderr, in uvicorn's format (``INFO:     ...``). uvicorn configures only its
    own loggers, so krbgraph's had no handler and only warnings reached stderr (Python's
    last resort): never the line of a client that hung up, the supervised engine's last
    output or a write sent again after an engine stop. Not propagated, so a root logger
    with a handler of its own shows no line twice. Given to uvicorn rather than set up
    here: `krb serve` run inside another process without its server (the CLI tests
    replace uvicorn.run) leaves that process's logging alone."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["krbgraph"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _refuse_a_store_that_does_not_open(settings: Settings) -> None:
    """Exit 2 with the store's own one-line message when the store cannot be opened as
    the service will open it: a folder another process holds, a supervised engine that
    does not start (a memory limit too small for it), a SPARQL server that does not
    answer. Opened first by the application's start-up, each ended in a server
    traceback and exit code 3, while every other command says it in one line. Also a
    store whose registry is under another base than the default nobody chose
    (krbgraph.base_check): its pages would not be found under their IRIs, and an upload
    would name things under the demo's base."""
    from ..base_check import implicit_base_problem
    from ..store import StoreError, open_store

    # The supervised engine logs a start that failed (for a running service, the only
    # word of it); here the error is this command's own line, and was printed twice.
    supervisor_log = logging.getLogger("krbgraph.store.supervised")
    level = supervisor_log.level
    supervisor_log.setLevel(logging.CRITICAL)
    try:
        store = open_store(settings)
        try:
            store.query("ASK {}")
            problem = implicit_base_problem(settings, store, "the service did not start")
        finally:
            store.close()
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        supervisor_log.setLevel(level)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)


def _refuse_a_taken_address(settings: Settings) -> None:
    """Exit 2 naming the address when nothing can listen there (a port in use, a host
    name that does not resolve): uvicorn said so after the line announcing the
    service, and exited 3."""
    try:
        infos = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        typer.echo(f"error: cannot listen on {settings.host}:{settings.port}: {reason}", err=True)
        raise typer.Exit(2) from exc
