"""The durable review store: reviewers' decisions in one SQLite file.

``ReviewStore(path)`` opens an existing store (``create=True`` makes a new one),
``ReviewStore(path, read_only=True)`` and :meth:`ReviewStore.open_snapshot` read one
without ever writing to it. It keeps, per catalog, the current decision on each
(course, standard) pair, an append-only audit trail of every change, which
suggestions were shown (so progress can be computed) and where each reviewer was
(so reopening resumes there). ``decisions()`` returns the shared decisions table
(:data:`alignment.data.decisions.DECISION_COLUMNS` plus ``catalog``), so gap analysis
and exports read the store exactly as they read a decisions CSV.

Durability and concurrency
--------------------------
* WAL journal: readers never block the writer and the writer never blocks readers;
  a crashed writer leaves the database consistent (the torn tail of the WAL is
  ignored on reopen).
* ``synchronous=FULL`` (default): every COMMIT syncs the WAL, so a decision the
  reviewer saw confirmed survives a power cut, not only a crashed process.
  ``NORMAL`` would be safe against process crashes only. Decisions are human
  clicks (a few per minute), so the cost of the sync is invisible.
* ``busy_timeout``: concurrent writers (two reviewers, two app kernels) wait for
  the lock instead of failing with "database is locked".
* One ``BEGIN IMMEDIATE ... COMMIT`` per decision: the write lock is taken up
  front (no deadlock-prone read-to-write upgrade), and the decision and its audit
  row commit together or not at all.
* One connection per thread (sqlite3 objects never cross threads); a forked child
  opens its own connections. Many processes may open the same file.

Opening a file
--------------
Every refusal is a :class:`ReviewStoreError` naming the file and saying what to do:

* a missing file is :class:`MissingStoreError` unless ``create=True``: a mistyped
  path must not quietly start an empty store and lose sight of every decision;
* a file SQLite cannot write (the file, or its folder, where SQLite keeps the
  ``-wal`` and ``-shm`` files beside it) is :class:`ReadOnlyStoreError` on open,
  not a raw error on the first decision; ``read_only=True`` opens it for reading;
* a damaged file (``PRAGMA quick_check`` fails) is :class:`DamagedStoreError` on
  open, before any decision is written on top of it;
* a file that is not a review store, or one from a newer release, is
  :class:`SchemaVersionError`.

Schema and migrations
---------------------
``PRAGMA user_version`` holds the schema version. :data:`MIGRATIONS` lists the
functions that bring a database from version ``i`` to ``i + 1``; opening a store
applies the missing ones, in order, in one transaction. A database written by a
newer release (higher version) is refused with :class:`SchemaVersionError`.

=========  ================================================================
version 1  ``decisions`` (catalog, course_id, standard_id, decision, reviewer,
           note, decided_at; primary key (catalog, course_id, standard_id));
           ``audit`` (append-only: UPDATE and DELETE abort).
version 2  ``decisions`` gains ``association_type`` and ``origin``; ``audit``
           gains ``reverts`` (the audit id an undo reverted); new tables
           ``suggestions`` (what was shown, for progress) and ``positions``
           (each reviewer's last course per catalog).
version 3  ``audit`` gains ``batch``: the id shared by the rows of one bulk
           decision (:meth:`ReviewStore.record_many`), which :meth:`ReviewStore.undo`
           reverts as one unit.
version 4  ``review_settings``: per catalog, how many reviewers a pair needs
           (``required_reviews``, 1 or 2) and whether a second reviewer sees the
           first review before deciding (``second_review_visible``; blind by default).
version 5  crosswalks between standards editions
           (:mod:`alignment.review.crosswalk_store`): ``crosswalk_suggestions``
           (what was shown), ``crosswalk_decisions`` (``exact`` / ``related`` /
           ``none`` per (edition A standard, edition B standard) pair),
           ``crosswalk_audit`` (append-only, like ``audit``) and ``carried``
           (course decisions carried across a crosswalk, with their source).
           Additive: no earlier table changes.
=========  ================================================================
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from alignment.data.decisions import ASSOCIATION_TYPES, DECISION_COLUMNS, DECISIONS, ORIGINS
from alignment.io.errors import InputError

#: Longest note accepted (characters).
MAX_NOTE_CHARS = 2_000
#: Longest catalog, course, standard or reviewer name accepted (characters).
MAX_ID_CHARS = 200
#: How long a writer waits for another writer's lock before giving up (ms).
BUSY_TIMEOUT_MS = 30_000

#: Columns of :meth:`ReviewStore.decisions`.
STORE_DECISION_COLUMNS = DECISION_COLUMNS + ["catalog"]
#: Columns of :meth:`ReviewStore.audit`.
AUDIT_COLUMNS = [
    "id", "at", "reviewer", "catalog", "course_id", "standard_id", "action", "previous", "new", "reverts", "batch",
]
#: Columns of :meth:`ReviewStore.progress`.
PROGRESS_COLUMNS = [
    "catalog", "course_id", "suggestions", "reviewed", "accepted", "rejected", "added", "complete",
]
#: Audit actions.
ACTIONS = ("record", "clear", "undo")


class ReviewStoreError(RuntimeError):
    """A file cannot be opened as a review store; the message names it and says why."""


class SchemaVersionError(ReviewStoreError):
    """The file is not a review store this release can open."""


class MissingStoreError(ReviewStoreError):
    """No review store at the path, and creating one was not asked for (``create=True``)."""


class ReadOnlyStoreError(ReviewStoreError):
    """The store cannot be written: the file or its folder is read-only, or it was opened
    with ``read_only=True``."""


class DamagedStoreError(ReviewStoreError):
    """SQLite's ``quick_check`` finds the file damaged (corrupt pages)."""


# --------------------------------------------------------------------------- schema

