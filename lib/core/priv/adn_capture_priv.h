/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the executor and the runtime call of the capture (adn_capture.h).
 */
#ifndef _ADN_CAPTURE_PRIV_H_
#define _ADN_CAPTURE_PRIV_H_

#ifndef ADN_CORE_PRIVATE
#error "a lib/core private header: include the public adn_capture.h"
#endif

#include <stdint.h>

#include "adn_pipeline_priv.h"

struct adn_runtime;
struct adn_version;

/* Worker: the executor's tap, NULL unless a capture runs. Acquire pairs
 * with the release that set it: the slot it points to is filled. */
static inline const struct adn_exec_tap *
adn_exec_tap(const struct adn_exec *x)
{
	return __atomic_load_n(&x->tap, __ATOMIC_ACQUIRE);
}

/* Worker, with a tap: copy those of `pkts` (sent by `e` with codes
 * `out`) that leave on a tapped output. Never blocks, never touches the
 * packets; a copy that finds no room is counted as a capture drop. */
void adn_capture_pkts(const struct adn_exec_tap *tap, const struct adn_elem *e,
		      struct rte_mbuf *const *pkts, const int16_t *out,
		      uint16_t n);
/* The same for a chain's mixed exits: packet i left at chain[at[i]]. */
void adn_capture_exits(const struct adn_exec_tap *tap,
		       struct adn_elem *const *chain, const uint8_t *at,
		       const struct adn_batch *b);

/* Control thread, under the runtime's control lock, before `v` is
 * published: give v's executors a tap on the running capture's target,
 * resolved by name in v's pipeline, or end the capture when v has no
 * such output any more. */
void adn_capture_follow(struct adn_runtime *rt, struct adn_version *v);
/* Under the control lock: release a capture that finished by itself. */
void adn_capture_reap(struct adn_runtime *rt);
/* Under the control lock, as the runtime is freed: end a running capture
 * (its file closed and valid) and free what is left of it. */
void adn_capture_free(struct adn_runtime *rt);

#endif /* _ADN_CAPTURE_PRIV_H_ */
