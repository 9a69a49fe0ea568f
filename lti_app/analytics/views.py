"""Pages of learning measurement and the L&D dashboard (blueprint ``analytics``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/an", template_folder="templates")
