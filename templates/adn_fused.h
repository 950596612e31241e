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

#define ADN_CHAIN_ELEMS 16

struct adn_chain;

/* Runs chain `c` over `b`: b->out[i] is packet i's exit code, at[i] the
 * chain position it exited at; st[m] are e[m]'s stats of this worker (for
 * the transitions inside the chain). */
typedef void (*adn_chain_fn)(const struct adn_chain *c, struct adn_batch *b,
			     uint8_t *at, struct adn_elem_stats *const *st);

struct adn_chain {
	unsigned int n;
	uint32_t group;
	struct adn_elem *e[ADN_CHAIN_ELEMS];
	uint16_t cont[ADN_CHAIN_ELEMS];
	const struct adn_tpl *tpl;	/* fused or jit */
	adn_chain_fn fn;		/* compiled, or adn_fused_run */
	char status[160];		/* jit: "compiled", or why not */
};

static inline int
adn_chain_continues(const struct adn_chain *c, unsigned int m, int o)
{
	return m + 1 < c->n && o >= 0 && o < ADN_MAX_OUTPUTS &&
		((c->cont[m] >> o) & 1);
}

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

static inline void
adn_chain_start(struct adn_batch *b, uint8_t *at, int g, uint16_t size)
{
	uint16_t lo, hi;

	if (adn_chain_group(g, b->n, size, &lo, &hi))
		for (uint16_t i = lo; i < hi; i++) {
			at[i] = 0;
			adn_tpl_prefetch_hdr(b->pkts[i]);
		}
}

/* exec of element m over its packets of group g: each continues to m + 1
 * (counted as a link inside the chain) or exits with its code. */
static __rte_always_inline void
adn_chain_exec(const struct adn_chain *c, struct adn_batch *b, uint8_t *at,
	       struct adn_elem_stats *const *st, unsigned int m, int g)
{
	struct adn_elem *e = c->e[m];
	uint16_t lo, hi;

	if (!adn_chain_group(g, b->n, (uint16_t)c->group, &lo, &hi))
		return;
	for (uint16_t i = lo; i < hi; i++) {
		int o;

		if (at[i] != m)
			continue;
		o = e->desc->exec(e, b->pkts[i], &b->ctx[i]);
		if (adn_chain_continues(c, m, o)) {
			st[m]->out[o]++;
			st[m + 1]->in++;
			at[i] = (uint8_t)(m + 1);
		} else {
			b->out[i] = (int16_t)o;
		}
	}
}

static __rte_always_inline void
adn_chain_prep(const struct adn_chain *c, struct adn_batch *b, uint8_t *at,
	       unsigned int m, int g)
{
	struct adn_elem *e = c->e[m];
	uint16_t lo, hi;

	if (!adn_chain_group(g, b->n, (uint16_t)c->group, &lo, &hi))
		return;
	for (uint16_t i = lo; i < hi; i++)
		if (at[i] == m)
			adn_tpl_prep_prefetch(e->desc, e, b, i);
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

	adn_chain_start(b, at, 0, size);
	for (int r = 0; r < groups + (int)c->n; r++) {
		adn_chain_start(b, at, r + 1, size);
		for (unsigned int m = 0; m < c->n; m++) {
			adn_chain_exec(c, b, at, st, m, r - 1 - (int)m);
			adn_chain_prep(c, b, at, m, r - (int)m);
		}
	}
}

#endif /* _ADN_FUSED_H_ */
