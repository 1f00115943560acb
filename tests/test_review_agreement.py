"""Second review and the review queue: two reviewers disagree, a third settles it, and
the agreement per framework (percent and Cohen's kappa) matches a hand computation; the
queue's statuses, filters and counts on the bundled Westview catalog with the stub
aligner of ``test_ui`` (no models)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_review import CATALOG, real_course_ids, real_standard_ids
from test_ui import StubAligner

from alignment.review.agreement import agreement, disagreements, review_pairs, reviewer_decisions
from alignment.review.store import ReviewStore
from alignment.ui.review_session import QUEUE_STATUSES, ReviewRefused, ReviewSession

FINANCE = "000217-000218"
A = ["accepted"] * 6 + ["rejected"] * 4
B = ["accepted"] * 5 + ["rejected", "rejected", "rejected", "accepted", "rejected"]


@pytest.fixture()
def store(tmp_path):
    with ReviewStore(tmp_path / "review.db", create=True) as s:
        yield s


@pytest.fixture()
def reviewed(store):
    """Ten real (course, CCSS math standard) pairs decided by ana, then by bo."""
    (course,), stds = real_course_ids(1), real_standard_ids(10)
    for sid, decision in zip(stds, A):
        store.record(CATALOG, course, sid, decision, "ana")
    for sid, decision in zip(stds, B):
        store.record(CATALOG, course, sid, decision, "bo")
    return course, stds


def test_two_reviewers_disagree_a_third_settles_and_kappa_matches_the_hand_computation(store, reviewed, standards):
    course, stds = reviewed
    # disagreements at pairs 6 (accepted/rejected) and 9 (rejected/accepted)
    listed = disagreements(store.audit())
    assert listed["standard_id"].tolist() == sorted([stds[5], stds[8]])
    assert set(listed["status"]) == {"disputed"}
    store.record(CATALOG, course, stds[5], "accepted", "cy", note="settled: unit 4 teaches it")
    pairs = review_pairs(store.audit()).set_index("standard_id")
    assert pairs.loc[stds[5], ["status", "settled_by", "settled_decision"]].tolist() == ["settled", "cy", "accepted"]
    assert pairs.loc[stds[8], "status"] == "disputed"
    assert (pairs.loc[stds[0], "first_reviewer"], pairs.loc[stds[0], "second_reviewer"]) == ("ana", "bo")
    assert store.decisions().set_index("standard_id").loc[stds[5], "reviewer"] == "cy"

    # by hand: 8 of 10 agree (p_o = 0.8); ana accepts 6/10, bo accepts 6/10, so
    # p_e = 0.6*0.6 + 0.4*0.4 = 0.52 and kappa = (0.8 - 0.52) / (1 - 0.52) = 7/12
    table = agreement(store.audit(), standards).set_index("framework")
    assert list(table.index) == ["ccss_math", "all"]
    row = table.loc["ccss_math"]
    assert row["pairs"] == 10 and row["agreed"] == 8 and row["percent_agreement"] == pytest.approx(80.0)
    assert row["kappa"] == pytest.approx(7 / 12)
    assert table.loc["all", "kappa"] == pytest.approx(7 / 12)


def test_a_reviewer_s_own_decision_follows_their_undo_and_clear(store):
    (course,), stds = real_course_ids(1), real_standard_ids(2)
    store.record(CATALOG, course, stds[0], "accepted", "ana")
    store.record(CATALOG, course, stds[0], "rejected", "ana")
    store.undo(CATALOG, "ana")  # back to ana's accepted
    store.record(CATALOG, course, stds[1], "accepted", "ana")
    store.clear(CATALOG, course, stds[1], "ana")
    own = reviewer_decisions(store.audit())
    assert own[["standard_id", "reviewer", "decision"]].values.tolist() == [[stds[0], "ana", "accepted"]]


def test_agreement_without_second_reviews_is_empty_not_made_up(store):
    (course,), stds = real_course_ids(1), real_standard_ids(1)
    store.record(CATALOG, course, stds[0], "accepted", "ana")
    table = agreement(store.audit(), {stds[0]: "ccss_math"})
    assert table.set_index("framework").loc["all", "pairs"] == 0
    assert math.isnan(table.set_index("framework").loc["all", "kappa"])


# ------------------------------------------------------------------ the queue


@pytest.fixture()
def session(standards, catalog, store):
    s = ReviewSession(StubAligner(standards), standards, store, catalog, reviewer="Ana")
    s.select_catalog(s.catalog_key)
    return s


def test_queue_statuses_filters_counts_and_next(session, store, catalog):
    total = len(catalog)
    assert session.queue_counts() == {"not reviewed": total, "partly": 0, "done": 0, "disputed": 0}
    session.open_course(FINANCE)
    session.bulk("ccss_math", "accept_strong")
    counts = session.queue_counts()
    assert counts["partly"] == 1 and counts["not reviewed"] == total - 1
    # filtered to the math suggestions of band strong, Finance is done
    done = session.queue(framework="ccss_math", band="strong", status="done")
    assert done["course_id"].tolist() == [FINANCE]
    for framework in ("cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"):
        session.bulk(framework, "accept_strong")
        session.bulk(framework, "reject_rest")
    assert session.queue(status="done")["course_id"].tolist() == [FINANCE]
    # a second reviewer disagrees on one of its decisions: disputed
    sid = session.view().suggestions.query("framework == 'ccss_math'")["standard_id"].iloc[0]
    store.record(session.catalog_key, FINANCE, sid, "rejected", "Bo")
    assert session.queue(status="disputed")["course_id"].tolist() == [FINANCE]
    # by sector and pathway (Westview's own values)
    finance = catalog.set_index("course_id").loc[FINANCE]
    in_sector = session.queue(sector=finance["sector"].split(";")[0].upper())
    assert FINANCE in set(in_sector["course_id"]) and len(in_sector) < total
    assert set(session.queue(pathway=finance["pathway"].split(";")[0])["course_id"]) <= set(in_sector["course_id"])
    # next: the first open course after Finance, in catalog order
    order = session.course_ids
    view = session.next_in_queue()
    assert view.course["course_id"] == order[order.index(FINANCE) + 1]
    with pytest.raises(ReviewRefused, match="unknown status"):
        session.queue(status="finished")
    assert set(session.queue_counts()) == set(QUEUE_STATUSES)
