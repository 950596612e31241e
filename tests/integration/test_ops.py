#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Operator tools: adn-ctl against a running adn-nf, and adn-nf's own
options.

  ctl      adn-nf replays a trace forever (net_pcap infinite_rx, the pool
           sized by `mbufs`); every adn-ctl command in JSON mode, parsed
           and checked against the pipeline; a capture read by tcpdump;
           `top` for 3 refreshes in a pseudo-terminal and in JSON; errors
           with no server, a bad command, an unknown element, a refused
           plan, an existing capture file.
  options  -p overrides the config's plan; --dot writes a graph Graphviz
           parses, with the plan and packet counts; --stats-json carries
           elapsed time and rates; config errors come before any EAL
           line; the pool-size error names `mbufs` and the number needed;
           a port no element uses is an error.
"""
import json
import os
import pty
import select
import subprocess
import sys
import time

from adn_it import (ADN_NF, BUILD, TRACEGEN, check, eal_args, fail,
                    file_prefix, load_json, run, start_nf, stop, workdir)

ADN_CTL = os.path.join(BUILD, "apps", "adn-ctl")
PACKETS = 3000

CONFIG = """eal = ["-l", "0-1"];
%(extra)s
ports = ( { name = "p0"; device = "net_pcap0";
            args = "rx_pcap=%(trace)s,infinite_rx=1"; },
          { name = "p1"; device = "net_null0"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p0"; },
  { name = "chk"; type = "CheckIPv4"; },
  { name = "route"; type = "LpmRoute"; routes = "routes.txt";
    first_hop = 0; },
  { name = "none"; type = "Discard"; },
  { name = "tx"; type = "ToPort"; port = "p1"; }
);
links = ( "rx -> chk -> route", "route[0] -> none", "route[1] -> tx",
          "route[2] -> tx" );
"""


def setup(tag, extra=""):
    d = workdir(tag)
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", str(PACKETS), "-f", "100",
         "-s", "64-256", "-b", "0.1"])
    with open(os.path.join(d, "routes.txt"), "w") as f:
        # Click's RadixIPLookup numbering: ports from 0.
        f.write("0.0.0.0/1 0\n128.0.0.0/1 1\n")
    cfg = os.path.join(d, "ops.cfg")
    with open(cfg, "w") as f:
        f.write(CONFIG % {"trace": trace, "extra": extra})
    return d, cfg


def ctl(prefix, *args, rc=0):
    p = subprocess.run([ADN_CTL, "-f", prefix] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    print("+ adn-ctl", " ".join(args), "->", p.returncode, flush=True)
    print(p.stdout + p.stderr, flush=True)
    if p.returncode != rc:
        fail("adn-ctl %s exited %d, expected %d" %
             (" ".join(args), p.returncode, rc))
    return p


def ctl_json(prefix, *args, rc=0):
    return json.loads(ctl(prefix, "-j", *args, rc=rc).stdout)


def top_in_pty(prefix):
    """adn-ctl top -n 3 with a terminal on stdin and stdout: 3 screens."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(ADN_CTL, [ADN_CTL, "-f", prefix, "top", "-n", "3",
                           "-d", "0.5"])
    out = b""
    end = time.time() + 60
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    print(text)
    check(os.WEXITSTATUS(status) == 0, "top in a pty exits 0 after -n 3")
    check(text.count("\x1b[H\x1b[2J") == 3, "top drew 3 screens")
    check(text.count("ELEMENT") == 3 and "route" in text and
          "LpmRoute" in text and "p0" in text,
          "each screen has the element and port tables")


