#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Side by side: dpdk-testpmd, FastClick and adn-nf on the same pipeline,
the same vdevs, the same trace and the same worker core (issue 19).

Each contender reads one pcap forever through net_pcap (infinite_rx=1) and
sends to net_null (no-rx=1); the rate is the null port's tx over the
timed part of a run (after a warm-up). The trace and the routes come from
the project's tools (adn-tracegen --routes, adn-routegen). Rows:

  dpdk-testpmd io forward               the I/O floor
  adn-nf FromPort -> ToPort
  FastClick forward only
  FastClick Strip -> CheckIPHeader -> {Radix,Direct,Range}IPLookup
            -> SetTCPChecksum -> Unstrip          (FastClick rows)
  adn-nf FromPort -> CheckIPv4 -> LpmRoute -> TcpChecksum -> ToPort, each
         table kind under its plan, with and without FlowCounter (1M cells)

Every row runs -r times, the rows taking turns (round r of every row, then
round r + 1), so a load that drifts hits them alike; the table gives the
median Mpps and min-max.
Without --fastclick (or when its binary is missing) the FastClick rows
are skipped with a message. Writes everything it generates to --work.

  tools/peer-bench.py --adn build-rel --fastclick /work/fastclick/userlevel/click \\
      --testpmd /usr/bin/dpdk-testpmd -r 3
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time

HOPS = 4


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def vdev_args(trace):
    return ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % trace,
            "--vdev", "net_null0,no-rx=1"]


def eal_common(a, tag):
    eal = ["--no-pci", "--file-prefix", "peer_%s_%d" % (tag, os.getpid()),
           "--log-level", "pmd.net.pcap:error"]
    if a.no_huge:
        eal += ["--no-huge", "-m", "2048"]
    else:
        # No hugepage files left behind by the last run of each program.
        eal += ["--huge-unlink"]
    return eal


def run_timed(cmd, seconds, log):
    """Run `cmd` for `seconds`, then SIGINT (SIGKILL if it lingers).
    Returns its stdout+stderr."""
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n")
        f.flush()
        # stdin stays open and silent: testpmd without a terminal quits
        # at end of input.
        rfd, wfd = os.pipe()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=rfd, text=True)
        os.close(rfd)
        try:
            out, _ = p.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            try:
                out, _ = p.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                out, _ = p.communicate()
        finally:
            os.close(wfd)
        f.write(out)
    return out


# --- testpmd -----------------------------------------------------------------

def testpmd_rate(a, trace, log):
    # Line-buffered, or the periodic statistics sit in a pipe buffer.
    cmd = ["stdbuf", "-oL", a.testpmd, "-l", a.lcores] + \
        eal_common(a, "tp") + \
        vdev_args(trace) + \
        ["--", "--forward-mode=io", "--nb-cores=1", "--burst=%d" % a.burst,
         "--total-num-mbufs=%d" % a.mbufs, "--stats-period=1"]
    out = run_timed(cmd, a.warmup + a.duration + 3, log)
    # Blocks "NIC statistics for port N" ... "Tx-pps: X".
    rates, port = [], None
    for line in out.splitlines():
        m = re.search(r"NIC statistics for port (\d+)", line)
        if m:
            port = int(m.group(1))
            continue
        m = re.search(r"Tx-pps:\s+(\d+)", line)
        if m and port == 1:
            rates.append(int(m.group(1)) / 1e6)
    timed = rates[a.warmup:a.warmup + a.duration]
    return statistics.median(timed) if timed else None


# --- FastClick ---------------------------------------------------------------

def click_routes(routes):
    lines = []
    for line in open(routes):
        line = line.split("#")[0].strip()
        if line:
            pfx, hop = line.split()
            lines.append("%s %s" % (pfx, hop))
    return ",\n  ".join(lines)


