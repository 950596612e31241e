# SPDX-License-Identifier: BSD-3-Clause
"""The jit from an installed tree. `meson install --destdir D`, then the
installed adn-bench runs a jit plan from D: every chain must compile, with
its sources from D's PREFIX/share/adn-nf/jit. Then again with the source
tree (and the build tree) hidden under an empty tmpfs in a private mount
namespace, which proves nothing is read from them at run time; that part
needs root and unshare, and is skipped with a message without them.

Usage: test_jit_install.py MESON PREFIX BINDIR DATADIR"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adn_it  # noqa: E402

# Run inside the new mount namespace: hide the trees, check they are
# hidden, then become adn-bench. No shell: every step is an argv.
HIDE = """
import os, subprocess, sys
n = int(sys.argv[1])
for d in sys.argv[2:2 + n]:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755",
                    "adn-hidden", d], check=True)
    if os.listdir(d):
        sys.exit("%s still visible" % d)
    print("hidden: %s" % d, flush=True)
os.execv(sys.argv[2 + n], sys.argv[2 + n:])
"""


def under(path, tree):
    path, tree = os.path.realpath(path), os.path.realpath(tree)
    return path == tree or path.startswith(tree + os.sep)


def in_tree(prefix, path):
    """`path` (absolute or relative to prefix) inside the tree at D."""
    full = path if os.path.isabs(path) else os.path.join(prefix, path)
    return full.lstrip("/")


def check_run(p, root, what):
    out = p.stdout
    if "running fused" in out:
        adn_it.fail("%s: a jit chain fell back to fused" % what)
    lines = [ln for ln in out.splitlines() if "jit: compiled" in ln]
    if not lines:
        adn_it.fail("%s: no chain compiled" % what)
    for ln in lines:
        if not ln.endswith("sources from " + root):
            adn_it.fail("%s: chain compiled from elsewhere than %s: %s" %
                        (what, root, ln))


def main():
    meson, prefix, bindir, datadir = sys.argv[1:5]
    wd = adn_it.workdir("jit-install")
    dest = os.path.join(wd, "dest")
    hide = [adn_it.SOURCE]
    if not under(adn_it.BUILD, adn_it.SOURCE):
        hide.append(adn_it.BUILD)
    for t in hide:
        if under(wd, t):
            adn_it.fail("work dir %s is inside %s: set TMPDIR elsewhere" %
                        (wd, t))
    adn_it.run([meson, "install", "-C", adn_it.BUILD, "--no-rebuild",
                "--destdir", dest], timeout=120)
    bench = os.path.join(dest, in_tree(prefix, bindir), "adn-bench")
    root = os.path.realpath(os.path.join(
        dest, in_tree(prefix, datadir), "adn-nf", "jit"))
    for f in ("adn_jit_chain.c.in", "nfs/lpm_route.c",
              "include/adn_elem.h", "include/adn_fused.h"):
        if not os.path.isfile(os.path.join(root, f)):
            adn_it.fail("%s not installed under %s" % (f, root))
    for f in ("nfmorph.cfg", "nfmorph-routes.txt"):
        shutil.copy(os.path.join(adn_it.SOURCE, "configs", f), wd)
    # Defaults but the directory, and the time limit a loaded machine
    # needs (meson's test_env).
    env = {k: v for k, v in os.environ.items()
           if k == "ADN_JIT_TIMEOUT" or
           (not k.startswith("ADN_JIT_") and k != "XDG_RUNTIME_DIR")}
    env["ADN_JIT_DIR"] = os.path.join(wd, "jit")

    def bench_cmd(tag):
        return ([bench, "-c", os.path.join(wd, "nfmorph.cfg"), "-n", "1024",
                 "-r", "1", "-q", "-w", "skewed", "-p", "jit8",
                 "--no-floor", "-o", os.path.join(wd, tag), "--"] +
                adn_it.eal_args(tag) + ["-l", "0-1"])

    p = subprocess.run(bench_cmd("jit-installed"), env=env, cwd=wd,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    print(p.stdout, flush=True)
    if p.returncode != 0:
        adn_it.fail("installed adn-bench exited %d" % p.returncode)
    check_run(p, root, "installed")

    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        print("skipped the hidden-source run: needs root and unshare")
        shutil.rmtree(wd)
        print("ok")
        return
    probe = subprocess.run([unshare, "-m", "--propagation", "private",
                            "true"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0:
        print("skipped the hidden-source run: unshare -m not permitted: " +
              probe.stdout.strip())
        shutil.rmtree(wd)
        print("ok")
        return
    cmd = ([unshare, "-m", "--propagation", "private", sys.executable,
            "-c", HIDE, str(len(hide))] + hide + bench_cmd("jit-hidden"))
    p = subprocess.run(cmd, env=env, cwd=wd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    print(p.stdout, flush=True)
    if p.returncode != 0:
        adn_it.fail("adn-bench with the source tree hidden exited %d" %
                    p.returncode)
    for t in hide:
        if "hidden: " + t not in p.stdout:
            adn_it.fail("%s was not hidden" % t)
    check_run(p, root, "source tree hidden")
    shutil.rmtree(wd)
    print("ok")


if __name__ == "__main__":
    main()
