#!/usr/bin/env python3
# The power tables of docs/regression-gates.md ("How many runs"): for 5/10/20 runs per side,
# the change (in standard deviations) whose 95% interval's lower end clears 0 in 50/90/95% of
# trials, for the two statistics compare uses:
#   unpaired: Hodges-Lehmann shift with the Mann-Whitney interval, in units of s, the
#             run-to-run standard deviation of one side;
#   paired:   Hodges-Lehmann (Walsh averages) with the signed-rank interval on per-pair
#             differences, in units of s_d, the standard deviation of one pair's difference
#             (s_d = sqrt(2)*s when the runs share nothing; less when pairs share the machine's state).
# Needs numpy and scipy (exact critical values). Normal noise, 4000 trials per row, seed 7.
import numpy as np
from scipy.stats._mannwhitneyu import _MWU
from scipy.stats._hypotests import _get_wilcoxon_distr
rng = np.random.default_rng(7)
T = 4000
def kcrit_mw(m, n):
    d = _MWU(m, n); k = 0
    for kk in range(1, m*n//2+1):
        if d.cdf(kk-1) <= 0.025: k = kk
        else: break
    return k
def kcrit_sr(n):
    c = np.cumsum(_get_wilcoxon_distr(n)); k = 0
    for kk in range(1, len(c)//2+1):
        if c[kk-1] <= 0.025: k = kk
        else: break
    return k
def row(lower0):
    # smallest effect e with P(lower0 + e > 0) >= target -> e = quantile of -lower0
    return [round(float(np.quantile(-lower0, t)), 2) for t in (0.5, 0.9, 0.95)]
print("unpaired (units of s): runs, k, 50%, 90%, 95%")
for n in (5, 10, 20):
    k = kcrit_mw(n, n)
    a = rng.normal(0, 1, (T, n)); z = rng.normal(0, 1, (T, n))
    d0 = np.sort((z[:, :, None] - a[:, None, :]).reshape(T, -1), axis=1)
    print([n, k] + row(d0[:, k-1]))
print("paired (units of s_d): pairs, k, 50%, 90%, 95%")
for n in (6, 10, 20):
    k = kcrit_sr(n)
    d = rng.normal(0, 1, (T, n))
    i, j = np.triu_indices(n)
    w = np.sort((d[:, i] + d[:, j]) / 2, axis=1)
    print([n, k] + row(w[:, k-1]))
