"""Dashboards of the programme and the organisation: the pages, the charts (SVG), their CSV and the workbook."""

from plugin.web.dashboards.blueprint import bp
from plugin.web.dashboards import pages  # noqa: F401, E402  (registers the routes on bp)

__all__ = ["bp"]
