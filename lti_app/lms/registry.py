"""Platform registry services: add, find, list, approve and remove platforms.

Side effects: flushes rows; the caller (CLI command or request) commits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms.models import ACTIVE, PENDING, Deployment, Registration

log = logging.getLogger(__name__)


class RegistryError(ValueError):
    """A registry request that cannot be carried out; the message is for people."""


class AmbiguousIssuer(RegistryError):
    pass


class _LookupCache:
    """Per-process cache of registration/deployment rows, read on every request.

    Launches, logins and pages look these up several times per request; the rows
    change only when an administrator acts. Entries live ``ttl`` seconds (other
    processes see a change within that time) and this process's own changes
    clear the cache at once. Hits are merged into the session without SQL
    (``merge(load=False)``), so callers get ordinary ORM objects.
    """

    _MISSING = object()

    def __init__(self) -> None:
        self.ttl = 10.0
        self._lock = threading.Lock()
        self._data: dict[tuple[Any, ...], tuple[float, Any]] = {}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            hit = self._data.get(key)
        if hit is None or time.monotonic() > hit[0]:
            return self._MISSING
        return hit[1]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._data) > 10_000:
                self._data.clear()
            self._data[key] = (time.monotonic() + self.ttl, value)


_cache = _LookupCache()


def configure_cache(ttl: float) -> None:
    _cache.ttl = ttl
    _cache.clear()


def clear_cache() -> None:
    _cache.clear()


_TOUCHED = "peerlift.registry-touched"


@event.listens_for(Session, "after_flush")
def _registry_flushed(session: Session, _ctx: Any) -> None:
    """Any session that writes a registration or deployment (an edit, an approval,
    a removal, on whatever path) clears this process's cache at once, and again
    when it commits, so no request re-caches the row as it was in between. Other
    processes see the change within the cache's ``ttl``."""
    ours = (Registration, Deployment)
    touched = any(isinstance(obj, ours) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, ours) and session.is_modified(obj, include_collections=False)
        for obj in session.dirty
    )  # ``dirty`` also lists rows only touched (a backref, a merge): their columns count
    if touched:
        session.info[_TOUCHED] = True
        _cache.clear()


@event.listens_for(Session, "after_commit")
def _registry_committed(session: Session) -> None:
    if session.info.pop(_TOUCHED, False):
        _cache.clear()


