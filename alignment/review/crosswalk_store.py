"""Crosswalk reviews and carried decisions, in the review store (schema version 5).

``CrosswalkReviews(store)`` works on an open :class:`~alignment.review.store.ReviewStore`
(same file, same rules: one ``BEGIN IMMEDIATE ... COMMIT`` per decision, an append-only
audit trail enforced by triggers, every input checked before the database is touched):

* :meth:`register` keeps the crosswalk suggestions that were shown
  (:data:`alignment.align.crosswalk.CROSSWALK_COLUMNS` rows), per pair of editions: the
  review app lists them and progress counts them;
* :meth:`record` stores a reviewer's decision on one (edition-A standard, edition-B
  standard) pair: ``exact`` (the same standard, reworded or renumbered), ``related``
  (overlaps: a course teaching one may teach the other) or ``none`` (this candidate is
  not a counterpart); an edition-A standard whose every decided candidate is ``none``
  has no counterpart in edition B (:meth:`status`);
* :meth:`undo` reverts the reviewer's last crosswalk change, audited;
* :meth:`record_carried` writes course decisions carried across a reviewed crosswalk
  (:func:`alignment.analysis.carry.carry_decisions`) into the course decisions, one
  bulk batch (audited in ``audit``, undone as one unit by ``ReviewStore.undo``), each
  with its ``carried`` row naming its source decision and the crosswalk decision it went
  through; a pair someone already decided in edition B is never overwritten.
"""

from __future__ import annotations

import json
import uuid

import pandas as pd

from alignment.io.errors import InputError
from alignment.review.store import (
    MAX_ID_CHARS, MAX_NOTE_CHARS, ReviewStore, _as_json, _check_name, _check_note, _now, _raise,
)

#: Crosswalk decisions.
CROSSWALK_DECISIONS = ("exact", "related", "none")
#: What each decision means for a course alignment carried through it.
CROSSWALK_MEANING = {
    "exact": "exact match: the same standard in the new edition (a course decision carries over)",
    "related": "related: overlaps (a carried course decision needs a new review)",
    "none": "not a counterpart (nothing carries through this pair)",
}
#: Columns of :meth:`CrosswalkReviews.decisions`.
CROSSWALK_DECISION_COLUMNS = ["from_edition", "to_edition", "from_id", "to_id", "decision", "reviewer", "note",
                              "decided_at"]
#: Columns of :meth:`CrosswalkReviews.audit`.
CROSSWALK_AUDIT_COLUMNS = ["id", "at", "reviewer", "from_edition", "to_edition", "from_id", "to_id", "action",
                           "previous", "new", "reverts"]
#: Columns of :meth:`CrosswalkReviews.suggestions`.
CROSSWALK_SUGGESTION_COLUMNS = ["from_edition", "to_edition", "from_id", "to_id", "from_framework", "from_code",
                                "to_framework", "to_code", "score", "rank", "band", "evidence", "shown_at"]
#: Columns of :meth:`CrosswalkReviews.carried`.
CARRIED_COLUMNS = ["catalog", "course_id", "standard_id", "source_standard_id", "status", "source_decision",
                   "source_reviewer", "source_decided_at", "source_audit_id", "crosswalk_decision",
                   "crosswalk_reviewer", "from_edition", "to_edition", "carried_by", "carried_at", "batch"]
_FIELDS = ["decision", "reviewer", "note", "decided_at"]


