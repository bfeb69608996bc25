#!/usr/bin/python3
"""Turns a bench/ddp.sh results directory into Markdown: the training runs side by side (images/s,
wall time, time to 90 % test accuracy, scaling efficiency, ours against PyTorch DDP), the test
accuracy of every epoch, the all-reduce table (ours against MPI_Allreduce) and the model on paper
(bench/ddp_model.py fed with the measured figures). Usage: bench/ddp_report.py RESULTS_DIR"""
import json
import os
import re
import statistics
import subprocess
import sys

TARGET = 0.90
PERCENT = {"ours scaling", "ours 2×1 / pair", "ours 2×1 / 2 × the pair's slower",
           "PyTorch scaling"}  # ratios shown as percentages
# name in the results directory, label, processes, threads per process, per-rank batch
RUNS = [("ours-1x1", "ours", 1, 1, 128), ("ours-2x1", "ours (mpirun)", 2, 1, 64),
        ("ours-1x2", "ours", 1, 2, 128), ("torch-1x1", "PyTorch", 1, 1, 128),
        ("torch-2x1", "PyTorch DDP (Gloo)", 2, 1, 64)]


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def epochs_of(out, name):
    """Per-epoch records {epoch, test_accuracy, epoch_seconds, img_per_s (all ranks)}, or None."""
    if "ours" in name:  # a run directory of ours
        path = os.path.join(out, name, "metrics.jsonl")
        if not os.path.exists(path):
            return None
        records = [r for r in read_lines(path) if r.get("kind") == "epoch"]
        for r in records:
            r["img_per_s"] = r["samples_per_second"]  # made every rank's by normalise_ours
        return records or None
    path = os.path.join(out, name + ".out")
    if not os.path.exists(path):
        return None
    records = [r for r in read_lines(path) if r.get("kind") == "epoch"]
    for r in records:
        r["img_per_s"] = r["samples_per_second"]
    return records or None


def normalise_ours(records, train_size):
    """Every rank's images per second: metrics.jsonl's rate counts the samples of its `total`,
    which may be one rank's share or the whole training set; the epoch covers the whole set."""
    for r in records:
        if r.get("total"):
            r["img_per_s"] = r["samples_per_second"] * train_size / r["total"]


def summary(records):
    rates = [r["img_per_s"] for r in records]
    reached = next((r for r in records if r.get("test_accuracy", 0) >= TARGET), None)
    seconds = None
    if reached:
        seconds = sum(r["epoch_seconds"] for r in records if r["epoch"] <= reached["epoch"])
    return {"img_per_s": statistics.median(rates), "epochs": len(records),
            "reached": reached["epoch"] if reached else None, "seconds": seconds,
            "best": max(r.get("test_accuracy", 0) for r in records),
            "last": records[-1].get("test_accuracy", 0)}


def wall(out, name):
    path = os.path.join(out, name + ".wall")
    return float(open(path).read()) if os.path.exists(path) else None


def cpu_seconds(out, name):
    """User + system CPU seconds of the run and its children (GNU time), or None."""
    path = os.path.join(out, name + ".cpu")
    try:
        return sum(float(x) for x in open(path).read().split()[-2:])
    except (OSError, ValueError):
        return None


def why_missing(out, name):
    failed = os.path.join(out, name + ".failed")
    if os.path.exists(failed):
        why = open(failed).read().strip()
        if why.startswith("exit"):
            return f"failed ({why}; see {name}.err)"
        return f"not run: {why}"
    return "not run"


