"""Turns one bench/run.sh result directory into the markdown tables of BENCHMARKS.md.

Usage: python3 bench/report.py bench/results/<timestamp>
Reads gemm-N.json / ops-N.json (Google Benchmark, median aggregates), torch-N.jsonl,
peak-N.jsonl and lenet-N.jsonl (JSON lines), and workload-N-*/summary.json (our CLI runs) for
N = 1, 2.
"""
import json
import pathlib
import statistics
import sys

THREADS = (1, 2)
GEMM_SHAPES = ["64x64x64", "128x128x128", "256x256x256", "512x512x512", "1024x1024x1024",
               "2048x2048x2048", "64x784x128", "128x100x100", "16x392x64", "50176x25x6",
               "6400x150x16", "6x25x784", "16x150x100"]


def google_benchmark_medians(path):
    """name -> benchmark entry, for the median aggregates."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    out = {}
    for entry in data["benchmarks"]:
        if entry.get("aggregate_name") == "median":
            out[entry["run_name"]] = entry
    return out


def json_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def gemm_name(impl, shape):
    m, k, n = shape.split("x")
    return f"gemm/{impl}/M:{m}/K:{k}/N:{n}"


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main(directory):
    d = pathlib.Path(directory)
    lines = []
    for t in THREADS:
        gemm = google_benchmark_medians(d / f"gemm-{t}.json")
        torch = {(r["suite"], r["name"]): r for r in json_lines(d / f"torch-{t}.jsonl")}
        peak = {r["name"]: r["gflops"] for r in json_lines(d / f"peak-{t}.jsonl")}
        fma = peak.get("fma_avx512") or peak.get("fma_avx2")
        lines += [f"### GEMM GFLOP/s, {t} thread{'s' if t > 1 else ''} "
                  f"(FMA peak {fmt(fma)} GFLOP/s)", "",
                  "| M x K x N | ours | OpenBLAS | oneDNN | PyTorch | ours / OpenBLAS | "
                  "ours / oneDNN | ours / peak |",
                  "|---|---|---|---|---|---|---|---|"]
        for shape in GEMM_SHAPES:
            g = {impl: gemm.get(gemm_name(impl, shape), {}).get("flops") for impl in
                 ("ours", "openblas", "onednn")}
            g = {k: (v / 1e9 if v else None) for k, v in g.items()}
            pt = torch.get(("gemm", shape), {}).get("gflops")
            lines.append(f"| {shape} | {fmt(g['ours'])} | {fmt(g['openblas'])} | "
                         f"{fmt(g['onednn'])} | {fmt(pt)} | {fmt(ratio(g['ours'], g['openblas']), 2)} | "
                         f"{fmt(ratio(g['ours'], g['onednn']), 2)} | "
                         f"{fmt(100 * ratio(g['ours'], fma) if fma and g['ours'] else None, 0)}% |")
        lines.append("")

    lines += ["### Elementwise and reductions, GB/s (float32; bytes = inputs read + output written)",
              "", "| op | ours 1T | PyTorch 1T | ours 2T | PyTorch 2T |", "|---|---|---|---|---|"]
    ops = {t: google_benchmark_medians(d / f"ops-{t}.json") for t in THREADS}
    torch = {t: {(r["suite"], r["name"]): r for r in json_lines(d / f"torch-{t}.jsonl")}
             for t in THREADS}
    for op in ("add", "mul", "exp", "relu", "sum", "sum_rows"):
        for size, label in ((1 << 20, "1M"), (16 << 20, "16M")):
            cells = []
            for t in THREADS:
                ours = ops[t].get(f"elementwise/{op}/{size}", {}).get("bytes_per_second")
                theirs = torch[t].get(("elementwise", f"{op}_{label}"), {}).get("gbps")
                cells += [fmt(ours / 1e9 if ours else None), fmt(theirs)]
            lines.append(f"| {op} {label} | " + " | ".join(cells) + " |")
    lines.append("")

    lines += ["### Framework overhead, µs per call (lower is better)", "",
              "| operation | ours 1T | PyTorch 1T | PyTorch / ours 1T | ours 2T | PyTorch 2T |",
              "|---|---|---|---|---|---|"]
    for name in ("add10", "add10_grad", "mlp_step"):
        row = []
        for t in THREADS:
            entry = ops[t].get(f"overhead/{name}")
            ours = entry["real_time"] if entry else None
            theirs = torch[t].get(("overhead", name), {}).get("us")
            row.append((ours, theirs))
        (o1, p1), (o2, p2) = row
        lines.append(f"| {name} | {fmt(o1, 3)} | {fmt(p1, 3)} | {fmt(ratio(p1, o1), 1)}x | "
                     f"{fmt(o2, 3)} | {fmt(p2, 3)} |")
    lines.append("")

    lines += ["### One parallel region of our pool, 2 threads, by idle time before it (µs, median)",
              "", "| idle before | 0 µs (worker spinning) | 20 µs | 100 µs (worker blocked) | 1000 µs |",
              "|---|---|---|---|---|"]
    regions = {r["name"]: r["us"] for r in json_lines(d / "parallel-2.jsonl")}
    lines.append("| region | " + " | ".join(
        fmt(regions.get(f"region_after_idle_{i}us"), 2) for i in (0, 20, 100, 1000)) + " |")
    lines.append("")

    lines += ["### MiniTorch run_fast_tensor workload (split, 50 points, hidden 100, lr 0.05, "
              "batch 10), ms per epoch (median)", "",
              "| threads | ours | PyTorch | speed-up | ours train accuracy | PyTorch train accuracy |",
              "|---|---|---|---|---|---|"]
    for t in THREADS:
        runs = [json.loads(p.read_text()) for p in sorted(d.glob(f"workload-{t}-*/summary.json"))]
        ours = statistics.median(r["epoch_seconds_median"] for r in runs) * 1e3 if runs else None
        accuracy = statistics.median(r["train_accuracy"] for r in runs) if runs else None
        peer = torch[t].get(("minitorch_workload", "split_h100_b10"), {})
        theirs = peer.get("epoch_seconds_median")
        theirs = theirs * 1e3 if theirs else None
        lines.append(f"| {t} | {fmt(ours, 3)} | {fmt(theirs, 3)} | {fmt(ratio(theirs, ours), 1)}x | "
                     f"{fmt(accuracy, 2)} | {fmt(peer.get('train_accuracy'), 2)} |")
    lines.append("")
    lines += lenet_table(d)
    print("\n".join(lines))


def lenet_table(d):
    """LeNet-5 training steps: the median over runs of each run's median figures."""
    lines = ["### LeNet-5 training, batch 64 (median of 3 runs; ms per step split into forward "
             "+ loss / backward / optimizer step)", "",
             "| threads | ours img/s | PyTorch img/s | ours / PyTorch | ours ms/step | "
             "PyTorch ms/step | ours maxrss MB | PyTorch maxrss MB |",
             "|---|---|---|---|---|---|---|---|"]

    def median_of(runs, key):
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else None

    def split(runs):
        parts = [median_of(runs, k) for k in ("forward_ms", "backward_ms", "step_ms")]
        if None in parts:
            return ""
        return " (" + " / ".join(fmt(p, 2) for p in parts) + ")"

    for t in THREADS:
        runs = json_lines(d / f"lenet-{t}.jsonl")
        ours = [r for r in runs if r.get("impl") == "ours"]
        theirs = [r for r in runs if r.get("impl") == "pytorch"]
        o, p = median_of(ours, "img_per_s"), median_of(theirs, "img_per_s")
        speedup = ratio(o, p)
        lines.append(f"| {t} | {fmt(o, 0)} | {fmt(p, 0)} | "
                     f"{fmt(speedup, 2)}{'x' if speedup else ''} | "
                     f"{fmt(median_of(ours, 'ms_per_step'), 2)}{split(ours)} | "
                     f"{fmt(median_of(theirs, 'ms_per_step'), 2)}{split(theirs)} | "
                     f"{fmt(median_of(ours, 'maxrss_mb'), 0)} | "
                     f"{fmt(median_of(theirs, 'maxrss_mb'), 0)} |")
    return lines


if __name__ == "__main__":
    main(sys.argv[1])
