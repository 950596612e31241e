#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""lib/core's private headers stay lib/core's (docs/architecture.md).

lib/core/priv/ holds the definitions of the runtime, versions, pipelines
and executors; everything else (apps, nfs/, lib/morph, templates/, tools,
tests) is built against the public headers only. Three checks, each of
which fails when the rule is broken:

1. The build: in compile_commands.json, no source outside lib/core is
   compiled with lib/core/priv on its include path or with
   ADN_CORE_PRIVATE defined (the define every private header requires).
2. The sources: no file outside lib/core includes a private header.
3. A compile check: with the flags adn-nf's main.c is built with, a file
   that includes a public core header compiles, one that includes any
   private header (by name, or through priv/) does not.

Usage: check_public_headers.py SOURCE_ROOT BUILD_ROOT
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
SOURCE_EXT = ('.c', '.h', '.in')


def under(path, root, part):
    return os.path.abspath(path).startswith(os.path.join(root, part) + os.sep)


def check_build(src, build, priv_dir, failures):
    with open(os.path.join(build, 'compile_commands.json')) as f:
        entries = json.load(f)
    core_private = 0
    for e in entries:
        path = os.path.normpath(os.path.join(e['directory'], e['file']))
        args = shlex.split(e['command'])
        incs = {os.path.normpath(os.path.join(e['directory'], a[2:]))
                for a in args if a.startswith('-I')}
        private = priv_dir in incs or '-DADN_CORE_PRIVATE' in args
        if under(path, src, 'lib/core'):
            core_private += private
        elif private:
            failures.append('%s: compiled with lib/core private headers '
                            'in reach (a dependency other than lib/core '
                            'carries lib/core/priv or ADN_CORE_PRIVATE)'
                            % os.path.relpath(path, src))
    if core_private == 0:
        failures.append('lib/core itself is not built with its private '
                        'headers: this check looks at the wrong build')
    return entries


def check_sources(src, private, failures):
    for top in sorted(os.listdir(src)):
        if top.startswith('.') or top.startswith('build'):
            continue
        for d, dirs, files in os.walk(os.path.join(src, top)):
            dirs[:] = [x for x in dirs if not x.startswith('.')]
            if under(os.path.join(d, 'x'), src, 'lib/core'):
                continue
            for name in files:
                if not name.endswith(SOURCE_EXT):
                    continue
                path = os.path.join(d, name)
                with open(path, errors='replace') as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    if os.path.basename(m.group(1)) in private:
                        line = text.count('\n', 0, m.start()) + 1
                        failures.append('%s:%d: includes lib/core private '
                                        'header %s' % (os.path.relpath(
                                            path, src), line, m.group(1)))


def app_command(entries, src):
    """adn-nf's main.c compile command, made to compile another file."""
    for e in entries:
        path = os.path.normpath(os.path.join(e['directory'], e['file']))
        if path == os.path.join(src, 'apps', 'adn-nf', 'main.c'):
            args = shlex.split(e['command'])
            out, skip = [], False
            for a in args:
                if skip:
                    skip = False
                elif a in ('-o', '-MQ', '-MF'):
                    skip = True
                elif a not in ('-MD', '-c', e['file']):
                    out.append(a)
            return e['directory'], out
    return None, None


def compiles(cwd, cmd, text):
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, 'probe.c')
        with open(probe, 'w') as f:
            f.write(text)
        r = subprocess.run(cmd + ['-fsyntax-only', probe], cwd=cwd,
                           capture_output=True, text=True)
        return r.returncode == 0, r.stderr


def check_compile(entries, src, private, failures):
    cwd, cmd = app_command(entries, src)
    if cmd is None:
        failures.append('apps/adn-nf/main.c is not in compile_commands.json')
        return
    ok, err = compiles(cwd, cmd, '#include "adn_runtime.h"\n'
                       '#include "adn_pipeline.h"\n')
    if not ok:
        failures.append('the public headers do not compile with the apps\' '
                        'flags, so the checks below prove nothing:\n' + err)
        return
    for name in sorted(private):
        for inc in (name, 'priv/' + name):
            ok, _ = compiles(cwd, cmd, '#include "%s"\n' % inc)
            if ok:
                failures.append('an app can include "%s"' % inc)


def main():
    src, build = (os.path.abspath(a) for a in sys.argv[1:3])
    priv_dir = os.path.join(src, 'lib', 'core', 'priv')
    private = {n for n in os.listdir(priv_dir) if n.endswith('.h')}
    failures = []
    if not private:
        failures.append('lib/core/priv holds no header')
    entries = check_build(src, build, priv_dir, failures)
    check_sources(src, private, failures)
    check_compile(entries, src, private, failures)
    for f in failures:
        print('FAIL: ' + f)
    if not failures:
        print('ok: %d private headers, out of reach of %d other compile '
              'commands' % (len(private), sum(
                  not under(os.path.join(e['directory'], e['file']), src,
                            'lib/core') for e in entries)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
