"""counsel: exercises, reviews, session logs and progress reports for relationship
counselors. ``create_app`` wires configuration, extensions, blueprints, errors and
commands; nothing else happens here."""

from flask import Flask

from . import config, serving


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    serving.init_app(app)
    register_extensions(app)
    from . import inputs

    inputs.init_app(app)
    register_blueprints(app)
    from . import web

    web.init_app(app)
    from . import cli

    cli.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import database
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(app))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .auth import login

    login.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .assignments import bp as assignments_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .clients import bp as clients_bp
    from .dashboard import bp as dashboard_bp
    from .library import bp as library_bp
    from .notifications import bp as notifications_bp
    from .portal import bp as portal_bp
    from .reports import bp as reports_bp
    from .session_log import bp as session_log_bp

    for blueprint in (auth_bp, dashboard_bp, admin_bp, clients_bp, library_bp,
                      assignments_bp, portal_bp, cases_bp, session_log_bp, reports_bp,
                      notifications_bp):
        app.register_blueprint(blueprint)


def _migrations_dir(app: Flask) -> str:
    import os

    return os.path.join(os.path.dirname(app.root_path), "migrations")
