"""The review app with the keyboard only, in headless Chromium against a real Voila
server: two courses reviewed with shortcut keys (no clicks), the page reloaded, and the
decisions are there, in the page and in the SQLite file."""

from __future__ import annotations

import pytest

from conftest import wait_for
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from test_review_app import decisions_in_file, open_app, row_status, rows, type_name


def press(browser, *keys: str):
    for key in keys:
        ActionChains(browser).send_keys(key).perform()


def message_text(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".pa-message").text


def leave_the_name_field(browser):
    """After typing the name, focus leaves the text field (as Tab would, without landing on a control)."""
    browser.execute_script("document.activeElement.blur()")


@pytest.mark.xfail(strict=False, reason="issue 15 is open: on a clean clone under CI load a key press was once applied "
                   "to the wrong course (seen 2026-11-30); passes on its own; to be made deterministic")
def test_two_courses_reviewed_with_the_keyboard_survive_a_reload(browser, server):
    reviewer = "Kim Keys"
    open_app(browser, server)
    type_name(browser, reviewer)
    leave_the_name_field(browser)
    first_course = browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
    assert "pa-focus" in rows(browser)[0].get_attribute("class")  # the focus is visible
    assert "Keys (outside text fields)" in browser.find_element(By.CSS_SELECTOR, ".pa-keys-legend").text

    press(browser, "a")
    wait_for(browser, lambda d: row_status(d, 0).startswith("accepted"), message="a did not accept")
    press(browser, "j")
    wait_for(browser, lambda d: "pa-focus" in rows(d)[1].get_attribute("class"), message="j did not move")
    press(browser, "r")
    wait_for(browser, lambda d: row_status(d, 1).startswith("rejected"), message="r did not reject")
    press(browser, "n")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
             != first_course, message="n did not open the next course")
    second_course = browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
    wait_for(browser, lambda d: row_status(d, 0).startswith("not reviewed"), message="course 2's rows not drawn")
    press(browser, "a")
    wait_for(browser, lambda d: message_text(d).startswith("Saved: accepted") and row_status(d, 0).startswith(
        "accepted"), message="a did not accept (course 2)")

    wait_for(browser, lambda d: len(decisions_in_file(server.review_db, reviewer)) == 3,
             message="three decisions not in the file")
    stored = decisions_in_file(server.review_db, reviewer)
    assert list(stored["decision"]) == ["accepted", "rejected", "accepted"]
    assert stored["course_id"].nunique() == 2

    browser.refresh()
    open_app(browser, server)
    type_name(browser, reviewer)
    wait_for(browser, lambda d: "Welcome back" in d.find_element(By.CSS_SELECTOR, ".pa-message").text)
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
             == second_course and row_status(d, 0).startswith("accepted"), message="course 2 not resumed")
    leave_the_name_field(browser)
    press(browser, "p")
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
             == first_course and row_status(d, 0).startswith("accepted") and row_status(d, 1).startswith("rejected"),
             message="course 1's decisions not shown after the reload")
