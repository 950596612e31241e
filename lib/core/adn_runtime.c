/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "adn_capture.h"
#include "adn_capture_priv.h"
#include "adn_conf_check.h"
#include "adn_config.h"
#include "adn_defer.h"
#include "adn_intr_gate.h"
#include "adn_log.h"
#include "adn_runtime_priv.h"
#include "adn_stats.h"
#include "adn_state.h"

#define DEFAULT_BURST 32
/* Interrupt-thread windows: often enough for a memif handshake (one
 * control message per window and side) to finish in well under a
 * second, rare enough to cost the workers nothing measurable. */
#define GATE_PERIOD_US 5000
#define GATE_WAIT_MS 100
/* Pending deferred frees: retired versions and replaced structures. */
#define DEFER_QUEUE 4096

/* Top-level sections this build understands; anything else is a typo. */
static const char *const top_keys[] = {
	"eal", "workers", "burst", "ports", "elements", "links", "plan",
	"morph",	/* the optimizer's policy: lib/morph reads it */
	"mbufs", "mbuf_cache",	/* the port pool (adn_port.h) */
	NULL,
};

/* Counters of an element of retired versions. */
struct adn_elem_hist {
	char name[ADN_NAME_MAX];
	char type[ADN_NAME_MAX];
	struct adn_elem_totals t;
};

/* --- configs ----------------------------------------------------------- */

static void
conf_put(struct adn_conf *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	config_destroy(&c->cfg);
	free(c);
}

