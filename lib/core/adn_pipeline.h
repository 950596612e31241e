/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A pipeline: the elements of a config in topological order, their links,
 * and the per-worker executors that push batches through them.
 */
#ifndef _ADN_PIPELINE_H_
#define _ADN_PIPELINE_H_

#include <stdint.h>

#include <libconfig.h>

#include "adn_elem.h"
#include "adn_errs.h"
#include "adn_port.h"

#define ADN_MAX_RX_POINTS 256

/* A place a worker polls: source element + queue (rx point i is polled by
 * worker queue % n_workers). */
struct adn_rx_point {
	struct adn_elem *e;
	uint16_t queue;
};

struct adn_pipeline {
	unsigned int n_elems;
	struct adn_elem **elems;	/* topological order */
	unsigned int n_workers;
	struct adn_ports *ports;
	unsigned int n_rx;
	struct adn_rx_point rx[ADN_MAX_RX_POINTS];
};

/* Build context handed to configure(). */
struct adn_build {
	const config_t *cfg;
	struct adn_ports *ports;
	struct adn_errs *errs;
	unsigned int n_workers;
	unsigned int n_rx;
	struct adn_rx_point rx[ADN_MAX_RX_POINTS];
};

/* Report an error about element `e`'s key `key` (NULL: the element). The
 * line is the key's when present, else the element's. Returns -EINVAL so
 * configure() can `return adn_build_error(...)`. */
