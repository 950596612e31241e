/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The evaluator: a candidate plan is built as a shadow version of the
 * live config (adn_runtime_shadow: state of its own, fresh, sources and
 * transmitters stand-ins, so the live state is never touched) and the
 * replay trace is pushed through it on the calling (control) thread: one
 * pass to warm its state and caches up, then `reps` timed passes.
 * Fitness is the median over the passes of the executor's TSC cycles per
 * packet (what the live profiler measures), or, under the latency
 * objective, that times the factor by which the 99th percentile of batch
 * cycles exceeds the bound.
 */
#ifndef _MORPH_EVAL_H_
#define _MORPH_EVAL_H_

#include <stdint.h>

#include <rte_mempool.h>

#include "adn_errs.h"
#include "adn_runtime.h"
#include "morph_traffic.h"

#define MORPH_MAX_SOURCES 16

/* A replay trace: samples whose `src` indexes `src_name`. */
struct morph_trace {
	unsigned int n;
	struct morph_sample *pkts;
	unsigned int n_src;
	char src_name[MORPH_MAX_SOURCES][ADN_NAME_MAX];
};

struct morph_eval_conf {
	unsigned int reps;
	uint64_t latency_bound;		/* batch cycles; 0: cycles objective */
};

struct morph_eval_result {
	double cpp;			/* median cycles per packet */
	double p99_batch;		/* median of the passes' p99 */
	double fitness;
};

/* Name the trace's sources after the live pipeline's (the samples carry
 * topological indexes); samples of unknown sources are dropped. */
int morph_trace_bind(struct adn_runtime *rt, struct morph_trace *tr);

int morph_eval(struct adn_runtime *rt, struct rte_mempool *mp,
	       const struct morph_trace *tr, const char *plan,
	       const struct morph_eval_conf *c, struct morph_eval_result *res,
	       struct adn_errs *errs);

#endif /* _MORPH_EVAL_H_ */
