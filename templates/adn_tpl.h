/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: the loop structures that drive an element's stages. The
 * element's algorithm is written once (prep/exec); how it is looped over a
 * batch is chosen here (ARCHITECTURE §5, NFMorph §2.1).
 *
 * Element templates are adn_tpl_run_fn loops over one element's input
 * batch (this file); chain templates (`fused`, `jit`) run a linear chain of
 * elements group by group (templates/adn_fused.h, templates/adn_jit.c);
 * `scalar` walks the pipeline packet by packet. Each registers its
 * operations (lib/core/adn_template.h) in templates/tpl_*.c, so a new
 * template is one more loop and one more ops struct, usable at once by
 * every stage-form element, by configs and by adn-bench.
 */
#ifndef _ADN_TPL_H_
#define _ADN_TPL_H_

#include <string.h>

#include <rte_prefetch.h>

#include "adn_elem.h"
#include "adn_fastpath.h"
#include "adn_template.h"

/* Prefetch the start of the frame: the Ethernet and IP headers every
 * stage-form element reads first. */
static inline void
adn_tpl_prefetch_hdr(const struct rte_mbuf *m)
{
	rte_prefetch0(rte_pktmbuf_mtod(m, const void *));
}

/* Prefetch what prep returned, NULL (nothing to fetch) included: a
 * prefetch never faults, and testing for NULL costs a branch a packet. */
static __rte_always_inline void
adn_tpl_prefetch_prep(const void *a)
{
	rte_prefetch0(a);
}

static inline void
adn_tpl_prep_prefetch(const struct adn_elem_desc *d, struct adn_elem *e,
		      struct adn_batch *b, uint16_t i)
{
	if (d->prep != NULL)
		adn_tpl_prefetch_prep(d->prep(e, b->pkts[i], &b->ctx[i]));
}

/* The element's bulk stage over packets idx[0..n) of b, or over [lo, hi)
 * when idx is NULL. */
static inline void
adn_tpl_bulk(const struct adn_elem_desc *d, struct adn_elem *e,
	     struct adn_batch *b, const uint16_t *idx, uint16_t lo,
	     uint16_t hi)
{
	struct rte_mbuf *m[ADN_BATCH_MAX];
	union adn_pkt_ctx *c[ADN_BATCH_MAX];
	uint16_t n = 0;

	for (uint16_t k = lo; k < hi; k++, n++) {
		const uint16_t i = idx != NULL ? idx[k] : k;

		m[n] = b->pkts[i];
		c[n] = &b->ctx[i];
	}
	if (n > 0)
		d->bulk(e, m, c, n);
}

/* `batch`: every packet of the batch through prep then exec (with a bulk
 * stage: prep all, bulk all, exec all). */
static inline void
adn_tpl_batch(struct adn_tpl_inst *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e[0];
	const struct adn_elem_desc *d = e->desc;

	if (adn_elem_has_bulk(e)) {
		for (uint16_t i = 0; i < b->n; i++)
			if (d->prep != NULL)
				d->prep(e, b->pkts[i], &b->ctx[i]);
		adn_tpl_bulk(d, e, b, NULL, 0, b->n);
		for (uint16_t i = 0; i < b->n; i++)
			b->out[i] = (int16_t)d->exec(e, b->pkts[i],
						     &b->ctx[i]);
		return;
	}
	for (uint16_t i = 0; i < b->n; i++) {
		if (d->prep != NULL)
			d->prep(e, b->pkts[i], &b->ctx[i]);
		b->out[i] = (int16_t)d->exec(e, b->pkts[i], &b->ctx[i]);
	}
}

/* `prefetch`: pass 1 prefetches every header, pass 2 runs prep and
 * prefetches the address it returns, pass 3 runs exec (NFMorph §2.1). */
static inline void
adn_tpl_prefetch(struct adn_tpl_inst *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e[0];
	const struct adn_elem_desc *d = e->desc;
	const uint16_t n = b->n;

	for (uint16_t i = 0; i < n; i++)
		adn_tpl_prefetch_hdr(b->pkts[i]);
	for (uint16_t i = 0; i < n; i++)
		adn_tpl_prep_prefetch(d, e, b, i);
	if (adn_elem_has_bulk(e))
		adn_tpl_bulk(d, e, b, NULL, 0, n);
	for (uint16_t i = 0; i < n; i++)
		b->out[i] = (int16_t)d->exec(e, b->pkts[i], &b->ctx[i]);
}

