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

/* The generic `fused` loop. */
static inline void
adn_fused_run(const struct adn_chain *c, struct adn_batch *b, uint8_t *at,
	      struct adn_elem_stats *const *st)
{
	const uint16_t n = b->n, g = (uint16_t)c->group;

	for (uint16_t base = 0; base < n; base += g) {
		const uint16_t end = RTE_MIN(n, (uint16_t)(base + g));

		for (uint16_t i = base; i < end; i++) {
			at[i] = 0;
			adn_tpl_prefetch_hdr(b->pkts[i]);
		}
		for (unsigned int m = 0; m < c->n; m++) {
			struct adn_elem *e = c->e[m];
			const struct adn_elem_desc *d = e->desc;

			for (uint16_t i = base; i < end; i++)
				if (at[i] == m)
					adn_tpl_prep_prefetch(d, e, b, i);
			for (uint16_t i = base; i < end; i++) {
				int o;

				if (at[i] != m)
					continue;
				o = d->exec(e, b->pkts[i], &b->ctx[i]);
				if (adn_chain_continues(c, m, o)) {
					st[m]->out[o]++;
					st[m + 1]->in++;
					at[i] = (uint8_t)(m + 1);
				} else {
					b->out[i] = (int16_t)o;
				}
			}
		}
	}
}

#endif /* _ADN_FUSED_H_ */
