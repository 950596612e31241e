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

#define ADN_MAX_ELEMS 1024	/* elements in one pipeline */
#define ADN_MAX_QUEUE_ELEMS 16	/* ADN_ELEM_QUEUE elements in one */

struct adn_state_reg;
struct adn_plan;
struct rte_rcu_qsbr;

/* A built pipeline (opaque): its elements in topological order, their
 * links, its rx points. */
struct adn_pipeline;

/* What a pipeline is built from and with. */
struct adn_build_env {
	const config_t *cfg;
	struct adn_ports *ports;	/* NULL: the config has none */
	unsigned int n_workers;
	/* State registry shared by the versions of one runtime; NULL: the
	 * pipeline gets a registry of its own (tests, tools). */
	struct adn_state_reg *reg;
	const struct adn_plan *plan;	/* its knobs override config values */
	struct adn_defer *defer;	/* NULL: deferred frees happen at once */
	struct rte_rcu_qsbr *qsbr;	/* the workers' RCU variable, or NULL */
	/* A shadow of the pipeline, for evaluating plans off the data path
	 * (lib/morph): sources and ADN_ELEM_EXTERNAL elements are stand-ins
	 * (a source passes injected packets on, a transmitter drops), no
	 * port is touched. Give it a registry of its own (reg NULL). */
	bool shadow;
};

/* The build context handed to configure() (opaque). */
struct adn_build;

/* The workers' RCU variable, for structures that reclaim through it
 * (rte_lpm_rcu_qsbr_add); NULL when the pipeline runs without workers. */
struct rte_rcu_qsbr *adn_build_qsbr(const struct adn_build *b);
/* How many workers will run the pipeline (per-worker state is sized by
 * it); at least 1. */
unsigned int adn_build_n_workers(const struct adn_build *b);

/* adn_elem_state flags. */
#define ADN_STATE_FROM_PREV 1u	/* configure builds the new object from
				 * ref->prev: no reset, no migration */
#define ADN_STATE_KEY_SHAPES 2u	/* the key names all the object depends on
				 * (a digest of its inputs): the element's
				 * shapes_state keys do not reshape it */

struct adn_state_ref {
	void *data;		/* the object: zeroed when new */
	const void *prev;	/* new because reshaped: the previous object of
				 * this key, read-only, valid in configure */
	bool reused;		/* the live object of the previous version */
};

/*
 * State object `key` of element `e` (adn_state.h): `size` bytes, reused
 * from the previous version when e kept its name, type and the values of
 * its `shapes_state` keys, else new and zeroed. `destroy` (may be NULL)
 * frees what the object points to when its last version is gone. Call in
 * configure(); returns 0, or -ENOMEM after reporting the error.
 */
int adn_elem_state(struct adn_elem *e, struct adn_build *b, const char *key,
		   size_t size, void (*destroy)(void *data), unsigned int flags,
		   struct adn_state_ref *ref);

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
 * Build and validate the pipeline of env->cfg (`elements` and `links`).
 * Every error is reported to `errs` before failing. Returns 0 and *out,
 * or -EINVAL. The state objects a successful build created are pending in
 * the registry until adn_pipeline_commit().
 */
int adn_pipeline_build_env(const struct adn_build_env *env,
			   struct adn_errs *errs, struct adn_pipeline **out);
/* The same with a registry of its own, committed (tests, tools). */
int adn_pipeline_build(const config_t *cfg, struct adn_ports *ports,
		       unsigned int n_workers, struct adn_errs *errs,
		       struct adn_pipeline **out);
/* The pipeline is published: its new state objects become current. */
void adn_pipeline_commit(struct adn_pipeline *p);
/* Without EAL (adn-nf checks a config before starting DPDK): element
 * names, types and keys against their declared specs. Links and what
 * configure() checks need the build. Returns 0 or -EINVAL. */
int adn_pipeline_check_keys(const config_t *cfg, struct adn_errs *errs);
/* Queue elements drop (and count) what they hold: no worker may run the
 * pipeline any more. adn_pipeline_free does it too. */
void adn_pipeline_flush(struct adn_pipeline *p);
/* Destroy elements and release their state (no worker may run it). */
void adn_pipeline_free(struct adn_pipeline *p);

struct adn_elem *adn_pipeline_find(const struct adn_pipeline *p,
				   const char *name);