def click_config(a, lookup, routes):
    probe = ("Script(TYPE ACTIVE, wait %ds, set a $(td.count), set t $(now), "
             "wait %ds, set b $(td.count), set u $(now), "
             "print \"PEER_RATE $(div $(sub $b $a) $(sub $u $t))\", stop);\n"
             % (a.warmup, a.duration))
    # net_pcap holds the whole trace in mbufs of the rx pool, as for
    # testpmd (--mbufs).
    probe = "DPDKInfo(NB_MBUF %d);\n" % a.mbufs + probe
    src = "FromDPDKDevice(0, BURST %d)" % a.burst
    dst = "td :: ToDPDKDevice(1, BURST %d)" % a.burst
    if lookup is None:
        return probe + "%s -> %s;\n" % (src, dst)
    cfg = probe + "rt :: %s(%s);\n" % (lookup, click_routes(routes))
    # FastClick's CheckIPHeader skips the checksum by default; CheckIPv4
    # verifies it: ask for the same work.
    cfg += ("%s -> Strip(14) -> CheckIPHeader(CHECKSUM true) -> rt;\n"
            % src)
    cfg += "rt[0] -> Discard;\n"
    cfg += "csum :: SetTCPChecksum -> Unstrip(14) -> %s;\n" % dst
    for h in range(1, HOPS + 1):
        cfg += "rt[%d] -> csum;\n" % h
    return cfg


def fastclick_rate(a, cfg, log):
    path = log + ".click"
    with open(path, "w") as f:
        f.write(cfg)
    worker = a.lcores.split("-")[-1].split(",")[-1]
    cmd = [a.fastclick, "--dpdk", "-l", worker] + eal_common(a, "fc") + \
        vdev_args(a.trace_path) + ["--", path]
    out = run_timed(cmd, a.warmup + a.duration + 20, log)
    m = re.search(r"PEER_RATE\s+([0-9.eE+]+)", out)
    return float(m.group(1)) / 1e6 if m else None


# --- adn-nf --------------------------------------------------------------------

def adn_config(a, trace, routes, table, count, forward):
    cfg = ['eal = ["-l", "%s"];' % a.lcores, "workers = 1;",
           "burst = %d;" % a.burst,
           'ports = ( { name = "in"; device = "net_pcap0"; '
           'args = "rx_pcap=%s,infinite_rx=1"; },' % trace,
           '  { name = "out"; device = "net_null0"; args = "no-rx=1"; } );']
    if forward:
        cfg += ['elements = ( { name = "rx"; type = "FromPort"; port = "in"; },',
                '  { name = "tx"; type = "ToPort"; port = "out"; } );',
                'links = ( "rx -> tx" );']
        return "\n".join(cfg) + "\n"
    els = ['{ name = "rx"; type = "FromPort"; port = "in"; }',
           '{ name = "chk"; type = "CheckIPv4"; }',
           '{ name = "route"; type = "LpmRoute"; routes = "%s"; table = "%s"; }'
           % (routes, table),
           '{ name = "csum"; type = "TcpChecksum"; }',
           '{ name = "noroute"; type = "Discard"; }',
           '{ name = "tx"; type = "ToPort"; port = "out"; }']
    nxt = "csum"
    if count:
        els.append('{ name = "count"; type = "FlowCounter"; size = 1048576; }')
        nxt = "count"
    links = ['"rx -> chk -> route"', '"route[0] -> noroute"']
    links += ['"route[%d] -> %s"' % (h, nxt) for h in range(1, HOPS + 1)]
    if count:
        links.append('"count -> csum"')
    links.append('"csum -> tx"')
    cfg += ["elements = ( " + ",\n  ".join(els) + " );",
            "links = ( " + ", ".join(links) + " );"]
    return "\n".join(cfg) + "\n"


