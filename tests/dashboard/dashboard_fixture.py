"""What the dashboard's browser tests share: a directory of real runs made with the real CLI,
`minitorch dashboard` started over it, and headless Chromium driven by Selenium.

Each test file is one program (one ctest): `test_X.py --cli PATH/minitorch --work-dir DIR
--shared-dir DIR`. The runs (2-D xor, Fashion-MNIST LeNet with eval.json, spam TextCNN) are
trained once into --shared-dir (under a file lock, so test files running side by side wait for
one another) and copied into each test's own directory, which the test may then change.
Exit status: 0 every check passed, 1 a check failed, 77 Chromium, chromedriver or Selenium is
missing (Debian's chromium, chromium-driver and python3-selenium: scripts/install-deps.sh).
"""

import argparse
import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Without these Chromium stalls on network look-ups in a machine without internet.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--window-size=1400,1000"]

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as missing:
    print(f"SKIP: {missing}; the dashboard's browser tests need Debian's python3-selenium")
    sys.exit(77)
for program in (CHROMIUM, CHROMEDRIVER):
    if not os.access(program, os.X_OK):
        print(f"SKIP: {program} is missing; the dashboard's browser tests need Debian's "
              "chromium and chromium-driver (scripts/install-deps.sh installs them)")
        sys.exit(77)