/*
 * `group<N>`: software pipelining over groups of N packets. Round k
 * prefetches the headers of group k+1, runs prep of group k (prefetching
 * what it will read) and exec of group k-1, whose data had a whole round
 * to arrive. N is a compile-time constant so the inner loops unroll.
 */
static __rte_always_inline void
adn_tpl_group_n(struct adn_tpl_inst *t, struct adn_batch *b, const uint16_t N)
{
	struct adn_elem *e = t->e[0];
	const struct adn_elem_desc *d = e->desc;
	const uint16_t n = b->n;
	const uint16_t groups = (uint16_t)((n + N - 1) / N);

	for (uint16_t i = 0; i < RTE_MIN(n, N); i++)
		adn_tpl_prefetch_hdr(b->pkts[i]);
	for (uint16_t k = 0; k <= groups; k++) {
		const uint16_t cur = (uint16_t)(k * N);

		for (uint16_t i = cur + N; i < RTE_MIN(n, cur + 2 * N); i++)
			adn_tpl_prefetch_hdr(b->pkts[i]);
		for (uint16_t i = cur; i < RTE_MIN(n, cur + N); i++)
			adn_tpl_prep_prefetch(d, e, b, i);
		if (k == 0)
			continue;
		if (adn_elem_has_bulk(e))
			adn_tpl_bulk(d, e, b, NULL, cur - N, RTE_MIN(n, cur));
		for (uint16_t i = cur - N; i < RTE_MIN(n, cur); i++)
			b->out[i] = (int16_t)d->exec(e, b->pkts[i],
						     &b->ctx[i]);
	}
}

#define ADN_TPL_GROUP(N) \
	static inline void \
	adn_tpl_group ## N(struct adn_tpl_inst *t, struct adn_batch *b) \
	{ \
		adn_tpl_group_n(t, b, N); \
	}
ADN_TPL_GROUP(2)
ADN_TPL_GROUP(4)
ADN_TPL_GROUP(8)
#undef ADN_TPL_GROUP

/*
 * `fastpath<C>`: results of the heaviest flows served from a C-entry
 * cache (templates/adn_fastpath.h), the rest through prep and exec with
 * prefetch. Only for ADN_ELEM_PURE_ON_FLOW elements, whose output code is
 * a function of the 5-tuple and of state that changes only through
 * control(); the cache is flushed whenever that state's generation moves,
 * so it never serves a result the element would no longer give.
 */
static inline void
adn_tpl_fastpath(struct adn_tpl_inst *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e[0];
	const struct adn_elem_desc *d = e->desc;
	struct adn_fastpath *fp = t->priv;
	const uint16_t n = b->n;
	struct adn_fastpath_key keys[ADN_BATCH_MAX];
	uint16_t miss[ADN_BATCH_MAX], n_miss = 0;

	adn_fastpath_sync(fp, adn_elem_state_gen(e), n);
	for (uint16_t i = 0; i < n; i++)
		adn_fastpath_key(b->pkts[i], &keys[i]);
	for (uint16_t i = 0; i < n; i++) {
		const struct adn_fastpath_val *v =
			adn_fastpath_lookup(fp, &keys[i]);

		if (v == NULL)
			miss[n_miss++] = i;
		else
			b->out[i] = v->out[0];
	}
	/* Misses: prefetch-style through the element, then learn. */
	for (uint16_t k = 0; k < n_miss; k++)
		adn_tpl_prep_prefetch(d, e, b, miss[k]);
	if (adn_elem_has_bulk(e))
		adn_tpl_bulk(d, e, b, miss, 0, n_miss);
	for (uint16_t k = 0; k < n_miss; k++) {
		uint16_t i = miss[k];
		struct adn_fastpath_val v = { .out = { 0 } };
		int o = d->exec(e, b->pkts[i], &b->ctx[i]);

		b->out[i] = (int16_t)o;
		keys[i].valid &= adn_fastpath_code_fits(o);
		v.out[0] = (int8_t)o;
		adn_fastpath_learn(fp, &keys[i], &v);
	}
}

#endif /* _ADN_TPL_H_ */
