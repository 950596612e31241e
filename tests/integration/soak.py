#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Soak: adn-nf under reconfiguration and faults for a while.

  soak.py [SECONDS]        (default 30; tools/soak.sh takes minutes)

adn-nf runs 2 workers, each replaying a trace with malformed packets, ARP,
IPv6 and runts forever (a pcap rx queue each, infinite_rx) through
CheckIPv4 -> LpmRoute -> FlowCounter to a memif port, whose peer (a second
adn-nf) echoes everything back. Meanwhile a controller
speaking DPDK telemetry
  - swaps plans every 100 ms (/adn/plan/set, templates of every kind but
    jit, which would compile on each new chain shape),
  - reloads the config every 10 s, every other time one with an error
    that must be refused (/adn/reload),
  - adds and removes a route every second (/adn/control),
  - kills the memif peer (SIGKILL) every 7 s and restarts it.
Every second it checks: adn-nf alive, no retired version unbalanced
(each one's received = transmitted + dropped + in flight, exactly), the
mbufs in use of adn-nf's pool and its RSS. It fails on a crash, an
unbalanced version, a refused good command, growth of mbufs in use or
RSS between the first and the last third of the run, and, after SIGTERM,
on any unaccounted packet.
"""
import os
import signal
import subprocess
import sys
import time

from adn_it import (ADN_NF, TRACEGEN, Telemetry, check, eal_args, fail,
                    read_pcap, run, wait_for, workdir, write_pcap)

PLANS = ["batch", "group4", "prefetch", "route=fastpath256", "fused8",
         "scalar", "batch=64,group8", "fused4,route=fastpath64",
         "batch=16,fused2", "chk+route=fused8"]
# Growth allowed between the first and last third: mbufs parked in lcore
# caches and descriptor rings move around; a leak grows without bound.
MBUF_SLACK = 2048
RSS_SLACK_KB = 16 * 1024

CFG = """eal = ["--lcores", "(0-2)@(0-1)", "--log-level", "pmd.net.memif:error",
       "--log-level", "pmd.net.pcap:error"];
workers = 2;
burst = 32;
ports = (
  { name = "wire"; device = "net_pcap0"; rxq = 2;
    args = "rx_pcap=%(trace)s,rx_pcap=%(trace)s,tx_pcap=/dev/null,tx_pcap=/dev/null,infinite_rx=1"; },
  { name = "peer"; device = "net_memif0";
    args = "role=server,id=0,socket=%(sock)s,socket-abstract=no"; }
);
elements = (
  { name = "rx";    type = "FromPort";    port = "wire"; },
  { name = "chk";   type = "CheckIPv4";   non_ipv4 = true; },
  { name = "route"; type = "LpmRoute";    routes = "routes.txt"; },
  { name = "flow";  type = "FlowCounter"; size = 4096; },
  { name = "tx";    type = "ToPort";      port = "peer"; },
  { name = "none";  type = "Discard"; },
  { name = "back";  type = "FromPort";    port = "peer"; },
  { name = "count"; type = "Counter"; },
  { name = "drop";  type = "Discard"; }
);
links = ( "rx -> chk -> route", "chk[1] -> tx", "route[0] -> none",
          "route[1] -> flow -> tx", "route[2] -> tx",
          "back -> count -> drop" );
"""

PEER = """eal = ["--lcores", "(0-1)@(0-1)", "--log-level", "pmd.net.memif:error"];
ports = ( { name = "m"; device = "net_memif0";
            args = "role=client,id=0,socket=%(sock)s,socket-abstract=no"; } );
elements = ( { name = "rx"; type = "FromPort"; port = "m"; },
             { name = "tx"; type = "ToPort"; port = "m"; } );
links = ( "rx -> tx" );
"""


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Peer:
    """The memif client: a second adn-nf echoing what it gets."""

    def __init__(self, cfg):
        self.cfg, self.n, self.proc = cfg, 0, None

    def start(self):
        self.n += 1
        log = open(self.cfg + ".%d.log" % self.n, "w")
        self.proc = subprocess.Popen(
            [ADN_NF, "-c", self.cfg, "--stats-interval", "0", "--"] +
            eal_args("soak-peer%d" % self.n), stdout=log,
            stderr=subprocess.STDOUT)
        log.close()

    def kill(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    d = workdir("soak")
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", "4000", "-f", "500", "-b", "0.05",
         "-s", "64-1514"])
    frames = read_pcap(trace)
    mac = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
    extra = [mac + b"\x08\x06" + bytes(28), mac + b"\x86\xdd" + bytes(60),
             bytes(10)]
    write_pcap(trace, [f for i, f in enumerate(frames)
                       for f in ([f] + ([extra[i % 3]] if i % 50 == 0
                                        else []))])
    with open(os.path.join(d, "routes.txt"), "w") as f:
        f.write("0.0.0.0/0 1\n10.0.0.0/8 2\n")
    sock = os.path.join(d, "memif.sock")
    cfg = os.path.join(d, "soak.cfg")
    with open(cfg, "w") as f:
        f.write(CFG % {"trace": trace, "sock": sock})
    bad = os.path.join(d, "bad.cfg")
    with open(bad, "w") as f:
        f.write((CFG % {"trace": trace, "sock": sock}).replace(
            "size = 4096;", "size = 4000;"))
    peer_cfg = os.path.join(d, "peer.cfg")
    with open(peer_cfg, "w") as f:
        f.write(PEER % {"sock": sock})

    eal = eal_args("soak")
    prefix = eal[eal.index("--file-prefix") + 1]
    # A file, not a pipe: adn-nf logs every swap, and a pipe nobody reads
    # until the end would fill and block its control thread.
    nf_log = os.path.join(d, "adn-nf.log")
    with open(nf_log, "w") as log:
        nf = subprocess.Popen([ADN_NF, "-c", cfg, "--stats-interval", "0",
                               "--"] + eal, stdout=log,
                              stderr=subprocess.STDOUT)
    peer = Peer(peer_cfg)
    tel = None
    samples = []
    try:
        sock_tel = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        wait_for(lambda: os.path.exists(sock_tel) or nf.poll() is not None,
                 "the telemetry socket exists", 120)
        check(nf.poll() is None, "adn-nf is running")
        # A control plane that stops answering fails the soak.
        tel = Telemetry(sock_tel, timeout=60)
        wait_for(lambda: tel.query("/adn/control", quiet=True) is not None,
                 "the /adn commands are registered", 120)
        peer.start()
        start = time.time()
        next_plan = next_reload = next_route = next_peer = next_check = start
        n_plans = n_reloads = n_routes = n_kills = 0
        route_on = False
        while time.time() - start < seconds:
            now = time.time()
            if nf.poll() is not None:
                fail("adn-nf exited (%d) during the soak" % nf.returncode)
            if now >= next_plan:
                plan = PLANS[n_plans % len(PLANS)]
                r = tel.query("/adn/plan/set," + plan, quiet=True)
                if r["ok"] != 1:
                    fail("plan %s refused: %s" % (plan, r))
                n_plans += 1
                next_plan += 0.1
            if now >= next_reload:
                path = bad if n_reloads % 2 else cfg
                r = tel.query("/adn/reload," + path, quiet=True)
                if r["ok"] != (0 if n_reloads % 2 else 1):
                    fail("reload of %s: %s" % (path, r))
                n_reloads += 1
                next_reload += 10
            if now >= next_route:
                cmd = ("route remove 198.51.100.0/24" if route_on else
                       "route add 198.51.100.0/24 2")
                r = tel.control(cmd, quiet=True)
                if r["ok"] != 1:
                    fail("%s: %s" % (cmd, r))
                route_on = not route_on
                n_routes += 1
                next_route += 1
            if now >= next_peer + 7:
                peer.kill()
                peer.start()
                n_kills += 1
                next_peer = now
            if now >= next_check:
                v = tel.query("/adn/versions", quiet=True)
                if v["unbalanced"] != 0:
                    fail("a retired version is unbalanced: %s" % v)
                samples.append((now - start, tel.query(
                    "/adn/stats", quiet=True)["mbufs_in_use"],
                    rss_kb(nf.pid)))
                next_check += 1
            time.sleep(0.01)
        st = tel.query("/adn/stats", quiet=True)
        print("soak: %.0f s, %d plan swaps, %d reloads, %d route changes, "
              "%d peer kills; received %d transmitted %d dropped %d"
              % (seconds, n_plans, n_reloads, n_routes, n_kills,
                 st["received"], st["transmitted"], st["dropped"]),
              flush=True)
        check(st["received"] > 0 and tel.query(
            "/adn/element,count", quiet=True)["in"] > 0,
            "traffic crossed the memif link and came back")
    finally:
        if tel is not None:
            tel.close()
        peer.kill()
        if nf.poll() is None:
            nf.terminate()
        nf.wait(timeout=120)
        with open(nf_log) as log:
            out = log.read()
        print(out[-4000:])
    for s in samples:
        print("t=%5.1f s  mbufs in use %6d  rss %7d kB" % s)
    third = max(1, len(samples) // 3)
    first, last = samples[:third], samples[-third:]
    check(max(s[1] for s in last) <= max(s[1] for s in first) + MBUF_SLACK,
          "mbufs in use flat (first third max %d, last third max %d)" %
          (max(s[1] for s in first), max(s[1] for s in last)))
    check(max(s[2] for s in last) <= max(s[2] for s in first) +
          RSS_SLACK_KB, "RSS flat (first third max %d kB, last %d kB)" %
          (max(s[2] for s in first), max(s[2] for s in last)))
    check(nf.returncode == 0, "SIGTERM stops adn-nf cleanly (exit 0)")
    check("unaccounted 0" in out, "final stats: nothing unaccounted")


if __name__ == "__main__":
    main()
