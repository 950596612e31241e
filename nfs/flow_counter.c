/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FlowCounter — the NFMorph measurement module: an array of 32-bit counters
 * indexed by Murmur3-32 of the IPv4 5-tuple masked to the array size (a
 * count-array sketch: colliding flows share a cell).
 *
 *   count(pkt): table[murmur3(5-tuple) & (size - 1)]++
 *
 * One array per worker, so workers never share a cell; readers sum them.
 * The arrays are state (kept across plan swaps and reloads). When `size`
 * or `seed` changes, the counts are carried over once the old arrays are
 * no longer written (migrate): each old cell's count is added to the cell
 * of the same index folded into the new size, in a control-only array
 * readers add in, so totals are exact and heavy cells stay heavy.
 *
 * Keys:
 *   size (int, default 1048576, power of two in [16, 2^28])  cells per worker
 *   seed (int, default 0, 0 - 2^32-1)                          Murmur3 seed
 *   top  (int, default 4, 0-15)      heaviest cells reported in the xstats
 * Outputs: 0 — every counted packet.
 * Drops: not-ipv4 — not an IPv4 frame (nothing to key on).
 * Extra counters: packets (sum over all cells), cells_used (non-zero cells),
 *   then top<i>_cell / top<i>_count for the `top` heaviest cells.
 * Stages: prep() hashes the 5-tuple and returns the cell exec() increments;
 *   prep depends on the flow alone (PREP_PURE_ON_FLOW), so a fastpath
 *   segment ending here keeps the cell of heavy flows and skips the hash.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { FLOW_COUNTER_OUT, FLOW_COUNTER_N_OUT };

enum { FLOW_COUNTER_DROP_NOT_IPV4 };

static const char *const flow_counter_drops[] = {
	[FLOW_COUNTER_DROP_NOT_IPV4] = "not-ipv4",
	NULL,
};

#define FLOW_COUNTER_MAX_TOP 15	/* 2 + 2 x 15 fit the core's 32 xstats */

/* The state object: sized by `size`, per worker. */
struct flow_counter_state {
	uint32_t mask;		/* size - 1 */
	unsigned int n_workers;
	/* Counts carried from earlier shapes (migrate), [size]; written by
	 * the control thread only. */
	uint64_t *carried;
	uint32_t *cells;	/* [n_workers][size] */
};

struct flow_counter {
	uint32_t mask;		/* size - 1 */
	uint32_t seed;
	unsigned int top;
	unsigned int n_workers;
	uint32_t *cells;	/* the state's */
	/* Each worker's row of cells: one load where prep would multiply. */
	uint32_t *row[ADN_MAX_WORKERS];
	const struct flow_counter_state *st;
};

static const struct adn_arg_spec flow_counter_args[] = {
	{ .name = "size", .type = ADN_ARG_INT, .min = 16, .max = 1 << 28,
	  .def_int = 1 << 20, .help = "counter cells (power of two)",
	  .knob = true, .shapes_state = true },
	{ .name = "seed", .type = ADN_ARG_INT, .min = 0, .max = UINT32_MAX,
	  .def_int = 0, .help = "Murmur3 seed", .shapes_state = true },
	{ .name = "top", .type = ADN_ARG_INT, .min = 0,
	  .max = FLOW_COUNTER_MAX_TOP, .def_int = 4,
	  .help = "heaviest cells shown in the xstats" },
	{ .name = NULL },
};

static void
flow_counter_state_destroy(void *data)
{
	struct flow_counter_state *st = data;

	rte_free(st->cells);
	rte_free(st->carried);
}

/* Old counts into the new shape, after the old arrays' last writer is
 * gone; the new cells may be counting already, so only `carried` (which
 * no worker writes) changes. */
static void
flow_counter_migrate(const char *key, void *to, const void *from)
{
	struct flow_counter_state *n = to;
	const struct flow_counter_state *o = from;
	const size_t osize = (size_t)o->mask + 1;

	for (size_t i = 0; i < osize; i++) {
		uint64_t v = o->carried ? o->carried[i] : 0;

		for (unsigned int w = 0; w < o->n_workers; w++)
			v += o->cells[w * osize + i];
		n->carried[i & n->mask] += v;
	}
}

