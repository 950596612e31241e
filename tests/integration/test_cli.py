#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""adn-nf as an operator meets it.

  config-errors  a config with several mistakes: exit 1, every error named
                 with file:line, element and key, nothing started.
  telemetry      /adn/stats, /adn/pipeline, /adn/element and /adn/plan
                 answer through DPDK's own dpdk-telemetry.py while adn-nf
                 runs a jit plan from its config.
  usage          --help, --version, --list-elements, bad options.
  port-errors    ports that cannot start say why: no such device, too
                 many queues, no driver, an unreadable, non-Ethernet or
                 FIFO trace, a record too large for infinite_rx, a pool too
                 small for an EAL-made (--vdev) pcap device's trace, a
                 --file-prefix another instance holds.
  pcap-cut       a trace cut inside its last record: a warning, and the
                 records before it are all read.
"""
import json
import os
import shutil
import subprocess
import sys
import time

from adn_it import (ADN_NF, TRACEGEN, check, eal_args, fail, load_json,
                    read_pcap, run, workdir, write_pcap)


def test_config_errors():
    d = workdir("cfgerr")
    cfg = os.path.join(d, "bad.cfg")
    with open(cfg, "w") as f:
        f.write("""workers = 1;
ports = ( { name = "p"; device = "net_null0"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
  { name = "chk"; type = "CheckIPv4"; verify = true; },
  { name = "cls"; type = "Classifier"; rules = ( { proto = "tcpp"; } ); },
  { name = "tx"; type = "ToPort"; port = "nope"; }
);
links = ( "rx -> chk -> cls -> tx",
          "rx[1] -> tx" );
plan = { template = "group3"; };
""")
    p = run([ADN_NF, "-c", cfg, "--"] + eal_args("cfgerr"), check=False)
    check(p.returncode == 1, "exit status 1 on config errors")
    want = [
        "%s:5: element 'chk': key 'verify': unknown key" % cfg,
        "%s:6: element 'cls': key 'proto': unknown value 'tcpp' (tcp, udp, icmp, or a number 0-255)" % cfg,
        "%s:7: element 'tx': key 'port': no port named 'nope'" % cfg,
        "%s:10: element 'rx': key 'links': output port 1 out of range" % cfg,
        "%s:11: key 'template': 'group3': parameter out of range" % cfg,
        "5 errors, not started",
    ]
    for w in want:
        check(w in p.stdout, "reports: " + w)


def test_port_errors():
    d = workdir("porterr")
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", "10"])
    raw = os.path.join(d, "raw.pcap")
    write_pcap(raw, [f[14:] for f in read_pcap(trace)], linktype=101)
    bad = os.path.join(d, "bad.pcap")
    with open(bad, "wb") as f:
        f.write(b"not a pcap at all, 32 bytes long")
    # infinite_rx keeps every record in one mbuf of 2048 data bytes.
    big = os.path.join(d, "big.pcap")
    fifo = os.path.join(d, "fifo.pcap")
    os.mkfifo(fifo)
    first = read_pcap(trace)[0]
    write_pcap(big, [first + bytes(3000 - len(first))])
    cases = [
        ('device = "0000:99:00.0";', "no device named '0000:99:00.0'"),
        ('device = "net_pcap0"; rxq = 4; args = "rx_pcap=%s,tx_pcap=%s";'
         % (trace, os.path.join(d, "o.pcap")),
         "4 rx / 1 tx queues requested (tx = one per worker), the device supports at most 1 / 1"),
        ('device = "net_nosuchpmd0";', "cannot create device net_nosuchpmd0 with args \"\": this build has no driver for it"),
        ('device = "net_pcap0"; args = "rx_pcap=%s/none.pcap,tx_pcap=%s";'
         % (d, os.path.join(d, "o.pcap")),
         "rx_pcap %s/none.pcap: No such file or directory" % d),
        ('device = "net_pcap0"; args = "rx_pcap=%s,tx_pcap=%s";'
         % (raw, os.path.join(d, "o.pcap")),
         "link type 101 (raw IP) is not Ethernet"),
        ('device = "net_pcap0"; args = "rx_pcap=%s,tx_pcap=%s";'
         % (bad, os.path.join(d, "o.pcap")),
         "the driver says: open_single_rx_pcap(): Couldn't open %s" % bad),
        # Its open used to block for a writer, past SIGTERM.
        ('device = "net_pcap0"; args = "rx_pcap=%s";' % fifo,
         "rx_pcap %s: not a regular file (a FIFO)" % fifo),
        ('device = "net_pcap0"; args = "rx_pcap=%s,infinite_rx=1";' % big,
         "with infinite_rx=1 the pcap PMD needs every record in one mbuf: "
         "a record of 3000 bytes is larger than the 2048 bytes"),
    ]
    for i, (port, want) in enumerate(cases):
        cfg = os.path.join(d, "p%d.cfg" % i)
        with open(cfg, "w") as f:
            f.write("""eal = ["-l", "0-1"];
ports = ( { name = "p"; %s } );
elements = ( { name = "rx"; type = "FromPort"; port = "p"; },
             { name = "tx"; type = "ToPort"; port = "p"; } );
links = ( "rx -> tx" );
""" % port)
        p = run([ADN_NF, "-c", cfg, "--duration", "5", "--"] +
                eal_args("porterr%d" % i), check=False)
        check(p.returncode == 1 and ("%s:2: " % cfg) in p.stdout and
              want in p.stdout, "port error: " + want)

    # The device made by the EAL (--vdev), not by the config: its trace is
    # checked and counted the same. A pool too small for infinite_rx's
    # copy is refused up front; the PMD's own failed queue setup would
    # leave it to crash at exit (it frees its ring twice, DPDK 22.11).
    cfg = os.path.join(d, "vdev.cfg")
    with open(cfg, "w") as f:
        f.write("""eal = ["-l", "0-1"];
mbufs = 1024;
ports = ( { name = "p"; device = "net_pcap0"; args = "rx_pcap=x.pcap"; } );
elements = ( { name = "rx"; type = "FromPort"; port = "p"; },
             { name = "tx"; type = "ToPort"; port = "p"; } );
links = ( "rx -> tx" );
""")
    many = os.path.join(d, "many.pcap")
    run([TRACEGEN, "-o", many, "-n", "2000"])
    p = run([ADN_NF, "-c", cfg, "--duration", "5", "--"] +
            eal_args("porterr-vdev") +
            ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % many],
            check=False)
    check(p.returncode == 1 and
          "1024 mbufs are fewer than the ports need" in p.stdout and
          "2000 of them held by net_pcap's infinite_rx" in p.stdout,
          "--vdev pcap with infinite_rx: the pool is checked, exit 1")
    check("the config's args \"rx_pcap=x.pcap\" are not used" in p.stdout,
          "--vdev pcap: the config's other args are named as unused")

    # A driver plugin in a build that links DPDK statically: it would
    # load DPDK's shared libraries a second time and EAL would panic.
    if os.environ.get("ADN_DPDK_STATIC") == "1":
        p = run([ADN_NF, "-c", cfg, "--"] + eal_args("porterr-plugin") +
                ["-d", os.path.join(d, "librte_net_x.so")], check=False)
        check(p.returncode == 1 and
              "EAL -d %s: this build links DPDK statically and loads no "
              "driver plugins" % os.path.join(d, "librte_net_x.so")
              in p.stdout, "EAL -d in a static build: refused, exit 1")
        # The same in a cluster of short options, which getopt reads as
        # -v then -d.
        p = run([ADN_NF, "-c", cfg, "--"] + eal_args("porterr-plugin2") +
                ["-vd", "librte_net_x.so"], check=False)
        check(p.returncode == 1 and
              "EAL -vd librte_net_x.so: this build links DPDK statically"
              in p.stdout, "EAL -vd in a static build: refused, exit 1")
        # A value that reads like -d is another option's, not a plugin.
        p = run([ADN_NF, "-c", cfg, "--"] + eal_args("porterr-plugin3") +
                ["-n", "-d"], check=False)
        check(p.returncode == 1 and
              "invalid channel number" in p.stdout and
              "loads no driver plugins" not in p.stdout,
              "EAL -n -d: the value of -n, not refused as a plugin")

    # A second instance on a --file-prefix in use: EAL says only "Cannot
    # init config" and leaves rte_errno 0 ("Success").
    cfg = os.path.join(d, "live.cfg")
    with open(cfg, "w") as f:
        f.write("""eal = ["-l", "0-1"];
ports = ( { name = "p"; device = "net_null0"; } );
elements = ( { name = "rx"; type = "FromPort"; port = "p"; },
             { name = "tx"; type = "ToPort"; port = "p"; } );
links = ( "rx -> tx" );
""")
    eal = eal_args("porterr-prefix")
    prefix = eal[eal.index("--file-prefix") + 1]
    first = subprocess.Popen([ADN_NF, "-c", cfg, "--duration", "120",
                              "--"] + eal, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        for _ in range(600):
            if os.path.exists(sock) or first.poll() is not None:
                break
            time.sleep(0.1)
        check(os.path.exists(sock) and first.poll() is None,
              "first instance holds " + prefix)
        p = run([ADN_NF, "-c", cfg, "--"] + eal, check=False)
        check(p.returncode == 1 and
              ("process %d runs DPDK with this --file-prefix" % first.pid)
              in p.stdout and "Success" not in p.stdout,
              "second instance on a live --file-prefix: names the holder")
    finally:
        first.kill()
        first.wait()


def test_pcap_cut():
    d = workdir("pcapcut")
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", "20"])
    with open(trace, "rb") as f:
        data = f.read()
    with open(trace, "wb") as f:
        f.write(data[:-10])
    cfg = os.path.join(d, "cut.cfg")
    stats = os.path.join(d, "stats.json")
    with open(cfg, "w") as f:
        f.write("""eal = ["-l", "0-1"];
ports = ( { name = "p"; device = "net_pcap0";
            args = "rx_pcap=%s,tx_pcap=%s"; } );
elements = ( { name = "rx"; type = "FromPort"; port = "p"; },
             { name = "tx"; type = "ToPort"; port = "p"; } );
links = ( "rx -> tx" );
""" % (trace, os.path.join(d, "o.pcap")))
    p = run([ADN_NF, "-c", cfg, "--idle-exit", "1", "--duration", "60",
             "--stats-interval", "0", "--stats-json", stats, "--"] +
            eal_args("pcapcut"))
    check("record 20 is cut short" in p.stdout and
          "19 records are read" in p.stdout, "cut last record: warned")
    check(load_json(stats)["received"] == 19, "the 19 whole records read")


def test_telemetry():
    tel = shutil.which("dpdk-telemetry.py")
    if tel is None:
        fail("dpdk-telemetry.py not found (Debian package dpdk-dev; tools/setup.sh installs it)")
    d = workdir("tel")
    trace = os.path.join(d, "t.pcap")
    run([TRACEGEN, "-o", trace, "-n", "500", "-f", "50"])
    cfg = os.path.join(d, "tel.cfg")
    with open(cfg, "w") as f:
        f.write("""eal = ["-l", "0-1"];
ports = ( { name = "p"; device = "net_pcap0";
            args = "rx_pcap=%s,tx_pcap=%s"; } );
elements = (
  { name = "rx"; type = "FromPort"; port = "p"; },
  { name = "chk"; type = "CheckIPv4"; },
  { name = "drop"; type = "Discard"; }
);
links = ( "rx -> chk -> drop" );
plan = { template = "jit4"; batch = 16; };
""" % (trace, os.path.join(d, "o.pcap")))
    eal = eal_args("tel")
    prefix = eal[eal.index("--file-prefix") + 1]
    proc = subprocess.Popen([ADN_NF, "-c", cfg, "--duration", "60",
                             "--stats-interval", "0", "--"] + eal,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        for _ in range(300):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        check(os.path.exists(sock), "telemetry socket " + sock)
        def ask(cmd):
            q = subprocess.run([tel, "-f", prefix], input=cmd + "\n",
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=30)
            line = [l for l in q.stdout.splitlines() if cmd.split(",")[0] in l]
            if not line:
                fail("no answer to %s: %s" % (cmd, q.stdout))
            js = line[-1][line[-1].index("{"):]
            return json.loads(js)[cmd.split(",")[0]]

        # Commands answer once the pipeline is built (a jit plan compiles
        # first); the 500-packet trace is then replayed within a second,
        # after which the counters are still and must add up exactly.
        for _ in range(600):
            st = ask("/adn/stats")
            if st is not None and st["received"] == 500:
                break
            time.sleep(0.1)
        time.sleep(0.5)
        answers = {}
        for cmd in ("/adn/stats", "/adn/pipeline", "/adn/element,chk",
                    "/adn/plan"):
            answers[cmd] = ask(cmd)
            print(cmd, "->", answers[cmd], flush=True)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
        print(out)
    st = answers["/adn/stats"]
    check(st["received"] == 500, "/adn/stats counts the 500 received packets")
    check(st["dropped"] == 500 and st["unaccounted"] == 0,
          "/adn/stats accounting identity")
    check(st["chk"] == [500, 500, 0, 0] and st["drop"] == [500, 0, 0, 500],
          "/adn/stats per-element [in, out, transmitted, dropped]")
    pl = answers["/adn/pipeline"]
    check(pl["rx"] == ["FromPort", "[0] -> chk"], "/adn/pipeline links")
    check(answers["/adn/element,chk"]["type"] == "CheckIPv4" and
          answers["/adn/element,chk"]["out0"] == 500,
          "/adn/element,chk detail")
    plan = answers["/adn/plan"]
    check(plan["plan"] == "jit4,batch=16" and plan["batch"] == 16,
          "/adn/plan shows the config's plan")
    check(plan["chk"] == "jit4 (chain of 2 from 'chk', position 0: compiled)"
          and plan["drop"].startswith("jit4 (chain of 2 from 'chk', position 1")
          and plan["rx"] == "process (batch-form)",
          "/adn/plan: CheckIPv4 and Discard fused and compiled, the source its own loop")
    check(proc.returncode == 0, "SIGTERM stops adn-nf cleanly (exit 0)")
    check("stopping on signal 15" in out and "unaccounted 0" in out,
          "final stats printed after SIGTERM, nothing unaccounted")


def test_usage():
    p = run([ADN_NF, "--help"])
    check("Usage:" in p.stdout and "--duration" in p.stdout, "--help")
    p = run([ADN_NF, "--version"])
    check(p.stdout.startswith("adn-nf "), "--version")
    p = run([ADN_NF, "--list-elements"])
    for t in ("FromPort", "ToPort", "Discard", "Counter", "Classifier",
              "CheckIPv4", "DecTTL", "EtherSwap"):
        check(t in p.stdout, "--list-elements lists " + t)
    p = run([ADN_NF, "-c", "x.cfg", "--duration", "soon"], check=False)
    check(p.returncode == 2 and "not a number" in p.stdout,
          "bad --duration is a usage error")
    p = run([ADN_NF, "-c", "/nonexistent.cfg"], check=False)
    check(p.returncode == 1 and "cannot read" in p.stdout,
          "missing config file named")
    p = run([TRACEGEN, "-o", "/tmp/x.pcap", "-n", "-5"], check=False)
    check(p.returncode == 2, "tracegen rejects a bad packet count")


TESTS = {"config-errors": test_config_errors, "telemetry": test_telemetry,
         "port-errors": test_port_errors, "pcap-cut": test_pcap_cut,
         "usage": test_usage}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in TESTS:
        fail("usage: %s {%s}" % (sys.argv[0], ",".join(TESTS)))
    TESTS[sys.argv[1]]()
