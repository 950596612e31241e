#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stage, check and install what the `jit` chain template reads at run time.

templates/adn_jit.c compiles a chain long after the build, from a jit root
(docs/templates.md): ROOT/adn_jit_chain.c.in, ROOT/nfs/*.c and
ROOT/include/*.h. It never reads the source tree. This script fills that
root in the build tree (BUILD/share/adn-nf/jit, found by binaries run from
the build tree) and copies it to the install prefix.

  element SRC   SRC is an element source. When it names its stages
                (ADN_ELEM_STAGES / ADN_ELEM_BULK_STAGES /
                ADN_ELEM_EXEC_STAGE), copy it to ROOT/nfs
                and every header it includes, found in the --inc dirs, to
                ROOT/include; then compile the staged copy as a chain does
                (-DADN_JIT, ROOT/include and the jit's cflags only, so a
                header left unstaged fails here, not at run time) and fail
                when nm shows writable data: each chain including the file
                would get its own private copy of such state.
  template SRC  copy the chain template to ROOT with the headers it includes.
  install       copy ROOT to DESTDIR/PREFIX/DEST (a meson install script).

Each staging run writes a stamp and a depfile naming the source files it
read, so ninja reruns it for exactly the files that changed. Files are
replaced only when their bytes change, by rename, so element runs in
parallel can share headers safely.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
STAGES = re.compile(r'\bADN_ELEM_(?:STAGES|BULK_STAGES|EXEC_STAGE)\s*\(')
# nm letters of writable data: initialized (d/D), zeroed (b/B), small
# (g/G, s/S) and common (C). Read-only data is r/R when compiled without
# PIC; under -fPIC a table of pointers lands in .data.rel.ro and nm calls
# it d, hence -fno-pic below.
WRITABLE = set("dDbBgGsSC")


def fail(msg):
    print("jit_stage: error: " + msg, file=sys.stderr)
    sys.exit(1)


def copy_if_changed(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    try:
        with open(dst, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = "%s.%d.tmp" % (dst, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dst)


def find_header(name, here, inc_dirs):
    for d in [here] + inc_dirs:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return os.path.normpath(p)
    return None


def includes(path, inc_dirs):
    """Headers of the include dirs that `path` includes, transitively.
    Conditional includes count too (a superset is harmless); names found
    in none of the dirs (system, or another part's private headers behind
    an #ifdef the jit does not define) are left to the compile check."""
    seen, todo = [], [path]
    while todo:
        cur = todo.pop()
        with open(cur, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for name in INCLUDE.findall(text):
            h = find_header(name, os.path.dirname(cur), inc_dirs)
            if h is not None and h not in seen and h != path:
                seen.append(h)
                todo.append(h)
    return seen


def stage_headers(headers, root):
    for h in headers:
        copy_if_changed(h, os.path.join(root, "include",
                                        os.path.basename(h)))


def write_depfile(depfile, stamp, deps):
    def esc(p):
        return p.replace("\\", "\\\\").replace(" ", "\\ ")
    with open(depfile, "w") as f:
        f.write("%s: %s\n" % (esc(stamp), " \\\n  ".join(map(esc, deps))))


def check_writable(staged, src, root, args):
    """Compile `staged` as a chain would include it; fail on writable data
    symbols, local ones included."""
    with tempfile.TemporaryDirectory(prefix="adn-jit-check-") as tmp:
        obj = os.path.join(tmp, "stage.o")
        # -O0 keeps every object the file defines, used or not.
        cmd = (args.cc + args.cflag +
               ["-DADN_JIT", "-O0", "-fno-pic", "-fno-pie", "-w",
                "-I" + os.path.join(root, "include"), "-c", staged,
                "-o", obj])
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            fail("%s does not compile as a jit stage source from %s (%s):\n"
                 "%s" % (src, root, " ".join(map(shlex.quote, cmd)),
                         p.stdout))
        p = subprocess.run(args.nm + ["--defined-only", obj],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        if p.returncode != 0:
            fail("nm %s: %s" % (obj, p.stderr.strip()))
    bad = []
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in WRITABLE:
            bad.append("%s (%s)" % (f[2], f[1]))
    if bad:
        fail("%s: writable data in a jit stage source: %s. A jit chain "
             "includes this file and would get its own private copy; make "
             "it const, or keep it in the element's priv or the state "
             "registry." % (src, ", ".join(bad)))


def cmd_element(args):
    src = os.path.normpath(args.src)
    with open(src, encoding="utf-8", errors="replace") as f:
        text = f.read()
    deps = [src]
    if STAGES.search(text) is None:
        msg = "not a stage source: not staged\n"
    else:
        headers = includes(src, args.inc)
        deps += headers
        stage_headers(headers, args.root)
        staged = os.path.join(args.root, "nfs", os.path.basename(src))
        copy_if_changed(src, staged)
        check_writable(staged, src, args.root, args)
        msg = "staged and checked: no writable data\n"
    with open(args.stamp, "w") as f:
        f.write(msg)
    write_depfile(args.depfile, args.stamp, deps)


def cmd_template(args):
    src = os.path.normpath(args.src)
    headers = includes(src, args.inc)
    stage_headers(headers, args.root)
    copy_if_changed(src, os.path.join(args.root, os.path.basename(src)))
    with open(args.stamp, "w") as f:
        f.write("staged with %d headers\n" % len(headers))
    write_depfile(args.depfile, args.stamp, [src] + headers)


def cmd_install(args):
    dest = args.dest
    if os.path.isabs(dest):
        destdir = os.environ.get("DESTDIR", "")
        target = (os.path.join(destdir, dest.lstrip("/")) if destdir
                  else dest)
    else:
        target = os.path.join(os.environ["MESON_INSTALL_DESTDIR_PREFIX"],
                              dest)
    if not os.path.isfile(os.path.join(args.root, "adn_jit_chain.c.in")):
        fail("%s is not a staged jit root (build first)" % args.root)
    print("Installing jit root %s to %s" % (args.root, target))
    for d, _, files in os.walk(args.root):
        rel = os.path.relpath(d, args.root)
        out = os.path.normpath(os.path.join(target, rel))
        os.makedirs(out, mode=0o755, exist_ok=True)
        for name in files:
            if name.endswith(".tmp"):
                continue
            shutil.copyfile(os.path.join(d, name), os.path.join(out, name))
            os.chmod(os.path.join(out, name), 0o644)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("element", "template"):
        s = sub.add_parser(name)
        s.add_argument("src")
        s.add_argument("--root", required=True)
        s.add_argument("--inc", action="append", default=[],
                       help="include dir searched for quoted includes")
        s.add_argument("--stamp", required=True)
        s.add_argument("--depfile", required=True)
        s.add_argument("--cc", action="append", default=[],
                       help="compiler command, one word per --cc")
        s.add_argument("--cflag", action="append", default=[])
        s.add_argument("--nm", action="append", default=[])
    s = sub.add_parser("install")
    s.add_argument("--root", required=True)
    s.add_argument("--dest", required=True,
                   help="absolute, or relative to the install prefix")
    args = ap.parse_args()
    if args.cmd == "element":
        args.cc = args.cc or ["cc"]
        args.nm = args.nm or ["nm"]
        cmd_element(args)
    elif args.cmd == "template":
        cmd_template(args)
    else:
        cmd_install(args)


if __name__ == "__main__":
    main()