def adn_rate(a, cfg, plan, log):
    path = log + ".cfg"
    with open(path, "w") as f:
        f.write(cfg)
        if plan:
            f.write('plan = "%s";\n' % plan)
    cmd = [os.path.join(a.adn, "apps", "adn-nf"), "-c", path,
           "-d", str(a.warmup + a.duration), "-s", "1", "--"] + \
        eal_common(a, "adn")
    out = run_timed(cmd, a.warmup + a.duration + 30, log)
    # "[   3.0s] in: ... out: rx 0 (0 pps) tx N (X Mpps) drop ..;"
    pts = []
    for line in out.splitlines():
        m = re.match(r"\[\s*([0-9.]+)s\].*?\bout: rx \d+ \([^)]*\) tx (\d+)",
                     line)
        if m:
            pts.append((float(m.group(1)), int(m.group(2))))
    pts = [p for p in pts if p[0] >= a.warmup]
    if len(pts) < 2:
        return None
    (t0, n0), (t1, n1) = pts[0], pts[-1]
    return (n1 - n0) / (t1 - t0) / 1e6


# --- the table -------------------------------------------------------------

def run_rows(a, rows):
    """Every row once per round, a.runs rounds: a load that drifts during
    the session then hits every row alike. Returns [(name, values)],
    values[r] of round r (None: no rate)."""
    vals = {name: [] for name, _ in rows}
    for r in range(a.runs):
        for name, fn in rows:
            log = os.path.join(a.work, "%s.%s.run%d.log" % (
                a.trace_name, re.sub(r"[^A-Za-z0-9]+", "_", name), r))
            v = fn(log)
            if v is None:
                print("  %s run %d: no rate (see %s)" % (name, r, log),
                      file=sys.stderr)
            vals[name].append(v)
            if not a.quiet:
                print("  %s: %-48s run %d: %s" % (
                    a.trace_name, name, r, "%.2f Mpps" % v if v else "-"),
                    file=sys.stderr)
    return [(name, vals[name]) for name, _ in rows]


