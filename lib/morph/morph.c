/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Morph's policy: config, the control thread's state machine (collect ->
 * search -> swap -> confirm or roll back -> idle), drift detection, and
 * its telemetry. The parts it drives are in morph_traffic.c (what the
 * workers give), morph_space.c and morph_search.c (what to try) and
 * morph_eval.c (how good a plan is).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "adn_log.h"
#include "adn_morph.h"
#include "adn_port.h"
#include "adn_runtime.h"
#include "adn_stats.h"
#include "morph_eval.h"
#include "morph_space.h"
#include "morph_regime.h"
#include "morph_traffic.h"

#define TICK_US 20000		/* the control thread's period */
#define REPORT_S 0.5		/* traffic reports and drift checks */
#define PROFILE_SNAPS 512	/* 10 s of profile snapshots at one a tick */
#define MIN_TIMED_PKTS 2000	/* a live cycles/packet needs this many */
#define WINDOW_SAMPLES 16384	/* samples the upsampler draws from */
#define MIN_SAMPLES 2048	/* before the first search */
#define REPLAY_POOL 2047
#define FINALISTS 3u		/* screened plans scored again in full */
/* Searches in a row that follow a confirmed swap at once (the search
 * carries on from where the last one got), before `period` rules again. */
#define MAX_REFINES 3u
/* Best plans of a search that seed the next one. */
#define CARRIED (MORPH_MAX_SEEDS - 2)
/* The live profile right after a start or a swap shows cold caches and
 * first-touch page faults: measurements begin this long after. */
#define SETTLE_S 0.2

enum state { COLLECT, IDLE, SEARCH, CONFIRM };
static const char *const state_names[] = {
	"collecting", "idle", "searching", "confirming",
};

struct snap {
	double t;
	uint64_t version, pkts, cycles;
};

struct adn_morph {
	struct adn_runtime *rt;
	struct adn_morph_conf c;
	struct morph_traffic tr;
	struct rte_mempool *pool;
	uint64_t hz, t0;
	pthread_t thread;
	bool thread_up;
	volatile bool stop;
	enum state state;
	/* Profile snapshots, a ring. */
	struct snap snaps[PROFILE_SNAPS];
	unsigned int n_snaps, snap_head;
	/* Traffic at the last report and at the last search (drift). */
	struct morph_traffic_stats now, ref;
	struct morph_branches br_now, br_ref;
	/* The reference is taken at the first report after a search, when
	 * the metrics no longer straddle the change that started it. */
	bool have_ref, ref_due;
	/* Consecutive reports that found a drift: a search needs two, so a
	 * metric caught mid-change does not start one of its own. */
	unsigned int drift_reports;
	const char *drift_why;
	/* When the traffic last looked like the reference: a drift began
	 * after it, so the plan before a swap on drift is judged on the
	 * traffic since then. */
	double drift_since;
	/* Regimes seen and their plans; the one the reference is in. */
	struct morph_regimes regimes;
	int regime;
	double next_report, next_search;
	/* The last swap, and its live cycles/packet before (the guard),
	 * which measures the new plan from `judge_t` on: after the search
	 * that chose it, whose replays and compiles slow the workers of a
	 * machine without a control core of its own. */
	double swap_t, judge_t, pre_cpp;
	uint64_t swap_version;
	char prev_plan[ADN_PLAN_MAX];
	char try_plan[ADN_PLAN_MAX];	/* asked by adn_morph_try */
	/* The evolution goes on across searches: the best plans a search
	 * scored seed the next, and a search whose swap the guard confirms
	 * is followed by another at once (`refine`), up to MAX_REFINES in a
	 * row, until one finds nothing better. */
	char carried[CARRIED][ADN_PLAN_MAX];
	unsigned int n_carried, refines;
	bool refine_ok, refine_due;
	/* Status, under `lock` (telemetry reads it). */
	pthread_mutex_t lock;
	struct adn_morph_status st;
};

/* The control thread moves the state; adn_morph_try reads it. */
static void
set_state(struct adn_morph *m, enum state s)
{
	__atomic_store_n(&m->state, s, __ATOMIC_RELAXED);
	pthread_mutex_lock(&m->lock);
	m->st.state = state_names[s];
	pthread_mutex_unlock(&m->lock);
}

/* --- config ------------------------------------------------------------ */

static const char *const conf_keys[] = {
	"enabled", "period", "sample", "population", "generations",
	"min_gain", "objective", "latency_bound", "seed", "window", "confirm",
	"reps", NULL,
};

static void
conf_num(const config_setting_t *g, const char *key, double lo, double hi,
	 bool integer, double *out, struct adn_errs *errs)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	double v;

	if (s == NULL)
		return;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		if (!integer) {
			v = config_setting_get_float(s);
			break;
		}
		/* fallthrough */
	default:
		adn_errs_add(errs, s, NULL, key, "morph.%s must be %s", key,
			     integer ? "an integer" : "a number");
		return;
	}
	if (!(v >= lo && v <= hi)) {
		adn_errs_add(errs, s, NULL, key,
			     integer ? "morph.%s = %.0f out of range [%.0f, %.0f]" :
			     "morph.%s = %g out of range [%g, %g]", key, v, lo,
			     hi);
		return;
	}
	*out = v;
}

