"""The dashboard's figures (issue's limits: runs table shown in under 1 s with 500 runs, server
under 50 MB resident, a live curve within 1 s of its epoch line), measured in headless Chromium.

Usage: /usr/bin/python3 bench/dashboard.py --cli build/minitorch --work-dir DIR [--runs 500]
       [--repeats 5]
Makes a directory of N runs (three real short trainings — 2-D xor, Fashion-MNIST LeNet with
eval.json, spam TextCNN — each copied with hard links until there are N), starts `minitorch
dashboard` on it and measures:
  - GET /api/runs: the first answer (cold: every run's files read) and the median of the next ones;
  - the runs page: time from navigation start (the page's performance clock) until the table has
    a row for every run, median of --repeats fresh loads;
  - the server's resident memory (VmRSS) and peak (VmHWM), after the runs page and again after the
    image run's data, inspection and model pages were opened;
  - live curves: a real `minitorch train` writes into the directory while its run page is open;
    for each epoch, the time from its line appearing in metrics.jsonl (the file polled every 2 ms)
    to the loss chart showing the point (the chart polled every 20 ms).
Prints a Markdown table; exits 1 when a limit is missed.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "dashboard"))
import dashboard_fixture as fixture  # noqa: E402  (the browser tests' runs, server and browser)


def copy_runs(base, target, count):
    """count run directories under target, cycling through the runs in base (hard links)."""
    kinds = sorted(os.listdir(base))
    os.makedirs(target)
    for i in range(count):
        kind = kinds[i % len(kinds)]
        shutil.copytree(os.path.join(base, kind), os.path.join(target, f"{kind}-{i:04d}"),
                        copy_function=os.link,
                        ignore=shutil.ignore_patterns(".lock"))


def memory_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def timed_get(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = answer.read()
    return time.perf_counter() - started, body


def table_shown_ms(browser, count):
    """Loads #/runs afresh; when its table was shown with `count` rows, in ms from the start of
    the page's navigation, as the page records it (main's data-ready-at: performance.now() when
    its render ended)."""
    browser.driver.get("about:blank")
    browser.driver.get(f"{browser.base_url}/#/runs")
    shown = fixture.wait_for("the runs table", lambda: browser.js(
        "const m = document.getElementById('main');"
        "return m && m.dataset.page === 'runs' && m.dataset.state === 'ready' ?"
        " [document.querySelectorAll('#runs-table tbody tr').length, Number(m.dataset.readyAt)]"
        " : null;"), interval=0.01)
    rows, ready_at = shown
    if rows < count:
        raise fixture.CheckFailed(f"the runs table shows {rows} rows, expected {count}")
    return ready_at


def live_latencies(cli, browser, runs_dir, epochs):
    """Per epoch: seconds from the line in metrics.jsonl to the point in the loss chart."""
    run = os.path.join(runs_dir, "live")
    training = subprocess.Popen(
        [cli, "train", "--task", "fashion-mnist", "--model", "lenet", "--train-samples", "4000",
         "--epochs", str(epochs), "--threads", "1", "--run-dir", run],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metrics = os.path.join(run, "metrics.jsonl")
    written = {}
    stop = threading.Event()

    def watch_file():
        while not stop.is_set():
            try:
                with open(metrics) as f:
                    lines = [line for line in f.read().split("\n")[:-1] if line]
            except FileNotFoundError:
                lines = []
            for line in lines:
                epoch = json.loads(line).get("epoch")
                if epoch not in written:
                    written[epoch] = time.monotonic()
            time.sleep(0.002)

    watcher = threading.Thread(target=watch_file)
    watcher.start()
    fixture.wait_for("the live run's config", lambda: os.path.exists(os.path.join(run, "config.json")))
    browser.driver.get(f"{browser.base_url}/#/run?run=live")
    fixture.wait_for("the live run's first poll", lambda: browser.text("[data-testid=live-status]"))
    page_ready = time.monotonic()  # epochs written before this were there when the page opened
    shown = {}
    deadline = time.monotonic() + 600
    finished_at = None
    while time.monotonic() < deadline:
        if finished_at is None and training.poll() is not None:
            finished_at = time.monotonic()
        if finished_at is not None and (len(shown) >= len(written) or
                                        time.monotonic() > finished_at + 5):
            break
        points = browser.js("const c = window.__charts && window.__charts.loss;"
                            " return c ? c.data[0].length : 0;")
        now = time.monotonic()
        for epoch in range(1, points + 1):
            shown.setdefault(epoch, now)
        time.sleep(0.02)
    stop.set()
    watcher.join()
    training.wait()
    return [shown[e] - written[e] for e in sorted(written)
            if e in shown and written[e] > page_ready]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--live-epochs", type=int, default=8)
    args = parser.parse_args()
    cli = os.path.abspath(args.cli)
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    base = os.path.join(work, "base")
    fixture.make_runs(cli, base)
    runs_dir = os.path.join(work, "runs")
    copy_runs(base, runs_dir, args.runs)

    server = fixture.Dashboard(cli, runs_dir, os.path.join(work, "dashboard.log"))
    browser = None
    try:
        started_kib = memory_kib(server.process.pid)
        cold, body = timed_get(f"{server.url}/api/runs")
        listed = len(json.loads(body)["runs"])
        warm = statistics.median(timed_get(f"{server.url}/api/runs")[0] for _ in range(10))
        browser = fixture.Browser(server.url, work)
        shown = [table_shown_ms(browser, args.runs) for _ in range(args.repeats)]
        after_table = memory_kib(server.process.pid)
        image_run = next(r for r in sorted(os.listdir(runs_dir)) if r.startswith("img"))
        for route in ("data", "run", "model"):
            browser.open(f"{route}?run={image_run}")
        after_pages = memory_kib(server.process.pid)
        latencies = live_latencies(cli, browser, runs_dir, args.live_epochs)
        final = memory_kib(server.process.pid)
    finally:
        if browser:
            browser.driver.quit()
        server.stop()

    shown_median = statistics.median(shown)
    rows = [
        ("runs listed by /api/runs", f"{listed}", ""),
        ("GET /api/runs, first (cold)", f"{cold * 1000:.0f} ms", ""),
        ("GET /api/runs, median of 10 after", f"{warm * 1000:.1f} ms", ""),
        (f"runs table shown (median of {args.repeats} loads)",
         f"{shown_median:.0f} ms (loads in order: {', '.join(f'{t:.0f}' for t in shown)})",
         "< 1000 ms"),
        ("server resident at start", f"{started_kib['VmRSS'] / 1024:.1f} MB", ""),
        ("server resident after the runs table", f"{after_table['VmRSS'] / 1024:.1f} MB "
         f"(peak {after_table['VmHWM'] / 1024:.1f})", "< 50 MB"),
        ("server resident after data, run and model pages of an image run",
         f"{after_pages['VmRSS'] / 1024:.1f} MB (peak {after_pages['VmHWM'] / 1024:.1f})", ""),
        ("server resident at the end", f"{final['VmRSS'] / 1024:.1f} MB "
         f"(peak {final['VmHWM'] / 1024:.1f})", ""),
        (f"live curve: epoch line → chart point ({len(latencies)} epochs)",
         f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
         if latencies else "no epoch seen", "< 1000 ms"),
    ]
    print("| measurement | value | limit |\n|---|---|---|")
    for name, value, limit in rows:
        print(f"| {name} | {value} | {limit} |")
    met = (shown_median < 1000 and after_table["VmRSS"] < 50 * 1024 and latencies
           and max(latencies) < 1.0)
    print("limits " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
