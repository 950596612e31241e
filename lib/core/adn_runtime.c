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
#include <rte_pause.h>

#include "adn_intr_gate.h"
#include "adn_log.h"
#include "adn_runtime.h"

#define DEFAULT_BURST 32
/* Interrupt-thread windows: often enough for a memif handshake (one
 * control message per window and side) to finish in well under a
 * second, rare enough to cost the workers nothing measurable. */
#define GATE_PERIOD_US 5000
#define GATE_WAIT_MS 100

/* Top-level sections this build understands; anything else is a typo. */
static const char *const top_keys[] = {
	"eal", "workers", "burst", "ports", "elements", "links", "plan", NULL,
};

int
adn_runtime_load(struct adn_runtime *rt, const char *path,
		 struct adn_errs *errs)
{
	char dir[4096];

	memset(rt, 0, sizeof(*rt));
	pthread_mutex_init(&rt->ctl_lock, NULL);
	config_init(&rt->cfg);
	rt->path = path;
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&rt->cfg, dirname(dir));
	if (config_read_file(&rt->cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&rt->cfg) == CONFIG_ERR_FILE_IO)
			adn_errs_add(errs, NULL, NULL, NULL,
				     "%s: cannot read: %s", path,
				     strerror(errno));
		else
			adn_errs_add(errs, NULL, NULL, NULL,
				     "%s:%d: syntax error: %s",
				     config_error_file(&rt->cfg) ?
				     config_error_file(&rt->cfg) : path,
				     config_error_line(&rt->cfg),
				     config_error_text(&rt->cfg));
		return -EINVAL;
	}
	return 0;
}

int
adn_runtime_eal_args(struct adn_runtime *rt, int *argc, char ***argv,
		     struct adn_errs *errs)
{
	const config_setting_t *eal = config_lookup(&rt->cfg, "eal");
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
		return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		const char *s = config_setting_get_string_elem(eal, i);

		if (s == NULL) {
			adn_errs_add(errs, eal, NULL, "eal",
				     "entry %d is not a string", i);
			return -EINVAL;
		}
		(*argv)[(*argc)++] = (char *)(uintptr_t)s;
	}
	return 0;
}

static int
lookup_uint(struct adn_runtime *rt, const char *key, unsigned int def,
	    unsigned int lo, unsigned int hi, unsigned int *out,
	    struct adn_errs *errs)
{
	const config_setting_t *s = config_lookup(&rt->cfg, key);
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

int
adn_runtime_build(struct adn_runtime *rt, struct adn_errs *errs)
{
	const config_setting_t *root = config_root_setting(&rt->cfg);
	unsigned int first_err = errs->n;
	int rc;

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, i);
		const char *const *k;

		for (k = top_keys; *k; k++)
			if (strcmp(*k, config_setting_name(s)) == 0)
				break;
		if (*k == NULL)
			adn_errs_add(errs, s, NULL, config_setting_name(s),
				     "unknown top-level key (allowed: eal, workers, burst, ports, elements, links, plan)");
	}
	lookup_uint(rt, "workers", 1, 1, ADN_MAX_WORKERS, &rt->n_workers,
		    errs);
	lookup_uint(rt, "burst", DEFAULT_BURST, 1, ADN_BATCH_MAX, &rt->burst,
		    errs);
	if (errs->n == first_err && rte_lcore_count() > 1 &&
	    rt->n_workers > rte_lcore_count() - 1)
		adn_errs_add(errs, config_lookup(&rt->cfg, "workers"), NULL,
			     "workers",
			     "%u workers need %u worker lcores, EAL has %u (pass e.g. -l 0-%u)",
			     rt->n_workers, rt->n_workers,
			     rte_lcore_count() - 1, rt->n_workers);
	/* The plan's knobs are config values: apply them before the
	 * elements are built. */
	rt->plan = malloc(sizeof(*rt->plan));
	if (rt->plan == NULL) {
		adn_errs_add(errs, NULL, NULL, "plan", "out of memory");
		return -ENOMEM;
	}
	if (adn_plan_from_config(&rt->cfg, rt->plan, errs) == 0) {
		adn_plan_apply_knobs(rt->plan, &rt->cfg, errs);
		if (rt->plan->burst)
			rt->burst = rt->plan->burst;
	}
	adn_ports_parse(&rt->cfg, rt->n_workers, &rt->ports, errs);
	rc = adn_pipeline_build(&rt->cfg, &rt->ports, rt->n_workers, errs,
				&rt->pipe);
	if (rc == 0 && errs->n == first_err) {
		/* Check the plan against the built pipeline now, so its
		 * errors are config errors (a jit chain compiled here is
		 * reused by the workers). */
		struct adn_exec *x = adn_exec_create(rt->pipe, 0);

		if (x == NULL)
			adn_errs_add(errs, NULL, NULL, "plan",
				     "out of memory");
		else
			adn_exec_apply_plan(x, rt->plan, errs);
		adn_exec_free(x);
	}
	if (rc == 0 && errs->n != first_err) {
		adn_pipeline_free(rt->pipe);
		rt->pipe = NULL;
	}
	return errs->n == first_err ? 0 : -EINVAL;
}

