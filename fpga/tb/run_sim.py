#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build and run an RTL testbench under Icarus Verilog or Verilator.

The bench reads its golden vectors from --vectors (the simulation runs with
that directory as cwd) and prints "TB PASS" or "TB FAIL"; this script turns
that into the exit status meson expects. A missing simulator is a failure
with a clear message, never a silent pass.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def die(msg):
    print(f"run_sim: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, cwd=None):
    print("run_sim: $", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        die(f"'{cmd[0]}' exited with {p.returncode}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", choices=["iverilog", "verilator"], required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--rtl-dir", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args()

    os.makedirs(a.work, exist_ok=True)
    vectors = os.path.abspath(a.vectors)
    if not os.path.isfile(os.path.join(vectors, "counts.hex")):
        die(f"no golden vectors in {vectors} (ppm-vectors did not run?)")

    if a.sim == "iverilog":
        for tool in ("iverilog", "vvp"):
            if shutil.which(tool) is None:
                die(f"'{tool}' not found: install Icarus Verilog "
                    "(apt-get install iverilog) to run the RTL benches")
        vvp = os.path.join(os.path.abspath(a.work), a.top + ".vvp")
        run(["iverilog", "-g2012", "-I", a.rtl_dir, "-s", a.top, "-o", vvp]
            + a.sources)
        out = run(["vvp", "-n", vvp], cwd=vectors)
    else:
        if shutil.which("verilator") is None:
            die("'verilator' not found: install Verilator >= 5 "
                "(apt-get install verilator) to run the RTL benches")
        ver = subprocess.run(["verilator", "--version"], stdout=subprocess.PIPE,
                             text=True).stdout
        m = re.search(r"Verilator (\d+)\.", ver)
        if not m or int(m.group(1)) < 5:
            die(f"Verilator >= 5 needed (--binary, --timing), found: {ver.strip()}")
        mdir = os.path.join(os.path.abspath(a.work), "obj")
        jobs = str(min(2, os.cpu_count() or 1))
        run(["verilator", "--binary", "-j", jobs, "-Wno-fatal",
             "--top-module", a.top, "-I" + a.rtl_dir, "-Mdir", mdir,
             "-o", "V" + a.top] + a.sources)
        out = run([os.path.join(mdir, "V" + a.top)], cwd=vectors)

    perf = [l for l in out.splitlines() if l.startswith(("PERF", "pass "))]
    with open(os.path.join(a.work, "perf.txt"), "w") as f:
        f.write("\n".join(perf) + "\n")
    if "TB PASS" not in out or "FAIL" in out:
        die(f"{a.top} failed under {a.sim}")
    print(f"run_sim: {a.top} passed under {a.sim}")


if __name__ == "__main__":
    main()
