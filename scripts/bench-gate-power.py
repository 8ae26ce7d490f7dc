#!/usr/bin/env python3
# The power table of docs/regression-gates.md ("How many runs"): for 5/10/20 runs per side,
# the shift (in standard deviations of normal noise) whose Hodges-Lehmann 95% interval lower
# end clears 0 in 50/90/95% of trials. Needs numpy and scipy (exact critical value of U).
import numpy as np
from scipy.stats._mannwhitneyu import _MWU
rng = np.random.default_rng(7)
def kcrit(m, n):
    d = _MWU(m, n); k = 0
    for kk in range(1, m*n//2+1):
        if d.cdf(kk-1) <= 0.025: k = kk
        else: break
    return k
T = 4000
for n in (5, 10, 20):
    k = kcrit(n, n)
    a = rng.normal(0, 1, (T, n)); z = rng.normal(0, 1, (T, n))
    d0 = np.sort((z[:, :, None] - a[:, None, :]).reshape(T, -1), axis=1)
    lower0 = d0[:, k-1]  # lower bound at effect 0; shifts by +effect
    out = [n, k]
    for target in (0.5, 0.9, 0.95):
        # smallest effect e with P(lower0 + e > 0) >= target  -> e = quantile of -lower0
        out.append(round(float(np.quantile(-lower0, target)), 2))
    print(out)
