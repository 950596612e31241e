/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core's own view of the runtime, its versions and workers
 * (adn_runtime.h is the contract and says how they work). Only lib/core's
 * sources see this directory and define ADN_CORE_PRIVATE.
 */
#ifndef _ADN_RUNTIME_PRIV_H_
#define _ADN_RUNTIME_PRIV_H_

#ifndef ADN_CORE_PRIVATE
#error "a lib/core private header: include the public adn_runtime.h"
#endif

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>
#include <rte_common.h>

#include "adn_pipeline_priv.h"
#include "adn_runtime.h"

struct adn_defer;
struct adn_state_reg;

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

struct adn_shadow {
	struct adn_conf *conf;
	struct adn_pipeline *pipe;
	struct adn_exec *x;
	unsigned int burst;
};

#endif /* _ADN_RUNTIME_PRIV_H_ */
