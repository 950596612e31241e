/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EtherSwap — swaps the Ethernet source and destination addresses, so a
 * packet can be reflected back where it came from (Click's EtherMirror).
 *
 * Keys: none.  Outputs: 0 — every Ethernet frame.
 * Drops: too-short — frame shorter than an Ethernet header.
 */
#include <rte_ether.h>

#include "adn_elem.h"

enum { ETHER_SWAP_OUT, ETHER_SWAP_N_OUT };

enum { ETHER_SWAP_DROP_TOO_SHORT };

static const char *const ether_swap_drops[] = {
	[ETHER_SWAP_DROP_TOO_SHORT] = "too-short", NULL,
};

static int
ether_swap_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct rte_ether_hdr *eth;
	struct rte_ether_addr tmp;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return adn_drop(ETHER_SWAP_DROP_TOO_SHORT);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&eth->src_addr, &tmp);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&tmp, &eth->dst_addr);
	return ETHER_SWAP_OUT;
}

static const struct adn_elem_desc ether_swap_desc = {
	.name = "EtherSwap",
	.help = "swap Ethernet source and destination (reflect)",
	.n_outputs = ETHER_SWAP_N_OUT,
	.drop_reasons = ether_swap_drops,
	ADN_ELEM_EXEC_STAGE(ether_swap),
};

ADN_ELEM_REGISTER(ether_swap_desc);
