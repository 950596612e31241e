/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deferred frees after an RCU grace period of the workers (rte_rcu_qsbr):
 * retired pipeline versions, and structures an element's control command
 * replaced (adn_elem_defer_free). A thin layer over DPDK's QSBR defer
 * queue, with callbacks of any type and no fixed resource size.
 *
 * Threads: one control thread at a time (the runtime's control lock);
 * the workers only report quiescent states on the QSBR variable.
 */
#ifndef _ADN_DEFER_H_
#define _ADN_DEFER_H_

#include <stdint.h>

struct rte_rcu_qsbr;
struct adn_defer;

/* A queue of up to `size` pending frees on QSBR variable `v`; 0 or a
 * negative errno. */
int adn_defer_create(struct rte_rcu_qsbr *v, unsigned int size,
		     struct adn_defer **out);
/* Wait for the pending frees, run them, and free the queue. */
void adn_defer_destroy(struct adn_defer *d);

/* Run fn(p) once every worker passed a quiescent state after this call.
 * When the queue is full it waits for a grace period first. */
void adn_defer_add(struct adn_defer *d, void (*fn)(void *), void *p);

/* Run the frees whose grace period is over, without waiting; returns how
 * many are still pending. */
unsigned int adn_defer_reclaim(struct adn_defer *d);

/* Run every pending free, waiting for grace periods while any is
 * pending (at once when none is). */
void adn_defer_drain(struct adn_defer *d);

#endif /* _ADN_DEFER_H_ */