static int
conf_load(const char *path, struct adn_conf **out, struct adn_errs *errs)
{
	struct adn_conf *c = calloc(1, sizeof(*c));
	char dir[PATH_MAX], why[2 * PATH_MAX + 64];

	*out = NULL;
	if (c == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	c->refs = 1;
	config_init(&c->cfg);
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&c->cfg, dirname(dir));
	/* libconfig would exit() on a directory: refuse it first. */
	if (adn_conf_check_files(path, config_get_include_dir(&c->cfg),
				 why, sizeof(why)) < 0) {
		adn_errs_add(errs, NULL, NULL, NULL, "%s", why);
		conf_put(c);
		return -EINVAL;
	}
	if (config_read_file(&c->cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO)
			adn_errs_add(errs, NULL, NULL, NULL,
				     "%s: cannot read: %s", path,
				     strerror(errno));
		else
			adn_errs_add(errs, NULL, NULL, NULL,
				     "%s:%d: syntax error: %s",
				     config_error_file(&c->cfg) ?
				     config_error_file(&c->cfg) : path,
				     config_error_line(&c->cfg),
				     config_error_text(&c->cfg));
		conf_put(c);
		return -EINVAL;
	}
	if (adn_config_check_ints(&c->cfg, errs) < 0) {
		conf_put(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

int
adn_runtime_load(const char *path, struct adn_errs *errs,
		 struct adn_runtime **out)
{
	struct adn_runtime *rt;
	int rc;

	*out = NULL;
	/* Aligned: the workers' slots are cache-line aligned. */
	if (posix_memalign((void **)&rt, RTE_CACHE_LINE_SIZE,
			   sizeof(*rt)) != 0) {
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	memset(rt, 0, sizeof(*rt));
	pthread_mutex_init(&rt->ctl_lock, NULL);
	rc = conf_load(path, &rt->conf, errs);
	if (rc < 0) {
		adn_runtime_free(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

config_t *
adn_runtime_config(struct adn_runtime *rt)
{
	return &rt->conf->cfg;
}

unsigned int
adn_runtime_n_workers(const struct adn_runtime *rt)
{
	return rt->n_workers;
}

int
adn_runtime_eal_args(struct adn_runtime *rt, int *argc, char ***argv,
		     struct adn_errs *errs)
{
	const config_setting_t *eal = config_lookup(&rt->conf->cfg, "eal");
	int n = eal ? config_setting_length(eal) : 0;

	*argc = 0;
	*argv = calloc(n + 1, sizeof(**argv));
	if (*argv == NULL)
		return -ENOMEM;
	if (eal == NULL)
		return 0;
	if (!config_setting_is_array(eal) && !config_setting_is_list(eal)) {
		adn_errs_add(errs, eal, NULL, "eal",
			     "must be a list of strings, e.g. [\"-l\", \"0-1\"]");
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		const char *s = config_setting_get_string_elem(eal, i);

		if (s == NULL) {
			adn_errs_add(errs, eal, NULL, "eal",
				     "entry %d is not a string", i);
			goto fail;
		}
		(*argv)[(*argc)++] = (char *)(uintptr_t)s;
	}
	return 0;
fail:
	free(*argv);
	*argv = NULL;
	*argc = 0;
	return -EINVAL;
}

#ifdef ADN_DPDK_STATIC
/* EAL's short options that take no argument (eal_short_options in
 * DPDK 22.11: every other one takes one). */
#define EAL_SHORT_FLAGS "hv"

/* EAL's long options (eal_long_options in DPDK 22.11) and whether each
 * takes a value, given as the next argument unless as --name=value
 * (has_arg 1; the others take none or only an inline one). */
static const struct {
	const char *name;
	bool value;
} eal_long_opts[] = {
	{ "base-virtaddr", true }, { "create-uio-dev", false },
	{ "file-prefix", true }, { "help", false }, { "huge-dir", true },
	{ "huge-unlink", false }, { "iova-mode", true }, { "lcores", true },
	{ "log-level", true }, { "trace", true }, { "trace-dir", true },
	{ "trace-bufsz", true }, { "trace-mode", true },
	{ "main-lcore", true }, { "mbuf-pool-ops-name", true },
	{ "no-hpet", false }, { "no-huge", false }, { "no-pci", false },
	{ "no-shconf", false }, { "in-memory", false }, { "block", true },
	{ "allow", true }, { "proc-type", true }, { "socket-mem", true },
	{ "socket-limit", true }, { "syslog", true }, { "vdev", true },
	{ "vfio-intr", true }, { "vfio-vf-token", true },
	{ "vmware-tsc-map", false }, { "legacy-mem", false },
	{ "single-file-segments", false }, { "match-allocations", false },
	{ "telemetry", false }, { "no-telemetry", false },
	{ "force-max-simd-bitwidth", true }, { "huge-worker-stack", false },
};

/* Whether the long option `name` (`len` bytes, before any "=") takes
 * the next argument as its value: named exactly, or by a prefix of one
 * option only (getopt_long's abbreviation; an ambiguous or unknown one
 * is EAL's error). */
static bool
eal_long_takes_next(const char *name, size_t len)
{
	unsigned int prefixes = 0;
	bool value = false;

	for (size_t k = 0; k < RTE_DIM(eal_long_opts); k++) {
		if (strncmp(eal_long_opts[k].name, name, len) != 0)
			continue;
		if (eal_long_opts[k].name[len] == '\0')
			return eal_long_opts[k].value;
		prefixes++;
		value = eal_long_opts[k].value;
	}
	return prefixes == 1 && value;
}

/* Whether argument argv[*i], a cluster of EAL short options ("-d X",
 * "-dX", "-vd X"), names a driver plugin; *i moves past a value given as
 * the next argument, a short or a long option's, so a value is never
 * read as options. */
static bool
eal_driver_opt(int argc, char *const *argv, int *i)
{
	const char *a = argv[*i];

	if (a[0] != '-' || a[1] == '\0')
		return false;
	if (a[1] == '-') {
		const size_t len = strcspn(a + 2, "=");

		if (a[2 + len] == '\0' && *i + 1 < argc &&
		    eal_long_takes_next(a + 2, len))
			(*i)++;
		return false;
	}
	for (const char *c = a + 1; *c != '\0'; c++) {
		if (strchr(EAL_SHORT_FLAGS, *c) != NULL)
			continue;
		/* An option with a value: the rest of the argument, or the
		 * next one. */
		if (c[1] == '\0' && *i + 1 < argc)
			(*i)++;
		return *c == 'd';
	}
	return false;
}
#endif

int
adn_eal_args_check(int argc, char *const *argv, struct adn_errs *errs)
{
#ifdef ADN_DPDK_STATIC
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const int at = i;

		if (!eal_driver_opt(argc, argv, &i))
			continue;
		adn_errs_add(errs, NULL, NULL, NULL,
			     "EAL %s%s%s: this build links DPDK statically and loads no driver plugins; link the driver in (-Ddpdk_drivers, docs/operations.md) or build with -Ddpdk_static=disabled",
			     argv[at], i != at ? " " : "",
			     i != at ? argv[i] : "");
		return -EINVAL;
	}
#else
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	RTE_SET_USED(errs);
#endif
	return 0;
}

static int
lookup_uint(const config_t *cfg, const char *key, unsigned int def,
	    unsigned int lo, unsigned int hi, unsigned int *out,
	    struct adn_errs *errs)
{
	const config_setting_t *s = config_lookup(cfg, key);
	long long v;

	*out = def;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		adn_errs_add(errs, s, NULL, key,
			     "wrong type: must be an integer");
		return -EINVAL;
	}
	v = config_setting_get_int64(s);
	if (v < lo || v > hi) {
		adn_errs_add(errs, s, NULL, key,
			     "value %lld out of range [%u, %u]", v, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/* --- versions ---------------------------------------------------------- */

static void
version_free(struct adn_version *v)
{
	if (v == NULL)
		return;
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		adn_exec_free(v->x[w]);
		free(v->rx[w]);
	}
	adn_pipeline_free(v->pipe);
	conf_put(v->conf);
	free(v->plan);
	free(v);
}

static struct adn_elem_hist *
hist_find(struct adn_runtime *rt, const char *name, const char *type,
	  bool add)
{
	struct adn_elem_hist *h;

	for (unsigned int i = 0; i < rt->n_hist; i++)
		if (strcmp(rt->hist[i].name, name) == 0 &&
		    (type == NULL || strcmp(rt->hist[i].type, type) == 0))
			return &rt->hist[i];
	if (!add)
		return NULL;
	if (rt->n_hist == rt->cap_hist) {
		unsigned int cap = rt->cap_hist ? rt->cap_hist * 2 : 64;
		struct adn_elem_hist *n = realloc(rt->hist, sizeof(*n) * cap);

		if (n == NULL)
			return NULL;
		rt->hist = n;
		rt->cap_hist = cap;
	}
	h = &rt->hist[rt->n_hist++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->type, sizeof(h->type), "%s", type);
	return h;
}

static void
totals_add(struct adn_elem_totals *to, const struct adn_elem_totals *t)
{
	to->in += t->in;
	to->consumed += t->consumed;
	to->dropped += t->dropped;
	to->cycles += t->cycles;
	to->timed_in += t->timed_in;
	for (unsigned int o = 0; o < ADN_MAX_OUTPUTS; o++)
		to->out[o] += t->out[o];
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++)
		to->drop[r] += t->drop[r];
}

static void
alive_unlink(struct adn_runtime *rt, struct adn_version *v)
{
	for (struct adn_version **pp = &rt->alive; *pp != NULL;
	     pp = &(*pp)->next)
		if (*pp == v) {
			*pp = v->next;
			return;
		}
}

/* Grace period over: no worker is in `v` any more. Keep its counters,
 * check its own accounting, and free it (its state objects migrate, or
 * go with their last version). Runs from the defer queue under the
 * control lock, so it must not queue deferred frees itself. */
static void
version_retire(void *arg)
{
	struct adn_version *v = arg;
	struct adn_runtime *rt = v->rt;
	struct adn_version_summary *sum;
	struct adn_totals t;

	/* What its queue elements still hold can never leave now: counted
	 * as their drops before the version's counters are kept. */
	adn_pipeline_flush(v->pipe);
	adn_pipeline_totals(v->pipe, v->x, rt->n_workers, &t);
	for (unsigned int i = 0; i < v->pipe->n_elems; i++) {
		const struct adn_elem *e = v->pipe->elems[i];
		struct adn_elem_hist *h = hist_find(rt, e->name,
						    e->desc->name, true);
		struct adn_elem_totals et;

		adn_elem_totals(e, &et);
		if (h != NULL)
			totals_add(&h->t, &et);
		else
			ADN_LOG(ERR, "out of memory keeping the counters of '%s'\n",
				e->name);
	}
	if (t.received != t.transmitted + t.dropped + t.in_flight) {
		rt->swap.unbalanced++;
		ADN_LOG(ERR, "version %" PRIu64 " retired unbalanced: received %" PRIu64 " transmitted %" PRIu64 " dropped %" PRIu64 " in flight %" PRIu64 "\n",
			v->id, t.received, t.transmitted, t.dropped,
			t.in_flight);
	}
	sum = &rt->sums[rt->swap.retired % ADN_RUNTIME_SUMMARIES];
	sum->id = v->id;
	snprintf(sum->plan, sizeof(sum->plan), "%s", v->plan->text);
	sum->received = t.received;
	sum->transmitted = t.transmitted;
	sum->dropped = t.dropped;
	rt->swap.retired++;
	alive_unlink(rt, v);
	version_free(v);
}

/* Build a version of `conf` under `plan` (its knobs checked against the
 * config); on failure every error is in `errs` and nothing changed. */
static int
version_build(struct adn_runtime *rt, struct adn_conf *conf,
	      const struct adn_plan *plan, unsigned int burst,
	      struct adn_errs *errs, struct adn_version **out)
{
	struct adn_version *v = calloc(1, sizeof(*v));
	struct adn_build_env env = {
		.cfg = &conf->cfg, .ports = &rt->ports,
		.n_workers = rt->n_workers, .reg = rt->reg, .plan = plan,
		.defer = rt->defer, .qsbr = rt->qsbr,
	};
	unsigned int first_err = errs->n;

	*out = NULL;
	if (v == NULL || (v->plan = malloc(sizeof(*v->plan))) == NULL) {
		free(v);
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	v->rt = rt;
	v->built_tsc = rte_rdtsc();
	*v->plan = *plan;
	v->burst = plan->burst ? plan->burst : burst;
	v->conf = conf;
	conf->refs++;
	adn_plan_check_knobs(plan, &conf->cfg, errs);
	if (errs->n == first_err)
		adn_pipeline_build_env(&env, errs, &v->pipe);
	for (unsigned int w = 0; v->pipe && errs->n == first_err &&
	     w < rt->n_workers; w++) {
		/* Every worker applies the same plan: report its errors once. */
		struct adn_errs quiet = { 0 };

		v->x[w] = adn_exec_create_on(v->pipe, w, &rt->batches[w]);
		v->rx[w] = calloc(ADN_MAX_RX_POINTS, sizeof(*v->rx[w]));
		if (v->x[w] == NULL || v->rx[w] == NULL)
			adn_errs_add(errs, NULL, NULL, NULL,
				     "out of memory for worker %u", w);
		else
			adn_exec_apply_plan(v->x[w], plan,
					    w == 0 ? errs : &quiet);
		adn_errs_clear(&quiet);
	}
	for (unsigned int i = 0; v->pipe && errs->n == first_err &&
	     i < v->pipe->n_rx; i++) {
		struct adn_rx_point *rx = &v->pipe->rx[i];
		unsigned int w = rx->queue % rt->n_workers;

		if (rx->e->desc->rx == NULL)
			adn_errs_add(errs, rx->e->setting, rx->e->name, NULL,
				     "source element has no rx function");
		else
			v->rx[w][v->n_rx[w]++] = rx;
	}
	if (errs->n != first_err) {
		version_free(v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Make `v` the version workers run from their next poll round on, and
 * retire the previous one after a grace period. */
static void
version_publish(struct adn_runtime *rt, struct adn_version *v)
{
	struct adn_version *old = rt->live;

	adn_pipeline_commit(v->pipe);
	v->id = ++rt->next_id;
	v->next = rt->alive;
	rt->alive = v;
	adn_capture_follow(rt, v);
	/* Release: the version is fully built before a worker can load it. */
	__atomic_store_n(&rt->live, v, __ATOMIC_RELEASE);
	v->live_tsc = rte_rdtsc();
	if (old == NULL)
		return;
	rt->swap.swaps++;
	/* The token is taken after the store: a worker that reports a
	 * quiescent state after it loads the new pointer next. */
	adn_defer_add(rt->defer, version_retire, old);
}

static double
ms_since(uint64_t tsc)
{
	return (double)(rte_rdtsc() - tsc) * 1e3 / (double)rte_get_tsc_hz();
}

/* Build and publish a version of `conf` with `plan`, under the lock. */
static int
swap_in(struct adn_runtime *rt, struct adn_conf *conf,
	const struct adn_plan *plan, unsigned int burst,
	struct adn_errs *errs)
{
	uint64_t t0 = rte_rdtsc();
	struct adn_version *v;
	int rc;

	/* At most two versions at a time, the live one and the new one:
	 * a version still in its grace period (and the state only it
	 * holds, a 64 MB DIR-24-8 table) goes first. */
	adn_defer_drain(rt->defer);
	rc = version_build(rt, conf, plan, burst, errs, &v);
	if (rc < 0)
		return rc;
	rt->swap.last_build_ms = ms_since(t0);
	version_publish(rt, v);
	rt->swap.last_publish_ms = ms_since(t0);
	ADN_LOG(INFO, "version %" PRIu64 " live (plan %s) in %.2f ms\n",
		v->id, v->plan->text, rt->swap.last_publish_ms);
	return 0;
}

/* Top-level keys, workers, burst and plan of `cfg` (as a build or a
 * reload reads them); errors go to `errs`. Returns the plan's parse
 * result. */
static int
read_top(const config_t *cfg, unsigned int *workers, unsigned int *burst,
	 struct adn_plan *plan, struct adn_errs *errs)
{
	const config_setting_t *root = config_root_setting(cfg);

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		const char *const *k;

		for (k = top_keys; *k; k++)
			if (strcmp(*k, config_setting_name(s)) == 0)
				break;
		if (*k == NULL)
			adn_errs_add(errs, s, NULL, config_setting_name(s),
				     "unknown top-level key (allowed: eal, workers, burst, ports, elements, links, plan, morph, mbufs, mbuf_cache)");
	}
	lookup_uint(cfg, "workers", 1, 1, ADN_MAX_WORKERS, workers, errs);
	lookup_uint(cfg, "burst", DEFAULT_BURST, 1, ADN_BATCH_MAX, burst,
		    errs);
	return adn_plan_from_config(cfg, plan, errs);
}

int
adn_runtime_check(struct adn_runtime *rt, struct adn_errs *errs)
{
	const config_t *cfg = &rt->conf->cfg;
	unsigned int first_err = errs->n, workers = 1, burst = 0;
	struct adn_plan *plan = malloc(sizeof(*plan));
	struct adn_ports *ports = malloc(sizeof(*ports));

	if (plan == NULL || ports == NULL) {
		free(plan);
		free(ports);
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	read_top(cfg, &workers, &burst, plan, errs);
	adn_ports_parse(cfg, workers, ports, errs);
	adn_pipeline_check_keys(cfg, errs);
	free(plan);
	free(ports);
	return errs->n == first_err ? 0 : -EINVAL;
}

int
adn_runtime_override_plan(struct adn_runtime *rt, const char *plan,
			  struct adn_errs *errs)
{
	config_setting_t *root = config_root_setting(&rt->conf->cfg);
	struct adn_plan *p = malloc(sizeof(*p));
	config_setting_t *s;
	int rc;

	/* Checked here, so its errors name the plan, not a config line. */
	if (p == NULL)
		return -ENOMEM;
	rc = adn_plan_parse(plan, p, errs);
	free(p);
	if (rc < 0)
		return rc;
	if (config_setting_get_member(root, "plan") != NULL)
		config_setting_remove(root, "plan");
	s = config_setting_add(root, "plan", CONFIG_TYPE_STRING);
	if (s == NULL || config_setting_set_string(s, plan) != CONFIG_TRUE) {
		adn_errs_add(errs, NULL, NULL, "plan", "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
adn_runtime_build(struct adn_runtime *rt, struct adn_errs *errs)
{
	const config_t *cfg = &rt->conf->cfg;
	unsigned int first_err = errs->n, burst = DEFAULT_BURST;
	struct adn_plan *plan = malloc(sizeof(*plan));
	bool plan_ok;
	size_t sz;
	int rc;

	if (plan == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	plan_ok = read_top(cfg, &rt->n_workers, &burst, plan, errs) == 0;
	if (errs->n == first_err && rte_lcore_count() > 1 &&
	    rt->n_workers > rte_lcore_count() - 1)
		adn_errs_add(errs, config_lookup(cfg, "workers"), NULL,
			     "workers",
			     "%u workers need %u worker lcores, EAL has %u (pass e.g. -l 0-%u)",
			     rt->n_workers, rt->n_workers,
			     rte_lcore_count() - 1, rt->n_workers);
	adn_ports_parse(cfg, rt->n_workers, &rt->ports, errs);
	/* The workers' RCU variable (thread id = worker index), the queue of
	 * frees waiting on it, and the state registry. */
	sz = rte_rcu_qsbr_get_memsize(rt->n_workers);
	rt->qsbr = rte_zmalloc("adn_qsbr", sz, RTE_CACHE_LINE_SIZE);
	rc = rt->qsbr ? rte_rcu_qsbr_init(rt->qsbr, rt->n_workers) : -ENOMEM;
	if (rc == 0)
		rc = adn_defer_create(rt->qsbr, DEFER_QUEUE, &rt->defer);
	if (rc == 0)
		rc = adn_state_reg_create(&rt->reg);
	if (rc < 0)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "cannot set up RCU for the workers: %s",
			     strerror(-rc));
	if (rc == 0) {
		/* Built even after other errors, so that one run reports
		 * the elements' errors too; published only without any. */
		struct adn_version *v;

		if (!plan_ok)
			adn_plan_init(plan);
		pthread_mutex_lock(&rt->ctl_lock);
		if (version_build(rt, rt->conf, plan, burst, errs, &v) == 0) {
			if (errs->n == first_err)
				version_publish(rt, v);
			else
				version_free(v);
		}
		pthread_mutex_unlock(&rt->ctl_lock);
	}
	free(plan);
	return errs->n == first_err ? 0 : -EINVAL;
}

/* The config's `burst`, checked when the config was loaded. */
static unsigned int
conf_burst(const struct adn_conf *conf)
{
	struct adn_errs quiet = { 0 };
	unsigned int burst;

	lookup_uint(&conf->cfg, "burst", DEFAULT_BURST, 1, ADN_BATCH_MAX,
		    &burst, &quiet);
	adn_errs_clear(&quiet);
	return burst;
}

int
adn_runtime_set_plan(struct adn_runtime *rt, const char *text,
		     struct adn_errs *errs)
{
	struct adn_plan *plan = malloc(sizeof(*plan));
	int rc;

	if (plan == NULL)
		return -ENOMEM;
	rc = adn_plan_parse(text, plan, errs);
	pthread_mutex_lock(&rt->ctl_lock);
	if (rc == 0 && rt->live == NULL) {
		adn_errs_add(errs, NULL, NULL, "plan", "no pipeline is built");
		rc = -ENODEV;
	} else if (rc == 0) {
		/* A plan without `batch=` runs at the config's burst, not
		 * at the batch size of the plan it replaces. */
		rc = swap_in(rt, rt->live->conf, plan,
			     conf_burst(rt->live->conf), errs);
	}
	if (rc < 0)
		rt->swap.failed++;
	pthread_mutex_unlock(&rt->ctl_lock);
	free(plan);
	return rc;
}

/* Text of setting `s` for comparing two configs' unchangeable parts. */
static void
setting_dump(const config_setting_t *s, char *out, size_t len)
{
	size_t off = 0;
	int n = s ? config_setting_length(s) : 0;

	out[0] = '\0';
	if (s == NULL)
		return;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		for (int i = 0; i < n && off < len; i++) {
			const config_setting_t *c =
				config_setting_get_elem(s, i);
			const char *name = config_setting_name(c);

			off += (size_t)snprintf(out + off, len - off, "%s=",
						name ? name : "");
			if (off < len)
				setting_dump(c, out + off, len - off);
			off += strlen(out + off);
			if (off < len)
				off += (size_t)snprintf(out + off, len - off,
							";");
		}
		break;
	case CONFIG_TYPE_STRING:
		snprintf(out, len, "\"%s\"", config_setting_get_string(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(out, len, "%.17g", config_setting_get_float(s));
		break;
	default:
		snprintf(out, len, "%lld", config_setting_get_int64(s));
		break;
	}
}

/* Keys a reload may not change (they need a restart). */
static void
check_unchanged(const config_t *live, const config_t *next,
		struct adn_errs *errs)
{
	static const char *const fixed[] = { "eal", "workers", "ports",
		"mbufs", "mbuf_cache", NULL };

	for (const char *const *k = fixed; *k; k++) {
		static char a[16384], b[16384];

		setting_dump(config_lookup(live, *k), a, sizeof(a));
		setting_dump(config_lookup(next, *k), b, sizeof(b));
		if (strcmp(a, b) != 0)
			adn_errs_add(errs, config_lookup(next, *k), NULL, *k,
				     "differs from the running config: `%s` cannot change on reload (restart adn-nf for that)",
				     *k);
	}
}

int
adn_runtime_reload(struct adn_runtime *rt, const char *path,
		   struct adn_errs *errs)
{
	unsigned int first_err = errs->n, workers, burst = DEFAULT_BURST;
	struct adn_plan *plan = malloc(sizeof(*plan));
	struct adn_conf *conf = NULL;
	int rc;

	if (plan == NULL)
		return -ENOMEM;
	rc = conf_load(path, &conf, errs);
	pthread_mutex_lock(&rt->ctl_lock);
	if (rc == 0 && rt->live == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "no pipeline is built");
		rc = -ENODEV;
	}
	if (rc == 0) {
		read_top(&conf->cfg, &workers, &burst, plan, errs);
		check_unchanged(&rt->live->conf->cfg, &conf->cfg, errs);
		if (errs->n == first_err)
			rc = swap_in(rt, conf, plan, burst, errs);
		if (errs->n != first_err)
			rc = -EINVAL;
	}
	if (rc == 0) {
		conf_put(rt->conf);
		rt->conf = conf;
		conf = NULL;
	} else {
		rt->swap.failed++;
	}
	pthread_mutex_unlock(&rt->ctl_lock);
	conf_put(conf);
	free(plan);
	return rc;
}

void
adn_runtime_reclaim(struct adn_runtime *rt)
{
	struct adn_version *v;
	uint64_t now;

	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->defer != NULL)
		adn_defer_reclaim(rt->defer);
	adn_capture_reap(rt);
	/* Under the control lock: a tick never runs beside a command or a
	 * swap, and the live version stays live while it runs. */
	v = adn_runtime_live(rt);
	now = rte_rdtsc();
	if (now < rt->next_tick_tsc)
		v = NULL;
	else
		rt->next_tick_tsc = now + rte_get_tsc_hz() / 1000 * ADN_TICK_MS;
	for (unsigned int i = 0; v != NULL && i < v->pipe->n_elems; i++) {
		struct adn_elem *e = v->pipe->elems[i];

		if (e->desc->tick != NULL)
			e->desc->tick(e);
	}
	pthread_mutex_unlock(&rt->ctl_lock);
}

void
adn_runtime_sync(struct adn_runtime *rt)
{
	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->defer != NULL)
		adn_defer_drain(rt->defer);
	pthread_mutex_unlock(&rt->ctl_lock);
}

/* --- workers ----------------------------------------------------------- */

/* Between poll rounds, while the interrupt gate has a window open. */
static void
worker_park(struct adn_worker *w)
{
	/* Offline while parked: a grace period does not wait for it.
	 * Release: the batches so far are done before the gate opens its
	 * window; acquire on the flag: the window is over before the next
	 * batch. */
	rte_rcu_qsbr_thread_offline(w->rt->qsbr, w->idx);
	__atomic_store_n(&w->ctl_state, ADN_WORKER_PARKED, __ATOMIC_RELEASE);
	/* Yield, not spin: on a small machine the thread we wait for (the
	 * gate thread, the EAL interrupt thread) may share this core. */
	while (__atomic_load_n(&w->rt->ctl_pause, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&w->ctl_state, ADN_WORKER_POLLING, __ATOMIC_RELAXED);
	rte_rcu_qsbr_thread_online(w->rt->qsbr, w->idx);
}

#define GATE_PARK_TIMEOUT_S 5

/* One step of the gate thread's wait: spin first (a batch takes
 * microseconds), then sleep, so a gate thread sharing a core with a
 * worker does not starve it. */
static void
gate_wait_step(unsigned int *spins)
{
	if (++*spins < 1024)
		rte_pause();
	else
		usleep(20);
}

static void
workers_release(struct adn_runtime *rt)
{
	__atomic_store_n(&rt->ctl_pause, 0, __ATOMIC_RELEASE);
	/* Wait until every parked worker has seen the release, so that the
	 * next window cannot take a stale PARKED for an ack. */
	for (unsigned int w = 0; w < rt->n_workers; w++) {
		unsigned int spins = 0;

		while (__atomic_load_n(&rt->workers[w].ctl_state,
				       __ATOMIC_ACQUIRE) == ADN_WORKER_PARKED)
			gate_wait_step(&spins);
	}
}

/* Park every worker at a poll-round boundary: 0, or -ETIMEDOUT (released
 * again). */
static int
workers_park(struct adn_runtime *rt)
{
	uint64_t deadline = rte_get_timer_cycles() +
		GATE_PARK_TIMEOUT_S * rte_get_timer_hz();

	__atomic_store_n(&rt->ctl_pause, 1, __ATOMIC_RELAXED);
	for (unsigned int w = 0; w < rt->n_workers; w++) {
		unsigned int spins = 0;

		/* Acquire pairs with the worker's release of PARKED/EXITED:
		 * its last batch is complete and visible. */
		while (__atomic_load_n(&rt->workers[w].ctl_state,
				       __ATOMIC_ACQUIRE) == ADN_WORKER_POLLING) {
			if (rte_get_timer_cycles() > deadline) {
				workers_release(rt);
				return -ETIMEDOUT;
			}
			gate_wait_step(&spins);
		}
	}
	return 0;
}

static void
control_help(const struct adn_elem *e, char *reply, size_t len)
{
	const char *const *h = e->desc->control_help;
	size_t off = 0;

	reply[0] = '\0';
	for (unsigned int i = 0; h != NULL && h[i] != NULL && off < len; i++) {
		int n = snprintf(reply + off, len - off, "%s%s", i ? "\n" : "",
				 h[i]);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static bool
stopping(const struct adn_runtime *rt)
{
	return __atomic_load_n(&rt->stop, __ATOMIC_RELAXED);
}

/* Control thread: every GATE_PERIOD_US, park the workers, let the EAL
 * interrupt thread run its due callbacks (memif connect/disconnect), and
 * release the workers once it is parked again. Before the workers run
 * nothing polls, so the window opens without parking; adn_runtime_start
 * launches them under the same lock. */
static void *
gate_main(void *arg)
{
	struct adn_runtime *rt = arg;

	while (!stopping(rt)) {
		bool running, parked = false;

		usleep(GATE_PERIOD_US);
		pthread_mutex_lock(&rt->ctl_lock);
		running = __atomic_load_n(&rt->running, __ATOMIC_ACQUIRE);
		if (running && !stopping(rt))
			parked = workers_park(rt) == 0;
		/* Stopping: no more windows; the gate stays shut until the
		 * ports are closed. */
		if ((!running || parked) && !stopping(rt))
			while (adn_intr_gate_window(rt->gate, GATE_WAIT_MS) ==
			       -ETIMEDOUT && !stopping(rt))
				;
		if (parked)
			workers_release(rt);
		pthread_mutex_unlock(&rt->ctl_lock);
	}
	return NULL;
}

static int
gate_start(struct adn_runtime *rt, struct adn_errs *errs)
{
	int rc;

	if (!adn_ports_need_intr_gate(&rt->ports))
		return 0;
	rc = adn_intr_gate_create(5000, &rt->gate);
	if (rc == 0)
		rc = rte_ctrl_thread_create(&rt->gate_thread, "adn-gate",
					     NULL, gate_main, rt);
	if (rc < 0) {
		adn_errs_add(errs, NULL, NULL, "ports",
			     "cannot set up the interrupt gate memif ports need: %s",
			     strerror(-rc));
		return rc;
	}
	rt->gate_thread_up = true;
	return 0;
}

/* A worker's step (adn_version_poll): inline in the workers' loop. */
static inline uint16_t
version_poll(const struct adn_version *v, unsigned int worker,
	     unsigned int i, uint16_t burst)
{
	const struct adn_rx_point *rx = v->rx[worker][i];
	struct adn_exec *x = v->x[worker];
	struct adn_batch *b = adn_exec_in(x, rx->e);
	const struct adn_observer *o;
	uint16_t n = rx->e->desc->rx(rx->e, rx->queue, b->pkts, burst);

	if (n == 0)
		return 0;
	b->n = n;
	o = __atomic_load_n(&v->rt->observer, __ATOMIC_ACQUIRE);
	if (o != NULL)
		o->rx(o->arg, worker, rx->e, b->pkts, n);
	adn_exec_run(x, rx->e->index);
	return n;
}

uint16_t
adn_version_poll(const struct adn_version *v, unsigned int worker,
		 unsigned int i, uint16_t burst)
{
	return version_poll(v, worker, i, burst);
}

static int
worker_main(void *arg)
{
	struct adn_worker *w = arg;
	struct adn_runtime *rt = w->rt;
	const unsigned int me = w->idx;

	adn_worker_index_set(me);
	rte_rcu_qsbr_thread_register(rt->qsbr, me);
	rte_rcu_qsbr_thread_online(rt->qsbr, me);
	while (!__atomic_load_n(&rt->stop, __ATOMIC_RELAXED)) {
		/* Acquire pairs with version_publish: what the version points
		 * to is built before the worker follows the pointer. */
		const struct adn_version *v = __atomic_load_n(&rt->live,
							      __ATOMIC_ACQUIRE);
		const uint16_t burst = (uint16_t)v->burst;

		/* The interrupt gate's flag: a relaxed load of a flag that is
		 * almost always clear. */
		if (unlikely(__atomic_load_n(&rt->ctl_pause,
					     __ATOMIC_RELAXED))) {
			worker_park(w);
			continue;
		}
		for (unsigned int i = 0; i < v->n_rx[me]; i++) {
			w->polls++;
			if (version_poll(v, me, i, burst) != 0)
				w->busy_polls++;
		}
		/* Queue elements release at their own pace, input or not. */
		adn_exec_release_all(v->x[me]);
		/* Done with `v` for this round: a grace period that began
		 * before now may end. */
		rte_rcu_qsbr_quiescent(rt->qsbr, me);
	}
	rte_rcu_qsbr_thread_offline(rt->qsbr, me);
	rte_rcu_qsbr_thread_unregister(rt->qsbr, me);
	/* A gate waiting for this worker to park counts it out. */
	__atomic_store_n(&w->ctl_state, ADN_WORKER_EXITED, __ATOMIC_RELEASE);
	return 0;
}

int
adn_runtime_control(struct adn_runtime *rt, const char *elem_name,
		    const char *cmd, char *reply, size_t len)
{
	struct adn_elem *e;
	uint32_t gen;
	int rc;

	if (len == 0)
		return -EINVAL;
	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->live == NULL) {
		snprintf(reply, len, "no pipeline is built");
		rc = -ENODEV;
		goto out;
	}
	e = adn_pipeline_find(rt->live->pipe, elem_name);
	if (e == NULL) {
		snprintf(reply, len, "no element named '%s'", elem_name);
		rc = -ENOENT;
		goto out;
	}
	if (e->desc->control == NULL) {
		/* adn_elem_control words the reason. */
		rc = adn_elem_control(e, cmd, reply, len);
		goto out;
	}
	cmd += strspn(cmd, " \t");
	if (strncmp(cmd, "help", 4) == 0 &&
	    cmd[4 + strspn(cmd + 4, " \t")] == '\0') {
		control_help(e, reply, len);
		rc = 0;
		goto out;
	}
	/* A version still in its grace period may hold state of its own
	 * (reshaped by the last swap): retire it, so the change reaches
	 * every batch that starts after the return. */
	if (rt->alive != rt->live || rt->live->next != NULL)
		adn_defer_drain(rt->defer);
	gen = adn_elem_state_gen(e);
	rc = adn_elem_control(e, cmd, reply, len);
	/* Changed: return once no batch that began before the change is
	 * still running, as parking the workers used to guarantee (the
	 * controller waits a grace period; the workers never wait). */
	if (adn_elem_state_gen(e) != gen)
		rte_rcu_qsbr_synchronize(rt->qsbr, RTE_QSBR_THRID_INVALID);
out:
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
}

int
adn_runtime_start(struct adn_runtime *rt, struct adn_errs *errs)
{
	unsigned int lcore, w = 0;
	int rc;

	if (rte_lcore_count() < 2) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "EAL gave no worker lcore: pass at least two lcores (e.g. -l 0-1); the main lcore runs control");
		return -EINVAL;
	}
	if (rt->live == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "no pipeline is built");
		return -ENODEV;
	}
	rc = adn_ports_start(&rt->ports, rt->live->burst, errs);
	if (rc < 0)
		return rc;
	/* Before any worker polls: a memif port may already be connected. */
	rc = gate_start(rt, errs);
	if (rc < 0)
		return rc;
	for (w = 0; w < rt->n_workers; w++) {
		rt->workers[w].rt = rt;
		rt->workers[w].idx = w;
	}
	rt->start_tsc = rte_rdtsc();
	w = 0;
	/* Under the control lock: the gate thread opens its windows without
	 * parking only while no worker runs. */
	pthread_mutex_lock(&rt->ctl_lock);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == rt->n_workers)
			break;
		rt->workers[w].lcore = lcore;
		rc = rte_eal_remote_launch(worker_main, &rt->workers[w], lcore);
		if (rc < 0) {
			adn_errs_add(errs, NULL, NULL, NULL,
				     "cannot launch worker %u on lcore %u: %s",
				     w, lcore, strerror(-rc));
			break;
		}
		w++;
	}
	if (rc == 0)
		__atomic_store_n(&rt->running, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rt->ctl_lock);
	if (rc < 0) {
		adn_runtime_stop(rt);
		return rc;
	}
	ADN_LOG(INFO, "%u worker(s) running, %u rx point(s), burst %u, plan %s\n",
		rt->n_workers, rt->live->pipe->n_rx, rt->live->burst,
		rt->live->plan->text);
	return 0;
}

void
adn_runtime_stop(struct adn_runtime *rt)
{
	__atomic_store_n(&rt->stop, true, __ATOMIC_RELAXED);
	/* Workers finish the batch in hand (run to completion), so nothing
	 * is in flight once they return. */
	rte_eal_mp_wait_lcore();
	if (rt->gate_thread_up) {
		pthread_join(rt->gate_thread, NULL);
		rt->gate_thread_up = false;
	}
	rt->running = false;
	/* No packet comes any more: the capture's file is complete. */
	adn_runtime_capture_stop(rt);
}

/* --- counters ---------------------------------------------------------- */

void
adn_runtime_totals(struct adn_runtime *rt, struct adn_totals *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&rt->ctl_lock);
	for (const struct adn_version *v = rt->alive; v != NULL; v = v->next) {
		struct adn_totals vt;

		adn_pipeline_totals(v->pipe, v->x, rt->n_workers, &vt);
		t->received += vt.received;
		t->transmitted += vt.transmitted;
		t->dropped += vt.dropped;
		t->in_flight += vt.in_flight;
	}
	for (unsigned int i = 0; i < rt->n_hist; i++) {
		const struct adn_elem_totals *h = &rt->hist[i].t;
		const struct adn_elem_desc *d = adn_elem_find(rt->hist[i].type);

		if (d != NULL && (d->flags & ADN_ELEM_SOURCE))
			t->received += h->in;
		t->transmitted += h->consumed;
		t->dropped += h->dropped;
	}
	pthread_mutex_unlock(&rt->ctl_lock);
}

/* Under the lock. */
static int
elem_totals_locked(struct adn_runtime *rt, const char *name,
		   struct adn_elem_totals *t)
{
	const struct adn_elem_hist *h = hist_find(rt, name, NULL, false);
	bool found = h != NULL;

	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < rt->n_hist; i++)
		if (strcmp(rt->hist[i].name, name) == 0)
			totals_add(t, &rt->hist[i].t);
	for (const struct adn_version *v = rt->alive; v != NULL; v = v->next) {
		const struct adn_elem *e = adn_pipeline_find(v->pipe, name);
		struct adn_elem_totals et;

		if (e == NULL)
			continue;
		adn_elem_totals(e, &et);
		totals_add(t, &et);
		found = true;
	}
	return found ? 0 : -ENOENT;
}

int
adn_runtime_elem_totals(struct adn_runtime *rt, const char *name,
			struct adn_elem_totals *t)
{
	int rc;

	pthread_mutex_lock(&rt->ctl_lock);
	rc = elem_totals_locked(rt, name, t);
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
}

static void
foreach_call(struct adn_runtime *rt, const char *name, const char *type,
	     const struct adn_elem *live, adn_runtime_elem_fn fn, void *arg)
{
	struct adn_elem_totals t;

	elem_totals_locked(rt, name, &t);
	fn(name, type, live, &t, arg);
}

void
adn_runtime_foreach_elem(struct adn_runtime *rt, adn_runtime_elem_fn fn,
			 void *arg)
{
	const struct adn_pipeline *p;

	pthread_mutex_lock(&rt->ctl_lock);
	p = rt->live ? rt->live->pipe : NULL;
	for (unsigned int i = 0; p && i < p->n_elems; i++)
		foreach_call(rt, p->elems[i]->name, p->elems[i]->desc->name,
			     p->elems[i], fn, arg);
	/* Removed elements: in versions still in their grace period, or
	 * only in the history; each once. */
	for (const struct adn_version *v = rt->alive; v != NULL; v = v->next)
		for (unsigned int i = 0; v != rt->live && i < v->pipe->n_elems;
		     i++) {
			const struct adn_elem *e = v->pipe->elems[i];
			bool seen = p && adn_pipeline_find(p, e->name);

			for (const struct adn_version *u = rt->alive;
			     !seen && u != v; u = u->next)
				seen = u != rt->live &&
					adn_pipeline_find(u->pipe, e->name);
			if (!seen)
				foreach_call(rt, e->name, e->desc->name, NULL,
					     fn, arg);
		}
	for (unsigned int i = 0; i < rt->n_hist; i++) {
		const char *name = rt->hist[i].name;
		bool seen = false;

		for (const struct adn_version *v = rt->alive; !seen && v;
		     v = v->next)
			seen = adn_pipeline_find(v->pipe, name) != NULL;
		for (unsigned int k = 0; !seen && k < i; k++)
			seen = strcmp(rt->hist[k].name, name) == 0;
		if (!seen)
			foreach_call(rt, name, rt->hist[i].type, NULL, fn,
				     arg);
	}
	pthread_mutex_unlock(&rt->ctl_lock);
}

void
adn_runtime_swap_stats(struct adn_runtime *rt, struct adn_swap_stats *st)
{
	struct adn_state_reg_stats rs = { 0 };

	pthread_mutex_lock(&rt->ctl_lock);
	*st = rt->swap;
	st->version = rt->live ? rt->live->id : 0;
	st->alive = 0;
	for (const struct adn_version *v = rt->alive; v; v = v->next)
		st->alive++;
	if (rt->reg != NULL)
		adn_state_reg_stats(rt->reg, &rs);
	st->state_resets = rs.resets;
	st->state_migrations = rs.migrated;
	pthread_mutex_unlock(&rt->ctl_lock);
}

unsigned int
adn_runtime_retired(struct adn_runtime *rt, struct adn_version_summary *out,
		    unsigned int max)
{
	unsigned int n, first;

	pthread_mutex_lock(&rt->ctl_lock);
	n = (unsigned int)RTE_MIN(rt->swap.retired,
				  (uint64_t)ADN_RUNTIME_SUMMARIES);
	n = RTE_MIN(n, max);
	first = (unsigned int)(rt->swap.retired - n);
	for (unsigned int i = 0; i < n; i++)
		out[i] = rt->sums[(first + i) % ADN_RUNTIME_SUMMARIES];
	pthread_mutex_unlock(&rt->ctl_lock);
	return n;
}

void
adn_runtime_set_observer(struct adn_runtime *rt, const struct adn_observer *o)
{
	__atomic_store_n(&rt->observer, o, __ATOMIC_RELEASE);
	if (rt->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->qsbr, RTE_QSBR_THRID_INVALID);
}

unsigned int
adn_runtime_burst(struct adn_runtime *rt)
{
	unsigned int burst;

	pthread_mutex_lock(&rt->ctl_lock);
	burst = conf_burst(rt->conf);
	pthread_mutex_unlock(&rt->ctl_lock);
	return burst;
}

int
adn_runtime_profile(struct adn_runtime *rt, struct adn_profile *out)
{
	const struct adn_version *v;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rt->ctl_lock);
	v = rt->live;
	if (v == NULL) {
		pthread_mutex_unlock(&rt->ctl_lock);
		return -ENODEV;
	}
	out->version = v->id;
	snprintf(out->plan, sizeof(out->plan), "%s", v->plan->text);
	for (unsigned int w = 0; w < rt->n_workers; w++) {
		const struct adn_exec_prof *p = &v->x[w]->prof;

		out->prof.batches += p->batches;
		out->prof.pkts += p->pkts;
		out->prof.timed_batches += p->timed_batches;
		out->prof.timed_pkts += p->timed_pkts;
		out->prof.timed_cycles += p->timed_cycles;
		out->prof.preempted += p->preempted;
		for (unsigned int i = 0; i < ADN_LAT_BUCKETS; i++)
			out->prof.lat[i] += p->lat[i];
	}
	pthread_mutex_unlock(&rt->ctl_lock);
	return 0;
}

int
adn_runtime_shadow(struct adn_runtime *rt, const char *text,
		   struct adn_errs *errs, struct adn_shadow **out)
{
	struct adn_shadow *s = calloc(1, sizeof(*s));
	struct adn_plan *plan = malloc(sizeof(*plan));
	struct adn_build_env env = { .n_workers = 1, .shadow = true };
	unsigned int first_err = errs->n;

	*out = NULL;
	if (s == NULL || plan == NULL) {
		free(s);
		free(plan);
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&rt->ctl_lock);
	s->conf = rt->conf;
	s->conf->refs++;
	pthread_mutex_unlock(&rt->ctl_lock);
	/* The config is read-only from here on: built without the lock. */
	env.cfg = &s->conf->cfg;
	env.ports = &rt->ports;
	env.plan = plan;
	if (adn_plan_parse(text, plan, errs) == 0 &&
	    adn_plan_check_knobs(plan, env.cfg, errs) == 0)
		adn_pipeline_build_env(&env, errs, &s->pipe);
	if (s->pipe != NULL && errs->n == first_err) {
		s->x = adn_exec_create(s->pipe, 0);
		if (s->x == NULL)
			adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		else if (adn_exec_apply_plan(s->x, plan, errs) == 0)
			s->x->prof_mask = UINT64_MAX;
	}
	s->burst = plan->burst ? plan->burst : conf_burst(s->conf);
	free(plan);
	if (errs->n != first_err) {
		adn_runtime_shadow_free(rt, s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

void
adn_runtime_shadow_free(struct adn_runtime *rt, struct adn_shadow *s)
{
	if (s == NULL)
		return;
	adn_exec_free(s->x);
	if (s->pipe != NULL)
		adn_pipeline_free(s->pipe);
	pthread_mutex_lock(&rt->ctl_lock);
	conf_put(s->conf);
	pthread_mutex_unlock(&rt->ctl_lock);
	free(s);
}

const struct adn_pipeline *
adn_shadow_pipeline(const struct adn_shadow *s)
{
	return s->pipe;
}

struct adn_exec *
adn_shadow_exec(const struct adn_shadow *s)
{
	return s->x;
}

unsigned int
adn_shadow_burst(const struct adn_shadow *s)
{
	return s->burst;
}

struct adn_version *
adn_runtime_live(struct adn_runtime *rt)
{
	/* Acquire pairs with version_publish, as in the workers' loop. */
	return __atomic_load_n(&rt->live, __ATOMIC_ACQUIRE);
}

struct rte_rcu_qsbr *
adn_runtime_qsbr(struct adn_runtime *rt)
{
	return rt->qsbr;
}

const char *
adn_version_plan(const struct adn_version *v)
{
	return v->plan->text;
}

unsigned int
adn_version_burst(const struct adn_version *v)
{
	return v->burst;
}

uint64_t
adn_version_published_tsc(const struct adn_version *v)
{
	return v->live_tsc;
}

struct adn_pipeline *
adn_version_pipeline(const struct adn_version *v)
{
	return v->pipe;
}

struct adn_exec *
adn_version_exec(const struct adn_version *v, unsigned int worker)
{
	return v->x[worker];
}

struct adn_elem *
adn_version_rx_source(const struct adn_version *v, unsigned int worker,
		      unsigned int i)
{
	return i < v->n_rx[worker] ? v->rx[worker][i]->e : NULL;
}

void
adn_runtime_free(struct adn_runtime *rt)
{
	if (rt == NULL)
		return;
	/* First: no telemetry command runs on what is freed below. */
	adn_telemetry_unregister(rt);
	if (rt->running || rt->gate_thread_up)
		adn_runtime_stop(rt);
	adn_ports_stop(&rt->ports);
	/* Only now: closing a memif port while its peer's disconnect runs
	 * on the interrupt thread would free the regions twice. */
	adn_intr_gate_free(rt->gate);
	rt->gate = NULL;
	/* Under the control lock: a late control call (telemetry) finds no
	 * pipeline rather than a freed one. */
	pthread_mutex_lock(&rt->ctl_lock);
	adn_capture_free(rt);
	if (rt->defer != NULL)
		adn_defer_drain(rt->defer);
	if (rt->live != NULL) {
		struct adn_version *v = rt->live;

		rt->live = NULL;
		version_retire(v);
	}
	adn_defer_destroy(rt->defer);
	rt->defer = NULL;
	adn_state_reg_free(rt->reg);
	rt->reg = NULL;
	rte_free(rt->qsbr);
	rt->qsbr = NULL;
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++)
		adn_batch_set_free(&rt->batches[w]);
	free(rt->hist);
	rt->hist = NULL;
	rt->n_hist = rt->cap_hist = 0;
	pthread_mutex_unlock(&rt->ctl_lock);
	conf_put(rt->conf);
	pthread_mutex_destroy(&rt->ctl_lock);
	free(rt);
}
