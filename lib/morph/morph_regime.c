/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <stdio.h>

#include "morph_regime.h"

const char *
morph_traffic_differs(const struct morph_traffic_stats *a,
		      const struct morph_branches *ba,
		      const struct morph_traffic_stats *b,
		      const struct morph_branches *bb)
{
	if (fabs(a->topk_share - b->topk_share) > MORPH_DRIFT_TOPK)
		return "top-K share";
	if (a->distinct > 0 && b->distinct > 0 &&
	    (a->distinct > b->distinct * MORPH_DRIFT_DISTINCT ||
	     b->distinct > a->distinct * MORPH_DRIFT_DISTINCT))
		return "distinct flows";
	if (ba->n == bb->n)
		for (unsigned int i = 0; i < ba->n; i++)
			if (fabs(ba->share[i] - bb->share[i]) >
			    MORPH_DRIFT_BRANCH)
				return "branch shares";
	return NULL;
}

int
morph_regime_find(const struct morph_regimes *rs,
		  const struct morph_traffic_stats *st,
		  const struct morph_branches *br)
{
	/* The newest first: it reflects the latest plans. */
	for (unsigned int k = 0; k < rs->n; k++) {
		unsigned int i = (rs->oldest + rs->n - 1 - k) % MORPH_REGIMES;

		if (morph_traffic_differs(st, br, &rs->r[i].st,
					  &rs->r[i].br) == NULL)
			return (int)i;
	}
	return -1;
}

int
morph_regime_put(struct morph_regimes *rs,
		 const struct morph_traffic_stats *st,
		 const struct morph_branches *br, const char *plan)
{
	int i = morph_regime_find(rs, st, br);

	if (i < 0 && rs->n < MORPH_REGIMES) {
		i = (int)((rs->oldest + rs->n) % MORPH_REGIMES);
		rs->n++;
	} else if (i < 0) {
		i = (int)rs->oldest;
		rs->oldest = (rs->oldest + 1) % MORPH_REGIMES;
	}
	rs->r[i].st = *st;
	rs->r[i].br = *br;
	snprintf(rs->r[i].plan, sizeof(rs->r[i].plan), "%s", plan);
	return i;
}
