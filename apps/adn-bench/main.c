/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-bench — measures plans (template choices) of a pipeline on one worker
 * lcore with an in-memory source, per workload, against the I/O floor.
 *
 *   adn-bench [-c FILE] [-p PLAN]... [-w WORKLOAD]... [-n PACKETS]
 *             [-r REPS] [-o PREFIX] [-q] [-- EAL arguments]
 *
 * For each workload (GenSource's `workload` key, rewritten in the loaded
 * config) it builds the pipeline once, then for the floor (the source
 * straight into a Recycle sink) and each plan runs a warm-up and REPS timed
 * runs of PACKETS packets, and reports Mpps, TSC cycles per packet and
 * cycles per batch (p50/p99, a latency proxy), as median and spread over
 * the runs. Writes PREFIX.csv, PREFIX.json and PREFIX.svg.
 *
 * Timed cells: plan `morph` runs the config's plan with Morph on
 * (lib/morph) for -D seconds from a cold start; workload `phased` runs
 * every plan for -P phases of GenSource's `phase` seconds (-T), heavy-
 * tailed and skewed in turn. Both record Mpps every 100 ms; the report
 * sets Morph against the best static plan and, per phase, against the
 * best static plan of that phase (the oracle).
 *
 * Shape of l3fwd: parse args -> EAL -> (build -> launch -> wait) per cell
 * -> report -> clean up.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "adn_elem.h"
#include "adn_morph.h"
#include "adn_opts.h"
#include "adn_runtime.h"

#include "report.h"

#define MAX_PLANS 32

/* Without -p: every template on its own, then full plans that mix
 * templates, chains and knobs (docs/benchmarking.md discusses them). */
static const char *const default_plans[] = {
	"scalar", "batch", "prefetch", "group2", "group4", "group8",
	"batch,route=fastpath1024", "fused8", "jit8",
	"jit8,route=fastpath4096", "jit8,route.table=dir24_8",
	"group8,route=fastpath1024,count+csum=jit8",
	"jit16,route.table=dir24_8,count.size=65536",
	"jit16,route=fastpath4096,route.table=dir24_8,count.size=65536",
};
#define MAX_WORKLOADS 8
#define FLOOR_SINK "__bench_sink"

struct options {
	const char *config;
	const char *plans[MAX_PLANS];
	unsigned int n_plans;
	const char *workloads[MAX_WORKLOADS];
	unsigned int n_workloads;
	uint64_t packets;
	uint64_t warmup;	/* UINT64_MAX: packets / 10 */
	uint64_t reps;
	uint64_t burst;		/* 0: the config's */
	const char *prefix;
	bool no_floor;
	bool quiet;
	uint64_t swap_every_ms;	/* 0: no swapped cells */
	bool interleave;	/* the plans' runs take turns */
	double duration;		/* s, a morph cell of a steady workload */
	uint64_t phases;		/* phased workload: phases per run */
	double phase_s;			/* > 0: GenSource's `phase` rewritten */
	int eal_argc;
	char **eal_argv;
};

/* One timed run, shared between the main lcore and the worker. */
struct run {
	struct adn_runtime *rt;
	uint16_t burst;
	uint64_t target;
	uint32_t *batch_cyc;	/* [cap] */
	uint64_t *batch_end;	/* [cap], swapping only: each batch's end */
	uint64_t cap;
	/* Swapping: the plan made live again every swap_tsc cycles while the
	 * run goes, when each swap was asked for and how long it took. */
	const char *swap_plan;
	uint64_t swap_tsc;
	unsigned int n_swaps;
	uint64_t swap_at[BENCH_MAX_SWAPS];
	double swap_ms[BENCH_MAX_SWAPS];
	/* Timed runs: stop after duration_tsc (0: after `target` packets),
	 * and note the packets done every tick_tsc. */
	uint64_t duration_tsc, tick_tsc;
	unsigned int n_ticks;
	uint64_t tick_done[BENCH_MAX_TICKS];
	/* Results. */
	volatile uint64_t done;	/* packets so far (progress) */
	uint64_t n_batches;
	uint64_t tsc;		/* total cycles */
	uint64_t empty;		/* polls the source returned nothing */
};

