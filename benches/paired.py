#!/usr/bin/env python3
r"""Times two commands in paired rounds: each round runs both, in alternating order (an even
number of rounds gives each command the first place equally often), and the ratio of the
second to the first is taken within the round, so a change in the machine's load between
rounds moves both sides of a ratio alike. Prints, for wall and CPU time (user + system, from
the children's rusage), each command's median and the ratio of the two medians, the median of
the per-round ratios with their interquartile range, and in how many rounds the second
command was the faster. The two ratios differ when the load drifts during the run; the
per-round one is the one drift does not move.

    python3 benches/paired.py 31 \
      'floor=target/release/examples/floor_decode ../shared/fit-corpus' \
      'report=target/release/fitrisk report ../shared/fit-corpus -o /tmp/pr --quiet --no-cache'

Standard library only; the commands' output is discarded.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    try:
        child = subprocess.Popen(
            shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError as e:
        sys.exit(f"paired.py: cannot run {command!r}: {e}")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode < 0:
        sys.exit(f"paired.py: {command!r} was killed by signal {-child.returncode}")
    if child.returncode != 0:
        sys.exit(f"paired.py: {command!r} exited with code {child.returncode}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def quartiles(xs):
    """First and third quartiles (the values themselves with fewer than two)."""
    if len(xs) < 2:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def main():
    if len(sys.argv) != 4 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit("usage: paired.py ROUNDS NAME=COMMAND NAME=COMMAND")
    rounds = int(sys.argv[1])
    pairs = [arg.split("=", 1) for arg in sys.argv[2:]]
    if any(len(p) != 2 for p in pairs):
        sys.exit("paired.py: each command is given as NAME=COMMAND")
    (a, cmd_a), (b, cmd_b) = pairs
    if a == b:
        sys.exit("paired.py: the two commands need different names")
    times = {a: [], b: []}
    for r in range(rounds):
        order = [(a, cmd_a), (b, cmd_b)] if r % 2 == 0 else [(b, cmd_b), (a, cmd_a)]
        for name, command in order:
            times[name].append(run(command))
    for k, what in ((0, "wall"), (1, "cpu")):
        ta = [t[k] for t in times[a]]
        tb = [t[k] for t in times[b]]
        # (A command too short for the clock's resolution has no ratio.)
        ratios = sorted(y / x for x, y in zip(ta, tb) if x > 0) or [float("nan")]
        faster = sum(y < x for x, y in zip(ta, tb))
        q1, q3 = quartiles(ratios)
        ma, mb = statistics.median(ta), statistics.median(tb)
        print(
            f"{what}: {a} {ma:.3f} s, {b} {mb:.3f} s (ratio of medians {mb / ma:.3f}); "
            f"{b}/{a} per round: median {statistics.median(ratios):.3f} (IQR {q1:.3f}-{q3:.3f}); "
            f"{b} faster in {faster} of {rounds} rounds"
        )


if __name__ == "__main__":
    main()
