/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Morph: the profile-guided optimizer (NFMorph, ARCHITECTURE §6). It
 * watches the live traffic (morph_traffic.h: samples, flow tracer,
 * distinct-flow epochs) and the live profile (lib/core's profiler), and
 * on a control thread of its own searches the plan space the pipeline
 * declares (morph_space.h, morph_search.h) by replaying an upsampled
 * trace of the traffic through shadow versions (morph_eval.h). A plan
 * that beats the live one by `min_gain` is swapped in (a new version,
 * state kept); the live profile must then confirm the gain within
 * `confirm` seconds, or the previous plan comes back (the guard). A new
 * search starts every `period` seconds, or at once when the traffic
 * drifts (top-K share, distinct flows, branch shares).
 *
 * Config (all optional; docs/config.md):
 *
 *   morph = { enabled = true; period = 60.0; sample = 64;
 *             population = 8; generations = 4; min_gain = 0.05;
 *             objective = "cycles"; latency_bound = 100.0; seed = 1;
 *             window = 65536; confirm = 1.0; reps = 3; };
 */
#ifndef _ADN_MORPH_H_
#define _ADN_MORPH_H_

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_errs.h"
#include "adn_pipeline.h"

struct adn_runtime;
struct adn_morph;

enum adn_morph_objective {
	ADN_MORPH_CYCLES,	/* cycles per packet */
	ADN_MORPH_LATENCY,	/* the same, under a p99 batch-latency bound */
};

struct adn_morph_conf {
	bool enabled;
	double period;		/* s between searches without drift */
	uint32_t sample;	/* one burst in `sample` is sampled */
	uint32_t population, generations;
	double min_gain;	/* predicted gain a swap needs (0.05: 5%) */
	enum adn_morph_objective objective;
	double latency_bound;	/* us, p99 of a batch (objective latency) */
	uint64_t seed;
	uint32_t window;	/* packets per replay and per distinct count */
	double confirm;		/* s of live profile that confirm a swap */
	uint32_t reps;		/* timed replays per finalist (screening: 1) */
};

/* The config's `morph` group (absent: disabled, defaults). Every bad key
 * is reported with its line; returns 0 or -EINVAL. */
int adn_morph_conf_read(const config_t *cfg, struct adn_morph_conf *c,
			struct adn_errs *errs);

/* Set up Morph for the built runtime `rt` (EAL up, pipeline built). */
int adn_morph_create(struct adn_runtime *rt, const struct adn_morph_conf *c,
		     struct adn_morph **out, struct adn_errs *errs);
/* Attach to the workers and start the control thread (after
 * adn_runtime_start). */
int adn_morph_start(struct adn_morph *m);
/* Stop the thread and detach (before adn_runtime_stop). */
void adn_morph_stop(struct adn_morph *m);
void adn_morph_free(struct adn_morph *m);

/* Swap `plan` in as a search would, under the guard (operators trying a
 * plan, tests). Refused while a search or a confirmation runs. */
int adn_morph_try(struct adn_morph *m, const char *plan, char *reply,
		  size_t len);

#define ADN_MORPH_HISTORY 32

struct adn_morph_swap {
	double at;		/* s since Morph started */
	char from[ADN_PLAN_MAX], to[ADN_PLAN_MAX];
	double predicted;	/* gain the replay predicted (NAN: tried) */
	double confirmed;	/* gain the live profile showed (NAN: pending) */
	char reason[48];	/* the search's reason, "compiled", "tried", "guard" */
};

/* Morph's answer to a search or a drift: when it was made and whether
 * the plan changed (a search that finds nothing better, or a drift back
 * into the live plan's regime, keeps it: an answer too). */
struct adn_morph_decision {
	double at;		/* s since Morph started */
	char reason[64];	/* "start", "period", "drift: ...", "recall (...)" */
	bool swapped;
};

struct adn_morph_status {
	const char *state;
	char live_plan[ADN_PLAN_MAX];
	double live_cpp;		/* live cycles/packet, last second */
	double live_fitness;		/* the live plan's replay fitness */
	char best[ADN_PLAN_MAX];	/* the last search's winner */
	double best_fitness;
	uint64_t searches, evaluated, failed, swaps, rollbacks;
	uint64_t recalls;		/* drifts into a regime seen before */
	double last_search_s;		/* how long the last search took */
	/* The traffic at the last report: distinct flows per `window`
	 * packets, the share of the 32 heaviest flows, and of the top 1% of
	 * the flows in the sample window. */
	double distinct, topk_share, top1_share;
	uint64_t samples, samples_lost;
	unsigned int n_history;		/* oldest first */
	struct adn_morph_swap history[ADN_MORPH_HISTORY];
	unsigned int n_decisions;	/* oldest first */
	struct adn_morph_decision decisions[ADN_MORPH_HISTORY];
};

void adn_morph_status(struct adn_morph *m, struct adn_morph_status *st);

/* /adn/morph (status) and /adn/morph/try,PLAN. One Morph per process;
 * m NULL (Morph off): both answer that it is off and how to turn it on. */
int adn_morph_telemetry_register(struct adn_morph *m);

#endif /* _ADN_MORPH_H_ */