int
adn_morph_conf_read(const config_t *cfg, struct adn_morph_conf *c,
		    struct adn_errs *errs)
{
	const config_setting_t *g = config_lookup(cfg, "morph");
	unsigned int first = errs->n;
	double v;
	int b;

	*c = (struct adn_morph_conf){
		.enabled = false, .period = 60, .sample = 64,
		.population = 8, .generations = 4, .min_gain = 0.05,
		.objective = ADN_MORPH_CYCLES, .latency_bound = 100,
		.seed = 1, .window = 65536, .confirm = 1, .reps = 3,
	};
	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g)) {
		adn_errs_add(errs, g, NULL, "morph",
			     "must be a group: morph = { enabled = true; ... };");
		return -EINVAL;
	}
	c->enabled = true;	/* a `morph` group turns it on */
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *const *k;

		for (k = conf_keys; *k; k++)
			if (strcmp(*k, config_setting_name(s)) == 0)
				break;
		if (*k == NULL)
			adn_errs_add(errs, s, NULL, config_setting_name(s),
				     "unknown key of morph (allowed: enabled, period, sample, population, generations, min_gain, objective, latency_bound, seed, window, confirm, reps)");
	}
	if (config_setting_get_member(g, "enabled") != NULL) {
		if (config_setting_lookup_bool(g, "enabled", &b) != CONFIG_TRUE)
			adn_errs_add(errs,
				     config_setting_get_member(g, "enabled"),
				     NULL, "enabled",
				     "morph.enabled must be true or false");
		else
			c->enabled = b;
	}
	v = c->period;
	conf_num(g, "period", 0.1, 86400, false, &v, errs);
	c->period = v;
	v = c->sample;
	conf_num(g, "sample", 1, 1 << 20, true, &v, errs);
	c->sample = (uint32_t)v;
	v = c->population;
	conf_num(g, "population", 2, 256, true, &v, errs);
	c->population = (uint32_t)v;
	v = c->generations;
	conf_num(g, "generations", 0, 1000, true, &v, errs);
	c->generations = (uint32_t)v;
	conf_num(g, "min_gain", 0, 10, false, &c->min_gain, errs);
	conf_num(g, "latency_bound", 0.01, 1e6, false, &c->latency_bound,
		 errs);
	v = (double)c->seed;
	conf_num(g, "seed", 0, 9007199254740992.0, true, &v, errs);
	c->seed = (uint64_t)v;
	v = c->window;
	conf_num(g, "window", 1024, 1 << 22, true, &v, errs);
	c->window = (uint32_t)v;
	conf_num(g, "confirm", 0.05, 600, false, &c->confirm, errs);
	v = c->reps;
	conf_num(g, "reps", 1, 15, true, &v, errs);
	c->reps = (uint32_t)v;
	if (config_setting_get_member(g, "objective") != NULL) {
		const config_setting_t *s =
			config_setting_get_member(g, "objective");
		const char *o = config_setting_get_string(s);

		if (o != NULL && strcmp(o, "cycles") == 0)
			c->objective = ADN_MORPH_CYCLES;
		else if (o != NULL && strcmp(o, "latency") == 0)
			c->objective = ADN_MORPH_LATENCY;
		else
			adn_errs_add(errs, s, NULL, "objective",
				     "morph.objective must be \"cycles\" or \"latency\"");
	}
	return errs->n == first ? 0 : -EINVAL;
}

/* --- measurements ------------------------------------------------------ */

static double
now_s(const struct adn_morph *m)
{
	return (double)(rte_rdtsc() - m->t0) / (double)m->hz;
}

static void
snap_take(struct adn_morph *m, double t)
{
	struct adn_profile p;
	struct snap *s;

	if (adn_runtime_profile(m->rt, &p) < 0)
		return;
	s = &m->snaps[m->snap_head];
	m->snap_head = (m->snap_head + 1) % PROFILE_SNAPS;
	if (m->n_snaps < PROFILE_SNAPS)
		m->n_snaps++;
	*s = (struct snap){ t, p.version, p.prof.timed_pkts,
			    p.prof.timed_cycles };
	pthread_mutex_lock(&m->lock);
	snprintf(m->st.live_plan, sizeof(m->st.live_plan), "%s", p.plan);
	pthread_mutex_unlock(&m->lock);
}

/* Live cycles per packet of the newest snapshot's version over the last
 * `span` seconds, from `since` on (a settle time after a swap). Snapshots
 * pause while the control thread compiles: when none falls between
 * `since` and the newest, the one before `since` serves if the window is
 * ten times longer than what it adds. NAN with too few timed packets. */
static double
live_cpp(const struct adn_morph *m, double span, double since)
{
	const struct snap *last, *first = NULL, *before = NULL;

	if (m->n_snaps == 0)
		return NAN;
	last = &m->snaps[(m->snap_head + PROFILE_SNAPS - 1) % PROFILE_SNAPS];
	for (unsigned int i = 1; i < m->n_snaps; i++) {
		const struct snap *s = &m->snaps[(m->snap_head + PROFILE_SNAPS
						  - 1 - i) % PROFILE_SNAPS];

		if (s->version != last->version || s->t < last->t - span)
			break;
		if (s->t < since) {
			before = s;
			break;
		}
		first = s;
	}
	if (first == NULL && before != NULL &&
	    last->t - since >= 10 * (since - before->t))
		first = before;
	if (first == NULL || last->pkts - first->pkts < MIN_TIMED_PKTS)
		return NAN;
	return (double)(last->cycles - first->cycles) /
		(double)(last->pkts - first->pkts);
}

