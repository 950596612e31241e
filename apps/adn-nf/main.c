/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-nf — run a pipeline of network-function elements from a config file
 * on polled DPDK lcores.
 *
 *   adn-nf -c FILE [-p PLAN] [--duration S] [--stats-interval S]
 *          [--idle-exit S] [--stats-json FILE] [--dot FILE]
 *          [-- EAL arguments]
 *
 * Shape of DPDK's l3fwd: parse args -> check the config -> EAL -> build ->
 * start ports -> launch workers -> wait (stats, signals) -> stop -> clean
 * up. The config is checked before EAL starts, so a typo is the first
 * thing the operator reads, not a line after EAL's start-up messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "adn_elem.h"
#include "adn_opts.h"
#include "adn_morph.h"
#include "adn_runtime.h"
#include "adn_stats.h"

static volatile sig_atomic_t signalled;

static void
on_signal(int sig)
{
	signalled = sig;
}

struct options {
	const char *config;
	const char *plan;	/* overrides the config's */
	const char *dot;
	double duration;	/* 0: until a signal */
	double stats_interval;	/* 0: no periodic line */
	double idle_exit;	/* 0: never */
	const char *stats_json;
	int eal_argc;
	char **eal_argv;
};

static int
list_elements(const char *arg, void *ctx)
{
	const struct adn_elem_desc *d;

	for (unsigned int i = 0; (d = adn_elem_at(i)) != NULL; i++) {
		printf("%-16s %s\n", d->name, d->help ? d->help : "");
		for (const struct adn_arg_spec *a = d->args; a && a->name; a++)
			printf("    %-18s%s%s\n", a->name,
			       a->required ? " (required) " : " ",
			       a->help ? a->help : "");
	}
	return 0;
}

static int
print_version(const char *arg, void *ctx)
{
	printf("adn-nf %s\n", ADN_VERSION);
	return 0;
}

/* Returns 0 to run, 1 when done (help/version), -1 on a usage error. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	const struct adn_opt opts[] = {
		{ "config", 'c', ADN_OPT_STR, &o->config, .arg = "FILE",
		  .help = "pipeline config (libconfig)" },
		{ "plan", 'p', ADN_OPT_STR, &o->plan, .arg = "PLAN",
		  .help = "run PLAN instead of the config's plan\n"
			  "(adn-bench -p syntax, e.g. jit8,route=fastpath1024)" },
		{ "duration", 'd', ADN_OPT_DOUBLE, &o->duration, 0, 1e9,
		  .arg = "S",
		  .help = "stop after S seconds (default: on SIGINT/SIGTERM)" },
		{ "stats-interval", 's', ADN_OPT_DOUBLE, &o->stats_interval,
		  0, 1e9, .arg = "S",
		  .help = "print one stats line every S seconds (default 1, 0 = off)" },
		{ "idle-exit", 'i', ADN_OPT_DOUBLE, &o->idle_exit, 0, 1e9,
		  .arg = "S",
		  .help = "stop once no packet arrived for S seconds\n"
			  "(for replaying a finite trace; default off)" },
		{ "stats-json", 'j', ADN_OPT_STR, &o->stats_json,
		  .arg = "FILE", .help = "write the final stats as JSON" },
		{ "dot", 'g', ADN_OPT_STR, &o->dot, .arg = "FILE",
		  .help = "write the pipeline as Graphviz when stopping\n"
			  "(templates, chains, packets per edge)" },
		{ "list-elements", 'l', ADN_OPT_EXIT, .call = list_elements,
		  .help = "list the element types and exit" },
		{ "version", 'V', ADN_OPT_EXIT, .call = print_version,
		  .help = "print the version" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-nf",
		.synopsis = "-c FILE [options] [-- EAL arguments]",
		.summary = "Run the network-function pipeline described by FILE.",
		.footer =
		"EAL arguments come from the config's `eal` list, then from after `--`.\n"
		"Operate it with adn-ctl [-f PREFIX] (stats, top, plan set, capture, ...)\n"
		"or dpdk-telemetry.py: /adn/stats, /adn/ports, /adn/pipeline,\n"
		"/adn/element,NAME, /adn/plan, /adn/plan/set,PLAN, /adn/reload,FILE,\n"
		"/adn/versions, /adn/control,NAME CMD, /adn/capture,ELEM:PORT FILE,\n"
		"/adn/morph, /adn/morph/try,PLAN.\n"
		"Exit status: 0 ok, 1 config or start-up error, 2 usage.\n",
		.opts = opts,
	};
	int rc;

	o->stats_interval = 1;
	rc = adn_opts_parse(&spec, argc, argv, &o->eal_argc, &o->eal_argv);
	if (rc != 0)
		return rc;
	if (o->config == NULL) {
		fprintf(stderr, "adn-nf: no config: pass -c FILE (--help for more)\n");
		return -1;
	}
	return 0;
}

/* argv for rte_eal_init: program name, the config's `eal`, then ours. */
static char **
eal_argv(const char *prog, int cfg_argc, char **cfg_argv, int argc,
	 char **argv, int *out_argc)
{
	char **v = calloc(1 + cfg_argc + argc + 1, sizeof(*v));
	int n = 0;

	if (v == NULL)
		return NULL;
	v[n++] = (char *)(uintptr_t)prog;
	for (int i = 0; i < cfg_argc; i++)
		v[n++] = cfg_argv[i];
	for (int i = 0; i < argc; i++)
		v[n++] = argv[i];
	*out_argc = n;
	return v;
}