/* Between poll rounds, while a controller changes element state. */
static void
worker_park(struct adn_worker *w)
{
	/* Release: everything the batches so far did happens before the
	 * controller's change; acquire on the flag: the change happens
	 * before the next batch. */
	__atomic_store_n(&w->ctl_state, ADN_WORKER_PARKED, __ATOMIC_RELEASE);
	/* Yield, not spin: on a small machine the thread we wait for (the
	 * controller, the EAL interrupt thread) may share this core. */
	while (__atomic_load_n(&w->rt->ctl_pause, __ATOMIC_ACQUIRE))
		sched_yield();
	__atomic_store_n(&w->ctl_state, ADN_WORKER_POLLING, __ATOMIC_RELAXED);
}

static int
worker_main(void *arg)
{
	struct adn_worker *w = arg;
	struct adn_exec *x = w->x;
	const uint16_t burst = (uint16_t)w->rt->burst;

	adn_worker_index_set(w->idx);
	while (!__atomic_load_n(&w->rt->stop, __ATOMIC_RELAXED)) {
		/* The one cost control adds to the poll loop: a relaxed load
		 * of a flag that is almost always clear. */
		if (unlikely(__atomic_load_n(&w->rt->ctl_pause,
					     __ATOMIC_RELAXED))) {
			worker_park(w);
			continue;
		}
		for (unsigned int i = 0; i < w->n_rx; i++) {
			struct adn_rx_point *rx = w->rx[i];
			struct adn_batch *b = adn_exec_source_batch(x, rx->e);
			uint16_t n = rx->e->desc->rx(rx->e, rx->queue, b->pkts,
						     burst);

			w->polls++;
			if (n == 0)
				continue;
			w->busy_polls++;
			b->n = n;
			adn_exec_run(x, rx->e->index);
		}
	}
	/* A controller waiting for this worker to park counts it out. */
	__atomic_store_n(&w->ctl_state, ADN_WORKER_EXITED, __ATOMIC_RELEASE);
	return 0;
}

#define CTL_PARK_TIMEOUT_S 5

/* One step of the controller's wait: spin first (a batch takes
 * microseconds), then sleep, so a controller sharing a core with a worker
 * does not starve it. */
static void
ctl_wait_step(unsigned int *spins)
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
	 * next control call cannot take a stale PARKED for an ack. */
	for (unsigned int w = 0; w < rt->n_workers; w++) {
		unsigned int spins = 0;

		while (__atomic_load_n(&rt->workers[w].ctl_state,
				       __ATOMIC_ACQUIRE) == ADN_WORKER_PARKED)
			ctl_wait_step(&spins);
	}
}

/* Park every worker at a poll-round boundary: 0, or -ETIMEDOUT (released
 * again). */