static void
branch_elem(const char *name, const char *type, const struct adn_elem *e,
	    const struct adn_elem_totals *t, void *arg)
{
	struct morph_branches *b = arg;
	uint64_t sum = 0, d[ADN_MAX_OUTPUTS];
	unsigned int base = b->n;

	RTE_SET_USED(name);
	RTE_SET_USED(type);
	if (e == NULL || e->n_outputs < 2 || b->n + e->n_outputs > MORPH_MAX_BRANCHES)
		return;
	for (unsigned int o = 0; o < e->n_outputs; o++) {
		d[o] = t->out[o] - b->out[base + o];
		b->out[base + o] = t->out[o];
		sum += d[o];
	}
	for (unsigned int o = 0; o < e->n_outputs; o++)
		b->share[b->n++] = sum ? (double)d[o] / sum : 0;
}

/* Branch shares since the last call (ARCHITECTURE §6: the share of
 * traffic per output port). */
static void
branches_take(struct adn_morph *m)
{
	m->br_now.n = 0;
	adn_runtime_foreach_elem(m->rt, branch_elem, &m->br_now);
}

/* Why the traffic is no longer what the last search saw, or NULL. */
static const char *
drifted(const struct adn_morph *m)
{
	static const char *const why[] = {
		"drift: top-K share", "drift: distinct flows",
		"drift: branch shares",
	};
	const char *d;

	if (!m->have_ref || m->now.samples == 0)
		return NULL;
	d = morph_traffic_differs(&m->now, &m->br_now, &m->ref, &m->br_ref);
	if (d == NULL)
		return NULL;
	for (unsigned int i = 0; i < RTE_DIM(why); i++)
		if (strcmp(why[i] + 7, d) == 0)
			return why[i];
	return "drift";
}

/* --- search ------------------------------------------------------------ */

struct fitness_arg {
	struct adn_morph *m;
	struct morph_trace *trace;
	struct morph_eval_conf ec;
};

static int
fitness(void *arg, const char *plan, double *f)
{
	struct fitness_arg *a = arg;
	struct morph_eval_result r;
	struct adn_errs errs = { 0 };
	int rc;

	/* Searches take seconds: keep the rings drained meanwhile, and
	 * give up at once when Morph is stopping. */
	*f = INFINITY;
	if (a->m->stop)
		return -ECANCELED;
	morph_traffic_poll(&a->m->tr);
	snap_take(a->m, now_s(a->m));
	rc = morph_eval(a->m->rt, a->m->pool, a->trace, plan, &a->ec, &r,
			&errs);
	if (rc < 0)
		ADN_LOG(DEBUG, "morph: %s cannot run: %s\n", plan,
			errs.n ? errs.msg[0] : strerror(-rc));
	adn_errs_clear(&errs);
	*f = r.fitness;
	pthread_mutex_lock(&a->m->lock);
	a->m->st.evaluated++;
	a->m->st.failed += rc < 0;
	pthread_mutex_unlock(&a->m->lock);
	return rc;
}

/* The next entry of a status list of ADN_MORPH_HISTORY entries of
 * `size` bytes holding *n, the oldest dropped when it is full. */
static void *
status_list_add(void *list, unsigned int *n, size_t size)
{
	if (*n == ADN_MORPH_HISTORY) {
		memmove(list, (char *)list + size,
			size * (ADN_MORPH_HISTORY - 1));
		(*n)--;
	}
	return (char *)list + size * (*n)++;
}

static void
history_add(struct adn_morph *m, const char *from, const char *to,
	    double predicted, const char *reason)
{
	struct adn_morph_status *st = &m->st;
	struct adn_morph_swap *h;

	pthread_mutex_lock(&m->lock);
	h = status_list_add(st->history, &st->n_history, sizeof(*h));
	h->at = now_s(m);
	snprintf(h->from, sizeof(h->from), "%s", from);
	snprintf(h->to, sizeof(h->to), "%s", to);
	h->predicted = predicted;
	h->confirmed = NAN;
	snprintf(h->reason, sizeof(h->reason), "%s", reason);
	pthread_mutex_unlock(&m->lock);
}

/* The live plan's cycles/packet: all it ran since it settled, the last
 * 10 s, on the traffic of now (since a drift began). */
static double
pre_live_cpp(const struct adn_morph *m)
{
	return live_cpp(m, 10.0, RTE_MAX(m->swap_t + SETTLE_S,
					 m->drift_since));
}

static void
decision_add(struct adn_morph *m, const char *reason, bool swapped)
{
	struct adn_morph_status *st = &m->st;
	struct adn_morph_decision *d;

	pthread_mutex_lock(&m->lock);
	d = status_list_add(st->decisions, &st->n_decisions, sizeof(*d));
	d->at = now_s(m);
	snprintf(d->reason, sizeof(d->reason), "%s", reason);
	d->swapped = swapped;
	pthread_mutex_unlock(&m->lock);
}

/* Make `plan` live; the guard then watches it against `pre`, the live
 * cycles/packet of the plan before (NAN: measured now). */