/* Why rte_eal_init failed, for one line after EAL's own messages. EAL
 * leaves rte_errno 0 in some failures, the commonest of them a second
 * primary process on a --file-prefix in use: name that one. */
static void
eal_failure(void)
{
	const char *dir = rte_eal_get_runtime_dir();
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir ? dir : "");
	fd = dir && dir[0] ? open(path, O_RDONLY) : -1;
	if (fd >= 0 && fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK) {
		fprintf(stderr,
			"error: EAL initialisation failed: process %d runs DPDK with this --file-prefix (it holds %s); give each instance its own --file-prefix\n",
			(int)l.l_pid, path);
	} else if (rte_errno != 0) {
		fprintf(stderr, "error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
	} else {
		fprintf(stderr,
			"error: EAL initialisation failed (the EAL messages above say why)\n");
	}
	if (fd >= 0)
		close(fd);
}

/* The build's errors the check before EAL did not already print, and the
 * count of both. */
static void
not_started(const char *config, const struct adn_errs *pre,
	    const struct adn_errs *build)
{
	unsigned int n = pre->n;

	for (unsigned int i = 0; i < build->n; i++) {
		const char *m = build->msg[i] ? build->msg[i] : "?";

		if (adn_errs_find(pre, m) >= 0)
			continue;
		fprintf(stderr, "error: %s\n", m);
		n++;
	}
	fprintf(stderr, "%s: %u error%s, not started\n", config, n,
		n == 1 ? "" : "s");
}

/* Main lcore: stats lines, signals, duration and idle limits. Returns
 * the seconds traffic ran for (an idle exit's idle time left out). */
