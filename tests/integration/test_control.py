#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runtime route changes, plan swaps and reloads over telemetry while
adn-nf forwards traffic.

A pcap replayed forever (net_pcap infinite_rx) keeps the worker inside
batches the whole time; /adn/control adds and removes an LpmRoute prefix
and the test checks the replies, the element's answer to lookup, its
route count, and that packets really follow the change (counters of the
element behind the new output move, then stop moving after the remove).
A plain SEQPACKET client speaks the telemetry protocol, so nothing is
parsed out of a tool's text output.
"""
import os
import struct
import time

from adn_it import (check, csum, fail, start_nf, stop, wait_for, workdir,
                    write_pcap, write_replay_config)

ROUTED = "10.1.2.3"          # covered by 10.0.0.0/8 -> 1 from the file
TARGET = "198.51.100.7"      # no route until the test adds one


def ipv4_udp(dst, sport):
    src = bytes([192, 168, 0, 1])
    dst_b = bytes(int(x) for x in dst.split("."))
    payload = b"x" * 18
    udp = struct.pack("!HHHH", sport, 53, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                      0, src, dst_b)
    hdr = hdr[:10] + struct.pack("!H", 0xffff - csum(hdr)) + hdr[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + \
        b"\x08\x00"
    return eth + hdr + udp


def main():
    d = workdir("ctl")
    trace = os.path.join(d, "t.pcap")
    write_pcap(trace, [ipv4_udp(ROUTED if i % 2 else TARGET, 1000 + i)
                       for i in range(64)])
    routes = os.path.join(d, "routes.txt")
    with open(routes, "w") as f:
        f.write("10.0.0.0/8 1\n192.0.2.0/24 2\n")
    cfg = os.path.join(d, "ctl.cfg")
    write_replay_config(cfg, trace,
                        """  { name = "route"; type = "LpmRoute"; routes = "routes.txt"; },
  { name = "none"; type = "Discard"; },
  { name = "one"; type = "Discard"; },
  { name = "two"; type = "Discard"; }""",
                        '"rx -> route", "route[0] -> none", '
                        '"route[1] -> one",\n          "route[2] -> two"')
    proc, tel = start_nf(cfg, "ctl", 120)
    try:
        def count(elem):
            return tel.query("/adn/element," + elem, quiet=True)["in"]

        wait_for(lambda: count("none") > 1000 and count("one") > 1000,
                 "traffic flows to outputs 0 and 1")

        h = tel.control("route help")
        check(h["ok"] == 1 and h["element"] == "route" and
              [l.split()[0] for l in h["lines"]] == ["add", "remove",
                                                     "lookup"],
              "route help lists add, remove, lookup")
        r = tel.control("route lookup " + TARGET)
        check(r["ok"] == 1 and r["reply"] == TARGET + " -> 0 (no route)",
              "lookup before the add: no route")
        check(count("two") == 0, "nothing reaches output 2 yet")

        r = tel.control("route add 198.51.100.0/24 2")
        check(r["ok"] == 1 and r["rc"] == 0 and
              r["reply"] == "added 198.51.100.0/24 -> 2",
              "add replies what it added")
        r = tel.control("route lookup " + TARGET)
        check(r["reply"] == TARGET + " -> 2", "lookup after the add: 2")
        check(tel.query("/adn/element,route")["routes"] == 3,
              "route count 3 after the add")
        wait_for(lambda: count("two") > 1000,
                 "running workers send the prefix to output 2")

        r = tel.control("route remove 198.51.100.0/24")
        check(r["ok"] == 1 and r["reply"] ==
              "removed 198.51.100.0/24 (was -> 2)", "remove replies")
        r = tel.control("route lookup " + TARGET)
        check(r["reply"] == TARGET + " -> 0 (no route)",
              "lookup after the remove: no route")
        check(tel.query("/adn/element,route")["routes"] == 2,
              "route count back to 2")
        two, none = count("two"), count("none")
        time.sleep(1.0)
        check(count("two") == two and count("none") > none,
              "after the remove the prefix goes back to output 0")

        r = tel.control("route add 198.51.100.0/24 3")
        check(r["ok"] == 0 and r["rc"] < 0 and
              "takes hops 1-2" in r["reply"],
              "a hop past the outputs is refused naming the limit")
        r = tel.control("route add 198.51.100.1/24 1")
        check(r["ok"] == 0 and "host bits set" in r["reply"],
              "a bad prefix is refused with the reason")
        r = tel.control("route remove 203.0.113.0/24")
        check(r["ok"] == 0 and "no route 203.0.113.0/24" in r["reply"],
              "removing an absent prefix is refused")
        r = tel.control("route frob")
        check(r["ok"] == 0 and "unknown command 'frob'" in r["reply"],
              "an unknown command is refused")
        r = tel.control("nosuch help")
        check(r["ok"] == 0 and r["reply"] == "no element named 'nosuch'",
              "an unknown element is named")
        r = tel.control("one help")
        check(r["ok"] == 0 and "takes no control commands" in r["reply"],
              "an element without commands says so")
        r = tel.control("route")
        check(r["ok"] == 0 and r["reply"].startswith("usage:"),
              "a missing command gets the usage")
        r = tel.query("/adn/control")
        check(r["ok"] == 0 and r["reply"].startswith("usage:"),
              "no parameters get the usage")
        # Many changes back to back while the worker is busy: none may
        # hang or fail.
        for i in range(200):
            r = tel.control("route add 198.51.%d.0/24 1" % i,
                            quiet=True)
            if r["ok"] != 1:
                fail("add %d failed: %s" % (i, r))
        for i in range(200):
            r = tel.control("route remove 198.51.%d.0/24" % i, quiet=True)
            if r["ok"] != 1:
                fail("remove %d failed: %s" % (i, r))
        check(tel.query("/adn/element,route")["routes"] == 2,
              "400 changes under traffic leave the table as it was")
        one = count("one")
        wait_for(lambda: count("one") > one, "traffic still flows")

        # Plans swapped in while traffic flows; a route added before
        # survives every swap (the table is state).
        r = tel.control("route add 198.51.100.0/24 2")
        check(r["ok"] == 1, "a route added before the swaps")
        v0 = tel.query("/adn/versions")["live"]
        for plan in ["group4", "route=fastpath256", "fused8",
                     "batch,route.table=dir24_8", "scalar", "batch"]:
            r = tel.query("/adn/plan/set," + plan)
            check(r["ok"] == 1 and r["plan"] == plan and
                  r["errors"] == [], "/adn/plan/set,%s is live" % plan)
            r = tel.control("route lookup " + TARGET, quiet=True)
            check(r["reply"] == TARGET + " -> 2",
                  "the added route is there under " + plan)
        v = tel.query("/adn/versions")
        check(v["live"] == v0 + 6 and v["unbalanced"] == 0,
              "six versions published, none unbalanced")
        check(tel.query("/adn/plan")["plan"] == "batch",
              "/adn/plan shows the live plan")
        two = count("two")
        wait_for(lambda: count("two") > two,
                 "packets keep following the added route")
        r = tel.query("/adn/plan/set,jit8,none=fastpath64")
        check(r["ok"] == 0 and r["plan"] == "batch" and
              any("needs an element that is PURE_ON_FLOW" in e
                  for e in r["errors"]),
              "a plan the elements refuse changes nothing, errors listed")

        # Reloads: a config with an error changes nothing; a good one
        # replaces Discard 'two' by a Counter and keeps the route table.
        bad = os.path.join(d, "bad.cfg")
        with open(cfg) as f:
            text = f.read()
        with open(bad, "w") as f:
            f.write(text.replace('type = "Discard"; },\n  { name = "two"',
                                 'type = "Discard"; frob = 1; },\n'
                                 '  { name = "two"'))
        r = tel.query("/adn/reload," + bad)
        check(r["ok"] == 0 and any(":8: element 'one': key 'frob'" in e
                                   for e in r["errors"]),
              "a reload with an error is refused with its line")
        good = os.path.join(d, "good.cfg")
        with open(good, "w") as f:
            f.write(text.replace('{ name = "two"; type = "Discard"; }',
                                 '{ name = "two"; type = "Counter"; },\n'
                                 '  { name = "drop2"; type = "Discard"; }')
                    .replace('"route[2] -> two" );',
                             '"route[2] -> two -> drop2" );'))
        r = tel.query("/adn/reload," + good)
        check(r["ok"] == 1 and r["errors"] == [], "the good reload is live")
        r = tel.control("route lookup " + TARGET, quiet=True)
        check(r["reply"] == TARGET + " -> 2",
              "the route table survived the reload")
        wait_for(lambda: tel.query("/adn/element,two",
                                   quiet=True).get("packets", 0) > 100,
                 "the new Counter counts the prefix's packets")
        check(proc.poll() is None, "adn-nf survived every command")
    finally:
        tel.close()
        stop(proc)


if __name__ == "__main__":
    main()
