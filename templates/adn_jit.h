/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `jit` chain template: a fused chain emitted as C, its elements'
 * stages inlined and its shape (element types, continuing outputs,
 * fastpath roles, group size) as constants, compiled by the system
 * compiler into a shared object and loaded. The elements themselves are
 * read from the chain at run time, so every chain of one shape has the
 * same source: one compile and one object per process serve them all.
 *
 * Jit root: the chain template, element sources (nfs/) and headers
 * (include/) staged by the build into BUILD/share/adn-nf/jit and
 * installed to DATADIR/adn-nf/jit. It is $ADN_JIT_SRC when set, else the
 * first share/adn-nf/jit found in the running binary's directory or up to
 * three above it (PREFIX/bin/.. for an installed binary, BUILD for one in
 * BUILD/apps or BUILD/tests/unit). The source tree is never read.
 *
 * Compiler: $ADN_JIT_CC, else `cc`: a path or a name looked up in PATH,
 * optionally followed by arguments separated by spaces (no shell, no
 * quoting), run with the build's cflags, -O3 -march=native -fPIC -shared,
 * and killed after $ADN_JIT_TIMEOUT seconds (default 60, 1..3600).
 *
 * Files: each compile runs in a new mode-0700 directory made under
 * $ADN_JIT_DIR (created when missing), else $XDG_RUNTIME_DIR, else /tmp.
 * That parent must be a directory, not a symlink, owned by this process's
 * euid (or root), and not writable by group or others unless sticky (as
 * /tmp is). The directory goes once the object is loaded; a failed compile
 * keeps the source (chain.c) and the compiler's log (chain.log) in it,
 * and the status names it.
 *
 * Threads: any control thread, never a worker lcore (a compile takes
 * seconds). The cache is process-wide and locked; a thread asking for a
 * chain another thread is compiling waits for that compile.
 */
#ifndef _ADN_JIT_H_
#define _ADN_JIT_H_

#include <stddef.h>
#include <stdint.h>

#include "adn_fused.h"

/* One loaded chain object, shared by every chain whose generated source is
 * the same; counted references. */
struct adn_jit_lib;

/* The compiled loop of chain `c`, with a reference on the object that holds
 * it in *lib; `status` says "compiled". A chain whose generated source is
 * loaded already in this process is served from the cache without a
 * compile. On failure: NULL, *lib NULL and the reason in `status` (ending
 * "; running fused": the caller keeps adn_fused_run), also logged. The
 * chain must stay valid while the loop runs: it reads its elements from
 * `c`. */
adn_chain_fn adn_jit_chain(const struct adn_chain *c, struct adn_jit_lib **lib,
			   char *status, size_t len);

/* Drop a reference from adn_jit_chain; the object is dlclose()d with the
 * last one, so no worker may run its loop any more. NULL is a no-op. The
 * compiled code itself is kept in memory (a sealed memfd, up to 64
 * objects no chain uses, oldest dropped first), so a plan that comes back
 * to the chain loads it again without a compile. */
void adn_jit_lib_put(struct adn_jit_lib *lib);

/* Free the kept objects no chain uses (the next request compiles). */
void adn_jit_cache_drop(void);

/* Process-wide counts. */
struct adn_jit_stats {
	uint64_t compiles;	/* compiler runs */
	uint64_t cache_hits;	/* chains served without a compile */
	uint64_t failures;	/* chains that run fused instead */
	uint64_t loaded;	/* objects loaded now */
};

void adn_jit_stats_get(struct adn_jit_stats *st);

#endif /* _ADN_JIT_H_ */
