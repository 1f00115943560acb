"""What a reviewer is doing in the review app, without any widget.

:class:`ReviewSession` holds the catalogs (the configured one and any uploaded), the
suggestions shown per course, where the reviewer is (catalog, course), and every
action: open a course, step, resume, decide, undo, add a standard the machine missed,
search the standards, build an export. Each action goes to the one store of record,
:class:`alignment.review.store.ReviewStore` (one transaction per decision, audited),
and answers with data or raises an error whose message a reviewer can read
(:class:`ReviewRefused`, :class:`~alignment.io.errors.InputError`, or the store's
:class:`~alignment.review.store.ReviewStoreError`). ``alignment.ui.review`` is only
its widgets; tests drive the session directly, with no browser and no ipywidgets.

Actions take the pair they act on explicitly (``course_id``, ``catalog``; default:
where the reviewer is), so a click that lands after the reviewer moved on is recorded
where it was made, and so a queue, keyboard shortcuts or bulk decisions can act on any
pair without moving the reviewer.

Which store, and whether it may be created (:func:`open_review_store`): the default
location (``reviews/reviews.sqlite3`` in the checkout) is created on first use; a
configured path must exist, or is created only when the reviewer asks for it (the
app's "Create" button), so a typo in a path never starts an empty store in silence.
A store that cannot be written is opened read-only: the reviewer can browse and
export its decisions, and every decision is refused saying why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from alignment.data.catalog import course_sectors, load_catalog_bytes, split_multi
from alignment.data.standards import search_standards
from alignment.review.agreement import agreement, review_pairs, reviewer_decisions

#: Most standards a search lists.
SEARCH_LIMIT = 40
#: Export kinds: (file name suffix, MIME type, link label).
EXPORT_KINDS = {
    "csv": (".csv", "text/csv", "Download CSV"),
    "excel": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Download Excel"),
    "case": ("-case.json", "application/json", "Download CASE JSON"),
    "agreement": ("-agreement.csv", "text/csv", "Download agreement CSV"),
    "disagreements": ("-disagreements.csv", "text/csv", "Download disagreements CSV"),
}


#: Bulk actions on one course, one framework or all (:meth:`ReviewSession.bulk`).
BULK_ACTIONS = {
    "accept_strong": "accept every undecided suggestion of band strong",
    "reject_rest": "reject every suggestion still undecided",
    "accept_strong_reject_rest": "accept every undecided strong suggestion and reject the other undecided ones, "
                                 "as one action",
}
#: A catalog's review settings (:meth:`ReviewSession.review_settings`): how many
#: reviewers decide each pair, and whether the second sees the first review first.
REVIEW_MODES = {1: "one reviewer per suggestion", 2: "two reviewers per suggestion (second review)"}
#: Review statuses of a course in the queue (:meth:`ReviewSession.queue`).
QUEUE_STATUSES = ("not reviewed", "partly", "done", "disputed")
#: Statuses the queue's "next" goes to by default: everything not done.
OPEN_STATUSES = ("not reviewed", "partly", "disputed")


class ReviewRefused(ValueError):
    """An action the session refuses before touching the store (no reviewer name, no
    standard chosen, an unknown course); the message says what to do."""


@dataclass(frozen=True)
class Export:
    """One download of a catalog's decisions."""

    filename: str
    mime: str
    label: str
    data: bytes
    decisions: int


@dataclass(frozen=True)
class CourseView:
    """What the reviewer sees of one course: the course, its suggestions (registered as
    shown), the current decision of each shown standard, and the standards reviewers
    added for it (decisions on standards that were not suggested)."""

    catalog: str
    course: dict
    suggestions: pd.DataFrame
    decisions: dict[str, dict]
    added: list[dict]
    sectors: list[str]
    #: Second review (a catalog that requires two reviewers): the pairs whose one review
    #: so far, by someone else, is hidden from this reviewer until they decide (blind;
    #: left out of ``decisions`` and ``added``), and per visible pair its reviews
    #: (a :func:`~alignment.review.agreement.review_pairs` row as a dict).
    hidden: frozenset = frozenset()
    reviews: dict = field(default_factory=dict)
    required_reviews: int = 1


