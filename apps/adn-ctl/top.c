/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `adn-ctl top`: vppctl's `show runtime` as a live view. Every refresh it
 * reads /adn/stats, /adn/ports, /adn/plan and /adn/element,NAME for each
 * element, and shows the rates since the previous refresh: per element
 * packets/s in, out and dropped, drops/s per reason and cycles per packet
 * (where the profiler timed it), per port rx/tx/imissed per second.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "adn_opts.h"
#include "ctl.h"

#define TOP_MAX_ELEMS 128

struct snap {
	double t;
	struct adn_json *stats, *ports, *plan;
	unsigned int n;
	const char *name[TOP_MAX_ELEMS];	/* keys of `stats` */
	struct adn_json *elem[TOP_MAX_ELEMS];	/* /adn/element replies */
};

static volatile sig_atomic_t top_stop;

static void
on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
snap_free(struct snap *s)
{
	adn_json_free(s->stats);
	adn_json_free(s->ports);
	adn_json_free(s->plan);
	for (unsigned int i = 0; i < s->n; i++)
		adn_json_free(s->elem[i]);
	memset(s, 0, sizeof(*s));
}

/* The value a request answered, keeping its tree in *tree. */
static const struct adn_json *
ask_keep(struct ctl *c, const char *cmd, struct adn_json **tree)
{
	const struct adn_json *v = ctl_ask(c, cmd, tree);

	if (v == NULL) {
		adn_json_free(*tree);
		*tree = NULL;
	}
	return v;
}

static int
snap_take(struct ctl *c, struct snap *s)
{
	const struct adn_json *st;
	char req[256];

	memset(s, 0, sizeof(*s));
	s->t = now_s();
	st = ask_keep(c, "/adn/stats", &s->stats);
	if (st == NULL || ask_keep(c, "/adn/ports", &s->ports) == NULL)
		return -EIO;
	/* Absent only while a version is being built: shown as "?". */
	ask_keep(c, "/adn/plan", &s->plan);
	for (const struct adn_json *m = st->child; m; m = m->next) {
		if (m->type != ADN_JSON_ARRAY || s->n == TOP_MAX_ELEMS)
			continue;
		snprintf(req, sizeof(req), "/adn/element,%s", m->key);
		s->name[s->n] = m->key;
		if (ask_keep(c, req, &s->elem[s->n]) == NULL)
			return -EIO;
		s->n++;
	}
	return 0;
}

/* The value under `key` of the reply of `tree`. */
static const struct adn_json *
val(const struct adn_json *tree, const char *key)
{
	return tree ? adn_json_get(tree->child, key) : NULL;
}

static const struct adn_json *
prev_elem(const struct snap *p, const char *name)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->elem[i];
	return NULL;
}

/* (cur - prev) / dt of counter `key` in replies `cur` and `prev`. */
static double
rate(const struct adn_json *cur, const struct adn_json *prev,
     const char *key, double dt)
{
	uint64_t a = adn_json_u64(val(cur, key));
	uint64_t b = adn_json_u64(val(prev, key));

	return dt > 0 && a >= b ? (double)(a - b) / dt : 0;
}

/* Element `e`'s out rate: the sum of its outN counters. */
static double
out_rate(const struct adn_json *e, const struct adn_json *pe, double dt)
{
	double r = 0;
	char key[16];

	for (unsigned int o = 0; o < 64; o++) {
		snprintf(key, sizeof(key), "out%u", o);
		if (val(e, key) == NULL)
			break;
		r += rate(e, pe, key, dt);
	}
	return r;
}

static double
port_rate(const struct adn_json *cur, const struct adn_json *prev,
	  unsigned int k, double dt)
{
	const struct adn_json *a = cur->child, *b = prev ? prev->child : NULL;

	for (unsigned int i = 0; i < k && a; i++) {
		a = a->next;
		b = b ? b->next : NULL;
	}
	return a && b && dt > 0 && adn_json_u64(a) >= adn_json_u64(b) ?
		(double)(adn_json_u64(a) - adn_json_u64(b)) / dt : 0;
}

