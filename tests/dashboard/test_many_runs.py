#!/usr/bin/python3
"""The Runs page over a directory of 500 runs in a real browser: every run is listed, and filtering
and sorting work on all of them. (How fast the table is shown is a benchmark's figure, not a
test's: bench/dashboard.sh.)"""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, wait_for  # noqa: E402

COPIES = 500


def add_copies(session):
    # Copies of the 2-D run (small files, real content), without its model: what the table reads.
    source = os.path.join(session.runs_dir, "xor")
    for number in range(COPIES):
        target = os.path.join(session.runs_dir, f"copy-{number:03d}")
        os.makedirs(target)
        for name in ("config.json", "metrics.jsonl", "summary.json"):
            shutil.copyfile(os.path.join(source, name), os.path.join(target, name))


def check_lists_500_runs(session):
    browser = session.browser
    expected = len(os.listdir(session.runs_dir))
    browser.open("runs")
    rows = len(browser.find_all("#runs-table tbody tr"))
    expect(rows == expected, f"{rows} rows in the runs table, the directory holds {expected} runs")
    browser.expect_no_console_errors("runs page with 500 runs")


def check_filter_and_sort_500_runs(session):
    browser = session.browser
    browser.open("runs")
    browser.find("#runs-filter").send_keys("copy-49")
    wait_for("the filter to leave copy-490 to copy-499", lambda: len(browser.find_all("#runs-table tbody tr")) == 10)
    browser.find("th[data-sort-key=id]").click()
    first = browser.find("#runs-table tbody tr").get_attribute("data-run-id")
    expect(first == "copy-499", f"sorted by name descending, the first run is {first}")
    browser.expect_no_console_errors("filtering 500 runs")


if __name__ == "__main__":
    Session(__doc__).run([
        ("lists_500_runs", check_lists_500_runs),
        ("filter_and_sort_500_runs", check_filter_and_sort_500_runs),
    ], prepare=add_copies)