#: Triggers that make the audit table append-only (part of schema version 1).
_APPEND_ONLY_TRIGGERS = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
       BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows cannot be changed'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
       BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows cannot be deleted'); END""",
]


def _migrate_to_1(con: sqlite3.Connection) -> None:
    """Decisions and the append-only audit trail."""
    con.execute("""
        CREATE TABLE decisions (
            catalog     TEXT NOT NULL,
            course_id   TEXT NOT NULL,
            standard_id TEXT NOT NULL,
            decision    TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            reviewer    TEXT NOT NULL,
            note        TEXT NOT NULL DEFAULT '',
            decided_at  TEXT NOT NULL,
            PRIMARY KEY (catalog, course_id, standard_id)
        )""")
    con.execute("""
        CREATE TABLE audit (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          TEXT NOT NULL,
            reviewer    TEXT NOT NULL,
            catalog     TEXT NOT NULL,
            course_id   TEXT NOT NULL,
            standard_id TEXT NOT NULL,
            action      TEXT NOT NULL,
            previous    TEXT,
            new         TEXT
        )""")
    for trigger in _APPEND_ONLY_TRIGGERS:
        con.execute(trigger)


def _migrate_to_2(con: sqlite3.Connection) -> None:
    """Association type and origin on decisions; undo links; progress and positions."""
    con.execute("ALTER TABLE decisions ADD COLUMN association_type TEXT NOT NULL DEFAULT 'exactMatchOf' "
                "CHECK (association_type IN ('exactMatchOf', 'isRelatedTo'))")
    con.execute("ALTER TABLE decisions ADD COLUMN origin TEXT NOT NULL DEFAULT 'suggestion' "
                "CHECK (origin IN ('suggestion', 'reviewer'))")
    con.execute("ALTER TABLE audit ADD COLUMN reverts INTEGER")
    con.execute("CREATE INDEX audit_by_reviewer ON audit (reviewer, catalog, id)")
    con.execute("CREATE INDEX audit_by_pair ON audit (catalog, course_id, standard_id, id)")
    con.execute("""
        CREATE TABLE suggestions (
            catalog      TEXT NOT NULL,
            course_id    TEXT NOT NULL,
            standard_id  TEXT NOT NULL,
            framework    TEXT NOT NULL DEFAULT '',
            display_code TEXT NOT NULL DEFAULT '',
            score        REAL,
            rank         INTEGER,
            band         TEXT NOT NULL DEFAULT '',
            shown_at     TEXT NOT NULL,
            PRIMARY KEY (catalog, course_id, standard_id)
        )""")
    con.execute("""
        CREATE TABLE positions (
            reviewer   TEXT NOT NULL,
            catalog    TEXT NOT NULL,
            course_id  TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (reviewer, catalog)
        )""")


def _migrate_to_3(con: sqlite3.Connection) -> None:
    """Bulk decisions: the audit rows of one bulk action share a ``batch`` id."""
    con.execute("ALTER TABLE audit ADD COLUMN batch TEXT")
    con.execute("CREATE INDEX audit_by_batch ON audit (batch) WHERE batch IS NOT NULL")


def _migrate_to_4(con: sqlite3.Connection) -> None:
    """Second review: a catalog's review settings, stored with its decisions."""
    con.execute("""
        CREATE TABLE review_settings (
            catalog               TEXT PRIMARY KEY,
            required_reviews      INTEGER NOT NULL DEFAULT 1 CHECK (required_reviews IN (1, 2)),
            second_review_visible INTEGER NOT NULL DEFAULT 0 CHECK (second_review_visible IN (0, 1)),
            updated_by            TEXT NOT NULL,
            updated_at            TEXT NOT NULL
        )""")


def _migrate_to_5(con: sqlite3.Connection) -> None:
    """Crosswalks between editions and carried decisions (new tables only)."""
    con.execute("""
        CREATE TABLE crosswalk_suggestions (
            from_edition   TEXT NOT NULL,
            to_edition     TEXT NOT NULL,
            from_id        TEXT NOT NULL,
            to_id          TEXT NOT NULL,
            from_framework TEXT NOT NULL DEFAULT '',
            from_code      TEXT NOT NULL DEFAULT '',
            to_framework   TEXT NOT NULL DEFAULT '',
            to_code        TEXT NOT NULL DEFAULT '',
            score          REAL,
            rank           INTEGER,
            band           TEXT NOT NULL DEFAULT '',
            evidence       TEXT NOT NULL DEFAULT '',
            shown_at       TEXT NOT NULL,
            PRIMARY KEY (from_edition, to_edition, from_id, to_id)
        )""")
    con.execute("""
        CREATE TABLE crosswalk_decisions (
            from_edition TEXT NOT NULL,
            to_edition   TEXT NOT NULL,
            from_id      TEXT NOT NULL,
            to_id        TEXT NOT NULL,
            decision     TEXT NOT NULL CHECK (decision IN ('exact', 'related', 'none')),
            reviewer     TEXT NOT NULL,
            note         TEXT NOT NULL DEFAULT '',
            decided_at   TEXT NOT NULL,
            PRIMARY KEY (from_edition, to_edition, from_id, to_id)
        )""")
    con.execute("""
        CREATE TABLE crosswalk_audit (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            at           TEXT NOT NULL,
            reviewer     TEXT NOT NULL,
            from_edition TEXT NOT NULL,
            to_edition   TEXT NOT NULL,
            from_id      TEXT NOT NULL,
            to_id        TEXT NOT NULL,
            action       TEXT NOT NULL,
            previous     TEXT,
            new          TEXT,
            reverts      INTEGER
        )""")
    for trigger in _APPEND_ONLY_TRIGGERS:
        con.execute(trigger.replace("audit_no_", "crosswalk_audit_no_").replace(" ON audit", " ON crosswalk_audit"))
    con.execute("""
        CREATE TABLE carried (
            catalog            TEXT NOT NULL,
            course_id          TEXT NOT NULL,
            standard_id        TEXT NOT NULL,
            source_standard_id TEXT NOT NULL,
            status             TEXT NOT NULL CHECK (status IN ('carried', 'needs review')),
            source_decision    TEXT NOT NULL,
            source_reviewer    TEXT NOT NULL,
            source_decided_at  TEXT NOT NULL,
            source_audit_id    INTEGER,
            crosswalk_decision TEXT NOT NULL,
            crosswalk_reviewer TEXT NOT NULL,
            from_edition       TEXT NOT NULL,
            to_edition         TEXT NOT NULL,
            carried_by         TEXT NOT NULL,
            carried_at         TEXT NOT NULL,
            batch              TEXT,
            PRIMARY KEY (catalog, course_id, standard_id, source_standard_id)
        )""")


