# SPDX-License-Identifier: BSD-3-Clause
"""The shared-DPDK variant (-Ddpdk_static=disabled, docs/operations.md)
still configures, links adn-nf against DPDK's shared libraries, and
forwards: a build of its own in a private directory, then one second of
net_null -> net_null with every packet accounted for.

  check_shared_dpdk.py SOURCE_DIR MESON NINJA"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "integration"))
import adn_it  # noqa: E402


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if p.returncode != 0:
        print(p.stdout[-4000:])
        print("FAIL: %s: exit %d" % (" ".join(cmd), p.returncode))
        sys.exit(1)
    return p.stdout


def main():
    src, meson, ninja = sys.argv[1:4]
    wd = tempfile.mkdtemp(prefix="adn-shared-")
    try:
        build = os.path.join(wd, "build")
        # plain: no optimisation, the quickest compile; nothing is timed.
        run([meson, "setup", build, src, "-Ddpdk_static=disabled",
             "-Dbuildtype=plain", "-Dppm_rtl=disabled"])
        run([ninja, "-C", build, "apps/adn-nf"])
        nf = os.path.join(build, "apps", "adn-nf")
        libs = run(["ldd", nf])
        if "librte_eal.so" not in libs:
            print(libs)
            print("FAIL: adn-nf is not linked against librte_eal.so")
            return 1
        cfg = os.path.join(wd, "fwd.cfg")
        with open(cfg, "w") as f:
            f.write('workers = 1;\n'
                    'ports = ( { name = "in"; device = "net_null0"; },\n'
                    '  { name = "out"; device = "net_null1";'
                    ' args = "no-rx=1"; } );\n'
                    'elements = ( { name = "rx"; type = "FromPort";'
                    ' port = "in"; },\n'
                    '  { name = "tx"; type = "ToPort"; port = "out"; } );\n'
                    'links = ( "rx -> tx" );\n')
        js = os.path.join(wd, "out.json")
        run([nf, "-c", cfg, "-d", "1", "-s", "0", "-j", js, "--"] +
            adn_it.eal_args("shared-dpdk"), timeout=120)
        with open(js) as f:
            r = json.load(f)
        if not (r["transmitted"] > 0 and r["in_flight"] == 0 and
                r["received"] == r["transmitted"] + r["dropped"]):
            print(json.dumps(r)[:2000])
            print("FAIL: packets not forwarded or not accounted for")
            return 1
        print("ok: shared DPDK: linked to librte_eal.so, %d packets "
              "forwarded" % r["transmitted"])
        return 0
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
