#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""configs/http-router.cfg on an adn-tracegen --http trace: every request
reaches the backend its host/path rule names (an independent model of
the rules file) or the reject port when the manifest says it is
malformed; a body sent in its own segment follows its request; packets
carrying the Dpi drop string, and the rest of their stream, are dropped;
every packet is accounted for (in = out on all ports + drops)."""
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adn_it import (ADN_NF, SOURCE, TRACEGEN, check, eal_args, load_json,
                    read_pcap, run, workdir)

PORTS = ["OUT", "BE1", "BE2", "BE3", "REJECT", "PUNT"]


def rules_model(path):
    rules = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        field, kind, pat, out = line.split()
        rules.append((field, kind, pat, int(out)))

    def route(host, path):
        for field, kind, pat, out in rules:
            s = host.lower() if field == "host" else path
            if kind == "exact" and s == (pat.lower() if field == "host"
                                         else pat):
                return out
            if kind == "prefix" and s.startswith(pat):
                return out
            if kind == "regex" and re.search(pat, s):
                return out
        return 0
    return route


def key(frame):
    """(client port, sequence number, flags) of a client segment."""
    ip = frame[14:]
    th = ip[(ip[0] & 15) * 4:]
    sport, dport, seq = struct.unpack("!HHI", th[:8])
    return (sport if dport == 80 else -dport, seq, th[13])


def main():
    d = workdir("http")
    trace, manifest = os.path.join(d, "in.pcap"), os.path.join(d, "in.json")
    run([TRACEGEN, "-o", trace, "-H", "400", "-b", "0.1", "-r", "5",
         "-P", "DROPME", "-P", "evil-payload", "-j", manifest])
    m = load_json(manifest)
    frames = read_pcap(trace)
    check(len(frames) == m["packets"], "trace and manifest agree")
    env = dict(os.environ, ADN_IN=trace)
    for p in PORTS:
        env["ADN_" + p] = os.path.join(d, p.lower() + ".pcap")
    stats = os.path.join(d, "stats.json")
    run([ADN_NF, "-c", os.path.join(SOURCE, "configs", "http-router.cfg"),
         "--idle-exit", "1", "--stats-interval", "0", "--stats-json", stats,
         "--"] + eal_args("http"), env=env)
    where = {}
    outs = {}
    for p in PORTS:
        fr = read_pcap(env["ADN_" + p])
        outs[p] = len(fr)
        for f in fr:
            where[f] = p
    st = load_json(stats)
    drops = sum(sum(e.get("drops", {}).values())
                for e in st["elements"].values())
    check(len(frames) == sum(outs.values()) + drops,
          "accounting: %d in = %d out %s + %d dropped" %
          (len(frames), sum(outs.values()), outs, drops))

    route = rules_model(os.path.join(SOURCE, "configs",
                                     "http-router-rules.txt"))
    # the Dpi model: from the packet holding DROPME on, the client's
    # stream is dropped
    blocked_from = {}
    for i, f in enumerate(frames):
        k = key(f)
        if k[0] > 0 and b"DROPME" in f and k[0] not in blocked_from:
            blocked_from[k[0]] = i
    n_routed = n_rejected = n_dropped = 0
    for r in m["requests"]:
        i = r["packet"]
        f = frames[i]
        # HttpParse rejects before Dpi sees the packet
        if r["malformed"]:
            check(where.get(f) == "REJECT", "packet %d: %s request "
                  "rejected" % (i, r["malformed"]))
            n_rejected += 1
            continue
        if r["sport"] in blocked_from and i >= blocked_from[r["sport"]]:
            check(f not in where, "request %d (conn %d) dropped by Dpi" %
                  (i, r["conn"]))
            n_dropped += 1
            continue
        if r.get("pipelined"):
            continue    # routed with the request it shares a packet with
        out = route(r["host"], r["path"])
        want = "BE%d" % out if out else "OUT"
        check(where.get(f) == want, "packet %d: %s %s%s -> %s" %
              (i, r["method"], r["host"], r["path"], want))
        n_routed += 1
        b = r["body_packet"]
        if b >= 0 and not (r["sport"] in blocked_from and
                           b >= blocked_from[r["sport"]]):
            check(where.get(frames[b]) == want,
                  "its body (packet %d) follows it" % b)
    check(n_routed > 200 and n_rejected > 20 and n_dropped > 5,
          "routed %d, rejected %d, dropped %d requests" %
          (n_routed, n_rejected, n_dropped))
    el = st["elements"]
    check(el["http"]["xstats"]["punt-untracked"] == 0,
          "no stream was missed")
    check(el["dpi"]["drops"].get("rule", 0) == len(blocked_from),
          "one Dpi rule drop per stream carrying DROPME")
    check(el["dpi"]["xstats"]["alerts"] > 0, "evil-payload alerts")
    print("PASS")


if __name__ == "__main__":
    main()
