#!/usr/bin/env python3
# The "bare" mode of scripts/bench-gate: the gate's rule with no profiler in the way.
# Runs A and B in the order `bench` uses (1 warmup pair, then A B B A ...) with no profiler at
# all, each run a plain posix_spawn + wait4 (CPU time = the child's user + system time from wait4,
# elapsed = spawn to reap), and judges the runs with compare's paired rule: Wilcoxon signed-rank
# on the per-pair log ratios (p < 0.05, scipy's exact test) and the Hodges-Lehmann 95% interval
# of the Walsh averages (exact critical value) entirely above the +1% noise floor. Prints the
# verdict as compare's header lines ("CPU Time:  A  B  +x.x%" or "~") so bench-gate reads it
# like perfsh's, and each run to stderr as bench does ("bench A run 1/10: elapsed ...  cpu ...").
# Not a strict ceiling: how the runs are launched matters too (a fork from this Python was
# noisier than perfsh's clone(CLONE_VM) launch; posix_spawn is closer to it).
# Usage: scripts/bench-gate-bare.py RUNS NOISE_PCT -- CMD_A ... -- CMD_B ...   (RUNS >= 6)
import math, os, sys, time
import numpy as np
from scipy.stats import wilcoxon
from scipy.stats._hypotests import _get_wilcoxon_distr


def one(argv):
    # posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK)), not fork: a forked child of this
    # Python (numpy, scipy) pays for copying and freeing its address space at exec, a CPU-time
    # term of its own that made the bare runs noisier than perfsh's (which launch the same way).
    start = time.monotonic_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ)
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.monotonic_ns() - start) / 1e6
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-gate-bare: {argv[0]} failed ({os.waitstatus_to_exitcode(status)})")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def verdict(ratios, floor):
    """compare's paired rule on per-pair log ratios: the change text, or '~'."""
    d = np.array(ratios)
    n = len(d)
    p = wilcoxon(d).pvalue
    walsh = np.sort([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)])
    cdf = np.cumsum(_get_wilcoxon_distr(n))
    k = max(kk for kk in range(1, len(cdf)) if cdf[kk - 1] <= 0.025)
    lo, hi = math.expm1(walsh[k - 1]), math.expm1(walsh[len(walsh) - k])
    estimate = math.expm1(float(np.median(walsh)))
    significant = p < 0.05 and (lo > floor or hi < -floor)
    text = f"{estimate * 100:+.1f}%" if significant else "~"
    return f"{text}  (p={p:.3f}, 95% CI {lo * 100:+.1f}% … {hi * 100:+.1f}%)"


def main():
    args = sys.argv[1:]
    rest = args[3:]
    if len(args) < 6 or args[2] != "--" or "--" not in rest[1:-1]:
        sys.exit("usage: bench-gate-bare.py RUNS NOISE_PCT -- CMD_A ... -- CMD_B ...")
    runs, floor = int(args[0]), float(args[1]) / 100
    bar = rest.index("--")
    sides = {"A": rest[:bar], "B": rest[bar + 1:]}
    if runs < 6:
        sys.exit("bench-gate-bare: the paired rule needs at least 6 runs per side")
    for side in "AB":
        one(sides[side])
    order = []
    for pair in range(runs):
        order += ["A", "B"] if pair % 2 == 0 else ["B", "A"]
    values = {"A": [], "B": []}
    for side in order:
        elapsed, cpu = one(sides[side])
        values[side].append((elapsed, cpu))
        count = len(values[side])
        print(f"perfsh: bench {side} run {count}/{runs}: elapsed {elapsed:.1f}ms  cpu {cpu:.1f}ms", file=sys.stderr)
    for index, label in ((0, "Elapsed"), (1, "CPU Time")):
        a = [v[index] for v in values["A"]]
        b = [v[index] for v in values["B"]]
        ratios = [math.log(y / x) for x, y in zip(a, b)]
        print(f"{label + ':':<12} {np.mean(a):10.1f}ms {np.mean(b):10.1f}ms  {verdict(ratios, floor)}")


main()
