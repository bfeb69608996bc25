#!/usr/bin/python3
"""The Run page in a real browser: its loss / accuracy / learning-rate charts are drawn, the
confusion matrix and per-class table show eval.json's numbers, a 2-D run shows its decision
boundary, the inspection lists the samples the model gets wrong, and no error reaches the console."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, read_json, wait_for  # noqa: E402


def check_curves_are_drawn(session):
    browser = session.browser
    for run_id in ("img", "xor", "spam"):
        browser.open(f"run?run={run_id}")
        epochs = sum(1 for line in open(os.path.join(session.runs_dir, run_id, "metrics.jsonl"))
                     if '"kind":"epoch"' in line)
        for chart in ("loss", "accuracy", "lr"):
            # One epoch is one point: its marker alone is drawn.
            browser.expect_chart_drawn(chart, minimum=30 if epochs > 1 else 15)
            points = browser.chart_points(chart)
            expect(points == epochs, f"run {run_id}: chart {chart} has {points} points, "
                                     f"metrics.jsonl {epochs} epochs")
        steps = sum(1 for line in open(os.path.join(session.runs_dir, run_id, "metrics.jsonl"))
                    if '"kind":"step"' in line)
        if steps:  # logged steps (train --log-every) get a loss chart of their own
            browser.expect_chart_drawn("step-loss", minimum=30)
            points = browser.chart_points("step-loss")
            expect(points == steps, f"run {run_id}: the step chart has {points} points, "
                                    f"metrics.jsonl {steps} steps")
        browser.expect_no_console_errors(f"run page of {run_id}")


def check_confusion_matrix_is_eval_json(session):
    browser = session.browser
    browser.open("run?run=img")
    evaluation = read_json(os.path.join(session.runs_dir, "img", "eval.json"))
    expected = evaluation["confusion_matrix"]
    shown = browser.js(
        "const rows = [];"
        "for (const td of document.querySelectorAll('#confusion-matrix td[data-testid=confusion-cell]')) {"
        "  const r = Number(td.dataset.row), c = Number(td.dataset.col);"
        "  (rows[r] = rows[r] || [])[c] = Number(td.textContent); }"
        "return rows;")
    expect(shown == expected, f"the confusion matrix shows {shown}, eval.json has {expected}")
    shades = set(browser.js("return [...document.querySelectorAll('#confusion-matrix td')]"
                            ".map(td => getComputedStyle(td).backgroundColor);"))
    expect(len(shades) > 2, f"the confusion matrix's cells are not shaded by count: {shades}")
    report = browser.js("return [...document.querySelectorAll('[data-testid=class-report] tbody tr')]"
                        ".map(tr => [...tr.children].map(c => c.textContent));")
    expect(len(report) == len(evaluation["classes"]),
           f"{len(report)} rows in the per-class table, eval.json has {len(evaluation['classes'])}")
    for row, entry in zip(report, evaluation["classes"]):
        expect(row[0] == entry["class"], f"per-class row {row} for class {entry['class']}")
        for shown_value, key in zip(row[1:], ("precision", "recall", "f1", "support")):
            expect(abs(float(shown_value) - entry[key]) <= 5e-4 * max(1, entry[key]),
                   f"class {entry['class']}: {key} shown as {shown_value}, eval.json has {entry[key]}")
    browser.expect_no_console_errors("evaluation of img")


def check_decision_boundary_is_drawn(session):
    browser = session.browser
    browser.open("run?run=xor")
    wait_for("the decision boundary", lambda: browser.find_all("#boundary-canvas"))
    drawn = browser.colored_pixels("#boundary-canvas")
    expect(drawn > 1000, f"the decision boundary canvas has {drawn} coloured pixels")
    browser.expect_no_console_errors("decision boundary of xor")


def check_inspection_lists_wrong_samples(session):
    browser = session.browser
    for run_id, content in (("img", "canvas"), ("spam", "pre.mail"), ("xor", "span")):
        browser.open(f"run?run={run_id}")
        classes = wait_for(f"the inspection of {run_id}",
                           lambda: browser.find_all("[data-testid=inspection-class]"))
        samples = browser.find_all("[data-testid=inspection-sample]")
        expect(samples, f"run {run_id}: the inspection shows no wrongly classified sample")
        for sample in samples[:5]:
            caption = sample.find_element("css selector", "figcaption").text
            expect("true" in caption and "predicted" in caption,
                   f"run {run_id}: inspection caption {caption!r}")
            expect(sample.find_elements("css selector", content),
                   f"run {run_id}: an inspected sample shows no {content}")
        expect(len(classes) >= 2, f"run {run_id}: inspection for {len(classes)} classes")
        browser.expect_no_console_errors(f"inspection of {run_id}")


if __name__ == "__main__":
    Session(__doc__).run([
        ("curves_are_drawn", check_curves_are_drawn),
        ("confusion_matrix_is_eval_json", check_confusion_matrix_is_eval_json),
        ("decision_boundary_is_drawn", check_decision_boundary_is_drawn),
        ("inspection_lists_wrong_samples", check_inspection_lists_wrong_samples),
    ])