def training_tables(out):
    lines = []
    results = {}
    for name, *_ in RUNS:
        results[name] = epochs_of(out, name)
    train_size = max((r.get("total", 0) for r in (results["ours-1x1"] or [])), default=0)
    for name in ("ours-1x1", "ours-2x1", "ours-1x2"):
        if results[name] and train_size:
            normalise_ours(results[name], train_size)
    sums = {name: summary(recs) for name, recs in results.items() if recs}
    lines.append("| run | processes × threads | per-rank batch | img/s (median over epochs) | "
                 "wall s | CPUs busy | epochs to 90 % | training s to 90 % | best test acc | "
                 "last test acc |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, label, procs, threads, batch in RUNS:
        if name not in sums:
            lines.append(f"| {label} | {procs} × {threads} | {batch} | {why_missing(out, name)} "
                         "| | | | | | |")
            continue
        s = sums[name]
        w, c = wall(out, name), cpu_seconds(out, name)
        to_target = (f"{s['reached']}", f"{s['seconds']:.1f}") if s["reached"] else \
            (f"not reached in {s['epochs']}", "—")
        wall_cell = f"{w:.1f}" if w else "—"
        busy_cell = f"{c / w:.2f}" if w and c is not None else "—"
        lines.append(f"| {label} | {procs} × {threads} | {batch} | {s['img_per_s']:.0f} | "
                     f"{wall_cell} | {busy_cell} | {to_target[0]} | {to_target[1]} | "
                     f"{100 * s['best']:.2f} % | {100 * s['last']:.2f} % |")

    def rate(name):
        return sums[name]["img_per_s"] if name in sums else None

    lines.append("")
    lines.append("CPUs busy: the run's user + system CPU seconds (all its processes and threads) "
                 "over its wall seconds; wall time includes loading the data, evaluating after "
                 "each epoch and, for PyTorch, importing it and starting the processes.")
    lines.append("")
    # (numerator, denominator, denominator's factor, text, percent?, bold?, tail)
    comparisons = [
        ("ours-2x1", "ours-1x1", 2, "scaling efficiency, ours, 2 ranks", True, True,
         " (target ≥ 90 % with both cores free)"),
        ("torch-2x1", "torch-1x1", 2, "scaling efficiency, PyTorch DDP, 2 ranks", True, False, ""),
        ("ours-1x2", "ours-1x1", 1, "ours, 2 threads in one process against 1 thread", False, False,
         ""),
        ("ours-2x1", "ours-1x2", 1, "ours, 2 processes against 2 threads", False, False, ""),
        ("ours-2x1", "torch-2x1", 1, "ours 2 × 1 against PyTorch DDP 2 × 1", False, True,
         " images/s (target ≥ 2×)"),
        ("ours-1x1", "torch-1x1", 1, "ours 1 × 1 against PyTorch 1 × 1", False, False, ""),
    ]
    derived = []
    for top, bottom, factor, text, percent, bold, tail in comparisons:
        if not (rate(top) and rate(bottom)):
            continue
        value = rate(top) / (factor * rate(bottom))
        shown = f"{100 * value:.1f} %" if percent else f"{value:.2f}×"
        if bold:
            shown = f"**{shown}**"
        if percent:
            shown = f"{rate(top):.0f} / ({factor} × {rate(bottom):.0f}) = {shown}"
        derived.append(f"- {text}: {shown}{tail}")
    lines += derived

    names = [n for n, *_ in RUNS if results.get(n)]
    if names:
        labels = {n: f"{lab} {p}×{t}" for n, lab, p, t, _ in RUNS}
        count = max(len(results[n]) for n in names)
        lines += ["", "Test accuracy after each epoch (img/s of the epoch in brackets):", "",
                  "| epoch | " + " | ".join(labels[n] for n in names) + " |",
                  "|---|" + "---|" * len(names)]
        for e in range(count):
            cells = []
            for n in names:
                recs = results[n]
                cells.append(f"{100 * recs[e].get('test_accuracy', 0):.2f} % "
                             f"({recs[e]['img_per_s']:.0f})" if e < len(recs) else "")
            lines.append(f"| {e + 1} | " + " | ".join(cells) + " |")
    return lines, sums


def round_rate(out, name):
    """A round's run: median img/s over its epochs (every rank's), or None. "...-ours-pair-slower"
    is twice the slower CPU's rate in the pair: what two ranks in lockstep could reach there."""
    if name.endswith("ours-pair") or name.endswith("ours-pair-slower"):
        base = name.removesuffix("-slower")
        pair = [epochs_of(out, f"{base}-{cpu}") for cpu in (0, 1)]
        if not all(pair):
            return None
        rates = [summary(p)["img_per_s"] for p in pair]
        return 2 * min(rates) if name.endswith("-slower") else sum(rates)
    records = epochs_of(out, name)
    if not records:
        return None
    if "ours" in name:
        normalise_ours(records, 60000)
    return summary(records)["img_per_s"]


def rounds_table(out):
    rounds = 0
    while os.path.exists(os.path.join(out, f"round{rounds + 1}-ours-1x1")):
        rounds += 1
    if not rounds:
        return []
    configs = [("ours-1x1", "ours 1×1"), ("ours-2x1", "ours 2×1"),
               ("ours-pair", "the pair (2 × ours 1×1 at batch 64, at once)"),
               ("ours-1x2", "ours 1×2"), ("torch-1x1", "PyTorch 1×1"),
               ("torch-2x1", "PyTorch DDP 2×1")]
    ratios = [("ours scaling", "ours-2x1", "ours-1x1", 0.5), ("ours 2×1 / pair", "ours-2x1",
              "ours-pair", 1.0), ("ours 2×1 / 2 × the pair's slower", "ours-2x1",
              "ours-pair-slower", 1.0), ("pair / ours 1×1", "ours-pair", "ours-1x1", 1.0),
              ("PyTorch scaling", "torch-2x1", "torch-1x1", 0.5),
              ("ours 2×1 / PyTorch DDP", "ours-2x1", "torch-2x1", 1.0),
              ("ours 1×2 / 1×1", "ours-1x2", "ours-1x1", 1.0)]
    lines = ["", f"### Throughput in {rounds} interleaved rounds (img/s, 2 epochs each, median "
             "over the epochs; ratios within each round, then their median)", "",
             "| round | " + " | ".join(label for _, label in configs) + " | " +
             " | ".join(label for label, *_ in ratios) + " |",
             "|---|" + "---|" * (len(configs) + len(ratios))]
    per_ratio = {label: [] for label, *_ in ratios}
    per_config = {name: [] for name, _ in configs}
    for r in range(1, rounds + 1):
        rates = {name: round_rate(out, f"round{r}-{name}") for name, _ in configs}
        rates["ours-pair-slower"] = round_rate(out, f"round{r}-ours-pair-slower")
        cells = [f"{rates[n]:.0f}" if rates[n] else "—" for n, _ in configs]
        for name, _ in configs:
            if rates[name]:
                per_config[name].append(rates[name])
        for label, a, b, scale in ratios:
            if rates[a] and rates[b]:
                value = scale * rates[a] / rates[b]
                per_ratio[label].append(value)
                cells.append(f"{100 * value:.1f} %" if label in PERCENT else f"{value:.2f}×")
            else:
                cells.append("—")
        lines.append(f"| {r} | " + " | ".join(cells) + " |")
    cells = [f"{statistics.median(per_config[n]):.0f}" if per_config[n] else "—"
             for n, _ in configs]
    for label, *_ in ratios:
        v = per_ratio[label]
        cells.append("—" if not v else f"**{100 * statistics.median(v):.1f} %**"
                     if label in PERCENT else f"**{statistics.median(v):.2f}×**")
    lines.append("| median | " + " | ".join(cells) + " |")
    lines += ["", "Ours scaling = ours 2×1 / (2 × ours 1×1); ours 2×1 / pair = what "
              "DistributedDataParallel and MPI cost against two independent trainings on the same "
              "two CPUs at the same time (the machine's own limits taken out); ours 2×1 / 2 × the "
              "pair's slower = the same against what two ranks in lockstep can reach when one CPU "
              "runs slower than the other (every step waits for the slower rank); pair / ours 1×1 "
              "= what the two CPUs deliver together, in one-thread trainings (2.00 = two free "
              "cores)."]
    lines += waits_table(out, rounds)
    return lines


WAITED = re.compile(r"Waiting for the gradients' all-reduce this session: (.*) \(")


def waits_table(out, rounds):
    """Where the 2×1 runs' time went: each rank's seconds blocked at the end of backward on the
    gradients' all-reduce (the line the command prints), against the run's training seconds."""
    rows = []
    for r in range(1, rounds + 1):
        name = f"round{r}-ours-2x1"
        path, run_summary = os.path.join(out, f"{name}.out"), os.path.join(out, name, "summary.json")
        if not (os.path.exists(path) and os.path.exists(run_summary)):
            continue
        match = WAITED.search(open(path).read())
        if not match:
            continue
        waits = [float(part.split()[2]) for part in match.group(1).split(", ")]
        seconds = json.load(open(run_summary))["total_seconds"]
        rows.append((r, seconds, waits))
    if not rows:
        return []
    lines = ["", "### Ours 2×1: time blocked on the gradients' all-reduce, per rank", "",
             "| round | training s | " + " | ".join(f"rank {k} waited s" for k in
                                                  range(len(rows[0][2]))) +
             " | least wait | most − least |",
             "|---|---|" + "---|" * (len(rows[0][2]) + 2)]
    for r, seconds, waits in rows:
        lines.append(f"| {r} | {seconds:.2f} | " + " | ".join(f"{w:.2f}" for w in waits) +
                     f" | {100 * min(waits) / seconds:.1f} % | "
                     f"{100 * (max(waits) - min(waits)) / seconds:.1f} % |")
    lines += ["", "Least wait and most − least as shares of the training time. Over a run the "
              "rank that is slower more often waits least: its wait is the all-reduce not hidden "
              "behind its own backward pass, plus the steps in which the other rank was the "
              "slower one (an upper bound on the transfer); most − least is the time the faster "
              "rank spent waiting for the slower one."]
    return lines


def allreduce_table(out, file="allreduce.jsonl"):
    path = os.path.join(out, file)
    if not os.path.exists(path) or not os.path.getsize(path):
        return ["Not measured: the library was built without its distributed part (no "
                "bench_allreduce), or the run failed (allreduce.err)."]
    rows = read_lines(path)
    ranks = rows[0]["ranks"]
    by = {}
    for r in rows:
        by.setdefault(r["bytes"], {})[r["impl"]] = r
    lines = [f"{ranks} ranks, float32 sum in place; µs per call, median of the blocks (min–max "
             "in brackets); bus bandwidth 2(n-1)/n · bytes / time; CPU µs: rank 0's process CPU "
             "time per call, all threads.", "",
             "| size | MPI_Allreduce µs | ours µs | ours / MPI | ours / MPI, fastest blocks | "
             "MPI bus GB/s | ours bus GB/s | MPI CPU µs | ours CPU µs |",
             "|---|---|---|---|---|---|---|---|---|"]
    ratios, fastest = [], []
    for size in sorted(by):
        a, b = by[size].get("mpi"), by[size].get("ours")
        if not a or not b:
            continue
        ratios.append((b["us"] / a["us"], size))
        fastest.append(b["us_min"] / a["us_min"])
        lines.append(f"| {human(size)} | {a['us']:.1f} ({a['us_min']:.1f}–{a['us_max']:.1f}) | "
                     f"{b['us']:.1f} ({b['us_min']:.1f}–{b['us_max']:.1f}) | "
                     f"{b['us'] / a['us']:.3f} | {b['us_min'] / a['us_min']:.3f} | "
                     f"{a['busbw_gb_s']:.2f} | {b['busbw_gb_s']:.2f} | "
                     f"{a['cpu_us']:.1f} | {b['cpu_us']:.1f} |")
    if ratios:
        worst = max(ratios)
        within = sum(1 for r, _ in ratios if r <= 1.05)
        lines += ["", f"ours / MPI: median {statistics.median(r for r, _ in ratios):.3f}, worst "
                  f"{worst[0]:.3f} at {human(worst[1])}; within 5 % at {within} of "
                  f"{len(ratios)} sizes (target: no more than 5 % overhead); fastest blocks: "
                  f"median {statistics.median(fastest):.3f}, worst {max(fastest):.3f}"]
    return lines


def human(n):
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


def model_section(out, sums):
    cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ddp_model.py")]
    path = os.path.join(out, "allreduce.jsonl")
    if os.path.exists(path) and os.path.getsize(path):
        cmd += ["--allreduce", path]
    if "ours-1x1" in sums:
        cmd += ["--img-per-s", f"{sums['ours-1x1']['img_per_s']:.1f}"]
    model = os.path.join(out, "ours-1x1", "model.safetensors")
    if os.path.exists(model):
        cmd += ["--model-file", model]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [f"`{' '.join(os.path.relpath(c) if os.path.exists(c) else c for c in cmd[1:])}`", "",
            text.replace("\n## ", "\n#### ").replace("## ", "#### ", 1)]


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: bench/ddp_report.py RESULTS_DIR (a directory bench/ddp.sh wrote)")
    out = sys.argv[1]
    lines = [f"# Data-parallel training, run `{os.path.basename(os.path.normpath(out))}`", ""]
    cpu = os.path.join(out, "cpu.txt")
    if os.path.exists(cpu):
        lines += [open(cpu).read().strip(), ""]
    load = os.path.join(out, "load.txt")
    if os.path.exists(load):
        lines += ["Load average of the machine (1, 5, 15 minutes): " +
                  "; ".join(open(load).read().split("\n")).strip("; ") + ".", ""]
    commands = os.path.join(out, "commands.txt")
    if os.path.exists(commands):
        lines += ["```", open(commands).read().strip(), "```", ""]
    lines += ["## LeNet-5 on Fashion-MNIST, global batch 128, Adam 1e-3", ""]
    training, sums = training_tables(out)
    lines += training
    lines += rounds_table(out)
    lines += ["", "## All-reduce on loopback: ours against MPI_Allreduce", ""]
    lines += allreduce_table(out)
    if os.path.exists(os.path.join(out, "allreduce-hugetlb.jsonl")):
        lines += ["", "The large sizes again with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (malloc on "
                  "transparent huge pages: a fresh scratch buffer faults in 2 MB pages, not 4 KB):",
                  ""]
        lines += allreduce_table(out, "allreduce-hugetlb.jsonl")[2:]
    lines += ["", "## On paper: ring all-reduce at scale (bench/ddp_model.py)", ""]
    lines += model_section(out, sums)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
