"""Opening a review store: a missing file is not silently created, a read-only file or
folder is reported as read-only and can be opened read-only, a damaged file is refused
on open (never on the first write), and a read-only snapshot for readers.

Read-only files are made with ``chmod`` (or, as root, for whom permissions are no
obstacle, with ``chattr +i``, which binds root too); where neither works the read-only
tests are skipped, saying why.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from alignment.settings import get_settings
from alignment.review.store import (
    DamagedStoreError, MissingStoreError, ReadOnlyStoreError, ReviewStore, ReviewStoreError, SchemaVersionError,
)

CATALOG = "westview_2025_26_courses.csv"


def _real_ids(n: int) -> tuple[list[str], list[str]]:
    """Course ids of the bundled catalog and CCSS ids of the bundled standards."""
    courses = pd.read_csv(get_settings().standards_data_dir / "catalogs" / CATALOG, dtype=str, keep_default_na=False)
    standards = pd.read_csv(get_settings().standards_data_dir / "standards.csv", dtype=str, keep_default_na=False)
    ccss = standards.loc[(standards["framework"] == "ccss_math") & (standards["kind"] != "heading"), "standard_id"]
    return list(dict.fromkeys(courses["course_id"]))[:n], list(ccss)[:n]


@pytest.fixture
def filled(tmp_path) -> Path:
    """A store with 120 decisions (enough pages for a damaged one to matter), closed."""
    path = tmp_path / "reviews" / "reviews.sqlite3"
    courses, standards = _real_ids(120)
    with ReviewStore(path, create=True) as store:
        for course, standard in zip(courses, standards):
            store.record(CATALOG, course, standard, "accepted", "ana", note="taught in unit 3 " * 5)
    return path


def _set_immutable(path: Path, on: bool) -> bool:
    try:
        subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


@contextmanager
def read_only(path: Path):
    """Make ``path`` (a file or a folder) read-only for this process, then restore it."""
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):  # root: permissions do not bind, an immutable flag does
            immutable = _set_immutable(path, True)
            if not immutable or os.access(path, os.W_OK):
                pytest.skip(f"cannot make {path} read-only for this user (chmod and chattr +i did not bind)")
        yield path
    finally:
        if immutable:
            _set_immutable(path, False)
        path.chmod(mode)


def _bytes_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --------------------------------------------------------------------------- a missing file

def test_a_path_in_a_missing_folder_is_refused_not_created(tmp_path):
    typo = tmp_path / "reveiws" / "reviews.sqlite3"
    with pytest.raises(MissingStoreError) as caught:
        ReviewStore(typo)
    message = str(caught.value)
    assert str(typo) in message and "folder" in message and "create=True" in message
    assert not typo.parent.exists()


def test_a_missing_file_in_an_existing_folder_is_refused_too(tmp_path):
    with pytest.raises(MissingStoreError, match="no review store"):
        ReviewStore(tmp_path / "review.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_create_makes_the_folder_and_the_store_and_then_opens_without_it(tmp_path):
    path = tmp_path / "new" / "reviews.sqlite3"
    courses, standards = _real_ids(1)
    with ReviewStore(path, create=True) as store:
        store.record(CATALOG, courses[0], standards[0], "accepted", "ana")
    with ReviewStore(path) as store:  # it exists now: no flag needed
        assert store.decisions()["course_id"].tolist() == courses


# --------------------------------------------------------------------------- read-only

def test_a_read_only_folder_is_reported_as_read_only_naming_the_file(filled):
    before = _bytes_of(filled.parent)
    with read_only(filled.parent):
        with pytest.raises(ReadOnlyStoreError) as caught:
            ReviewStore(filled)
        message = str(caught.value)
        assert str(filled) in message and "read-only" in message and "not a review store" not in message
        with ReviewStore(filled, read_only=True) as store:  # what the apps can do with it
            assert len(store.decisions(CATALOG)) == 120
    assert _bytes_of(filled.parent) == before


def test_a_read_only_file_is_refused_on_open_not_on_the_first_write(filled):
    with read_only(filled):
        with pytest.raises(ReadOnlyStoreError, match="read-only"):
            ReviewStore(filled)
        with ReviewStore(filled, read_only=True) as store:
            assert store.read_only and len(store.decisions()) == 120


def test_a_store_opened_read_only_refuses_writes_before_touching_the_file(filled):
    courses, standards = _real_ids(1)
    before = filled.read_bytes()
    with ReviewStore(filled, read_only=True) as store:
        for write in (lambda: store.record(CATALOG, courses[0], standards[0], "rejected", "bo"),
                      lambda: store.clear(CATALOG, courses[0], standards[0], "bo"),
                      lambda: store.set_position("bo", CATALOG, courses[0])):
            with pytest.raises(ReadOnlyStoreError, match=f"{filled}.*read-only"):
                write()
    assert filled.read_bytes() == before
    with pytest.raises(ValueError, match="create"):
        ReviewStore(filled, read_only=True, create=True)


def test_read_only_refuses_an_old_schema_it_cannot_migrate(tmp_path):
    path = tmp_path / "v1.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE decisions (catalog)")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with pytest.raises(SchemaVersionError, match="version 1.*read-write"):
        ReviewStore(path, read_only=True)


# --------------------------------------------------------------------------- damaged

def _damage(path: Path) -> None:
    """Overwrite the root page of the decisions table (the page every write walks)."""
    con = sqlite3.connect(path)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'decisions'").fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start + 8:start + size] = b"\xa5" * (size - 8)
    path.write_bytes(bytes(data))


def test_a_damaged_store_is_refused_on_open_naming_the_file(filled):
    _damage(filled)
    for read_only_ in (False, True):
        with pytest.raises(DamagedStoreError) as caught:
            ReviewStore(filled, read_only=read_only_)
        message = str(caught.value)
        assert str(filled) in message and "damaged" in message and "backup" in message
    with pytest.raises(DamagedStoreError):
        ReviewStore.open_snapshot(filled)


def test_every_refusal_is_a_review_store_error_with_the_path():
    for error in (MissingStoreError, ReadOnlyStoreError, DamagedStoreError, SchemaVersionError):
        assert issubclass(error, ReviewStoreError) and issubclass(error, RuntimeError)


# --------------------------------------------------------------------------- snapshots

def test_snapshot_reads_a_consistent_copy_and_never_writes_the_store(filled):
    courses, standards = _real_ids(121)
    writer = ReviewStore(filled)
    try:
        before = len(writer.audit())
        with ReviewStore.open_snapshot(filled) as snapshot:
            writer.record(CATALOG, courses[120], standards[120], "accepted", "bo")  # after the snapshot
            assert snapshot.read_only and snapshot.path != filled
            assert len(snapshot.decisions(CATALOG)) == 120 and len(snapshot.audit()) == before
            with pytest.raises(ReadOnlyStoreError):
                snapshot.record(CATALOG, courses[0], standards[0], "rejected", "bo")
            copy = snapshot.path
        assert not copy.exists()  # the temporary copy goes with the snapshot
        assert len(writer.decisions(CATALOG)) == 121
    finally:
        writer.close()


def test_snapshot_of_an_older_store_migrates_the_copy_not_the_file(tmp_path):
    from test_review import make_v1_db

    courses, standards = _real_ids(1)
    path = tmp_path / "v1.db"
    make_v1_db(path, courses[0], standards[0])
    before = path.read_bytes()
    with ReviewStore.open_snapshot(path) as snapshot:
        row = snapshot.decisions().iloc[0]
        assert (row["course_id"], row["association_type"], row["origin"]) == (courses[0], "exactMatchOf",
                                                                              "suggestion")
    assert path.read_bytes() == before


def test_snapshot_of_a_read_only_folder_and_of_a_missing_file(filled, tmp_path):
    with read_only(filled.parent):
        with ReviewStore.open_snapshot(filled) as snapshot:
            assert len(snapshot.decisions()) == 120
    with pytest.raises(MissingStoreError, match="no review store"):
        ReviewStore.open_snapshot(tmp_path / "nothing.sqlite3")
    assert not (tmp_path / "nothing.sqlite3").exists()
