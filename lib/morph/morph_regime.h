/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic regimes: what the traffic looked like (top-K share, distinct
 * flows, branch shares) and the plan Morph settled on for it. Drift is
 * the traffic leaving the regime of the last search; when it enters one
 * Morph has seen before (a workload that comes and goes: day and night,
 * a flash crowd, adn-bench's phased workload), the plan found for it is
 * recalled at once instead of searched for again, and the guard checks
 * it like any swap. A periodic search still refines it.
 */
#ifndef _MORPH_REGIME_H_
#define _MORPH_REGIME_H_

#include "adn_plan.h"
#include "morph_traffic.h"

#define MORPH_MAX_BRANCHES 64
#define MORPH_REGIMES 8

/* A new regime when, against another, ... */
#define MORPH_DRIFT_TOPK 0.2		/* the top-K share moved this much */
#define MORPH_DRIFT_DISTINCT 2.0	/* distinct flows changed by this factor */
#define MORPH_DRIFT_BRANCH 0.2		/* a branch's share moved this much */

/* Output shares of the elements that branch, in a fixed order. */
struct morph_branches {
	unsigned int n;
	double share[MORPH_MAX_BRANCHES];
	uint64_t out[MORPH_MAX_BRANCHES];	/* cumulative, for the next delta */
};

struct morph_regime {
	struct morph_traffic_stats st;
	struct morph_branches br;
	char plan[ADN_PLAN_MAX];
};

struct morph_regimes {
	unsigned int n;
	unsigned int oldest;		/* replaced next when full */
	struct morph_regime r[MORPH_REGIMES];
};

/* Why traffic (a, ba) is not in the regime of (b, bb), or NULL. */
const char *morph_traffic_differs(const struct morph_traffic_stats *a,
				  const struct morph_branches *ba,
				  const struct morph_traffic_stats *b,
				  const struct morph_branches *bb);

/* The regime traffic (st, br) is in, or -1. */
int morph_regime_find(const struct morph_regimes *rs,
		      const struct morph_traffic_stats *st,
		      const struct morph_branches *br);

/* Remember `plan` for traffic (st, br): the regime it is in takes it (and
 * the traffic as its new center), else a new one, replacing the oldest
 * when all are taken. Returns its index. */
int morph_regime_put(struct morph_regimes *rs,
		     const struct morph_traffic_stats *st,
		     const struct morph_branches *br, const char *plan);

#endif /* _MORPH_REGIME_H_ */
