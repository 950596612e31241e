# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for adn-nf integration tests: run the binaries, read pcaps, and
an independent model of IPv4 validity so tests do not trust the code they
check."""
import atexit
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("ADN_BUILD_ROOT", os.getcwd())
SOURCE = os.environ.get("ADN_SOURCE_ROOT",
                        os.path.dirname(os.path.dirname(os.path.dirname(
                            os.path.abspath(__file__)))))
ADN_NF = os.path.join(BUILD, "apps", "adn-nf")
TRACEGEN = os.path.join(BUILD, "tools", "adn-tracegen")


def remove_at_exit(path):
    """Remove directory `path` when the test ends (ADN_IT_KEEP=1 keeps it
    for a look): suite runs leave nothing behind."""
    if not os.environ.get("ADN_IT_KEEP"):
        atexit.register(shutil.rmtree, path, True)


def remove_runtime_dir_at_exit(prefix):
    """DPDK's runtime directory of `prefix` (its memseg arrays, megabytes
    that no one removes), at the end of the test."""
    base = ("/var/run/dpdk" if os.geteuid() == 0 else
            os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk"))
    remove_at_exit(os.path.join(base, prefix))


def eal_args(tag):
    prefix = "adn-it-%s-%d" % (tag, os.getpid())
    remove_runtime_dir_at_exit(prefix)
    return ["--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix]


def workdir(tag):
    d = tempfile.mkdtemp(prefix="adn-it-%s-" % tag)
    remove_at_exit(d)
    return d


def run(cmd, env=None, timeout=180, check=True):
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, text=True)
    print(p.stdout, flush=True)
    if check and p.returncode != 0:
        fail("%s exited %d" % (cmd[0], p.returncode))
    return p


def write_pcap(path, frames, linktype=1):
    """A little-endian classic pcap of `frames` (bytes), full captures."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                            linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)) + fr)


def read_pcap(path):
    """List of frames (bytes) of a little- or big-endian classic pcap."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        fail("%s: not a pcap (%d bytes)" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = ">"
    else:
        fail("%s: bad pcap magic %#x" % (path, magic))
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def ipv4_verdict(frame):
    """(None, class) for a valid IPv4 frame, (reason, None) otherwise;
    reasons and their order as documented for CheckIPv4."""
    if len(frame) < 14:
        return "truncated", None
    l2, etype = 14, struct.unpack("!H", frame[12:14])[0]
    if etype == 0x8100:
        if len(frame) < 18:
            return "truncated", None
        l2, etype = 18, struct.unpack("!H", frame[16:18])[0]
    if etype != 0x0800:
        return "not-ipv4", None
    if len(frame) < l2 + 20:
        return "truncated", None
    ip = frame[l2:]
    if ip[0] >> 4 != 4:
        return "bad-version", None
    ihl = (ip[0] & 15) * 4
    if ihl < 20:
        return "bad-ihl", None
    total = struct.unpack("!H", ip[2:4])[0]
    if total < ihl:
        return "bad-length", None
    if len(frame) < l2 + total or len(frame) < l2 + ihl:
        return "truncated", None
    if csum(ip[:ihl]) != 0xffff:
        return "bad-checksum", None
    if ip[8] == 0:
        return "ttl-zero", None
    return None, {6: "tcp", 17: "udp"}.get(ip[9], "other")


class Telemetry:
    """DPDK telemetry v2: connect, read the greeting, one JSON per query."""

    def __init__(self, path, timeout=None):
        """timeout: seconds a query may take before socket.timeout."""
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(timeout)
        self.s.connect(path)
        json.loads(self.s.recv(16384).decode())

    def query(self, cmd, quiet=False):
        self.s.send(cmd.encode())
        answer = json.loads(self.s.recv(65536).decode())
        if not quiet:
            print(cmd, "->", answer, flush=True)
        return answer[cmd.split(",")[0]]

    def control(self, params, quiet=False):
        return self.query("/adn/control," + params, quiet)

    def close(self):
        self.s.close()


def write_replay_config(path, trace, elements, links):
    """A config replaying `trace` forever (net_pcap infinite_rx) on port
    "p" into FromPort "rx", then `elements` (config text, from line 6)
    and `links` (the list's text)."""
    with open(path, "w") as f:
        f.write("""eal = ["-l", "0-1"];
ports = ( { name = "p"; device = "net_pcap0";
            args = "rx_pcap=%s,infinite_rx=1"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
%s
);
links = ( %s );
""" % (trace, elements, links))


def file_prefix(tag):
    """The --file-prefix eal_args(tag) gives (adn-ctl -f takes it)."""
    eal = eal_args(tag)
    return eal[eal.index("--file-prefix") + 1]


def start_nf(cfg, tag, duration, eal_extra=()):
    """adn-nf on `cfg` for at most `duration` seconds, and a Telemetry
    client once every /adn command is registered (/adn/control is the
    last). Returns (process, client); stop(process) ends it."""
    eal = eal_args(tag) + list(eal_extra)
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % file_prefix(tag)
    proc = subprocess.Popen([ADN_NF, "-c", cfg, "--duration", str(duration),
                             "--stats-interval", "0", "--"] + eal,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        wait_for(lambda: os.path.exists(sock) or proc.poll() is not None,
                 "the telemetry socket exists")
        check(proc.poll() is None, "adn-nf is running")
        tel = Telemetry(sock)
        wait_for(lambda: tel.query("/adn/control", quiet=True) is not None,
                 "the /adn commands are registered")
    except BaseException:
        proc.kill()
        print(proc.communicate()[0], flush=True)
        raise
    return proc, tel


def wait_for(cond, what, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.05)
    fail("timed out waiting until " + what)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok:", msg, flush=True)


def fail(msg):
    print("FAIL:", msg, flush=True)
    sys.exit(1)


def stop(proc):
    """SIGTERM a running adn-nf; it must exit 0 with every packet
    accounted for. Returns its output."""
    proc.terminate()
    out, _ = proc.communicate(timeout=60)
    print(out)
    check(proc.returncode == 0, "SIGTERM stops adn-nf cleanly (exit 0)")
    check("unaccounted 0" in out, "final stats: nothing unaccounted")
    return out