int adn_build_error(struct adn_build *b, const struct adn_elem *e,
		    const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Same, at a nested setting (an entry of a list key). */
int adn_build_error_at(struct adn_build *b, const struct adn_elem *e,
		       const config_setting_t *where, const char *key,
		       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A symbolic name for a number in a config value. */
struct adn_name_value {
	const char *name;
	int64_t value;
};

/* Read setting `s` (of key `key`) as one of `names` (terminated by a NULL
 * name) or an integer in [lo, hi] into *out; on anything else report an
 * error listing the names and the range. Returns 0 or -EINVAL. */
int adn_build_name_or_int(struct adn_build *b, const struct adn_elem *e,
			  const config_setting_t *s, const char *key,
			  const struct adn_name_value *names, int64_t lo,
			  int64_t hi, int64_t *out);

/* Claim rx queue `queue` of port `name` (-1: every queue) for `e`; a queue
 * claimed twice is an error naming both. */
struct adn_port *adn_build_claim_rx(struct adn_build *b,
				    struct adn_elem *e, const char *key,
				    const char *name, int queue);
/* Register a source's own rx point (a generator's queue); 0 or -ENOSPC. */
int adn_build_add_rx(struct adn_build *b, struct adn_elem *e,
		     uint16_t queue);
/* Claim the tx side of port `name` (one ToPort per port). */
struct adn_port *adn_build_claim_tx(struct adn_build *b,
				    const struct adn_elem *e, const char *key,
				    const char *name);

/*
 * Build and validate the pipeline of `cfg` (`elements` and `links`).
 * Every error is reported to `errs` before failing. `ports` may be NULL
 * when the config has no ports. Returns 0 and *out, or -EINVAL.
 */
int adn_pipeline_build(const config_t *cfg, struct adn_ports *ports,
		       unsigned int n_workers, struct adn_errs *errs,
		       struct adn_pipeline **out);
void adn_pipeline_free(struct adn_pipeline *p);

struct adn_elem *adn_pipeline_find(const struct adn_pipeline *p,
				   const char *name);

/* --- executor ---------------------------------------------------------- */

/* How an executor walks the graph (chosen by the plan). */
enum adn_exec_mode {
	/* Element by element in topological order, each over its whole
	 * input batch through its template or fused chain. */
	ADN_EXEC_BATCH,
	/* One packet at a time through the whole pipeline (the strawman
	 * baseline of NFMorph §2): no batching anywhere. */
	ADN_EXEC_SCALAR,
};

#define ADN_PLAN_MAX 256	/* longest plan string */

struct adn_tpl_run;
struct adn_exec_chain;
struct adn_plan;
struct adn_fastpath_stats;

/* One worker's run state: an input batch per element, and the plan. */
struct adn_exec {
	const struct adn_pipeline *p;
	unsigned int worker;
	struct adn_batch **in;		/* [n_elems] */
	volatile uint64_t in_flight;	/* mbufs inside a run right now */
	enum adn_exec_mode mode;
	/* Per element (topological order): its template (templates/). */
	struct adn_tpl_run *tpl;	/* [n_elems] */
	/* Per element: the fused chain it heads, or NULL. */
	struct adn_exec_chain **chain;	/* [n_elems] */
	struct adn_batch *one;		/* scalar: a 1-packet batch */
	char plan[ADN_PLAN_MAX];	/* the plan applied, as text */
	uint8_t at[ADN_BATCH_MAX];	/* chain exit position per packet */
	struct rte_mbuf *drops[ADN_BATCH_MAX];
};

/* The new executor runs plan "batch". NULL when out of memory. */
struct adn_exec *adn_exec_create(const struct adn_pipeline *p,
				 unsigned int worker);
void adn_exec_free(struct adn_exec *x);

/*
 * Apply a plan (lib/core/adn_plan.h), between runs only (never while
 * adn_exec_run is active on the worker): templates per element, fused and
 * jit chains. Knobs are not applied here (they need a rebuild, see
 * adn_plan_apply_knobs) but must match what the pipeline was built with.
 * On a bad plan every error is reported to `errs`, the executor keeps its
 * previous plan, and -EINVAL is returned.
 */
int adn_exec_apply_plan(struct adn_exec *x, const struct adn_plan *plan,
			struct adn_errs *errs);
/* Parse plan string `plan` (adn_plan_parse) and apply it; a plan with
 * knobs is refused (they need a rebuild). */
int adn_exec_set_plan(struct adn_exec *x, const char *plan,
		      struct adn_errs *errs);

/* What runs element `e` under the current plan: "group4", "jit8 (chain
 * of 3 from 'route', position 0, fastpath1024 over route+count:
 * compiled)", ... */
void adn_exec_describe(const struct adn_exec *x, const struct adn_elem *e,
		       char *out, size_t len);
/* Counters of `e`'s fastpath cache in this executor (inside a chain,
 * the segment `e` heads); -ENOENT when `e` does not run under fastpath. */
int adn_exec_fastpath_stats(const struct adn_exec *x, const struct adn_elem *e,
			    struct adn_fastpath_stats *st);

/* The batch a source element's packets go into (fill pkts[], set n). */
static inline struct adn_batch *
adn_exec_source_batch(struct adn_exec *x, const struct adn_elem *src)
{
	return x->in[src->index];
}

/* Run everything queued at or after topo index `from` to completion: every
 * mbuf ends transmitted (a sink consumed it) or freed and counted. */
void adn_exec_run(struct adn_exec *x, unsigned int from);

/* --- stats ------------------------------------------------------------- */

struct adn_elem_totals {
	uint64_t in, consumed, dropped;
	uint64_t out[ADN_MAX_OUTPUTS];
	uint64_t drop[ADN_N_DROP_SLOTS];
};

struct adn_totals {
	uint64_t received;	/* entered at source elements */
	uint64_t transmitted;	/* consumed by sinks */
	uint64_t dropped;
	uint64_t in_flight;
};

void adn_elem_totals(const struct adn_elem *e, struct adn_elem_totals *t);
/* Sums over the pipeline; `execs` (may be NULL) supply in_flight. */
void adn_pipeline_totals(const struct adn_pipeline *p,
			 struct adn_exec *const *execs, unsigned int n_execs,
			 struct adn_totals *t);

#endif /* _ADN_PIPELINE_H_ */
