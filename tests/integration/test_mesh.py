#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""configs/mesh.cfg (ADN §2's chain: RpcParse, Prioritize, RpcAcl, RpcLb,
Compress, PrioSched) on an adn-tracegen --rpc trace mixing ADN RPC over
UDP and HTTP: every packet is accounted for; every packet sent to a
backend has valid checksums; every ADN RPC payload that reaches a backend
inflates (zlib, RFC 1950) back to the bytes the client sent, the
COMPRESSED flag and the header's payload length say so; latency-sensitive
requests (class field 0) leave with DSCP 46 and the others with 0; the
counters agree with what the pcap shows."""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from adn_it import (ADN_NF, SOURCE, TRACEGEN, check, eal_args, load_json,
                    read_pcap, run, workdir)
from test_rpc_gateway import valid


def adn_rpc(f):
    """(client key, flags, class field, payload) of an ADN RPC frame over
    UDP port 9000, or None."""
    ip = f[14:]
    if len(ip) < 28 or ip[9] != 17:
        return None
    udp = ip[20:]
    if 9000 not in struct.unpack("!HH", udp[:4]):
        return None
    m = udp[8:struct.unpack("!H", udp[4:6])[0]]
    if m[:2] != b"\xad\x52":
        return None
    flags, n_fields = m[4], m[5]
    hdr_len, = struct.unpack("!H", m[6:8])
    req_id, = struct.unpack("!I", m[8:12])
    pl_len, = struct.unpack("!I", m[16:20])
    if hdr_len + pl_len != len(m):
        check(False, "ADN payload length field: %d + %d != %d" %
              (hdr_len, pl_len, len(m)))
    cls, off = None, 20
    for _ in range(n_fields):
        fid, ftype, flen = struct.unpack("!BBH", m[off:off + 4])
        if fid == 3:
            cls, = struct.unpack("!Q", m[off + 4:off + 12])
        off += 4 + flen
    key = (ip[12:16], udp[0:2], req_id)
    return key, flags, cls, m[hdr_len:]


def main():
    d = workdir("mesh")
    trace, manifest = os.path.join(d, "in.pcap"), os.path.join(d, "in.json")
    run([TRACEGEN, "-o", trace, "--rpc", "600", "--rpc-carrier", "mix",
         "--rpc-objects", "1000", "--rpc-users", "20", "--rpc-bulk", "4000",
         "-r", "3", "-j", manifest])
    frames = read_pcap(trace)
    check(len(frames) == load_json(manifest)["packets"],
          "trace and manifest agree")
    env = dict(os.environ, ADN_IN=trace,
               ADN_OUT=os.path.join(d, "out.pcap"),
               ADN_BE=os.path.join(d, "be.pcap"))
    stats = os.path.join(d, "stats.json")
    run([ADN_NF, "-c", os.path.join(SOURCE, "configs", "mesh.cfg"),
         "--idle-exit", "1", "--stats-interval", "0", "--stats-json", stats,
         "--"] + eal_args("mesh"), env=env)
    out = read_pcap(env["ADN_OUT"])
    be = read_pcap(env["ADN_BE"])
    el = load_json(stats)["elements"]
    drops = sum(sum(e.get("drops", {}).values()) for e in el.values())
    check(len(frames) == len(out) + len(be) + drops,
          "accounting: %d in = %d wire + %d backends + %d dropped" %
          (len(frames), len(out), len(be), drops))

    sent = {}
    for f in frames:
        r = adn_rpc(f)
        if r:
            sent.setdefault(r[0], []).append(r[3])
    got, n_comp, n_ls, wrong = {}, 0, 0, []
    check(all(valid(f) for f in be), "checksums of the %d packets to "
          "backends" % len(be))
    for f in be:
        r = adn_rpc(f)
        dscp = f[15] >> 2
        if r is None:
            continue
        key, flags, cls, pl = r
        if flags & 1:
            pl = zlib.decompress(pl)
            n_comp += 1
        got.setdefault(key, []).append(pl)
        if dscp != (46 if cls == 0 else 0) or \
                bool(flags & 2) != (cls == 0):
            wrong.append((key, cls, dscp, flags))
        n_ls += cls == 0
    check(not wrong, "class 0 requests leave with DSCP 46 and URGENT, the "
          "others with 0 (wrong: %s)" % wrong[:3])
    bad = [k for k, pls in got.items() if pls != sent[k]]
    check(not bad and len(got) > 200,
          "%d ADN requests at the backends, payloads byte for byte "
          "(differ: %s)" % (len(got), bad[:3]))
    check(n_comp > 100, "%d ADN payloads compressed" % n_comp)
    check(el["z"]["drops"] == {} and el["sched"]["drops"] == {},
          "Compress and PrioSched dropped nothing")
    z, sched = el["z"]["xstats"], el["sched"]["xstats"]
    check(z["done"] >= n_comp and z["payload-bytes-out"] <
          z["payload-bytes-in"], "Compress counted its work")
    check(sched["c0-released"] >= n_ls > 50 and sched["held"] == 0,
          "PrioSched released %d class-0 packets (%d ADN ones seen), "
          "holds none" % (sched["c0-released"], n_ls))
    print("PASS")


if __name__ == "__main__":
    main()
