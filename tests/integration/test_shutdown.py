#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""adn-nf stopped while telemetry clients hammer it.

Four clients send /adn/plan, /adn/stats, /adn/element, /adn/ports,
/adn/versions and /adn/capture as fast as they are answered while traffic
flows, a fifth swaps plans; then SIGTERM. adn-nf must exit 0 with every
packet accounted for, promptly, and (in the ASan build, where this test
runs too) without a read of anything freed: the commands hold the runtime
until adn_runtime_free has let go of it.
"""
import os
import socket
import threading
import time

from adn_it import (TRACEGEN, Telemetry, check, file_prefix, run, start_nf,
                    wait_for, workdir)

CONFIG = """eal = ["-l", "0-1"];
ports = ( { name = "p0"; device = "net_pcap0";
            args = "rx_pcap=%s,infinite_rx=1"; },
          { name = "p1"; device = "net_null0"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p0"; },
  { name = "chk"; type = "CheckIPv4"; },
  { name = "cnt"; type = "Counter"; },
  { name = "tx"; type = "ToPort"; port = "p1"; }
);
links = ( "rx -> chk -> cnt -> tx" );
"""

QUERIES = ["/adn/plan", "/adn/stats", "/adn/element,chk", "/adn/ports",
           "/adn/versions", "/adn/capture", "/adn/pipeline"]


def hammer(sock, stop, counts, i, swap=False):
    """Query until the server goes away; count the answers."""
    # The server's listen backlog is short: clients connecting at once
    # may be told to try again (EAGAIN).
    for attempt in range(100):
        try:
            t = Telemetry(sock, timeout=10)
            break
        except BlockingIOError:
            time.sleep(0.05)
        except (OSError, ValueError) as e:
            print("client %d: cannot connect: %s" % (i, e), flush=True)
            return
    else:
        print("client %d: the server kept saying try again" % i, flush=True)
        return
    k = 0
    while not stop.is_set():
        q = ("/adn/plan/set," + ("group4" if k % 2 else "batch")) if swap \
            else QUERIES[k % len(QUERIES)]
        k += 1
        try:
            t.query(q, quiet=True)
            counts[i] += 1
        except (OSError, ValueError, socket.timeout) as e:
            if not stop.is_set():
                print("client %d: %s after %d answers: %s" %
                      (i, q, counts[i], e), flush=True)
            break
    t.close()


def once(d, cfg, round_no):
    tag = "shut%d" % round_no
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % file_prefix(tag)
    proc, t = start_nf(cfg, tag, 120)
    t.close()
    stop, counts = threading.Event(), [0] * 5
    threads = [threading.Thread(target=hammer,
                                args=(sock, stop, counts, i, i == 4))
               for i in range(5)]
    for th in threads:
        th.start()
    # Stop once every client is under way (swaps are slow under ASan).
    wait_for(lambda: min(counts) >= 2, "every client answered", 60)
    time.sleep(0.5)
    t0 = time.time()
    proc.terminate()
    out, _ = proc.communicate(timeout=60)
    took = time.time() - t0
    stop.set()
    for th in threads:
        th.join(timeout=30)
    print(out[-3000:])
    print("round %d: %s answers, stopped in %.2f s" % (round_no, counts, took))
    check(proc.returncode == 0, "round %d: exit 0 under hammering" % round_no)
    check("unaccounted 0" in out, "round %d: every packet accounted for"
          % round_no)
    check("AddressSanitizer" not in out and "runtime error" not in out,
          "round %d: no sanitizer report" % round_no)
    check(sum(counts[:4]) > 50,
          "round %d: the clients were answered while it ran" % round_no)
    check(took < 30, "round %d: stops promptly (%.1f s)" % (round_no, took))


def main():
    d = workdir("shutdown")
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", "2000", "-s", "64-256"])
    cfg = os.path.join(d, "s.cfg")
    with open(cfg, "w") as f:
        f.write(CONFIG % trace)
    for r in range(3):
        once(d, cfg, r)
    print("PASS")


if __name__ == "__main__":
    main()
