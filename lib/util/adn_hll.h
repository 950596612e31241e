/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HyperLogLog distinct counter (Flajolet et al. 2007, with the linear
 * counting correction for small cardinalities of Heule et al. 2013): 2^p
 * one-byte registers, standard error about 1.04 / sqrt(2^p) (1.6% at
 * p = 12). Fed 64-bit hashes; sketches of the same precision merge by
 * register maximum, so per-worker counts combine on the control lcore.
 *
 * Thread-safety: none; one writer, readers take a copy. DPDK-free.
 */
#ifndef _ADN_HLL_H_
#define _ADN_HLL_H_

#include <stdint.h>

#define ADN_HLL_P_MIN 4
#define ADN_HLL_P_MAX 16

struct adn_hll {
	uint32_t p;
	uint8_t reg[1u << ADN_HLL_P_MAX];
};

/* Empty sketch of precision p (clamped to [ADN_HLL_P_MIN, _MAX]). */
void adn_hll_init(struct adn_hll *h, uint32_t p);
void adn_hll_reset(struct adn_hll *h);

static inline void
adn_hll_add(struct adn_hll *h, uint64_t hash)
{
	const uint32_t idx = (uint32_t)(hash >> (64 - h->p));
	/* Rank of the first 1 bit among the remaining 64 - p bits; the set
	 * low bit bounds it when they are all zero. */
	const uint64_t rest = (hash << h->p) | (1ull << (h->p - 1));
	const uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);

	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

/* Register-wise maximum: `to` counts the union. Same precision only;
 * returns -1 otherwise. */
int adn_hll_merge(struct adn_hll *to, const struct adn_hll *from);

double adn_hll_estimate(const struct adn_hll *h);

#endif /* _ADN_HLL_H_ */
