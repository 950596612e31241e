/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A per-packet pointer an element leaves for the elements after it (an
 * L7 record, an RPC message record): an mbuf dynamic field holding the
 * pointer, and a dynamic flag saying it is set. Receive and
 * rte_pktmbuf_alloc clear ol_flags, so a packet that did not pass the
 * element that sets it never shows a stale pointer.
 *
 * One mechanism for every such record (lib/l7/adn_l7_meta.h,
 * lib/rpc/adn_rpc_msg.h): each declares a static struct adn_pkt_meta
 * with its field and flag names and registers it once.
 *
 * Threads: register on the main lcore before workers use it (the offsets
 * are then read-only, process-wide like the mbuf layout they describe);
 * get/set on any lcore for the packets it owns.
 */
#ifndef _ADN_PKT_META_H_
#define _ADN_PKT_META_H_

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

struct adn_pkt_meta {
	const char *field;	/* dynfield name */
	const char *flag;	/* dynflag name */
	int off;		/* dynfield offset, -1 before register */
	uint64_t mask;		/* ol_flags bit, 0 before register */
};

#define ADN_PKT_META_INIT(fname, flname) \
	{ .field = (fname), .flag = (flname), .off = -1, .mask = 0 }

/* Register the field and flag (idempotent). 0 or a negative errno. */
int adn_pkt_meta_register(struct adn_pkt_meta *pm);

/* The pointer `m` carries, or NULL when none was set. */
static inline void *
adn_pkt_meta_get(const struct adn_pkt_meta *pm, const struct rte_mbuf *m)
{
	if (pm->mask == 0 || !(m->ol_flags & pm->mask))
		return NULL;
	return *RTE_MBUF_DYNFIELD(m, pm->off, void **);
}

/* Set (p != NULL) or clear the pointer. pm must be registered. */
static inline void
adn_pkt_meta_set(const struct adn_pkt_meta *pm, struct rte_mbuf *m, void *p)
{
	if (p == NULL) {
		m->ol_flags &= ~pm->mask;
		return;
	}
	*RTE_MBUF_DYNFIELD(m, pm->off, void **) = p;
	m->ol_flags |= pm->mask;
}

#endif /* _ADN_PKT_META_H_ */