static void
frame_text(FILE *f, const struct ctl *c, const struct snap *s,
	   const struct snap *p)
{
	const double dt = s->t - p->t;
	const struct adn_json *pp = p->ports ? p->ports->child : NULL;
	char r[4][16];

	fprintf(f, "adn-nf pid %ld (%s), prefix %s: version %" PRIu64
		", plan %s    every %.1f s, q quits\n", c->tel.pid,
		c->tel.version, c->prefix,
		adn_json_u64(val(s->plan, "version")),
		s->plan ? adn_json_str(val(s->plan, "plan")) : "?", dt);
	ctl_fmt_rate(rate(s->stats, p->stats, "received", dt), r[0], 16);
	ctl_fmt_rate(rate(s->stats, p->stats, "transmitted", dt), r[1], 16);
	ctl_fmt_rate(rate(s->stats, p->stats, "dropped", dt), r[2], 16);
	fprintf(f, "pipeline  in %s pps  transmitted %s pps  dropped %s pps"
		"  mbufs in use %" PRIu64 "  unaccounted %s\n\n", r[0], r[1],
		r[2], adn_json_u64(val(s->stats, "mbufs_in_use")),
		val(s->stats, "unaccounted") ?
		val(s->stats, "unaccounted")->str : "?");
	fprintf(f, "%-16s %10s %10s %10s %16s %16s\n", "PORT", "RX/s", "TX/s",
		"IMISSED/s", "RX", "TX");
	for (const struct adn_json *m = s->ports->child->child; m;
	     m = m->next) {
		const struct adn_json *pm = adn_json_get(pp, m->key);

		for (unsigned int k = 0; k < 3; k++)
			ctl_fmt_rate(port_rate(m, pm, k, dt), r[k], 16);
		fprintf(f, "%-16s %10s %10s %10s %16" PRIu64 " %16" PRIu64
			"\n", m->key, r[0], r[1], r[2],
			adn_json_u64(m->child),
			adn_json_u64(m->child ? m->child->next : NULL));
	}
	fprintf(f, "\n%-16s %-14s %9s %9s %9s %8s  %s\n", "ELEMENT", "TYPE",
		"IN/s", "OUT/s", "DROP/s", "CYC/PKT", "DROPS/s BY REASON");
	for (unsigned int i = 0; i < s->n; i++) {
		const struct adn_json *e = s->elem[i];
		const struct adn_json *pe = prev_elem(p, s->name[i]);
		const struct adn_json *cpp = val(e, "cycles_per_pkt");
		bool first = true;

		ctl_fmt_rate(rate(e, pe, "in", dt), r[0], 16);
		ctl_fmt_rate(out_rate(e, pe, dt), r[1], 16);
		ctl_fmt_rate(rate(e, pe, "dropped", dt), r[2], 16);
		snprintf(r[3], 16, "%s", cpp ? cpp->str : "-");
		fprintf(f, "%-16s %-14s %9s %9s %9s %8s  ", s->name[i],
			adn_json_str(val(e, "type")), r[0], r[1], r[2], r[3]);
		for (const struct adn_json *m = e->child->child; m;
		     m = m->next) {
			double d;

			if (strncmp(m->key, "drop_", 5) != 0)
				continue;
			d = rate(e, pe, m->key, dt);
			if (d <= 0)
				continue;
			ctl_fmt_rate(d, r[0], 16);
			fprintf(f, "%s%s %s", first ? "" : ", ", m->key + 5,
				r[0]);
			first = false;
		}
		fputc('\n', f);
	}
}

