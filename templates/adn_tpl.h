/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: the loop structures that drive an element's stages. The
 * element's algorithm is written once (prep/exec); how it is looped over a
 * batch is chosen here (ARCHITECTURE §5, NFMorph §2.1).
 *
 * Per-element templates are adn_tpl_fn functions run on one element's input
 * batch. Chain templates (`fused`, `jit`) run a linear chain of elements
 * group by group (templates/adn_fused.h, templates/adn_jit.c). A plan
 * (lib/core/adn_plan.h) names one of adn_tpls[] per element, so a new
 * template is one more function and one more row, usable at once by every
 * stage-form element, by configs and by adn-bench.
 */
#ifndef _ADN_TPL_H_
#define _ADN_TPL_H_

#include <string.h>

#include <rte_prefetch.h>

#include "adn_elem.h"
#include "adn_fastpath.h"

struct adn_tpl_run;

/* Runs element t->e over batch `b`, filling b->out[]. */
typedef void (*adn_tpl_fn)(struct adn_tpl_run *t, struct adn_batch *b);

/* One element's template instance inside one executor (one worker). */
struct adn_tpl_run {
	adn_tpl_fn fn;
	struct adn_elem *e;
	const struct adn_tpl *tpl;
	uint32_t param;			/* group size, cache entries */
	struct adn_fastpath *fp;	/* fastpath: this worker's cache */
};

/* What a template's parameter means, for parsing `group4` or `fastpath256`. */
enum adn_tpl_param {
	ADN_TPL_PARAM_NONE,
	ADN_TPL_PARAM_GROUP,	/* packets per group: 1, 2, 4, ..., 32 */
	ADN_TPL_PARAM_CACHE,	/* cache entries: a power of two */
};

enum adn_tpl_kind {
	ADN_TPL_ELEM,		/* loops over one element */
	ADN_TPL_CHAIN,		/* loops over a fused chain of elements */
	ADN_TPL_SCALAR,		/* the executor's packet-at-a-time mode */
};

struct adn_tpl {
	const char *name;
	enum adn_tpl_kind kind;
	enum adn_tpl_param param;
	uint32_t def_param, min_param, max_param;
	/* Per-element templates: the loop for group size / cache `param`. */
	adn_tpl_fn (*fn)(uint32_t param);
	uint32_t needs_flags;	/* the element must have all these flags */
	const char *help;
};

/* Prefetch the start of the frame: the Ethernet and IP headers every
 * stage-form element reads first. */
static inline void
adn_tpl_prefetch_hdr(const struct rte_mbuf *m)
{
	rte_prefetch0(rte_pktmbuf_mtod(m, const void *));
}

static inline void
adn_tpl_prep_prefetch(const struct adn_elem_desc *d, struct adn_elem *e,
		      struct adn_batch *b, uint16_t i)
{
	if (d->prep != NULL) {
		const void *a = d->prep(e, b->pkts[i], &b->ctx[i]);

		if (a != NULL)
			rte_prefetch0(a);
	}
}

/* `batch`: every packet of the batch through prep then exec. */
static inline void
adn_tpl_batch(struct adn_tpl_run *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e;
	const struct adn_elem_desc *d = e->desc;

	for (uint16_t i = 0; i < b->n; i++) {
		if (d->prep != NULL)
			d->prep(e, b->pkts[i], &b->ctx[i]);
		b->out[i] = (int16_t)d->exec(e, b->pkts[i], &b->ctx[i]);
	}
}

/* `prefetch`: pass 1 prefetches every header, pass 2 runs prep and
 * prefetches the address it returns, pass 3 runs exec (NFMorph §2.1). */
