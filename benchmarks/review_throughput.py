"""Review throughput: the review app in headless Chromium, 10 real catalog courses, two ways.

* ``one click per suggestion``: for each suggestion, one click (Accept when its band is
  strong, else Reject), then the Next button;
* ``bulk per framework + keyboard``: per framework, "Accept all strong" then "Reject
  the rest", then the ``n`` key to the next course;
* ``course bulk + keyboard``: the ``B`` key (accept every strong suggestion of the
  course and reject the rest, one action over all frameworks), then ``n``.

Both decide every suggestion of the same 10 courses (Westview's first 10), each on a
fresh Voila server with an empty review store. Printed per way: decisions per minute
(decisions in the store / time from the first action to the last saved state), clicks
(and keys) per course, and the median and p95 time from a click to its saved state
being shown (the row's status line, the app's "Saved" message for a framework's bulk
action, every row's status line for the course's).

    python benchmarks/review_throughput.py [--courses 10]

Needs Debian's ``chromium`` and ``chromium-driver`` (as the browser tests do).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "browser"))

import voila_server  # noqa: E402
from conftest import _make_driver, wait_ready  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402


# The page is read with one script call per poll, and polled every 20 ms: reading 35
# status lines element by element costs a WebDriver round trip each (hundreds of ms a
# poll on a loaded machine), and a 250 ms poll rounds every time up to its next poll;
# either would measure the benchmark, not the app.
POLL_SECONDS = 0.02
_PAGE = """
const first = (sel) => document.querySelector(sel);
const card = first(".pa-review-course-card"), msg = first(".pa-message");
return {title: card ? card.innerText.split("\\n")[0] : "", message: msg ? msg.innerText : "",
        statuses: Array.from(document.querySelectorAll(".pa-row .pa-status-line")).map((e) => e.innerText)};
"""


def page(d) -> dict:
    return d.execute_script(_PAGE)


def card_title(d) -> str:
    return page(d)["title"]


def message(d) -> str:
    return page(d)["message"]


def statuses(d) -> list[str]:
    return page(d)["statuses"]


def wait_for(driver, condition, timeout: float = 60):
    """Poll ``condition(driver)`` every POLL_SECONDS until it holds (TimeoutError after ``timeout`` s)."""
    end = time.perf_counter() + timeout
    while True:
        try:
            if condition(driver):
                return
        except (IndexError, KeyError):
            pass
        if time.perf_counter() > end:
            raise TimeoutError(f"the page did not reach the expected state in {timeout} s: {page(driver)}")
        time.sleep(POLL_SECONDS)


def open_app(driver, server, reviewer: str):
    driver.get(server.app_url("review.ipynb"))
    wait_ready(driver)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-row"))
    box = driver.find_element(By.CSS_SELECTOR, ".pa-reviewer input")
    box.send_keys(reviewer)
    box.send_keys(Keys.ENTER)
    driver.execute_script("document.activeElement.blur()")


def one_click_per_suggestion(driver, n_courses: int) -> tuple[list[float], int]:
    times, clicks = [], 0
    for c in range(n_courses):
        title = card_title(driver)
        rows = driver.find_elements(By.CSS_SELECTOR, ".pa-row")
        for i, row in enumerate(rows):
            strong = "pa-band-strong" in row.find_element(By.CSS_SELECTOR, ".pa-card").get_attribute("class")
            button, expect = (".pa-accept", "accepted") if strong else (".pa-reject", "rejected")
            start = time.perf_counter()
            row.find_element(By.CSS_SELECTOR, button).click()
            wait_for(driver, lambda d, i=i, expect=expect: statuses(d)[i].startswith(expect), timeout=60)
            times.append(time.perf_counter() - start)
            clicks += 1
        if c < n_courses - 1:
            driver.find_element(By.CSS_SELECTOR, ".pa-next").click()
            clicks += 1
            wait_for(driver, lambda d: card_title(d) != title and all(s.startswith("not reviewed")
                                                                      for s in statuses(d)), timeout=60)
    return times, clicks


def bulk_and_keyboard(driver, n_courses: int) -> tuple[list[float], int]:
    times, actions = [], 0
    for c in range(n_courses):
        title = card_title(driver)
        for box in driver.find_elements(By.CSS_SELECTOR, ".pa-bulk"):
            for selector, word in ((".pa-bulk-accept", "Saved: accepted"), (".pa-bulk-reject", "Saved: rejected")):
                before = message(driver)
                start = time.perf_counter()
                box.find_element(By.CSS_SELECTOR, selector).click()
                wait_for(driver, lambda d, before=before, word=word: (m := message(d)) != before
                         and m.startswith(word), timeout=60)
                times.append(time.perf_counter() - start)
                actions += 1
        wait_for(driver, lambda d: not any(s.startswith("not reviewed") for s in statuses(d)), timeout=60)
        if c < n_courses - 1:
            ActionChains(driver).send_keys("n").perform()
            actions += 1
            wait_for(driver, lambda d: card_title(d) != title and all(s.startswith("not reviewed")
                                                                      for s in statuses(d)), timeout=60)
    return times, actions


def course_bulk_and_keyboard(driver, n_courses: int) -> tuple[list[float], int]:
    times, keys = [], 0
    for c in range(n_courses):
        title = card_title(driver)
        start = time.perf_counter()
        ActionChains(driver).send_keys("B").perform()
        keys += 1
        wait_for(driver, lambda d: not any(s.startswith("not reviewed") for s in statuses(d)), timeout=60)
        times.append(time.perf_counter() - start)
        if c < n_courses - 1:
            ActionChains(driver).send_keys("n").perform()
            keys += 1
            wait_for(driver, lambda d: card_title(d) != title and all(s.startswith("not reviewed")
                                                                      for s in statuses(d)), timeout=60)
    return times, keys


def run(way, n_courses: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="pathway-align-bench-"))
    server = voila_server.start(workdir, create_review_db=True)
    driver = _make_driver(workdir / "profile")
    try:
        open_app(driver, server, "bench")
        start = time.perf_counter()
        times, clicks = way(driver, n_courses)
        elapsed = time.perf_counter() - start
        con = sqlite3.connect(f"file:{server.review_db}?mode=ro", uri=True)
        decisions = con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        con.close()
    finally:
        driver.get("about:blank")
        driver.quit()
        server.stop()
    times.sort()
    return {"decisions": decisions, "minutes": elapsed / 60, "per_minute": decisions / (elapsed / 60),
            "clicks_per_course": clicks / n_courses, "median_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[min(len(times) - 1, int(0.95 * len(times)))]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=10)
    args = parser.parse_args(argv)
    results = {"one click per suggestion": run(one_click_per_suggestion, args.courses),
               "bulk per framework + keyboard": run(bulk_and_keyboard, args.courses),
               "course bulk + keyboard": run(course_bulk_and_keyboard, args.courses)}
    print(f"| way ({args.courses} courses) | decisions | decisions/min | clicks+keys per course | "
          "click to saved, median | p95 |")
    print("|:--|--:|--:|--:|--:|--:|")
    for name, r in results.items():
        print(f"| {name} | {r['decisions']} | {r['per_minute']:.0f} | {r['clicks_per_course']:.1f} | "
              f"{r['median_ms']:.0f} ms | {r['p95_ms']:.0f} ms |")
    base = results["one click per suggestion"]
    print()
    for name, r in list(results.items())[1:]:
        print(f"{name}: {r['per_minute'] / base['per_minute']:.1f}x the decisions per minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