static int
flow_counter_configure(struct adn_elem *e, struct adn_build *b)
{
	struct flow_counter *c = adn_elem_priv(e);
	int64_t size = adn_elem_arg_int(e, "size");
	struct flow_counter_state *st;
	struct adn_state_ref ref;
	int rc;

	if (!rte_is_power_of_2((uint32_t)size))
		return adn_build_error(b, e, "size",
				       "%" PRId64 " is not a power of two (e.g. 65536, 1048576)",
				       size);
	rc = adn_elem_state(e, b, "cells", sizeof(*st),
			    flow_counter_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	st = ref.data;
	if (!ref.reused) {
		st->mask = (uint32_t)size - 1;
		st->n_workers = adn_build_n_workers(b);
		st->cells = rte_zmalloc("flow_counter",
					sizeof(uint32_t) * (size_t)size *
					st->n_workers, RTE_CACHE_LINE_SIZE);
		st->carried = rte_zmalloc("flow_counter_carried",
					  sizeof(uint64_t) * (size_t)size,
					  RTE_CACHE_LINE_SIZE);
		if (st->cells == NULL || st->carried == NULL)
			return adn_build_error(b, e, "size",
					       "cannot allocate %u x %" PRId64 " counters",
					       st->n_workers, size);
	}
	c->mask = st->mask;
	c->seed = (uint32_t)adn_elem_arg_int(e, "seed");
	c->top = (unsigned int)adn_elem_arg_int(e, "top");
	c->n_workers = st->n_workers;
	c->cells = st->cells;
	for (unsigned int w = 0; w < st->n_workers; w++)
		c->row[w] = st->cells + (size_t)w * (st->mask + 1);
	c->st = st;
	return 0;
}

/* prep -> exec: the flow's cell (NULL: no IPv4 5-tuple). A fastpath may
 * keep it per flow (PREP_PURE_ON_FLOW). */
struct flow_counter_ctx {
	uint32_t *cell;
};

static const void *
flow_counter_prep(struct adn_elem *e, struct rte_mbuf *m,
		  union adn_pkt_ctx *ctx)
{
	const struct flow_counter *c = adn_elem_priv(e);
	struct flow_counter_ctx *x = ADN_PKT_CTX(ctx, struct flow_counter_ctx);
	struct adn_flow_key k;

	if (adn_pkt_flow_key(m, &k) < 0) {
		x->cell = NULL;
		return NULL;
	}
	x->cell = &c->row[adn_worker_index()][adn_flow_hash(&k, c->seed) &
					      c->mask];
	return x->cell;
}

static int
flow_counter_exec(struct adn_elem *e, struct rte_mbuf *m,
		  union adn_pkt_ctx *ctx)
{
	uint32_t *cell = ADN_PKT_CTX(ctx, struct flow_counter_ctx)->cell;

	if (cell == NULL)
		return adn_drop(FLOW_COUNTER_DROP_NOT_IPV4);
	(*cell)++;
	return FLOW_COUNTER_OUT;
}

/* Control plane: one pass over every cell; O(size x workers x top). */
static unsigned int
flow_counter_xstats(const struct adn_elem *e, struct adn_xstat *out,
		    unsigned int max)
{
	const struct flow_counter *c = adn_elem_priv(e);
	const size_t size = (size_t)c->mask + 1;
	uint32_t top_cell[FLOW_COUNTER_MAX_TOP] = { 0 };
	uint64_t top_cnt[FLOW_COUNTER_MAX_TOP] = { 0 };
	uint64_t total = 0, used = 0;
	unsigned int n = 0;

	struct adn_xstat all[2 + 2 * FLOW_COUNTER_MAX_TOP];

	if (c->cells == NULL)
		return 0;
	for (size_t i = 0; i < size; i++) {
		uint64_t v = c->st->carried[i];

		for (unsigned int w = 0; w < c->n_workers; w++)
			v += c->cells[w * size + i];
		total += v;
		used += v != 0;
		if (c->top == 0 || v <= top_cnt[c->top - 1])
			continue;
		/* Insert into the sorted top list. */
		unsigned int j = c->top - 1;

		while (j > 0 && top_cnt[j - 1] < v) {
			top_cnt[j] = top_cnt[j - 1];
			top_cell[j] = top_cell[j - 1];
			j--;
		}
		top_cnt[j] = v;
		top_cell[j] = (uint32_t)i;
	}
	snprintf(all[n].name, sizeof(all[n].name), "packets");
	all[n++].value = total;
	snprintf(all[n].name, sizeof(all[n].name), "cells_used");
	all[n++].value = used;
	for (unsigned int t = 0; t < c->top; t++) {
		snprintf(all[n].name, sizeof(all[n].name), "top%u_cell", t);
		all[n++].value = top_cell[t];
		snprintf(all[n].name, sizeof(all[n].name), "top%u_count", t);
		all[n++].value = top_cnt[t];
	}
	n = RTE_MIN(n, max);
	memcpy(out, all, sizeof(all[0]) * n);
	return n;
}

static const struct adn_elem_desc flow_counter_desc = {
	.name = "FlowCounter",
	.help = "count packets per flow in a Murmur3-indexed array of 32-bit counters",
	/* prep's cell depends only on the flow and the worker. */
	.flags = ADN_ELEM_STATEFUL_PER_CORE | ADN_ELEM_PREP_PURE_ON_FLOW,
	.prep_ctx_bytes = sizeof(struct flow_counter_ctx),
	.priv_size = sizeof(struct flow_counter),
	.n_outputs = FLOW_COUNTER_N_OUT,
	.drop_reasons = flow_counter_drops,
	.args = flow_counter_args,
	.configure = flow_counter_configure,
	.migrate = flow_counter_migrate,
	ADN_ELEM_STAGES(flow_counter),
	.xstats = flow_counter_xstats,
};

ADN_ELEM_REGISTER(flow_counter_desc);