class CrosswalkReviews:
    """Crosswalk suggestions, decisions, audit and carried decisions of one review store."""

    def __init__(self, store: ReviewStore):
        self.store = store

    # ------------------------------------------------------------ suggestions

    def register(self, suggestions: pd.DataFrame) -> int:
        """Keep the crosswalk suggestions shown (``CROSSWALK_COLUMNS`` rows). Registering
        again updates score, rank, band and evidence and keeps the first ``shown_at``."""
        needed = ["from_edition", "to_edition", "from_id", "to_id"]
        missing = [c for c in needed if c not in suggestions.columns]
        if missing:
            raise InputError("crosswalk suggestions", f"crosswalk suggestions: missing column(s) "
                                                      f"{', '.join(missing)}")
        df = suggestions.copy()
        for column in needed + ["from_framework", "from_code", "to_framework", "to_code", "band", "evidence"]:
            df[column] = df[column].fillna("").astype(str).str.strip() if column in df.columns else ""
        problems = [f"row {i}: {c} is empty" for i, r in enumerate(df[needed].to_dict("records"), start=1)
                    for c in needed if not r[c]]
        _raise("crosswalk suggestions", problems[:20])
        score = pd.to_numeric(df.get("score"), errors="coerce") if "score" in df else pd.Series(float("nan"), df.index)
        rank = pd.to_numeric(df.get("rank"), errors="coerce") if "rank" in df else pd.Series(float("nan"), df.index)
        now = _now()
        rows = [(r["from_edition"], r["to_edition"], r["from_id"], r["to_id"], r["from_framework"], r["from_code"],
                 r["to_framework"], r["to_code"], None if pd.isna(sc) else float(sc),
                 None if pd.isna(rk) else int(rk), r["band"], r["evidence"], now)
                for r, sc, rk in zip(df.to_dict("records"), score, rank)]
        self.store._write(lambda con: con.executemany(
            """INSERT INTO crosswalk_suggestions (from_edition, to_edition, from_id, to_id, from_framework, from_code,
                   to_framework, to_code, score, rank, band, evidence, shown_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (from_edition, to_edition, from_id, to_id) DO UPDATE SET
                   from_framework = excluded.from_framework, from_code = excluded.from_code,
                   to_framework = excluded.to_framework, to_code = excluded.to_code, score = excluded.score,
                   rank = excluded.rank, band = excluded.band, evidence = excluded.evidence""", rows))
        return len(rows)

    def crosswalks(self) -> list[tuple[str, str]]:
        """The (from_edition, to_edition) pairs with suggestions or decisions."""
        rows = self.store._con.execute(
            """SELECT from_edition, to_edition FROM crosswalk_suggestions
               UNION SELECT from_edition, to_edition FROM crosswalk_decisions ORDER BY 1, 2""").fetchall()
        return [(a, b) for a, b in rows]

    def suggestions(self, from_edition: str, to_edition: str) -> pd.DataFrame:
        """The registered suggestions of one crosswalk, by edition-A standard and rank."""
        rows = self.store._con.execute(
            f"SELECT {', '.join(CROSSWALK_SUGGESTION_COLUMNS)} FROM crosswalk_suggestions "
            "WHERE from_edition = ? AND to_edition = ? ORDER BY from_id, rank, to_id",
            (from_edition, to_edition)).fetchall()
        return pd.DataFrame(rows, columns=CROSSWALK_SUGGESTION_COLUMNS)

    # ------------------------------------------------------------ decisions

    def record(self, from_edition: str, to_edition: str, from_id: str, to_id: str, decision: str, reviewer: str,
               *, note: str = "") -> dict:
        """Record (or change) a decision on one pair; checked first, one transaction, audited."""
        problems: list[str] = []
        key = self._key(from_edition, to_edition, from_id, to_id, problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        value = decision.strip().lower() if isinstance(decision, str) else decision
        if value not in CROSSWALK_DECISIONS:
            problems.append(f"decision {decision!r} is not one of {', '.join(CROSSWALK_DECISIONS)}")
        note = _check_note(note, problems)
        _raise(f"crosswalk decision on {key[2] or '?'} -> {key[3] or '?'}", problems)
        new = {"decision": value, "reviewer": reviewer, "note": note, "decided_at": _now()}

        def work(con):
            previous = self._current(con, key)
            con.execute(
                """INSERT INTO crosswalk_decisions (from_edition, to_edition, from_id, to_id, decision, reviewer, note,
                                                   decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (from_edition, to_edition, from_id, to_id) DO UPDATE SET decision = excluded.decision,
                       reviewer = excluded.reviewer, note = excluded.note, decided_at = excluded.decided_at""",
                (*key, *(new[f] for f in _FIELDS)))
            self._audit(con, new["decided_at"], reviewer, key, "record", previous, new)

        self.store._write(work)
        return dict(zip(CROSSWALK_DECISION_COLUMNS, (*key, *(new[f] for f in _FIELDS))))

    def undo(self, reviewer: str, from_edition: str, to_edition: str, *, from_id: str | None = None,
             to_id: str | None = None) -> dict | None:
        """Undo ``reviewer``'s most recent crosswalk change not yet undone (of one pair when
        ``from_id`` and ``to_id`` are given). Refused (ValueError, nothing changed) when
        someone else changed the pair since. Returns what was undone, or None."""
        problems: list[str] = []
        reviewer = _check_name(reviewer, "reviewer", problems)
        from_edition = _check_name(from_edition, "from_edition", problems)
        to_edition = _check_name(to_edition, "to_edition", problems)
        _raise("crosswalk undo", problems)

        def work(con):
            sql = """SELECT id, from_id, to_id, previous, new FROM crosswalk_audit a
                     WHERE reviewer = ? AND from_edition = ? AND to_edition = ? AND action = 'record'
                       AND NOT EXISTS (SELECT 1 FROM crosswalk_audit u WHERE u.reverts = a.id)"""
            params: list = [reviewer, from_edition, to_edition]
            if from_id is not None and to_id is not None:
                sql += " AND from_id = ? AND to_id = ?"
                params += [from_id, to_id]
            row = con.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
            if row is None:
                return None
            audit_id, f_id, t_id, previous_json, new_json = row
            key = (from_edition, to_edition, f_id, t_id)
            current = self._current(con, key)
            if current != (json.loads(new_json) if new_json else None):
                who = current["reviewer"] if current else "someone"
                raise ValueError(f"cannot undo {f_id} -> {t_id}: {who} changed it after {reviewer}; "
                                 "record the decision you want instead")
            restored = json.loads(previous_json) if previous_json else None
            if restored is None:
                con.execute("DELETE FROM crosswalk_decisions WHERE from_edition = ? AND to_edition = ? "
                            "AND from_id = ? AND to_id = ?", key)
            else:
                con.execute("INSERT OR REPLACE INTO crosswalk_decisions (from_edition, to_edition, from_id, to_id, "
                            "decision, reviewer, note, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (*key, *(restored[f] for f in _FIELDS)))
            self._audit(con, _now(), reviewer, key, "undo", current, restored, reverts=audit_id)
            return {"audit_id": audit_id, "from_id": f_id, "to_id": t_id, "restored": restored}

        return self.store._write(work)

    def decisions(self, from_edition: str | None = None, to_edition: str | None = None) -> pd.DataFrame:
        """Current crosswalk decisions (:data:`CROSSWALK_DECISION_COLUMNS`, all text)."""
        where, params = self._where(from_edition, to_edition)
        rows = self.store._con.execute(
            f"SELECT {', '.join(CROSSWALK_DECISION_COLUMNS)} FROM crosswalk_decisions{where} "
            "ORDER BY from_edition, to_edition, from_id, to_id", params).fetchall()
        return pd.DataFrame(rows, columns=CROSSWALK_DECISION_COLUMNS).astype(str)

    def audit(self, from_edition: str | None = None, to_edition: str | None = None) -> pd.DataFrame:
        """The crosswalk audit trail, oldest first (``previous``/``new`` JSON text, "" when none)."""
        where, params = self._where(from_edition, to_edition)
        rows = self.store._con.execute(
            f"SELECT {', '.join(CROSSWALK_AUDIT_COLUMNS)} FROM crosswalk_audit{where} ORDER BY id", params).fetchall()
        df = pd.DataFrame(rows, columns=CROSSWALK_AUDIT_COLUMNS)
        df["id"] = df["id"].astype("int64")
        df["reverts"] = df["reverts"].astype("Int64")
        for column in CROSSWALK_AUDIT_COLUMNS[1:-1]:
            df[column] = df[column].fillna("").astype(str)
        return df

    def status(self, from_edition: str, to_edition: str) -> pd.DataFrame:
        """Per edition-A standard (suggested or decided): ``exact`` / ``related`` (its
        counterparts, ``;``-joined), ``no counterpart`` (every decided candidate is
        ``none``), ``open`` (nothing decided); and how many candidates are undecided."""
        sug = self.suggestions(from_edition, to_edition)
        dec = self.decisions(from_edition, to_edition)
        ids = list(dict.fromkeys(list(sug["from_id"]) + list(dec["from_id"])))
        rows = []
        for from_id in ids:
            mine = dec[dec["from_id"] == from_id]
            shown = set(sug.loc[sug["from_id"] == from_id, "to_id"])
            exact = mine.loc[mine["decision"] == "exact", "to_id"].tolist()
            related = mine.loc[mine["decision"] == "related", "to_id"].tolist()
            state = ("exact" if exact else "related" if related else "no counterpart" if len(mine) else "open")
            rows.append({"from_id": from_id, "status": state, "exact": ";".join(exact), "related": ";".join(related),
                         "undecided": len(shown - set(mine["to_id"]))})
        return pd.DataFrame(rows, columns=["from_id", "status", "exact", "related", "undecided"])

    def progress(self, from_edition: str, to_edition: str) -> dict:
        """Counts of one crosswalk: standards, standards_decided (not open), pairs shown,
        pairs decided."""
        st = self.status(from_edition, to_edition)
        con = self.store._con
        shown = con.execute("SELECT COUNT(*) FROM crosswalk_suggestions WHERE from_edition = ? AND to_edition = ?",
                            (from_edition, to_edition)).fetchone()[0]
        decided = con.execute(
            """SELECT COUNT(*) FROM crosswalk_suggestions s JOIN crosswalk_decisions d
                   USING (from_edition, to_edition, from_id, to_id) WHERE s.from_edition = ? AND s.to_edition = ?""",
            (from_edition, to_edition)).fetchone()[0]
        return {"standards": len(st), "standards_decided": int((st["status"] != "open").sum()) if len(st) else 0,
                "pairs": int(shown), "pairs_decided": int(decided)}

    # ------------------------------------------------------------ carried course decisions

    def record_carried(self, catalog: str, carried: pd.DataFrame, reviewer: str) -> dict:
        """Write carried course decisions (``alignment.analysis.carry.carry_decisions``
        rows) in one transaction: status ``carried`` becomes the course decision in
        edition B (same decision and association type; its note names the source), status
        ``needs review`` is registered as a suggestion to review (no decision); each gets
        its ``carried`` row. Pairs already decided in edition B are skipped (a reviewer's
        decision is never overwritten). Returns ``{"batch", "recorded", "to_review",
        "skipped"}``; ``ReviewStore.undo(catalog, reviewer)`` reverts the decisions as one
        bulk action."""
        problems: list[str] = []
        catalog = _check_name(catalog, "catalog", problems)
        reviewer = _check_name(reviewer, "reviewer", problems)
        needed = ["course_id", "standard_id", "source_standard_id", "status", "decision", "association_type"]
        missing = [c for c in needed if c not in carried.columns]
        if missing:
            problems.append(f"carried decisions: missing column(s) {', '.join(missing)}")
        _raise("carried decisions", problems)
        rows = carried.astype(object).where(carried.notna(), "").astype(str).to_dict("records")
        store = self.store
        batch = uuid.uuid4().hex
        now = _now()

        def work(con):
            recorded = to_review = skipped = 0
            written: set[tuple[str, str]] = set()  # pairs this batch decided (several sources may lead there)
            for r in rows:
                pair = (r["course_id"], r["standard_id"])
                if pair in written:
                    pass
                elif store._current(con, catalog, *pair) is not None:
                    skipped += 1
                    continue
                elif r["status"] == "carried":
                    note = (f"carried from {r['source_standard_id']} ({r.get('from_edition', '')}): "
                            f"{r.get('source_decision', '')} by {r.get('source_reviewer', '')} "
                            f"{r.get('source_decided_at', '')[:19]}; crosswalk {r.get('crosswalk_decision', '')} by "
                            f"{r.get('crosswalk_reviewer', '')}")[:MAX_NOTE_CHARS]
                    new = {"decision": r["decision"], "association_type": r["association_type"] or "exactMatchOf",
                           "origin": "suggestion", "reviewer": reviewer, "note": note, "decided_at": now}
                    store._upsert(con, catalog, r["course_id"], r["standard_id"], new, reviewer, batch=batch)
                    written.add(pair)
                    recorded += 1
                else:
                    con.execute(
                        """INSERT INTO suggestions (catalog, course_id, standard_id, framework, display_code, band,
                                                    shown_at) VALUES (?, ?, ?, ?, ?, 'carried', ?)
                           ON CONFLICT (catalog, course_id, standard_id) DO NOTHING""",
                        (catalog, r["course_id"], r["standard_id"], r.get("to_framework", ""), r.get("to_code", ""),
                         now))
                    written.add(pair)
                    to_review += 1
                source_audit = r.get("source_audit_id", "")
                con.execute(
                    f"INSERT OR REPLACE INTO carried ({', '.join(CARRIED_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(CARRIED_COLUMNS))})",
                    (catalog, r["course_id"], r["standard_id"], r["source_standard_id"], r["status"],
                     r.get("source_decision", ""), r.get("source_reviewer", ""), r.get("source_decided_at", ""),
                     int(float(source_audit)) if source_audit not in ("", "<NA>", "nan") else None,
                     r.get("crosswalk_decision", ""), r.get("crosswalk_reviewer", ""), r.get("from_edition", ""),
                     r.get("to_edition", ""), reviewer, now, batch))
            return recorded, to_review, skipped

        recorded, to_review, skipped = store._write(work) if rows else (0, 0, 0)
        return {"batch": batch if recorded or to_review else None, "recorded": recorded, "to_review": to_review,
                "skipped": skipped}

    def carried(self, catalog: str | None = None) -> pd.DataFrame:
        """The carried rows (:data:`CARRIED_COLUMNS`): which edition-B pair came from which
        decision through which crosswalk decision."""
        sql = f"SELECT {', '.join(CARRIED_COLUMNS)} FROM carried"
        params: tuple = ()
        if catalog is not None:
            sql += " WHERE catalog = ?"
            params = (catalog,)
        rows = self.store._con.execute(sql + " ORDER BY catalog, course_id, standard_id", params).fetchall()
        df = pd.DataFrame(rows, columns=CARRIED_COLUMNS)
        df["source_audit_id"] = df["source_audit_id"].astype("Int64")
        return df

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _key(from_edition, to_edition, from_id, to_id, problems) -> tuple[str, str, str, str]:
        return (_check_name(from_edition, "from_edition", problems), _check_name(to_edition, "to_edition", problems),
                _check_name(from_id, "from_id", problems), _check_name(to_id, "to_id", problems))

    @staticmethod
    def _where(from_edition, to_edition) -> tuple[str, tuple]:
        where, params = [], []
        for column, value in (("from_edition", from_edition), ("to_edition", to_edition)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(where) if where else ""), tuple(params)

    @staticmethod
    def _current(con, key) -> dict | None:
        row = con.execute(f"SELECT {', '.join(_FIELDS)} FROM crosswalk_decisions WHERE from_edition = ? AND "
                          "to_edition = ? AND from_id = ? AND to_id = ?", key).fetchone()
        return None if row is None else dict(zip(_FIELDS, row))

    @staticmethod
    def _audit(con, at, reviewer, key, action, previous, new, reverts=None) -> None:
        con.execute("""INSERT INTO crosswalk_audit (at, reviewer, from_edition, to_edition, from_id, to_id, action,
                                                    previous, new, reverts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (at, reviewer, *key, action, _as_json(previous), _as_json(new), reverts))


__all__ = ["CrosswalkReviews", "CROSSWALK_DECISIONS", "CROSSWALK_MEANING", "CROSSWALK_DECISION_COLUMNS",
           "CROSSWALK_AUDIT_COLUMNS", "CROSSWALK_SUGGESTION_COLUMNS", "CARRIED_COLUMNS", "MAX_ID_CHARS"]
