#!/usr/bin/env python3
"""Writes a synthetic folded-stacks profile for the flame-graph benchmark and check-svg.

    gen-folded.py OUT NODES SAMPLES [--aggregate] [--short-names]

Stacks are random walks down a fixed call graph (each function calls up to 6 others, chosen
with skewed weights, so some paths are hot, as in real programs), added until the stack
prefix tree has NODES nodes. SAMPLES samples are then drawn over those stacks with a skewed
choice; every stack gets at least one. Without --aggregate every sample is its own line (count 1), so loading the file
gives SAMPLES samples; with it each distinct stack is one line with its count.
Deterministic (fixed seed)."""
import random
import sys

out, nodes, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
aggregate = "--aggregate" in sys.argv[4:]
short = "--short-names" in sys.argv[4:]
rng = random.Random(1234)
functions = 8000
names = [f"f{i}" if short else f"pkg{i % 61}::T{i % 113}::fn{i}" for i in range(functions)]
callees = [[rng.randrange(functions) for _ in range(6)] for _ in range(functions)]
weights = [32, 16, 8, 4, 2, 1]
prefixes = set()
stacks = []
while len(prefixes) < nodes:
    f = 0
    path = [0]
    depth = rng.randint(4, 30)
    for _ in range(depth):
        f = rng.choices(callees[f], weights)[0]
        path.append(f)
    key = tuple(path)
    for k in range(1, len(key) + 1):
        prefixes.add(key[:k])
    stacks.append(";".join(names[x] for x in path))
counts = [1] * len(stacks)
n = len(stacks)
for _ in range(max(0, samples - n)):
    r = rng.random()
    counts[int(r * r * n)] += 1
with open(out, "w") as fh:
    for s, c in zip(stacks, counts):
        if c == 0:
            continue
        if aggregate:
            fh.write(f"{s} {c}\n")
        else:
            line = s + " 1\n"
            fh.write(line * c)
print(f"{out}: {len(prefixes)} stack nodes, {len(stacks)} stacks, {samples} samples", file=sys.stderr)
