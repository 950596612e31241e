#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Morph in adn-nf, as an operator meets it.

adn-nf runs GenSource's skewed traffic through LpmRoute -> FlowCounter ->
TcpChecksum from the default plan with a `morph` group in its config:
/adn/morph must show a search, a swap to another plan and the traffic
Morph saw; /adn/morph/try swaps a plan that runs worse (batch size 1),
which the guard must take back; /adn/element shows the profiler's cycles
per packet; and after SIGTERM every packet is accounted for. A config
with a bad `morph` key is refused with its line.
"""
import os
import subprocess

from adn_it import (ADN_NF, SOURCE, Telemetry, check, eal_args, run, stop,
                    wait_for, workdir)

ROUTES = os.path.join(SOURCE, "configs", "nfmorph-routes.txt")

CFG = """eal = ["-l", "0-1"];
workers = 1;
elements = (
  { name = "gen"; type = "GenSource"; workload = "skewed"; seq = 262144;
    routes = "%s"; },
  { name = "route"; type = "LpmRoute"; routes = "%s"; },
  { name = "count"; type = "FlowCounter"; size = 262144; },
  { name = "csum"; type = "TcpChecksum"; },
  { name = "sink"; type = "Recycle"; },
  { name = "noroute"; type = "Discard"; }
);
links = ( "gen -> route", "route[0] -> noroute", "route[1] -> count",
          "route[2] -> count", "route[3] -> count", "route[4] -> count",
          "count -> csum -> sink" );
%s
"""


def test_bad_config(d):
    cfg = os.path.join(d, "bad.cfg")
    with open(cfg, "w") as f:
        f.write(CFG % (ROUTES, ROUTES, "morph = { sample = 0;\n"
                       "  objective = \"speed\"; };"))
    p = run([ADN_NF, "-c", cfg, "--"] + eal_args("morphbad"), check=False)
    check(p.returncode == 1, "a bad morph group: exit status 1")
    check("%s:15: key 'sample': morph.sample = 0 out of range" % cfg
          in p.stdout, "morph.sample named with its line")
    check("%s:16: key 'objective': morph.objective must be" % cfg
          in p.stdout, "morph.objective named with its line")


def main():
    d = workdir("morph")
    test_bad_config(d)
    cfg = os.path.join(d, "m.cfg")
    with open(cfg, "w") as f:
        f.write(CFG % (ROUTES, ROUTES,
                       "morph = { period = 3.0; population = 6;\n"
                       "  generations = 3; window = 16384; confirm = 0.5;\n"
                       "  seed = 5; };"))
    eal = eal_args("morph") + ["-m", "1024"]
    eal.remove("512")
    eal.remove("-m")
    prefix = eal[eal.index("--file-prefix") + 1]
    proc = subprocess.Popen([ADN_NF, "-c", cfg, "--duration", "120",
                             "--stats-interval", "0", "--"] + eal,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        wait_for(lambda: os.path.exists(sock) or proc.poll() is not None,
                 "the telemetry socket exists")
        tel = Telemetry(sock)
        wait_for(lambda: (tel.query("/adn/morph", quiet=True) or
                          {}).get("swaps", 0) >= 1 and
                 tel.query("/adn/morph", quiet=True)["state"] == "idle",
                 "Morph swapped a plan in", timeout=60)
        st = tel.query("/adn/morph")
        check(st["searches"] >= 1 and st["evaluated"] >= 6,
              "/adn/morph: a search evaluated plans")
        # From the first search: its winner ("start"), or, when that
        # does not beat the live plan by min_gain, the winner compiled
        # ("compiled": under ASan only the compiled chain runs at speed);
        # on a loaded machine the start search's measurements may show no
        # gain, and a periodic search ("period") makes the first swap.
        check(st["history_from"][0] == "batch" and
              st["history_reason"][0] in ("start", "compiled", "period") and
              st["history_predicted"][0].endswith("%"),
              "/adn/morph: the first swap left the default plan")
        # Every search answered, in order: the start search first, and
        # one answer at least swapped (the swap above).
        check(st["decisions_reason"][0] == "start" and
              "swapped" in st["decisions_swapped"] and
              len(st["decisions_at_s"]) == len(st["decisions_reason"]) and
              [float(x) for x in st["decisions_at_s"]] ==
              sorted(float(x) for x in st["decisions_at_s"]),
              "/adn/morph: the decisions, oldest first")
        check(int(st["samples"]) > 0 and float(st["distinct_flows"]) > 0,
              "/adn/morph: samples and a distinct-flow count")
        el = tel.query("/adn/element,count")
        check(el.get("cycles_per_pkt", 0) > 0,
              "/adn/element: the profiler's cycles per packet")
        rollbacks = st["rollbacks"]
        wait_for(lambda: "trying" in str(tel.query(
            "/adn/morph/try,batch,batch=1", quiet=True)),
            "Morph takes a plan to try", timeout=30)
        # Wait for the rollback of the try itself: a search that was
        # running when `rollbacks` was read may have had its own swap
        # taken back since (and the try waited for it to end).
        def try_rolled_back():
            s = tel.query("/adn/morph", quiet=True)
            return (s["state"] == "idle" and
                    s["history_reason"][-1] == "guard" and
                    s["history_from"][-1] == "batch,batch=1")
        wait_for(try_rolled_back, "the guard took batch=1 back", timeout=30)
        st = tel.query("/adn/morph")
        check(st["rollbacks"] > rollbacks and
              st["history_to"][-2] == "batch,batch=1" and
              st["history_confirmed"][-2].startswith("-"),
              "/adn/morph history: the guard's rollback")
        check(tel.query("/adn/plan")["plan"] != "batch,batch=1",
              "the live plan is the one before the try")
        tel.close()
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
