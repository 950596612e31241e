/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/core's own view of pipelines, build contexts and executors
 * (adn_pipeline.h is the contract). Only lib/core's sources see this
 * directory and define ADN_CORE_PRIVATE; anything else that includes it
 * fails to build (docs/architecture.md, "Public API and internals").
 */
#ifndef _ADN_PIPELINE_PRIV_H_
#define _ADN_PIPELINE_PRIV_H_

#ifndef ADN_CORE_PRIVATE
#error "a lib/core private header: include the public adn_pipeline.h"
#endif

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_pipeline.h"

#define ADN_MAX_RX_POINTS 256

struct adn_tpl_inst;
struct adn_exec_chain;
struct adn_capture;

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
	/* ADN_ELEM_QUEUE elements, polled by every worker each round. */
	unsigned int n_queues;
	struct adn_elem *queues[ADN_MAX_QUEUE_ELEMS];
	struct adn_state_reg *reg;	/* where its elements' state lives */
	bool own_reg;			/* created for this pipeline alone */
};

struct adn_build {
	const struct adn_build_env *env;
	const config_t *cfg;
	struct adn_ports *ports;
	struct adn_errs *errs;
	unsigned int n_workers;
	unsigned int n_rx;
	struct adn_rx_point rx[ADN_MAX_RX_POINTS];
	struct adn_state_reg *reg;
	uint64_t port_tx_claimed;	/* bit i: port i has its ToPort */
	uint64_t port_rxq_claimed[ADN_MAX_PORTS];
};

/* A capture's tap on one executor (adn_capture.h): copy the packets
 * element `elem` (topological index) sends on an output of `outputs`
 * (bit o: output o). Filled by the control thread while no worker can
 * read it (before the version is published, or a grace period after the
 * executor's tap was cleared). */
struct adn_exec_tap {
	struct adn_capture *cap;
	uint16_t elem;
	uint32_t outputs;
};

/* One worker's run state: an input batch per element, and the template
 * instances of its plan (lib/core/adn_template.h). */
struct adn_exec {
	const struct adn_pipeline *p;
	unsigned int worker;
	struct adn_batch **in;		/* [n_elems] */
	volatile uint64_t in_flight;	/* mbufs inside a run right now */
	struct adn_batch_set *own_set;	/* NULL: a worker's shared set */
	/* A template that runs the whole pipeline (scalar), or NULL. */
	struct adn_tpl_inst *whole;
	/* Per element (topological order): the instance of its element
	 * template, or NULL (batch-form, or in a chain). */
	struct adn_tpl_inst **elem;	/* [n_elems] */
	/* Per element: the chain it heads, or NULL. */
	struct adn_exec_chain **chain;	/* [n_elems] */
	/* NULL unless a capture runs: the executor's one test per element
	 * batch (per packet under scalar) for it. */
	const struct adn_exec_tap *tap;
	struct adn_exec_tap tap_slot;	/* what tap points to when set */
	struct adn_batch *one;		/* adn_exec_walk: a 1-packet batch */
	struct adn_exec_prof prof;
	/* A run is timed when (prof.batches & prof_mask) == 0; UINT64_MAX:
	 * never (a shadow's runs are timed by their caller). */
	uint64_t prof_mask;
	uint64_t prof_preempted_cycles;	/* ADN_PROF_PREEMPTED_US in TSC */
	char plan[ADN_PLAN_MAX];	/* the plan applied, as text */
	uint8_t at[ADN_BATCH_MAX];	/* chain exit position per packet */
	struct rte_mbuf *drops[ADN_BATCH_MAX];
};

/*
 * Batches the executors of one worker share. A worker runs one version's
 * executor at a time, and each leaves every batch empty when its run
 * ends, so the executors of successive versions can use the same memory,
 * still in the worker's cache when a swap happens. Control thread.
 */
struct adn_batch_set {
	unsigned int n;
	struct adn_batch **b;
};

/* At least `n` batches in `s`; 0 or -ENOMEM. */
int adn_batch_set_reserve(struct adn_batch_set *s, unsigned int n);
void adn_batch_set_free(struct adn_batch_set *s);

/* The new executor runs plan "batch" on batches of its own, or of `set`
 * (which must outlive it). NULL when out of memory. */
struct adn_exec *adn_exec_create_on(const struct adn_pipeline *p,
				    unsigned int worker,
				    struct adn_batch_set *set);

/* adn_exec_source_batch for lib/core's worker loop, inline: it runs once
 * per poll of every rx point. */
static inline struct adn_batch *
adn_exec_in(struct adn_exec *x, const struct adn_elem *e)
{
	return x->in[e->index];
}

#endif /* _ADN_PIPELINE_PRIV_H_ */