def fmt(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    return "%.2f (%.2f-%.2f)" % (statistics.median(vals), min(vals),
                                 max(vals))


def ratio(wl, num_name, den_name, num, den, runs):
    """Print the best of the `num` rows over the best of the `den` rows:
    of their medians, and round by round."""
    med = [statistics.median([x for x in v if x is not None])
           for v in den + num if any(x is not None for x in v)]
    if not den or not num or len(med) < len(den) + len(num):
        return
    print("\n%s: %s %.2f / %s %.2f = %.2fx" % (
        wl, num_name, max(med[len(den):]), den_name, max(med[:len(den)]),
        max(med[len(den):]) / max(med[:len(den)])))
    # The rows of a round ran back to back: the best of each side in the
    # same round, compared, sees less of the machine's drift.
    rounds = [max(v[r] for v in num) / max(v[r] for v in den)
              for r in range(runs)
              if all(v[r] is not None for v in den + num)]
    if rounds:
        print("%s: the same, round by round: median %.2fx (%.2f-%.2fx, "
              "%d rounds)" % (wl, statistics.median(rounds), min(rounds),
                              max(rounds), len(rounds)))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--adn", default="build-rel",
                    help="adn-nf build dir (release), default build-rel")
    ap.add_argument("--fastclick", default=None,
                    help="FastClick's click binary (e.g. /work/fastclick/userlevel/click)")
    ap.add_argument("--testpmd", default="/usr/bin/dpdk-testpmd")
    ap.add_argument("-r", "--runs", type=int, default=3)
    ap.add_argument("-d", "--duration", type=int, default=8,
                    help="timed seconds per run (default 8)")
    ap.add_argument("-W", "--warmup", type=int, default=2,
                    help="seconds before timing (default 2)")
    ap.add_argument("-l", "--lcores", default="0-1",
                    help="main-worker lcores for adn-nf and testpmd; FastClick runs on the last")
    ap.add_argument("-w", "--workload", action="append",
                    choices=["skewed", "heavy-tailed"],
                    help="trace(s), default both")
    ap.add_argument("-n", "--packets", type=int, default=200000)
    ap.add_argument("--routes", type=int, default=1614)
    ap.add_argument("-b", "--burst", type=int, default=32)
    ap.add_argument("--mbufs", type=int, default=262144,
                    help="testpmd's and FastClick's pool (the pcap is "
                    "held in mbufs)")
    ap.add_argument("--plan-radix", default="jit8",
                    help="adn-nf plan with route.table = radix")
    ap.add_argument("--plan-dir24-8", default="jit8",
                    help="adn-nf plan with route.table = dir24_8")
    ap.add_argument("--no-huge", action="store_true",
                    help="run DPDK without hugepages (slower; for a check only)")
    ap.add_argument("--only", default="",
                    help="comma-separated prefixes of the rows to run, e.g. "
                    "'testpmd,adn-nf fromport,fastclick radix'")
    ap.add_argument("--work", default="/tmp/peer-bench")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()

    os.makedirs(a.work, exist_ok=True)
    a.adn = os.path.abspath(a.adn)
    tools = os.path.join(a.adn, "tools")
    routes = os.path.join(a.work, "routes.txt")
    sh([os.path.join(tools, "adn-routegen"), "-n", str(a.routes), "-s", "1",
        "-H", str(HOPS), "-d", "-o", routes])
    click = a.fastclick
    if click is None or not os.access(click, os.X_OK):
        print("peer-bench: FastClick rows skipped: %s" %
              ("no --fastclick given" if click is None else
               "%s is not an executable" % click), file=sys.stderr)
        click = None
    only = [o for o in a.only.split(",") if o]

    def want(row):
        return not only or any(row.startswith(o.lower()) for o in only)

    traces = {"skewed": ("100000", "1.61"),
              "heavy-tailed": ("10000000", "0.5")}
    table = []
    for wl in a.workload or ["skewed", "heavy-tailed"]:
        flows, alpha = traces[wl]
        a.trace_name = wl
        a.trace_path = os.path.join(a.work, wl + ".pcap")
        sh([os.path.join(tools, "adn-tracegen"), "-o", a.trace_path,
            "-n", str(a.packets), "-f", flows, "-a", alpha, "-m", "1,0,0",
            "-s", "64", "-r", "1", "-t", routes], stdout=subprocess.DEVNULL)
        tr = a.trace_path
        rows = [("testpmd io forward (the I/O floor)",
                 lambda log: testpmd_rate(a, tr, log)),
                ("adn-nf FromPort -> ToPort",
                 lambda log: adn_rate(a, adn_config(a, tr, routes, None,
                                                    False, True), None, log))]
        if click:
            rows.append(("FastClick forward only",
                         lambda log: fastclick_rate(
                             a, click_config(a, None, routes), log)))
            for lk in ("RadixIPLookup", "DirectIPLookup", "RangeIPLookup"):
                rows.append(("FastClick %s" % lk,
                             lambda log, lk=lk: fastclick_rate(
                                 a, click_config(a, lk, routes), log)))
        for kind, plan in (("radix", a.plan_radix),
                           ("dir24_8", a.plan_dir24_8)):
            for count in (False, True):
                name = "adn-nf %s %s%s" % (kind, plan,
                                           " +FlowCounter" if count else "")
                rows.append((name, lambda log, kind=kind, count=count,
                             plan=plan: adn_rate(
                                 a, adn_config(a, tr, routes, kind, count,
                                               False), plan, log)))
        rows = [(name, fn) for name, fn in rows if want(name.lower())]
        for name, vals in run_rows(a, rows):
            table.append((wl, name, vals))

    print("\n| workload | pipeline | Mpps median (min-max), %d runs |" % a.runs)
    print("|---|---|---|")
    for wl, name, vals in table:
        print("| %s | %s | %s |" % (wl, name, fmt(vals)))
    for wl in dict.fromkeys(w for w, _, _ in table):
        rows = [(n, v) for w, n, v in table if w == wl]
        ratio(wl, "adn-nf best", "FastClick best",
              [v for n, v in rows if n.startswith("adn-nf ") and
               "FlowCounter" not in n and "->" not in n],
              [v for n, v in rows if n.startswith("FastClick ") and
               "forward" not in n], a.runs)
        ratio(wl, "adn-nf FromPort -> ToPort", "testpmd",
              [v for n, v in rows if n.startswith("adn-nf FromPort")],
              [v for n, v in rows if n.startswith("testpmd")], a.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