static double
wait_loop(struct adn_runtime *rt, const struct options *o)
{
	const uint64_t hz = rte_get_tsc_hz();
	uint64_t start = rte_rdtsc(), next_stats = start, last_rx_tsc = start;
	uint64_t last_rx = 0, end;
	struct adn_stats_prev prev = { 0 };

	prev.tsc = start;
	next_stats = start + (uint64_t)(o->stats_interval * hz);
	while (!signalled) {
		uint64_t now = rte_rdtsc();
		struct adn_totals t;

		if (o->duration > 0 && now - start >= o->duration * hz)
			break;
		adn_runtime_totals(rt, &t);
		if (t.received != last_rx) {
			last_rx = t.received;
			last_rx_tsc = now;
		} else if (o->idle_exit > 0 &&
			   now - last_rx_tsc >= o->idle_exit * hz) {
			return (double)(last_rx_tsc - start) / hz;
		}
		if (o->stats_interval > 0 && now >= next_stats) {
			adn_stats_print_line(rt, &prev, stdout);
			next_stats += (uint64_t)(o->stats_interval * hz);
		}
		/* Versions swapped out by /adn/plan/set or /adn/reload go
		 * once their grace period is over. */
		adn_runtime_reclaim(rt);
		usleep(10000);
	}
	end = rte_rdtsc();
	if (signalled)
		printf("\nstopping on signal %d\n", (int)signalled);
	return (double)(end - start) / hz;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct adn_errs errs = { 0 }, pre_errs = { 0 };
	struct adn_runtime *rt = NULL;
	struct adn_morph_conf morph_conf;
	struct adn_morph *morph = NULL;
	int cfg_argc, all_argc, rc;
	double elapsed;
	char **cfg_argv = NULL, **all_argv = NULL;
	bool eal_up = false;
	int status = 1;

	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	if (adn_runtime_load(o.config, &errs, &rt) < 0 ||
	    (o.plan != NULL &&
	     adn_runtime_override_plan(rt, o.plan, &errs) < 0) ||
	    adn_runtime_eal_args(rt, &cfg_argc, &cfg_argv, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		goto out;
	}
	/* What needs no EAL first (Morph's policy with the rest), so a typo
	 * is the first line the operator reads. */
	adn_morph_conf_read(adn_runtime_config(rt), &morph_conf, &pre_errs);
	adn_runtime_check(rt, &pre_errs);
	if (pre_errs.n > 0) {
		adn_errs_print(&pre_errs, stderr);
		/* The build finds the rest (links, files): EAL quiet. */
		rte_log_set_global_level(RTE_LOG_ERR);
	}
	all_argv = eal_argv(argv[0], cfg_argc, cfg_argv, o.eal_argc,
			    o.eal_argv, &all_argc);
	if (all_argv == NULL) {
		fprintf(stderr, "error: out of memory\n");
		goto out;
	}
	if (adn_eal_args_check(all_argc, all_argv, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		goto out;
	}
	if (rte_eal_init(all_argc, all_argv) < 0) {
		if (pre_errs.n > 0)
			not_started(o.config, &pre_errs, &errs);
		else
			eal_failure();
		goto out;
	}
	eal_up = true;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (adn_runtime_build(rt, &errs) < 0 || pre_errs.n > 0) {
		not_started(o.config, &pre_errs, &errs);
		goto out;
	}
	if (morph_conf.enabled &&
	    adn_morph_create(rt, &morph_conf, &morph, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		goto out;
	}
	if (adn_runtime_start(rt, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		goto out;
	}
	if (adn_telemetry_register(rt) < 0)
		fprintf(stderr, "warning: telemetry commands not registered\n");
	if (morph != NULL && adn_morph_start(morph) < 0) {
		fprintf(stderr, "error: cannot start Morph's thread\n");
		goto out;
	}
	/* Off too: then /adn/morph says so and how to turn it on. */
	if (adn_morph_telemetry_register(morph) < 0)
		fprintf(stderr, "warning: /adn/morph not registered\n");

	elapsed = wait_loop(rt, &o);
	adn_morph_stop(morph);
	adn_runtime_stop(rt);
	adn_stats_print_table(rt, elapsed, stdout);
	status = 0;
	rc = o.stats_json ? adn_stats_write_json(rt, elapsed, o.stats_json) :
		0;
	if (rc < 0) {
		fprintf(stderr, "error: %s: %s\n", o.stats_json, strerror(-rc));
		status = 1;
	}
	rc = o.dot ? adn_stats_write_dot(rt, o.dot) : 0;
	if (rc < 0) {
		fprintf(stderr, "error: %s: %s\n", o.dot, strerror(-rc));
		status = 1;
	}
out:
	/* Safe at any stage: each frees only what it set up. */
	adn_morph_free(morph);
	adn_runtime_free(rt);
	if (eal_up)
		rte_eal_cleanup();
	free(all_argv);
	free(cfg_argv);
	adn_errs_clear(&errs);
	adn_errs_clear(&pre_errs);
	return status;
}
