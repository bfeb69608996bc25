#!/usr/bin/python3
"""The Data, Model and Sweeps pages in a real browser: each loads with no error in the console
and shows what its run holds — sample images per class, mails with their tokens, the point set
and the exploration charts; the module tree, the parameter table and the autodiff graph; a
sweep's trials with the metric against each parameter and the trials' curves."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, read_json, run_cli, wait_for  # noqa: E402

# A sweep as `minitorch sweep` leaves it: real trial runs below the sweep directory, sweep.json
# beside them (written here, so the page is checked whatever the sweep command's state).
SWEEP_TRIALS = [{"lr": 0.05, "epochs": 30, "state": "complete"},
                {"lr": 0.5, "epochs": 30, "state": "complete"},
                {"lr": 2.0, "epochs": 10, "state": "pruned"}]


def make_sweep(session):
    sweep_dir = os.path.join(session.runs_dir, "sweep-xor")
    trials = []
    for number, trial in enumerate(SWEEP_TRIALS):
        run_dir = os.path.join(sweep_dir, f"trial-{number:03d}")
        run_cli(session.cli, "train", "--task", "2d", "--dataset", "xor", "--epochs", str(trial["epochs"]),
                "--lr", str(trial["lr"]), "--run-dir", run_dir)
        values = [json.loads(line)["train_accuracy"] for line in open(os.path.join(run_dir, "metrics.jsonl"))]
        trials.append({"number": number, "run_dir": f"trial-{number:03d}", "params": {"lr": trial["lr"]},
                       "state": trial["state"], "epochs_done": len(values), "value": values[-1],
                       "values": values, "pruned_at_epoch": len(values) if trial["state"] == "pruned" else None,
                       "error": None})
    best = max((t for t in trials if t["state"] == "complete"), key=lambda t: t["value"])
    sweep = {"version": 1, "command": "sweep", "task": "2d", "model": "mlp", "metric": "train_accuracy",
             "direction": "maximize", "sampler": "grid", "seed": 0, "trials_requested": len(trials),
             "params": [{"name": "lr", "spec": "choice:0.05,0.5,2.0"}],
             "pruner": {"kind": "median", "warmup_epochs": 5, "warmup_trials": 2},
             "base_config": read_json(os.path.join(sweep_dir, "trial-000", "config.json")),
             "trials": trials, "best_trial": best["number"], "best_value": best["value"],
             "best_params": best["params"]}
    with open(os.path.join(sweep_dir, "sweep.json"), "w") as out:
        json.dump(sweep, out)


def check_image_data(session):
    browser = session.browser
    browser.open("data?run=img")
    rows = browser.find_all("[data-testid=data-class-row]")
    expect(len(rows) == 10, f"{len(rows)} class rows of images, Fashion-MNIST has 10 classes")
    lit = browser.js("const c = document.querySelector('[data-testid=data-sample] canvas');"
                     "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                     "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 40) n += 1; return n;")
    expect(lit > 20, f"the first sample image has {lit} lit pixels")
    browser.expect_chart_drawn("class-balance")
    browser.expect_chart_drawn("pixel-histogram")
    splits = browser.js("return Object.fromEntries([...document.querySelectorAll('[data-testid=splits-table] tr')]"
                        ".map(tr => [tr.dataset.key, Number(tr.querySelector('td').textContent)]));")
    expect(splits.get("train") == 300, f"the split sizes {splits}, the run trained on 300 samples")
    browser.expect_no_console_errors("data page of img")


def check_text_data(session):
    browser = session.browser
    browser.open("data?run=spam")
    mails = browser.find_all("[data-testid=data-sample]")
    expect(len(mails) >= 2, f"{len(mails)} mails shown")
    tokens = browser.find_all("[data-testid=data-sample] .token")
    expect(len(tokens) > 10, f"{len(tokens)} tokens shown for the mails")
    browser.expect_chart_drawn("class-balance")
    browser.expect_chart_drawn("text-lengths")
    browser.expect_no_console_errors("data page of spam")


def check_point_data(session):
    browser = session.browser
    browser.open("data?run=xor")
    browser.expect_chart_drawn("points")
    points = browser.chart_points("points")
    expect(points and points >= 50, f"the point chart holds {points} points, the xor set has 50")
    browser.expect_no_console_errors("data page of xor")


def check_model_page(session):
    browser = session.browser
    for run_id in ("img", "spam", "xor"):
        browser.open(f"model?run={run_id}")
        tree = browser.text("[data-testid=model-tree]")
        expect(tree.count("\n") >= 2 and "(" in tree, f"{run_id}: the module tree shows {tree!r}")
        counts = browser.js("return [...document.querySelectorAll('[data-testid=parameters-table] tbody tr')]"
                            ".map(tr => Number(tr.children[2].textContent));")
        expect(counts and all(c > 0 for c in counts), f"{run_id}: parameter counts {counts}")
        graph = wait_for(f"{run_id}: the autodiff graph", lambda: browser.js(
            "const img = document.querySelector('[data-testid=graph-svg]');"
            "if (img) return img.complete && img.naturalWidth > 0 ? 'svg' : null;"
            "const dot = document.querySelector('[data-testid=graph-dot]');"
            "return dot && dot.textContent.includes('digraph') ? 'dot' : null;"))
        expect(graph == "svg", f"{run_id}: the graph is shown as {graph}, expected an SVG (graphviz)")
        browser.expect_no_console_errors(f"model page of {run_id}")


def check_sweep_pages(session):
    browser = session.browser
    browser.open("sweeps")
    rows = browser.find_all("[data-testid=sweeps-table] tbody tr")
    expect([r.get_attribute("data-sweep-id") for r in rows] == ["sweep-xor"],
           f"the sweeps table lists {[r.text for r in rows]}")
    browser.open("sweep?sweep=sweep-xor")
    trials = browser.js("return [...document.querySelectorAll('[data-testid=trials-table] tbody tr')]"
                        ".map(tr => [...tr.children].map(c => c.textContent));")
    expect([t[1] for t in trials] == [t["state"] for t in SWEEP_TRIALS],
           f"the trials table shows {trials}")
    browser.expect_chart_drawn("sweep-lr", minimum=20)
    browser.expect_chart_drawn("sweep-curves")
    points = browser.chart_points("sweep-curves")
    expect(points == 30, f"the trials' curves span {points} epochs, the longest trial ran 30")
    browser.expect_no_console_errors("sweep page")


if __name__ == "__main__":
    Session(__doc__).run([
        ("image_data", check_image_data),
        ("text_data", check_text_data),
        ("point_data", check_point_data),
        ("model_page", check_model_page),
        ("sweep_pages", check_sweep_pages),
    ], prepare=make_sweep)
