/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime of one adn-nf process: config -> EAL -> ports -> pipeline ->
 * workers, and back. apps/ drive it in the l3fwd order: load, init EAL,
 * build, start, wait, stop, free.
 */
#ifndef _ADN_RUNTIME_H_
#define _ADN_RUNTIME_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_errs.h"
#include "adn_pipeline.h"
#include "adn_plan.h"
#include "adn_port.h"

/* Where a worker is, for adn_runtime_control(): written by the worker,
 * read by the controller. */
enum adn_worker_ctl {
	ADN_WORKER_POLLING = 0,	/* launched or about to be: may be in a batch */
	ADN_WORKER_PARKED,	/* between poll rounds, waiting for release */
	ADN_WORKER_EXITED,	/* left its loop: runs no more batches */
};

struct adn_worker {
	struct adn_runtime *rt;
	unsigned int idx;
	unsigned int lcore;
	struct adn_exec *x;
	unsigned int n_rx;
	struct adn_rx_point *rx[ADN_MAX_RX_POINTS];
	uint64_t polls, busy_polls;
	uint32_t ctl_state;		/* enum adn_worker_ctl */
} __rte_cache_aligned;

struct adn_runtime {
	config_t cfg;
	const char *path;
	unsigned int n_workers;
	unsigned int burst;
	struct adn_ports ports;
	struct adn_pipeline *pipe;
	struct adn_plan *plan;		/* the config's `plan`, applied */
	struct adn_worker workers[ADN_MAX_WORKERS];
	struct adn_exec *execs[ADN_MAX_WORKERS];
	volatile bool stop;
	/* Non-zero: workers park before their next poll round. Beside
	 * `stop`, so the poll loop's two flags share a cache line. */
	uint32_t ctl_pause;
	bool running;
	/* Serializes adn_runtime_control() calls and the pipeline's end. */
	pthread_mutex_t ctl_lock;
	uint64_t start_tsc;
	/* Interrupt gate (adn_intr_gate.h), when a port needs it: the gate
	 * thread parks the workers as a control call does, opens a window,
	 * and releases them. */
	struct adn_intr_gate *gate;
	pthread_t gate_thread;
	bool gate_thread_up;
};

/* Read the file; syntax errors name file and line. Returns 0 or -EINVAL. */
int adn_runtime_load(struct adn_runtime *rt, const char *path,
		     struct adn_errs *errs);

/* EAL arguments from the config's `eal` list (strings). `*argv` is
 * malloc'd and owned by the caller; the strings belong to the config. */
int adn_runtime_eal_args(struct adn_runtime *rt, int *argc, char ***argv,
			 struct adn_errs *errs);

/* With EAL up: top-level keys, workers, burst, plan (its knobs patch the
 * elements), ports, elements, links. Every error is reported before
 * failing. */
int adn_runtime_build(struct adn_runtime *rt, struct adn_errs *errs);

/* Start ports and launch one worker per worker lcore, each running the
 * plan (templates, chains; a jit chain is compiled here). */
int adn_runtime_start(struct adn_runtime *rt, struct adn_errs *errs);

/* Ask workers to stop after their current batch, and wait for them. */
void adn_runtime_stop(struct adn_runtime *rt);

/* Free everything (ports closed, then the interrupt gate released,
 * pipeline destroyed, config freed). */
void adn_runtime_free(struct adn_runtime *rt);

/*
 * Run control command `cmd` (e.g. "add 10.0.0.0/8 2") on element
 * `elem_name` while no worker is inside a batch: running workers are parked
 * at a poll-round boundary, the element's control handler runs (through
 * adn_elem_control(), which bumps its state generation), then they are
 * released. Without running workers the command is simply applied.
 * "help" lists the element's commands (one per line) without parking.
 *
 * Any thread but a worker may call it (main lcore, telemetry thread, an
 * adn-ctl server); calls are serialized. Not concurrently with
 * adn_runtime_start(). A reply (or the reason for failing) is written to
 * `reply`. Returns 0, the handler's negative errno, -ENOENT (no such
 * element), -ENOTSUP (element takes no commands), -ENODEV (no pipeline) or
 * -ETIMEDOUT (a worker did not park within 5 s; nothing was changed).
 */
int adn_runtime_control(struct adn_runtime *rt, const char *elem_name,
			const char *cmd, char *reply, size_t len);

/* Sum of packets received so far (for idle detection, stats lines). */
void adn_runtime_totals(struct adn_runtime *rt, struct adn_totals *t);

#endif /* _ADN_RUNTIME_H_ */
