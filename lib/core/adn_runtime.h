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
 * serialize on the runtime's control lock. None may be called by a
 * worker, except the readers of the live version and adn_version_poll
 * by a thread that runs batches in the workers' place (adn-bench).
 */
#ifndef _ADN_RUNTIME_H_
#define _ADN_RUNTIME_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_errs.h"
#include "adn_pipeline.h"
#include "adn_plan.h"
#include "adn_port.h"

struct rte_rcu_qsbr;

/* A runtime (opaque): the config, ports, workers, and the versions they
 * run. */
struct adn_runtime;
/* A version (opaque): what the workers run (above). */
struct adn_version;

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

/* A new runtime of config file `path` in *out, to be freed with
 * adn_runtime_free; syntax errors name file and line. Returns 0, -EINVAL
 * or -ENOMEM (then *out is NULL). */
int adn_runtime_load(const char *path, struct adn_errs *errs,
		     struct adn_runtime **out);

/* The loaded config (apps may patch it before adn_runtime_build). */
config_t *adn_runtime_config(struct adn_runtime *rt);

/* EAL arguments from the config's `eal` list (strings). `*argv` is
 * malloc'd and owned by the caller (NULL after an error); the strings
 * belong to the config. */
int adn_runtime_eal_args(struct adn_runtime *rt, int *argc, char ***argv,
			 struct adn_errs *errs);

/* Whether EAL may be given these arguments (argv[0], the program, not
 * looked at): in a build that links DPDK statically, a driver plugin
 * (`-d`) would load DPDK's shared libraries beside it, and EAL panics
 * on the second registration. -EINVAL with the error in `errs`. */
int adn_eal_args_check(int argc, char *const *argv, struct adn_errs *errs);

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
 * versions destroyed, config freed), `rt` included; NULL is a no-op. */
void adn_runtime_free(struct adn_runtime *rt);

/* Workers the config asked for (set by adn_runtime_build). */
unsigned int adn_runtime_n_workers(const struct adn_runtime *rt);

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
struct adn_shadow;
int adn_runtime_shadow(struct adn_runtime *rt, const char *plan,
		       struct adn_errs *errs, struct adn_shadow **out);
void adn_runtime_shadow_free(struct adn_runtime *rt, struct adn_shadow *s);
/* The shadow's pipeline, its executor, and the batch size its plan
 * runs. */
const struct adn_pipeline *adn_shadow_pipeline(const struct adn_shadow *s);
struct adn_exec *adn_shadow_exec(const struct adn_shadow *s);
unsigned int adn_shadow_burst(const struct adn_shadow *s);

/*
 * The live version, NULL before adn_runtime_build. On the control thread
 * it is valid until the next swap it makes or allows; on a thread that
 * runs batches itself as a worker (adn-bench), until its next quiescent
 * state (adn_runtime_qsbr). Hold no pointer across either.
 */
struct adn_version *adn_runtime_live(struct adn_runtime *rt);

/* The workers' RCU variable. A thread that runs batches in place of the
 * workers (adn-bench's timed loop, when adn_runtime_start was not called)
 * registers on it as worker 0 and reports a quiescent state after each
 * poll round, as a worker does. */
struct rte_rcu_qsbr *adn_runtime_qsbr(struct adn_runtime *rt);

/* Version `v`'s plan (as text), its batch size, and when it was
 * published (rte_rdtsc). */
const char *adn_version_plan(const struct adn_version *v);
unsigned int adn_version_burst(const struct adn_version *v);
uint64_t adn_version_published_tsc(const struct adn_version *v);
/* Its pipeline, and worker `worker`'s executor. */
struct adn_pipeline *adn_version_pipeline(const struct adn_version *v);
struct adn_exec *adn_version_exec(const struct adn_version *v,
				  unsigned int worker);
/* The source element of worker `worker`'s rx point `i`, or NULL when the
 * worker has fewer rx points. */
struct adn_elem *adn_version_rx_source(const struct adn_version *v,
				       unsigned int worker, unsigned int i);

/*
 * Worker `worker`: poll its rx point `i` of version `v` once, for up to
 * `burst` packets, and run what arrived to completion, the observer
 * seeing it first. This is the workers' own step, for a thread that runs
 * batches in their place (adn-bench); returns how many packets arrived.
 */
uint16_t adn_version_poll(const struct adn_version *v, unsigned int worker,
			  unsigned int i, uint16_t burst);

#endif /* _ADN_RUNTIME_H_ */
