"""The baseline for ``bench/launch --baseline``: a bare LTI 1.3 tool on pylti1p3's own API.

The simplest tool anyone would write from pylti1p3's Flask example, and nothing more:

* ``POST /lti/login`` — ``FlaskOIDCLogin(...).redirect(target_link_uri)``: 302 to the platform;
* ``POST /lti/launch`` — ``FlaskMessageLaunch(...).get_launch_data()`` (state, nonce, JWT
  signature, registration, deployment and message checks) and the one page after the
  launch, rendered from the launch data (resource link title, learner, course);
* ``GET /healthz``.

The OIDC state, nonce and launch data live in Redis through pylti1p3's
``FlaskCacheDataStorage`` over a small Redis cache (``RedisCache``: the ``get``/``set``
pair that storage expects from Flask-Caching); the platform's public keys are cached
there too (``set_public_key_caching``), so the JWKS is fetched once, as a well-configured
pylti1p3 tool does. No database. Configured for the bench platform
(``bench/platform_server.py``: same issuer, client id, deployment, JWKS) through the
environment ``bench/launch --baseline`` sets:

``BENCH_BASELINE_ISSUER``, ``BENCH_BASELINE_CLIENT_ID``, ``BENCH_BASELINE_DEPLOYMENT_ID``,
``BENCH_BASELINE_REDIS_URL``, ``BENCH_BASELINE_PRIVATE_KEY`` (a PEM file: pylti1p3 wants a
tool key, though a launch never signs anything), ``BENCH_BASELINE_SECRET_KEY``.

Served by gunicorn: ``gunicorn --workers 4 "bench.baseline_pylti1p3:create_app()"``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import redis
from flask import Flask, Response, render_template_string
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

KEY_PREFIX = "bench-baseline:"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<p>Welcome, {{ name }}{% if course %} ({{ course }}){% endif %}.</p>
<p>Launch {{ launch_id }}</p>
</body></html>"""


class RedisCache:
    """The two calls ``FlaskCacheDataStorage`` makes on a Flask-Caching cache, on Redis.

    Values are JSON (state strings, nonces, launch claims and JWKS are all plain data).
    """

    def __init__(self, url: str, prefix: str = KEY_PREFIX):
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def get(self, key: str) -> Any:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        self._redis.set(self._prefix + key, json.dumps(value), ex=timeout or None)
        return True


def tool_conf(
    issuer: str, client_id: str, deployment_id: str, private_key_pem: str
) -> ToolConfDict:
    conf = ToolConfDict(
        {
            issuer: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": issuer + "/auth",
                    "auth_token_url": issuer + "/token",
                    "auth_audience": None,
                    "key_set_url": issuer + "/jwks",
                    "key_set": None,
                    "deployment_ids": [deployment_id],
                }
            ]
        }
    )
    conf.set_private_key(issuer, private_key_pem, client_id=client_id)
    return conf


def create_app() -> Flask:
    env = os.environ
    issuer = env["BENCH_BASELINE_ISSUER"]
    with open(env["BENCH_BASELINE_PRIVATE_KEY"]) as fh:
        key_pem = fh.read()
    conf = tool_conf(
        issuer, env["BENCH_BASELINE_CLIENT_ID"], env["BENCH_BASELINE_DEPLOYMENT_ID"], key_pem
    )
    cache = RedisCache(env["BENCH_BASELINE_REDIS_URL"])

    app = Flask(__name__)
    app.secret_key = env["BENCH_BASELINE_SECRET_KEY"]

    def storage() -> FlaskCacheDataStorage:
        return FlaskCacheDataStorage(cache)

    @app.post("/lti/login")
    def login() -> Any:
        flask_request = FlaskRequest()
        target = flask_request.get_param("target_link_uri")
        if not target:
            return Response("missing target_link_uri", 400)
        oidc = FlaskOIDCLogin(flask_request, conf, launch_data_storage=storage())
        return oidc.redirect(target)

    @app.post("/lti/launch")
    def launch() -> Any:
        flask_request = FlaskRequest()
        data_storage = storage()
        message_launch = FlaskMessageLaunch(flask_request, conf, launch_data_storage=data_storage)
        message_launch.set_public_key_caching(data_storage, cache_lifetime=7200)
        claims = message_launch.get_launch_data()
        link = claims.get("https://purl.imsglobal.org/spec/lti/claim/resource_link", {})
        context = claims.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
        return render_template_string(
            PAGE,
            title=link.get("title", "Activity"),
            name=claims.get("name", ""),
            course=context.get("title", ""),
            launch_id=message_launch.get_launch_id(),
        )

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")

    return app
