/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime of one adn-nf process: config -> EAL -> ports -> pipeline ->
 * workers, and back. apps/ drive it in the l3fwd order: load, init EAL,
 * build, start, wait, stop, free.
 *
 * Versions (ARCHITECTURE §6). What the workers run is a version: a built
 * pipeline, one executor per worker with the plan's template instances
 * (compiled chains included), and the config it came from. A worker loads
 * the live version's pointer once per poll round, so a batch is processed
 * entirely by one version, and reports a quiescent state on the runtime's
 * rte_rcu_qsbr variable after each round (going offline while parked or
 * stopped). A plan change, a knob or a reload builds a new version beside
 * the live one on the control thread, sharing the live state through the
 * state registry (adn_state.h), publishes it with one pointer store, and
 * frees the old one after a grace period; workers never wait for the
 * controller. Element counters are kept per version and, once a version
 * is retired, folded into per-element history, so totals and the
 * accounting identity (received = transmitted + dropped + in flight) hold
 * across any number of swaps, and for each version on its own.
 *
 * Threads: the functions below are for the main (control) thread unless
 * said otherwise; adn_runtime_control, _set_plan, _reload, _totals and
 * the stats readers may also be called from the telemetry thread. They
 * serialize on the runtime's control lock. None may be called by a worker.
 */
#ifndef _ADN_RUNTIME_H_
#define _ADN_RUNTIME_H_

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_errs.h"
#include "adn_pipeline.h"
#include "adn_plan.h"
#include "adn_port.h"

struct adn_defer;
struct adn_state_reg;
struct rte_rcu_qsbr;

/* Where a worker is, for the interrupt gate: written by the worker, read
 * by the gate thread. */
enum adn_worker_ctl {
	ADN_WORKER_POLLING = 0,	/* launched or about to be: may be in a batch */
	ADN_WORKER_PARKED,	/* between poll rounds, waiting for release */
	ADN_WORKER_EXITED,	/* left its loop: runs no more batches */
};

struct adn_worker {
	struct adn_runtime *rt;
	unsigned int idx;
	unsigned int lcore;
	uint64_t polls, busy_polls;
	uint32_t ctl_state;		/* enum adn_worker_ctl */
} __rte_cache_aligned;

/* A config as loaded, shared by the versions built from it. */
struct adn_conf {
	config_t cfg;
	char path[PATH_MAX];
	unsigned int refs;
};

struct adn_version {
	struct adn_runtime *rt;
	uint64_t id;			/* 1, 2, ... in publication order */
	struct adn_conf *conf;
	struct adn_pipeline *pipe;
	struct adn_plan *plan;
	unsigned int burst;
	struct adn_exec *x[ADN_MAX_WORKERS];
	/* Rx points each worker polls. */
	unsigned int n_rx[ADN_MAX_WORKERS];
	struct adn_rx_point **rx[ADN_MAX_WORKERS];
	uint64_t built_tsc;		/* build started */
	uint64_t live_tsc;		/* published */
	struct adn_version *next;	/* alive versions, newest first */
};

/* A retired version's own accounting (adn_runtime_retired). */
struct adn_version_summary {
	uint64_t id;
	char plan[ADN_PLAN_MAX];
	uint64_t received, transmitted, dropped;
};

#define ADN_RUNTIME_SUMMARIES 64

struct adn_swap_stats {
	uint64_t version;		/* the live version's id */
	uint64_t swaps;			/* versions published after the first */
	uint64_t failed;		/* builds refused (live one untouched) */
	uint64_t retired;		/* versions freed after a grace period */
	uint64_t alive;			/* live + waiting for their grace period */
	uint64_t unbalanced;		/* retired with received != tx + dropped */
	uint64_t state_resets;		/* reshaped state without migration */
	uint64_t state_migrations;
	double last_build_ms;		/* request -> new version built */
	double last_publish_ms;		/* request -> new version live */
};

/*
 * An observer of the traffic (lib/morph's sampler and tracer): called by
 * each worker with every burst it received, before the burst runs, with
 * the source element it entered at. It must not keep, change or free the
 * mbufs, and must never block.
 */
struct adn_observer {
	void (*rx)(void *arg, unsigned int worker, const struct adn_elem *src,
		   struct rte_mbuf *const *pkts, uint16_t n);
	void *arg;
};

