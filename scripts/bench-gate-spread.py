#!/usr/bin/env python3
# The run-to-run spread behind scripts/bench-gate's rates, from its --log FILE: for each
# cell (mode, runs, slowdown) the median and range over trials of s (CPU time's standard
# deviation per run, % of the mean, both sides pooled) and, for paired trials (every mode but
# sequential), of s_d (the standard deviation of the per-pair log ratio, in %) and the A/B
# correlation.
# Usage: scripts/bench-gate-spread.py bench-gate.log
import math, re, statistics, sys
from collections import defaultdict

def millis(text):
    m = re.match(r"([\d.]+)(ms|s|µs)$", text)
    return float(m.group(1)) * {"ms": 1, "s": 1000, "µs": 0.001}[m.group(2)] if m else None

cells = defaultdict(list)
cell = runs = None
def close():
    if cell and runs and len(runs["A"]) >= 2 and len(runs["B"]) >= 2:
        cells[cell].append((runs["A"], runs["B"]))
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"# (\S+) n=(\d+) pct=(\S+) trial=", line)
    if m:
        close()
        cell, runs = (m.group(1), int(m.group(2)), m.group(3)), {"A": [], "B": []}
        continue
    m = re.search(r"(?:bench (A|B) )?run (\d+)/\d+:? .*cpu (\S+)", line)
    if m and runs is not None:
        side = m.group(1) or ("A" if len(runs["A"]) < cell[1] else "B")
        value = millis(m.group(3))
        if value:
            runs[side].append(value)
close()
print(f"{'mode':12s} {'runs':>4s} {'slow':>5s} {'trials':>6s}  {'s median (range)':>22s}  {'s_d median (range)':>22s}  {'rho median':>10s}")
for (mode, n, pct), trials in sorted(cells.items()):
    s = [statistics.stdev(a + b if pct == "0" else a) / statistics.mean(a) * 100 for a, b in trials]
    line = f"{mode:12s} {n:4d} {pct:>4s}% {len(trials):6d}  {statistics.median(s):6.2f}% ({min(s):.2f}–{max(s):.2f}%)"
    if mode != "sequential":  # interleaved, nosample and bare run in pairs
        pairs = [(a, b) for a, b in trials if len(a) == len(b)]
        sd = [statistics.stdev([math.log(y / x) for x, y in zip(a, b)]) * 100 for a, b in pairs]
        rho = [statistics.correlation(a, b) for a, b in pairs if statistics.stdev(a) > 0 and statistics.stdev(b) > 0]
        line += f"  {statistics.median(sd):6.2f}% ({min(sd):.2f}–{max(sd):.2f}%)  {statistics.median(rho):10.2f}"
    print(line)
