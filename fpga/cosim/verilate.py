#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Verilate an RTL top into C++ and build it with Verilator's own makefile.

Verilator names its generated sources after hashes of the design, so meson
cannot list them; this runs `verilator --cc` in a private work directory,
builds the model archive and Verilator's runtime there with the flags
Verilator chooses, and copies three files with fixed names into --outdir:

  V<top>.h          the model's class
  V<top>__ALL.a     the model
  libverilated.a    Verilator's runtime (verilated.cpp, verilated_threads.cpp)

The archives are built outside meson's flags on purpose: generated code is
not ours to sanitize, and its speed should not depend on the buildtype.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def die(msg):
    print(f"verilate: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.stdout.write(p.stdout)
        die(f"'{' '.join(cmd)}' exited with {p.returncode}")


def make_list(path, var):
    """Names a Verilator-generated makefile appends to `var`."""
    text = open(path).read().replace("\\\n", " ")
    names = []
    for m in re.finditer(r"^%s\s*\+?=(.*)$" % re.escape(var), text, re.M):
        names += m.group(1).split()
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verilator", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--rtl-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--jobs", default="2")
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args()

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    prefix = "V" + a.top
    run([a.verilator, "--cc", "-Wno-fatal", "--top-module", a.top,
         "-I" + a.rtl_dir, "-Mdir", work, "--prefix", prefix,
         "-CFLAGS", "-fPIC"] + a.sources)
    classes = os.path.join(work, prefix + "_classes.mk")
    runtime = [n + ".o" for n in make_list(classes, "VM_GLOBAL_FAST") +
               make_list(classes, "VM_GLOBAL_SLOW")]
    if not runtime:
        die(f"no runtime objects listed in {classes}")
    run(["make", "-s", "-j", a.jobs, "-C", work, "-f", prefix + ".mk",
         prefix + "__ALL.a"] + runtime)
    lib = os.path.join(os.path.abspath(a.outdir), "libverilated.a")
    if os.path.exists(lib):
        os.unlink(lib)
    run(["ar", "rcs", lib] + [os.path.join(work, o) for o in runtime])
    for f in (prefix + ".h", prefix + "__ALL.a"):
        shutil.copyfile(os.path.join(work, f), os.path.join(a.outdir, f))


if __name__ == "__main__":
    main()
