/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic PRNG (xoshiro256** seeded by splitmix64) for generators,
 * samplers and tests: the same seed gives the same stream on every machine.
 */
#ifndef _ADN_RAND_H_
#define _ADN_RAND_H_

#include <stdint.h>

#include "adn_hash.h"

struct adn_rand {
	uint64_t s[4];
};

static inline void
adn_rand_seed(struct adn_rand *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		r->s[i] = adn_mix64(seed);
	}
}

static inline uint64_t
adn_rand_u64(struct adn_rand *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t res = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* Uniform double in [0, 1). */
static inline double
adn_rand_unit(struct adn_rand *r)
{
	return (double)(adn_rand_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the bias is
 * below 2^-32 for the n used here). */
static inline uint64_t
adn_rand_below(struct adn_rand *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)adn_rand_u64(r) * n) >> 64);
}

#endif /* _ADN_RAND_H_ */
