#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcap in -> adn-nf -> pcap out.

  default   configs/default.cfg on a generated trace with malformed packets,
            ARP and IPv6 frames and runts: exact counts per class, each
            malformed packet dropped with its reason, the output trace equal
            to the valid input packets and the non-IPv4 frames.
  reflect   CheckIPv4 -> DecTTL -> EtherSwap: TTL decremented with a valid
            checksum, MACs swapped, nothing else changed.
"""
import collections
import os
import sys

from adn_it import (ADN_NF, SOURCE, TRACEGEN, check, csum, eal_args, fail,
                    ipv4_verdict, load_json, read_pcap, run, workdir,
                    write_pcap)


def generate(d, packets, malformed, seed):
    trace = os.path.join(d, "trace.pcap")
    manifest = os.path.join(d, "manifest.json")
    run([TRACEGEN, "-o", trace, "-n", str(packets), "-f", "3000",
         "-a", "0.9", "-b", str(malformed), "-r", str(seed),
         "-s", "64-1514", "-j", manifest])
    return trace, load_json(manifest)


def run_nf(d, cfg, trace, tag):
    out = os.path.join(d, "out.pcap")
    stats = os.path.join(d, "stats.json")
    env = dict(os.environ, ADN_IN=trace, ADN_OUT=out)
    run([ADN_NF, "-c", cfg, "--idle-exit", "1", "--duration", "120",
         "--stats-interval", "0", "--stats-json", stats, "--"] +
        eal_args(tag), env=env)
    return read_pcap(out), load_json(stats)


# Frames the generator does not make: ARP, IPv6 (both pass CheckIPv4's
# non_ipv4 output in the default config) and runts too short for an
# Ethernet header (dropped as truncated).
MAC = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"
NON_IPV4 = [MAC + b"\x08\x06" + bytes(28), MAC + b"\x86\xdd" + bytes(60)]
RUNTS = [bytes(10), MAC[:13]]


def test_default():
    d = workdir("default")
    trace, manifest = generate(d, 20000, 0.05, 7)
    frames = read_pcap(trace)
    check(len(frames) == 20000, "trace has 20000 packets")

    # Independent expectation from the generated trace itself.
    classes, reasons = collections.Counter(), collections.Counter()
    for f in frames:
        reason, cls = ipv4_verdict(f)
        if reason:
            reasons[reason] += 1
        else:
            classes[cls] += 1
    check(dict(classes) == {k: v for k, v in manifest["valid"].items() if v},
          "generator manifest agrees with the trace: %s" % dict(classes))
    check(dict(reasons) == {k: v for k, v in manifest["malformed"].items() if v},
          "malformed kinds agree with the manifest: %s" % dict(reasons))
    check(len(reasons) == 4, "all four malformations present")

    # Every 500th frame followed by a non-IPv4 frame or a runt.
    mixed = []
    for i, f in enumerate(frames):
        mixed.append(f)
        if i % 500 == 0:
            extra = (NON_IPV4 + RUNTS)[(i // 500) % 4]
            mixed.append(extra)
            if extra in NON_IPV4:
                classes["non-ipv4"] += 1
            else:
                reasons["truncated"] += 1
    write_pcap(trace, mixed)
    valid = [f for f in mixed if ipv4_verdict(f)[0] in (None, "not-ipv4")]

    out, st = run_nf(d, os.path.join(SOURCE, "configs", "default.cfg"), trace,
                     "default")
    el = st["elements"]
    check(st["received"] == len(mixed), "received every packet")
    check(st["transmitted"] == len(valid), "transmitted the %d valid ones" %
          len(valid))
    check(st["received"] == st["transmitted"] + st["dropped"] +
          st["in_flight"], "accounting identity holds")
    check(st["in_flight"] == 0, "nothing in flight after stop")
    check(el["check"]["drops"] == dict(reasons),
          "CheckIPv4 dropped each malformed packet and runt with its reason")
    check(el["check"]["out"][1] == classes["non-ipv4"],
          "CheckIPv4 passed the %d non-IPv4 frames on output 1" %
          classes["non-ipv4"])
    check(el["cls"]["out"] == [classes["tcp"], classes["udp"],
                               classes["other"]], "classifier split exact")
    for name in ("tcp", "udp", "other"):
        check(el[name]["xstats"]["packets"] == classes[name],
              "Counter %s = %d" % (name, classes[name]))
    check(st["ports"]["wire"]["tx"] == len(valid), "port tx count")
    # Branches rejoin at the ToPort, so a batch leaves class by class:
    # the same packets, byte for byte, in input order within each class.
    check(sorted(out) == sorted(valid),
          "output trace = the valid input packets and the non-IPv4 frames")
    for cls in ((None, "tcp"), (None, "udp"), (None, "other"),
                ("not-ipv4", None)):
        check([f for f in out if ipv4_verdict(f) == cls] ==
              [f for f in valid if ipv4_verdict(f) == cls],
              "%s packets leave in input order" % (cls[0] or cls[1]))


def test_reflect():
    d = workdir("reflect")
    cfg = os.path.join(d, "reflect.cfg")
    with open(cfg, "w") as f:
        f.write("""
