#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""configs/rpc-gateway.cfg on an adn-tracegen --rpc trace mixing ADN RPC
over UDP and HTTP requests: every request the ACL model denies is
dropped, every other one reaches a backend with valid checksums; the
same object reaches the same backend whichever carrier brought it (one
view maps both applications' fields); an HTTP request's later segments
follow it; every packet is accounted for (in = out + drops)."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adn_it import (ADN_NF, SOURCE, TRACEGEN, check, csum, eal_args,
                    load_json, read_pcap, run, workdir)


def acl_model(path):
    rules = []
    for line in open(path):
        line = line.split("#")[0].strip()
        if not line:
            continue
        conds, action = line.split("->")
        toks = conds.split()
        rules.append(([toks[i:i + 3] for i in range(0, len(toks), 3)],
                      action.strip()))

    def holds(field, op, val, v):
        if op == "exact":
            return v == val
        if op == "prefix":
            return v.startswith(val)
        if op == "in":
            return v in val.strip("{}").split(",")
        lo, hi = val.split("-")
        return v.isdigit() and int(lo) <= int(v) <= int(hi)

    def verdict(user, obj):
        f = {"user": user, "object": str(obj)}
        for conds, action in rules:
            if all(holds(c[0], c[1], c[2], f[c[0]]) for c in conds):
                return action
        return "permit"
    return verdict


def valid(f):
    ip = f[14:]
    l4 = ip[20:struct.unpack("!H", ip[2:4])[0]]
    ph = ip[12:20] + struct.pack("!BBH", 0, ip[9], len(l4))
    return csum(ip[:20]) == 0xffff and csum(ph + l4) == 0xffff


def main():
    d = workdir("rpcgw")
    trace, manifest = os.path.join(d, "in.pcap"), os.path.join(d, "in.json")
    run([TRACEGEN, "-o", trace, "--rpc", "600", "--rpc-carrier", "mix",
         "--rpc-objects", "1000", "--rpc-users", "20", "--rpc-bulk", "4000",
         "-r", "3", "-j", manifest])
    m = load_json(manifest)
    frames = read_pcap(trace)
    check(len(frames) == m["packets"], "trace and manifest agree")
    env = dict(os.environ, ADN_IN=trace,
               ADN_OUT=os.path.join(d, "out.pcap"),
               ADN_BE=os.path.join(d, "be.pcap"))
    stats = os.path.join(d, "stats.json")
    run([ADN_NF, "-c", os.path.join(SOURCE, "configs", "rpc-gateway.cfg"),
         "--idle-exit", "1", "--stats-interval", "0", "--stats-json", stats,
         "--"] + eal_args("rpcgw"), env=env)
    out = read_pcap(env["ADN_OUT"])
    be = read_pcap(env["ADN_BE"])
    st = load_json(stats)
    drops = sum(sum(e.get("drops", {}).values())
                for e in st["elements"].values())
    check(len(frames) == len(out) + len(be) + drops,
          "accounting: %d in = %d wire + %d backends + %d dropped" %
          (len(frames), len(out), len(be), drops))

    # where each request's packets went: (protocol, client address and
    # port) -> destinations
    got = {}
    for f in be:
        check(valid(f), "checksums of a rewritten packet")
        ip = f[14:]
        got.setdefault((ip[9], ip[12:16], ip[20:22]), []).append(ip[16:20])
    verdict = acl_model(os.path.join(SOURCE, "configs",
                                     "rpc-gateway-acl.txt"))
    backend_of = {}
    n_perm = n_deny = n_http_body = 0
    for r in m["requests"]:
        ip = frames[r["packet"]][14:]
        k = (ip[9], ip[12:16], ip[20:22])
        dst = got.get(k, [])
        want = verdict(r["user"], r["object"])
        if want == "deny":
            check(not dst, "request %d (%s %s %d) denied" %
                  (r["request"], r["carrier"], r["user"], r["object"]))
            n_deny += 1
            continue
        # ADN: each message; HTTP: the head and its body segments, and
        # the FIN when HttpParse saw it in a later batch than the head
        # (its record's stream words are a copy taken before RpcLb ran);
        # the SYN is not balanced
        n = r["packets"] if r["carrier"] == "adn" else r["packets"] - 2
        fin = 0 if r["carrier"] == "adn" else 1
        check(n <= len(dst) <= n + fin and len(set(dst)) == 1,
              "request %d: %d packets to one backend" % (r["request"], n))
        if r["carrier"] == "http" and r["packets"] > 3:
            n_http_body += 1
        b = backend_of.setdefault(r["object"], dst[0])
        check(b == dst[0], "object %d: one backend for both carriers" %
              r["object"])
        n_perm += 1
    carriers = {}
    for r in m["requests"]:
        if verdict(r["user"], r["object"]) == "permit":
            carriers.setdefault(r["object"], set()).add(r["carrier"])
    both = sum(1 for c in carriers.values() if len(c) == 2)
    check(n_perm > 300 and n_deny > 20 and n_http_body > 20 and both > 10,
          "permitted %d, denied %d, %d HTTP bodies followed, %d objects "
          "on both carriers" % (n_perm, n_deny, n_http_body, both))
    el = st["elements"]
    check(el["acl"]["drops"].get("denied", 0) > 0, "RpcAcl counts denials")
    check(sum(el["rpc"].get("drops", {}).values()) == 0,
          "no RPC rejected")
    print("PASS")


if __name__ == "__main__":
    main()
