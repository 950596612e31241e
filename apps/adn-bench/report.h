/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-bench results: one cell per (workload, plan), its runs, and the
 * writers (table, CSV, JSON, SVG chart). Main lcore only.
 */
#ifndef _ADN_BENCH_REPORT_H_
#define _ADN_BENCH_REPORT_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "adn_plan.h"

#define BENCH_MAX_REPS 100
#define BENCH_MAX_CELLS (8 * 33)
#define BENCH_MAX_SWAPS 4096	/* per cell */
#define BENCH_MAX_TICKS 6000	/* timed cells: 10 min of ticks */
#define BENCH_TICK_S 0.1
#define BENCH_MAX_PHASES 64
#define BENCH_MAX_MORPH 32
#define BENCH_MORPH "morph"	/* the plan name of a run with Morph on */

struct bench_stat {
	double median, min, max;
};

/* One element's profiler figures over a cell's timed runs. */
#define BENCH_MAX_ELEMS 16
struct bench_elem_cost {
	char name[32];
	/* Of the timed batches, summed over the cell's runs; a chain's are
	 * its head's. */
	uint64_t cycles, pkts;
};

static inline double
bench_elem_cpp(const struct bench_elem_cost *ec)
{
	return (double)ec->cycles / (double)ec->pkts;
}

struct bench_cell {
	char workload[32];
	char plan[ADN_PLAN_MAX];
	bool floor;		/* the I/O floor: source -> Recycle */
	uint64_t packets;	/* per run */
	unsigned int burst;
	unsigned int n_runs;
	double mpps[BENCH_MAX_REPS];
	double cpp[BENCH_MAX_REPS];	/* TSC cycles per packet */
	double p50[BENCH_MAX_REPS];	/* cycles per batch */
	double p99[BENCH_MAX_REPS];
	uint64_t dropped, transmitted;	/* summed over the runs */
	unsigned int n_elems;		/* elements the profiler timed */
	struct bench_elem_cost elem[BENCH_MAX_ELEMS];
	/* Swapped cells (--swap-every): the plan made live again while the
	 * runs go; per swap of every run, the slowest batch among the 10
	 * around it and the time from request to live. */
	unsigned int swap_every_ms;	/* 0: not a swapped cell */
	unsigned int n_swaps;
	double swap_worst[BENCH_MAX_SWAPS];
	double swap_ms[BENCH_MAX_SWAPS];
	/* Timed cells (the phased workload, the morph plan): one run of a
	 * set length, its Mpps per tick and per phase, Morph's swaps
	 * (seconds since the start, and to what) and its answers to
	 * searches and drifts (when, why, swapped or kept). */
	bool timed;
	double seconds;
	unsigned int n_ticks;
	float tick_mpps[BENCH_MAX_TICKS];
	double phase_s;			/* phased: seconds per phase */
	unsigned int n_phases;
	double phase_mpps[BENCH_MAX_PHASES];
	unsigned int n_morph;
	double morph_at[BENCH_MAX_MORPH];
	char morph_to[BENCH_MAX_MORPH][ADN_PLAN_MAX];
	unsigned int n_decide;
	double decide_at[BENCH_MAX_MORPH];
	bool decide_swapped[BENCH_MAX_MORPH];
	char decide_why[BENCH_MAX_MORPH][64];
	/* Filled by bench_cell_summarize. */
	struct bench_stat s_mpps, s_cpp, s_p50, s_p99, s_swap_worst, s_swap_ms;
};

struct bench_report {
	char config[256];
	char cpu[128];
	unsigned int reps;
	/* --interleave: run k of every cell of a workload ran in round k, so
	 * the report also sets each run against the same round's run of the
	 * workload's first plan. */
	bool interleaved;
	uint64_t tsc_hz;
	unsigned int n_cells;
	struct bench_cell cells[BENCH_MAX_CELLS];
};

void bench_cell_summarize(struct bench_cell *c);
void bench_cpu_model(char *buf, size_t len);
/* The human table. */
void bench_report_print(const struct bench_report *r, FILE *f);
/* PREFIX.csv, PREFIX.json, PREFIX.svg; 0 or -errno (reported on stderr). */
int bench_report_write(const struct bench_report *r, const char *prefix);

#endif /* _ADN_BENCH_REPORT_H_ */
