#!/usr/bin/python3
"""The Runs page in a real browser: every run under the directory is listed with its final
accuracy as its summary.json states it, a broken run is marked with the reason, the table sorts
and filters, selected runs overlay their curves, markup in a run's name or config shows as text
(never as HTML), and no error reaches the console."""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, read_json, wait_for  # noqa: E402

ACCURACY_KEYS = ("test_accuracy", "val_accuracy", "train_accuracy")


ODD_RUN = "odd run & #1 <b>bold?x=1,2"
PAYLOAD = '<img src="x" onerror="window.__injected = 1">'


def add_odd_runs(session):
    add_broken_run(session)
    add_run_with_markup(session)


def add_run_with_markup(session):
    # A run whose name and config carry markup and URL syntax: shown as text, never as HTML.
    odd = os.path.join(session.runs_dir, ODD_RUN)
    shutil.copytree(os.path.join(session.runs_dir, "xor"), odd)
    config = read_json(os.path.join(odd, "config.json"))
    config["note"] = PAYLOAD
    with open(os.path.join(odd, "config.json"), "w") as out:
        json.dump(config, out)


def add_broken_run(session):
    # A run whose config.json was cut off mid-write: listed, marked broken, with the reason.
    broken = os.path.join(session.runs_dir, "broken")
    os.makedirs(broken)
    with open(os.path.join(broken, "config.json"), "w") as out:
        out.write('{"task": "2d", "epo')
    with open(os.path.join(broken, "metrics.jsonl"), "w") as out:
        out.write('{"kind":"epoch","epoch":1,"loss":0.7}\n')


def row_cells(browser, run_id):
    rows = [row for row in browser.find_all("#runs-table tbody tr")
            if row.get_attribute("data-run-id") == run_id]
    expect(len(rows) == 1, f"run {run_id}: {len(rows)} rows in the runs table, expected 1")
    return {cell.get_attribute("data-testid")[len("cell-"):]: cell
            for cell in rows[0].find_elements("css selector", "td[data-testid^=cell-]")}


def check_lists_every_run_with_its_accuracy(session):
    browser = session.browser
    browser.open("runs")
    listed = sorted(row.get_attribute("data-run-id") for row in browser.find_all("#runs-table tbody tr"))
    expect(listed == sorted(os.listdir(session.runs_dir)),
           f"the table lists {listed}, the directory holds {sorted(os.listdir(session.runs_dir))}")
    for run_id in ("xor", "img", "spam"):
        summary = read_json(os.path.join(session.runs_dir, run_id, "summary.json"))
        cells = row_cells(browser, run_id)
        for key in ACCURACY_KEYS:
            if key not in summary:
                continue
            shown = cells[key].text
            expect(shown, f"run {run_id}: no {key} shown, summary.json has {summary[key]}")
            expect(abs(float(shown) - summary[key]) <= 5e-4 * max(1, abs(summary[key])),
                   f"run {run_id}: {key} shown as {shown}, summary.json has {summary[key]}")
            expect(float(cells[key].get_attribute("data-value")) == summary[key],
                   f"run {run_id}: {key} value {cells[key].get_attribute('data-value')} "
                   f"!= summary.json's {summary[key]}")
        config = read_json(os.path.join(session.runs_dir, run_id, "config.json"))
        if "train_samples" in config:  # differs between the runs: a column of its own
            shown = cells.get("config.train_samples")
            expect(shown is not None and shown.text == str(config["train_samples"]),
                   f"run {run_id}: train_samples shown as {shown.text if shown else None!r}, "
                   f"config.json has {config['train_samples']}")
        expect(cells["status"].text.startswith("complete"),
               f"run {run_id}: status {cells['status'].text!r}, expected complete")
    browser.expect_no_console_errors("runs page")


def check_broken_run_shows_its_reason(session):
    browser = session.browser
    browser.open("runs")
    cells = row_cells(browser, "broken")
    status = cells["status"].text
    expect(status.startswith("broken"), f"broken run: status {status!r}, expected broken first")
    expect("config.json" in status, f"broken run: the reason {status!r} does not name config.json")
    browser.open("run?run=broken")
    shown = browser.text("[data-testid=run-problems]")
    expect("config.json" in shown, f"the broken run's page shows no reason naming config.json: {shown!r}")
    browser.open("playground?run=broken")
    shown = browser.text("[data-testid=no-model]")
    expect("model.safetensors" in shown, f"the broken run's playground says {shown!r}, not that it has no model")
    browser.expect_no_console_errors("the broken run's pages")