#: ``MIGRATIONS[i]`` brings a database from version ``i`` to ``i + 1``. Append only:
#: never edit a released migration, add a new one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_to_1, _migrate_to_2, _migrate_to_3,
                                                          _migrate_to_4, _migrate_to_5]
#: The schema version this release writes.
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------- helpers

def _now() -> str:
    """ISO 8601 UTC with microseconds (sortable as text)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _as_json(row: dict | None) -> str | None:
    return None if row is None else json.dumps(row, sort_keys=True, ensure_ascii=False)


def _check_note(note, problems: list[str]) -> str:
    """A reviewer's note: text (None is empty), at most MAX_NOTE_CHARS, no NUL; stripped."""
    if note is None:
        return ""
    if not isinstance(note, str):
        problems.append(f"note must be text, got {type(note).__name__}")
        return ""
    if len(note) > MAX_NOTE_CHARS:
        problems.append(f"note is {len(note)} characters long (at most {MAX_NOTE_CHARS}); shorten it")
    elif "\x00" in note:
        problems.append("note contains a NUL character")
    return note.strip()


def _check_name(value, what: str, problems: list[str]) -> str:
    """A non-empty, single-line identifier of reasonable length, stripped."""
    if not isinstance(value, str):
        problems.append(f"{what} must be text, got {type(value).__name__} {value!r}")
        return ""
    value = value.strip()
    if not value:
        problems.append(f"{what} is empty")
    elif len(value) > MAX_ID_CHARS:
        problems.append(f"{what} is {len(value)} characters long (at most {MAX_ID_CHARS})")
    elif any(ch in value for ch in "\r\n\t\x00"):
        problems.append(f"{what} {value!r} contains a line break, tab or NUL")
    return value


def _raise(source: str, problems: list[str]) -> None:
    if problems:
        raise InputError(source, [f"{source}: {p}" for p in problems])


_DECISION_FIELDS = ["decision", "association_type", "origin", "reviewer", "note", "decided_at"]


def _with_defaults(value: dict) -> dict:
    """An audited decision value with the fields schema version 1 did not have."""
    return {"association_type": "exactMatchOf", "origin": "suggestion", **value}


# --------------------------------------------------------------------------- the store

