"""``flask --app lti_app sandbox …``: connect the sandbox LMS to the tool, or reset it.

Only added to the CLI when the sandbox is mounted (development and testing).
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from lti_app import clock
from lti_app.extensions import db
from lti_app.lms import keys, registry
from lti_app.lms.models import Registration
from lti_app.lms.registry import PlatformSpec
from lti_app.sandbox import sandbox_of
from lti_app.sandbox.demo_cohort import seed_demo_cohort

sandbox_cli = AppGroup("sandbox", help="The built-in sandbox LMS (development and tests only).")


def register_sandbox() -> Registration:
    """Register the sandbox platform in the tool's registry, as an administrator would
    register a real LMS. Idempotent: (issuer, client_id) is updated in place."""
    platform = sandbox_of(current_app).platform
    spec = PlatformSpec(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.token_url,
        jwks_url=platform.jwks_url,
        name="Peerlift sandbox LMS",
        product_family="peerlift-sandbox",
    )
    reg = registry.add_platform(
        spec,
        [platform.deployment_id],
        allow_http=current_app.config["REGISTRATION_ALLOW_PRIVATE_URLS"],
    )
    keys.ensure_key()
    db.session.commit()
    return reg


@sandbox_cli.command("register")
def register_command() -> None:
    """Register the sandbox LMS with the tool (safe to run again)."""
    reg = register_sandbox()
    click.echo(
        f"sandbox LMS registered: iss={reg.issuer} client_id={reg.client_id} "
        f"deployment={', '.join(d.deployment_id for d in reg.deployments)}"
    )
    added = seed_demo_cohort(reg, sandbox_of(current_app).platform)
    db.session.commit()
    if added:
        click.echo(f"demo cohort: {added} learners' intake answers added to the sandbox course")


@sandbox_cli.command("reset")
def reset_command() -> None:
    """Forget the sandbox's activities, line items, scores, tokens and registrations,
    and put the sandbox clock back to real time."""
    sandbox_of(current_app).store.reset()
    offset = current_app.extensions.get(clock.EXTENSION)
    if offset is not None:
        offset.set(timedelta(0))
    click.echo("sandbox LMS state cleared; the sandbox clock is back to real time")
