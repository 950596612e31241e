#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packet capture over telemetry while adn-nf forwards traffic.

A pcap of TCP, UDP and ICMP frames is replayed forever (net_pcap
infinite_rx) into a Classifier (tcp, udp, other). Over /adn/capture the
test captures output 0 (500 packets), output 1 while plans are swapped
and until stopped, every output under a byte bound, and output 2 until
adn-nf is stopped by SIGTERM. Each file is read by `tcpdump -r` and by a
pcapng reader of this test: the exact packet count, only frames of that
output, each equal to a frame of the input trace. Bad requests (an
existing file, a relative path, an unknown element or output, bad
numbers) are refused with clear errors.
"""
import os
import shutil
import struct
import subprocess
import sys

from adn_it import (check, csum, fail, start_nf, stop, wait_for, workdir,
                    write_pcap, write_replay_config)

PROTOS = {6: "tcp", 17: "udp", 1: "icmp"}


def frame(proto, i):
    """Ethernet/IPv4 with a TCP, UDP or ICMP header, 60-1000 bytes."""
    payload = bytes((i + k) & 0xff for k in range(18 + (i * 37) % 940))
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", 1000 + i, 80, i, 0, 0x50, 0x10,
                         65535, 0, 0)
    elif proto == 17:
        l4 = struct.pack("!HHHH", 2000 + i, 53, 8 + len(payload), 0)
    else:
        l4 = struct.pack("!BBHHH", 8, 0, 0, i, 1)
    body = l4 + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), i, 0, 64,
                      proto, 0, bytes([192, 168, 0, 1]),
                      bytes([10, 0, i >> 8 & 255, i & 255]))
    hdr = hdr[:10] + struct.pack("!H", 0xffff - csum(hdr)) + hdr[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + hdr + body


def read_pcapng(path):
    """(if_names, [(caplen, origlen, data)], isb present) of a pcapng file
    in host byte order, checking every block's framing."""
    with open(path, "rb") as f:
        data = f.read()
    off, names, pkts, isb = 0, [], [], False
    while off < len(data):
        btype, blen = struct.unpack_from("=II", data, off)
        if blen < 12 or blen % 4 or off + blen > len(data) or \
                struct.unpack_from("=I", data, off + blen - 4)[0] != blen:
            fail("%s: bad block at %d" % (path, off))
        if off == 0 and (btype != 0x0A0D0D0A or
                         struct.unpack_from("=I", data, 8)[0] != 0x1A2B3C4D):
            fail("%s: no section header" % path)
        if btype == 1:
            o = off + 16
            while o < off + blen - 4:
                code, olen = struct.unpack_from("=HH", data, o)
                if code == 0:
                    break
                if code == 2:
                    names.append(data[o + 4:o + 4 + olen].decode())
                o += 4 + (olen + 3) // 4 * 4
        elif btype == 6:
            caplen, origlen = struct.unpack_from("=II", data, off + 20)
            pkts.append((caplen, origlen, data[off + 28:off + 28 + caplen]))
        elif btype == 5:
            isb = True
        off += blen
    return names, pkts, isb