def check_sorts_and_filters(session):
    browser = session.browser
    browser.open("runs")

    def listed():
        # Read in one script, so that a table redrawn between two reads (each keystroke of the
        # filter redraws it) is never half old, half new.
        return browser.js("return [...document.querySelectorAll('#runs-table tbody tr')]"
                          ".map(tr => tr.getAttribute('data-run-id'));")

    browser.find("th[data-sort-key=train_accuracy]").click()
    values = [float(v) for v in browser.js(
        "return [...document.querySelectorAll('#runs-table tbody td[data-testid=cell-train_accuracy]')]"
        ".map(td => td.dataset.value).filter(v => v !== '');")]
    expect(values == sorted(values), f"sorted by train accuracy ascending: {values}")
    browser.find("th[data-sort-key=train_accuracy]").click()
    values = [float(v) for v in browser.js(
        "return [...document.querySelectorAll('#runs-table tbody td[data-testid=cell-train_accuracy]')]"
        ".map(td => td.dataset.value).filter(v => v !== '');")]
    expect(values == sorted(values, reverse=True), f"sorted by train accuracy descending: {values}")
    browser.find("#runs-filter").send_keys("lenet")
    wait_for("the filter to leave the LeNet run alone", lambda: listed() == ["img"])
    browser.expect_no_console_errors("sorting and filtering")


def check_selected_runs_overlay_their_curves(session):
    browser = session.browser
    browser.open("runs")
    chosen = ["img", "spam", ODD_RUN]  # an id with ',', '&', '?' and '#' survives the address
    for run_id in chosen:
        browser.js("[...document.querySelectorAll('#runs-table tbody tr')]"
                   ".find(tr => tr.dataset.runId === arguments[0])"
                   ".querySelector('input[data-testid=select-run]').click();", run_id)
    browser.find("[data-testid=compare-button]").click()
    wait_for("the comparison page", lambda: browser.js(
        "const m = document.getElementById('main');"
        "return m.dataset.page === 'compare' && m.dataset.state === 'ready';"))
    series = browser.js("return window.__charts['compare-loss'].series.slice(1).map(s => s.label);")
    expect(series == chosen, f"the loss comparison overlays {series}, expected {chosen}")
    browser.expect_chart_drawn("compare-loss")
    browser.expect_chart_drawn("compare-accuracy")
    browser.expect_no_console_errors("comparison page")


def check_untrusted_text_stays_text(session):
    browser = session.browser
    browser.open("runs")
    link = browser.js("const row = [...document.querySelectorAll('#runs-table tbody tr')]"
                      ".find(tr => tr.dataset.runId === arguments[0]);"
                      "return row ? row.querySelector('a') : null;", ODD_RUN)
    expect(link is not None, f"no row for the run {ODD_RUN!r}")
    expect(link.text == ODD_RUN, f"the run's link reads {link.text!r}, expected {ODD_RUN!r}")
    link.click()
    wait_for("the odd run's page", lambda: browser.js(
        "const m = document.getElementById('main');"
        "return m.dataset.page === 'run' && m.dataset.state === 'ready';"))
    title = browser.text("[data-testid=run-title]")
    expect(title == ODD_RUN, f"the run page's title is {title!r}, expected {ODD_RUN!r}")
    note = browser.text("[data-testid=config-table] tr[data-key=note] td")
    expect(note == PAYLOAD, f"the config's note shows as {note!r}, expected the text {PAYLOAD!r}")
    injected = browser.js("return [window.__injected, document.querySelectorAll('main img, main b').length];")
    expect(injected == [None, 0], f"markup from the run's files became elements: {injected}")
    browser.expect_no_console_errors("the odd run's page")


if __name__ == "__main__":
    Session(__doc__).run([
        ("lists_every_run_with_its_accuracy", check_lists_every_run_with_its_accuracy),
        ("broken_run_shows_its_reason", check_broken_run_shows_its_reason),
        ("sorts_and_filters", check_sorts_and_filters),
        ("selected_runs_overlay_their_curves", check_selected_runs_overlay_their_curves),
        ("untrusted_text_stays_text", check_untrusted_text_stays_text),
    ], prepare=add_odd_runs)
