"""Options and helpers shared by every command group (defined once, reused)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from clearhold.serialise import json_default

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="CLEARHOLD_DATABASE_URL", help="Records database URL (default: SQLite file in CLEARHOLD_HOME)."),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", envvar="CLEARHOLD_STORE", help="Analytical store folder (Parquet + DuckDB)."),
]
UserOpt = Annotated[
    str,
    typer.Option("--user", envvar="CLEARHOLD_USER", help="Who is entering or changing records (kept with each record)."),
]
TzOpt = Annotated[
    str | None,
    typer.Option("--tz", help="Time zone of timestamps written without an offset, e.g. Europe/London "
                              "(without it such timestamps are refused)."),
]


def console():
    """A Rich console with markup off: free text (locations, intelligence) may contain brackets."""
    from rich.console import Console

    return Console(markup=False, highlight=False, soft_wrap=False)


def err_console():
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=json_default, ensure_ascii=False, indent=2)


def emit_json(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


def settings_for(database: str | None = None, store: Path | None = None):
    """Settings from the environment, overridden by command-line options."""
    from clearhold.config import Settings

    overrides: dict[str, Any] = {}
    if database:
        overrides["database_url"] = database
    if store:
        overrides["store"] = store
    return Settings(**overrides)


def engine_for(database: str | None = None, *, migrate: bool = True):
    """The records engine, with the schema brought up to date (safe to repeat)."""
    from clearhold.storage.database import engine_from_settings
    from clearhold.storage.migrate import upgrade

    engine = engine_from_settings(settings_for(database))
    if migrate:
        upgrade(engine)
    return engine


@contextmanager
def handled_errors() -> Iterator[None]:
    """Turn clearhold errors into a one-line message and exit code 1 (2 for bad input)."""
    from clearhold.errors import ClearholdError, InvalidInput, PermissionDenied

    try:
        yield
    except InvalidInput as exc:
        err_console().print(f"error: {exc}")
        raise typer.Exit(2) from None
    except PermissionDenied as exc:
        err_console().print(f"refused: {exc}")
        raise typer.Exit(1) from None
    except ClearholdError as exc:
        err_console().print(f"error: {exc}")
        raise typer.Exit(1) from None


@contextmanager
def progress_callback(description: str, enabled: bool = True) -> Iterator[Callable[..., None]]:
    """A callback ``cb(done, total=None, description=None)`` that drives a Rich progress bar.

    The library reports progress through such callbacks and never prints itself.
    """
    if not enabled or not sys.stderr.isatty():
        yield lambda *a, **k: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console(), transient=True,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int | None = None, description: str | None = None) -> None:
            kwargs: dict[str, Any] = {"completed": done}
            if total is not None:
                kwargs["total"] = total
            if description is not None:
                kwargs["description"] = description
            progress.update(task, **kwargs)

        yield update


def table(columns: list[str], rows: list[list[Any]], title: str | None = None):
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    return t