static int
swap_to(struct adn_morph *m, const char *plan, double predicted,
	const char *reason, double pre)
{
	struct adn_errs errs = { 0 };
	char from[ADN_PLAN_MAX];
	int rc;

	pthread_mutex_lock(&m->lock);
	snprintf(from, sizeof(from), "%s", m->st.live_plan);
	pthread_mutex_unlock(&m->lock);
	m->pre_cpp = isnan(pre) ? pre_live_cpp(m) : pre;
	rc = adn_runtime_set_plan(m->rt, plan, &errs);
	if (rc < 0) {
		ADN_LOG(ERR, "morph: swap to %s refused: %s\n", plan,
			errs.n ? errs.msg[0] : strerror(-rc));
		adn_errs_clear(&errs);
		return rc;
	}
	snprintf(m->prev_plan, sizeof(m->prev_plan), "%s", from);
	m->swap_t = now_s(m);
	m->judge_t = m->swap_t;
	snap_take(m, m->swap_t);
	m->swap_version = m->snaps[(m->snap_head + PROFILE_SNAPS - 1) %
				   PROFILE_SNAPS].version;
	history_add(m, from, plan, predicted, reason);
	pthread_mutex_lock(&m->lock);
	m->st.swaps++;
	pthread_mutex_unlock(&m->lock);
	ADN_LOG(INFO, "morph: %s -> %s (%s, predicted gain %.1f%%)\n", from,
		plan, reason, predicted * 100);
	set_state(m, CONFIRM);
	return 0;
}

/* The trace a search replays: the window upsampled to the live number of
 * distinct flows per `window` packets. */
static int
trace_make(struct adn_morph *m, struct morph_trace *t)
{
	struct morph_sample *win = malloc(sizeof(*win) * m->tr.n);
	int rc = -ENOMEM;

	memset(t, 0, sizeof(*t));
	t->pkts = malloc(sizeof(*t->pkts) * m->c.window);
	if (win != NULL && t->pkts != NULL) {
		morph_traffic_window(&m->tr, win);
		rc = morph_upsample(win, m->tr.n,
				    m->now.distinct > 0 ? m->now.distinct :
				    m->c.window, m->c.window,
				    m->c.seed + m->st.searches, t->pkts);
	}
	free(win);
	if (rc == 0) {
		t->n = m->c.window;
		rc = morph_trace_bind(m->rt, t);
	}
	if (rc < 0) {
		free(t->pkts);
		t->pkts = NULL;
	}
	return rc;
}

/* Swap to `plan` when its fitness beats `base` by `gain` (and both were
 * measured); true when it went live. */
static bool
swap_if_better(struct adn_morph *m, const char *plan, double fit,
	       const char *live, double base, double gain, const char *reason,
	       double pre)
{
	if (!isfinite(fit) || !isfinite(base) || strcmp(plan, live) == 0 ||
	    fit >= base * (1 - gain))
		return false;
	return swap_to(m, plan, base / fit - 1, reason, pre) == 0;
}

/* On a drift into a regime seen before: its plan, at once (the guard
 * checks it). False when the traffic is new, so a search must run. */
static bool
recall(struct adn_morph *m, const char *reason)
{
	int i = morph_regime_find(&m->regimes, &m->now, &m->br_now);
	char why[64];
	bool change;

	if (i < 0)
		return false;
	pthread_mutex_lock(&m->lock);
	change = strcmp(m->st.live_plan, m->regimes.r[i].plan) != 0;
	m->st.recalls++;
	pthread_mutex_unlock(&m->lock);
	snprintf(why, sizeof(why), "recall (%s)", reason);
	if (change && swap_to(m, m->regimes.r[i].plan, NAN, why, NAN) < 0)
		return false;
	decision_add(m, why, change);
	ADN_LOG(INFO, "morph: traffic back in a known regime (%s): %s\n",
		reason, m->regimes.r[i].plan);
	m->ref_due = true;
	m->drift_reports = 0;
	m->next_search = now_s(m) + m->c.period;
	return true;
}

/* Score `plan` with the search's full repeats into *f, keeping the
 * better of it and a score it already has (a slow measurement, caches or
 * a busy machine, must not decide alone). */
static void
rescore(struct fitness_arg *fa, const char *plan, double *f)
{
	double again;

	if (fitness(fa, plan, &again) == 0 && again < *f)
		*f = again;
}

/* Score finalist `plan` in full; it wins when it beats r->best. */
static void
final(struct fitness_arg *fa, const char *plan, struct morph_search_result *r)
{
	double f = INFINITY;

	rescore(fa, plan, &f);
	if (f < r->best_fitness) {
		r->best_fitness = f;
		snprintf(r->best, sizeof(r->best), "%s", plan);
	}
}

/*
 * A search, in the order that keeps the workers' cost low on a machine
 * whose control lcore shares the cores' resources with them: every plan
 * of the evolutionary search is screened on one timed replay, the best
 * few and the live plan are then scored with `reps` replays, the winner
 * goes live at once, and only then is one compiled variant made (the
 * compiler runs seconds; the cache keeps its object) and scored, to
 * follow if it is better still. The guard judges the last swap on what
 * the workers ran after all this.
 */
