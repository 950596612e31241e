/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recycle — a sink that returns every mbuf to its pool without I/O, so a
 * benchmark with an in-memory source (GenSource) measures the pipeline,
 * not a NIC or a PMD. Packets count as consumed (the "transmitted" total).
 *
 * Keys: none.  Outputs: none.  Drops: none.
 */
#include "adn_elem.h"

static void
recycle_process(struct adn_elem *e, struct adn_batch *b)
{
	/* One bulk put returns the batch to the pool's per-lcore cache, the
	 * cheapest way back to the source's next allocation. */
	adn_pkt_free_bulk(b->pkts, b->n);
	adn_batch_out_all(b, ADN_CONSUMED);
}

static const struct adn_elem_desc recycle_desc = {
	.name = "Recycle",
	.help = "sink: free every packet back to its pool (benchmarks, no I/O)",
	.n_outputs = 0,
	.process = recycle_process,
};

ADN_ELEM_REGISTER(recycle_desc);
