"""The review app with the keyboard only, in headless Chromium against a real Voila
server: two courses reviewed with shortcut keys (no clicks), the page reloaded, and the
decisions are there, in the page and in the SQLite file.

Each key is pressed only once the page shows the state the previous one led to (saved
status, focus, the new course's rows with the focus on the first): a key acts on the
row the page shows focused (its id travels with the key), so waiting for the page is
what makes the sequence deterministic under load, not sleeping."""

from __future__ import annotations

from conftest import wait_for
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from alignment.ui.html import css_class
from test_review_app import decisions_in_file, open_app, row_status, rows, type_name


def press(browser, *keys: str):
    for key in keys:
        ActionChains(browser).send_keys(key).perform()


def message_text(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".pa-message").text


def card_title(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]


def focused_row(browser):
    """The index of the row the page shows focused, and that row's classes (None when none is)."""
    for i, row in enumerate(rows(browser)):
        classes = row.get_attribute("class").split()
        if "pa-focus" in classes:
            return i, classes
    return None


def leave_the_name_field(browser):
    """After typing the name, focus leaves the text field (as Tab would, without landing on a control)."""
    browser.execute_script("document.activeElement.blur()")


def test_two_courses_reviewed_with_the_keyboard_survive_a_reload(browser, server):
    reviewer = "Kim Keys"
    open_app(browser, server)
    type_name(browser, reviewer)
    leave_the_name_field(browser)
    first_course = browser.find_element(By.CSS_SELECTOR, ".pa-review-course-card").text.splitlines()[0]
    wait_for(browser, lambda d: (f := focused_row(d)) is not None and f[0] == 0,
             message="the focus is not visible on the first row")
    assert "Keys (outside text fields)" in browser.find_element(By.CSS_SELECTOR, ".pa-keys-legend").text

    press(browser, "a")
    wait_for(browser, lambda d: row_status(d, 0).startswith("accepted"), message="a did not accept")
    press(browser, "j")
    wait_for(browser, lambda d: "pa-focus" in rows(d)[1].get_attribute("class"), message="j did not move")
    press(browser, "r")
    wait_for(browser, lambda d: row_status(d, 1).startswith("rejected"), message="r did not reject")
    first_rows = {c for c in focused_row(browser)[1] if c.startswith("pa-row-course-")}
    press(browser, "n")
    wait_for(browser, lambda d: card_title(d) != first_course, message="n did not open the next course")
    second_course = card_title(browser)
    # the new course's rows are drawn and the page shows the focus on its first row
    wait_for(browser, lambda d: (f := focused_row(d)) is not None and f[0] == 0
             and not first_rows & set(f[1]) and row_status(d, 0).startswith("not reviewed"),
             message="course 2's rows not drawn with the focus on the first")
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


def test_keys_pressed_faster_than_the_kernel_act_on_the_rows_the_page_focused(browser, server):
    """j j a j r typed in one go (no wait between the keys): the page moves its focus at
    once and each key carries the row it showed focused, so row 3 is accepted and row 4
    rejected however far behind the kernel is."""
    reviewer = "Fay Fast"
    open_app(browser, server)
    type_name(browser, reviewer)
    leave_the_name_field(browser)
    wait_for(browser, lambda d: (f := focused_row(d)) is not None and f[0] == 0, message="no focus on row 1")
    course = card_title(browser)
    row_classes = [set(r.get_attribute("class").split()) for r in rows(browser)[:4]]
    ActionChains(browser).send_keys("jjajr").perform()
    wait_for(browser, lambda d: row_status(d, 2).startswith("accepted") and row_status(d, 3).startswith("rejected"),
             message="j j a j r did not decide rows 3 and 4")
    assert card_title(browser) == course
    wait_for(browser, lambda d: len(decisions_in_file(server.review_db, reviewer)) == 2,
             message="two decisions not in the file")
    stored = decisions_in_file(server.review_db, reviewer)
    for (_, decision), classes in zip(stored.sort_values("decision").iterrows(), (row_classes[2], row_classes[3])):
        assert f"pa-row-{css_class(decision['standard_id'])}" in classes
