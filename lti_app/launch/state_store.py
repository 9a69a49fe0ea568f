"""Single-use, expiring server-side records for the launch (state, nonce, tickets).

``take`` is atomic: of two requests presenting the same state (a replayed
id_token), exactly one gets the record. Two backends:

* :class:`DbStore` — ``DELETE … RETURNING`` in the request's transaction
  (SQLite ≥ 3.35 and PostgreSQL), the embedded default;
* :class:`RedisStore` — ``SET EX`` / ``GETDEL``, shared by every process, for
  production (``PEERLIFT_REDIS_URL``).
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.launch.models import LaunchRecord


class Store(Protocol):
    def put(self, key: str, value: dict[str, Any], ttl: int) -> None: ...
    def take(self, key: str) -> dict[str, Any] | None: ...
    def get(self, key: str) -> dict[str, Any] | None: ...


class DbStore:
    purge_probability = 0.01

    def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        now = utcnow()
        if random.random() < self.purge_probability:
            db.session.execute(delete(LaunchRecord).where(LaunchRecord.expires_at < now))
        db.session.add(
            LaunchRecord(key=key, value=json.dumps(value), expires_at=now + timedelta(seconds=ttl))
        )
        db.session.flush()

    def take(self, key: str) -> dict[str, Any] | None:
        row = db.session.execute(
            delete(LaunchRecord)
            .where(LaunchRecord.key == key)
            .returning(LaunchRecord.value, LaunchRecord.expires_at)
        ).first()
        if row is None or row.expires_at < utcnow():
            return None
        value: dict[str, Any] = json.loads(row.value)
        return value

    def get(self, key: str) -> dict[str, Any] | None:
        row = db.session.get(LaunchRecord, key)
        if row is None or row.expires_at < utcnow():
            return None
        value: dict[str, Any] = json.loads(row.value)
        return value


class RedisStore:
    prefix = "peerlift:launch:"

    def __init__(self, url: str):
        import redis  # lazy: only a deployment with Redis loads its client

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def put(self, key: str, value: dict[str, Any], ttl: int) -> None:
        self.client.set(self.prefix + key, json.dumps(value), ex=ttl, nx=True)

    def take(self, key: str) -> dict[str, Any] | None:
        raw = self.client.getdel(self.prefix + key)
        return json.loads(raw) if raw else None

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self.client.get(self.prefix + key)
        return json.loads(raw) if raw else None


def make_store(redis_url: str) -> Store:
    return RedisStore(redis_url) if redis_url else DbStore()