def tcpdump(path, expr=None):
    """Packets tcpdump -r reads (matching `expr`); it must read the file
    to its end without complaint."""
    cmd = ["tcpdump", "-nn", "-r", path] + ([expr] if expr else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    if p.returncode != 0:
        fail("%s: %s" % (" ".join(cmd), p.stderr.strip()))
    return len(p.stdout.splitlines())


def check_file(path, names, want, frames_by_proto, count=None, snaplen=None):
    """The file at `path` is read by tcpdump and holds only frames of the
    protocols `want` (all of them with `count`), each a frame of the
    trace."""
    got_names, pkts, isb = read_pcapng(path)
    check(got_names == names, "%s names its interface %s" %
          (os.path.basename(path), names))
    check(isb, "%s ends with its statistics block" % os.path.basename(path))
    n = tcpdump(path)
    check(n == len(pkts), "tcpdump -r reads all %d packets" % n)
    if count is not None:
        check(n == count, "exactly %d packets" % count)
    other = " and ".join("not " + PROTOS[p] for p in want)
    check(tcpdump(path, other) == 0, "tcpdump: none but %s" %
          "/".join(PROTOS[p] for p in want))
    allowed = set()
    for p in want:
        allowed |= frames_by_proto[p]
    for caplen, origlen, data in pkts:
        if snaplen is None:
            if caplen != origlen or data not in allowed:
                fail("a captured frame is not one of the trace's %s" % want)
        elif caplen != min(snaplen, origlen) or \
                not any(f.startswith(data) and len(f) == origlen
                        for f in allowed):
            fail("a cut frame is not the start of one of the trace's")
    print("ok: every frame is one the trace sent there", flush=True)
    return n


def main():
    if shutil.which("tcpdump") is None:
        print("SKIP: tcpdump is not installed (tools/setup.sh installs it)")
        sys.exit(77)
    d = workdir("cap")
    os.chmod(d, 0o755)
    frames = [frame([6, 17, 1][i % 3], i) for i in range(90)]
    by_proto = {p: {f for f in frames if f[23] == p} for p in PROTOS}
    trace = os.path.join(d, "t.pcap")
    write_pcap(trace, frames)
    cfg = os.path.join(d, "cap.cfg")
    write_replay_config(cfg, trace, """  { name = "cls"; type = "Classifier";
    rules = ( { proto = "tcp"; }, { proto = "udp"; }, { } ); },
  { name = "dt"; type = "Discard"; },
  { name = "du"; type = "Discard"; },
  { name = "dx"; type = "Discard"; }""",
                        '"rx -> cls", "cls[0] -> dt", "cls[1] -> du", '
                        '"cls[2] -> dx"')
    proc, tel = start_nf(cfg, "cap", 240)
    stopped = False
    try:
        def status():
            return tel.query("/adn/capture", quiet=True)

        s = status()
        check(s["ok"] == 1 and s["active"] == 0 and s["target"] == "",
              "no capture at first")

        # 500 packets of output 0 (TCP).
        tcp = os.path.join(d, "tcp.pcapng")
        r = tel.query("/adn/capture,cls:0 %s 500" % tcp)
        check(r["ok"] == 1 and r["errors"] == [] and r["target"] == "cls:0"
              and r["file"] == tcp and r["count"] == 500 and
              r["snaplen"] == 262144 and r["max_bytes"] == 64 << 20,
              "a capture of cls:0 starts")
        wait_for(lambda: status()["active"] == 0, "the capture finishes")
        s = tel.query("/adn/capture")
        check(s["reason"] == "count" and s["captured"] == 500 and
              s["written"] == 500 and s["bytes"] == os.path.getsize(tcp),
              "it ended on its count, the file as large as it says")
        check(os.stat(tcp).st_mode & 0o777 == 0o600, "the file is 0600")
        check_file(tcp, ["cls:0"], [6], by_proto, count=500)

        # Refusals.
        def refused(params, want, what):
            r = tel.query("/adn/capture," + params)
            check(r["ok"] == 0 and r["rc"] < 0 and
                  any(want in e for e in r["errors"]), what)

        refused("cls:0 %s 10" % tcp, "exists: captures never overwrite",
                "an existing file is refused")
        refused("cls:0 rel.pcapng", "give an absolute path",
                "a relative path is refused")
        check(not os.path.exists(os.path.join(os.getcwd(), "rel.pcapng")),
              "and nothing is created")
        refused("nosuch %s/n.pcapng" % d, "no element 'nosuch'",
                "an unknown element is refused")
        refused("cls:7 %s/n.pcapng" % d, "has outputs 0-2, not 7",
                "an output out of range is refused")
        refused("cls:0 %s/n.pcapng abc" % d, "COUNT 'abc'",
                "a bad count is refused")
        refused("cls:0 %s/n.pcapng 5 0" % d, "SNAPLEN '0'",
                "a zero snaplen is refused")
        refused("cls:0", "usage: /adn/capture,TARGET FILE",
                "a missing file gets the usage")
        check(not os.path.exists(os.path.join(d, "n.pcapng")),
              "refused requests leave no file")
        r = tel.query("/adn/capture/stop")
        check(r["ok"] == 0 and r["errors"] == ["no capture is running"],
              "stop with no capture running says so")

        # Output 1 (UDP) across plan swaps, until stopped: 64 bytes a
        # packet and 256 MiB, so no bound ends it first (at 20 Mpps in
        # the release build 64 MiB of whole frames last half a second).
        udp = os.path.join(d, "udp.pcapng")
        r = tel.query("/adn/capture,cls:1 %s 100000000 64 268435456" % udp)
        check(r["ok"] == 1 and r["active"] == 1, "an unbounded capture runs")
        refused("cls:2 %s/n.pcapng" % d, "a capture is already running",
                "a second capture is refused")
        for plan in ["scalar", "fused8", "group4", "batch"]:
            n = status()["written"]
            r = tel.query("/adn/plan/set," + plan)
            check(r["ok"] == 1, "plan %s is live" % plan)
            wait_for(lambda: status()["written"] > n + 50,
                     "the capture goes on under " + plan)
        r = tel.query("/adn/capture/stop")
        check(r["ok"] == 1 and r["active"] == 0 and
              r["reason"] == "stopped" and r["written"] == r["captured"],
              "stopped: every copied packet is in the file")
        check_file(udp, ["cls:1"], [17], by_proto, count=r["written"],
                   snaplen=64)

        # Every output, 64 bytes of each, at most 8192 bytes of file.
        every = os.path.join(d, "every.pcapng")
        r = tel.query("/adn/capture,cls %s 1000000 64 8192" % every)
        check(r["ok"] == 1, "a capture of every output starts")
        wait_for(lambda: status()["active"] == 0, "it finishes")
        s = tel.query("/adn/capture")
        check(s["reason"] == "bytes" and os.path.getsize(every) <= 8192 and
              os.path.getsize(every) == s["bytes"],
              "it ended at its byte bound")
        check_file(every, ["cls"], [6, 17, 1], by_proto, snaplen=64)

        # A capture running when adn-nf is stopped.
        last = os.path.join(d, "last.pcapng")
        r = tel.query("/adn/capture,cls:2 %s 100000000" % last)
        check(r["ok"] == 1, "a last capture runs")
        wait_for(lambda: status()["written"] > 10, "it writes")
        check(proc.poll() is None, "adn-nf survived every request")
        tel.close()
        tel = None
        stop(proc)
        stopped = True
        check_file(last, ["cls:2"], [1], by_proto)
    finally:
        if tel is not None:
            tel.close()
        if not stopped:
            stop(proc)


if __name__ == "__main__":
    main()
