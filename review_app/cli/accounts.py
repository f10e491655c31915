"""`docloop migrate`, `docloop user ...` and `docloop apikey ...`."""

from __future__ import annotations

import secrets

import click
from sqlalchemy import select

from review_app.cli.common import friendly_errors, runtime
from review_app.migrate import upgrade
from review_app.models import ApiKey, Role
from review_app.services.accounts import ALL_SCOPES, create_api_key, create_user, revoke_api_key


@click.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    upgrade(runtime().database_url)
    click.echo("database is up to date")


@click.group()
def user() -> None:
    """Manage workspace users."""


@user.command("create")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.REVIEWER.value, show_default=True
)
@click.option("--name", default="")
@click.option("--password", default=None, help="Omit to generate one (printed once).")
@friendly_errors
def user_create(email: str, role: str, name: str, password: str | None) -> None:
    """Add a user."""
    password = password or secrets.token_urlsafe(12)
    with runtime().session() as session:
        created = create_user(session, email, password, role, name)
        click.echo(f"created {created.role} {created.email} with password: {password}")


@click.group()
def apikey() -> None:
    """Manage API keys (shown once, stored hashed)."""


@apikey.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(ALL_SCOPES),
    help="Repeat for several; default: all scopes.",
)
@friendly_errors
def apikey_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key and print it once."""
    with runtime().session() as session:
        new = create_api_key(session, name, list(scopes) or list(ALL_SCOPES))
        click.echo(f"API key #{new.key.id} ({', '.join(new.key.scopes)}): {new.secret}")
        click.echo("Store it now: it is not shown again.")


@apikey.command("revoke")
@click.argument("key_id", type=int)
@friendly_errors
def apikey_revoke(key_id: int) -> None:
    """Revoke a key for good."""
    with runtime().session() as session:
        key = revoke_api_key(session, key_id)
        click.echo(f"revoked API key #{key.id} ({key.name})")


@apikey.command("list")
def apikey_list() -> None:
    """List keys (never their secrets)."""
    with runtime().session() as session:
        for key in session.scalars(select(ApiKey).order_by(ApiKey.id)):
            state = "revoked" if key.revoked_at else "active"
            click.echo(f"#{key.id}\t{key.name}\tdl_{key.prefix}_…\t{state}\t{','.join(key.scopes)}")


COMMANDS = [migrate, user, apikey]