/* One JSON object per refresh (one line), for scripts. */
static void
frame_json(FILE *f, const struct snap *s, const struct snap *p, double t0)
{
	const double dt = s->t - p->t;
	const struct adn_json *pp = p->ports ? p->ports->child : NULL;
	bool first = true;

	fprintf(f, "{\"t\": %.3f, \"dt\": %.3f, \"version\": %" PRIu64
		", \"in_pps\": %.0f, \"dropped_pps\": %.0f, \"ports\": {",
		s->t - t0, dt, adn_json_u64(val(s->plan, "version")),
		rate(s->stats, p->stats, "received", dt),
		rate(s->stats, p->stats, "dropped", dt));
	for (const struct adn_json *m = s->ports->child->child; m;
	     m = m->next) {
		const struct adn_json *pm = adn_json_get(pp, m->key);

		fprintf(f, "%s\"%s\": {\"rx_pps\": %.0f, \"tx_pps\": %.0f, "
			"\"imissed_ps\": %.0f}", first ? "" : ", ", m->key,
			port_rate(m, pm, 0, dt), port_rate(m, pm, 1, dt),
			port_rate(m, pm, 2, dt));
		first = false;
	}
	fprintf(f, "}, \"elements\": {");
	for (unsigned int i = 0; i < s->n; i++) {
		const struct adn_json *e = s->elem[i];
		const struct adn_json *pe = prev_elem(p, s->name[i]);
		const struct adn_json *cpp = val(e, "cycles_per_pkt");

		first = true;
		fprintf(f, "%s\"%s\": {\"type\": \"%s\", \"in_pps\": %.0f, "
			"\"out_pps\": %.0f, \"drop_pps\": %.0f, "
			"\"cycles_per_pkt\": %s, \"drops_ps\": {",
			i ? ", " : "", s->name[i],
			adn_json_str(val(e, "type")), rate(e, pe, "in", dt),
			out_rate(e, pe, dt), rate(e, pe, "dropped", dt),
			cpp ? cpp->str : "null");
		for (const struct adn_json *m = e->child->child; m;
		     m = m->next) {
			if (strncmp(m->key, "drop_", 5) != 0)
				continue;
			fprintf(f, "%s\"%s\": %.0f", first ? "" : ", ",
				m->key + 5, rate(e, pe, m->key, dt));
			first = false;
		}
		fprintf(f, "}}");
	}
	fprintf(f, "}}\n");
	fflush(f);
}

/* Wait `s` seconds; true when the operator pressed q. */
static bool
wait_key(double s, bool tty)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	double end = now_s() + s;

	while (!top_stop && now_s() < end) {
		char ch;

		if (!tty) {
			usleep((useconds_t)((end - now_s()) * 1e6));
			break;
		}
		if (poll(&pfd, 1, (int)((end - now_s()) * 1000) + 1) > 0 &&
		    read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
			return true;
	}
	return top_stop != 0;
}

int
ctl_top(struct ctl *c, int argc, char **argv)
{
	uint64_t iterations = 0;
	double delay = 1, t0;
	struct snap snaps[2];
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	int rc = 0, cur = 0;

	const struct adn_opt opts[] = {
		{ "refreshes", 'n', ADN_OPT_U64, &iterations, 1, UINT32_MAX,
		  .arg = "N", .help = "stop after N refreshes (default: q or ^C)" },
		{ "delay", 'd', ADN_OPT_DOUBLE, &delay, 0.1, 3600,
		  .arg = "SECONDS", .help = "between refreshes (default 1)" },
		{ .name = NULL },
	};
	const struct adn_opts_spec spec = {
		.prog = "adn-ctl top", .synopsis = "[-n N] [-d SECONDS]",
		.summary = "Per element and per port rates, refreshed.",
		.opts = opts,
	};
	int rest_argc;
	char **rest_argv;

	rc = adn_opts_parse(&spec, argc, argv, &rest_argc, &rest_argv);
	if (rc != 0 || rest_argc != 0)
		return rc > 0 ? 0 : 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (snap_take(c, &snaps[0]) < 0) {
		snap_free(&snaps[0]);
		return 1;
	}
	t0 = snaps[0].t;
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		tty = false;
	}
	for (uint64_t k = 0; iterations == 0 || k < iterations; k++) {
		struct snap *s = &snaps[cur ^ 1], *p = &snaps[cur];

		if (wait_key(delay, tty))
			break;
		if (snap_take(c, s) < 0) {
			snap_free(s);
			rc = 1;
			break;
		}
		if (c->json) {
			frame_json(stdout, s, p, t0);
		} else {
			/* Home and clear on a terminal; frames one after
			 * another when piped. */
			if (tty)
				fputs("\033[H\033[2J", stdout);
			frame_text(stdout, c, s, p);
			if (!tty)
				putchar('\n');
			fflush(stdout);
		}
		snap_free(p);
		cur ^= 1;
	}
	snap_free(&snaps[cur]);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}