RUNS = {
    "xor": ["train", "--task", "2d", "--dataset", "xor", "--epochs", "50"],
    "img": ["train", "--task", "fashion-mnist", "--model", "lenet", "--train-samples", "300",
            "--epochs", "2", "--log-every", "1"],
    "spam": ["train", "--task", "spam", "--model", "textcnn", "--train-samples", "200",
             "--epochs", "1"],
}
TIMEOUT = 30  # seconds any one wait may take before the check fails


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def wait_for(what, probe, timeout=TIMEOUT, interval=0.1):
    """Calls probe() until it returns something truthy; fails naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout} s waiting for {what} (last seen: {last!r})")


def run_cli(cli, *args, timeout=300):
    done = subprocess.run([cli, *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise CheckFailed(f"`minitorch {' '.join(args)}` exited {done.returncode}: "
                          f"{done.stderr.strip()[-800:]}")
    return done.stdout


def make_runs(cli, target):
    """Trains the runs side by side into target (eval.json for the image run)."""
    os.makedirs(target)
    processes = {name: subprocess.Popen([cli, *args, "--run-dir", os.path.join(target, name)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
                 for name, args in RUNS.items()}
    for name, process in processes.items():
        _, errors = process.communicate(timeout=300)
        if process.returncode != 0:
            raise CheckFailed(f"training run {name} failed ({process.returncode}): {errors[-800:]}")
    run_cli(cli, "eval", "--run", os.path.join(target, "img"))


def shared_runs(cli, shared_dir):
    """The runs, made once per build of the CLI: a stamp of the binary and of the trainings says
    whether to remake them."""
    os.makedirs(shared_dir, exist_ok=True)
    runs = os.path.join(shared_dir, "runs")
    status = os.stat(cli)
    stamp = f"{os.path.realpath(cli)} {status.st_size} {status.st_mtime_ns} {json.dumps(RUNS)}\n"
    stamp_file = os.path.join(shared_dir, "runs.stamp")
    with open(os.path.join(shared_dir, "runs.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isdir(runs) and os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
            return runs
        shutil.rmtree(runs, ignore_errors=True)
        partial = runs + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        make_runs(cli, partial)
        os.rename(partial, runs)
        with open(stamp_file, "w") as out:
            out.write(stamp)
    return runs


class Dashboard:
    """`minitorch dashboard --runs DIR --port 0`, its URL read from the line it prints when ready."""

    def __init__(self, cli, runs_dir, log_path):
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([cli, "dashboard", "--runs", runs_dir, "--port", "0"],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.url = None
        seen = []
        deadline = time.monotonic() + TIMEOUT
        while self.url is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                self.stop()
                raise CheckFailed(f"minitorch dashboard printed no URL (exit {self.process.poll()},"
                                  f" output {seen!r}, stderr in {log_path})")
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                line = self.process.stdout.readline()
                seen.append(line)
                match = re.search(r"http://[^\s/]+:(\d+)", line)
                if match:
                    self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Browser:
    """Headless Chromium on the dashboard's page; console entries kept for the checks."""

    def __init__(self, base_url, work_dir):
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=work_dir)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # The Service path is given, so that Selenium never looks for (or downloads) a driver.
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(TIMEOUT)
        self.console = []

    def open(self, route):
        """Shows #/route afresh (what an earlier check left on the page is gone) and waits until
        the page says it is ready."""
        target = f"{self.base_url}/#/{route}"
        if self.driver.current_url.startswith(self.base_url):
            # Marks the shown page, so that its state is never taken for the new one's.
            self.js("const m = document.getElementById('main'); if (m) m.dataset.state = 'stale';")
        if self.driver.current_url == target:
            self.driver.refresh()  # the same URL again: get() would not reload the page
        else:
            self.driver.get(target)
        page = route.split("?")[0]
        state = wait_for(f"page {route} to load", lambda: self.js(
            "const m = document.getElementById('main');"
            "return m && m.dataset.page === arguments[0] && !['loading', 'stale'].includes(m.dataset.state)"
            " ? m.dataset.state : null;", page))
        expect(state == "ready", f"page {route} ended in state {state}: {self.text('#main')[:600]}")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        found = self.find_all(css)
        return found[0].text if found else ""

    def collect_console(self):
        self.console.extend(self.driver.get_log("browser"))
        return self.console

    def expect_no_console_errors(self, where):
        severe = [entry["message"] for entry in self.collect_console() if entry["level"] == "SEVERE"]
        expect(not severe, f"{where}: JavaScript or network errors reached the console: {severe}")
        errors = self.text("#error").strip()
        expect(not errors, f"{where}: the page shows an error: {errors}")

    def chart_points(self, name):
        """How many x values the uPlot chart `name` holds (null when there is no such chart)."""
        return self.js("const c = window.__charts && window.__charts[arguments[0]];"
                       "return c ? c.data[0].length : null;", name)

    def colored_pixels(self, css):
        """Pixels of the canvas at css whose colour is saturated: drawn data, not grey axes."""
        return self.js("""
            const canvas = document.querySelector(arguments[0]);
            if (!canvas) return -1;
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let count = 0;
            for (let i = 0; i < data.length; i += 4) {
              const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
              if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) count += 1;
            }
            return count;""", css)

    def expect_chart_drawn(self, name, minimum=100):
        css = f"#chart-{name} canvas"
        wait_for(f"chart {name}", lambda: self.chart_points(name))
        drawn = wait_for(f"chart {name} to be drawn (>= {minimum} coloured pixels)",
                         lambda: max(self.colored_pixels(css), 0) >= minimum and self.colored_pixels(css))
        expect(drawn >= minimum, f"chart {name} has {drawn} coloured pixels, expected >= {minimum}")
        # The same pixels as the browser exports them (a canvas read back through toDataURL).
        url = self.js("return document.querySelector(arguments[0]).toDataURL('image/png');", css)
        expect(url.startswith("data:image/png;base64,") and len(url) > 1000,
               f"chart {name}: toDataURL gave {url[:60]!r}")

    def screenshot(self, path):
        self.driver.save_screenshot(path)

    def quit(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


class Session:
    """One test program: its arguments, its own copy of the runs, the dashboard and the browser."""

    def __init__(self, description):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--cli", required=True, help="the minitorch program")
        parser.add_argument("--work-dir", required=True, help="this test's scratch directory")
        parser.add_argument("--shared-dir", required=True,
                            help="where the runs every test copies are made once")
        self.args = parser.parse_args()
        self.cli = os.path.abspath(self.args.cli)
        self.work_dir = os.path.abspath(self.args.work_dir)
        shutil.rmtree(self.work_dir, ignore_errors=True)
        os.makedirs(self.work_dir)
        self.runs_dir = os.path.join(self.work_dir, "runs")
        shutil.copytree(shared_runs(self.cli, os.path.abspath(self.args.shared_dir)), self.runs_dir)
        self.dashboard = None
        self.browser = None
        self.failures = []

    def start(self):
        self.dashboard = Dashboard(self.cli, self.runs_dir, os.path.join(self.work_dir, "dashboard.log"))
        self.browser = Browser(self.dashboard.url, self.work_dir)
        return self.browser

    def check(self, name, function):
        """Runs one check; a failure is printed at once and the next check still runs."""
        started = time.monotonic()
        try:
            if self.browser:  # each check answers for the console entries of its own pages
                self.browser.collect_console()
                self.browser.console = []
            function(self)
            print(f"ok    {name} ({time.monotonic() - started:.1f} s)", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, the next check runs
            detail = str(error) if isinstance(error, CheckFailed) else traceback.format_exc()
            print(f"FAIL  {name}: {detail}", flush=True)
            self.failures.append(name)
        finally:
            if self.browser:
                shot = os.path.join(self.work_dir, f"{name}.png")
                try:
                    self.browser.screenshot(shot)
                    print(f"      screenshot {shot}")
                except Exception as error:  # noqa: BLE001 - a missing artifact fails nothing
                    print(f"      no screenshot: {error}")

    def run(self, checks, prepare=None):
        """prepare(session) (changes to the runs), then the dashboard and browser, then checks."""
        try:
            if prepare:
                prepare(self)
            self.start()
        except Exception as error:  # noqa: BLE001 - reported as the failed start
            detail = str(error) if isinstance(error, CheckFailed) else traceback.format_exc()
            print(f"FAIL  start: {detail}", flush=True)
            self.failures.append("start")
        else:
            for name, function in checks:
                self.check(name, function)
        self.finish()

    def finish(self):
        if self.browser:
            self.browser.quit()
            self.browser = None
        if self.dashboard:
            self.dashboard.stop()
        if self.failures:
            print(f"{len(self.failures)} check(s) failed: {', '.join(self.failures)}")
            sys.exit(1)
        print("all checks passed")
        sys.exit(0)


def read_json(path):
    with open(path) as source:
        return json.load(source)