static int
workers_park(struct adn_runtime *rt)
{
	uint64_t deadline = rte_get_timer_cycles() +
		CTL_PARK_TIMEOUT_S * rte_get_timer_hz();

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
			ctl_wait_step(&spins);
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

int
adn_runtime_control(struct adn_runtime *rt, const char *elem_name,
		    const char *cmd, char *reply, size_t len)
{
	struct adn_elem *e;
	int rc;

	if (len == 0)
		return -EINVAL;
	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->pipe == NULL) {
		snprintf(reply, len, "no pipeline is built");
		rc = -ENODEV;
		goto out;
	}
	e = adn_pipeline_find(rt->pipe, elem_name);
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
	/* Workers launched after this check would be a start/control race,
	 * which the contract excludes. */
	if (!__atomic_load_n(&rt->running, __ATOMIC_ACQUIRE)) {
		rc = adn_elem_control(e, cmd, reply, len);
		goto out;
	}
	rc = workers_park(rt);
	if (rc < 0) {
		snprintf(reply, len,
			 "workers did not park within %d s; nothing changed",
			 CTL_PARK_TIMEOUT_S);
		goto out;
	}
	rc = adn_elem_control(e, cmd, reply, len);
	workers_release(rt);
out:
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
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

int
adn_runtime_start(struct adn_runtime *rt, struct adn_errs *errs)
{
	struct adn_pipeline *p = rt->pipe;
	unsigned int lcore, w = 0;
	int rc;

	if (rte_lcore_count() < 2) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "EAL gave no worker lcore: pass at least two lcores (e.g. -l 0-1); the main lcore runs control");
		return -EINVAL;
	}
	rc = adn_ports_start(&rt->ports, rt->burst, errs);
	if (rc < 0)
		return rc;
	/* Before any worker polls: a memif port may already be connected. */
	rc = gate_start(rt, errs);
	if (rc < 0)
		return rc;
	for (w = 0; w < rt->n_workers; w++) {
		rt->workers[w].rt = rt;
		rt->workers[w].idx = w;
		rt->execs[w] = rt->workers[w].x = adn_exec_create(p, w);
		if (rt->workers[w].x == NULL) {
			adn_errs_add(errs, NULL, NULL, NULL,
				     "out of memory for worker %u batches", w);
			return -ENOMEM;
		}
		rc = adn_exec_apply_plan(rt->workers[w].x, rt->plan, errs);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < p->n_rx; i++) {
		struct adn_worker *wk = &rt->workers[p->rx[i].queue %
						     rt->n_workers];

		if (p->rx[i].e->desc->rx == NULL) {
			adn_errs_add(errs, p->rx[i].e->setting, p->rx[i].e->name,
				     NULL, "source element has no rx function");
			return -EINVAL;
		}
		wk->rx[wk->n_rx++] = &p->rx[i];
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
		rt->n_workers, p->n_rx, rt->burst, rt->plan->text);
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
}

void
adn_runtime_totals(struct adn_runtime *rt, struct adn_totals *t)
{
	if (rt->pipe == NULL) {
		memset(t, 0, sizeof(*t));
		return;
	}
	adn_pipeline_totals(rt->pipe, rt->execs, rt->n_workers, t);
}

void
adn_runtime_free(struct adn_runtime *rt)
{
	if (rt->running || rt->gate_thread_up)
		adn_runtime_stop(rt);
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		adn_exec_free(rt->execs[w]);
		rt->execs[w] = NULL;
	}
	adn_ports_stop(&rt->ports);
	/* Only now: closing a memif port while its peer's disconnect runs
	 * on the interrupt thread would free the regions twice. */
	adn_intr_gate_free(rt->gate);
	rt->gate = NULL;
	/* Under the control lock: a late control call (telemetry) finds no
	 * pipeline rather than a freed one. The lock stays usable. */
	pthread_mutex_lock(&rt->ctl_lock);
	adn_pipeline_free(rt->pipe);
	rt->pipe = NULL;
	pthread_mutex_unlock(&rt->ctl_lock);
	free(rt->plan);
	rt->plan = NULL;
	config_destroy(&rt->cfg);
}
