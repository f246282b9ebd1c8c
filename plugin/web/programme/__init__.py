"""The programme pages: setup, participants (roster sync, CSV import), matching with progress, review and
publish (trainers); profile and needs map, and the published tandem (participants). One module per page group;
importing them registers their routes on ``bp``."""

from plugin.web.programme import grades, my_tandem, overview, profile, progress, review, setup  # noqa: F401 - routes
from plugin.web.programme.blueprint import bp

__all__ = ["bp"]
