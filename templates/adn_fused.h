/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chain templates: `fused` runs a linear chain of stage-form elements
 * group by group, each group through every element of the chain in one
 * loop (NFMorph's amalgamation), so a packet's headers and the state it
 * touched are still in L1 when the next element needs them. `jit` is the
 * same loop emitted as C with the stages inlined (templates/adn_jit.c).
 *
 * Links inside a chain: output o of e[m] continues to e[m+1] when bit o of
 * cont[m] is set. A packet leaving elsewhere (another port, consumed,
 * dropped) exits the chain at e[m] with its code; the executor routes it
 * from there as if e[m] had run alone, so stats and successors see exactly
 * what unfused execution would give.
 */
#ifndef _ADN_FUSED_H_
#define _ADN_FUSED_H_

#include "adn_tpl.h"

/*
 * A chain's fastpath segment (NFMorph §2.2: "cache the routing
 * computations for the most popular flows"): an element under fastpath<C>
 * inside a chain heads a segment of the elements after it that are
 * PURE_ON_FLOW, ended by at most one PREP_PURE_ON_FLOW element. The head
 * keys each packet and looks its flow up once; a hit skips the pure
 * elements (their cached output codes route it exactly as they would)
 * and the last element's prep (its cached ctx feeds exec). A miss runs
 * them and, where it leaves the segment, learns. As every element but
 * the last is pure, a hit retraces the path its flow took when learned.
 *
 * An element's role, a constant in the jit: ADN_FP_* flags, and in bits
 * 8-15 its slot in the entry's out[] (ADN_FP_OUT) or its ctx bytes
 * (ADN_FP_CTX).
 */
enum {
	ADN_FP_IN = 1 << 0,	/* in the segment */
	ADN_FP_HEAD = 1 << 1,	/* keys and looks up each packet */
	ADN_FP_OUT = 1 << 2,	/* PURE_ON_FLOW: output code cached */
	ADN_FP_CTX = 1 << 3,	/* PREP_PURE_ON_FLOW: prep ctx cached */
	ADN_FP_LAST = 1 << 4,	/* a miss that gets this far learns */
};
#define ADN_FP_ROLE(flags, param) ((uint32_t)(flags) | (uint32_t)(param) << 8)
#define ADN_FP_PARAM(role) (((role) >> 8) & 0xff)

/* One worker's segment: its cache and, per packet of the batch, its key,
 * the value it hit (in the cache; NULL on a miss) or is building (rec[]),
 * and the misses to learn when the batch ends. Learning waits for the end
 * so an entry a packet hit stays in place meanwhile. */
struct adn_chain_fp {
	struct adn_fastpath *cache;
	unsigned int head, n;		/* chain positions [head, head + n) */
	uint16_t n_learn;
	struct adn_fastpath_key key[ADN_BATCH_MAX];
	const struct adn_fastpath_val *hit[ADN_BATCH_MAX];
	struct adn_fastpath_val rec[ADN_BATCH_MAX];
	uint16_t learn[ADN_BATCH_MAX];
};

/* The largest group of a chain template (fused<N>, jit<N>: N <= 32). */
#define ADN_CHAIN_GROUP_MAX 32

/* at[i] of a packet still in the chain: a position is written only where
 * the packet leaves, so one that goes all the way costs one store, not
 * one per element. */
#define ADN_CHAIN_LIVE UINT8_MAX

struct adn_chain;
struct adn_jit_lib;

/* Runs chain `c` over `b`: b->out[i] is packet i's exit code, at[i] the
 * chain position it exited at; st[m] are e[m]'s stats of this worker (for
 * the transitions inside the chain). */
typedef void (*adn_chain_fn)(const struct adn_chain *c, struct adn_batch *b,
			     uint8_t *at, struct adn_elem_stats *const *st);

typedef const void *(*adn_prep_fn)(struct adn_elem *e, struct rte_mbuf *m,
				   union adn_pkt_ctx *ctx);
typedef int (*adn_exec_fn)(struct adn_elem *e, struct rte_mbuf *m,
			   union adn_pkt_ctx *ctx);
typedef void (*adn_bulk_fn)(struct adn_elem *e, struct rte_mbuf *const *m,
			    union adn_pkt_ctx *const *ctx, uint16_t n);

struct adn_chain {
	unsigned int n;
	uint32_t group;
	struct adn_elem *e[ADN_CHAIN_ELEMS];
	uint16_t cont[ADN_CHAIN_ELEMS];
	uint32_t role[ADN_CHAIN_ELEMS];	/* ADN_FP_ROLE; 0 outside */
	struct adn_chain_fp *fp;	/* NULL: no fastpath segment */
	adn_chain_fn fn;		/* compiled, or adn_fused_run */
	struct adn_jit_lib *lib;	/* jit: the object holding fn, or NULL */
};

/* Group `g` of a batch: packets [*lo, *hi); false when g is not one. */
static inline bool
adn_chain_group(int g, uint16_t n, uint16_t size, uint16_t *lo, uint16_t *hi)
{
	if (g < 0 || g * size >= n)
		return false;
	*lo = (uint16_t)(g * size);
	*hi = (uint16_t)RTE_MIN(n, (unsigned int)(g + 1) * size);
	return true;
}

/* Per batch: a state change of any segment element flushes its cache;
 * adn_chain_end learns the misses. */
static inline void
adn_chain_begin(const struct adn_chain *c, const struct adn_batch *b)
{
	struct adn_chain_fp *fp = c->fp;
	uint32_t gen = 0;

	if (fp == NULL)
		return;
	for (unsigned int m = fp->head; m < fp->head + fp->n; m++)
		gen += adn_elem_state_gen(c->e[m]);
	adn_fastpath_sync(fp->cache, gen, b->n);
	fp->n_learn = 0;
}

static inline void
adn_chain_end(const struct adn_chain *c, const struct adn_batch *b)
{
	struct adn_chain_fp *fp = c->fp;

	if (fp == NULL)
		return;
	for (uint16_t k = 0; k < fp->n_learn; k++) {
		const uint16_t i = fp->learn[k];

		adn_fastpath_learn(fp->cache, &fp->key[i], &fp->rec[i]);
	}
}

static inline void
adn_chain_start(struct adn_batch *b, uint8_t *at, int g, uint16_t size)
{
	uint16_t lo, hi;

	if (adn_chain_group(g, b->n, size, &lo, &hi))
		for (uint16_t i = lo; i < hi; i++) {
			at[i] = ADN_CHAIN_LIVE;
			adn_tpl_prefetch_hdr(b->pkts[i]);
		}
}

/* Whether packet i of group g is at element m: the elements run on a
 * group in order, so the packets still in the chain are. Element 0 sees
 * its whole group (adn_chain_start marked it, nothing ran on it since),
 * so only later elements check at[]. */
static __rte_always_inline bool
adn_chain_here(const uint8_t *at, unsigned int i, const unsigned int m)
{
	return m == 0 || at[i] == ADN_CHAIN_LIVE;
}

/* exec of element m on packet i (adn_chain_exec_step): continues, or
 * leaves the chain with its code. */
static __rte_always_inline void
adn_chain_exec_pkt(const struct adn_chain *c, struct adn_batch *b,
		   uint8_t *at, struct adn_elem_stats *const sm,
		   const unsigned int i, const unsigned int m,
		   const unsigned int n_elems, struct adn_elem *e,
		   const adn_exec_fn exec, const uint16_t cont,
		   const uint32_t role, unsigned int *n_on)
{
	const bool one_cont = (cont & (cont - 1)) == 0;
	struct adn_chain_fp *fp = c->fp;
	bool on;
	int o;

	if ((role & ADN_FP_OUT) && fp->hit[i] != NULL)
		o = fp->hit[i]->out[ADN_FP_PARAM(role)];
	else
		o = exec(e, b->pkts[i], &b->ctx[i]);
	on = m + 1 < n_elems && (unsigned int)o < ADN_MAX_OUTPUTS &&
		((cont >> o) & 1);
	if ((role & ADN_FP_IN) && fp->hit[i] == NULL) {
		if (role & ADN_FP_OUT) {
			fp->key[i].valid &= adn_fastpath_code_fits(o);
			fp->rec[i].out[ADN_FP_PARAM(role)] = (int8_t)o;
		}
		if (!on || (role & ADN_FP_LAST))
			fp->learn[fp->n_learn++] = i;
	}
	if (on) {
		(*n_on)++;
		if (!one_cont)
			sm->out[o]++;
	} else {
		b->out[i] = (int16_t)o;
		at[i] = (uint8_t)m;
	}
}

/* exec of element m over its packets of group g (after its bulk stage,
 * if any, over those that will exec): each continues to m + 1 (counted
 * as a link inside the chain) or exits with its code. The jit passes
 * every argument but c, b, at, whole, st and g as a constant. */
static __rte_always_inline void
adn_chain_exec_step(const struct adn_chain *c, struct adn_batch *b,
		    uint8_t *at, bool *whole, struct adn_elem_stats *const *st,
		    const unsigned int m, const int g, const uint16_t size,
		    const unsigned int n_elems, struct adn_elem *e,
		    const adn_bulk_fn bulk, const adn_exec_fn exec,
		    const uint16_t cont, const uint32_t role)
{
	/* One output continues (the rule): the links are counted once per
	 * group, not per packet. */
	const bool one_cont = (cont & (cont - 1)) == 0;
	struct adn_chain_fp *fp = c->fp;
	struct adn_elem_stats *const sm = st[m];
	unsigned int n_on = 0;
	uint16_t lo, hi;
	bool all;

	if (!adn_chain_group(g, b->n, size, &lo, &hi))
		return;
	all = m == 0 || whole[g];
	if (bulk != NULL) {
		struct rte_mbuf *bm[ADN_CHAIN_GROUP_MAX];
		union adn_pkt_ctx *bc[ADN_CHAIN_GROUP_MAX];
		unsigned int nb = 0;

		/* Every packet written, the count moved only for those that
		 * exec: no branch per packet. */
		for (unsigned int i = lo; i < hi; i++) {
			bm[nb] = b->pkts[i];
			bc[nb] = &b->ctx[i];
			nb += (all || adn_chain_here(at, i, m)) &&
				!((role & ADN_FP_OUT) && fp->hit[i] != NULL);
		}
		if (nb > 0)
			bulk(e, bm, bc, (uint16_t)nb);
	}
	/* A group none of whose packets has left runs without asking each
	 * where it is. */
	if (all)
		for (unsigned int i = lo; i < hi; i++)
			adn_chain_exec_pkt(c, b, at, sm, i, m, n_elems, e,
					   exec, cont, role, &n_on);
	else
		for (unsigned int i = lo; i < hi; i++)
			if (adn_chain_here(at, i, m))
				adn_chain_exec_pkt(c, b, at, sm, i, m,
						   n_elems, e, exec, cont,
						   role, &n_on);
	whole[g] = n_on == (unsigned int)(hi - lo);
	if (n_on > 0) {
		st[m + 1]->in += n_on;
		if (one_cont)
			sm->out[rte_bsf32(cont)] += n_on;
	}
}

/* prep of element m on packet i (adn_chain_prep_step). */
static __rte_always_inline void
adn_chain_prep_pkt(const struct adn_chain *c, struct adn_batch *b,
		   const unsigned int i, struct adn_elem *e,
		   const adn_prep_fn prep, const uint32_t role)
{
	struct adn_chain_fp *fp = c->fp;

	if (role & ADN_FP_HEAD)
		fp->hit[i] = adn_fastpath_lookup(fp->cache, &fp->key[i]);
	if ((role & ADN_FP_IN) && fp->hit[i] != NULL) {
		if (role & ADN_FP_CTX)
			memcpy(&b->ctx[i], fp->hit[i]->ctx, ADN_FP_PARAM(role));
		return;
	}
	if (prep != NULL)
		adn_tpl_prefetch_prep(prep(e, b->pkts[i], &b->ctx[i]));
	if (role & ADN_FP_CTX)
		memcpy(fp->rec[i].ctx, &b->ctx[i], ADN_FP_PARAM(role));
}

/* prep of element m over its packets of group g, prefetching what it
 * returns; the segment head first looks each packet's flow up. */
static __rte_always_inline void
adn_chain_prep_step(const struct adn_chain *c, struct adn_batch *b,
		    const uint8_t *at, const bool *whole, const unsigned int m,
		    const int g, const uint16_t size, struct adn_elem *e,
		    const adn_prep_fn prep, const uint32_t role)
{
	struct adn_chain_fp *fp = c->fp;
	uint16_t lo, hi;
	bool all;

	if ((prep == NULL && role == 0) ||
	    !adn_chain_group(g, b->n, size, &lo, &hi))
		return;
	all = m == 0 || whole[g];
	/* Key the whole group first, so the keying of one packet overlaps
	 * the lookups of others instead of waiting behind them. */
	if (role & ADN_FP_HEAD)
		for (unsigned int i = lo; i < hi; i++)
			if (all || adn_chain_here(at, i, m))
				adn_fastpath_key(b->pkts[i], &fp->key[i]);
	if (all)
		for (unsigned int i = lo; i < hi; i++)
			adn_chain_prep_pkt(c, b, i, e, prep, role);
	else
		for (unsigned int i = lo; i < hi; i++)
			if (adn_chain_here(at, i, m))
				adn_chain_prep_pkt(c, b, i, e, prep, role);
}

/*
 * The generic `fused` loop: a software pipeline along the chain. Round r
 * runs, for each element m in order, exec of group r-1-m and prep of group
 * r-m, so every exec reads what its prep prefetched a whole round
 * earlier, and a packet reaches element m+1's prep right after element
 * m's exec in the same round. The headers of group r+1 are prefetched in
 * round r.
 */
static inline void
adn_fused_run(const struct adn_chain *c, struct adn_batch *b, uint8_t *at,
	      struct adn_elem_stats *const *st)
{
	const uint16_t size = (uint16_t)c->group;
	const int groups = (b->n + size - 1) / size;
	bool whole[ADN_BATCH_MAX];	/* per group: no packet has left */

	adn_chain_begin(c, b);
	adn_chain_start(b, at, 0, size);
	for (int r = 0; r < groups + (int)c->n; r++) {
		adn_chain_start(b, at, r + 1, size);
		for (unsigned int m = 0; m < c->n; m++) {
			struct adn_elem *e = c->e[m];

			adn_chain_exec_step(c, b, at, whole, st, m,
					    r - 1 - (int)m,
					    size, c->n, e,
					    adn_elem_has_bulk(e) ? e->desc->bulk :
					    NULL,
					    e->desc->exec, c->cont[m],
					    c->role[m]);
			adn_chain_prep_step(c, b, at, whole, m, r - (int)m,
					    size, e,
					    e->desc->prep, c->role[m]);
		}
	}
	adn_chain_end(c, b);
}

#endif /* _ADN_FUSED_H_ */
