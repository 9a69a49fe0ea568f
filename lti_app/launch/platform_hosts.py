"""Which host may speak for which platform in Dynamic Registration: the same-origin
rule between an issuer and the URL of its OpenID configuration, and the hosted-Canvas
exception (one shared issuer, each customer on its own host).

Split from :mod:`lti_app.launch.platform_config` (fetching and checking the
configuration), which asks :func:`config_host_allowed` before trusting it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: Every hosted Canvas shares one of these issuers; the OpenID configuration
#: is served from the customer's own domain (school.instructure.com or a
#: vanity domain), so the host rule cannot tie the two together.
CANVAS_ISSUERS = frozenset(
    {
        "https://canvas.instructure.com",
        "https://canvas.beta.instructure.com",
        "https://canvas.test.instructure.com",
    }
)

#: Where each hosted-Canvas issuer's customers are served: ``<school>.instructure.com``
#: (production), ``<school>.beta.instructure.com``, ``<school>.test.instructure.com``.
#: Canvas serves a customer's OpenID configuration from that customer's own host.
#: A customer on a vanity domain (canvas.school.edu) is added by the operator
#: (``PEERLIFT_REGISTRATION_CANVAS_HOSTS``).
CANVAS_HOST_SUFFIXES = {
    "https://canvas.instructure.com": ".instructure.com",
    "https://canvas.beta.instructure.com": ".beta.instructure.com",
    "https://canvas.test.instructure.com": ".test.instructure.com",
}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL, the port made explicit."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("https", "http") or not host:
        return None
    return scheme, host, port or (443 if scheme == "https" else 80)


def config_host_allowed(issuer: str, config_url: str, canvas_hosts: tuple[str, ...] = ()) -> bool:
    """May the OpenID configuration at ``config_url`` speak for ``issuer``?

    LTI Dynamic Registration: the issuer and the configuration URL must match,
    so the rule is exact: the same origin (scheme, host and port; no parent or
    sibling domains, so ``attacker.moodlecloud.com`` cannot speak for
    ``victim.moodlecloud.com``), and when the issuer has a path (Moodle in a
    sub-directory) the configuration lives under it (``https://host/schoolA``
    cannot speak for ``https://host/schoolB``).

    The one exception is hosted Canvas, whose customers all share the issuers in
    :data:`CANVAS_ISSUERS` and serve the configuration from their own host: it
    must then be an https URL on a host of that Canvas environment
    (``school.instructure.com`` for ``canvas.instructure.com``), or a vanity
    host the operator listed in ``canvas_hosts``.
    """
    config = _origin(config_url)
    if config is None:
        return False
    canvas_suffix = CANVAS_HOST_SUFFIXES.get(issuer.rstrip("/"))
    if canvas_suffix is not None:
        scheme, host, port = config
        if host in canvas_hosts:
            return True  # vouched for by the operator (fetches are https-only anyway)
        if scheme != "https" or port != 443:
            return False
        label = host[: -len(canvas_suffix)] if host.endswith(canvas_suffix) else ""
        return bool(label) and "." not in label and label not in ("canvas", "sso")
    if _origin(issuer) != config:
        return False
    issuer_path = urlsplit(issuer).path.rstrip("/")
    config_path = urlsplit(config_url).path
    return (
        not issuer_path or config_path == issuer_path or config_path.startswith(issuer_path + "/")
    )
