"""The dashboard pages: the filters from the query string, one service call, the charts as images with their
tables, every chart's CSV and the workbook of the whole dashboard."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, render_template, request

from plugin.domain.dashboards import parse_filters
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import dashboards
from plugin.web.auth import current_actor
from plugin.web.dashboards.blueprint import bp
from plugin.web.dashboards.charts import svg
from plugin.web.dashboards.labels import CATEGORY, DESCRIPTIONS, EMPTY, SERIES, TITLES, label, table
from plugin.web.errors import render_error

PROGRAMME_CHARTS = ("funnel", "signoffs", "plan_items", "health", "growth", "events")
ORGANISATION_CHARTS = ("per_cohort", "per_year")
#: an SVG document may style itself, and nothing else
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def _programme() -> dashboards.ProgrammeDashboard:
    filters = parse_filters(request.args)
    board = dashboards.programme_dashboard(db.session, current_actor(), _catalogue(), filters, utcnow().date())
    db.session.commit()
    return board


def _organisation() -> dashboards.OrganisationDashboard:
    filters = parse_filters(request.args)
    board = dashboards.organisation_dashboard(db.session, current_actor(), _catalogue(), filters, utcnow().date())
    db.session.commit()
    return board


def _page(template: str, board: Any, endpoint: str) -> Response:
    context = {"board": board, "titles": TITLES, "descriptions": DESCRIPTIONS, "empty": EMPTY, "category": CATEGORY, "series_names": SERIES, "label": label, "params": board.filters.as_params(), "endpoint": endpoint}
    return make_response(render_template(template, **context))


def _svg(board: Any, key: str) -> Response:
    response = make_response(svg(board.chart(key)))
    response.mimetype = "image/svg+xml"
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _csv(board: Any, key: str, prefix: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="tandem-{prefix}-{key}.csv"', "Cache-Control": "private, no-store"}
    return Response(dashboards.as_csv(table(board.chart(key))), 200, mimetype="text/csv", headers=headers)


def _xlsx(board: Any, prefix: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="tandem-{prefix}-dashboard.xlsx"', "Cache-Control": "private, no-store"}
    return Response(dashboards.as_xlsx([table(c) for c in board.charts]), 200, mimetype=XLSX, headers=headers)


@bp.route("/dashboards/programme")
def programme() -> Response:
    return _page("dashboards/programme.html", _programme(), "dashboards.programme")


@bp.route("/dashboards/programme/<key>.svg")
def programme_chart(key: str) -> Response:
    if key not in PROGRAMME_CHARTS:
        return render_error(404)
    return _svg(_programme(), key)


@bp.route("/dashboards/programme/<key>.csv")
def programme_csv(key: str) -> Response:
    if key not in PROGRAMME_CHARTS:
        return render_error(404)
    return _csv(_programme(), key, "programme")


@bp.route("/dashboards/programme.xlsx")
def programme_xlsx() -> Response:
    return _xlsx(_programme(), "programme")


@bp.route("/dashboards/organisation")
def organisation() -> Response:
    return _page("dashboards/organisation.html", _organisation(), "dashboards.organisation")


@bp.route("/dashboards/organisation/<key>.svg")
def organisation_chart(key: str) -> Response:
    if key not in ORGANISATION_CHARTS:
        return render_error(404)
    return _svg(_organisation(), key)


@bp.route("/dashboards/organisation/<key>.csv")
def organisation_csv(key: str) -> Response:
    if key not in ORGANISATION_CHARTS:
        return render_error(404)
    return _csv(_organisation(), key, "organisation")


@bp.route("/dashboards/organisation.xlsx")
def organisation_xlsx() -> Response:
    return _xlsx(_organisation(), "organisation")

