/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executor: runs elements in topological order, splits each batch by
 * output port, frees drops in bulk, and counts every mbuf exactly once.
 */
#include <stdlib.h>

#include <rte_malloc.h>

#include "adn_pipeline.h"
#include "adn_tpl.h"

struct adn_exec *
adn_exec_create(const struct adn_pipeline *p, unsigned int worker)
{
	struct adn_exec *x = rte_zmalloc("adn_exec", sizeof(*x),
					 RTE_CACHE_LINE_SIZE);

	if (x == NULL)
		return NULL;
	x->p = p;
	x->worker = worker;
	x->in = rte_zmalloc("adn_exec_in", sizeof(*x->in) * p->n_elems, 0);
	if (x->in == NULL)
		goto fail;
	for (unsigned int i = 0; i < p->n_elems; i++) {
		x->in[i] = rte_zmalloc("adn_batch", sizeof(struct adn_batch),
				       RTE_CACHE_LINE_SIZE);
		if (x->in[i] == NULL)
			goto fail;
	}
	return x;
fail:
	adn_exec_free(x);
	return NULL;
}

void
adn_exec_free(struct adn_exec *x)
{
	if (x == NULL)
		return;
	for (unsigned int i = 0; x->in && i < x->p->n_elems; i++)
		rte_free(x->in[i]);
	rte_free(x->in);
	rte_free(x);
}

/* Move the batch of element `e` to its successors per b->out[]. */
static inline void
route(struct adn_exec *x, const struct adn_elem *e,
      struct adn_elem_stats *st)
{
	struct adn_batch *b = x->in[e->index];
	const uint16_t n = b->n;
	const int16_t first = b->out[0];
	uint16_t i, n_drop = 0;

	for (i = 1; i < n; i++)
		if (b->out[i] != first)
			break;

	/* All one way to an idle successor: hand over the whole batch by
	 * swapping batch pointers, no per-packet copy. */
	if (i == n && first >= 0 && first < e->n_outputs &&
	    x->in[e->next[first]]->n == 0) {
		struct adn_batch *tmp = x->in[e->next[first]];

		x->in[e->next[first]] = b;
		x->in[e->index] = tmp;
		st->out[first] += n;
		return;
	}

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		int o = b->out[i];

		if (o >= 0) {
			struct adn_batch *d;

			if (o >= e->n_outputs) {
				st->drop[ADN_DROP_BAD_PORT]++;
				x->drops[n_drop++] = m;
				continue;
			}
			d = x->in[e->next[o]];
			if (unlikely(d->n == ADN_BATCH_MAX)) {
				st->drop[ADN_DROP_OVERFLOW]++;
				x->drops[n_drop++] = m;
				continue;
			}
			d->pkts[d->n++] = m;
			st->out[o]++;
		} else if (o == ADN_CONSUMED) {
			st->consumed++;
		} else {
			unsigned int r = (unsigned int)(ADN_DROP_BASE - o);

			st->drop[r < ADN_MAX_DROP_REASONS ? r :
				 ADN_DROP_BAD_PORT]++;
			x->drops[n_drop++] = m;
		}
	}
	if (n_drop)
		rte_pktmbuf_free_bulk(x->drops, n_drop);
	b->n = 0;
}

void
adn_exec_run(struct adn_exec *x, unsigned int from)
{
	const struct adn_pipeline *p = x->p;
	unsigned int w = x->worker;

	x->in_flight = x->in[from]->n;
	for (unsigned int i = from; i < p->n_elems; i++) {
		struct adn_batch *b = x->in[i];
		struct adn_elem *e;
		struct adn_elem_stats *st;

		if (b->n == 0)
			continue;
		e = p->elems[i];
		st = &e->stats[w];
		st->in += b->n;
		adn_tpl_run(e, b);
		route(x, e, st);
	}
	x->in_flight = 0;
}
