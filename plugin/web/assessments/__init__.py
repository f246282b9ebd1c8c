"""Self-assessment questionnaires: the pages (taking one, my growth, the trainers' overview and setup)."""

from plugin.web.assessments import pages  # noqa: F401  (registers the routes)
from plugin.web.assessments.blueprint import bp

__all__ = ["bp"]
