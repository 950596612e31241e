#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the libFuzzer harnesses of tests/fuzz for a bounded time.

  fuzz.py --build-root BUILD [--seconds S] [--corpus DIR] [HARNESS...]

Sets up a clang build with -Dfuzz=true and ASan + UBSan in BUILD/fuzz-clang
(once; later runs only rebuild), builds the harnesses asked for (default
all) and runs each for S seconds (default 20) on its seed corpus, the
crash regressions and, with --corpus, a corpus kept in DIR/HARNESS (new
inputs are added there; without it they go to a temporary directory).
A crash leaves its input in BUILD/fuzz-clang/crashes/HARNESS/ and fails
the run; check it in under tests/fuzz/regress/HARNESS/ once fixed.

Exits 77 (meson's "skipped") when clang cannot link a libFuzzer target.
"""
import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
HARNESSES = ["config", "plan", "files", "packet", "clip", "ppm", "control",
             "http", "rpc"]
FLAGS = "-fsanitize=fuzzer,address,undefined"
INTERRUPTED = 72    # libFuzzer's exit status on SIGINT/SIGTERM, made explicit


def have_libfuzzer(clang, tmp):
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write("#include <stddef.h>\n#include <stdint.h>\n"
                "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)"
                "{ return 0; }\n")
    p = subprocess.run([clang, FLAGS, src, "-o", os.path.join(tmp, "probe")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    return p.returncode == 0


def setup_build(build):
    """Configure (once) and return the clang build directory."""
    env = dict(os.environ, CC="clang")
    env.pop("CFLAGS", None)
    if os.path.exists(os.path.join(build, "build.ninja")):
        return
    subprocess.run(["meson", "setup", build, SOURCE, "-Dfuzz=true",
                    "-Db_sanitize=address,undefined", "-Db_lundef=false",
                    "-Dppm_rtl=disabled", "-Dbuildtype=debugoptimized"],
                   env=env, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--corpus")
    ap.add_argument("harness", nargs="*")
    a = ap.parse_args()
    names = a.harness or HARNESSES
    for n in names:
        if n not in HARNESSES:
            sys.exit("unknown harness %s (one of %s)" % (n, ", ".join(HARNESSES)))

    clang = shutil.which("clang")
    with tempfile.TemporaryDirectory(prefix="adn-fuzz-") as tmp:
        if clang is None or not have_libfuzzer(clang, tmp):
            print("skipped: clang with libFuzzer and the sanitizer runtimes "
                  "is needed (Debian: apt-get install clang "
                  "libclang-rt-14-dev; tools/setup.sh installs them)")
            sys.exit(77)
        build = os.path.join(os.path.abspath(a.build_root), "fuzz-clang")
        os.makedirs(build, exist_ok=True)
        # One setup and build at a time, whoever runs it (meson test,
        # tools/fuzz.sh).
        with open(build + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            setup_build(build)
            subprocess.run(["ninja", "-C", build] +
                           ["tests/fuzz/fuzz_" + n for n in names],
                           check=True)
        status = 0
        for n in names:
            status |= run(build, n, a.seconds, a.corpus, tmp)
    sys.exit(status)


def run(build, name, seconds, keep, tmp):
    corpus = os.path.join(keep, name) if keep else os.path.join(tmp, name)
    os.makedirs(corpus, exist_ok=True)
    crashes = os.path.join(build, "crashes", name)
    os.makedirs(crashes, exist_ok=True)
    inputs = [os.path.join(HERE, "corpus", name)]
    regress = os.path.join(HERE, "regress", name)
    if os.path.isdir(regress):
        inputs.append(regress)
    env = dict(os.environ,
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               LSAN_OPTIONS="suppressions=" + os.path.join(HERE, "lsan.supp"),
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    cmd = [os.path.join(build, "tests", "fuzz", "fuzz_" + name),
           "-max_total_time=%d" % seconds, "-timeout=10",
           "-dict=" + os.path.join(HERE, name + ".dict"),
           "-artifact_prefix=" + crashes + "/", "-print_final_stats=1",
           "-interrupted_exit_code=%d" % INTERRUPTED, corpus] + inputs
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, env=env)
    if p.returncode == INTERRUPTED:
        print("fuzz_%s interrupted%s" % (name, ", its corpus kept in " +
                                         corpus if keep else ""), flush=True)
        return 1
    if p.returncode != 0:
        print("FAIL: fuzz_%s found a crash: its input is in %s" %
              (name, crashes), flush=True)
        return 1
    print("ok: fuzz_%s ran %d s without a crash" % (name, seconds),
          flush=True)
    return 0


if __name__ == "__main__":
    main()