struct adn_runtime {
	struct adn_conf *conf;		/* the latest loaded config */
	/* Read by the workers once per burst; NULL: none. */
	const struct adn_observer *observer;
	unsigned int n_workers;
	struct adn_ports ports;
	struct adn_worker workers[ADN_MAX_WORKERS];
	/* The version workers pick up at their next poll round. */
	struct adn_version *live;
	struct adn_version *alive;	/* every version not yet freed */
	struct adn_state_reg *reg;
	/* Per worker, the batches its executors of every version share. */
	struct adn_batch_set batches[ADN_MAX_WORKERS];
	struct rte_rcu_qsbr *qsbr;
	struct adn_defer *defer;
	/* Per-element counters of retired versions, by element name. */
	unsigned int n_hist, cap_hist;
	struct adn_elem_hist *hist;
	struct adn_version_summary sums[ADN_RUNTIME_SUMMARIES];
	struct adn_swap_stats swap;
	uint64_t next_tick_tsc;		/* element ticks due (control lock) */
	uint64_t next_id;
	volatile bool stop;
	/* Non-zero: workers park before their next poll round (the
	 * interrupt gate only). Beside `stop`, so the poll loop's two flags
	 * share a cache line. */
	uint32_t ctl_pause;
	bool running;
	/* Serializes control, swaps, reclaiming and the stats readers. */
	pthread_mutex_t ctl_lock;
	uint64_t start_tsc;
	/* Interrupt gate (adn_intr_gate.h), when a port needs it: the gate
	 * thread parks the workers, opens a window, and releases them. */
	struct adn_intr_gate *gate;
	pthread_t gate_thread;
	bool gate_thread_up;
	/* The running or last capture (adn_capture.h); control lock. */
	struct adn_capture *capture;
};

/* Read the file; syntax errors name file and line. Returns 0 or -EINVAL. */
int adn_runtime_load(struct adn_runtime *rt, const char *path,
		     struct adn_errs *errs);

/* The loaded config (apps may patch it before adn_runtime_build). */
static inline config_t *
adn_runtime_config(struct adn_runtime *rt)
{
	return &rt->conf->cfg;
}

/* EAL arguments from the config's `eal` list (strings). `*argv` is
 * malloc'd and owned by the caller; the strings belong to the config. */
int adn_runtime_eal_args(struct adn_runtime *rt, int *argc, char ***argv,
			 struct adn_errs *errs);

/* Without EAL: what can be checked before starting DPDK (top-level
 * keys, workers, burst, plan, ports, element names, types and keys), so
 * a typo is reported before EAL's start-up messages. The build checks
 * all of it again, and links and files. Returns 0 or -EINVAL. */
int adn_runtime_check(struct adn_runtime *rt, struct adn_errs *errs);

/* Run plan `plan` (adn_plan.h syntax) instead of the config's `plan`
 * (adn-nf -p). Before adn_runtime_build; a reload takes the new file's
 * plan. Returns 0 or -ENOMEM. */
int adn_runtime_override_plan(struct adn_runtime *rt, const char *plan,
			      struct adn_errs *errs);

/* With EAL up: top-level keys, workers, burst, plan (its knobs override
 * element keys), ports, elements, links, and the first version. Every
 * error is reported before failing. */
int adn_runtime_build(struct adn_runtime *rt, struct adn_errs *errs);

/* Start ports and launch one worker per worker lcore. */
int adn_runtime_start(struct adn_runtime *rt, struct adn_errs *errs);

/* Ask workers to stop after their current batch, and wait for them. */
void adn_runtime_stop(struct adn_runtime *rt);

/* Free everything (ports closed, then the interrupt gate released,
 * versions destroyed, config freed). */
void adn_runtime_free(struct adn_runtime *rt);

/*
 * Make `plan` (adn_plan.h syntax, knobs included) live: a new version of
 * the live config's pipeline is built with it and swapped in at the
 * workers' next batch boundary. On any error the live version runs on
 * untouched and every error is in `errs`. Returns 0, -EINVAL or -ENOMEM.
 */
int adn_runtime_set_plan(struct adn_runtime *rt, const char *plan,
			 struct adn_errs *errs);

/*
 * Make config file `path` live (Click's hotconfig): same workers, same
 * ports and EAL arguments; elements, links, burst and plan may change.
 * Elements kept by name and type keep their state; new ones start fresh;
 * removed ones are destroyed after the grace period and their counters
 * stay in the totals. Errors as adn_runtime_set_plan.
 */
int adn_runtime_reload(struct adn_runtime *rt, const char *path,
		       struct adn_errs *errs);

