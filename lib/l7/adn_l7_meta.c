/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_errno.h>

#include "adn_l7_meta.h"

/* Set once on the main lcore before any worker runs, then read-only:
 * process-wide like the mbuf layout they describe. */
int adn_l7_rec_off = -1;
uint64_t adn_l7_rec_flag;

int
adn_l7_meta_register(void)
{
	static const struct rte_mbuf_dynfield f = {
		.name = "adn_l7_rec",
		.size = sizeof(struct adn_l7_rec *),
		.align = __alignof__(struct adn_l7_rec *),
	};
	static const struct rte_mbuf_dynflag g = { .name = "adn_l7_rec_valid" };
	int off, bit;

	if (adn_l7_rec_flag != 0)
		return 0;
	off = rte_mbuf_dynfield_register(&f);
	if (off < 0)
		return -rte_errno;
	bit = rte_mbuf_dynflag_register(&g);
	if (bit < 0)
		return -rte_errno;
	adn_l7_rec_off = off;
	adn_l7_rec_flag = 1ULL << bit;
	return 0;
}