def _snapshot(obj: Registration | Deployment | None) -> Any:
    if obj is None:
        return None
    mapper = type(obj).__mapper__
    return type(obj), {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def _revive(snapshot: Any) -> Any:
    """The cached row as a persistent object of this request's session, without SQL.

    The row's columns go straight into a fresh instance's ``__dict__`` (as a load
    would put them) and the instance is attached as it stands: ``model(**values)``
    and ``merge(load=False)`` set every column twice through the instrumentation,
    which cost more than the launch's signature check. A row this session already
    holds (and has not expired) is returned as it is."""
    if snapshot is None:
        return None
    model, values = snapshot
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session = db.session()
    held = session.identity_map.get(inspect(obj).key)
    if held is None:
        session.add(obj)
        return obj
    if not inspect(held).expired_attributes:
        return held
    return session.merge(obj, load=False)


def _cached(key: tuple[Any, ...], load: Any) -> Any:
    hit = _cache.get(key)
    if hit is not _cache._MISSING:
        if isinstance(hit, AmbiguousIssuer):
            raise hit
        return _revive(hit)
    try:
        obj = load()
    except AmbiguousIssuer as exc:
        _cache.put(key, exc)
        raise
    _cache.put(key, _snapshot(obj))
    return obj


@dataclass(frozen=True)
class PlatformSpec:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    name: str = ""
    auth_audience: str | None = None
    product_family: str | None = None


def _check_url(label: str, url: str, *, allow_http: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegistryError(f"{label} must be an absolute http(s) URL, not {url!r}")
    if parts.scheme == "http" and not allow_http:
        raise RegistryError(f"{label} must use https: {url!r}")


def _check_lti_id(label: str, value: str) -> None:
    if not value or len(value) > 255 or not value.isascii():
        raise RegistryError(f"{label} must be 1-255 ASCII characters")


def validate_spec(spec: PlatformSpec, *, allow_http: bool) -> None:
    _check_lti_id("issuer", spec.issuer)
    _check_lti_id("client id", spec.client_id)
    for label, url in (
        ("auth login URL", spec.auth_login_url),
        ("auth token URL", spec.auth_token_url),
        ("JWKS URL", spec.jwks_url),
    ):
        _check_url(label, url, allow_http=allow_http)


def add_platform(
    spec: PlatformSpec,
    deployment_ids: list[str],
    *,
    status: str = ACTIVE,
    allow_http: bool = True,
) -> Registration:
    """Create or update the registration (issuer, client_id) and add deployments.

    Existing deployments are kept; new ones take ``status``.
    """
    validate_spec(spec, allow_http=allow_http)
    for dep in deployment_ids:
        _check_lti_id("deployment id", dep)
    reg = db.session.scalar(
        select(Registration).where(
            Registration.issuer == spec.issuer, Registration.client_id == spec.client_id
        )
    )
    if reg is None:
        reg = Registration(issuer=spec.issuer, client_id=spec.client_id, status=status)
        if status == ACTIVE:
            reg.approved_at = utcnow()
        db.session.add(reg)
    reg.name = spec.name or reg.name or spec.issuer
    reg.auth_login_url = spec.auth_login_url
    reg.auth_token_url = spec.auth_token_url
    reg.auth_audience = spec.auth_audience
    reg.jwks_url = spec.jwks_url
    if spec.product_family:
        reg.product_family = spec.product_family
    known = {d.deployment_id for d in reg.deployments}
    for dep in deployment_ids:
        if dep not in known:
            reg.deployments.append(Deployment(deployment_id=dep, status=status))
    db.session.flush()
    clear_cache()
    log.info(
        "registry: saved %s client_id=%s deployments=%s",
        spec.issuer,
        spec.client_id,
        deployment_ids,
    )
    return reg


def list_registrations() -> list[Registration]:
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def get_registration(key: str) -> Registration:
    """Find a registration by public id or by numeric id (admin CLI)."""
    stmt = select(Registration).where(Registration.public_id == key)
    reg: Registration | None = db.session.scalar(stmt)
    if reg is None and key.isdigit():
        reg = db.session.get(Registration, int(key))
    if reg is None:
        raise RegistryError(f"no registration {key!r}")
    return reg


def find_registration(issuer: str, client_id: str | None) -> Registration | None:
    """The registration for (issuer, client_id); with no client_id, the issuer's only one."""

    def load() -> Registration | None:
        stmt = select(Registration).where(Registration.issuer == issuer)
        if client_id:
            found: Registration | None = db.session.scalar(
                stmt.where(Registration.client_id == client_id)
            )
            return found
        regs = list(db.session.scalars(stmt.limit(2)))
        if len(regs) > 1:
            raise AmbiguousIssuer(
                "several registrations share this issuer and the platform did not send client_id"
            )
        return regs[0] if regs else None

    result: Registration | None = _cached(("reg", issuer, client_id), load)
    return result


def find_deployment(reg: Registration, deployment_id: str) -> Deployment | None:
    result: Deployment | None = _cached(
        ("dep", reg.id, deployment_id),
        lambda: db.session.scalar(
            select(Deployment).where(
                Deployment.registration_id == reg.id, Deployment.deployment_id == deployment_id
            )
        ),
    )
    return result


def registration_by_public_id(public_id: str) -> Registration | None:
    result: Registration | None = _cached(
        ("reg-pid", public_id),
        lambda: db.session.scalar(select(Registration).where(Registration.public_id == public_id)),
    )
    return result


def deployment_by_public_id(reg: Registration, public_id: str) -> Deployment | None:
    result: Deployment | None = _cached(
        ("dep-pid", reg.id, public_id),
        lambda: db.session.scalar(
            select(Deployment).where(
                Deployment.public_id == public_id, Deployment.registration_id == reg.id
            )
        ),
    )
    return result


def approve(reg: Registration) -> Registration:
    """Activate a pending registration and its pending deployments."""
    reg.status = ACTIVE
    reg.approved_at = utcnow()
    for dep in reg.deployments:
        if dep.status == PENDING:
            dep.status = ACTIVE
    db.session.flush()
    clear_cache()
    log.info("registry: approved %s client_id=%s", reg.issuer, reg.client_id)
    return reg


def remove(reg: Registration, deployment_id: str | None = None) -> str:
    """Remove one deployment, or the whole registration when no deployment is named."""
    clear_cache()
    if deployment_id is None:
        db.session.delete(reg)
        db.session.flush()
        return f"removed registration {reg.issuer} / {reg.client_id}"
    dep = find_deployment(reg, deployment_id)
    if dep is None:
        raise RegistryError(f"no deployment {deployment_id!r} on that registration")
    db.session.delete(dep)
    db.session.flush()
    return f"removed deployment {deployment_id} of {reg.issuer} / {reg.client_id}"