/*
 * Run control command `cmd` (e.g. "add 10.0.0.0/8 2") on element
 * `elem_name` of the live version while workers keep running: the
 * element's handler changes its state RCU-safely (adn_elem.h). Versions
 * still waiting for their grace period are retired first, and a command
 * that changed state returns only after a grace period, so every batch
 * that is running or starts after the call returns sees the change.
 * "help" lists the element's commands (one per line).
 *
 * A reply (or the reason for failing) is written to `reply`. Returns 0,
 * the handler's negative errno, -ENOENT (no such element), -ENOTSUP
 * (element takes no commands) or -ENODEV (no pipeline).
 */
int adn_runtime_control(struct adn_runtime *rt, const char *elem_name,
			const char *cmd, char *reply, size_t len);

/* Free versions (and deferred structures) whose grace period is over,
 * and every ADN_TICK_MS run the live version's element ticks
 * (adn_elem_desc.tick); the main loop calls it every few milliseconds. */
#define ADN_TICK_MS 100
void adn_runtime_reclaim(struct adn_runtime *rt);

/* Wait until every retired version is freed (tests, shutdown). */
void adn_runtime_sync(struct adn_runtime *rt);

/* Sum over every version and the retired ones' history. */
void adn_runtime_totals(struct adn_runtime *rt, struct adn_totals *t);

/* Element `name`'s counters over every version it was part of; -ENOENT
 * when no version ever had it. */
int adn_runtime_elem_totals(struct adn_runtime *rt, const char *name,
			    struct adn_elem_totals *t);

/* Every element ever run, the live pipeline's first in topological order,
 * then removed ones: fn(name, type, live element or NULL, its counters
 * over every version, arg) for each, under the control lock (fn must not
 * call back into the runtime). */
typedef void (*adn_runtime_elem_fn)(const char *name, const char *type,
				    const struct adn_elem *live,
				    const struct adn_elem_totals *t,
				    void *arg);
void adn_runtime_foreach_elem(struct adn_runtime *rt, adn_runtime_elem_fn fn,
			      void *arg);

void adn_runtime_swap_stats(struct adn_runtime *rt, struct adn_swap_stats *st);

/* Copies up to `max` summaries of retired versions, oldest first;
 * returns how many. */
unsigned int adn_runtime_retired(struct adn_runtime *rt,
				 struct adn_version_summary *out,
				 unsigned int max);

/* Worker: run the `n` packets source `src` just received into its batch
 * of executor `x`, showing them to the observer first. */
static inline void
adn_runtime_run_rx(const struct adn_runtime *rt, unsigned int worker,
		   struct adn_exec *x, const struct adn_elem *src, uint16_t n)
{
	const struct adn_observer *o = __atomic_load_n(&rt->observer,
						       __ATOMIC_ACQUIRE);
	struct adn_batch *b = adn_exec_source_batch(x, src);

	b->n = n;
	if (o != NULL)
		o->rx(o->arg, worker, src, b->pkts, n);
	adn_exec_run(x, src->index);
}

/* Attach observer `o` (NULL detaches). Returns once no worker can still
 * be in the previous observer, so its owner may free it. */
void adn_runtime_set_observer(struct adn_runtime *rt,
			      const struct adn_observer *o);

/* The batch size of the live config (a plan's `batch` overrides it). */
unsigned int adn_runtime_burst(struct adn_runtime *rt);

/* The live version's profile: its executors' (adn_exec_prof) summed over
 * the workers, and the version it belongs to. */
struct adn_profile {
	uint64_t version;
	char plan[ADN_PLAN_MAX];
	struct adn_exec_prof prof;
};
int adn_runtime_profile(struct adn_runtime *rt, struct adn_profile *out);

/*
 * A shadow version for evaluating a plan off the data path (lib/morph):
 * the live config's pipeline built with `plan` as a shadow
 * (adn_build_env.shadow: state of its own, sources and transmitters
 * replaced) and one executor, whose runs are not profiled. The caller
 * injects packets at a source (adn_exec_source_batch) and runs them on
 * its own thread. Holds the config it came from until freed.
 */
struct adn_shadow {
	struct adn_conf *conf;
	struct adn_pipeline *pipe;
	struct adn_exec *x;
	unsigned int burst;
};
int adn_runtime_shadow(struct adn_runtime *rt, const char *plan,
		       struct adn_errs *errs, struct adn_shadow **out);
void adn_runtime_shadow_free(struct adn_runtime *rt, struct adn_shadow *s);

/* The live version (control thread: valid until the next swap it makes or
 * allows; hold no pointer across one). */
static inline struct adn_version *
adn_runtime_live(struct adn_runtime *rt)
{
	return __atomic_load_n(&rt->live, __ATOMIC_ACQUIRE);
}

#endif /* _ADN_RUNTIME_H_ */