static void
search(struct adn_morph *m, const char *reason)
{
	struct fitness_arg fa = { .m = m };
	struct morph_search_conf sc = {
		.population = m->c.population,
		.generations = m->c.generations,
		.seed = m->c.seed + m->st.searches,
	};
	struct morph_space *space = malloc(sizeof(*space));
	struct morph_search_result res;
	struct morph_trace trace = { 0 };
	const struct morph_genome defaults = { 0 };
	char live[ADN_PLAN_MAX], before[ADN_PLAN_MAX], own[ADN_PLAN_MAX];
	char cand[2][ADN_PLAN_MAX];
	unsigned int n_cand;
	bool winner_form;
	double live_fit = INFINITY, pre, t_start = now_s(m);
	bool swapped = false;

	set_state(m, SEARCH);
	/* The live plan before the replays slow it down. */
	pre = pre_live_cpp(m);
	fa.trace = &trace;
	if (m->c.objective == ADN_MORPH_LATENCY)
		fa.ec.latency_bound = (uint64_t)(m->c.latency_bound * 1e-6 *
						 (double)m->hz);
	if (space == NULL || trace_make(m, &trace) < 0 ||
	    morph_space_of(m->rt, space) < 0) {
		ADN_LOG(ERR, "morph: no search: cannot build a trace or a plan space\n");
		free(trace.pkts);	/* the trace may be made, the space not */
		free(space);
		set_state(m, IDLE);
		m->next_search = now_s(m) + m->c.period;
		return;
	}
	pthread_mutex_lock(&m->lock);
	snprintf(live, sizeof(live), "%s", m->st.live_plan);
	pthread_mutex_unlock(&m->lock);
	memcpy(before, live, sizeof(before));
	m->refines = strcmp(reason, "refine") == 0 ? m->refines + 1 : 0;
	m->refine_due = false;
	/* Seeds: the defaults, the live plan where the space has it (a
	 * compiled one it has not), and the best of the last search. */
	memset(&sc.seeds[sc.n_seeds++], 0, sizeof(sc.seeds[0]));
	if (morph_genome_of(space, live, &sc.seeds[sc.n_seeds]) == 0)
		sc.n_seeds++;
	for (unsigned int i = 0; i < m->n_carried; i++)
		if (morph_genome_of(space, m->carried[i],
				    &sc.seeds[sc.n_seeds]) == 0)
			sc.n_seeds++;
	fa.ec.reps = 1;
	if (morph_search(space, &sc, fitness, &fa, &res) < 0)
		res.n_ranked = 0;
	m->n_carried = RTE_MIN(res.n_ranked, (unsigned int)CARRIED);
	for (unsigned int i = 0; i < m->n_carried; i++)
		snprintf(m->carried[i], sizeof(m->carried[i]), "%s",
			 res.ranked[i].plan);
	/* The finals: the live plan as it runs is the one to beat, measured
	 * before and after the finalists. */
	fa.ec.reps = m->c.reps;
	rescore(&fa, live, &live_fit);
	res.best_fitness = INFINITY;
	for (unsigned int i = 0; i < RTE_MIN(res.n_ranked, FINALISTS); i++)
		final(&fa, res.ranked[i].plan, &res);
	rescore(&fa, live, &live_fit);
	pthread_mutex_lock(&m->lock);
	m->st.searches++;
	m->st.live_fitness = live_fit;
	pthread_mutex_unlock(&m->lock);
	ADN_LOG(INFO, "morph: search (%s): live %s %.1f cycles/pkt, best %s %.1f, %u plans in %.2f s\n",
		reason, live, live_fit, res.best, res.best_fitness,
		res.evaluated, now_s(m) - t_start);
	if (swap_if_better(m, res.best, res.best_fitness, live, live_fit,
			   m->c.min_gain, reason, pre)) {
		snprintf(live, sizeof(live), "%s", res.best);
		live_fit = res.best_fitness;
		swapped = true;
	}
	/*
	 * Compiled plans, scored once the winner runs: the winner's
	 * compiled form (its fused chains compiled, or the whole plan under
	 * the compiled template), and the config's own plan compiled. The
	 * search scores compiled templates by an uncompiled stand-in that is
	 * slower by what compiling a chain saves, and that differs from plan
	 * to plan (a trie chain gains more than a table's bulk lookup), so
	 * the stand-in alone would never let the latter win. The best
	 * follows: the winner's own form when it replays faster at all (the
	 * compiler has run, and it is the same plan: no new bet for
	 * min_gain to cover; the guard still judges it), another by
	 * min_gain. The compiled-chain cache compiles each shape once.
	 */
	n_cand = 0;
	if (isfinite(res.best_fitness) &&
	    (morph_compiled_twin(res.best, cand[0], sizeof(cand[0])) ||
	     morph_compiled_variant(res.best, cand[0], sizeof(cand[0]))))
		n_cand = 1;
	winner_form = n_cand == 1;
	morph_plan_of(space, &defaults, own, sizeof(own));
	if (morph_compiled_variant(own, cand[n_cand], sizeof(cand[0])) &&
	    (n_cand == 0 || strcmp(cand[0], cand[1]) != 0))
		n_cand++;
	for (unsigned int k = 0; k < n_cand; k++) {
		double f = INFINITY;
		const bool same = k == 0 && winner_form &&
			strcmp(live, res.best) == 0;

		rescore(&fa, cand[k], &f);
		if (swap_if_better(m, cand[k], f, live, live_fit,
				   same ? 0 : m->c.min_gain, "compiled", pre)) {
			swapped = true;
			ADN_LOG(INFO, "morph: compiled %s %.1f cycles/pkt\n",
				cand[k], f);
			memcpy(live, cand[k], sizeof(live));
			live_fit = f;
			memcpy(res.best, cand[k], sizeof(res.best));
			res.best_fitness = f;
		}
	}
	free(trace.pkts);
	free(space);
	pthread_mutex_lock(&m->lock);
	snprintf(m->st.best, sizeof(m->st.best), "%s", res.best);
	m->st.best_fitness = res.best_fitness;
	m->st.last_search_s = now_s(m) - t_start;
	pthread_mutex_unlock(&m->lock);
	m->ref_due = true;
	m->drift_reports = 0;
	m->next_search = now_s(m) + m->c.period;
	/* The guard weighs what this search made live against the plan
	 * before it, and brings that one back if need be. */
	if (swapped)
		memcpy(m->prev_plan, before, sizeof(m->prev_plan));
	m->refine_ok = swapped && m->refines < MAX_REFINES;
	m->judge_t = now_s(m);
	decision_add(m, reason, swapped);
	if (__atomic_load_n(&m->state, __ATOMIC_RELAXED) == SEARCH)
		set_state(m, IDLE);
}

