/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-ctl — operate a running adn-nf through its DPDK telemetry socket,
 * as vppctl does VPP.
 *
 *   adn-ctl [-f PREFIX | -s SOCKET] [-j] COMMAND [ARGS...]
 *
 * Each command is one telemetry command of adn-nf (the table below): the
 * action runs in adn-nf's handler, the same one dpdk-telemetry.py
 * reaches, and adn-ctl only formats the reply (-j prints it as JSON).
 * `capture` and `top` are loops over those commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adn_opts.h"
#include "adn_parse.h"
#include "ctl.h"

/* The capture poll: often enough to stop promptly on ^C. */
#define CAPTURE_POLL_US 100000

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

const struct adn_json *
ctl_ask(struct ctl *c, const char *cmd, struct adn_json **tree)
{
	const struct adn_json *v;
	char err[512];

	if (ctl_tel_request(&c->tel, cmd, tree, &v, NULL, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "adn-ctl: %s\n", err);
		return NULL;
	}
	if (v == NULL)
		fprintf(stderr,
			"adn-ctl: adn-nf answered null to '%s': unknown command, bad parameter or missing object (%s)\n",
			cmd, c->tel.version);
	return v;
}

void
ctl_fmt_rate(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

/* --- formatting of replies ---------------------------------------------- */

static void
print_inline(const struct adn_json *j)
{
	adn_json_write(stdout, j, 0);
}

/* Any reply: one "key  value" line per member, strings unquoted. */
static int
show_dict(const struct adn_json *v)
{
	size_t w = 0;

	if (v->type != ADN_JSON_OBJECT) {
		print_inline(v);
		putchar('\n');
		return 0;
	}
	for (const struct adn_json *m = v->child; m; m = m->next)
		w = strlen(m->key) > w ? strlen(m->key) : w;
	for (const struct adn_json *m = v->child; m; m = m->next) {
		printf("%-*s  ", (int)w, m->key);
		if (m->type == ADN_JSON_STRING)
			fputs(m->str, stdout);
		else
			print_inline(m);
		putchar('\n');
	}
	return 0;
}

static int
show_stats(const struct adn_json *v)
{
	static const char *const totals[] = { "received", "transmitted",
		"dropped", "in_flight", "unaccounted", "mbufs_in_use" };

	for (unsigned int i = 0; i < CTL_DIM(totals); i++) {
		const struct adn_json *t = adn_json_get(v, totals[i]);

		if (t != NULL)
			printf("%s %s  ", totals[i], t->str);
	}
	printf("\n\n%-20s %14s %14s %14s %14s\n", "element", "in", "out",
	       "transmitted", "dropped");
	for (const struct adn_json *m = v->child; m; m = m->next) {
		const struct adn_json *a = m->child;

		if (m->type != ADN_JSON_ARRAY || m->n < 4)
			continue;
		printf("%-20s", m->key);
		for (unsigned int k = 0; k < 4; k++, a = a->next)
			printf(" %14" PRIu64, adn_json_u64(a));
		putchar('\n');
	}
	return 0;
}

static int
show_ports(const struct adn_json *v)
{
	static const char *const cols[] = { "rx", "tx", "imissed",
		"rx_nombuf", "oerrors", "ierrors" };

	printf("%-16s", "port");
	for (unsigned int k = 0; k < CTL_DIM(cols); k++)
		printf(" %14s", cols[k]);
	putchar('\n');
	for (const struct adn_json *m = v->child; m; m = m->next) {
		printf("%-16s", m->key);
		for (const struct adn_json *a = m->child; a; a = a->next)
			printf(" %14" PRIu64, adn_json_u64(a));
		putchar('\n');
	}
	return 0;
}

static int
show_pipeline(const struct adn_json *v)
{
	for (const struct adn_json *m = v->child; m; m = m->next) {
		if (m->type != ADN_JSON_ARRAY) {
			printf("%s %s\n", m->key, m->str);
			continue;
		}
		printf("  %-20s %-16s", m->key, adn_json_str(m->child));
		for (const struct adn_json *a = m->child->next; a; a = a->next)
			printf("  %s", a->str);
		putchar('\n');
	}
	return 0;
}

static void
print_lines(const struct adn_json *a)
{
	for (const struct adn_json *l = a ? a->child : NULL; l; l = l->next)
		printf("%s\n", adn_json_str(l));
}

/* plan set, reload: the version after the request, or every error. */
static int
show_swap(const struct adn_json *v)
{
	if (adn_json_u64(adn_json_get(v, "ok"))) {
		printf("version %" PRIu64 " live, plan %s\n",
		       adn_json_u64(adn_json_get(v, "version")),
		       adn_json_str(adn_json_get(v, "plan")));
		return 0;
	}
	fprintf(stderr, "refused (rc %s); version %" PRIu64
		" runs on, plan %s\n",
		adn_json_get(v, "rc") ? adn_json_get(v, "rc")->str : "?",
		adn_json_u64(adn_json_get(v, "version")),
		adn_json_str(adn_json_get(v, "plan")));
	for (const struct adn_json *l = adn_json_get(v, "errors") ?
	     adn_json_get(v, "errors")->child : NULL; l; l = l->next)
		fprintf(stderr, "  %s\n", adn_json_str(l));
	return 1;
}

static int
show_control(const struct adn_json *v)
{
	const struct adn_json *lines = adn_json_get(v, "lines");
	bool ok = adn_json_u64(adn_json_get(v, "ok")) != 0;

	if (lines != NULL)
		print_lines(lines);
	else
		fprintf(ok ? stdout : stderr, "%s\n",
			adn_json_str(adn_json_get(v, "reply")));
	return ok ? 0 : 1;
}

static int
show_morph_try(const struct adn_json *v)
{
	const struct adn_json *e = adn_json_get(v, "error");

	if (e != NULL) {
		fprintf(stderr, "%s\n", adn_json_str(e));
		return 1;
	}
	printf("%s\n", adn_json_str(adn_json_get(v, "reply")));
	return 0;
}

/* --- commands ------------------------------------------------------------ */

struct ctl_cmd {
	const char *name;	/* as typed; two words for "plan set" */
	const char *tel;	/* the telemetry command */
	int min_args, max_args;	/* after the name; -1: any number */
	const char *args;	/* for usage */
	const char *help;
	int (*show)(const struct adn_json *v);
	bool path_arg;		/* the argument is a file adn-nf opens */
};

static const struct ctl_cmd cmds[] = {
	{ "stats", "/adn/stats", 0, 0, "",
	  "totals, mbufs in use, [in, out, transmitted, dropped] per element",
	  show_stats, false },
	{ "ports", "/adn/ports", 0, 0, "",
	  "per port rx, tx, imissed, rx_nombuf, oerrors, ierrors", show_ports,
	  false },
	{ "pipeline", "/adn/pipeline", 0, 0, "",
	  "elements in topological order, their types and links",
	  show_pipeline, false },
	{ "element", "/adn/element", 1, 1, "NAME",
	  "one element's counters: outputs, drops by reason, cycles/packet",
	  show_dict, false },
	{ "plan set", "/adn/plan/set", 1, 1, "PLAN",
	  "swap a plan in at a batch boundary, state kept", show_swap, false },
	{ "plan", "/adn/plan", 0, 0, "",
	  "the live plan and what runs each element", show_dict, false },
	{ "reload", "/adn/reload", 1, 1, "FILE",
	  "swap a config in (same ports); kept elements keep state",
	  show_swap, true },
	{ "versions", "/adn/versions", 0, 0, "",
	  "live version, swaps, the live profile", show_dict, false },
	{ "control", "/adn/control", 2, -1, "NAME COMMAND [ARGS...]",
	  "an element's control command (NAME help lists them)",
	  show_control, false },
	{ "morph try", "/adn/morph/try", 1, 1, "PLAN",
	  "swap a plan in under Morph's guard", show_morph_try, false },
	{ "morph", "/adn/morph", 0, 0, "",
	  "Morph's state, plans, traffic and swap history", show_dict,
	  false },
	{ "capture stop", "/adn/capture/stop", 0, 0, "",
	  "stop the running capture", show_dict, false },
	{ "capture status", "/adn/capture", 0, 0, "",
	  "the running or last capture", show_dict, false },
};

/* The commands, for the usage's footer. */
static const char *
commands_help(void)
{
	static char buf[4096];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "Commands:\n");

	for (unsigned int i = 0; i < CTL_DIM(cmds) && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "  %-14s %-24s %s\n", cmds[i].name,
				      cmds[i].args, cmds[i].help);
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n,
			 "  %-14s %-24s %s\n  %-14s %-24s %s\n  %-14s %-24s %s\n"
			 "\nExit status: 0 ok, 1 refused or failed, 2 usage.\n",
			 "capture", "ELEM[:PORT] FILE [opts]",
			 "copy packets leaving an output to a pcapng file\n"
			 "                 (--count N, --snaplen S, --max-bytes B); waits until done",
			 "top", "[-n N] [-d SECONDS]",
			 "live per element and per port rates (q quits)",
			 "raw", "COMMAND[,PARAMS]", "any telemetry command, as JSON");
	return buf;
}