/* The elements in topological order: adn_pipeline_elem(p, i) for i below
 * adn_pipeline_n_elems(p) (an element's `index` is its i). */
unsigned int adn_pipeline_n_elems(const struct adn_pipeline *p);
struct adn_elem *adn_pipeline_elem(const struct adn_pipeline *p,
				   unsigned int i);

/* --- executor ---------------------------------------------------------- */

#define ADN_PLAN_MAX 256	/* longest plan string */

/* One worker's run state (opaque): an input batch per element, and the
 * template instances of its plan (lib/core/adn_template.h). */
struct adn_exec;

/* The profiler, always on: one batch in ADN_PROF_EVERY is timed, element
 * by element (adn_elem_stats.cycles) and as a whole. */
#define ADN_PROF_EVERY 64
#define ADN_LAT_BUCKETS 32	/* bucket i: batches of [2^i, 2^(i+1)) cycles */

struct adn_exec_prof {
	uint64_t batches, pkts;		/* every run */
	uint64_t timed_batches, timed_pkts, timed_cycles;
	/* Timed runs longer than ADN_PROF_PREEMPTED_US: the thread was
	 * preempted (or took a page fault); kept out of timed_cycles, so
	 * one descheduling does not move a second's mean, but in lat[]. */
	uint64_t preempted;
	uint64_t lat[ADN_LAT_BUCKETS];	/* timed runs' cycles, log2 */
};
#define ADN_PROF_PREEMPTED_US 500

/* The new executor runs plan "batch" on batches of its own. NULL when
 * out of memory. */
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
/* Counters the template instance running `e` keeps about it (a
 * fastpath cache's hits): how many it wrote to out[], 0 when none, and
 * the template's name in *tpl_name. */
/* The first element of the chain `e` runs in, or NULL when it runs on its
 * own (adn-nf --dot draws chains as clusters). */
const struct adn_elem *adn_exec_chain_head(const struct adn_exec *x,
					   const struct adn_elem *e);
int adn_exec_tpl_stats(const struct adn_exec *x, const struct adn_elem *e,
		       const char **tpl_name, struct adn_xstat *out,
		       unsigned int max);

/* The batch a source element's packets go into (fill pkts[], set n);
 * the input batch of any element `e` for a pipeline template. */
struct adn_batch *adn_exec_source_batch(struct adn_exec *x,
					const struct adn_elem *e);
/* The pipeline `x` runs. */
const struct adn_pipeline *adn_exec_pipeline(const struct adn_exec *x);
/* Mbufs inside a run of `x` right now (0 between runs). */
uint64_t adn_exec_in_flight(const struct adn_exec *x);
/* The plan `x` runs, as text ("scalar", "batch,route=batch", ...). */
const char *adn_exec_plan(const struct adn_exec *x);

/* Worker: what queue element `e` (ADN_ELEM_QUEUE) releases now, run to
 * completion from its outputs on. Call between runs. */
void adn_exec_release(struct adn_exec *x, struct adn_elem *e);

/* Worker: poll every queue element of x's pipeline, as a worker does
 * after its rx points each round (drivers of their own loops, such as
 * adn-bench, call it too). */
void adn_exec_release_all(struct adn_exec *x);

/* Run everything queued at or after topo index `from` to completion: every
 * mbuf ends transmitted (a sink consumed it) or freed and counted. One run
 * in ADN_PROF_EVERY is timed (x->prof). */
void adn_exec_run(struct adn_exec *x, unsigned int from);

/* Packet `m` alone from element `e` to where it leaves the pipeline,
 * counted at every element (the scalar template's step). */
void adn_exec_walk(struct adn_exec *x, struct adn_elem *e, struct rte_mbuf *m);

/* The head of the chain inside which output `o` of `e` leads on to the
 * next member, where no packet crosses it for a capture to see; NULL when
 * packets leave e on o through the executor. */
const struct adn_elem *adn_exec_fused_edge(const struct adn_exec *x,
					   const struct adn_elem *e,
					   uint16_t o);

/* --- stats ------------------------------------------------------------- */

struct adn_elem_totals {
	uint64_t in, consumed, dropped;
	uint64_t cycles, timed_in;	/* the profiler's (adn_elem_stats) */
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
