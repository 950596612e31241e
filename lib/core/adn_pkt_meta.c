/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>

#include "adn_pkt_meta.h"

int
adn_pkt_meta_register(struct adn_pkt_meta *pm)
{
	struct rte_mbuf_dynfield f = {
		.size = sizeof(void *),
		.align = __alignof__(void *),
	};
	struct rte_mbuf_dynflag g = { .flags = 0 };
	int off, bit;

	if (pm->mask != 0)
		return 0;
	snprintf(f.name, sizeof(f.name), "%s", pm->field);
	snprintf(g.name, sizeof(g.name), "%s", pm->flag);
	off = rte_mbuf_dynfield_register(&f);
	if (off < 0)
		return -rte_errno;
	bit = rte_mbuf_dynflag_register(&g);
	if (bit < 0)
		return -rte_errno;
	pm->off = off;
	pm->mask = 1ULL << bit;
	return 0;
}
