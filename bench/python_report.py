"""Turns bench/python.sh's JSON lines into its Markdown table and the issue's targets."""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    values = defaultdict(list)
    for line in open(path):
        r = json.loads(line)
        if r["bench"] == "workload":
            values[("workload", r["threads"], r["impl"])].append(r["ms_per_epoch"])
        elif r["bench"] == "tiny-op":
            values[("tiny-op", 0, r["impl"])].append(r["ns_per_call"])
        else:
            values[("import", 0, r["impl"])].append(r["seconds"])
    med = {k: statistics.median(v) for k, v in values.items()}
    rows = [
        ("run_fast_tensor loop, 1 thread (ms/epoch)", ("workload", 1)),
        ("run_fast_tensor loop, 2 threads (ms/epoch)", ("workload", 2)),
        ("`a + b`, 10 elements (ns/call)", ("tiny-op", 0)),
        ("`import` (s)", ("import", 0)),
    ]
    print("| measurement | minitorch | PyTorch 1.13 | PyTorch / minitorch |")
    print("|---|---|---|---|")
    ratios = {}
    for label, key in rows:
        ours, peer = med.get(key + ("minitorch",)), med.get(key + ("torch",))
        if ours is None or peer is None:
            continue
        ratios[key] = peer / ours
        digits = 3 if key[0] == "import" else 2 if key[0] == "workload" else 0
        print(f"| {label} | {ours:.{digits}f} | {peer:.{digits}f} | {peer / ours:.2f}x |")
    print()
    for threads in (1, 2):
        r = ratios.get(("workload", threads))
        if r is not None:
            verdict = "met" if r >= 3 else "missed"
            print(f"- target >= 3x faster on {threads} thread(s): {r:.2f}x ({verdict})")
    r = ratios.get(("tiny-op", 0))
    if r is not None:
        verdict = "met" if r >= 2 else "missed"
        print(f"- target call overhead <= 1/2 of PyTorch's: {1 / r:.2f} of it ({verdict})")


if __name__ == "__main__":
    main(sys.argv[1])