/* Join argv[0..argc) with spaces into `out`; -ENAMETOOLONG if it does
 * not fit. */
static int
join(int argc, char **argv, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		int k = snprintf(out + n, len - n, "%s%s", i ? " " : "",
				 argv[i]);

		if (k < 0 || (size_t)k >= len - n)
			return -ENAMETOOLONG;
		n += (size_t)k;
	}
	return 0;
}

/* adn-nf resolves paths in its own working directory: send it ours. */
static int
absolute(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		snprintf(out, len, "%s", path);
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -errno;
	if ((size_t)snprintf(out, len, "%s/%s", cwd, path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int
run_one(struct ctl *c, const struct ctl_cmd *k, int argc, char **argv)
{
	char params[4096], req[4200];
	struct adn_json *tree = NULL;
	const struct adn_json *v;
	int rc;

	if (argc < k->min_args || (k->max_args >= 0 && argc > k->max_args)) {
		fprintf(stderr, "usage: adn-ctl %s %s\n", k->name, k->args);
		return 2;
	}
	if (k->path_arg)
		rc = absolute(argv[0], params, sizeof(params));
	else
		rc = join(argc, argv, params, sizeof(params));
	if (rc < 0) {
		fprintf(stderr, "adn-ctl: %s: %s\n", k->name, strerror(-rc));
		return 2;
	}
	snprintf(req, sizeof(req), "%s%s%s", k->tel, argc ? "," : "", params);
	v = ctl_ask(c, req, &tree);
	if (v == NULL)
		rc = 1;
	else if (c->json) {
		adn_json_write(stdout, v, 2);
		putchar('\n');
		/* The same verdict as the text form, for scripts. */
		rc = adn_json_get(v, "ok") && !adn_json_u64(adn_json_get(v,
									 "ok")) ?
			1 : adn_json_get(v, "error") ? 1 : 0;
	} else {
		rc = k->show(v);
	}
	adn_json_free(tree);
	return rc;
}

/* `capture ELEM[:PORT] FILE [--count N] [--snaplen S] [--max-bytes B]`:
 * start it, wait until adn-nf finishes it (^C stops it), print the end. */
static int
run_capture(struct ctl *c, int argc, char **argv)
{
	uint64_t count = 1000, snaplen = 262144, max_bytes = 64ull << 20;
	char path[PATH_MAX], req[PATH_MAX + 256];
	struct adn_json *tree = NULL;
	const struct adn_json *v;
	const char *target, *file;
	struct stat sb;
	int rest_argc, rc;
	char **rest_argv;
	const struct adn_opt opts[] = {
		{ "count", 'n', ADN_OPT_U64, &count, 1, UINT32_MAX, .arg = "N",
		  .help = "packets to capture (default 1000)" },
		{ "snaplen", 's', ADN_OPT_U64, &snaplen, 16, 262144,
		  .arg = "BYTES", .help = "bytes kept of each packet (default all)" },
		{ "max-bytes", 'b', ADN_OPT_U64, &max_bytes, 4096, 1ull << 40,
		  .arg = "BYTES", .help = "size of the file at most (default 64 MiB)" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-ctl capture",
		.synopsis = "ELEM[:PORT] FILE [options]",
		.summary = "Copy the packets leaving an element's output into a pcapng file.",
		.opts = opts,
	};

	rc = adn_opts_parse(&spec, argc, argv, &rest_argc, &rest_argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (rest_argc != 2) {
		adn_opts_usage(&spec, stderr);
		return 2;
	}
	target = rest_argv[0];
	file = rest_argv[1];
	rc = 1;
	if (absolute(file, path, sizeof(path)) < 0) {
		fprintf(stderr, "adn-ctl: capture: bad path %s\n", file);
		return 2;
	}
	/* adn-nf never overwrites a file; removing our own is our call. */
	if (lstat(path, &sb) == 0) {
		fprintf(stderr,
			"adn-ctl: capture: %s exists; remove it or name another file\n",
			path);
		return 1;
	}
	snprintf(req, sizeof(req), "/adn/capture,%s %s %" PRIu64 " %" PRIu64
		 " %" PRIu64, target, path, count, snaplen, max_bytes);
	v = ctl_ask(c, req, &tree);
	if (v == NULL || !adn_json_u64(adn_json_get(v, "ok"))) {
		if (v != NULL) {
			fprintf(stderr, "adn-ctl: capture refused:\n");
			for (const struct adn_json *l = adn_json_get(v,
					"errors") ? adn_json_get(v,
					"errors")->child : NULL; l; l = l->next)
				fprintf(stderr, "  %s\n", adn_json_str(l));
		}
		adn_json_free(tree);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!c->json)
		fprintf(stderr, "capturing %s to %s (^C stops)\n", target, path);
	for (;;) {
		adn_json_free(tree);
		if (interrupted) {
			v = ctl_ask(c, "/adn/capture/stop", &tree);
			break;
		}
		usleep(CAPTURE_POLL_US);
		v = ctl_ask(c, "/adn/capture", &tree);
		if (v == NULL || !adn_json_u64(adn_json_get(v, "active")))
			break;
	}
	if (v != NULL) {
		rc = 0;
		if (c->json) {
			adn_json_write(stdout, v, 2);
			putchar('\n');
		} else {
			printf("%s: %" PRIu64 " packets, %" PRIu64
			       " bytes written, %" PRIu64
			       " dropped by the capture; ended: %s\n",
			       adn_json_str(adn_json_get(v, "file")),
			       adn_json_u64(adn_json_get(v, "written")),
			       adn_json_u64(adn_json_get(v, "bytes")),
			       adn_json_u64(adn_json_get(v, "dropped")),
			       adn_json_str(adn_json_get(v, "reason")));
		}
		if (strncmp(adn_json_str(adn_json_get(v, "reason")), "error",
			    5) == 0)
			rc = 1;
	}
	adn_json_free(tree);
	return rc;
}

/* `raw COMMAND[,PARAMS]`: the reply as it came. */
static int
run_raw(struct ctl *c, int argc, char **argv)
{
	const struct adn_json *v;
	struct adn_json *tree;
	const char *raw;
	char err[512];

	if (argc != 1) {
		fprintf(stderr, "usage: adn-ctl raw COMMAND[,PARAMS]\n");
		return 2;
	}
	if (ctl_tel_request(&c->tel, argv[0], &tree, &v, &raw, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "adn-ctl: %s\n", err);
		return 1;
	}
	printf("%s\n", raw);
	adn_json_free(tree);
	return v != NULL ? 0 : 1;
}

static const struct ctl_cmd *
find_cmd(int argc, char **argv, int *used)
{
	for (unsigned int i = 0; i < CTL_DIM(cmds); i++) {
		const char *sp = strchr(cmds[i].name, ' ');

		if (sp == NULL && strcmp(argv[0], cmds[i].name) == 0) {
			*used = 1;
			return &cmds[i];
		}
		if (sp != NULL && argc >= 2 &&
		    strncmp(argv[0], cmds[i].name,
			    (size_t)(sp - cmds[i].name)) == 0 &&
		    argv[0][sp - cmds[i].name] == '\0' &&
		    strcmp(argv[1], sp + 1) == 0) {
			*used = 2;
			return &cmds[i];
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ctl c = { .prefix = "rte" };
	const char *socket_path = NULL;
	const struct adn_opt opts[] = {
		{ "file-prefix", 'f', ADN_OPT_STR, &c.prefix, .arg = "PREFIX",
		  .help = "adn-nf's EAL --file-prefix (default rte)" },
		{ "socket", 's', ADN_OPT_STR, &socket_path, .arg = "PATH",
		  .help = "the telemetry socket itself" },
		{ "json", 'j', ADN_OPT_FLAG, &c.json,
		  .help = "print replies as JSON" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-ctl",
		.synopsis = "[-f PREFIX | -s SOCKET] [-j] COMMAND [ARGS...]",
		.summary = "Operate a running adn-nf through its DPDK telemetry socket.",
		.footer = commands_help(),
		.opts = opts,
		.stop_at_word = true,
	};
	const struct ctl_cmd *k;
	char path[256], err[512];
	int used = 0, rc;

	rc = adn_opts_parse(&spec, argc, argv, &argc, &argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (argc == 0) {
		adn_opts_usage(&spec, stderr);
		return 2;
	}
	k = find_cmd(argc, argv, &used);
	if (k == NULL && strcmp(argv[0], "capture") != 0 &&
	    strcmp(argv[0], "top") != 0 && strcmp(argv[0], "raw") != 0) {
		fprintf(stderr, "adn-ctl: unknown command '%s' (--help lists them)\n",
			argv[0]);
		return 2;
	}
	if (strchr(c.prefix, '/') != NULL) {
		fprintf(stderr, "adn-ctl: bad file prefix '%s'\n", c.prefix);
		return 2;
	}
	if (socket_path == NULL) {
		ctl_tel_path(c.prefix, path, sizeof(path));
		socket_path = path;
	}
	if (ctl_tel_open(&c.tel, socket_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "adn-ctl: %s\n", err);
		return 1;
	}
	if (k != NULL)
		rc = run_one(&c, k, argc - used, argv + used);
	else if (strcmp(argv[0], "capture") == 0)
		rc = run_capture(&c, argc, argv);
	else if (strcmp(argv[0], "top") == 0)
		rc = ctl_top(&c, argc, argv);
	else
		rc = run_raw(&c, argc - 1, argv + 1);
	ctl_tel_close(&c.tel);
	return rc;
}
