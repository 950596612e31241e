# SPDX-License-Identifier: BSD-3-Clause
"""adn-bench smoke run: a tiny packet count through configs/nfmorph.cfg for
the default plans (every template, fused and jit chains, knobs) on both
workloads plus the floor; checks the table, CSV, JSON and SVG are complete
and every packet is accounted for. No timing is asserted."""
import csv
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adn_it  # noqa: E402

BENCH = os.path.join(adn_it.BUILD, "apps", "adn-bench")


def main():
    wd = adn_it.workdir("bench")
    prefix = os.path.join(wd, "out")
    cfg = os.path.join(adn_it.SOURCE, "configs", "nfmorph.cfg")
    # A small sequence keeps the 10M-flow model's setup fast here.
    p = adn_it.run([BENCH, "-c", cfg, "-n", "4096", "-r", "2", "-q",
                    "-o", prefix, "--"] + adn_it.eal_args("bench") +
                   ["-l", "0-1"], timeout=240)
    plans = ("floor", "scalar", "batch", "prefetch", "group2", "group4",
             "group8", "batch,route=fastpath1024", "fused8", "jit8",
             "jit8,route=fastpath4096", "jit8,route.table=dir24_8",
             "group8,route=fastpath1024,count+csum=jit8",
             "jit16,route.table=dir24_8,count.size=65536",
             "jit16,route=fastpath4096,route.table=dir24_8,"
             "count.size=65536")
    for name in plans:
        if name not in p.stdout:
            adn_it.fail("plan %s missing from the table" % name)
    # adn-bench checks the accounting identity over every version a
    # workload's cells made live.
    for wl in ("heavy-tailed", "skewed"):
        if "%s: every packet accounted for" % wl not in p.stdout:
            adn_it.fail("no accounting check for %s" % wl)
    if "running fused" in p.stdout:
        adn_it.fail("a jit chain fell back to fused: " + p.stdout)
    rows = list(csv.DictReader(open(prefix + ".csv")))
    cells = {(r["workload"], r["plan"]) for r in rows}
    want = {(w, pl) for w in ("heavy-tailed", "skewed") for pl in plans}
    if cells != want:
        adn_it.fail("CSV cells %s, want %s" % (sorted(cells), sorted(want)))
    for r in rows:
        if int(r["transmitted"]) + int(r["dropped"]) != 2 * 4096:
            adn_it.fail("cell %s/%s: %s transmitted + %s dropped != %d" %
                        (r["workload"], r["plan"], r["transmitted"],
                         r["dropped"], 2 * 4096))
        if float(r["mpps_median"]) <= 0 or float(r["cpp_median"]) <= 0:
            adn_it.fail("cell %s/%s has no rate" % (r["workload"], r["plan"]))
        if r["plan"] != "floor" and r["cpp_over_floor"] == "":
            adn_it.fail("cell %s/%s lacks cycles over floor" %
                        (r["workload"], r["plan"]))
    j = json.load(open(prefix + ".json"))
    if len(j["cells"]) != 2 * len(plans) or \
            len(j["cells"][0]["mpps"]["runs"]) != 2:
        adn_it.fail("JSON: want %d cells of 2 runs" % (2 * len(plans)))
    svg = open(prefix + ".svg").read()
    if not svg.startswith("<svg") or svg.count("<rect") < 7:
        adn_it.fail("SVG lacks bars")
    # The chart is as wide as its legend's longest plan name (12 px
    # sans-serif: under 7.5 px a character).
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg).group(1))
    longest = max(plans, key=len)
    m = re.search(r'<text x="([0-9.]+)" y="[0-9.]+">%s</text>' %
                  re.escape(longest), svg)
    if m is None or float(m.group(1)) + 7.5 * len(longest) > width:
        adn_it.fail("SVG legend: '%s' is cut off (width %.0f)" %
                    (longest, width))
    # --interleave: the same cells, each with all its runs (taken in
    # turns), its packets and its element costs; not with --swap-every.
    il = prefix + "-il"
    p = adn_it.run([BENCH, "-c", cfg, "-n", "4096", "-r", "3", "-q", "-I",
                    "-w", "skewed", "-p", "batch", "-p", "jit8",
                    "-o", il, "--"] + adn_it.eal_args("bench-il") +
                   ["-l", "0-1"], timeout=240)
    if "skewed: every packet accounted for" not in p.stdout:
        adn_it.fail("--interleave: no accounting check")
    cells = {c["plan"]: c for c in json.load(open(il + ".json"))["cells"]}
    for c in cells.values():
        if len(c["mpps"]["runs"]) != 3 or \
                c["transmitted"] + c["dropped"] != 3 * 4096 or \
                not c["element_cycles_per_pkt"]:
            adn_it.fail("--interleave cell %s: %s" % (c["plan"], c))
    # Each plan after the first is set against the first's run of the
    # same round; the first and the floor are not.
    want = [a / b for a, b in zip(cells["jit8"]["mpps"]["runs"],
                                  cells["batch"]["mpps"]["runs"])]
    got = cells["jit8"].get("round_ratio", {}).get("runs", [])
    if cells["jit8"].get("round_ratio_to") != "batch" or len(got) != 3 or \
            any(abs(g - w) > 1e-3 * w for g, w in zip(got, want)):
        adn_it.fail("--interleave: jit8's round ratios %s, want %s over "
                    "batch" % (got, want))
    if "round_ratio" in cells["batch"] or "round_ratio" in cells["floor"]:
        adn_it.fail("--interleave: the first plan or the floor has ratios")
    m = re.search(r"^skewed +jit8 +batch +([0-9.]+)x", p.stdout, re.M)
    if m is None or abs(float(m.group(1)) - sorted(want)[1]) > 0.01:
        adn_it.fail("--interleave: no round-by-round row for jit8 "
                    "(median %.2fx): %s" % (sorted(want)[1], p.stdout))
    rows = {r["plan"]: r for r in csv.DictReader(open(il + ".csv"))}
    if rows["jit8"]["round_ratio_to"] != "batch" or \
            rows["batch"]["round_ratio_median"] != "":
        adn_it.fail("--interleave: CSV round ratio columns %s" % rows)
    p = adn_it.run([BENCH, "-c", cfg, "-I", "-S", "100", "-p", "batch"],
                   check=False)
    if p.returncode == 0 or "do not combine" not in p.stdout:
        adn_it.fail("--interleave with --swap-every accepted")
    # Timed cells: the phased workload (2 phases of 1.5 s) for a static
    # plan and for Morph, after the (untimed) floor as by default; no rate
    # is asserted, only that every tick and phase is there and the report
    # sets Morph against the oracle.
    ph = prefix + "-phased"
    p = adn_it.run([BENCH, "-c", cfg, "-w", "phased", "-T", "1.5", "-P", "2",
                    "-p", "batch", "-p", "morph", "-q",
                    "-o", ph, "--"] + adn_it.eal_args("bench-phased") +
                   ["-l", "0-1", "-m", "1024"], timeout=240)
    for want in ("phased: 1.5 s per phase", "oracle (best static per phase)",
                 "morph / oracle", "morph's answer to each change",
                 "phased: every packet accounted for"):
        if want not in p.stdout:
            adn_it.fail("phased report lacks '%s'" % want)
    j = json.load(open(ph + ".json"))
    for c in j["cells"]:
        if c["floor"]:
            continue
        # (A tick of nothing is a stall, as under a sanitizer.)
        busy = [t for t in c["tick_mpps"] if t > 0]
        if len(c["phase_mpps"]) != 2 or len(c["tick_mpps"]) < 25 or \
                len(busy) < len(c["tick_mpps"]) / 2:
            adn_it.fail("phased cell %s: phases %s, %d ticks" %
                        (c["plan"], c["phase_mpps"], len(c["tick_mpps"])))
        # Morph's answers (a search kept or swapped the plan) are
        # recorded in the order they were made.
        if c["plan"] == "morph":
            at = [d["at"] for d in c["morph_decisions"]]
            if at != sorted(at) or any(
                    not isinstance(d["swapped"], bool) or not d["reason"]
                    for d in c["morph_decisions"]):
                adn_it.fail("morph decisions malformed: %s" %
                            c["morph_decisions"])
    if "<polyline" not in open(ph + ".svg").read():
        adn_it.fail("SVG lacks the timeline")
    # A bad plan is a clear error, not a crash, and comes before any
    # cell runs (the floor and the good plan before it included).
    for bad, why in (("warp", "'warp': unknown template"),
                     ("", "--plan '': empty")):
        p = adn_it.run([BENCH, "-c", cfg, "-n", "64", "-r", "1", "-q",
                        "-w", "skewed", "-p", "batch", "-p", bad,
                        "-o", prefix + "-bad", "--"] +
                       adn_it.eal_args("bench-bad") + ["-l", "0-1"],
                       check=False)
        if p.returncode == 0 or why not in p.stdout:
            adn_it.fail("bad plan %r not reported" % bad)
        if "accounted for" in p.stdout:
            adn_it.fail("bad plan %r reported after cells ran" % bad)
    print("ok")


if __name__ == "__main__":
    main()