def mode_ctl():
    d, cfg = setup("ops-ctl", "mbufs = 16384;")
    prefix = file_prefix("ops-ctl")
    # (it runs: mbufs sized for net_pcap's copy of the trace)
    proc, tel = start_nf(cfg, "ops-ctl", 120)
    tel.close()
    try:
        st = ctl_json(prefix, "stats")
        # (unaccounted is exact once stopped: stop() checks it; read
        # while workers run, counters move between two reads.)
        check(st["received"] > 0 and "unaccounted" in st,
              "stats: traffic flows")
        check(set(["rx", "chk", "route", "none", "tx"]) <= set(st) and
              len(st["route"]) == 4, "stats: an array per element")
        check(st["uptime_ms"] > 0 and st["mbufs_in_use"] >= PACKETS,
              "stats: uptime and mbufs in use (the trace copy included)")

        ports = ctl_json(prefix, "ports")
        check(ports["p0"][0] > 0 and ports["p1"][1] > 0,
              "ports: p0 receives, p1 transmits")

        pipe = ctl_json(prefix, "pipeline")
        check(pipe["route"] == ["LpmRoute", "[0] -> none", "[1] -> tx",
                                "[2] -> tx"], "pipeline: links of route")

        el = ctl_json(prefix, "element", "chk")
        check(el["type"] == "CheckIPv4" and el["in"] > 0 and
              sum(v for k, v in el.items() if k.startswith("drop_")) > 0,
              "element: counters with drops by reason (malformed frames)")
        ctl(prefix, "element", "nosuch", rc=1)

        plan = ctl_json(prefix, "plan")
        check(plan["plan"] == "batch", "plan: the config's")
        r = ctl_json(prefix, "plan", "set", "group4")
        check(r["ok"] == 1 and r["plan"] == "group4" and r["version"] == 2,
              "plan set: version 2 runs group4")
        r = ctl(prefix, "plan", "set", "bogus", rc=1)
        check("unknown template" in r.stderr,
              "plan set: a bad plan is refused with the reason")
        check(ctl_json(prefix, "plan")["plan"] == "group4",
              "a refused plan leaves the live one")

        r = ctl_json(prefix, "control", "route", "lookup", "200.0.0.1")
        check(r["ok"] == 1 and r["reply"] == "200.0.0.1 -> 2",
              "control: Click-numbered hop 1 is output 2")
        r = ctl(prefix, "control", "route", "help")
        check("lookup" in r.stdout, "control help lists the commands")

        check(ctl_json(prefix, "versions")["live"] == 2,
              "versions: the live version")
        r = ctl(prefix, "reload", os.path.relpath(cfg), rc=0)
        check("version 3 live" in r.stdout,
              "reload with a relative path (sent absolute)")
        # Morph is off in this config: it says so, and how to turn it on.
        r = ctl_json(prefix, "morph")
        check(r["state"] == "off" and "morph = {" in r["how"],
              "morph: off, and how to turn it on")
        r = ctl(prefix, "morph", "try", "batch", rc=1)
        check("Morph is off" in r.stderr, "morph try: refused, Morph is off")

        # capture: the 50 first packets chk lets out, as tcpdump reads
        # them; an existing file is refused, not overwritten.
        pcapng = os.path.join(d, "chk0.pcapng")
        r = ctl(prefix, "capture", "chk:0", pcapng, "--count", "50")
        check("50 packets" in r.stdout and "ended: count" in r.stdout,
              "capture: 50 packets, ended by the count")
        td = subprocess.run(["tcpdump", "-nr", pcapng], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(td.returncode == 0 and len(td.stdout.splitlines()) == 50,
              "tcpdump reads the 50 packets")
        r = ctl(prefix, "capture", "chk:0", pcapng, rc=1)
        check("exists" in r.stderr, "capture: an existing file is refused")
        r = ctl(prefix, "capture", "nosuch:0", pcapng + ".x", rc=1)
        check("capture refused" in r.stderr, "capture: a bad target refused")
        st = ctl_json(prefix, "capture", "status")
        check(st["active"] == 0 and st["written"] == 50,
              "capture status: the last capture")

        top_in_pty(prefix)
        lines = ctl(prefix, "-j", "top", "-n", "2", "-d", "0.5") \
            .stdout.splitlines()
        frames = [json.loads(x) for x in lines]
        check(len(frames) == 2, "top -j: one JSON line per refresh")
        f = frames[-1]
        check(f["elements"]["rx"]["in_pps"] > 0 and
              f["ports"]["p0"]["rx_pps"] > 0,
              "top -j: element and port rates")
        check(f["elements"]["chk"]["drop_pps"] > 0 and
              sum(f["elements"]["chk"]["drops_ps"].values()) > 0,
              "top -j: drops per reason per second")

        ctl(prefix, "nosuch", rc=2)
        ctl(prefix, "element", rc=2)
    finally:
        if proc.poll() is None:
            stop(proc)

    r = ctl("adn-it-nobody-%d" % os.getpid(), "stats", rc=1)
    check("no adn-nf runs under this file prefix" in r.stderr,
          "no server: a clear error")


def eal_line(text):
    return next((i for i, l in enumerate(text.splitlines())
                 if l.startswith("EAL:")), None)


def mode_options():
    d, cfg = setup("ops-opt")
    eal = eal_args("ops-opt")
    dot = os.path.join(d, "g.dot")
    js = os.path.join(d, "s.json")
    p = run([ADN_NF, "-c", cfg, "-p", "fused4", "--duration", "1.5",
             "--stats-interval", "0", "--dot", dot, "--stats-json", js,
             "--"] + eal)
    with open(dot) as f:
        g = f.read()
    check("plan fused4" in g and "cluster_chk" in g,
          "--dot: the -p plan, its chain as a cluster")
    svg = run(["dot", "-Tsvg", dot, "-o", os.path.join(d, "g.svg")])
    check(svg.returncode == 0, "Graphviz parses the --dot output")
    s = load_json(js)
    check(s["elapsed_s"] > 1 and s["in_pps"] > 0 and
          s["ports"]["p0"]["rx_pps"] > 0 and
          s["elements"]["route"]["in_pps"] > 0,
          "--stats-json: elapsed time, pipeline, port and element rates")
    route_out = s["elements"]["route"]["out"]
    check(("-> route [label=\"0: %d\"]" % s["elements"]["chk"]["out"][0])
          in g and ("route -> none [label=\"0: %d\"]" % route_out[0]) in g,
          "--dot: packets per edge")
    check("over " in p.stdout and ("Mpps" in p.stdout or "kpps" in p.stdout),
          "final report: rates")

    # A typo is reported before EAL says anything.
    bad = os.path.join(d, "bad.cfg")
    with open(cfg) as f, open(bad, "w") as g2:
        g2.write(f.read().replace('type = "CheckIPv4";',
                                  'type = "CheckIPv4"; colour = 1;'))
    r = run([ADN_NF, "-c", bad, "--"] + eal, check=False)
    check(r.returncode == 1 and "unknown key for CheckIPv4" in r.stdout and
          eal_line(r.stdout) is None,
          "a bad key is reported before EAL starts")
    r = run([ADN_NF, "-c", cfg, "-p", "bogus", "--"] + eal, check=False)
    check(r.returncode == 1 and "unknown template" in r.stdout and
          eal_line(r.stdout) is None, "-p: a bad plan, before EAL")

    # net_pcap's infinite_rx keeps the trace in mbufs of the pool.
    small = os.path.join(d, "small.cfg")
    with open(cfg) as f, open(small, "w") as g2:
        g2.write(f.read().replace('eal = ["-l", "0-1"];',
                                  'eal = ["-l", "0-1"];\nmbufs = 2048;'))
    r = run([ADN_NF, "-c", small, "--duration", "1", "--"] + eal,
            check=False)
    check(r.returncode == 1 and "key 'mbufs'" in r.stdout and
          "%d of them held by net_pcap" % PACKETS in r.stdout,
          "a small pool: the error names `mbufs` and what the trace holds")

    unused = os.path.join(d, "unused.cfg")
    with open(cfg) as f, open(unused, "w") as g2:
        g2.write(f.read().replace(
            '{ name = "p1"; device = "net_null0"; } );',
            '{ name = "p1"; device = "net_null0"; },\n'
            '          { name = "p2"; device = "net_null1"; } );'))
    r = run([ADN_NF, "-c", unused, "--duration", "1", "--"] + eal,
            check=False)
    check(r.returncode == 1 and "port 'p2' is used by no element"
          in r.stdout, "a port no element uses is an error")


def main():
    {"ctl": mode_ctl, "options": mode_options}[sys.argv[1]]()
    print("PASS")


if __name__ == "__main__":
    main()