/* The guard: the live profile since the swap against the one before. */
static void
confirm(struct adn_morph *m, double t)
{
	/* Everything the new version ran since it settled and the search
	 * that chose it ended. */
	double cpp = live_cpp(m, t - m->judge_t, m->judge_t + SETTLE_S);
	double gain;
	struct adn_morph_swap *h;
	bool replaced;

	if (t - m->judge_t < SETTLE_S + m->c.confirm)
		return;
	if (isnan(cpp) && t - m->judge_t < 10 * m->c.confirm)
		return;		/* too little traffic yet */
	/* An operator made another plan live meanwhile (/adn/plan/set, a
	 * reload): theirs stands, nothing to confirm. */
	pthread_mutex_lock(&m->lock);
	replaced = strcmp(m->st.live_plan,
			  m->st.history[m->st.n_history - 1].to) != 0;
	pthread_mutex_unlock(&m->lock);
	if (replaced) {
		m->refine_ok = false;
		set_state(m, IDLE);
		return;
	}
	gain = isnan(cpp) || isnan(m->pre_cpp) ? NAN : m->pre_cpp / cpp - 1;
	ADN_LOG(INFO, "morph: live %.1f cycles/pkt before the swap, %.1f after\n",
		m->pre_cpp, cpp);
	pthread_mutex_lock(&m->lock);
	h = &m->st.history[m->st.n_history - 1];
	h->confirmed = gain;
	pthread_mutex_unlock(&m->lock);
	/* Worse by more than noise: the previous plan comes back. The state
	 * stays "confirming" until the rollback is on the record, so that a
	 * reader of the status never sees it half done. */
	if (gain < -m->c.min_gain / 2) {
		char plan[ADN_PLAN_MAX];

		snprintf(plan, sizeof(plan), "%s", m->prev_plan);
		ADN_LOG(WARNING, "morph: live profile shows %.1f%% for %s: back to %s\n",
			gain * 100, h->to, plan);
		if (swap_to(m, plan, NAN, "guard", NAN) == 0) {
			/* The regime keeps the plan that held. */
			if (m->regime >= 0)
				snprintf(m->regimes.r[m->regime].plan,
					 sizeof(m->regimes.r[0].plan), "%s",
					 plan);
			/* Nothing to confirm: it ran before. */
			pthread_mutex_lock(&m->lock);
			m->st.history[m->st.n_history - 1].confirmed =
				-gain / (1 + gain);
			m->st.rollbacks++;
			pthread_mutex_unlock(&m->lock);
		}
		m->next_search = t + m->c.period;
		m->refine_ok = false;
	}
	/* The swap stands: search on from there at once. */
	if (m->refine_ok) {
		m->next_search = t;
		m->refine_due = true;
	}
	m->refine_ok = false;
	set_state(m, IDLE);
}

