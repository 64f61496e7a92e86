"""``clearhold users``: add users (password from standard input), list them, issue API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from clearhold.interfaces.cli.common import DatabaseOpt, JsonOpt, console, emit_json, engine_for, handled_errors, table

users_app = typer.Typer(help="Users, roles and API tokens of the web application.", no_args_is_help=True)

RoleOpt = Annotated[str, typer.Option("--role", help="officer, analyst, supervisor, partner or admin.")]


def _read_password() -> str:
    import sys

    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != first:
            from clearhold.errors import InvalidInput

            raise InvalidInput("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def add(name: str, role: RoleOpt, database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Create a user. The password is read from standard input (at least 12 characters)."""
    with handled_errors():
        from clearhold.storage.database import session_scope
        from clearhold.user import service
        from clearhold.user.roles import check_role
        from clearhold.user.schemas import UserRead

        check_role(role)
        password = _read_password()
        with session_scope(engine_for(database)) as session:
            user = UserRead.model_validate(service.create(session, name=name, role=role, password=password))
        if json_out:
            emit_json(user.model_dump(mode="json"))
        else:
            console().print(f"user {user.name} created with role {user.role}")


@users_app.command("list")
def list_users(database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """List users and their roles."""
    with handled_errors():
        from clearhold.storage.database import session_scope
        from clearhold.user import service
        from clearhold.user.schemas import UserRead

        with session_scope(engine_for(database)) as session:
            rows = [UserRead.model_validate(u) for u in service.list_(session)]
        if json_out:
            emit_json([r.model_dump(mode="json") for r in rows])
        else:
            console().print(table(["name", "role", "active", "created"],
                                  [[r.name, r.role, r.active, r.created_at.isoformat()] for r in rows]))


@users_app.command("set")
def set_user(name: str, role: Annotated[str | None, typer.Option("--role")] = None,
             disable: Annotated[bool, typer.Option("--disable", help="Disable the account.")] = False,
             enable: Annotated[bool, typer.Option("--enable", help="Enable the account.")] = False,
             password: Annotated[bool, typer.Option("--password", help="Read a new password from standard input.")] = False,
             database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Change a user's role, password or active flag (their web sessions end)."""
    if disable and enable:
        console().print("give --disable or --enable, not both")
        raise typer.Exit(2)
    with handled_errors():
        from clearhold.storage.database import session_scope
        from clearhold.user import service
        from clearhold.user.schemas import UserRead

        new_password = _read_password() if password else None
        active = False if disable else (True if enable else None)
        with session_scope(engine_for(database)) as session:
            user = UserRead.model_validate(service.update(session, name=name, role=role, active=active, password=new_password))
        if json_out:
            emit_json(user.model_dump(mode="json"))
        else:
            console().print(f"user {user.name}: role {user.role}, {'active' if user.active else 'disabled'}")


@users_app.command("token")
def token(name: str, label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "cli",
          days: Annotated[int, typer.Option("--days", help="Lifetime in days (1-366).")] = 90,
          database: DatabaseOpt = None, json_out: JsonOpt = False) -> None:
    """Issue an API bearer token for NAME. It is printed once and stored only as a hash."""
    with handled_errors():
        from clearhold.storage.database import session_scope
        from clearhold.user import service
        from clearhold.user.schemas import TokenIssued, TokenRead

        with session_scope(engine_for(database)) as session:
            secret, row = service.issue_token(session, name=name, label=label, days=days)
            issued = TokenIssued(token=secret, **TokenRead.model_validate(row).model_dump())
        if json_out:
            emit_json(issued.model_dump(mode="json"))
        else:
            console().print(secret)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
