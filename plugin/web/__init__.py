"""The web adapter: blueprints for pages, error handlers and security headers."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Register the web blueprints, error pages and response headers."""
    from plugin.web import catalogue, errors, i18n, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(catalogue.bp)
    from plugin.web import frameworks

    app.register_blueprint(frameworks.bp)
    from plugin.web import programme

    app.register_blueprint(programme.bp)
    from plugin.web import tandem

    app.register_blueprint(tandem.bp)
    from plugin.web import signoffs

    app.register_blueprint(signoffs.bp)
    from plugin.web import circles, coffee, events, groups, network

    for capability in (groups, circles, coffee, events, network):
        app.register_blueprint(capability.bp)
    from plugin.web import assessments, credentials, dashboards, erasure, notifications

    for capability in (assessments, dashboards, notifications, credentials, erasure):
        app.register_blueprint(capability.bp)
    errors.init_app(app)
    i18n.init_app(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Tandem lives in LMS iframes: never X-Frame-Options DENY. Nothing is loaded from elsewhere.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action *; base-uri 'self'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
