"""Backups and restores (SECURITY.md 18 and 22).

A live database is never copied as a file, which can catch it half-written. SQLite is
copied with its online backup API: one read transaction, so the copy is a consistent
snapshot, and in WAL mode the app goes on writing meanwhile. PostgreSQL is dumped with
``pg_dump`` in its custom format, also one snapshot. Backup files are created 0600 in a
0700 folder and named by UTC time. A restore goes only into a database that holds no
records, unless forced; a forced restore first backs up what it is about to replace.
"""

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from .database import PRIVATE, make_private, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# A database with a row in any of these holds records worth keeping.
RECORD_TABLES = ("users", "audit_events")
PG_QUERY_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "host": "PGHOST"}
TOOL_TIMEOUT = 6 * 60 * 60


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def default_folder(app: Flask) -> Path:
    return Path(app.instance_path) / "backups"


def database_url(app: Flask) -> URL:
    """The URL the app really connects to: Flask-SQLAlchemy resolves a relative SQLite
    path against the instance folder, not the working directory."""
    from .extensions import db

    with app.app_context():
        return db.engine.url


def backup(app: Flask, folder: str | os.PathLike | None = None) -> Path:
    """Write a backup of the app's database into ``folder``; returns its path."""
    url = database_url(app)
    folder = Path(folder or default_folder(app))
    if url.get_backend_name() == "sqlite":
        return _backup_sqlite(url, folder)
    if url.get_backend_name() == "postgresql":
        return _backup_postgres(url, folder)
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def restore(app: Flask, file: str | os.PathLike, *, force: bool = False) -> Path | None:
    """Replace the app's database with the backup in ``file``. Refuses a database that
    holds records unless ``force``; then returns the backup taken of it first."""
    from .extensions import db

    url = database_url(app)
    file = Path(file)
    with open(file, "rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"Restoring {kind} databases is not supported.")
    if not magic.startswith(SQLITE_MAGIC if kind == "sqlite" else PG_MAGIC):
        expected = "a SQLite backup" if kind == "sqlite" else "a pg_dump custom-format file"
        raise BackupError(f"{file} is not {expected}, which this {kind} database needs.")
    if kind == "sqlite":
        if sqlite_path(url) is None:
            raise BackupError("An in-memory SQLite database cannot be restored into.")
        make_private(sqlite_path(url))
    tables, records = _contents(url)
    saved = None
    if records:
        if not force:
            raise BackupError(f"The database already holds {records} records (accounts and "
                              "audit rows). Restore into an empty database, or pass --force to "
                              "replace it (a backup of it is taken first).")
        saved = backup(app)
    with app.app_context():
        db.engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(file, sqlite_path(url))
    else:
        _restore_postgres(file, url, clean=bool(tables))
    return saved


# --- SQLite ------------------------------------------------------------------------------

def _backup_sqlite(url: URL, folder: Path) -> Path:
    source = sqlite_path(url)
    if source is None or not os.path.exists(source):
        raise BackupError(f"There is no SQLite database file to back up at {url.database}.")
    path = _new_file(folder, ".sqlite")
    try:
        with contextlib.closing(sqlite3.connect(source, timeout=30)) as src, \
                contextlib.closing(sqlite3.connect(path)) as dest:
            src.backup(dest)  # all pages in one step: one consistent snapshot
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check_sqlite(dest, path)
    except (sqlite3.Error, BackupError) as error:
        path.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {error}") from error
    return path


def _restore_sqlite(file: Path, target: str) -> None:
    try:
        with contextlib.closing(sqlite3.connect(file.resolve().as_uri() + "?mode=ro",
                                                uri=True)) as src:
            _check_sqlite(src, file)
            with contextlib.closing(sqlite3.connect(target, timeout=30)) as dest:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed: {error}") from error
    make_private(target)


def _check_sqlite(connection: sqlite3.Connection, path) -> None:
    if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise BackupError(f"{path} is damaged (SQLite quick_check failed).")
    if not connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
        raise BackupError(f"{path} is not a counsel database.")


# --- PostgreSQL --------------------------------------------------------------------------

def _backup_postgres(url: URL, folder: Path) -> Path:
    tool = pg_tool("pg_dump", url)
    path = _new_file(folder, ".pgdump")
    with open(path, "wb") as out:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [tool, "--format=custom", "--no-password"], stdout=out, stderr=subprocess.PIPE,
            env=_pg_env(url), timeout=TOOL_TIMEOUT, check=False)
    if result.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError("pg_dump failed: " + result.stderr.decode(errors="replace").strip())
    return path


def _restore_postgres(file: Path, url: URL, *, clean: bool) -> None:
    command = [pg_tool("pg_restore", url), "--no-password", "--no-owner", "--exit-on-error",
               "--single-transaction", f"--dbname={url.database}", str(file)]
    if clean:  # the schema exists (from db upgrade or an earlier restore): replace it
        command[1:1] = ["--clean", "--if-exists"]
    result = subprocess.run(command, capture_output=True, env=_pg_env(url),  # noqa: S603
                            timeout=TOOL_TIMEOUT, check=False)
    if result.returncode != 0:
        raise BackupError("pg_restore failed (nothing was changed): "
                          + result.stderr.decode(errors="replace").strip())


def pg_tool(name: str, url: URL) -> str:
    """``pg_dump`` or ``pg_restore`` at least as new as the server: an older pg_dump
    refuses a newer server. Debian keeps each major version under /usr/lib/postgresql."""
    server = server_major(url)
    candidates = [f"/usr/lib/postgresql/{server}/bin/{name}", shutil.which(name)]
    found = []
    for candidate in filter(None, candidates):
        if os.access(candidate, os.X_OK):
            major = _tool_major(candidate)
            if major is not None and major >= server:
                return candidate
            found.append(f"{candidate} is version {major}")
    raise BackupError(f"{name} {server} or newer is needed for this PostgreSQL {server} "
                      f"server ({'; '.join(found) or 'none found'}). Install "
                      f"postgresql-client-{server}.")


def server_major(url: URL) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()


def _tool_major(path: str) -> int | None:
    output = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                            timeout=30, check=False).stdout
    match = re.search(r"\)\s+(\d+)", output)
    return int(match.group(1)) if match else None


def _pg_env(url: URL) -> dict:
    """Connection settings for the PostgreSQL tools through the environment, so the
    password never appears in a process listing."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    for key, value in url.query.items():
        if key in PG_QUERY_ENV:
            env[PG_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    return env


# --- both --------------------------------------------------------------------------------

def _contents(url: URL) -> tuple[set[str], int]:
    """The database's tables, and how many rows its record tables hold."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            records = sum(connection.execute(select(func.count()).select_from(table(name)))
                          .scalar() for name in RECORD_TABLES if name in tables)
    finally:
        engine.dispose()
    return tables, records


def _new_file(folder: Path, suffix: str) -> Path:
    """A new, empty 0600 file named by the time, in a 0700 folder."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 100):
        path = folder / f"counsel-{stamp}{f'-{n}' if n > 1 else ''}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
            return path
        except FileExistsError:
            continue
    raise BackupError(f"Too many backups named counsel-{stamp} in {folder}.")