static void *
morph_main(void *arg)
{
	struct adn_morph *m = arg;

	while (!m->stop) {
		double t;

		usleep(TICK_US);
		t = now_s(m);
		morph_traffic_poll(&m->tr);
		snap_take(m, t);
		if (t >= m->next_report) {
			morph_traffic_report(&m->tr, &m->now);
			branches_take(m);
			m->next_report = t + REPORT_S;
			if (m->ref_due) {
				m->ref = m->now;
				m->br_ref = m->br_now;
				m->have_ref = true;
				m->ref_due = false;
				pthread_mutex_lock(&m->lock);
				m->regime = morph_regime_put(&m->regimes,
					&m->ref, &m->br_ref, m->st.live_plan);
				pthread_mutex_unlock(&m->lock);
			} else {
				m->drift_why = drifted(m);
				if (m->drift_why == NULL)
					m->drift_since = t;
				m->drift_reports = m->drift_why ?
					m->drift_reports + 1 : 0;
			}
			pthread_mutex_lock(&m->lock);
			m->st.distinct = m->now.distinct;
			m->st.topk_share = m->now.topk_share;
			m->st.top1_share = morph_top1_share(m->tr.win,
							    m->tr.n);
			m->st.samples = m->tr.samples;
			m->st.samples_lost = m->now.lost;
			m->st.live_cpp = live_cpp(m, 1.0, 0);
			pthread_mutex_unlock(&m->lock);
		}
		switch (m->state) {
		case COLLECT:
			/* Samples to replay, a distinct-flow count, and a
			 * live profile to compare with. */
			if (morph_traffic_ready(&m->tr) &&
			    m->tr.n >= MIN_SAMPLES && m->now.samples > 0 &&
			    !isnan(live_cpp(m, 1.0, SETTLE_S)))
				search(m, "start");
			break;
		case IDLE:
			pthread_mutex_lock(&m->lock);
			if (m->try_plan[0] != '\0' &&
			    !isnan(live_cpp(m, 1.0, m->swap_t + SETTLE_S))) {
				char plan[ADN_PLAN_MAX];

				snprintf(plan, sizeof(plan), "%s",
					 m->try_plan);
				m->try_plan[0] = '\0';
				pthread_mutex_unlock(&m->lock);
				swap_to(m, plan, NAN, "tried", NAN);
				break;
			}
			pthread_mutex_unlock(&m->lock);
			if (m->drift_reports >= 2 && !recall(m, m->drift_why))
				search(m, m->drift_why);
			else if (t >= m->next_search)
				search(m, m->refine_due ? "refine" : "period");
			break;
		case CONFIRM:
			confirm(m, t);
			break;
		case SEARCH:
			break;
		}
	}
	return NULL;
}

/* --- life cycle -------------------------------------------------------- */

int
adn_morph_create(struct adn_runtime *rt, const struct adn_morph_conf *c,
		 struct adn_morph **out, struct adn_errs *errs)
{
	struct adn_morph *m = calloc(1, sizeof(*m));
	char name[RTE_MEMPOOL_NAMESIZE];

