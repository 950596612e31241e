#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The stateful NF configs on traces adn-tracegen makes, checked against
models written here from the element docs.

  nat       configs/nat.cfg on a trace with replies to the public address
            and ICMP echo: the output is exactly what a port-preserving
            endpoint-independent NAT makes of the input (every byte but
            the checksums, which must verify), no-session drops as the
            model's.
  lb        configs/lb.cfg on flows to the VIP: every flow on one backend,
            destination and port rewritten, shares of new flows by weight,
            ICMP to the VIP dropped unsupported.
  firewall  configs/firewall.cfg: the ACL's first-match verdicts, then the
            NAT model, end to end.
  workers2  Nat44 and MaglevLb with two workers on a two-queue port (the
            shared tables written by both): each inside endpoint has one
            public port and no two share one, each flow one backend,
            replies translated or counted, accounting across workers.
  reload    Nat44 -> MaglevLb under a trace replayed forever: a config
            reload (a new element added) and a plan swap keep both tables
            (no session or flow created again, none lost, no state reset),
            and traffic keeps flowing through the new versions.
"""
import collections
import ipaddress
import os
import struct
import sys

from adn_it import (ADN_NF, SOURCE, TRACEGEN, check, csum, eal_args, fail,
                    load_json, read_pcap, run, start_nf, stop, wait_for,
                    workdir)

PUB = int(ipaddress.IPv4Address("100.64.0.1"))


def ip4(s):
    return int(ipaddress.IPv4Address(s))


def generate(d, args):
    trace = os.path.join(d, "trace.pcap")
    manifest = os.path.join(d, "manifest.json")
    run([TRACEGEN, "-o", trace, "-j", manifest] + args)
    return read_pcap(trace), load_json(manifest)


def run_cfg(d, name, trace_frames_path, tag):
    out = os.path.join(d, "out.pcap")
    stats = os.path.join(d, "stats.json")
    env = dict(os.environ, ADN_IN=trace_frames_path, ADN_OUT=out)
    run([ADN_NF, "-c", os.path.join(SOURCE, "configs", name + ".cfg"),
         "--idle-exit", "5", "--duration", "120", "--stats-interval", "0",
         "--stats-json", stats, "--"] + eal_args(tag), env=env)
    return read_pcap(out), load_json(stats)


def fields(f):
    """proto, src, dst, sport, dport (ICMP: the identifier both), type."""
    ip = f[14:34]
    proto = ip[9]
    src, dst = struct.unpack("!II", ip[12:20])
    l4 = f[34:]
    if proto == 1:
        ident = struct.unpack("!H", l4[4:6])[0]
        return proto, src, dst, ident, ident, l4[0]
    sport, dport = struct.unpack("!HH", l4[0:4])
    return proto, src, dst, sport, dport, None


def rewrite(f, src=None, dst=None, sport=None, dport=None):
    """f with fields replaced and every checksum computed from scratch."""
    b = bytearray(f)
    ip, l4 = 14, 34
    proto = b[ip + 9]
    if src is not None:
        b[ip + 12:ip + 16] = struct.pack("!I", src)
    if dst is not None:
        b[ip + 16:ip + 20] = struct.pack("!I", dst)
    if proto == 1:
        if sport is not None:
            b[l4 + 4:l4 + 6] = struct.pack("!H", sport)
    else:
        if sport is not None:
            b[l4:l4 + 2] = struct.pack("!H", sport)
        if dport is not None:
            b[l4 + 2:l4 + 4] = struct.pack("!H", dport)
    return bytes(b)


def masked(f):
    """The frame with the IPv4 and L4 checksum fields zeroed."""
    b = bytearray(f)
    b[24:26] = b"\0\0"
    proto = b[23]
    off = {6: 34 + 16, 17: 34 + 6, 1: 34 + 2}.get(proto)
    if off is not None:
        b[off:off + 2] = b"\0\0"
    return bytes(b)


def csums_ok(f):
    if csum(f[14:34]) != 0xffff:
        return False
    proto, l4 = f[23], f[34:]
    if proto == 1:
        return csum(l4) == 0xffff
    if proto == 17 and l4[6:8] == b"\0\0":
        return True
    pseudo = f[26:34] + struct.pack("!BBH", 0, proto, len(l4))
    return csum(pseudo + l4) == 0xffff


class NatModel:
    """Nat44 as docs/elements.md says: one public address, ports 1024-65535,
    the inside port kept when free, else the next free port in order."""

    def __init__(self, statics):
        self.lo, self.hi = 1024, 65535
        self.taken = set()
        self.cursor = 0
        self.out = {}       # (proto, inside ip, port) -> public port
        self.back = {}      # (proto, public ip, port) -> (ip, port)
        for proto, pip, pport, iip, iport in statics:
            self.back[(proto, pip, pport)] = (iip, iport)
            self.out[(proto, iip, iport)] = (pip, pport)
            if self.lo <= pport <= self.hi and pip == PUB:
                self.taken.add(pport)

    def alloc(self, want):
        if self.lo <= want <= self.hi and want not in self.taken:
            self.taken.add(want)
            return want
        size = self.hi - self.lo + 1
        for i in range(size):
            p = self.lo + (self.cursor + i) % size
            if p not in self.taken:
                self.taken.add(p)
                self.cursor = (p - self.lo + 1) % size
                return p
        return None

    def process(self, f):
        """(output frame, None) or (None, drop reason)."""
        proto, src, dst, sport, dport, icmp_type = fields(f)
        public = dst == PUB or any(k[1] == dst for k in self.back)
        if public:
            m = self.back.get((proto, dst, dport))
            if m is None:
                return None, "no-session"
            if proto == 1:
                return rewrite(f, dst=m[0], sport=m[1]), None
            return rewrite(f, dst=m[0], dport=m[1]), None
        m = self.out.get((proto, src, sport))
        if m is None:
            if proto == 1 and icmp_type != 8:
                return None, "no-session"
            port = self.alloc(sport)
            if port is None:
                return None, "pool-exhausted"
            m = (PUB, port)
            self.out[(proto, src, sport)] = m
            self.back[(proto, PUB, port)] = (src, sport)
        return rewrite(f, src=m[0], sport=m[1]), None


def compare(out, want, what):
    check(len(out) == len(want), "%s: %d frames out, model %d" %
          (what, len(out), len(want)))
    bad = [f for f in out if not csums_ok(f)]
    check(not bad, "%s: every checksum verifies (%d bad)" % (what, len(bad)))
    check(sorted(map(masked, out)) == sorted(map(masked, want)),
          "%s: output = the model's translation of the input" % what)


NAT_STATICS = [(6, PUB, 80, ip4("10.0.0.80"), 8080)]


def test_nat():
    d = workdir("nat")
    trace = os.path.join(d, "trace.pcap")
    frames, man = generate(d, ["-n", "30000", "-f", "3000", "-a", "0.9",
                               "-R", "0.3", "-T", "100.64.0.1", "-r", "3"])
    check(man["replies"] > 5000, "the trace has replies: %d" %
          man["replies"])
    model, want, drops = NatModel(NAT_STATICS), [], collections.Counter()
    for f in frames:
        o, why = model.process(f)
        if o is None:
            drops[why] += 1
        else:
            want.append(o)
    out, st = run_cfg(d, "nat", trace, "nat")
    check(st["received"] == len(frames), "received the whole trace")
    nat = st["elements"]["nat"]
    compare(out, want, "nat")
    check(nat["drops"] == dict(drops),
          "drops by reason as the model's: %s" % dict(drops))
    check(nat["xstats"]["sessions-created"] == len(model.out) -
          len(NAT_STATICS), "one session per inside endpoint")
    check(st["received"] == st["transmitted"] + st["dropped"],
          "accounting identity holds")


def test_lb():
    d = workdir("lb")
    trace = os.path.join(d, "trace.pcap")
    frames, man = generate(d, ["-n", "30000", "-f", "6000", "-a", "0.8",
                               "-d", "10.1.0.1:80", "-r", "4"])
    out, st = run_cfg(d, "lb", trace, "lb")
    check(st["received"] == len(frames), "received the whole trace")
    lb = st["elements"]["lb"]
    vip = ip4("10.1.0.1")
    sent = [f for f in frames if f[23] in (6, 17)]
    check(lb["drops"] == {"unsupported": len(frames) - len(sent)},
          "ICMP to the VIP dropped unsupported")
    check(len(out) == len(sent), "every TCP/UDP packet to a backend")
    tcp_be = {ip4("10.2.0.%d" % i): w for i, w in
              ((1, 1), (2, 1), (3, 2), (4, 2))}
    chosen, bad = {}, 0
    for f in out:
        proto, src, dst, sport, dport, _ = fields(f)
        key = (proto, src, sport)
        if chosen.setdefault(key, dst) != dst:
            bad += 1
        if proto == 6 and (dst not in tcp_be or dport != 8080):
            bad += 1
        if proto == 17 and (dst not in (ip4("10.2.0.1"), ip4("10.2.0.2"))
                            or dport != 80):
            bad += 1
        if not csums_ok(f):
            bad += 1
    check(bad == 0, "each flow on one backend, rewritten, checksums valid")
    per = collections.Counter(dst for (proto, _, _), dst in chosen.items()
                              if proto == 6)
    total = sum(per.values())
    for be, w in tcp_be.items():
        share = per[be] / total
        check(abs(share - w / 6) < 0.25 * w / 6,
              "backend %s: %.3f of the flows for weight %d/6" %
              (ipaddress.IPv4Address(be), share, w))
    check(lb["xstats"]["flows"] == len(chosen), "one tracked flow per flow")


ACL = [("deny", 6, None, None, 23), ("deny", 6, None, None, 445),
       ("permit", None, "10.0.0.0/8", None, None),
       ("permit", None, None, "100.64.0.1/32", None)]


def acl_verdict(f):
    proto, src, dst, sport, dport, _ = fields(f)
    port = dport if proto in (6, 17) else 0
    for i, (act, p, s, dnet, dp) in enumerate(ACL):
        if p is not None and p != proto:
            continue
        if s is not None and ipaddress.IPv4Address(src) not in \
                ipaddress.IPv4Network(s):
            continue
        if dnet is not None and ipaddress.IPv4Address(dst) not in \
                ipaddress.IPv4Network(dnet):
            continue
        if dp is not None and dp != port:
            continue
        return i, act
    return len(ACL), "deny"


def test_firewall():
    d = workdir("firewall")
    trace = os.path.join(d, "trace.pcap")
    frames, _ = generate(d, ["-n", "30000", "-f", "3000", "-a", "0.9",
                             "-R", "0.3", "-T", "100.64.0.1", "-r", "5"])
    hits, denied, passed = collections.Counter(), 0, []
    for f in frames:
        i, act = acl_verdict(f)
        hits[i] += 1
        if act == "deny":
            denied += 1
        else:
            passed.append(f)
    model = NatModel([(6, PUB, 80, ip4("10.1.0.1"), 80)])
    want, drops = [], collections.Counter()
    for f in passed:
        o, why = model.process(f)
        if o is None:
            drops[why] += 1
        else:
            want.append(o)
    out, st = run_cfg(d, "firewall", trace, "firewall")
    check(st["received"] == len(frames), "received the whole trace")
    el = st["elements"]
    acl_x = el["acl"]["xstats"]
    check(el["acl"]["drops"].get("denied", 0) == denied,
          "ACL denied %d as the first-match model" % denied)
    check([acl_x["rule%d" % i] for i in range(len(ACL))] + [acl_x["default"]]
          == [hits[i] for i in range(len(ACL) + 1)], "per-rule hits exact")
    check(el["nat"]["drops"] == dict(drops), "NAT drops as the model's")
    compare(out, want, "firewall")


WORKERS2_CFG = """
eal = ["--lcores", "0@0,1@1,2@1"];
workers = 2;
ports = ( { name = "p"; device = "net_pcap0"; rxq = 2;
            args = "rx_pcap=${ADN_IN},rx_pcap=${ADN_IN2},tx_pcap=${ADN_OUT},tx_pcap=${ADN_OUT2}"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
  { name = "nat"; type = "Nat44"; ip_base = "100.64.0.1"; },
  { name = "lb"; type = "MaglevLb"; max_flows = 65536;
    vips = ( { vip = "tcp 198.51.100.1:80";
               backends = ( "10.2.0.1", "10.2.0.2", "10.2.0.3" ); } ); },
  { name = "tx"; type = "ToPort"; port = "p"; }
);
links = ( "rx -> nat -> lb -> tx", "nat[1] -> lb", "lb[1] -> tx",
          "lb[2] -> tx" );
"""


def test_workers2():
    d = workdir("w2")
    cfg = os.path.join(d, "w2.cfg")
    with open(cfg, "w") as f:
        f.write(WORKERS2_CFG)
    traces, frames = [], []
    for i, seed in enumerate((31, 32)):
        sub = os.path.join(d, str(i))
        os.mkdir(sub)
        # flows to the VIP, half with replies to the NAT's address
        fr, _ = generate(sub, ["-n", "20000", "-f", "2000", "-a", "0.9",
                               "-m", "1,0,0", "-d", "198.51.100.1:80",
                               "-R", "0.2", "-T", "100.64.0.1",
                               "-r", str(seed)])
        traces.append(os.path.join(sub, "trace.pcap"))
        frames.append(fr)
    outs = [os.path.join(d, "out0.pcap"), os.path.join(d, "out1.pcap")]
    stats = os.path.join(d, "stats.json")
    env = dict(os.environ, ADN_IN=traces[0], ADN_IN2=traces[1],
               ADN_OUT=outs[0], ADN_OUT2=outs[1])
    run([ADN_NF, "-c", cfg, "--idle-exit", "5", "--duration", "120",
         "--stats-interval", "0", "--stats-json", stats, "--"] +
        eal_args("w2"), env=env)
    st = load_json(stats)
    check(st["received"] == 40000, "both queues drained")
    check(st["received"] == st["transmitted"] + st["dropped"],
          "accounting identity across workers")
    public_of, inside_of, backend_of, bad = {}, {}, {}, 0
    replies_in = replies_out = 0
    for q in range(2):
        out = read_pcap(outs[q])
        fwd_in = [f for f in frames[q] if fields(f)[2] != PUB]
        replies_in += len(frames[q]) - len(fwd_in)
        # nat[0] -> lb[0]: outbound packets leave in their input order
        fwd_out = [f for f in out if fields(f)[1] == PUB]
        replies_out += len(out) - len(fwd_out)
        if len(fwd_out) != len(fwd_in):
            fail("queue %d: %d outbound in, %d out" %
                 (q, len(fwd_in), len(fwd_out)))
        for a, b in zip(fwd_in, fwd_out):
            _, src, _, sport, _, _ = fields(a)
            _, _, dst, psport, _, _ = fields(b)
            if public_of.setdefault((src, sport), psport) != psport:
                bad += 1	# an endpoint with two public ports
            if inside_of.setdefault(psport, (src, sport)) != (src, sport):
                bad += 1	# a public port shared by two endpoints
            if backend_of.setdefault(psport, dst) != dst:
                bad += 1	# a flow on two backends
            if not csums_ok(b):
                bad += 1
    check(bad == 0, "one public port per endpoint and back, one backend "
          "per flow, checksums valid (%d endpoints)" % len(public_of))
    nat = st["elements"]["nat"]
    check(nat["xstats"]["sessions-created"] == len(public_of),
          "one session per inside endpoint, across workers")
    check(replies_out + nat["drops"].get("no-session", 0) == replies_in,
          "every reply translated or counted no-session")
    check(st["elements"]["lb"]["xstats"]["flows"] == len(backend_of),
          "one tracked LB flow per NATed flow")


RELOAD_CFG = """eal = ["-l", "0-1"];
ports = ( { name = "wire"; device = "net_pcap0";
            args = "rx_pcap=%(trace)s,infinite_rx=1"; },
          { name = "out"; device = "net_null0"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "wire"; },
  { name = "nat"; type = "Nat44"; ip_base = "100.64.0.1"; n_ips = 1;
    port_lo = 1024; port_hi = 65535; max_sessions = 262144; },
  { name = "lb"; type = "MaglevLb"; mode = "dnat"; max_flows = 262144;
    vips = ( { vip = "tcp 198.51.100.1:80";
               backends = ( "10.2.0.1:8080", "10.2.0.2:8080" ); } ); },
  %(extra)s
  { name = "tx"; type = "ToPort"; port = "out"; }
);
links = ( "rx -> nat -> lb", "nat[1] -> tx", %(links)s );
"""


def test_reload():
    d = workdir("reload")
    trace = os.path.join(d, "trace.pcap")
    packets = 200000
    run([TRACEGEN, "-o", trace, "-n", str(packets), "-f", "5000",
         "-m", "1,0,0", "-d", "198.51.100.1:80", "-R", "0.2",
         "-T", "100.64.0.1", "-s", "64"])
    cfg, cfg2 = os.path.join(d, "a.cfg"), os.path.join(d, "b.cfg")
    with open(cfg, "w") as f:
        f.write(RELOAD_CFG % {"trace": trace, "extra": "",
                              "links": '"lb -> tx", "lb[1] -> tx", '
                                       '"lb[2] -> tx"'})
    with open(cfg2, "w") as f:	# a counter added behind the balancer
        f.write(RELOAD_CFG % {"trace": trace,
                              "extra": '{ name = "cnt"; type = "Counter"; },',
                              "links": '"lb -> cnt -> tx", "lb[1] -> tx", '
                                       '"lb[2] -> tx"'})
    # net_pcap keeps the whole trace in mbufs (infinite_rx): a long trace
    # makes a loop long enough that a lost table could not be rebuilt
    # between the reload's reply and the next query.
    proc, tel = start_nf(cfg, "reload", 120, eal_extra=("-m", "1024"))
    try:
        def received():
            return tel.query("/adn/stats", quiet=True)["received"]

        def tables():
            nat = tel.query("/adn/element,nat", quiet=True)
            lb = tel.query("/adn/element,lb", quiet=True)
            # (telemetry keys: '-' written as '_')
            return (nat["sessions_created"], nat["sessions_active"],
                    lb["flows_created"], lb["flows"])

        # Two loops of the trace: every flow has its session and its
        # backend, and a loop creates nothing new.
        wait_for(lambda: received() >= 2 * packets, "two loops", 90)
        before = tables()
        check(before[0] > 0 and before[2] > 0,
              "sessions and flows tracked: %s" % (before,))
        r = tel.query("/adn/reload," + cfg2)
        check(r["ok"] == 1, "reload with a new element accepted")
        check(tables() == before,
              "right after the reload: the same sessions and flows")
        r = tel.query("/adn/plan/set,group4")
        check(r["ok"] == 1, "plan swap accepted")
        mark = received()
        wait_for(lambda: received() >= mark + 2 * packets,
                 "two more loops through the new versions", 90)
        check(tables() == before,
              "two loops later: no session or flow created again or lost")
        v = tel.query("/adn/versions", quiet=True)
        check(v["state_resets"] == 0 and v["swaps"] == 2,
              "two swaps, no state reset")
        cnt = tel.query("/adn/element,cnt", quiet=True)
        check(cnt["in"] > packets, "traffic flows through the new element")
        tel.close()
    finally:
        if proc.poll() is None:
            stop(proc)


if __name__ == "__main__":
    {"nat": test_nat, "lb": test_lb, "firewall": test_firewall,
     "workers2": test_workers2, "reload": test_reload}[sys.argv[1]]()