static inline void
adn_tpl_prefetch(struct adn_tpl_run *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e;
	const struct adn_elem_desc *d = e->desc;
	const uint16_t n = b->n;

	for (uint16_t i = 0; i < n; i++)
		adn_tpl_prefetch_hdr(b->pkts[i]);
	for (uint16_t i = 0; i < n; i++)
		adn_tpl_prep_prefetch(d, e, b, i);
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
adn_tpl_group_n(struct adn_tpl_run *t, struct adn_batch *b, const uint16_t N)
{
	struct adn_elem *e = t->e;
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
		for (uint16_t i = cur - N; i < RTE_MIN(n, cur); i++)
			b->out[i] = (int16_t)d->exec(e, b->pkts[i],
						     &b->ctx[i]);
	}
}

#define ADN_TPL_GROUP(N) \
	static inline void \
	adn_tpl_group ## N(struct adn_tpl_run *t, struct adn_batch *b) \
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
adn_tpl_fastpath(struct adn_tpl_run *t, struct adn_batch *b)
{
	struct adn_elem *e = t->e;
	const struct adn_elem_desc *d = e->desc;
	struct adn_fastpath *fp = t->fp;
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

static inline adn_tpl_fn
adn_tpl_fn_batch(uint32_t param __rte_unused)
{
	return adn_tpl_batch;
}

static inline adn_tpl_fn
adn_tpl_fn_prefetch(uint32_t param __rte_unused)
{
	return adn_tpl_prefetch;
}

static inline adn_tpl_fn
adn_tpl_fn_group(uint32_t param)
{
	return param == 2 ? adn_tpl_group2 :
		param == 4 ? adn_tpl_group4 : adn_tpl_group8;
}

static inline adn_tpl_fn
adn_tpl_fn_fastpath(uint32_t param __rte_unused)
{
	return adn_tpl_fastpath;
}

/* Batch-form elements take no template: their own process() is the loop. */
static inline void
adn_tpl_process(struct adn_tpl_run *t, struct adn_batch *b)
{
	t->e->desc->process(t->e, b);
}

/* Every template a plan may name. */
static const struct adn_tpl adn_tpls[] = {
	{ "scalar", ADN_TPL_SCALAR, ADN_TPL_PARAM_NONE, 0, 0, 0, NULL, 0,
	  "one packet at a time through the whole pipeline (the strawman)" },
	{ "batch", ADN_TPL_ELEM, ADN_TPL_PARAM_NONE, 0, 0, 0,
	  adn_tpl_fn_batch, 0,
	  "each element over the whole batch, prep+exec per packet" },
	{ "prefetch", ADN_TPL_ELEM, ADN_TPL_PARAM_NONE, 0, 0, 0,
	  adn_tpl_fn_prefetch, 0,
	  "prefetch headers, prep all and prefetch what they return, exec all" },
	{ "group", ADN_TPL_ELEM, ADN_TPL_PARAM_GROUP, 4, 2, 8,
	  adn_tpl_fn_group, 0,
	  "group<N>, N = 2, 4, 8: prep group k while exec group k-1" },
	{ "fastpath", ADN_TPL_ELEM, ADN_TPL_PARAM_CACHE, 1024, 16, 65536,
	  adn_tpl_fn_fastpath, ADN_ELEM_PURE_ON_FLOW,
	  "fastpath<C>: results of heavy-hitter flows from a C-entry cache" },
	{ "fused", ADN_TPL_CHAIN, ADN_TPL_PARAM_GROUP, 8, 1, 32, NULL, 0,
	  "fused<N>: a chain of elements run group by group in one loop" },
	{ "jit", ADN_TPL_CHAIN, ADN_TPL_PARAM_GROUP, 8, 1, 32, NULL, 0,
	  "jit<N>: the fused chain compiled to native code (falls back to fused)" },
};

/* The template called `name`, or NULL. */
static inline const struct adn_tpl *
adn_tpl_find(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(adn_tpls); i++)
		if (strcmp(adn_tpls[i].name, name) == 0)
			return &adn_tpls[i];
	return NULL;
}

#endif /* _ADN_TPL_H_ */