	*out = NULL;
	if (m == NULL) {
		adn_errs_add(errs, NULL, NULL, "morph", "out of memory");
		return -ENOMEM;
	}
	m->rt = rt;
	m->c = *c;
	m->hz = rte_get_tsc_hz();
	m->regime = -1;
	pthread_mutex_init(&m->lock, NULL);
	m->st.state = state_names[COLLECT];
	snprintf(name, sizeof(name), "morph_%p", (void *)m);
	m->pool = adn_pktmbuf_pool_create(name, REPLAY_POOL, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id(), false);
	if (m->pool == NULL ||
	    morph_traffic_init(&m->tr, adn_runtime_n_workers(rt), c->sample,
			       c->window, WINDOW_SAMPLES, c->seed) < 0) {
		adn_errs_add(errs, NULL, NULL, "morph",
			     "cannot allocate the sample rings and the replay pool (give EAL more memory)");
		adn_morph_free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

int
adn_morph_start(struct adn_morph *m)
{
	int rc;

	m->t0 = rte_rdtsc();
	set_state(m, COLLECT);
	adn_runtime_set_observer(m->rt, &m->tr.obs);
	rc = rte_ctrl_thread_create(&m->thread, "adn-morph", NULL, morph_main,
				    m);
	if (rc != 0) {
		adn_runtime_set_observer(m->rt, NULL);
		return -rc;
	}
	m->thread_up = true;
	return 0;
}

void
adn_morph_stop(struct adn_morph *m)
{
	if (m == NULL || !m->thread_up)
		return;
	m->stop = true;
	pthread_join(m->thread, NULL);
	m->thread_up = false;
	adn_runtime_set_observer(m->rt, NULL);
}

static struct adn_morph *tel_morph;
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;

void
adn_morph_free(struct adn_morph *m)
{
	if (m == NULL)
		return;
	adn_morph_stop(m);
	pthread_mutex_lock(&tel_lock);
	if (tel_morph == m)
		tel_morph = NULL;
	pthread_mutex_unlock(&tel_lock);
	morph_traffic_free(&m->tr);
	rte_mempool_free(m->pool);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int
adn_morph_try(struct adn_morph *m, const char *plan, char *reply, size_t len)
{
	const enum state now = __atomic_load_n(&m->state, __ATOMIC_RELAXED);
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	if (now != IDLE || m->try_plan[0] != '\0') {
		snprintf(reply, len, "busy (%s): try again", state_names[now]);
		rc = -EBUSY;
	} else if (strlen(plan) >= sizeof(m->try_plan)) {
		snprintf(reply, len, "plan longer than %zu bytes",
			 sizeof(m->try_plan) - 1);
		rc = -EINVAL;
	} else {
		snprintf(m->try_plan, sizeof(m->try_plan), "%s", plan);
		snprintf(reply, len, "trying %s under the guard", plan);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

void
adn_morph_status(struct adn_morph *m, struct adn_morph_status *st)
{
	pthread_mutex_lock(&m->lock);
	*st = m->st;
	pthread_mutex_unlock(&m->lock);
}

/* --- telemetry --------------------------------------------------------- */

static void
add_num(struct rte_tel_data *d, const char *k, double v)
{
	char s[32];

	/* 22.11 telemetry has no doubles in dicts: a string keeps NANs. */
	snprintf(s, sizeof(s), isfinite(v) ? "%.4g" : "null", v);
	rte_tel_data_add_dict_string(d, k, s);
}

static const char *const tel_morph_arrays[] = {
	"history_at_s", "history_reason", "history_from", "history_to",
	"history_predicted", "history_confirmed",
	"decisions_at_s", "decisions_reason", "decisions_swapped",
};

/* Field f (an index of tel_morph_arrays) of the i-th swap or decision. */
static void
tel_morph_field(const struct adn_morph_status *st, unsigned int f,
		unsigned int i, char *v, size_t len)
{
	const struct adn_morph_swap *h = &st->history[i];
	const struct adn_morph_decision *dc = &st->decisions[i];
	const double x = f == 4 ? h->predicted : h->confirmed;

	switch (f) {
	case 0:
		snprintf(v, len, "%.2f", h->at);
		break;
	case 1: case 2: case 3:
		snprintf(v, len, "%s", f == 1 ? h->reason : f == 2 ? h->from :
			 h->to);
		break;
	case 4: case 5:
		snprintf(v, len, isfinite(x) ? "%+.1f%%" : "null", x * 100);
		break;
	case 6:
		snprintf(v, len, "%.2f", dc->at);
		break;
	case 7:
		snprintf(v, len, "%s", dc->reason);
		break;
	default:
		snprintf(v, len, "%s", dc->swapped ? "swapped" : "kept");
	}
}

static int
tel_morph_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct adn_morph_status *st = malloc(sizeof(*st));

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (st == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&tel_lock);
	if (tel_morph == NULL) {
		pthread_mutex_unlock(&tel_lock);
		free(st);
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "state", "off");
		rte_tel_data_add_dict_string(d, "how",
			"give the config a morph group: morph = { enabled = true; };");
		return 0;
	}
	adn_morph_status(tel_morph, st);
	pthread_mutex_unlock(&tel_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", st->state);
	adn_tel_safe_string(st->live_plan);
	rte_tel_data_add_dict_string(d, "live_plan", st->live_plan);
	add_num(d, "live_cpp", st->live_cpp);
	add_num(d, "live_fitness", st->live_fitness);
	adn_tel_safe_string(st->best);
	rte_tel_data_add_dict_string(d, "best", st->best);
	add_num(d, "best_fitness", st->best_fitness);
	rte_tel_data_add_dict_u64(d, "searches", st->searches);
	rte_tel_data_add_dict_u64(d, "evaluated", st->evaluated);
	rte_tel_data_add_dict_u64(d, "failed", st->failed);
	rte_tel_data_add_dict_u64(d, "swaps", st->swaps);
	rte_tel_data_add_dict_u64(d, "rollbacks", st->rollbacks);
	rte_tel_data_add_dict_u64(d, "recalls", st->recalls);
	add_num(d, "last_search_s", st->last_search_s);
	add_num(d, "distinct_flows", st->distinct);
	add_num(d, "topk_share", st->topk_share);
	add_num(d, "top1pct_share", st->top1_share);
	rte_tel_data_add_dict_u64(d, "samples", st->samples);
	rte_tel_data_add_dict_u64(d, "samples_lost", st->samples_lost);
	/* The history and the decisions as parallel arrays, oldest first:
	 * telemetry nests one level, and a string holds 127 bytes, so each
	 * field has its own. */
	for (unsigned int f = 0; f < RTE_DIM(tel_morph_arrays); f++) {
		struct rte_tel_data *a = rte_tel_data_alloc();
		const unsigned int n = f < 6 ? st->n_history : st->n_decisions;

		if (a == NULL)
			break;
		rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
		for (unsigned int i = 0; i < n; i++) {
			char v[RTE_TEL_MAX_STRING_LEN];

			tel_morph_field(st, f, i, v, sizeof(v));
			adn_tel_safe_string(v);
			rte_tel_data_add_array_string(a, v);
		}
		if (rte_tel_data_add_dict_container(d, tel_morph_arrays[f], a,
						    0) < 0)
			rte_tel_data_free(a);
	}
	free(st);
	return 0;
}

static int
tel_morph_try(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char reply[RTE_TEL_MAX_STRING_LEN];
	int rc = -ENODEV;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&tel_lock);
	if (params == NULL || params[0] == '\0') {
		snprintf(reply, sizeof(reply), "usage: /adn/morph/try,PLAN");
		rc = -EINVAL;
	} else if (tel_morph != NULL) {
		rc = adn_morph_try(tel_morph, params, reply, sizeof(reply));
	} else {
		snprintf(reply, sizeof(reply),
			 "Morph is off (give the config a morph group); /adn/plan/set swaps without the guard");
	}
	pthread_mutex_unlock(&tel_lock);
	adn_tel_safe_string(reply);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, rc == 0 ? "reply" : "error", reply);
	return 0;
}

int
adn_morph_telemetry_register(struct adn_morph *m)
{
	static bool registered;
	int rc = 0;

	pthread_mutex_lock(&tel_lock);
	tel_morph = m;
	pthread_mutex_unlock(&tel_lock);
	if (registered)
		return 0;
	rc |= rte_telemetry_register_cmd("/adn/morph", tel_morph_status,
		"Morph: state, live and best plans, fitness, traffic, swap history");
	rc |= rte_telemetry_register_cmd("/adn/morph/try", tel_morph_try,
		"Swap a plan in under Morph's guard. Parameters: PLAN");
	registered = rc == 0;
	return rc ? -EINVAL : 0;
}
