#!/usr/bin/python3
"""Live curves in a real browser: while `minitorch train` writes a run under the dashboard's
directory, the Run page shows it training and its loss curve gains points as epochs end,
without reloading the page, each new epoch line of metrics.jsonl reaching the chart; once the
writer stops, the open page says so and stops polling. (How soon a line reaches the chart is a
benchmark's figure: bench/dashboard.sh.)"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, wait_for  # noqa: E402

# Long enough to outlast the checks (each epoch also scores the 10,000 test images); stopped by
# the test once the curve has grown.
LIVE_TRAINING = ["train", "--task", "fashion-mnist", "--model", "lenet", "--train-samples", "300",
                 "--epochs", "60"]


def epoch_lines(path):
    try:
        with open(path) as source:
            return sum(1 for line in source if line.endswith("\n") and '"kind":"epoch"' in line)
    except FileNotFoundError:
        return 0


def expect_next_line_on_chart(browser, metrics):
    """Waits for a new epoch line in metrics.jsonl, then for the chart to show its point."""
    before = epoch_lines(metrics)
    deadline = time.monotonic() + 60
    while epoch_lines(metrics) == before:
        expect(time.monotonic() < deadline, "no new epoch line in metrics.jsonl within 60 s")
        time.sleep(0.02)
    target = epoch_lines(metrics)
    wait_for("the new epoch on the chart", lambda: (browser.chart_points("loss") or 0) >= target,
             timeout=10, interval=0.02)


def check_curve_gains_points_while_training(session):
    browser = session.browser
    run_dir = os.path.join(session.runs_dir, "live")
    metrics = os.path.join(run_dir, "metrics.jsonl")
    trainer = subprocess.Popen([session.cli, *LIVE_TRAINING, "--run-dir", run_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("the first epoch in metrics.jsonl", lambda: epoch_lines(metrics) >= 1, timeout=60)
        browser.open("run?run=live")
        status = browser.text("[data-testid=run-status]")
        expect(status == "training", f"the live run's status is {status!r}, expected training")
        first = wait_for("the loss chart", lambda: browser.chart_points("loss"))
        grown = wait_for("the loss curve to gain two points",
                         lambda: (browser.chart_points("loss") or 0) >= first + 2 and browser.chart_points("loss"),
                         timeout=60)
        on_disk = epoch_lines(metrics)
        expect(grown <= on_disk, f"the chart has {grown} points, metrics.jsonl only {on_disk} epochs")
        expect_next_line_on_chart(browser, metrics)
        browser.expect_chart_drawn("loss")
        live_status = browser.text("[data-testid=live-status]")
        expect("training" in live_status, f"the page says {live_status!r} while the run trains")
        browser.expect_no_console_errors("live run page")
    finally:
        if trainer.poll() is None:
            trainer.send_signal(signal.SIGINT)
            try:
                trainer.wait(timeout=20)
            except subprocess.TimeoutExpired:
                trainer.kill()
                trainer.wait()


def check_polling_stops_when_training_ends(session):
    browser = session.browser
    # The page left open by the last check notices that the writer is gone, without a reload.
    wait_for("the open page to show the run's final status",
             lambda: browser.text("[data-testid=run-status]") in ("stopped", "complete"), timeout=10)
    browser.open("run?run=live")
    wait_for("the page to see that the run stopped",
             lambda: "training" not in browser.text("[data-testid=live-status]"), timeout=10)
    status = browser.text("[data-testid=run-status]")
    expect(status in ("stopped", "complete"), f"the stopped run's status is {status!r}")
    points = browser.chart_points("loss")
    on_disk = epoch_lines(os.path.join(session.runs_dir, "live", "metrics.jsonl"))
    expect(points == on_disk, f"the chart has {points} points, metrics.jsonl {on_disk} epochs")
    browser.expect_no_console_errors("stopped run page")


if __name__ == "__main__":
    Session(__doc__).run([
        ("curve_gains_points_while_training", check_curve_gains_points_while_training),
        ("polling_stops_when_training_ends", check_polling_stops_when_training_ends),
    ])