eal = ["-l", "0-1"];
ports = ( { name = "p"; device = "net_pcap0";
            args = "rx_pcap=${ADN_IN},tx_pcap=${ADN_OUT}"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
  { name = "chk"; type = "CheckIPv4"; },
  { name = "ttl"; type = "DecTTL"; },
  { name = "mirror"; type = "EtherSwap"; },
  { name = "tx"; type = "ToPort"; port = "p"; }
);
links = ( "rx -> chk -> ttl -> mirror -> tx" );
""")
    trace, _ = generate(d, 3000, 0.0, 11)
    frames = read_pcap(trace)
    out, st = run_nf(d, cfg, trace, "reflect")
    check(len(out) == len(frames), "every packet reflected")
    for i, (a, b) in enumerate(zip(frames, out)):
        if b[0:6] != a[6:12] or b[6:12] != a[0:6]:
            fail("packet %d: MACs not swapped" % i)
        if b[14 + 8] != a[14 + 8] - 1:
            fail("packet %d: TTL %d -> %d" % (i, a[22], b[22]))
        if csum(b[14:34]) != 0xffff:
            fail("packet %d: IPv4 checksum wrong after DecTTL" % i)
        if b[12:22] != a[12:22] or b[23:24] != a[23:24] or b[34:] != a[34:]:
            fail("packet %d: bytes other than MACs/TTL/checksum changed" % i)
    check(True, "MACs swapped, TTL-1, checksums valid, nothing else changed")
    check(st["received"] == st["transmitted"] == 3000, "3000 in, 3000 out")


def test_multiworker():
    """Two workers, two rx queues: worker q polls rx queue q and sends on
    its own tx queue q, so each output holds exactly the valid packets of
    its own input."""
    d = workdir("mw")
    cfg = os.path.join(d, "mw.cfg")
    with open(cfg, "w") as f:
        f.write("""
eal = ["--lcores", "0@0,1@1,2@1"];
workers = 2;
ports = ( { name = "p"; device = "net_pcap0"; rxq = 2;
            args = "rx_pcap=${ADN_IN},rx_pcap=${ADN_IN2},tx_pcap=${ADN_OUT},tx_pcap=${ADN_OUT2}"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
  { name = "chk"; type = "CheckIPv4"; },
  { name = "n"; type = "Counter"; },
  { name = "tx"; type = "ToPort"; port = "p"; }
);
links = ( "rx -> chk -> n -> tx" );
""")
    traces = []
    for i, seed in enumerate((21, 22)):
        sub = os.path.join(d, str(i))
        os.mkdir(sub)
        traces.append(generate(sub, 4000 + 1000 * i, 0.05, seed)[0])
    outs = [os.path.join(d, "out0.pcap"), os.path.join(d, "out1.pcap")]
    stats = os.path.join(d, "stats.json")
    env = dict(os.environ, ADN_IN=traces[0], ADN_IN2=traces[1],
               ADN_OUT=outs[0], ADN_OUT2=outs[1])
    run([ADN_NF, "-c", cfg, "--idle-exit", "1", "--duration", "120",
         "--stats-interval", "0", "--stats-json", stats, "--"] +
        eal_args("mw"), env=env)
    st = load_json(stats)
    check(st["received"] == 9000, "both queues drained: 9000 received")
    for i in range(2):
        valid = [f for f in read_pcap(traces[i]) if ipv4_verdict(f)[0] is None]
        check(read_pcap(outs[i]) == valid,
              "queue %d: its valid packets, in order, on tx queue %d" % (i, i))
    check(st["received"] == st["transmitted"] + st["dropped"],
          "accounting identity across workers")
    check(st["elements"]["n"]["xstats"]["packets"] == st["transmitted"],
          "per-worker Counter slots add up")


TESTS = {"default": test_default, "reflect": test_reflect,
         "multiworker": test_multiworker}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in TESTS:
        fail("usage: %s {%s}" % (sys.argv[0], ",".join(TESTS)))
    TESTS[sys.argv[1]]()
