"""The ``clearhold`` command. Command groups register themselves from sibling modules.

Every module in this package that defines ``register(app)`` is called with the root app;
modules import only Typer at top level so that ``--help`` stays instant.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="clearhold",
    help="Operations ledger, results reviews, crime analysis and ANPR for police operations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_SKIP = {"main", "common"}


def _register_groups() -> None:
    from clearhold.interfaces import cli

    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda i: i.name):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"clearhold.interfaces.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_groups()


def run() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    run()