static int
parse_args(int argc, char **argv, struct options *o)
{
	const struct adn_opt opts[] = {
		{ "config", 'c', ADN_OPT_STR, &o->config, .arg = "FILE",
		  .help = "pipeline config (default configs/nfmorph.cfg)" },
		{ "plan", 'p', ADN_OPT_STRS, o->plans, .max = MAX_PLANS,
		  .n = &o->n_plans, .arg = "PLAN",
		  .help = "a plan to run; repeat for more (default: every\n"
			  "template and a few full plans)\n"
			  "PLAN: TEMPLATE[,batch=N][,ELEM=TEMPLATE][,A+B=fused|jit]\n"
			  "[,ELEM.KNOB=VALUE] (docs/benchmarking.md)" },
		{ "workload", 'w', ADN_OPT_STRS, o->workloads,
		  .max = MAX_WORKLOADS, .n = &o->n_workloads, .arg = "NAME",
		  .help = "GenSource workload; repeat (default: heavy-tailed, skewed)\n"
			  "`config` keeps the config's own GenSource keys" },
		{ "packets", 'n', ADN_OPT_U64, &o->packets, 1, 1e15,
		  .arg = "N", .help = "packets per timed run (default 10000000)" },
		{ "warmup", 'W', ADN_OPT_U64, &o->warmup, 0, 1e15, .arg = "N",
		  .help = "packets before each cell's runs (default N/10)" },
		{ "reps", 'r', ADN_OPT_U64, &o->reps, 1, BENCH_MAX_REPS,
		  .arg = "R", .help = "timed runs per cell (default 5)" },
		{ "burst", 'b', ADN_OPT_U64, &o->burst, 1, ADN_BATCH_MAX,
		  .arg = "B",
		  .help = "packets per batch (default: the config's)" },
		{ "output", 'o', ADN_OPT_STR, &o->prefix, .arg = "PREFIX",
		  .help = "write PREFIX.csv, .json, .svg (default adn-bench)" },
		{ "no-floor", 0, ADN_OPT_FLAG, &o->no_floor,
		  .help = "skip the I/O floor (source -> Recycle)" },
		{ "interleave", 'I', ADN_OPT_FLAG, &o->interleave,
		  .help = "the plans' runs take turns (run r of every plan,\n"
			  "then run r + 1), each after its own warm-up: a\n"
			  "drift in the machine's speed hits every plan alike" },
		{ "swap-every", 'S', ADN_OPT_U64, &o->swap_every_ms, 1, 60000,
		  .arg = "MS",
		  .help = "also measure each plan while a new version of it\n"
			  "is swapped in every MS ms (hot-swap cost)" },
		{ "duration", 'D', ADN_OPT_DOUBLE, &o->duration, 1, 3600,
		  .arg = "S",
		  .help = "seconds of a `morph` run (plan morph: the config's\n"
			  "plan with Morph on; default 20)" },
		{ "phases", 'P', ADN_OPT_U64, &o->phases, 1, BENCH_MAX_PHASES,
		  .arg = "N",
		  .help = "phases per run of workload `phased` (default 4)" },
		{ "phase", 'T', ADN_OPT_DOUBLE, &o->phase_s, 0.1, 3600,
		  .arg = "S",
		  .help = "seconds per phase (default: GenSource's `phase`)" },
		{ "quiet", 'q', ADN_OPT_FLAG, &o->quiet,
		  .help = "no progress line" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-bench",
		.synopsis = "[options] [-- EAL arguments]",
		.summary = "Benchmark plans of a pipeline on one worker lcore, per workload.",
		.footer =
		"EAL arguments come from the config's `eal` list, then from after `--`\n"
		"(an option given after `--` replaces the config's).\n",
		.opts = opts,
	};
	struct adn_plan *plan;
	int rc;

	memset(o, 0, sizeof(*o));
	o->config = "configs/nfmorph.cfg";
	o->packets = 10000000;
	o->warmup = UINT64_MAX;
	o->reps = 5;
	o->prefix = "adn-bench";
	o->duration = 20;
	o->phases = 4;
	rc = adn_opts_parse(&spec, argc, argv, &o->eal_argc, &o->eal_argv);
	if (rc != 0)
		return rc;
	if (o->n_plans == 0) {
		for (unsigned int i = 0; i < RTE_DIM(default_plans); i++)
			o->plans[o->n_plans++] = default_plans[i];
	}
	/* A plan that cannot parse is refused now, not after the cells
	 * before it have run for minutes. */
	plan = malloc(sizeof(*plan));
	if (plan == NULL)
		return -1;
	for (unsigned int i = 0; i < o->n_plans && rc == 0; i++) {
		struct adn_errs errs = { 0 };

		if (strcmp(o->plans[i], BENCH_MORPH) == 0)
			continue;
		rc = o->plans[i][0] == '\0' ? -EINVAL :
			adn_plan_parse(o->plans[i], plan, &errs);
		if (rc < 0) {
			fprintf(stderr, "adn-bench: --plan '%s': %s\n",
				o->plans[i], o->plans[i][0] == '\0' ?
				"empty" : "not a plan");
			adn_errs_print(&errs, stderr);
			adn_errs_clear(&errs);
		}
	}
	free(plan);
	if (rc < 0)
		return -1;
	if (o->n_workloads == 0) {
		o->workloads[o->n_workloads++] = "heavy-tailed";
		o->workloads[o->n_workloads++] = "skewed";
	}
	if (o->warmup == UINT64_MAX)
		o->warmup = o->packets / 10;
	if (o->interleave && o->swap_every_ms) {
		fprintf(stderr, "adn-bench: --interleave and --swap-every do not combine (a swapped cell follows its plan's)\n");
		return -1;
	}
	if ((o->n_plans * (o->swap_every_ms ? 2 : 1) + 1) * o->n_workloads >
	    BENCH_MAX_CELLS) {
		fprintf(stderr, "adn-bench: too many plans x workloads (at most %d cells)\n",
			BENCH_MAX_CELLS);
		return -1;
	}
	return 0;
}

/* The worker, as adn-nf's: load the live version, poll its first rx
 * point (adn-nf's worker step: rx a burst, run it to completion), report
 * a quiescent state; time the batch. Nothing else happens on this lcore
 * while it runs. */
static int
bench_loop(void *arg)
{
	struct run *r = arg;
	struct rte_rcu_qsbr *qsbr = adn_runtime_qsbr(r->rt);
	uint64_t done = 0, nb = 0, empty = 0, t0, t1, prev, next_tick;

	adn_worker_index_set(0);
	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	t0 = rte_rdtsc();
	prev = t0;
	next_tick = t0 + r->tick_tsc;
	r->n_ticks = 0;
	while (done < r->target) {
		const struct adn_version *v = adn_runtime_live(r->rt);
		/* 0: the live version's (Morph changes it). */
		uint16_t want = (uint16_t)RTE_MIN((uint64_t)(r->burst ?
			r->burst : adn_version_burst(v)), r->target - done);
		uint16_t n = adn_version_poll(v, 0, 0, want);
		uint64_t now;

		/* Queue elements (PrioSched) release as in a worker. */
		adn_exec_release_all(adn_version_exec(v, 0));
		if (unlikely(n == 0)) {
			/* An empty pool means mbufs leak in the pipeline:
			 * give up instead of spinning forever. */
			if (++empty > 1000000)
				break;
			continue;
		}
		rte_rcu_qsbr_quiescent(qsbr, 0);
		now = rte_rdtsc();
		if (nb < r->cap) {
			if (r->batch_end != NULL)
				r->batch_end[nb] = now;
			r->batch_cyc[nb++] = (uint32_t)RTE_MIN(now - prev,
							       (uint64_t)UINT32_MAX);
		}
		prev = now;
		done += n;
		if ((nb & 255) == 0)
			__atomic_store_n(&r->done, done, __ATOMIC_RELAXED);
		if (r->duration_tsc == 0)
			continue;
		/* A batch that outlasted ticks closes each of them (a stall
		 * shows as ticks of nothing, and ticks keep to the clock). */
		while (now >= next_tick && r->n_ticks < BENCH_MAX_TICKS) {
			r->tick_done[r->n_ticks++] = done;
			next_tick += r->tick_tsc;
		}
		if (now - t0 >= r->duration_tsc)
			break;
	}
	t1 = rte_rdtsc();
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	r->tsc = t1 - t0;
	r->n_batches = nb;
	r->empty = empty;
	__atomic_store_n(&r->done, done, __ATOMIC_RELEASE);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int
worker_lcore(void)
{
	unsigned int l = rte_get_next_lcore(-1, 1, 0);

	return l < RTE_MAX_LCORE ? l : rte_get_main_lcore();
}

/* Make the run's plan live again as a new version (the worker moves to
 * it at its next batch), and note when and how long it took. */
static void
swap(struct run *r)
{
	struct adn_errs errs = { 0 };
	struct adn_swap_stats st;

	if (adn_runtime_set_plan(r->rt, r->swap_plan, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		adn_errs_clear(&errs);
		return;
	}
	adn_runtime_swap_stats(r->rt, &st);
	if (r->n_swaps < BENCH_MAX_SWAPS) {
		/* Batches around the moment the worker could first see the
		 * new version. */
		r->swap_at[r->n_swaps] = adn_version_published_tsc(
			adn_runtime_live(r->rt));
		r->swap_ms[r->n_swaps++] = st.last_publish_ms;
	}
}

/* Per swap of the last run, the slowest batch among the 10 around its
 * publication (batch_cyc still in batch order), into the cell. */
static void
worst_near_swaps(const struct run *r, struct bench_cell *c)
{
	uint64_t j = 0;

	for (unsigned int s = 0; s < r->n_swaps &&
	     c->n_swaps < BENCH_MAX_SWAPS; s++) {
		uint32_t worst = 0;

		while (j < r->n_batches && r->batch_end[j] < r->swap_at[s])
			j++;
		for (uint64_t i = j >= 5 ? j - 5 : 0;
		     i < RTE_MIN(r->n_batches, j + 5); i++)
			worst = RTE_MAX(worst, r->batch_cyc[i]);
		c->swap_worst[c->n_swaps] = worst;
		c->swap_ms[c->n_swaps++] = r->swap_ms[s];
	}
}

/* Run `r` on the worker lcore (or here when EAL gave none), showing
 * progress. Returns 0 or a negative errno. */
static int
launch(struct run *r, const struct options *o, const char *label)
{
	unsigned int lcore = worker_lcore();
	bool tty = !o->quiet && isatty(STDERR_FILENO);
	uint64_t next_progress = 0, next_swap = rte_rdtsc() + r->swap_tsc;
	const uint64_t started = rte_rdtsc();

	r->done = 0;
	if (lcore == rte_get_main_lcore()) {
		bench_loop(r);
	} else {
		int rc = rte_eal_remote_launch(bench_loop, r, lcore);

		if (rc < 0)
			return rc;
		r->n_swaps = 0;
		while (rte_eal_get_lcore_state(lcore) != WAIT) {
			uint64_t now = rte_rdtsc();

			if (tty && now >= next_progress) {
				double part = r->duration_tsc ?
					(double)(now - started) /
					(double)r->duration_tsc :
					(double)__atomic_load_n(&r->done,
						__ATOMIC_RELAXED) / r->target;

				fprintf(stderr, "\r  %-40s %3.0f%%", label,
					100.0 * RTE_MIN(part, 1.0));
				next_progress = now + rte_get_tsc_hz() / 5;
			}
			if (r->swap_plan != NULL && now >= next_swap) {
				swap(r);
				next_swap = now + r->swap_tsc;
			}
			rte_delay_us_sleep(1000);
			adn_runtime_reclaim(r->rt);
		}
		rte_eal_wait_lcore(lcore);
	}
	if (tty)
		fprintf(stderr, "\r%-60s\r", "");
	if (r->done < r->target && r->duration_tsc == 0) {
		fprintf(stderr, "adn-bench: %s: source ran dry after %" PRIu64 " of %" PRIu64 " packets (mbufs not returned to the pool?)\n",
			label, r->done, r->target);
		return -EIO;
	}
	return 0;
}

/* The profiler's counters of every element, to diff around a cell. */
struct elem_snap {
	unsigned int n;
	char name[BENCH_MAX_ELEMS][32];
	uint64_t cycles[BENCH_MAX_ELEMS], timed_in[BENCH_MAX_ELEMS];
};

static void
snap_one(const char *name, const char *type, const struct adn_elem *live,
	 const struct adn_elem_totals *t, void *arg)
{
	struct elem_snap *s = arg;

	if (live == NULL || s->n == BENCH_MAX_ELEMS)
		return;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
	s->cycles[s->n] = t->cycles;
	s->timed_in[s->n++] = t->timed_in;
}

/* cycles/packet of each element over the runs since `before`, added to
 * the cell's earlier runs (--interleave measures a cell in several
 * turns). */
static void
elem_costs(struct adn_runtime *rt, const struct elem_snap *before,
	   struct bench_cell *cell)
{
	struct elem_snap after = { 0 };

	adn_runtime_foreach_elem(rt, snap_one, &after);
	for (unsigned int k = 0; k < after.n; k++) {
		struct bench_elem_cost *ec = NULL;
		uint64_t c = after.cycles[k], n = after.timed_in[k];

		for (unsigned int j = 0; j < before->n; j++)
			if (strcmp(before->name[j], after.name[k]) == 0) {
				c -= before->cycles[j];
				n -= before->timed_in[j];
			}
		if (n == 0 || c == 0)
			continue;
		for (unsigned int j = 0; j < cell->n_elems && ec == NULL; j++)
			if (strcmp(cell->elem[j].name, after.name[k]) == 0)
				ec = &cell->elem[j];
		if (ec == NULL) {
			if (cell->n_elems == BENCH_MAX_ELEMS)
				continue;
			ec = &cell->elem[cell->n_elems++];
			snprintf(ec->name, sizeof(ec->name), "%s",
				 after.name[k]);
		}
		ec->cycles += c;
		ec->pkts += n;
	}
}

/* Make `text` live, warm up, then `runs` timed runs into `cell` (after
 * the cell's earlier ones). */
static int
measure(struct adn_runtime *rt, const char *text, const struct adn_plan *plan,
	const struct options *o, struct bench_cell *cell, struct run *r,
	unsigned int runs)
{
	struct adn_errs errs = { 0 };
	struct adn_totals before, after;
	struct elem_snap snap = { 0 };
	char label[ADN_PLAN_MAX + 128];
	int rc;

	if (adn_runtime_set_plan(rt, text, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		adn_errs_clear(&errs);
		return -EINVAL;
	}
	/* No worker runs between cells: the old version goes at once. */
	adn_runtime_sync(rt);
	r->rt = rt;
	/* The plan's batch size, else -b, else the config's. */
	r->burst = (uint16_t)(plan->burst ? plan->burst :
			      o->burst ? o->burst :
			      adn_version_burst(adn_runtime_live(rt)));
	if (o->warmup > 0) {
		snprintf(label, sizeof(label), "%s / %s warm-up",
			 cell->workload, cell->plan);
		r->target = o->warmup;
		rc = launch(r, o, label);
		if (rc < 0)
			return rc;
	}
	r->target = o->packets;
	cell->packets = o->packets;
	cell->burst = r->burst;
	adn_runtime_foreach_elem(rt, snap_one, &snap);
	for (unsigned int k = cell->n_runs; runs > 0; k++, runs--) {
		snprintf(label, sizeof(label), "%s / %s run %u/%" PRIu64,
			 cell->workload, cell->plan, k + 1, o->reps);
		adn_runtime_totals(rt, &before);
		rc = launch(r, o, label);
		if (rc < 0)
			return rc;
		adn_runtime_totals(rt, &after);
		if (r->swap_plan != NULL)
			worst_near_swaps(r, cell);
		qsort(r->batch_cyc, r->n_batches, sizeof(uint32_t), cmp_u32);
		cell->mpps[k] = (double)r->done / ((double)r->tsc /
						   rte_get_tsc_hz()) / 1e6;
		cell->cpp[k] = (double)r->tsc / (double)r->done;
		cell->p50[k] = r->n_batches ?
			r->batch_cyc[r->n_batches / 2] : 0;
		cell->p99[k] = r->n_batches ?
			r->batch_cyc[(uint64_t)(r->n_batches * 0.99)] : 0;
		cell->dropped += after.dropped - before.dropped;
		cell->transmitted += after.transmitted - before.transmitted;
		cell->n_runs++;
		if (!o->quiet && !isatty(STDERR_FILENO))
			fprintf(stderr, "  %s: %.2f Mpps\n", label,
				cell->mpps[k]);
	}
	elem_costs(rt, &snap, cell);
	bench_cell_summarize(cell);
	return 0;
}

/* GenSource's name in the live config, for its control commands. */
static const char *
source_name(struct adn_runtime *rt)
{
	return adn_version_rx_source(adn_runtime_live(rt), 0, 0)->name;
}

/* Morph's swaps of the run into the cell. */
static void
morph_swaps(struct adn_morph *m, struct bench_cell *c)
{
	struct adn_morph_status *st = malloc(sizeof(*st));

	if (st == NULL)
		return;
	adn_morph_status(m, st);
	for (unsigned int i = 0; i < st->n_history &&
	     c->n_morph < BENCH_MAX_MORPH; i++) {
		c->morph_at[c->n_morph] = st->history[i].at;
		snprintf(c->morph_to[c->n_morph++], ADN_PLAN_MAX, "%s",
			 st->history[i].to);
	}
	for (unsigned int i = 0; i < st->n_decisions &&
	     c->n_decide < BENCH_MAX_MORPH; i++) {
		c->decide_at[c->n_decide] = st->decisions[i].at;
		c->decide_swapped[c->n_decide] = st->decisions[i].swapped;
		snprintf(c->decide_why[c->n_decide++], sizeof(c->decide_why[0]),
			 "%s", st->decisions[i].reason);
	}
	free(st);
}

/*
 * A timed cell: one run of `seconds` from a cold start of plan `text`
 * (BENCH_MORPH: `start` with Morph on), GenSource restarted so phases
 * line up, Mpps recorded every tick.
 */
static int
measure_timed(struct adn_runtime *rt, const char *text, const char *start,
	      unsigned int burst, double seconds, double phase_s,
	      const struct options *o, struct bench_cell *cell, struct run *r)
{
	const bool morph_on = strcmp(text, BENCH_MORPH) == 0;
	const double hz = (double)rte_get_tsc_hz();
	struct adn_errs errs = { 0 };
	struct adn_morph_conf mc;
	struct adn_morph *m = NULL;
	char label[ADN_PLAN_MAX + 128], reply[128];
	uint64_t prev = 0;
	int rc;

	rc = adn_runtime_set_plan(rt, morph_on ? start : text, &errs);
	if (rc == 0)
		adn_runtime_sync(rt);
	if (rc == 0 && adn_runtime_control(rt, source_name(rt), "restart",
					   reply, sizeof(reply)) < 0) {
		fprintf(stderr, "adn-bench: %s: %s\n", source_name(rt), reply);
		rc = -EINVAL;
	}
	if (rc == 0 && morph_on) {
		/* The config's policy, on whether it says so or not. */
		rc = adn_morph_conf_read(adn_runtime_config(rt), &mc, &errs);
		mc.enabled = true;
		if (rc == 0)
			rc = adn_morph_create(rt, &mc, &m, &errs);
		if (rc == 0)
			rc = adn_morph_start(m);
	}
	if (rc < 0) {
		adn_errs_print(&errs, stderr);
		adn_errs_clear(&errs);
		adn_morph_free(m);
		return -EINVAL;
	}
	r->rt = rt;
	r->burst = (uint16_t)(morph_on ? 0 : burst);
	r->target = UINT64_MAX / 2;
	r->duration_tsc = (uint64_t)(seconds * hz);
	r->tick_tsc = (uint64_t)(BENCH_TICK_S * hz);
	snprintf(label, sizeof(label), "%s / %s", cell->workload, cell->plan);
	rc = launch(r, o, label);
	if (m != NULL) {
		adn_morph_stop(m);
		morph_swaps(m, cell);
		adn_morph_free(m);
	}
	r->duration_tsc = 0;
	if (rc < 0)
		return rc;
	cell->timed = true;
	cell->seconds = seconds;
	cell->burst = burst;
	cell->packets = r->done;
	cell->n_ticks = r->n_ticks;
	for (unsigned int k = 0; k < r->n_ticks; k++) {
		cell->tick_mpps[k] = (float)((r->tick_done[k] - prev) /
					     BENCH_TICK_S / 1e6);
		prev = r->tick_done[k];
	}
	cell->phase_s = phase_s;
	for (unsigned int k = 0; phase_s > 0 && k < BENCH_MAX_PHASES &&
	     (k + 1) * phase_s <= seconds + 1e-9; k++) {
		const unsigned int per = (unsigned int)(phase_s / BENCH_TICK_S + 0.5);
		double sum = 0;

		for (unsigned int t = k * per; t < (k + 1) * per &&
		     t < cell->n_ticks; t++)
			sum += cell->tick_mpps[t];
		cell->phase_mpps[cell->n_phases++] = sum / per;
	}
	cell->mpps[0] = (double)r->done / ((double)r->tsc / hz) / 1e6;
	cell->cpp[0] = (double)r->tsc / (double)r->done;
	cell->n_runs = 1;
	bench_cell_summarize(cell);
	return 0;
}

/* The config's first element of `type`, or NULL. */
static config_setting_t *
find_elem(config_t *cfg, const char *type, int *idx)
{
	config_setting_t *els = config_lookup(cfg, "elements");
	const char *t;

	for (int i = 0; els && i < config_setting_length(els); i++) {
		config_setting_t *e = config_setting_get_elem(els, i);

		if (config_setting_lookup_string(e, "type", &t) &&
		    strcmp(t, type) == 0) {
			if (idx)
				*idx = i;
			return e;
		}
	}
	return NULL;
}

static void
set_string(config_setting_t *group, const char *key, const char *val)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		s = config_setting_add(group, key, CONFIG_TYPE_STRING);
	config_setting_set_string(s, val);
}

/* Point GenSource at `workload` ("config": leave it as written). */
static int
patch_workload(config_t *cfg, const char *workload, double phase_s)
{
	config_setting_t *g = find_elem(cfg, "GenSource", NULL);

	if (g == NULL) {
		fprintf(stderr, "adn-bench: the config has no GenSource element\n");
		return -EINVAL;
	}
	if (strcmp(workload, "config") == 0)
		return 0;
	set_string(g, "workload", workload);
	/* The workload defines flows and alpha: drop explicit ones. */
	config_setting_remove(g, "flows");
	config_setting_remove(g, "alpha");
	if (phase_s > 0) {
		config_setting_remove(g, "phase");
		config_setting_set_float(config_setting_add(g, "phase",
					 CONFIG_TYPE_FLOAT), phase_s);
	}
	return 0;
}

/* GenSource's seconds per phase in `cfg` (its default when unset). */
static double
phase_of(config_t *cfg)
{
	config_setting_t *g = find_elem(cfg, "GenSource", NULL);
	double v = 10;

	if (g != NULL && config_setting_lookup_float(g, "phase", &v) !=
	    CONFIG_TRUE) {
		int i;

		if (config_setting_lookup_int(g, "phase", &i) == CONFIG_TRUE)
			v = i;
	}
	return v;
}

/* Keep only the source, and feed it straight to a Recycle sink. */
static int
patch_floor(config_t *cfg)
{
	config_setting_t *els = config_lookup(cfg, "elements");
	config_setting_t *links = config_lookup(cfg, "links");
	config_setting_t *sink, *s;
	const char *src_name;
	int src_idx;
	config_setting_t *src = find_elem(cfg, "GenSource", &src_idx);

	if (src == NULL || links == NULL ||
	    !config_setting_lookup_string(src, "name", &src_name))
		return -EINVAL;
	for (int i = config_setting_length(els) - 1; i >= 0; i--)
		if (i != src_idx)
			config_setting_remove_elem(els, (unsigned int)i);
	sink = config_setting_add(els, NULL, CONFIG_TYPE_GROUP);
	set_string(sink, "name", FLOOR_SINK);
	set_string(sink, "type", "Recycle");
	while (config_setting_length(links) > 0)
		config_setting_remove_elem(links, 0);
	s = config_setting_add(links, NULL, CONFIG_TYPE_STRING);
	{
		char arrow[ADN_NAME_MAX * 2 + 8];

		config_setting_lookup_string(config_setting_get_elem(els, 0),
					     "name", &src_name);
		snprintf(arrow, sizeof(arrow), "%s -> %s", src_name,
			 FLOOR_SINK);
		config_setting_set_string(s, arrow);
	}
	return 0;
}

/* Load into *out (the caller frees it; NULL when the config did not
 * load), patch (workload, floor), build; prints errors. The config's own
 * `plan` gives way to the -p plans, each a new version of this build. */
static int
build(struct adn_runtime **out, const struct options *o,
      const char *workload, bool floor, char *start_plan, double *phase_s)
{
	struct adn_errs errs = { 0 };
	struct adn_runtime *rt;
	const char *cfg_plan;
	config_t *cfg;
	int rc;

	rc = adn_runtime_load(o->config, &errs, out);
	rt = *out;
	cfg = rc == 0 ? adn_runtime_config(rt) : NULL;
	if (rc == 0) {
		/* Morph starts from the config's plan (a string; a group
		 * or none: the default). */
		snprintf(start_plan, ADN_PLAN_MAX, "%s",
			 config_lookup_string(cfg, "plan", &cfg_plan) ?
			 cfg_plan : ADN_PLAN_DEFAULT);
		config_setting_remove(config_root_setting(cfg), "plan");
		rc = patch_workload(cfg, workload, o->phase_s);
		*phase_s = strcmp(workload, "phased") == 0 ? phase_of(cfg) : 0;
	}
	if (rc == 0 && floor && patch_floor(cfg) < 0) {
		fprintf(stderr, "adn-bench: cannot derive the floor pipeline from %s\n",
			o->config);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = adn_runtime_build(rt, &errs);
	if (rc == 0 && adn_runtime_n_workers(rt) != 1) {
		fprintf(stderr, "adn-bench: %s: workers = %u; the benchmark runs one worker (set workers = 1)\n",
			o->config, adn_runtime_n_workers(rt));
		rc = -EINVAL;
	}
	adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
	return rc;
}

/* Measure the given plans of one workload (or its floor) into cells[]:
 * one build, each plan a new version of it (elements whose knobs it keeps
 * keep their state: GenSource's trace is generated once). */
/* Every packet of every cell of a workload accounted for, across all the
 * versions its plans and Morph made live: -EPROTO (and why) when not. */
static int
check_accounting(struct adn_runtime *rt, const char *workload, bool floor)
{
	struct adn_totals t;
	struct adn_swap_stats sw;

	adn_runtime_totals(rt, &t);
	adn_runtime_swap_stats(rt, &sw);
	if (t.received == t.transmitted + t.dropped + t.in_flight &&
	    sw.unbalanced == 0) {
		fprintf(stderr, "%s%s: every packet accounted for (%" PRIu64 " received, %" PRIu64 " versions)\n",
			workload, floor ? " (floor)" : "", t.received,
			sw.swaps + 1);
		return 0;
	}
	fprintf(stderr, "adn-bench: %s%s: packets unaccounted for: received %" PRIu64 " != transmitted %" PRIu64 " + dropped %" PRIu64 " + in flight %" PRIu64 ", %" PRIu64 " of %" PRIu64 " retired versions unbalanced\n",
		workload, floor ? " (floor)" : "", t.received, t.transmitted,
		t.dropped, t.in_flight, sw.unbalanced, sw.retired);
	return -EPROTO;
}

static int
bench_pipeline(const struct options *o, const char *workload, bool floor,
	       const char *const *plans, unsigned int n_plans,
	       struct bench_cell *cells, unsigned int *n_cells, struct run *r)
{
	struct adn_runtime *rt = NULL;
	struct adn_plan *plan = malloc(sizeof(*plan));
	uint64_t t0 = rte_rdtsc();
	char start_plan[ADN_PLAN_MAX];
	double phase_s = 0;
	int rc;

	if (plan == NULL)
		return -ENOMEM;
	rc = build(&rt, o, workload, floor, start_plan, &phase_s);
	if (rc == 0 && !o->quiet)
		fprintf(stderr, "%s%s: built in %.2f s\n", workload,
			floor ? " (floor)" : "",
			(double)(rte_rdtsc() - t0) / rte_get_tsc_hz());
	if (rc == 0 &&
	    adn_version_rx_source(adn_runtime_live(rt), 0, 0) == NULL) {
		fprintf(stderr, "adn-bench: %s: no source element\n",
			o->config);
		rc = -EINVAL;
	}
	*n_cells = 0;
	for (unsigned int i = 0; i < n_plans && rc == 0; i++) {
		struct bench_cell *c = &cells[(*n_cells)++];
		struct adn_errs errs = { 0 };

		const bool morph_on = strcmp(plans[i], BENCH_MORPH) == 0;

		rc = adn_plan_parse(morph_on ? start_plan : plans[i], plan,
				    &errs);
		adn_errs_print(&errs, stderr);
		adn_errs_clear(&errs);
		if (rc < 0)
			break;
		memset(c, 0, sizeof(*c));
		snprintf(c->workload, sizeof(c->workload), "%s", workload);
		snprintf(c->plan, sizeof(c->plan), "%s",
			 floor ? "floor" : plans[i]);
		c->floor = floor;
		if (!floor && (morph_on || phase_s > 0)) {
			rc = measure_timed(rt, plans[i], start_plan,
				plan->burst ? plan->burst : o->burst ?
				o->burst : adn_runtime_burst(rt),
				phase_s > 0 ? phase_s * o->phases :
				o->duration, phase_s, o, c, r);
			continue;
		}
		rc = measure(rt, plans[i], plan, o, c, r,
			     o->interleave ? 1 : (unsigned int)o->reps);
		if (rc < 0 || floor || o->swap_every_ms == 0)
			continue;
		/* The same plan again, made live anew every swap_every_ms
		 * while it runs: the cost of a hot swap. */
		cells[*n_cells] = (struct bench_cell){ .floor = false };
		c = &cells[(*n_cells)++];
		snprintf(c->workload, sizeof(c->workload), "%s", workload);
		snprintf(c->plan, sizeof(c->plan), "%s", plans[i]);
		c->swap_every_ms = o->swap_every_ms;
		r->swap_plan = plans[i];
		r->swap_tsc = rte_get_tsc_hz() / 1000 * o->swap_every_ms;
		rc = measure(rt, plans[i], plan, o, c, r,
			     (unsigned int)o->reps);
		r->swap_plan = NULL;
	}
	/* --interleave: the other runs, every plan's run k before any
	 * plan's run k + 1 (cells[i] is plans[i]'s: no swapped cells). */
	for (unsigned int k = 1; o->interleave && k < o->reps; k++)
		for (unsigned int i = 0; i < n_plans && rc == 0; i++) {
			struct adn_errs errs = { 0 };

			if (cells[i].timed)
				continue;
			rc = adn_plan_parse(plans[i], plan, &errs);
			adn_errs_clear(&errs);
			if (rc == 0)
				rc = measure(rt, plans[i], plan, o, &cells[i], r,
					     1);
		}
	if (rc == 0)
		rc = check_accounting(rt, workload, floor);
	adn_runtime_free(rt);
	free(plan);
	return rc;
}

static char **
eal_argv(const char *prog, int cfg_argc, char **cfg_argv, int argc,
	 char **argv, int *out_argc)
{
	char **v = calloc(cfg_argc + argc + 2, sizeof(*v));
	int n = 0;

	if (v == NULL)
		return NULL;
	v[n++] = (char *)(uintptr_t)prog;
	/* An option given after `--` replaces the config's (EAL rejects a
	 * repeated -l), so `-- -l 2-3` moves the benchmark elsewhere. */
	for (int i = 0; i < cfg_argc; i++) {
		bool dup = false;

		for (int k = 0; cfg_argv[i][0] == '-' && k < argc; k++)
			dup |= strcmp(cfg_argv[i], argv[k]) == 0;
		if (dup) {
			if (i + 1 < cfg_argc && cfg_argv[i + 1][0] != '-')
				i++;
			continue;
		}
		v[n++] = cfg_argv[i];
	}
	for (int i = 0; i < argc; i++)
		v[n++] = argv[i];
	*out_argc = n;
	return v;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct adn_runtime *rt = NULL;
	struct adn_errs errs = { 0 };
	static struct bench_report rep;
	struct run r = { 0 };
	bool cyc_on_heap = false;
	int cfg_argc, eargc, rc;
	char **cfg_argv, **eargv;
	int status = 0;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	/* The config's EAL arguments, read once before EAL exists. */
	if (adn_runtime_load(o.config, &errs, &rt) < 0 ||
	    adn_runtime_eal_args(rt, &cfg_argc, &cfg_argv, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		return 1;
	}
	eargv = eal_argv(argv[0], cfg_argc, cfg_argv, o.eal_argc, o.eal_argv,
			 &eargc);
	if (eargv != NULL && adn_eal_args_check(eargc, eargv, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		return 1;
	}
	if (eargv == NULL || rte_eal_init(eargc, eargv) < 0) {
		fprintf(stderr, "adn-bench: EAL init failed\n");
		return 1;
	}
	/* One timing per batch; bursts of one at worst. */
	r.cap = o.packets + 1;
	r.batch_cyc = rte_malloc("bench_batches", sizeof(uint32_t) * r.cap, 0);
	if (r.batch_cyc == NULL) {
		/* EAL memory is small without hugepages: fall back. */
		cyc_on_heap = true;
		r.batch_cyc = malloc(sizeof(uint32_t) * r.cap);
		if (r.batch_cyc == NULL) {
			fprintf(stderr, "adn-bench: out of memory for %" PRIu64 " batch timings\n",
				r.cap);
			return 1;
		}
	}
	if (o.swap_every_ms > 0) {
		r.batch_end = malloc(sizeof(uint64_t) * r.cap);
		if (r.batch_end == NULL) {
			fprintf(stderr, "adn-bench: out of memory for %" PRIu64 " batch end times\n",
				r.cap);
			return 1;
		}
	}
	if (worker_lcore() == rte_get_main_lcore())
		fprintf(stderr, "adn-bench: EAL gave one lcore: running on the main lcore (pass e.g. -l 0-1 for an isolated worker)\n");

	snprintf(rep.config, sizeof(rep.config), "%s", o.config);
	rep.reps = o.reps;
	rep.interleaved = o.interleave;
	rep.tsc_hz = rte_get_tsc_hz();
	bench_cpu_model(rep.cpu, sizeof(rep.cpu));
	for (unsigned int w = 0; w < o.n_workloads && status == 0; w++) {
		const char *floor_plan[] = { "batch" };

		unsigned int used = 0;

		if (!o.no_floor) {
			rc = bench_pipeline(&o, o.workloads[w], true,
					    floor_plan, 1,
					    &rep.cells[rep.n_cells], &used, &r);
			if (rc < 0) {
				status = 1;
				break;
			}
			rep.n_cells += used;
		}
		rc = bench_pipeline(&o, o.workloads[w], false, o.plans,
				    o.n_plans, &rep.cells[rep.n_cells], &used,
				    &r);
		if (rc < 0) {
			status = 1;
			break;
		}
		rep.n_cells += used;
	}
	if (status == 0) {
		bench_report_print(&rep, stdout);
		if (bench_report_write(&rep, o.prefix) < 0)
			status = 1;
	}
	free(r.batch_end);
	if (cyc_on_heap)
		free(r.batch_cyc);
	else
		rte_free(r.batch_cyc);
	free(eargv);
	free(cfg_argv);
	adn_runtime_free(rt);
	rte_eal_cleanup();
	return status;
}
