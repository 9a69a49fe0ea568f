"""LTI 1.3 entry points: OIDC login, launch, deep linking, JWKS, dynamic registration."""

from flask import Flask

from lti_app.launch import registration_views, runtime, views
from lti_app.launch.blueprint import bp
from lti_app.launch.errors import LaunchError

__all__ = ["bp", "init_app"]

#: The modules whose routes ``bp`` carries (each adds its own when imported above).
VIEW_MODULES = (views, registration_views)


def init_app(app: Flask) -> None:
    """The launch state store, platform key cache and tool site; the ``/lti`` blueprint;
    the page every refused login, launch or registration answers with."""
    runtime.init_app(app)
    app.register_blueprint(bp)
    app.register_error_handler(LaunchError, views.launch_error)
