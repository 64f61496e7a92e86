"""``clearhold review``: the results review of an operation for a period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, StoreOpt, engine_for, err_console, handled_errors


def register(app: typer.Typer) -> None:
    app.command("review")(review)


def review(
    operation: str,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: the operation's start)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, inclusive (default: the operation's end, or today)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, json or md")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output; pdf needs --out)")] = None,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Add the evaluation against comparison areas (needs police recorded crime in the store)")] = False,
    before: Annotated[str | None, typer.Option(help="With --evaluate: months before, FROM..TO (default: the 12 months before the period)")] = None,
    during: Annotated[str | None, typer.Option(help="With --evaluate: months during, FROM..TO (default: the review period)")] = None,
    database: DatabaseOpt = None,
    store: StoreOpt = None,
) -> None:
    """The results review: every headline figure, its breakdowns and the records behind it."""
    import sys

    from clearhold.interfaces.cli._ledger_io import parse_date
    from clearhold.reports.render import FORMATS, render
    from clearhold.reports.review import build_review
    from clearhold.storage.database import session_scope

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}; use one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "pdf" and out is None:
        raise typer.BadParameter("PDF is binary: give --out FILE.pdf", param_hint="--out")
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    with handled_errors(), session_scope(engine_for(database)) as s:
        result = build_review(s, operation_slug=operation, start=start, end=end)
        if evaluate:
            from clearhold.reports.sections import add_evaluation, evaluate_operation

            result = add_evaluation(result, evaluate_operation(s, review=result, store=store, before=before, during=during))
        content = render(result, fmt)
    if out is None:
        sys.stdout.write(content if content.endswith("\n") else content + "\n")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(content) if isinstance(content, bytes) else tmp.write_text(content, encoding="utf-8")
    tmp.replace(out)
    err_console().print(f"wrote {out}")
