#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""adn-aclgen: a deterministic ACL rules file (Acl's syntax, docs/elements.md)
of N rules for benchmarks: random permit/deny rules over /8-/28 prefixes
and port ranges, TCP/UDP/any, then a last rule that matches everything.

  tools/adn-aclgen.py -n 10000 -s 1 > acl-10k.rules
"""
import argparse
import random


def prefix(r):
    length = r.randint(8, 28)
    ip = r.getrandbits(32) & ~((1 << (32 - length)) - 1) & 0xffffffff
    return "%d.%d.%d.%d/%d" % (ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                               ip & 255, length)


def ports(r):
    k = r.random()
    if k < 0.5:
        return "any"
    lo = r.randint(0, 65535)
    if k < 0.75:
        return str(lo)
    return "%d-%d" % (lo, min(65535, lo + r.randint(1, 4096)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10000, help="rules (default 10000)")
    ap.add_argument("-s", type=int, default=1, help="seed (default 1)")
    a = ap.parse_args()
    r = random.Random(a.s)
    print("# adn-aclgen -n %d -s %d" % (a.n, a.s))
    for _ in range(a.n - 1):
        print("%s %s %s %s %s %s" % (
            r.choice(("permit", "deny")), r.choice(("tcp", "udp", "any")),
            prefix(r), ports(r), prefix(r), ports(r)))
    print("permit any 0.0.0.0/0 any 0.0.0.0/0 any")


if __name__ == "__main__":
    main()
