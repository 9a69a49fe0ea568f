"""The ``launch`` blueprint, shared by its two view modules (``views`` for login,
launch, deep linking and keys; ``registration_views`` for Dynamic Registration)."""

from flask import Blueprint

bp = Blueprint("launch", __name__, url_prefix="/lti", template_folder="templates")