class ReviewStore:
    """Reviewers' decisions, their audit trail, progress and positions, in SQLite.

    Parameters
    ----------
    path: the database file.
    create: make the file (and its folder) when missing; otherwise a missing file is
        refused with :class:`MissingStoreError`.
    read_only: open for reading only (through a ``mode=ro`` connection: no WAL switch,
        no migration); every write raises :class:`ReadOnlyStoreError`. For a store a
        reviewer may be writing, :meth:`open_snapshot` reads a consistent copy.
    synchronous: ``"FULL"`` (default: a committed decision survives power loss) or
        ``"NORMAL"`` (survives process crashes; the last commits may be lost on
        power loss).
    busy_timeout_ms: how long a writer waits for another writer.

    Use it as a context manager, or call :meth:`close`. Safe to share between
    threads (each thread gets its own connection) and between processes (each
    opens its own store on the same path).
    """

    def __init__(self, path: str | Path, *, create: bool = False, read_only: bool = False, synchronous: str = "FULL",
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        if str(path) == ":memory:" or not str(path).strip():
            raise ValueError("ReviewStore needs a file path (an in-memory database cannot be shared or survive a crash)")
        if synchronous.upper() not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        if create and read_only:
            raise ValueError("a review store opened read_only cannot create its file; give create or read_only")
        self.path = Path(path)
        self.read_only = bool(read_only)
        self.synchronous = synchronous.upper()
        self.busy_timeout_ms = int(busy_timeout_ms)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._closed = False
        self._immutable = False  # read-only in a folder SQLite cannot write to (see _open_read_only)
        self._temporary: str | None = None  # the folder of an open_snapshot copy, removed on close
        #: The store this object reads: ``path``, or for a snapshot the file it copied.
        self.source = self.path
        if not self.path.exists():
            if not create:
                raise MissingStoreError(self._missing_message())
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.read_only:
            self._check_writable()
        self._open_schema()

    @classmethod
    def open_snapshot(cls, path: str | Path, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> "ReviewStore":
        """A read-only store on a consistent copy of the store at ``path``, taken now.

        For readers that must never change a reviewer's work and want one consistent
        state of it while decisions are being written (the gap dashboard): the file is copied with SQLite's
        online backup through a read-only connection (while the review app may be
        writing; a read-only file or folder is fine), then the copy is opened with
        ``read_only=True`` (a store of an older schema version is migrated in the copy,
        the file itself is left as it is). The copy lives in a temporary folder that
        :meth:`close` removes. A missing file raises :class:`MissingStoreError` (nothing
        is created).
        """
        path = Path(path)
        if not path.exists():
            raise MissingStoreError(cls._missing_text(path))
        folder = tempfile.mkdtemp(prefix="pathway-align-review-snapshot-")
        copy = Path(folder) / path.name
        try:
            source, _ = _open_read_only(path, busy_timeout_ms)
            try:
                target = sqlite3.connect(copy)
                try:
                    source.backup(target)
                    version = target.execute("PRAGMA user_version").fetchone()[0]
                finally:
                    target.close()
            finally:
                source.close()
            if 0 < version < SCHEMA_VERSION:  # an older store: migrate the private copy, never the file
                cls(copy, busy_timeout_ms=busy_timeout_ms).close()
            store = cls(copy, read_only=True, busy_timeout_ms=busy_timeout_ms)
        except sqlite3.DatabaseError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise _refusal(path, exc) from exc
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, ReviewStoreError):  # name the store, not the temporary copy
                raise type(exc)(str(exc).replace(str(copy), str(path))) from exc
            raise
        store._temporary = folder
        store.source = path
        return store

    @staticmethod
    def _missing_text(path: Path) -> str:
        folder = path.parent
        where = (f"the folder {folder} does not exist either" if not folder.exists()
                 else f"the folder {folder} has no such file")
        return (f"{path}: no review store there ({where}). Check the path for a typo; to start a new, empty "
                "review store there, create it explicitly (ReviewStore(path, create=True))")

    def _missing_message(self) -> str:
        return self._missing_text(self.path)

    def _check_writable(self) -> None:
        """Refuse a store SQLite could open but not write, before any decision is attempted."""
        if not os.access(self.path, os.W_OK):
            why = "the file is read-only"
        elif not os.access(self.path.parent, os.W_OK):
            why = (f"its folder {self.path.parent} is read-only (SQLite keeps {self.path.name}-wal and "
                   f"{self.path.name}-shm beside the file)")
        else:
            return
        raise ReadOnlyStoreError(
            f"{self.path}: the review store is read-only ({why}), so no decision could be saved. Make it "
            "writable for the user running Pathway Align, or open it read-only (ReviewStore(path, read_only=True)) "
            "to read and export its decisions")

    # ----------------------------------------------------------- connections

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            try:
                con = _read_only_connection(self.path, self.busy_timeout_ms, immutable=self._immutable)
                con.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
                con.execute("PRAGMA query_only = ON")
            except sqlite3.DatabaseError as exc:
                raise _refusal(self.path, exc) from exc
            return con
        try:
            # isolation_level=None: no implicit transactions; we say BEGIN/COMMIT.
            # check_same_thread=False only so close() can close every thread's
            # connection; each connection is used by the thread that opened it.
            con = sqlite3.connect(
                self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False,
            )
            con.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            mode = self._switch_to_wal(con)
            if str(mode).lower() != "wal":
                con.close()
                raise SchemaVersionError(
                    f"{self.path}: SQLite could not switch to WAL journaling (got {mode!r}); "
                    "put the review store on a local disk"
                )
            con.execute(f"PRAGMA synchronous = {self.synchronous}")
        except sqlite3.DatabaseError as exc:
            raise _refusal(self.path, exc) from exc
        return con

    def _switch_to_wal(self, con: sqlite3.Connection) -> str:
        """Put the file in WAL mode (persistent: a no-op once done) and return the mode.

        Switching needs an exclusive lock, and SQLite answers "database is locked" at
        once, without waiting, while another process holds any lock on a store that
        is still being created; so wait here, up to the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                mode = con.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() == "wal":
                    return mode
                return con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @property
    def _con(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use; reopened after a fork)."""
        if self._closed:
            raise RuntimeError(f"review store {self.path} is closed")
        if os.getpid() != self._pid:
            # Forked child: the parent's connections must be neither used nor closed
            # here (closing could checkpoint or delete the parent's WAL). Keep them
            # referenced so they are never finalised in this process.
            _ABANDONED.extend(self._connections)
            self._connections = []
            self._local = threading.local()
            self._pid = os.getpid()
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    def close(self) -> None:
        """Close every connection this store opened (and remove a snapshot's copy). Call
        when no thread is using it."""
        if self._closed:
            return
        self._closed = True
        if os.getpid() != self._pid:
            _ABANDONED.extend(self._connections)
            self._connections = []
            return
        with self._lock:
            for con in self._connections:
                con.close()
            self._connections = []
        if self._temporary:
            shutil.rmtree(self._temporary, ignore_errors=True)

    def __enter__(self) -> "ReviewStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ReviewStore({str(self.path)!r})"

    def _write(self, work: Callable[[sqlite3.Connection], object]):
        """Run ``work`` in one ``BEGIN IMMEDIATE ... COMMIT`` transaction."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.source}: this review store was opened read-only; "
                                     "nothing was saved")
        con = self._con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                result = work(con)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                raise ReadOnlyStoreError(f"{self.path}: the review store became read-only ({exc}); nothing was "
                                         "saved") from exc
            raise
        return result

    # ----------------------------------------------------------- schema

    def _open_schema(self) -> None:
        # Look before touching: a foreign or newer file is refused unchanged (the
        # WAL switch in _connect would otherwise already modify it).
        probe = None
        try:
            if self.read_only:
                probe, self._immutable = _open_read_only(self.path, self.busy_timeout_ms)
            else:
                probe = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
            # One read snapshot for the version, the table list and the integrity check:
            # another process may be creating the store right now, and two separate reads
            # could see its tables without the version it commits with them.
            probe.execute("BEGIN")
            version = probe.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(probe, version)
            self._check_integrity(probe)
            probe.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise _refusal(self.path, exc) from exc
        finally:
            if probe is not None:
                probe.close()
        if self.read_only:
            if version == 0:
                raise SchemaVersionError(f"{self.path}: an empty file, not a review store (yet); nothing to read")
            if version != SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"{self.path}: review store schema version {version} is older than this release's "
                    f"({SCHEMA_VERSION}) and a read-only store cannot be migrated; open it read-write once "
                    "(the review app does) to migrate it")
            self._con
            return
        if version == SCHEMA_VERSION:
            self._con  # open this thread's connection (WAL, synchronous) now
            return

        def migrate(con):
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = con.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(con, current)
            for step in range(current, SCHEMA_VERSION):
                MIGRATIONS[step](con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        self._write(migrate)

    def _check_version(self, con: sqlite3.Connection, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"{self.path}: review store schema version {version} was written by a newer release of "
                f"Pathway Align (this one reads up to version {SCHEMA_VERSION}); upgrade pathway-align "
                "to open it. The file was not changed."
            )
        if version == 0:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            if tables:
                raise SchemaVersionError(
                    f"{self.path}: not a review store (it has tables {', '.join(sorted(tables))} but no "
                    "schema version); choose another file"
                )

    def _check_integrity(self, con: sqlite3.Connection) -> None:
        """``PRAGMA quick_check`` on open: a damaged file is refused before any decision
        is written on top of it (the checks run in milliseconds on a store of a few
        thousand decisions)."""
        found = [r[0] for r in con.execute("PRAGMA quick_check")]
        if found != ["ok"]:
            raise DamagedStoreError(_damaged_text(self.path, "; ".join(found[:3])))

    @property
    def schema_version(self) -> int:
        return self._con.execute("PRAGMA user_version").fetchone()[0]

    # ----------------------------------------------------------- decisions

    def record(
        self,
        catalog: str,
        course_id: str,
        standard_id: str,
        decision: str,
        reviewer: str,
        *,
        association_type: str = "exactMatchOf",
        origin: str = "suggestion",
        note: str = "",
    ) -> dict:
        """Record (or change) a reviewer's decision on a (course, standard) pair.

        Everything is checked before the database is touched: a malformed decision
        raises :class:`~alignment.io.errors.InputError` (a ValueError) and changes nothing.
        Returns the stored decision (DECISION_COLUMNS + catalog as a dict).
        """
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        item = self._checked_item(
            {"course_id": course_id, "standard_id": standard_id, "decision": decision,
             "association_type": association_type, "origin": origin, "note": note}, reviewer, problems)
        _raise(f"decision on {item['course_id'] or '?'} / {item['standard_id'] or '?'}", problems)
        new = item["new"]
        self._write(lambda con: self._upsert(con, catalog, item["course_id"], item["standard_id"], new, reviewer))
        return {"course_id": item["course_id"], "standard_id": item["standard_id"], **new, "catalog": catalog}

    def record_many(self, catalog: str, items: Iterable[Mapping], reviewer: str, *,
                    skip_same_by_anyone: bool = True) -> dict:
        """Record several decisions as one bulk action ("accept all strong", "reject the rest").

        ``items`` are mappings with ``course_id``, ``standard_id``, ``decision`` and
        optionally ``association_type``, ``origin``, ``note``. Each decision is its own
        audited row, all written in one transaction and sharing one ``batch`` id, so
        :meth:`undo` reverts them together. Every item is checked first: one bad item
        raises InputError and nothing is written. Pairs that already hold exactly
        this decision (same decision and association type, by anyone) are skipped;
        with ``skip_same_by_anyone=False`` only those holding it by this ``reviewer``
        (a second review of a pair is recorded even when it agrees with the first).
        Returns ``{"batch": id or None, "recorded": n, "skipped": n}`` (no batch when
        nothing changed).
        """
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        checked = [self._checked_item(dict(item), reviewer, problems, f"item {i + 1}: ") for i, item in enumerate(items)]
        pairs = [(c["course_id"], c["standard_id"]) for c in checked]
        if len(set(pairs)) != len(pairs):
            problems.append("an item names the same course and standard twice")
        _raise("bulk decision", problems)
        batch = uuid.uuid4().hex

        def work(con):
            recorded = 0
            for item in checked:
                current = self._current(con, catalog, item["course_id"], item["standard_id"])
                if current and all(current[f] == item["new"][f] for f in ("decision", "association_type")) and (
                        skip_same_by_anyone or current["reviewer"] == reviewer):
                    continue
                self._upsert(con, catalog, item["course_id"], item["standard_id"], item["new"], reviewer, batch=batch)
                recorded += 1
            return recorded

        recorded = self._write(work) if checked else 0
        return {"batch": batch if recorded else None, "recorded": recorded, "skipped": len(checked) - recorded}

    @staticmethod
    def _checked_item(item: dict, reviewer: str, problems: list[str], prefix: str = "") -> dict:
        """One decision's fields checked (problems appended, prefixed) and its stored value."""
        found: list[str] = []
        course_id = _check_name(item.get("course_id"), "course_id", found)
        standard_id = _check_name(item.get("standard_id"), "standard_id", found)
        decision = item.get("decision")
        association_type = item.get("association_type", "exactMatchOf")
        origin = item.get("origin", "suggestion")
        note = item.get("note", "")
        decision_value = decision.strip().lower() if isinstance(decision, str) else decision
        if decision_value not in DECISIONS:
            found.append(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
        if association_type not in ASSOCIATION_TYPES:
            found.append(f"association_type {association_type!r} is not one of {', '.join(ASSOCIATION_TYPES)}")
        if origin not in ORIGINS:
            found.append(f"origin {origin!r} is not one of {', '.join(ORIGINS)}")
        note = _check_note(note, found)
        problems.extend(prefix + p for p in found)
        new = {
            "decision": decision_value, "association_type": association_type, "origin": origin,
            "reviewer": reviewer, "note": note, "decided_at": _now(),
        }
        return {"course_id": course_id, "standard_id": standard_id, "new": new}

    def _upsert(self, con, catalog, course_id, standard_id, new, reviewer, batch=None) -> None:
        previous = self._current(con, catalog, course_id, standard_id)
        con.execute(
            """INSERT INTO decisions (catalog, course_id, standard_id, decision, association_type, origin,
                                      reviewer, note, decided_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (catalog, course_id, standard_id) DO UPDATE SET
                   decision = excluded.decision, association_type = excluded.association_type,
                   origin = excluded.origin, reviewer = excluded.reviewer, note = excluded.note,
                   decided_at = excluded.decided_at""",
            (catalog, course_id, standard_id, *(new[f] for f in _DECISION_FIELDS)),
        )
        self._audit(con, new["decided_at"], reviewer, catalog, course_id, standard_id, "record", previous, new,
                    batch=batch)

    def clear(self, catalog: str, course_id: str, standard_id: str, reviewer: str) -> bool:
        """Remove the decision on a pair (back to undecided), audited. False when there was none."""
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        course_id = _check_name(course_id, "course_id", problems)
        standard_id = _check_name(standard_id, "standard_id", problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        _raise("clear", problems)

        def work(con):
            previous = self._current(con, catalog, course_id, standard_id)
            if previous is None:
                return False
            self._delete(con, catalog, course_id, standard_id)
            self._audit(con, _now(), reviewer, catalog, course_id, standard_id, "clear", previous, None)
            return True

        return self._write(work)

    def undo(self, catalog: str, reviewer: str, *, course_id: str | None = None, standard_id: str | None = None) -> dict | None:
        """Undo ``reviewer``'s most recent change in ``catalog`` not yet undone.

        Restricted to one pair when ``course_id`` and ``standard_id`` are given.
        Repeated calls walk further back. The pair is restored to its value before
        that change (a decision, or undecided), and the undo is itself audited
        (action ``undo``, ``reverts`` = the audit id undone). A bulk action
        (:meth:`record_many`) is undone as one unit: every pair of its batch, in one
        transaction, each undo row carrying the batch id. Returns what was undone
        (``{"audit_id", "course_id", "standard_id", "restored", "batch", "pairs"}``;
        for a batch the first four describe its newest row), or None when there is
        nothing to undo. If someone else changed a pair since, raises ValueError and
        changes nothing.
        """
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        if (course_id is None) != (standard_id is None):
            problems.append("give both course_id and standard_id, or neither")
        if course_id is not None:
            course_id = _check_name(course_id, "course_id", problems)
            standard_id = _check_name(standard_id, "standard_id", problems)
        _raise("undo", problems)

        def work(con):
            sql = """SELECT id, course_id, standard_id, previous, new, batch FROM audit a
                     WHERE catalog = ? AND reviewer = ? AND action IN ('record', 'clear')
                       AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.reverts = a.id)"""
            params: list = [catalog, reviewer]
            if course_id is not None:
                sql += " AND course_id = ? AND standard_id = ?"
                params += [course_id, standard_id]
            row = con.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
            if row is None:
                return None
            batch = row[5]
            if batch is not None and course_id is None:  # a bulk action is undone as one unit, newest first
                rows = con.execute(
                    """SELECT id, course_id, standard_id, previous, new, batch FROM audit a
                       WHERE batch = ? AND action IN ('record', 'clear')
                         AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.reverts = a.id) ORDER BY id DESC""",
                    (batch,)).fetchall()
            else:
                rows = [row]
            undone = [self._revert(con, catalog, reviewer, *r) for r in rows]
            first = undone[0]
            return {**first, "batch": batch if len(rows) > 1 or course_id is None else None,
                    "pairs": [(u["course_id"], u["standard_id"]) for u in undone]}

        return self._write(work)

    def _revert(self, con, catalog, reviewer, audit_id, c_id, s_id, previous_json, new_json, batch) -> dict:
        """Restore one pair to its value before audit row ``audit_id``, audited as an undo."""
        current = self._current(con, catalog, c_id, s_id)
        expected = _with_defaults(json.loads(new_json)) if new_json else None
        if current != expected:
            who = current["reviewer"] if current else "someone"
            raise ValueError(
                f"cannot undo {c_id} / {s_id} in {catalog}: {who} changed it after {reviewer}; "
                "record the decision you want instead"
            )
        restored = _with_defaults(json.loads(previous_json)) if previous_json else None
        if restored is None:
            self._delete(con, catalog, c_id, s_id)
        else:
            con.execute(
                """INSERT OR REPLACE INTO decisions (catalog, course_id, standard_id, decision,
                       association_type, origin, reviewer, note, decided_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (catalog, c_id, s_id, *(restored[f] for f in _DECISION_FIELDS)),
            )
        self._audit(con, _now(), reviewer, catalog, c_id, s_id, "undo", current, restored, reverts=audit_id,
                    batch=batch)
        return {"audit_id": audit_id, "course_id": c_id, "standard_id": s_id, "restored": restored}

    @staticmethod
    def _current(con, catalog, course_id, standard_id) -> dict | None:
        row = con.execute(
            f"SELECT {', '.join(_DECISION_FIELDS)} FROM decisions WHERE catalog = ? AND course_id = ? AND standard_id = ?",
            (catalog, course_id, standard_id),
        ).fetchone()
        return None if row is None else dict(zip(_DECISION_FIELDS, row))

    @staticmethod
    def _delete(con, catalog, course_id, standard_id) -> None:
        con.execute("DELETE FROM decisions WHERE catalog = ? AND course_id = ? AND standard_id = ?",
                    (catalog, course_id, standard_id))

    @staticmethod
    def _audit(con, at, reviewer, catalog, course_id, standard_id, action, previous, new, reverts=None,
               batch=None) -> None:
        con.execute(
            """INSERT INTO audit (at, reviewer, catalog, course_id, standard_id, action, previous, new, reverts,
                                  batch)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (at, reviewer, catalog, course_id, standard_id, action, _as_json(previous), _as_json(new), reverts,
             batch),
        )

    def decisions(self, catalog: str | None = None, *, course_id: str | None = None) -> pd.DataFrame:
        """Current decisions: DECISION_COLUMNS + ``catalog``, one row per pair, all text
        (one course's with ``course_id``: what the review app redraws after a click)."""
        sql = f"SELECT {', '.join(STORE_DECISION_COLUMNS)} FROM decisions"
        params: tuple = ()
        if catalog is not None:
            sql += " WHERE catalog = ?"
            params = (catalog,)
            if course_id is not None:
                sql += " AND course_id = ?"
                params = (catalog, course_id)
        rows = self._con.execute(sql + " ORDER BY catalog, course_id, standard_id", params).fetchall()
        return pd.DataFrame(rows, columns=STORE_DECISION_COLUMNS).astype(str)

    def audit(
        self,
        catalog: str | None = None,
        *,
        course_id: str | None = None,
        standard_id: str | None = None,
        reviewer: str | None = None,
    ) -> pd.DataFrame:
        """The audit trail, oldest first (``previous``/``new`` are JSON text, empty when none)."""
        where, params = [], []
        for column, value in (("catalog", catalog), ("course_id", course_id),
                              ("standard_id", standard_id), ("reviewer", reviewer)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._con.execute(sql + " ORDER BY id", params).fetchall()
        df = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
        df["id"] = df["id"].astype("int64")
        df["reverts"] = df["reverts"].astype("Int64")
        for column in AUDIT_COLUMNS:
            if column not in ("id", "reverts"):
                df[column] = df[column].fillna("").astype(str)  # batch: "" for a single decision
        return df

    # ----------------------------------------------------------- progress and positions

    def register_suggestions(self, catalog: str, suggestions: pd.DataFrame) -> int:
        """Note which suggestions were shown for ``catalog`` (the denominator of progress).

        ``suggestions`` is an aligner suggestions table (needs ``course_id`` and
        ``standard_id``; ``framework``, ``display_code``, ``score``, ``rank``,
        ``band`` are kept when present). Rows without a standard (the aligner's
        "no pathway standards loaded" notes) are skipped. Registering again is
        harmless: known pairs keep their first ``shown_at``. Returns the number of
        suggestion rows registered.
        """
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        _raise("register_suggestions", problems)
        missing = [c for c in ("course_id", "standard_id") if c not in suggestions.columns]
        if missing:
            raise InputError("suggestions", f"suggestions: missing column(s) {', '.join(missing)}; "
                                            f"found: {', '.join(map(str, suggestions.columns))}")
        df = suggestions.copy()
        for column in ("framework", "display_code", "band"):
            df[column] = df[column].fillna("").astype(str) if column in df.columns else ""
        df["course_id"] = df["course_id"].fillna("").astype(str).str.strip()
        df["standard_id"] = df["standard_id"].fillna("").astype(str).str.strip()
        df = df[(df["course_id"] != "") & (df["standard_id"] != "")]
        score = pd.to_numeric(df["score"], errors="coerce") if "score" in df.columns else pd.Series(float("nan"), index=df.index)
        rank = pd.to_numeric(df["rank"], errors="coerce") if "rank" in df.columns else pd.Series(float("nan"), index=df.index)
        now = _now()
        rows = [
            (catalog, c, s, fw, dc, None if pd.isna(sc) else float(sc), None if pd.isna(rk) else int(rk), band, now)
            for c, s, fw, dc, sc, rk, band in zip(
                df["course_id"], df["standard_id"], df["framework"], df["display_code"], score, rank, df["band"])
        ]

        def work(con):
            con.executemany(
                """INSERT INTO suggestions (catalog, course_id, standard_id, framework, display_code, score, rank,
                                            band, shown_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (catalog, course_id, standard_id) DO UPDATE SET
                       framework = excluded.framework, display_code = excluded.display_code,
                       score = excluded.score, rank = excluded.rank, band = excluded.band""",
                rows,
            )

        self._write(work)
        return len(rows)

    def progress(self, catalog: str) -> pd.DataFrame:
        """Review progress per course of ``catalog`` (PROGRESS_COLUMNS).

        ``suggestions``: suggestions shown; ``reviewed``: those with a decision;
        ``accepted``/``rejected``: decisions on shown suggestions; ``added``: other
        decisions on the course (standards a reviewer added); ``complete``: every
        shown suggestion has a decision (False for a course with none shown).
        """
        rows = self._con.execute(
            """WITH courses AS (
                   SELECT course_id FROM suggestions WHERE catalog = :c
                   UNION SELECT course_id FROM decisions WHERE catalog = :c)
               SELECT k.course_id,
                      (SELECT COUNT(*) FROM suggestions s WHERE s.catalog = :c AND s.course_id = k.course_id),
                      (SELECT COUNT(*) FROM suggestions s JOIN decisions d USING (catalog, course_id, standard_id)
                        WHERE s.catalog = :c AND s.course_id = k.course_id),
                      (SELECT COUNT(*) FROM suggestions s JOIN decisions d USING (catalog, course_id, standard_id)
                        WHERE s.catalog = :c AND s.course_id = k.course_id AND d.decision = 'accepted'),
                      (SELECT COUNT(*) FROM suggestions s JOIN decisions d USING (catalog, course_id, standard_id)
                        WHERE s.catalog = :c AND s.course_id = k.course_id AND d.decision = 'rejected'),
                      (SELECT COUNT(*) FROM decisions d WHERE d.catalog = :c AND d.course_id = k.course_id
                          AND NOT EXISTS (SELECT 1 FROM suggestions s WHERE s.catalog = d.catalog
                                          AND s.course_id = d.course_id AND s.standard_id = d.standard_id))
               FROM courses k ORDER BY k.course_id""",
            {"c": catalog},
        ).fetchall()
        df = pd.DataFrame(rows, columns=PROGRESS_COLUMNS[1:-1])
        for column in PROGRESS_COLUMNS[2:-1]:
            df[column] = df[column].astype("int64")
        df.insert(0, "catalog", catalog)
        df["complete"] = (df["suggestions"] > 0) & (df["reviewed"] == df["suggestions"])
        df["course_id"] = df["course_id"].astype(str)
        return df[PROGRESS_COLUMNS]

    def progress_summary(self, catalog: str, per_course: pd.DataFrame | None = None) -> dict:
        """Catalog totals: courses, courses_complete, suggestions, reviewed, fraction_reviewed
        (from ``per_course``, :meth:`progress`'s table, when the caller has it already)."""
        per_course = self.progress(catalog) if per_course is None else per_course
        suggestions = int(per_course["suggestions"].sum())
        reviewed = int(per_course["reviewed"].sum())
        return {
            "catalog": catalog,
            "courses": int((per_course["suggestions"] > 0).sum()),
            "courses_complete": int(per_course["complete"].sum()),
            "suggestions": suggestions,
            "reviewed": reviewed,
            "fraction_reviewed": reviewed / suggestions if suggestions else 0.0,
        }

    def review_settings(self, catalog: str) -> dict:
        """How ``catalog`` is reviewed: ``{"required_reviews": 1 or 2, "second_review_visible":
        bool, "updated_by", "updated_at"}`` (one reviewer, blind second review, when never set)."""
        row = self._con.execute(
            "SELECT required_reviews, second_review_visible, updated_by, updated_at FROM review_settings "
            "WHERE catalog = ?", (str(catalog).strip(),)).fetchone()
        if row is None:
            return {"required_reviews": 1, "second_review_visible": False, "updated_by": "", "updated_at": ""}
        return {"required_reviews": int(row[0]), "second_review_visible": bool(row[1]), "updated_by": row[2],
                "updated_at": row[3]}

    def set_review_settings(self, catalog: str, *, required_reviews: int, second_review_visible: bool = False,
                            by: str) -> dict:
        """Set how ``catalog`` is reviewed (see :meth:`review_settings`); ``by`` is who
        changed it (kept with the setting). Raises InputError for anything else than 1 or
        2 reviewers; returns the stored settings."""
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        by = _check_name(by, "reviewer", problems)
        if required_reviews not in (1, 2) or isinstance(required_reviews, bool):
            problems.append(f"required_reviews must be 1 or 2, got {required_reviews!r}")
        _raise(f"review settings of {catalog or '?'}", problems)
        self._write(lambda con: con.execute(
            """INSERT INTO review_settings (catalog, required_reviews, second_review_visible, updated_by, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (catalog) DO UPDATE SET required_reviews = excluded.required_reviews,
                   second_review_visible = excluded.second_review_visible, updated_by = excluded.updated_by,
                   updated_at = excluded.updated_at""",
            (catalog, int(required_reviews), int(bool(second_review_visible)), by, _now())))
        return self.review_settings(catalog)

    def set_position(self, reviewer: str, catalog: str, course_id: str) -> None:
        """Remember the course ``reviewer`` is on in ``catalog`` (not audited: navigation only)."""
        problems: list[str] = []
        reviewer = _check_name(reviewer, "reviewer", problems)
        catalog = _check_name(catalog, "catalog", problems)
        course_id = _check_name(course_id, "course_id", problems)
        _raise("set_position", problems)
        self._write(lambda con: con.execute(
            """INSERT INTO positions (reviewer, catalog, course_id, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (reviewer, catalog) DO UPDATE SET course_id = excluded.course_id,
                                                          updated_at = excluded.updated_at""",
            (reviewer, catalog, course_id, _now()),
        ))

    def position(self, reviewer: str, catalog: str) -> str | None:
        """The course ``reviewer`` was last on in ``catalog``, or None."""
        row = self._con.execute(
            "SELECT course_id FROM positions WHERE reviewer = ? AND catalog = ?",
            (str(reviewer).strip(), str(catalog).strip()),
        ).fetchone()
        return None if row is None else row[0]

    # ----------------------------------------------------------- maintenance

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` for a healthy file."""
        return "\n".join(r[0] for r in self._con.execute("PRAGMA integrity_check"))


def _read_only_connection(path: Path, busy_timeout_ms: int, *, immutable: bool = False) -> sqlite3.Connection:
    """A connection that cannot write ``path`` (``mode=ro``; ``immutable=1`` for a file in
    a folder SQLite cannot write, where nobody can be writing either)."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None,
                           check_same_thread=False)


def _open_read_only(path: Path, busy_timeout_ms: int) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection to ``path`` that has read its header, and whether it had to
    be ``immutable``: in a folder SQLite cannot write, a WAL file's readers cannot make
    the ``-shm`` file they share; with no ``-wal`` file there, the main file is the whole
    store and nobody can be writing it, so reading it as immutable is exact."""
    con = _read_only_connection(path, busy_timeout_ms)
    try:
        con.execute("PRAGMA user_version").fetchone()
        return con, False
    except sqlite3.OperationalError:
        con.close()
        if Path(f"{path}-wal").exists() or os.access(Path(path).parent, os.W_OK):
            raise
    con = _read_only_connection(path, busy_timeout_ms, immutable=True)
    con.execute("PRAGMA user_version").fetchone()
    return con, True


def _damaged_text(path: Path, detail: str) -> str:
    return (f"{path}: the review store is damaged (SQLite integrity check: {detail}). Nothing was written to it. "
            "Restore it from a backup, or move it aside and start a new store; do not record decisions in it")


def _refusal(path: Path, exc: sqlite3.DatabaseError) -> ReviewStoreError:
    """The review-store error for an error SQLite raised while opening ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_CORRUPT") or "malformed" in str(exc):
        return DamagedStoreError(_damaged_text(path, str(exc)))
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN") and not os.access(path.parent, os.W_OK):
        return ReadOnlyStoreError(f"{path}: the review store is read-only ({exc}); open it read-only to read it")
    return SchemaVersionError(f"{path}: not a review store database ({exc})")


#: Connections inherited across ``fork``: never used, never closed (see ``_con``).
_ABANDONED: list[sqlite3.Connection] = []
