/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <string.h>

#include "adn_hll.h"

void
adn_hll_init(struct adn_hll *h, uint32_t p)
{
	h->p = p < ADN_HLL_P_MIN ? ADN_HLL_P_MIN :
		p > ADN_HLL_P_MAX ? ADN_HLL_P_MAX : p;
	adn_hll_reset(h);
}

void
adn_hll_reset(struct adn_hll *h)
{
	memset(h->reg, 0, 1u << h->p);
}

int
adn_hll_merge(struct adn_hll *to, const struct adn_hll *from)
{
	if (to->p != from->p)
		return -1;
	for (uint32_t i = 0; i < (1u << to->p); i++)
		if (from->reg[i] > to->reg[i])
			to->reg[i] = from->reg[i];
	return 0;
}

double
adn_hll_estimate(const struct adn_hll *h)
{
	const uint32_t m = 1u << h->p;
	const double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 :
		m == 64 ? 0.709 : 0.7213 / (1.0 + 1.079 / m);
	double sum = 0, e;
	uint32_t zeros = 0;

	for (uint32_t i = 0; i < m; i++) {
		sum += ldexp(1.0, -h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	e = alpha * m * m / sum;
	/* Small range: linear counting on the empty registers is exact
	 * enough and unbiased where the raw estimate is not. */
	if (e <= 2.5 * m && zeros > 0)
		e = m * log((double)m / zeros);
	return e;
}
