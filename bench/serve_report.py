#!/usr/bin/python3
"""Turns bench/serve.sh's raw results into Markdown: the table and the targets of the serving
figures, or the soak's verdict.

Usage:  serve_report.py table OUT_DIR DURATION_S
        serve_report.py soak OUT_DIR SERVER EXIT_STATUS
OUT_DIR holds cpu.txt, results.jsonl (one object per run: server, threads, concurrency,
peak_rss_mb, result = the SERVE_RESULT line of bench/serve_infer.lua), exits.jsonl, the answers
(peer-answer.json, ours-N-answer.json); for the soak, soak-wrk.txt and soak-rss.txt ("seconds MB"
per line).
"""
import json
import sys
from pathlib import Path

WARMUP_S = 30
RSS_BAND = 0.10


def verdict(ok):
    return "**met**" if ok else "**missed**"


def answers_agree(out):
    """Lines comparing each answer of ours with PyTorch's (same checkpoint, same image)."""
    reference = json.loads((out / "peer-answer.json").read_text())["outputs"]
    lines = []
    for path in sorted(out.glob("ours-*-answer.json")):
        ours = json.loads(path.read_text())["outputs"]
        diff = max(abs(a - b) for a, b in zip(ours[0]["data"], reference[0]["data"]))
        same = ours[2]["data"] == reference[2]["data"]
        lines.append(f"- `{path.name}`: label {ours[2]['data']} "
                     f"({'same as' if same else 'DIFFERS from'} PyTorch's {reference[2]['data']}), "
                     f"max |p_ours - p_torch| = {diff:.1e}")
    return lines


def table(out, duration):
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    exits = [json.loads(line) for line in (out / "exits.jsonl").read_text().splitlines()]
    print(f"## Serving: `minitorch serve` vs FastAPI + uvicorn + PyTorch ({duration} s per run)\n")
    print((out / "cpu.txt").read_text().strip().replace("\n", "  \n") + "\n")
    print("| server | threads / workers | concurrency | requests/s | p50 ms | p99 ms | errors "
          "| peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    name = {"ours": "minitorch serve", "peer": "FastAPI + PyTorch"}
    for r in rows:
        x = r["result"]
        errors = str(x["errors"])
        if x["errors"]:
            errors += (f" ({x['non_2xx']} non-2xx, {x['wrong']} wrong, "
                       f"{x['socket_errors']} socket)")
        print(f"| {name[r['server']]} | {r['threads']} | {r['concurrency']} | {x['rps']:.0f} | "
              f"{x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {errors} | {r['peak_rss_mb']:.1f} |")
    print()
    print("Exit status after SIGTERM: " + ", ".join(
        f"{name[e['server']]} {e['threads']}: {e['exit']}" for e in exits))
    agree = answers_agree(out)
    if agree:
        print("\nAnswers for the benchmark image:")
        print("\n".join(agree))

    by = {(r["server"], r["threads"], r["concurrency"]): r for r in rows}
    if not any(s == "ours" for s, _, _ in by):
        print("\nPeer only (no `minitorch serve` measured): no targets to compare.")
        return
    print("\nTargets:\n")
    for n in sorted({t for _, t, _ in by}):
        ours, peer = by.get(("ours", n, 64)), by.get(("peer", n, 64))
        if ours and peer:
            ratio = ours["result"]["rps"] / peer["result"]["rps"]
            print(f"- {n} thread(s), concurrency 64: {ratio:.1f}× the peer's requests/s "
                  f"(target ≥ 10×) {verdict(ratio >= 10)}")
        for c in (1, 16, 64):
            ours, peer = by.get(("ours", n, c)), by.get(("peer", n, c))
            if ours and peer:
                p99, p50 = ours["result"]["p99_ms"], peer["result"]["p50_ms"]
                print(f"- {n} thread(s), concurrency {c}: our p99 {p99:.2f} ms vs the peer's p50 "
                      f"{p50:.2f} ms (target: below) {verdict(p99 < p50)}")
        rss = {s: max(r["peak_rss_mb"] for k, r in by.items() if k[0] == s and k[1] == n)
               for s in ("ours", "peer")}
        ratio = rss["ours"] / rss["peer"]
        print(f"- {n} thread(s): peak resident memory {rss['ours']:.1f} MB vs {rss['peer']:.1f} MB "
              f"= 1/{1 / ratio:.1f} (target ≤ 1/10) {verdict(ratio <= 0.1)}")
    errors = {s: sum(r["result"]["errors"] for k, r in by.items() if k[0] == s)
              for s in ("ours", "peer")}
    print(f"- errors: ours {errors['ours']}, peer {errors['peer']} (target 0) "
          f"{verdict(errors['ours'] == 0)}")


def soak(out, server, exit_status):
    line = next(l for l in (out / "soak-wrk.txt").read_text().splitlines()
                if l.startswith("SERVE_RESULT "))
    x = json.loads(line.split(" ", 1)[1])
    samples = [tuple(map(float, l.split())) for l in (out / "soak-rss.txt").read_text().splitlines()]
    after = [mb for t, mb in samples if t >= WARMUP_S]
    print(f"## Soak: {server}, 2 threads, concurrency 64, {x['seconds']:.0f} s\n")
    print((out / "cpu.txt").read_text().strip().replace("\n", "  \n") + "\n")
    print(f"- {x['requests']} requests, {x['rps']:.0f} requests/s, p50 {x['p50_ms']:.2f} ms, "
          f"p99 {x['p99_ms']:.2f} ms")
    print(f"- errors: {x['errors']} ({x['non_2xx']} non-2xx, {x['wrong']} wrong, "
          f"{x['socket_errors']} socket) (target 0) {verdict(x['errors'] == 0)}")
    if not after:
        print(f"- resident memory: no sample after the {WARMUP_S} s warm-up")
        return
    base = after[0]
    low, high = min(after), max(after)
    flat = low >= base * (1 - RSS_BAND) and high <= base * (1 + RSS_BAND)
    print(f"- resident memory: {samples[0][1]:.1f} MB at start, {base:.1f} MB after the "
          f"{WARMUP_S} s warm-up, then {low:.1f} – {high:.1f} MB over {len(after)} samples "
          f"({100 * (high / base - 1):+.1f} % at most; target within ±10 %) {verdict(flat)}")
    print(f"- exit status after SIGTERM: {exit_status}")


def main(argv):
    if len(argv) >= 3 and argv[1] == "table":
        table(Path(argv[2]), argv[3] if len(argv) > 3 else "?")
    elif len(argv) == 5 and argv[1] == "soak":
        soak(Path(argv[2]), argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
