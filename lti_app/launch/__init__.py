"""LTI 1.3 entry points: OIDC login, launch, deep linking, JWKS, dynamic registration."""

from flask import Blueprint

bp = Blueprint("launch", __name__, url_prefix="/lti", template_folder="templates")

from lti_app.launch import views  # noqa: E402,F401

from lti_app.launch import registration_views  # noqa: E402,F401  # isort: skip
