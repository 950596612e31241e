/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counter — counts packets and bytes passing through (Click's Counter).
 * Per-worker slots, so workers never share a cache line; they are state,
 * kept across plan swaps and reloads.
 *
 * Keys: none.  Outputs: 0 — every packet.
 * Extra counters: packets, bytes (frame bytes, all segments).
 */
#include "adn_elem.h"

enum { COUNTER_OUT, COUNTER_N_OUT };

struct counter_slot {
	uint64_t packets;
	uint64_t bytes;
} __rte_cache_aligned;

struct counter {
	struct counter_slot slot[ADN_MAX_WORKERS];
};

static int
counter_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct counter *c = adn_elem_priv(e);
	struct counter_slot *s = &c->slot[adn_worker_index()];

	s->packets++;
	s->bytes += rte_pktmbuf_pkt_len(m);
	return COUNTER_OUT;
}

static unsigned int
counter_xstats(const struct adn_elem *e, struct adn_xstat *out,
	       unsigned int max)
{
	const struct counter *c = adn_elem_priv(e);
	uint64_t packets = 0, bytes = 0;

	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		packets += c->slot[w].packets;
		bytes += c->slot[w].bytes;
	}
	if (max < 2)
		return 0;
	snprintf(out[0].name, sizeof(out[0].name), "packets");
	out[0].value = packets;
	snprintf(out[1].name, sizeof(out[1].name), "bytes");
	out[1].value = bytes;
	return 2;
}

static const struct adn_elem_desc counter_desc = {
	.name = "Counter",
	.help = "count packets and bytes",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct counter),
	.priv_is_state = true,
	.n_outputs = COUNTER_N_OUT,
	ADN_ELEM_EXEC_STAGE(counter),
	.xstats = counter_xstats,
};

ADN_ELEM_REGISTER(counter_desc);
