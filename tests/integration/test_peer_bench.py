# SPDX-License-Identifier: BSD-3-Clause
"""tools/peer-bench.py's summary lines, from made-up rows: the best of one
side's medians over the best of the other's, and the same round by round,
with failed runs (None) left out of both. Runs nothing."""
import contextlib
import importlib.util
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adn_it  # noqa: E402


def load():
    path = os.path.join(adn_it.SOURCE, "tools", "peer-bench.py")
    spec = importlib.util.spec_from_file_location("peer_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ratio_lines(pb, num, den, runs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        pb.ratio("wl", "A", "B", num, den, runs)
    return [ln for ln in out.getvalue().splitlines() if ln]


def main():
    pb = load()
    adn_it.check(pb.fmt([3.0, None, 1.0, 2.0]) == "2.00 (1.00-3.00)",
                 "fmt: %s" % pb.fmt([3.0, None, 1.0, 2.0]))
    adn_it.check(pb.fmt([None, None]) == "-", "fmt of failed runs")

    # Medians 11 and 9 over 5 and 7: 11 / 7. Rounds: 10/7, 12/7, 11/7.
    got = ratio_lines(pb, [[10.0, 12.0, 11.0], [9.0, 9.0, 9.0]],
                      [[5.0, 6.0, 4.0], [7.0, 7.0, 7.0]], 3)
    want = ["wl: A 11.00 / B 7.00 = 1.57x",
            "wl: the same, round by round: median 1.57x (1.43-1.71x, "
            "3 rounds)"]
    adn_it.check(got == want, "ratio: %s" % got)

    # A failed run drops its round from the round-by-round line only.
    got = ratio_lines(pb, [[10.0, None, 8.0]], [[5.0, 5.0, 2.0]], 3)
    want = ["wl: A 9.00 / B 5.00 = 1.80x",
            "wl: the same, round by round: median 3.00x (2.00-4.00x, "
            "2 rounds)"]
    adn_it.check(got == want, "ratio with a failed run: %s" % got)

    # A row that never ran, or a missing side: no line at all.
    adn_it.check(ratio_lines(pb, [[None, None]], [[1.0, 1.0]], 2) == [],
                 "ratio over a row that never ran")
    adn_it.check(ratio_lines(pb, [[1.0]], [], 1) == [],
                 "ratio without a denominator")
    print("peer-bench summary lines ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
