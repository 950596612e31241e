/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `jit` chain template: a fused chain emitted as C from
 * templates/adn_jit_chain.c.in with its elements' stages inlined and its
 * constants embedded, compiled by the system compiler into a shared
 * object, and loaded.
 *
 * Compiler: $ADN_JIT_CC, else `cc`, with -O3 -march=native. Files go to
 * $ADN_JIT_DIR, else /tmp/adn-jit-UID, named by a hash of the generated
 * source, and are removed once loaded (a failed build keeps its source and
 * log there); a chain is compiled once per process even when every worker
 * asks for it. The element sources and headers are read from the source
 * tree this binary was built from.
 */
#ifndef _ADN_JIT_H_
#define _ADN_JIT_H_

#include <stddef.h>

#include "adn_fused.h"

/* The compiled loop of chain `c`, or NULL with the reason in `status`
 * (the caller keeps the generic fused loop). On success `status` says
 * "compiled". */
adn_chain_fn adn_jit_chain(const struct adn_chain *c, char *status,
			   size_t len);

#endif /* _ADN_JIT_H_ */