def open_review_store(path: str | Path, *, default: str | Path | None = None, create: bool = False):
    """The review store at ``path`` for an app: ``(store, note)``.

    Created when missing only if ``create`` or ``path`` is the ``default`` location;
    otherwise :class:`~alignment.review.store.MissingStoreError` (the app offers to
    create it). A store that cannot be written is opened read-only and ``note`` says so
    (empty otherwise). Damaged and foreign files raise the store's errors.
    """
    from alignment.review.store import ReadOnlyStoreError, ReviewStore

    path = Path(path)
    may_create = create or (default is not None and path.resolve() == Path(default).resolve())
    try:
        return ReviewStore(path, create=may_create), ""
    except ReadOnlyStoreError as exc:
        store = ReviewStore(path, read_only=True)
        return store, f"{exc}. Opened read-only: you can browse and export the decisions, not change them."


class ReviewSession:
    """One reviewer's review of one or more catalogs (see the module docstring).

    aligner: a fitted :class:`~alignment.align.aligner.Aligner` (``suggest(courses)``).
    standards: the standards table the aligner was fitted on.
    store: the :class:`~alignment.review.store.ReviewStore` (read-only is fine).
    catalogs: ``{name: catalog table}`` (the name decisions are recorded under), or one
        table (named by its ``attrs["source"]``).
    reviewer: who is deciding, asked at each action: a name, or a function returning it
        (the app: the signed-in user in team mode, else the typed name).
    """

    def __init__(self, aligner, standards: pd.DataFrame, store, catalogs: dict[str, pd.DataFrame] | pd.DataFrame,
                 *, reviewer: str | Callable[[], str] = ""):
        if isinstance(catalogs, pd.DataFrame):
            catalogs = {catalogs.attrs.get("source", "catalog"): catalogs}
        if not catalogs:
            raise ValueError("a review session needs at least one catalog")
        self.aligner, self.standards, self.store = aligner, standards, store
        self.catalogs: dict[str, pd.DataFrame] = dict(catalogs)
        self._reviewer = reviewer
        self.lock = threading.RLock()
        self.catalog_key = next(iter(self.catalogs))
        self.course_id = ""
        self._remembered: tuple[str, str, str] | None = None
        self._suggestions: dict[tuple[str, str], pd.DataFrame] = {}
        self.searchable = standards[standards["kind"] != "heading"]
        self._info = standards.drop_duplicates("standard_id").set_index("standard_id")

    # ----------------------------------------------------------------- who, where

    @property
    def reviewer(self) -> str:
        """Who is deciding now (stripped; empty when nobody said)."""
        name = self._reviewer() if callable(self._reviewer) else self._reviewer
        return str(name or "").strip()

    @reviewer.setter
    def reviewer(self, value: str | Callable[[], str]) -> None:
        self._reviewer = value

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.store, "read_only", False))

    @property
    def courses(self) -> pd.DataFrame:
        """The catalog under review."""
        return self.catalogs[self.catalog_key]

    @property
    def course_ids(self) -> list[str]:
        return list(self.courses["course_id"])

    def course(self, course_id: str | None = None) -> dict:
        course_id = course_id or self.course_id
        match = self.courses[self.courses["course_id"] == course_id]
        if match.empty:
            raise ReviewRefused(f"course {course_id!r} is not in {self.catalog_key}")
        return match.iloc[0].to_dict()

    def add_catalog(self, table: pd.DataFrame, name: str | None = None) -> str:
        """Add a validated catalog table; returns the name its decisions go under."""
        key = name or table.attrs.get("source", "catalog")
        with self.lock:
            self.catalogs[key] = table
            self._suggestions = {k: v for k, v in self._suggestions.items() if k[0] != key}
        return key

    def load_catalog(self, content: bytes, filename: str, columns: dict[str, str] | None = None) -> str:
        """Validate an uploaded catalog file (the CLI's rules) and add it; raises
        :class:`~alignment.io.errors.InputError` naming the file and rows. ``columns``
        maps the file's headers to catalog columns (the upload's mapping step)."""
        return self.add_catalog(load_catalog_bytes(bytes(content), filename, columns=columns))

    def select_catalog(self, key: str) -> bool:
        """Review catalog ``key``: open the reviewer's last course there (True) or its
        first course (False)."""
        with self.lock:
            if key not in self.catalogs:
                raise ReviewRefused(f"no catalog named {key!r}; loaded: {', '.join(self.catalogs)}")
            self.catalog_key, self.course_id = key, ""
            position = self.resume_position()
            self.open_course(position or self.course_ids[0])
            return position is not None

    def resume(self) -> bool:
        """Go to the reviewer's last course in this catalog, if they have one (True; it is
        opened when the reviewer is elsewhere); otherwise the current course becomes
        their position (False). Called when the reviewer says who they are."""
        with self.lock:
            position = self.resume_position()
            if position is None:
                self.remember()
                return False
            if position != self.course_id:
                self.open_course(position)
            return True

    def resume_position(self) -> str | None:
        """The reviewer's last course in this catalog, if it is still in the catalog."""
        if not self.reviewer:
            return None
        position = self.store.position(self.reviewer, self.catalog_key)
        return position if position in set(self.course_ids) else None

    def remember(self) -> None:
        """Store where the reviewer is (navigation only, not audited; nothing when read-only).
        Written when it changed since this session last wrote it: every decision calls
        this, and a write transaction per click is time a reviewer waits for."""
        where = (self.reviewer, self.catalog_key, self.course_id)
        if where[0] and where[2] and not self.read_only and where != self._remembered:
            self.store.set_position(*where)
            self._remembered = where

    def step(self, delta: int) -> CourseView:
        """Open the course ``delta`` places on in the catalog's order (wrapping around)."""
        with self.lock:
            return self.open_course(self.course_after(delta))

    def course_after(self, delta: int = 1) -> str:
        """The course ``delta`` places on from the reviewer's (what :meth:`step` opens)."""
        with self.lock:
            ids = self.course_ids
            i = ids.index(self.course_id) if self.course_id in ids else 0
            return ids[(i + delta) % len(ids)]

    def prefetch(self, delta: int = 1) -> tuple[str, str]:
        """Compute the suggestions of the course :meth:`step` ``(delta)`` would open, while the
        reviewer reads the current one (the app calls it once a course is drawn), so that
        opening it only reads them. Changes nothing a reviewer sees and registers nothing
        in the store. Returns ``(catalog, course_id)``."""
        with self.lock:
            catalog, course_id = self.catalog_key, self.course_after(delta)
            self.suggestions(course_id, catalog)
            return catalog, course_id

    # ----------------------------------------------------------------- one course

    def suggestions(self, course_id: str | None = None, catalog: str | None = None) -> pd.DataFrame:
        """A course's suggestions, computed once per session."""
        catalog, course_id = catalog or self.catalog_key, course_id or self.course_id
        key = (catalog, course_id)
        with self.lock:
            if key not in self._suggestions:
                table = self.catalogs[catalog]
                self._suggestions[key] = self.aligner.suggest(table[table["course_id"] == course_id].head(1))
            return self._suggestions[key]

    def open_course(self, course_id: str) -> CourseView:
        """Move to ``course_id``: its suggestions are registered as shown (the store's
        progress counts them) and the position remembered (both skipped when read-only).
        The reviewer is moved before the suggestions are computed, so a failure there
        still leaves them on the course they chose."""
        with self.lock:
            course = self.course(course_id)
            self.course_id = course_id
            suggestions = self.suggestions(course_id)
            if not self.read_only:
                self.store.register_suggestions(self.catalog_key, suggestions)
            self.remember()
            return self.view(course)

    def view(self, course: dict | None = None) -> CourseView:
        """The current course as the reviewer sees it now (decisions read again).

        In a catalog that requires two reviewers and keeps the second review blind
        (the default), a pair decided by one other reviewer only is shown as not
        decided yet (in ``hidden``): its decision, association and note stay out of
        the view until this reviewer has decided it too."""
        course = course or self.course()
        suggestions = self.suggestions(course["course_id"])
        decided = self.decisions(course["course_id"])
        settings = self.review_settings()
        hidden: set[str] = set()
        reviews: dict[str, dict] = {}
        if settings["required_reviews"] >= 2:
            pairs = self.pair_reviews(course["course_id"])
            reviews = {r["standard_id"]: r for r in pairs.to_dict("records")}
            if not settings["second_review_visible"]:
                hidden = {sid for sid, r in reviews.items() if self._blind(r)}
                decided = {sid: d for sid, d in decided.items() if sid not in hidden}
                reviews = {sid: r for sid, r in reviews.items() if sid not in hidden}
        shown = set(suggestions["standard_id"])
        added = [d for sid, d in decided.items() if sid not in shown]
        return CourseView(self.catalog_key, course, suggestions, decided, added, course_sectors(course),
                          frozenset(hidden), reviews, settings["required_reviews"])

    def _blind(self, pair: dict) -> bool:
        """A pair this reviewer may not see yet: one review so far, by someone else."""
        return pair["status"] == "single" and pair["first_reviewer"] != self.reviewer

    # ----------------------------------------------------------------- second review

    def review_settings(self, catalog: str | None = None) -> dict:
        """How the catalog is reviewed (stored with it: :meth:`ReviewStore.review_settings`)."""
        return self.store.review_settings(catalog or self.catalog_key)

    def set_review_settings(self, required_reviews: int, second_review_visible: bool = False,
                            catalog: str | None = None) -> dict:
        """Require one or two reviewers per pair in the catalog, the second blind (default)
        or seeing the first review ("open"); recorded with who set it."""
        with self.lock:
            reviewer = self._require_reviewer()
            if required_reviews not in REVIEW_MODES:
                raise ReviewRefused(f"a catalog needs 1 or 2 reviewers per suggestion, not {required_reviews!r}")
            return self.store.set_review_settings(catalog or self.catalog_key, required_reviews=required_reviews,
                                                  second_review_visible=second_review_visible, by=reviewer)

    def pair_reviews(self, course_id: str | None = None, standard_id: str | None = None,
                     catalog: str | None = None) -> pd.DataFrame:
        """The first, second and settling reviews of one course's pairs (or one pair),
        :func:`~alignment.review.agreement.review_pairs` over that part of the audit trail."""
        audit = self.store.audit(catalog or self.catalog_key, course_id=course_id or self.course_id,
                                 standard_id=standard_id)
        return review_pairs(audit)

    def visible_review(self, standard_id: str, course_id: str | None = None,
                       catalog: str | None = None) -> dict | None:
        """The reviews of one pair as this reviewer may see them: None in a one-reviewer
        catalog or while the pair is blind to them."""
        settings = self.review_settings(catalog)
        if settings["required_reviews"] < 2:
            return None
        pairs = self.pair_reviews(course_id, standard_id, catalog)
        if pairs.empty:
            return None
        pair = pairs.iloc[0].to_dict()
        return None if not settings["second_review_visible"] and self._blind(pair) else pair

    def settle(self, standard_id: str, decision: str, *, course_id: str, catalog: str | None = None,
               association_type: str = "exactMatchOf", note: str = "") -> dict:
        """A third reviewer settles a disputed pair: their decision is recorded (audited,
        under their name) and :func:`~alignment.review.agreement.review_pairs` names them
        ``settled_by``. Refused for the pair's own two reviewers and for a pair that is
        not disputed."""
        with self.lock:
            reviewer = self._require_reviewer()
            pairs = self.pair_reviews(course_id, standard_id, catalog)
            if pairs.empty or pairs.iloc[0]["status"] not in ("disputed", "settled"):
                raise ReviewRefused(f"{self.code(standard_id)} for course {course_id} is not disputed: "
                                    "nothing to settle")
            pair = pairs.iloc[0]
            if reviewer in (pair["first_reviewer"], pair["second_reviewer"]):
                raise ReviewRefused(f"You reviewed {self.code(standard_id)} for course {course_id} yourself: "
                                    "a third reviewer settles a disagreement.")
            return self.decide(standard_id, decision, association_type=association_type, note=note,
                               course_id=course_id, catalog=catalog)

    def decisions(self, course_id: str | None = None, catalog: str | None = None) -> dict[str, dict]:
        """``{standard_id: decision}`` of one course (default: the current one)."""
        table = self.store.decisions(catalog or self.catalog_key, course_id=course_id or self.course_id)
        return {r["standard_id"]: r for r in table.to_dict("records")}

    # ----------------------------------------------------------------- decisions

    def _require_reviewer(self) -> str:
        reviewer = self.reviewer
        if not reviewer:
            raise ReviewRefused("Type your name in “Your name” first: every decision records who made it.")
        return reviewer

    def decide(self, standard_id: str, decision: str, *, association_type: str = "exactMatchOf", note: str = "",
               origin: str = "suggestion", course_id: str | None = None, catalog: str | None = None) -> dict:
        """Record one decision (one transaction, audited) on ``standard_id`` for
        ``course_id`` in ``catalog`` (default: where the reviewer is); returns the stored
        decision. Raises, changing nothing, when the store refuses it."""
        with self.lock:
            reviewer = self._require_reviewer()
            course_id, catalog = course_id or self.course_id, catalog or self.catalog_key
            stored = self.store.record(catalog, course_id, standard_id, decision, reviewer,
                                       association_type=association_type, origin=origin, note=note)
            self.remember()
            return stored

    def undo(self, standard_id: str, *, course_id: str | None = None, catalog: str | None = None) -> bool:
        """Back to "not reviewed" (``ReviewStore.clear``, audited); False when there was no decision."""
        with self.lock:
            reviewer = self._require_reviewer()
            return self.store.clear(catalog or self.catalog_key, course_id or self.course_id, standard_id, reviewer)

    def bulk(self, framework: str | None, action: str, *, course_id: str | None = None,
             catalog: str | None = None) -> dict:
        """One bulk decision on a course's suggestions of one framework, or of all of them
        when ``framework`` is None or empty (BULK_ACTIONS): ``accept_strong`` accepts the
        undecided suggestions of band ``strong``, ``reject_rest`` rejects every suggestion
        still undecided, ``accept_strong_reject_rest`` does both at once. Each decision is
        its own audited row, all in one transaction with one batch id
        (:meth:`ReviewStore.record_many`), so :meth:`undo_last` takes them back together.
        "Undecided" means no decision yet; in a catalog that requires two reviewers, no
        decision by this reviewer on a pair that does not have its two reviews yet.
        Returns ``{"batch", "recorded", "skipped", "standard_ids", "decisions"}``."""
        if action not in BULK_ACTIONS:
            raise ReviewRefused(f"unknown bulk action {action!r}; one of {', '.join(BULK_ACTIONS)}")
        with self.lock:
            reviewer = self._require_reviewer()
            course_id, catalog = course_id or self.course_id, catalog or self.catalog_key
            shown = self.suggestions(course_id, catalog)
            shown = shown[shown["standard_id"].fillna("") != ""]
            if framework:
                shown = shown[shown["framework"] == framework]
            two = self.review_settings(catalog)["required_reviews"] >= 2
            if two:
                pairs = self.pair_reviews(course_id, catalog=catalog)
                mine = self.store.audit(catalog, course_id=course_id, reviewer=reviewer)
                done = set(pairs.loc[pairs["second_reviewer"] != "", "standard_id"])
                mine_ids = set(reviewer_decisions(mine)["standard_id"])
                undecided = shown[~shown["standard_id"].isin(done | mine_ids)]
            else:
                undecided = shown[~shown["standard_id"].isin(list(self.decisions(course_id, catalog)))]
            strong = undecided["band"] == "strong"
            if action == "accept_strong":
                undecided, decisions = undecided[strong], ["accepted"] * int(strong.sum())
            elif action == "reject_rest":
                decisions = ["rejected"] * len(undecided)
            else:
                decisions = ["accepted" if s else "rejected" for s in strong]
            ids = list(undecided["standard_id"])
            result = self.store.record_many(
                catalog, [{"course_id": course_id, "standard_id": sid, "decision": d} for sid, d in zip(ids, decisions)],
                reviewer, skip_same_by_anyone=not two)
            self.remember()
            return {**result, "standard_ids": ids, "decisions": dict(zip(ids, decisions))}

    def undo_last(self, catalog: str | None = None) -> dict | None:
        """Undo this reviewer's last change in the catalog (a bulk action as one unit;
        :meth:`ReviewStore.undo`); None when there is nothing to undo."""
        with self.lock:
            reviewer = self._require_reviewer()
            return self.store.undo(catalog or self.catalog_key, reviewer)

    # ----------------------------------------------------------------- queue

    def prepare_queue(self, catalog: str | None = None) -> int:
        """Compute the suggestions of every course of the catalog not yet computed, in one
        aligner call (the queue's filters by framework and band need them); they are
        registered as shown unless the store is read-only. Returns the courses computed."""
        catalog = catalog or self.catalog_key
        with self.lock:
            table = self.catalogs[catalog]
            missing = [c for c in table["course_id"] if (catalog, c) not in self._suggestions]
            if not missing:
                return 0
            suggested = self.aligner.suggest(table[table["course_id"].isin(missing)])
            for course_id in missing:
                self._suggestions[(catalog, course_id)] = suggested[suggested["course_id"] == course_id]
            if not self.read_only:
                self.store.register_suggestions(catalog, suggested)
            return len(missing)

    def queue(self, *, pathway: str = "", sector: str = "", framework: str = "", band: str = "",
              status: str | tuple[str, ...] = "", catalog: str | None = None) -> pd.DataFrame:
        """The catalog's courses with their review status, filtered, in catalog order.

        Filters (empty = any): ``pathway``/``sector`` (one of the course's "; "-separated
        values, case ignored), ``framework`` and ``band`` (the suggestions counted, and a
        course with none left out), ``status`` (one of QUEUE_STATUSES or a tuple).
        Columns: course_id, title, suggestions, decided, status. A course is ``disputed``
        when two reviewers' decisions on one of its counted suggestions differ and no
        third reviewer settled it, else ``done`` when each counted suggestion has a
        decision (in a catalog that requires two reviewers: decisions by two different
        reviewers), ``partly`` when some have, ``not reviewed`` otherwise.
        """
        catalog = catalog or self.catalog_key
        self.prepare_queue(catalog)
        statuses = (status,) if isinstance(status, str) and status else tuple(status or ())
        unknown = [s for s in statuses if s not in QUEUE_STATUSES]
        if unknown:
            raise ReviewRefused(f"unknown status {unknown[0]!r}; one of {', '.join(QUEUE_STATUSES)}")
        decided = self.store.decisions(catalog)
        decided_pairs = set(zip(decided["course_id"], decided["standard_id"]))
        pairs = review_pairs(self.store.audit(catalog))
        disputed = set(zip(pairs.loc[pairs["status"] == "disputed", "course_id"],
                           pairs.loc[pairs["status"] == "disputed", "standard_id"]))
        if self.review_settings(catalog)["required_reviews"] >= 2:  # done: decided by two reviewers
            complete = set(zip(pairs.loc[pairs["second_reviewer"] != "", "course_id"],
                               pairs.loc[pairs["second_reviewer"] != "", "standard_id"]))
        else:
            complete = decided_pairs
        rows = []
        for course in self.catalogs[catalog].to_dict("records"):
            if pathway and pathway.lower() not in [p.lower() for p in split_multi(course.get("pathway", ""))]:
                continue
            if sector and sector.lower() not in [p.lower() for p in split_multi(course.get("sector", ""))]:
                continue
            shown = self._suggestions[(catalog, course["course_id"])]
            shown = shown[shown["standard_id"].fillna("") != ""]
            if framework:
                shown = shown[shown["framework"] == framework]
            if band:
                shown = shown[shown["band"] == band]
            if (framework or band) and shown.empty:
                continue
            keys = [(course["course_id"], sid) for sid in shown["standard_id"]]
            n_decided = sum(k in decided_pairs for k in keys)
            if any(k in disputed for k in keys):
                state = "disputed"
            elif keys and all(k in complete for k in keys):
                state = "done"
            else:
                state = "partly" if n_decided else "not reviewed"
            rows.append({"course_id": course["course_id"], "title": course.get("title", ""),
                         "suggestions": len(keys), "decided": n_decided, "status": state})
        table = pd.DataFrame(rows, columns=["course_id", "title", "suggestions", "decided", "status"])
        if statuses:
            table = table[table["status"].isin(statuses)].reset_index(drop=True)
        return table

    def queue_counts(self, **filters) -> dict[str, int]:
        """How many courses each status has under the filters of :meth:`queue` (status aside)."""
        filters.pop("status", None)
        counts = self.queue(**filters)["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in QUEUE_STATUSES}

    def next_in_queue(self, *, status: str | tuple[str, ...] = OPEN_STATUSES, **filters) -> CourseView | None:
        """Open the next course after the current one (catalog order, wrapping) that the
        filtered queue holds; None when the queue is empty."""
        with self.lock:
            ids = list(self.queue(status=status, **filters)["course_id"])
            if not ids:
                return None
            order = self.course_ids
            here = order.index(self.course_id) if self.course_id in order else -1
            after = sorted(ids, key=lambda c: (order.index(c) - here - 1) % len(order))
            return self.open_course(after[0])

    def agreement(self, catalog: str | None = None) -> pd.DataFrame:
        """Agreement of first and second reviews per framework (:func:`alignment.review.agreement.agreement`)."""
        return agreement(self.store.audit(catalog or self.catalog_key), self.standards)

    def disagreements(self, catalog: str | None = None) -> pd.DataFrame:
        """Pairs whose first and second reviews differ, disputed or settled (who settled it)."""
        pairs = review_pairs(self.store.audit(catalog or self.catalog_key))
        return pairs[pairs["status"].isin(["disputed", "settled"])].reset_index(drop=True)

    def add_missed(self, standard_id: str | None, *, association_type: str = "exactMatchOf",
                   note: str = "") -> dict:
        """Accept a standard the machine did not suggest for the current course."""
        if not standard_id:
            raise ReviewRefused("Search for a standard and select it in the list first.")
        if standard_id not in self._info.index:
            raise ReviewRefused(f"{standard_id} is not one of the loaded standards")
        return self.decide(standard_id, "accepted", association_type=association_type, note=note, origin="reviewer")

    # ----------------------------------------------------------------- standards

    def search(self, query: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
        """Standards (no headings) containing every word of ``query``, at most ``limit``."""
        query = str(query or "").strip()
        if not query:
            return self.searchable.iloc[:0]
        return search_standards(self.searchable, query).head(limit)

    def code(self, standard_id: str) -> str:
        """The code a reviewer reads (``display_code``), else the id."""
        if standard_id in self._info.index and self._info.at[standard_id, "display_code"]:
            return str(self._info.at[standard_id, "display_code"])
        return standard_id

    def text(self, standard_id: str) -> str:
        """The standard's own text, verbatim ('' when it is not loaded)."""
        return str(self._info.at[standard_id, "text"]) if standard_id in self._info.index else ""

    # ----------------------------------------------------------------- progress, export

    def progress(self) -> tuple[dict, dict | None]:
        """``(catalog totals, this course's row or None)`` from the store (one query)."""
        per_course = self.store.progress(self.catalog_key)
        summary = self.store.progress_summary(self.catalog_key, per_course)
        mine = per_course[per_course["course_id"] == self.course_id]
        return summary, (mine.iloc[0].to_dict() if len(mine) else None)

    def export(self, kind: str) -> Export | None:
        """This catalog's decisions as CSV, Excel (OpenSALT association sheet, and the
        second review's agreement and disagreements sheets) or CASE JSON, or the agreement
        or disagreements table as CSV (:mod:`alignment.present.exports`); None when there
        are no decisions yet."""
        from alignment.present import exports

        if kind not in EXPORT_KINDS:
            raise ReviewRefused(f"unknown export {kind!r}; one of {', '.join(EXPORT_KINDS)}")
        decisions = self.store.decisions(self.catalog_key)
        if decisions.empty:
            return None
        if kind == "csv":
            data = exports.to_csv_bytes(decisions, catalog=self.catalog_key)
        elif kind == "excel":
            data = exports.to_excel_bytes(decisions, catalog=self.catalog_key, courses=self.courses,
                                          standards=self.standards, audit=self.store.audit(self.catalog_key))
        elif kind in ("agreement", "disagreements"):
            write = exports.agreement_csv_bytes if kind == "agreement" else exports.disagreements_csv_bytes
            data = write(self.store.audit(self.catalog_key), standards=self.standards, catalog=self.catalog_key)
        else:
            data = exports.to_case_bytes(decisions, catalog=self.catalog_key, courses=self.courses,
                                         standards=self.standards)
        suffix, mime, label = EXPORT_KINDS[kind]
        stem = "" if kind in ("agreement", "disagreements") else "-decisions"
        return Export(f"{_stem(self.catalog_key)}{stem}{suffix}", mime, label, data, len(decisions))


def _stem(catalog: str) -> str:
    from alignment.ui import html as h

    return h.css_class(catalog.rsplit(".", 1)[0])
