/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Discard — drops every packet it receives, counted (Click's Discard).
 *
 * Keys: none.  Outputs: none.  Drops: discarded.
 */
#include "adn_elem.h"

enum { DISCARD_DROP };

static const char *const discard_drops[] = {
	[DISCARD_DROP] = "discarded", NULL,
};

static int
discard_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	return adn_drop(DISCARD_DROP);
}

static const struct adn_elem_desc discard_desc = {
	.name = "Discard",
	.help = "drop every packet (counted)",
	.n_outputs = 0,
	.drop_reasons = discard_drops,
	ADN_ELEM_EXEC_STAGE(discard),
};

ADN_ELEM_REGISTER(discard_desc);
