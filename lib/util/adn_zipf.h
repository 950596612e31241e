/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zipf(alpha) sampler over ranks [0, n): P(k) proportional to 1/(k+1)^alpha.
 * Rejection-inversion (Hoermann & Derflinger 1996): O(1) time and memory per
 * sample whatever n is, so 10M-flow workloads need no CDF table.
 */
#ifndef _ADN_ZIPF_H_
#define _ADN_ZIPF_H_

#include <stdint.h>

#include "adn_rand.h"

struct adn_zipf {
	uint64_t n;
	double alpha;
	double h_x1;	/* H(1.5) - 1 */
	double h_n;	/* H(n + 0.5) */
	double s;
};

/* Returns 0, or -EINVAL when n == 0 or alpha <= 0. */
int adn_zipf_init(struct adn_zipf *z, uint64_t n, double alpha);

/* Next rank in [0, n); rank 0 is the most popular. */
uint64_t adn_zipf_next(const struct adn_zipf *z, struct adn_rand *r);

/* Probability mass of the top `k` ranks (exact sum; O(k)). For tests and
 * reports that check a generator against its model. */
double adn_zipf_top_share(uint64_t n, double alpha, uint64_t k);

#endif /* _ADN_ZIPF_H_ */
