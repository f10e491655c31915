"""The JSON API under /api/v1: thin handlers over the services, one error shape everywhere."""

from flask import Blueprint

from review_app.api.errors import refuse_nul_characters

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(refuse_nul_characters)

from review_app.api import documents, exports, reviews, spec, webhooks  # noqa: E402,F401  (routes register on import)
