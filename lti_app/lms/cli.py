"""Admin CLI: ``flask --app lti_app platforms …`` and ``flask --app lti_app keys …``."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from lti_app.extensions import db
from lti_app.lms import invites, keys, registry
from lti_app.lms.models import PENDING
from lti_app.lms.registry import PlatformSpec, RegistryError

platforms_cli = AppGroup("platforms", help="Register and manage LMS platforms.")
keys_cli = AppGroup("keys", help="The tool's signing keys.")


def _fail(exc: Exception) -> None:
    db.session.rollback()
    raise click.ClickException(str(exc))


@platforms_cli.command("add")
@click.option(
    "--issuer", required=True, help="Platform issuer (iss), e.g. https://moodle.example.org"
)
@click.option("--client-id", required=True)
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="Repeat for several deployments.",
)
@click.option("--auth-login-url", default=None, help="Platform OIDC authentication endpoint")
@click.option("--auth-token-url", default=None, help="Platform OAuth2 token endpoint")
@click.option("--jwks-url", default=None, help="Platform public keyset URL")
@click.option("--auth-audience", default=None, help="Token aud, if not the token URL (Canvas)")
@click.option("--name", default="", help="A name people recognise, e.g. 'Acme Moodle'")
def platforms_add(
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_login_url: str | None,
    auth_token_url: str | None,
    jwks_url: str | None,
    auth_audience: str | None,
    name: str,
) -> None:
    """Register a platform, or add deployments to an existing registration.

    For an existing (issuer, client id) the URLs may be left out: they are kept.
    """
    existing = registry.find_registration(issuer, client_id)
    login = auth_login_url or (existing.auth_login_url if existing else None)
    token = auth_token_url or (existing.auth_token_url if existing else None)
    jwks = jwks_url or (existing.jwks_url if existing else None)
    if not (login and token and jwks):
        _fail(
            RegistryError("a new platform needs --auth-login-url, --auth-token-url and --jwks-url")
        )
        return
    spec = PlatformSpec(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=login,
        auth_token_url=token,
        jwks_url=jwks,
        name=name,
        auth_audience=auth_audience or (existing.auth_audience if existing else None),
    )
    try:
        reg = registry.add_platform(
            spec,
            list(deployment_ids),
            allow_http=current_app.config["REGISTRATION_ALLOW_PRIVATE_URLS"],
        )
    except RegistryError as exc:
        _fail(exc)
        return
    keys.ensure_key()
    db.session.commit()
    click.echo(
        f"registered {reg.name} ({reg.public_id}, {reg.status}): {issuer} "
        f"client_id={client_id} deployments="
        f"{', '.join(f'{d.deployment_id} ({d.status})' for d in reg.deployments)}"
    )


@platforms_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
def platforms_list(as_json: bool) -> None:
    """List registrations and their deployments."""
    regs = registry.list_registrations()
    rows = [
        {
            "id": r.public_id,
            "name": r.name,
            "issuer": r.issuer,
            "client_id": r.client_id,
            "status": r.status,
            "auth_login_url": r.auth_login_url,
            "auth_token_url": r.auth_token_url,
            "jwks_url": r.jwks_url,
            "deployments": [
                {"deployment_id": d.deployment_id, "status": d.status} for d in r.deployments
            ],
        }
        for r in regs
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no platforms registered")
    for row in rows:
        deployments: list[dict[str, str]] = row["deployments"]  # type: ignore[assignment]
        deps = ", ".join(f"{d['deployment_id']} ({d['status']})" for d in deployments)
        click.echo(
            f"{row['id']}  {row['status']:<8} {row['name']}\n"
            f"    issuer={row['issuer']} client_id={row['client_id']}\n"
            f"    deployments: {deps or '-'}"
        )


@platforms_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option(
    "--deployment-id",
    default=None,
    help="Remove only this deployment; without it the whole registration goes.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
def platforms_remove(issuer: str, client_id: str, deployment_id: str | None, yes: bool) -> None:
    """Remove a registration (and everything of it) or one deployment."""
    reg = registry.find_registration(issuer, client_id)
    if reg is None:
        _fail(RegistryError(f"no registration {issuer} / {client_id}"))
        return
    if deployment_id is None and not yes:
        click.confirm(f"Remove {reg.name} and all its courses and activities?", abort=True)
    try:
        message = registry.remove(reg, deployment_id)
    except RegistryError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(message)


@platforms_cli.command("approve")
@click.argument("registration")
def platforms_approve(registration: str) -> None:
    """Activate a pending registration (from Dynamic Registration) and its deployments."""
    try:
        reg = registry.approve(registry.get_registration(registration))
    except RegistryError as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"approved {reg.name} ({reg.public_id})")


@keys_cli.command("rotate")
@click.option(
    "--activate-in",
    default=0,
    type=int,
    show_default=True,
    help="Minutes before the new key starts signing (it is published at once).",
)
@click.option(
    "--overlap-hours",
    default=None,
    type=int,
    help="Hours the old key stays published after the switch "
    "(default PEERLIFT_KEY_OVERLAP, 7 days).",
)
def keys_rotate(activate_in: int, overlap_hours: int | None) -> None:
    """Create a new signing key, published beside the old one for an overlap period."""
    overlap = (
        timedelta(hours=overlap_hours)
        if overlap_hours is not None
        else timedelta(seconds=current_app.config["KEY_ROTATION_OVERLAP_S"])
    )
    new = keys.rotate(timedelta(minutes=activate_in), overlap)
    db.session.commit()
    click.echo(
        f"new key {new.kid} published; signs from {new.activates_at:%Y-%m-%d %H:%M} UTC; "
        f"older keys retire {overlap} after that"
    )


@keys_cli.command("list")
def keys_list() -> None:
    """Show every key with its activation and retirement times."""
    for key in keys.all_keys():
        retire = f"{key.retires_at:%Y-%m-%d %H:%M}" if key.retires_at else "-"
        click.echo(f"{key.kid}  signs from {key.activates_at:%Y-%m-%d %H:%M}  retires {retire}")


@platforms_cli.command("invite")
@click.option("--note", default="", help="Who the link is for, e.g. 'Acme Moodle, J. Doe'")
@click.option(
    "--ttl-hours",
    type=click.IntRange(min=1, max=24 * 90),
    default=None,
    help="Hours the link stays valid (default PEERLIFT_INVITE_TTL, 7 days).",
)
def platforms_invite(note: str, ttl_hours: int | None) -> None:
    """Create a one-time Dynamic Registration link for a platform administrator.

    The link is printed once: only a hash of its token is stored. It works for
    one registration, which then waits for `platforms approve`.
    """
    base_url = current_app.config["BASE_URL"]
    if not base_url:
        _fail(
            RegistryError(
                "BASE_URL (PEERLIFT_BASE_URL) is not set, so there is no link to give out"
            )
        )
        return
    ttl = (
        timedelta(hours=ttl_hours)
        if ttl_hours is not None
        else timedelta(seconds=current_app.config["REGISTRATION_INVITE_TTL_S"])
    )
    invite, token = invites.create(note, ttl)
    db.session.commit()
    click.echo(invites.registration_url(base_url, token))
    click.echo(
        f"single use, expires {invite.expires_at:%Y-%m-%d %H:%M} UTC"
        + (f", note: {invite.note}" if invite.note else "")
        + ". Paste it into the LMS's Dynamic Registration ('register by URL') field; "
        "it is shown only now.",
        err=True,
    )


@platforms_cli.command("pending")
def platforms_pending() -> None:
    """List registrations waiting for approval (from Dynamic Registration)."""
    regs = [r for r in registry.list_registrations() if r.status == PENDING]
    if not regs:
        click.echo("no pending registrations")
        return
    for reg in regs:
        deps = ", ".join(d.deployment_id for d in reg.deployments)
        click.echo(
            f"{reg.public_id}  {reg.name}  "
            f"(registered {reg.created_at:%Y-%m-%d %H:%M} UTC)\n"
            f"    issuer={reg.issuer} client_id={reg.client_id} "
            f"family={reg.product_family or '-'}\n"
            f"    login={reg.auth_login_url}\n"
            f"    token={reg.auth_token_url}\n"
            f"    jwks={reg.jwks_url}\n"
            f"    deployments: {deps or '- (add: platforms add … --deployment-id ID)'}\n"
            f"    approve with: flask --app lti_app platforms approve {reg.public_id}"
        )
