/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "adn_capture.h"
#include "adn_runtime_priv.h"
#include "adn_stats.h"

/* Counters of a started port; false when it is not running. */
static bool
port_stats(const struct adn_port *port, struct rte_eth_stats *es)
{
	memset(es, 0, sizeof(*es));
	return port->started && rte_eth_stats_get(port->port_id, es) == 0;
}

static void
fmt_rate(double pps, char *buf, size_t len)
{
	if (pps >= 1e6)
		snprintf(buf, len, "%.2f Mpps", pps / 1e6);
	else if (pps >= 1e3)
		snprintf(buf, len, "%.2f kpps", pps / 1e3);
	else
		snprintf(buf, len, "%.0f pps", pps);
}

/* v / dt, or 0 before the first interval. */
static double
per_s(uint64_t v, double dt)
{
	return dt > 0 ? (double)v / dt : 0;
}

void
adn_stats_print_line(struct adn_runtime *rt, struct adn_stats_prev *prev,
		     FILE *f)
{
	uint64_t now = rte_rdtsc();
	double dt = prev->tsc ? (double)(now - prev->tsc) / rte_get_tsc_hz() :
		0;
	struct adn_totals t;
	char r1[32], r2[32], r3[32];

	fprintf(f, "[%7.1fs]",
		(double)(now - rt->start_tsc) / rte_get_tsc_hz());
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		if (!port_stats(port, &es))
			continue;
		fmt_rate(per_s(es.ipackets - prev->rx[i], dt), r1, sizeof(r1));
		fmt_rate(per_s(es.opackets - prev->tx[i], dt), r2, sizeof(r2));
		fprintf(f, " %s: rx %" PRIu64 " (%s) tx %" PRIu64
			" (%s) drop %" PRIu64 ";", port->name, es.ipackets, r1,
			es.opackets, r2,
			es.imissed + es.rx_nombuf + es.oerrors);
		prev->rx[i] = es.ipackets;
		prev->tx[i] = es.opackets;
	}
	adn_runtime_totals(rt, &t);
	fmt_rate(per_s(t.received - prev->received, dt), r1, sizeof(r1));
	fmt_rate(per_s(t.transmitted - prev->transmitted, dt), r2,
		 sizeof(r2));
	fmt_rate(per_s(t.dropped - prev->dropped, dt), r3, sizeof(r3));
	fprintf(f, " pipeline: in %" PRIu64 " (%s) out %" PRIu64
		" (%s) dropped %" PRIu64 " (%s)\n", t.received, r1,
		t.transmitted, r2, t.dropped, r3);
	prev->received = t.received;
	prev->transmitted = t.transmitted;
	prev->dropped = t.dropped;
	prev->tsc = now;
	fflush(f);
}

static void
print_xstats(const struct adn_elem *e, FILE *f)
{
	struct adn_xstat xs[32];
	unsigned int n;

	if (e == NULL || e->desc->xstats == NULL)
		return;
	n = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "    %-28s %15" PRIu64 "\n", xs[i].name,
			xs[i].value);
}


struct table_ctx {
	FILE *f;
	double elapsed;
};

static void
table_row(const char *name, const char *type, const struct adn_elem *e,
	  const struct adn_elem_totals *et, void *arg)
{
	const struct table_ctx *c = arg;
	FILE *f = c->f;
	const struct adn_elem_desc *d = adn_elem_find(type);
	uint64_t out = 0;
	char rate[32];

	for (unsigned int o = 0; o < ADN_MAX_OUTPUTS; o++)
		out += et->out[o];
	fmt_rate(per_s(et->in, c->elapsed), rate, sizeof(rate));
	fprintf(f, "%-16s %-14s %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		" %12" PRIu64 " %12s%s\n", name, type, et->in, out,
		et->consumed, et->dropped, c->elapsed > 0 ? rate : "-",
		e ? "" : "  (removed)");
	if (e != NULL && e->n_outputs > 1)
		for (unsigned int o = 0; o < e->n_outputs; o++)
			fprintf(f, "    out[%u] -> %-19s %15" PRIu64 "\n", o,
				e->pipe->elems[e->next[o]]->name, et->out[o]);
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++)
		if (et->drop[r])
			fprintf(f, "    drop %-23s %15" PRIu64 "\n",
				adn_elem_desc_drop_name(d, r), et->drop[r]);
	print_xstats(e, f);
}

void
adn_stats_print_table(struct adn_runtime *rt, double elapsed, FILE *f)
{
	struct table_ctx c = { .f = f, .elapsed = elapsed };
	struct adn_totals t;
	char r1[32], r2[32], r3[32];

	adn_runtime_totals(rt, &t);
	fprintf(f, "\nreceived %" PRIu64 "  transmitted %" PRIu64
		"  dropped %" PRIu64 "  in flight %" PRIu64
		"  unaccounted %" PRId64 "\n", t.received, t.transmitted,
		t.dropped, t.in_flight,
		(int64_t)(t.received - t.transmitted - t.dropped -
			  t.in_flight));
	if (elapsed > 0) {
		fmt_rate(per_s(t.received, elapsed), r1, sizeof(r1));
		fmt_rate(per_s(t.transmitted, elapsed), r2, sizeof(r2));
		fmt_rate(per_s(t.dropped, elapsed), r3, sizeof(r3));
		fprintf(f, "over %.3f s: in %s  transmitted %s  dropped %s\n",
			elapsed, r1, r2, r3);
	}
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		if (!port_stats(port, &es))
			continue;
		fmt_rate(per_s(es.ipackets, elapsed), r1, sizeof(r1));
		fmt_rate(per_s(es.opackets, elapsed), r2, sizeof(r2));
		fprintf(f, "port %-12s rx %" PRIu64 " (%s) tx %" PRIu64
			" (%s) imissed %" PRIu64 " rx_nombuf %" PRIu64
			" oerrors %" PRIu64 "\n", port->name, es.ipackets,
			elapsed > 0 ? r1 : "-", es.opackets,
			elapsed > 0 ? r2 : "-", es.imissed, es.rx_nombuf,
			es.oerrors);
	}
	fprintf(f, "\n%-16s %-14s %12s %12s %12s %12s %12s\n", "element",
		"type", "in", "out", "transmitted", "dropped", "in rate");
	adn_runtime_foreach_elem(rt, table_row, &c);
	fflush(f);
}

struct json_ctx {
	FILE *f;
	bool first;
	double elapsed;
};

static void
json_row(const char *name, const char *type, const struct adn_elem *e,
	 const struct adn_elem_totals *et, void *arg)
{
	struct json_ctx *j = arg;
	FILE *f = j->f;
	const struct adn_elem_desc *d = adn_elem_find(type);
	unsigned int n_out = e ? e->n_outputs : (d ? d->n_outputs : 0);
	struct adn_xstat xs[32];
	unsigned int nx = 0;
	bool first = true;

	fprintf(f, "%s\n    \"%s\": {\"type\": \"%s\", \"live\": %s, \"in\": %"
		PRIu64 ", \"transmitted\": %" PRIu64 ", \"dropped\": %" PRIu64
		", \"in_pps\": %.0f, \"out\": [", j->first ? "" : ",", name,
		type, e ? "true" : "false", et->in, et->consumed, et->dropped,
		per_s(et->in, j->elapsed));
	j->first = false;
	for (unsigned int o = 0; o < n_out; o++)
		fprintf(f, "%s%" PRIu64, o ? ", " : "", et->out[o]);
	fprintf(f, "], \"drops\": {");
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++) {
		if (!et->drop[r])
			continue;
		fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ",
			adn_elem_desc_drop_name(d, r), et->drop[r]);
		first = false;
	}
	fprintf(f, "}, \"xstats\": {");
	if (e != NULL && e->desc->xstats != NULL)
		nx = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int k = 0; k < nx; k++)
		fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "", xs[k].name,
			xs[k].value);
	fprintf(f, "}}");
}

int
adn_stats_write_json(struct adn_runtime *rt, double elapsed, const char *path)
{
	struct json_ctx j = { .first = true, .elapsed = elapsed };
	struct adn_swap_stats sw;
	struct adn_totals t;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	j.f = f;
	adn_runtime_totals(rt, &t);
	adn_runtime_swap_stats(rt, &sw);
	fprintf(f, "{\n  \"elapsed_s\": %.6f,\n  \"in_pps\": %.0f,\n"
		"  \"transmitted_pps\": %.0f,\n", elapsed,
		per_s(t.received, elapsed), per_s(t.transmitted, elapsed));
	fprintf(f, "  \"received\": %" PRIu64 ",\n  \"transmitted\": %"
		PRIu64 ",\n  \"dropped\": %" PRIu64 ",\n  \"in_flight\": %"
		PRIu64 ",\n  \"versions\": {\"live\": %" PRIu64
		", \"swaps\": %" PRIu64 ", \"failed\": %" PRIu64
		", \"retired\": %" PRIu64 ", \"unbalanced\": %" PRIu64
		", \"state_resets\": %" PRIu64 ", \"state_migrations\": %"
		PRIu64 "},\n  \"ports\": {", t.received, t.transmitted,
		t.dropped, t.in_flight, sw.version, sw.swaps, sw.failed,
		sw.retired, sw.unbalanced, sw.state_resets,
		sw.state_migrations);
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		port_stats(port, &es);
		fprintf(f, "%s\n    \"%s\": {\"rx\": %" PRIu64 ", \"tx\": %"
			PRIu64 ", \"imissed\": %" PRIu64 ", \"rx_nombuf\": %"
			PRIu64 ", \"oerrors\": %" PRIu64 ", \"rx_pps\": %.0f"
			", \"tx_pps\": %.0f}", i ? "," : "", port->name,
			es.ipackets, es.opackets, es.imissed, es.rx_nombuf,
			es.oerrors, per_s(es.ipackets, elapsed),
			per_s(es.opackets, elapsed));
	}
	fprintf(f, "\n  },\n  \"elements\": {");
	adn_runtime_foreach_elem(rt, json_row, &j);
	fprintf(f, "\n  }\n}\n");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/* --- Graphviz ------------------------------------------------------------ */

struct dot_ctx {
	FILE *f;
	const struct adn_runtime *rt;
	const struct adn_version *v;
};

static void
dot_elem(const char *name, const char *type, const struct adn_elem *e,
	 const struct adn_elem_totals *et, void *arg)
{
	const struct dot_ctx *c = arg;
	char what[RTE_TEL_MAX_STRING_LEN];

	if (e == NULL)
		return;		/* removed by a reload: not in the graph */
	if (c->rt->live == c->v)	/* else swapped meanwhile */
		adn_exec_describe(c->v->x[0], e, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "?");
	adn_tel_safe_string(what);
	fprintf(c->f, "  %s [label=\"%s\\n%s\\n%s\\nin %" PRIu64 "\"%s];\n",
		name, name, type, what, et->in,
		e->desc->flags & (ADN_ELEM_SOURCE | ADN_ELEM_EXTERNAL) ?
		", shape=box, style=\"rounded,bold\"" : "");
	for (unsigned int o = 0; o < e->n_outputs; o++)
		fprintf(c->f, "  %s -> %s [label=\"%u: %" PRIu64 "\"];\n",
			name, e->pipe->elems[e->next[o]]->name, o, et->out[o]);
}

int
adn_stats_write_dot(struct adn_runtime *rt, const char *path)
{
	FILE *f = fopen(path, "w");
	struct dot_ctx c = { .f = f, .rt = rt };
	char plan[ADN_PLAN_MAX];

	if (f == NULL)
		return -errno;
	pthread_mutex_lock(&rt->ctl_lock);
	c.v = rt->live;
	pthread_mutex_unlock(&rt->ctl_lock);
	if (c.v == NULL) {
		fclose(f);
		return -ENODEV;
	}
	snprintf(plan, sizeof(plan), "%s", c.v->plan->text);
	adn_tel_safe_string(plan);
	fprintf(f, "digraph adn {\n  rankdir=LR;\n"
		"  label=\"adn-nf version %" PRIu64 ", plan %s; edges: output: packets\";\n"
		"  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
		"  edge [fontname=\"Helvetica\", fontsize=10];\n",
		c.v->id, plan);
	adn_runtime_foreach_elem(rt, dot_elem, &c);
	/* Chains as clusters: the elements one template instance runs (of
	 * the version drawn, if it is still live). */
	pthread_mutex_lock(&rt->ctl_lock);
	for (unsigned int i = 0; rt->live == c.v && i < c.v->pipe->n_elems;
	     i++) {
		const struct adn_elem *h = c.v->pipe->elems[i];
		char what[RTE_TEL_MAX_STRING_LEN];

		unsigned int members = 0;

		for (unsigned int k = i; k < c.v->pipe->n_elems; k++)
			members += adn_exec_chain_head(c.v->x[0],
						       c.v->pipe->elems[k]) == h;
		if (adn_exec_chain_head(c.v->x[0], h) != h || members < 2)
			continue;
		adn_exec_describe(c.v->x[0], h, what, sizeof(what));
		adn_tel_safe_string(what);
		fprintf(f, "  subgraph cluster_%s {\n    label=\"%s\";\n"
			"    style=dashed;\n", h->name, what);
		for (unsigned int k = i; k < c.v->pipe->n_elems; k++)
			if (adn_exec_chain_head(c.v->x[0],
						c.v->pipe->elems[k]) == h)
				fprintf(f, "    %s;\n",
					c.v->pipe->elems[k]->name);
		fprintf(f, "  }\n");
	}
	pthread_mutex_unlock(&rt->ctl_lock);
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -errno;
}

/*
 * The runtime the /adn/ commands act on. DPDK 22.11's telemetry callbacks
 * take no argument of ours (rte_telemetry_register_cmd_arg came in 23.11),
 * so the registration is one slot per process; each command holds it for
 * reading while it runs and gets the runtime as an argument, and
 * adn_telemetry_unregister, which adn_runtime_free calls before freeing
 * anything, takes it for writing: it waits for the commands in progress,
 * and later ones answer -ENODEV instead of reading a runtime being freed.
 */
static struct {
	pthread_rwlock_t lock;
	struct adn_runtime *rt;
	bool registered;	/* the commands, once per process */
} tel = {
	/* Writer first: clients hammering the socket must not keep
	 * adn_runtime_free waiting. */
	.lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP,
};

static struct adn_runtime *
tel_hold(void)
{
	pthread_rwlock_rdlock(&tel.lock);
	if (tel.rt != NULL)
		return tel.rt;
	pthread_rwlock_unlock(&tel.lock);
	return NULL;
}

static void
tel_release(const struct adn_runtime *rt)
{
	if (rt != NULL)
		pthread_rwlock_unlock(&tel.lock);
}

/* The callback DPDK calls for handler `fn(rt, params, d)`. */
#define TEL_CMD(fn)							\
static int								\
fn##_cmd(const char *cmd, const char *params, struct rte_tel_data *d)	\
{									\
	struct adn_runtime *rt = tel_hold();				\
	int rc = rt != NULL ? fn(rt, params, d) : -ENODEV;		\
									\
	RTE_SET_USED(cmd);						\
	tel_release(rt);						\
	return rc;							\
}

static void
tel_stats_row(const char *name, const char *type, const struct adn_elem *e,
	      const struct adn_elem_totals *et, void *arg)
{
	struct rte_tel_data *d = arg;
	struct rte_tel_data *a = rte_tel_data_alloc();
	uint64_t out = 0;

	if (a == NULL)
		return;
	for (unsigned int o = 0; o < ADN_MAX_OUTPUTS; o++)
		out += et->out[o];
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	rte_tel_data_add_array_u64(a, et->in);
	rte_tel_data_add_array_u64(a, out);
	rte_tel_data_add_array_u64(a, et->consumed);
	rte_tel_data_add_array_u64(a, et->dropped);
	rte_tel_data_add_dict_container(d, name, a, 0);
}

static int
tel_stats(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_totals t;

	adn_runtime_totals(rt, &t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "received", t.received);
	rte_tel_data_add_dict_u64(d, "transmitted", t.transmitted);
	rte_tel_data_add_dict_u64(d, "dropped", t.dropped);
	rte_tel_data_add_dict_u64(d, "in_flight", t.in_flight);
	rte_tel_data_add_dict_u64(d, "uptime_ms", (rte_rdtsc() -
				  rt->start_tsc) * 1000 / rte_get_tsc_hz());
	rte_tel_data_add_dict_int(d, "unaccounted",
				  (int)(t.received - t.transmitted -
					t.dropped - t.in_flight));
	/* Held by rings, lcore caches and batches: flat in a healthy run,
	 * growing when mbufs leak. */
	if (rt->ports.pool != NULL)
		rte_tel_data_add_dict_u64(d, "mbufs_in_use",
			rte_mempool_in_use_count(rt->ports.pool));
	/* One [in, out, transmitted, dropped] array per element, over every
	 * version: telemetry nests one level only; /adn/element,<name> has
	 * the detail. */
	adn_runtime_foreach_elem(rt, tel_stats_row, d);
	return 0;
}

static int
tel_pipeline(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	const struct adn_pipeline *p;
	int rc = 0;

	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->live == NULL) {
		rc = -EAGAIN;
		goto out;
	}
	p = rt->live->pipe;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "workers", (int)rt->n_workers);
	rte_tel_data_add_dict_int(d, "burst", (int)rt->live->burst);
	/* Per element, in topological order: [type, "out0->next", ...]. */
	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];
		struct rte_tel_data *a = rte_tel_data_alloc();
		char link[RTE_TEL_MAX_STRING_LEN];

		if (a == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
		rte_tel_data_add_array_string(a, e->desc->name);
		for (unsigned int o = 0; o < e->n_outputs; o++) {
			snprintf(link, sizeof(link), "[%u] -> %s", o,
				 p->elems[e->next[o]]->name);
			rte_tel_data_add_array_string(a, link);
		}
		rte_tel_data_add_dict_container(d, e->name, a, 0);
	}
out:
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
}

/* Per port [rx, tx, imissed, rx_nombuf, oerrors, ierrors], by the config's
 * port name (DPDK's /ethdev/stats,ID has them by number). */
static int
tel_ports(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		const struct adn_port *port = &rt->ports.port[i];
		struct rte_tel_data *a;
		struct rte_eth_stats es;

		if (!port_stats(port, &es))
			continue;
		a = rte_tel_data_alloc();
		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		rte_tel_data_add_array_u64(a, es.ipackets);
		rte_tel_data_add_array_u64(a, es.opackets);
		rte_tel_data_add_array_u64(a, es.imissed);
		rte_tel_data_add_array_u64(a, es.rx_nombuf);
		rte_tel_data_add_array_u64(a, es.oerrors);
		rte_tel_data_add_array_u64(a, es.ierrors);
		rte_tel_data_add_dict_container(d, port->name, a, 0);
	}
	return 0;
}

/* `prefix` + `name` as a telemetry key: 22.11 takes [A-Za-z0-9_/] only
 * and silently drops a value under any other key ("sessions-created"). */
static void
tel_key(char *key, size_t len, const char *prefix, const char *name)
{
	snprintf(key, len, "%s%s", prefix, name);
	for (char *k = key; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '/')
			*k = '_';
}

struct tel_elem_ctx {
	const char *want;
	struct rte_tel_data *d;
	bool found;
};

static void
tel_element_row(const char *name, const char *type, const struct adn_elem *e,
		const struct adn_elem_totals *et, void *arg)
{
	struct tel_elem_ctx *c = arg;
	struct rte_tel_data *d = c->d;
	const struct adn_elem_desc *desc = adn_elem_find(type);
	unsigned int n_out = e ? e->n_outputs : (desc ? desc->n_outputs : 0);
	struct adn_xstat xs[32];
	unsigned int nx = 0;
	char key[64];

	if (strcmp(name, c->want) != 0 || c->found)
		return;
	c->found = true;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "type", type);
	rte_tel_data_add_dict_int(d, "live", e != NULL);
	rte_tel_data_add_dict_u64(d, "in", et->in);
	rte_tel_data_add_dict_u64(d, "transmitted", et->consumed);
	rte_tel_data_add_dict_u64(d, "dropped", et->dropped);
	/* The profiler's share (one batch in ADN_PROF_EVERY): cycles per
	 * packet, as a whole number (22.11 dicts hold no doubles). */
	if (et->timed_in > 0)
		rte_tel_data_add_dict_u64(d, "cycles_per_pkt",
					  et->cycles / et->timed_in);
	for (unsigned int o = 0; o < n_out; o++) {
		snprintf(key, sizeof(key), "out%u", o);
		rte_tel_data_add_dict_u64(d, key, et->out[o]);
	}
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++) {
		if (!et->drop[r])
			continue;
		tel_key(key, sizeof(key), "drop_",
			adn_elem_desc_drop_name(desc, r));
		rte_tel_data_add_dict_u64(d, key, et->drop[r]);
	}
	if (e != NULL && e->desc->xstats != NULL)
		nx = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int k = 0; k < nx; k++) {
		tel_key(key, sizeof(key), "", xs[k].name);
		rte_tel_data_add_dict_u64(d, key, xs[k].value);
	}
}

static int
tel_element(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct tel_elem_ctx c = { .want = params, .d = d };

	if (params == NULL)
		return -EINVAL;
	adn_runtime_foreach_elem(rt, tel_element_row, &c);
	return c.found ? 0 : -EINVAL;
}

/* Template counters of `e` summed over the live version's workers, as
 * one array named ELEM_TEMPLATE ("route_fastpath": [hits, misses,
 * admitted, flushes]). */
static int
tel_tpl_stats(const struct adn_version *v, unsigned int n_workers,
	      const struct adn_elem *e, struct rte_tel_data *d)
{
	struct adn_xstat sum[16], xs[16];
	const char *tpl = NULL;
	char key[ADN_NAME_MAX + 40];
	struct rte_tel_data *a;
	int n = 0;

	memset(sum, 0, sizeof(sum));
	for (unsigned int w = 0; w < n_workers; w++) {
		int k = adn_exec_tpl_stats(v->x[w], e, &tpl, xs,
					   RTE_DIM(xs));

		for (int i = 0; i < k; i++)
			sum[i].value += xs[i].value;
		n = RTE_MAX(n, k);
	}
	if (n == 0)
		return 0;
	a = rte_tel_data_alloc();
	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (int i = 0; i < n; i++)
		rte_tel_data_add_array_u64(a, sum[i].value);
	snprintf(key, sizeof(key), "%s_%s", e->name, tpl);
	rte_tel_data_add_dict_container(d, key, a, 0);
	return 0;
}

static int
tel_plan(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	const struct adn_version *v;
	char what[RTE_TEL_MAX_STRING_LEN];
	int rc = 0;

	pthread_mutex_lock(&rt->ctl_lock);
	v = rt->live;
	if (v == NULL) {
		rc = -EAGAIN;
		goto out;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "plan", v->plan->text);
	rte_tel_data_add_dict_int(d, "batch", (int)v->burst);
	rte_tel_data_add_dict_u64(d, "version", v->id);
	rte_tel_data_add_dict_u64(d, "swaps", rt->swap.swaps);
	/* Per element: what runs it (every worker runs the same plan),
	 * and its template's counters summed over the workers. */
	for (unsigned int i = 0; i < v->pipe->n_elems && rc == 0; i++) {
		const struct adn_elem *e = v->pipe->elems[i];

		adn_exec_describe(v->x[0], e, what, sizeof(what));
		rte_tel_data_add_dict_string(d, e->name, what);
		rc = tel_tpl_stats(v, rt->n_workers, e, d);
	}
out:
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
}

void
adn_tel_safe_string(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			*s = '?';
}

/* A multi-line reply (help, Snat's export) as an array of its lines: a
 * telemetry string holds 127 bytes, so "reply" alone would cut it. */
static int
tel_reply_lines(struct rte_tel_data *d, char *reply)
{
	struct rte_tel_data *a;
	char *line, *save = NULL;

	if (strchr(reply, '\n') == NULL)
		return 0;
	a = rte_tel_data_alloc();
	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (line = strtok_r(reply, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		adn_tel_safe_string(line);
		rte_tel_data_add_array_string(a, line);
	}
	rte_tel_data_add_dict_container(d, "lines", a, 0);
	return 0;
}

/* "NAME COMMAND ARGS...": adn_runtime_control. Always answers a dict so
 * the operator sees why a command failed; "ok" is 1/0 (22.11 telemetry has
 * no JSON boolean), "rc" the errno. */
static int
tel_control(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	/* reply: room for a multi-line answer (Snat exports 64 lines). */
	char name[ADN_NAME_MAX], reply[8192], lines[8192];
	const char *rest;
	size_t n;
	int rc;

	if (params == NULL)
		params = "";
	params += strspn(params, " \t");
	n = strcspn(params, " \t");
	rest = params + n + strspn(params + n, " \t");
	snprintf(name, sizeof(name), "%.*s",
		 (int)RTE_MIN(n, sizeof(name) - 1), params);
	if (n == 0 || n >= sizeof(name) || *rest == '\0') {
		snprintf(reply, sizeof(reply),
			 "usage: /adn/control,NAME COMMAND ARGS... (NAME help lists the commands)");
		rc = -EINVAL;
	} else {
		rc = adn_runtime_control(rt, name, rest, reply,
					 sizeof(reply));
	}
	adn_tel_safe_string(name);
	snprintf(lines, sizeof(lines), "%s", reply);
	adn_tel_safe_string(reply);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "element", name);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	rte_tel_data_add_dict_int(d, "rc", rc);
	rte_tel_data_add_dict_string(d, "reply", reply);
	return tel_reply_lines(d, lines);
}

/* "errors": every message of `errs`, as an array of strings. */
static int
tel_errors(struct rte_tel_data *d, const struct adn_errs *errs)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (unsigned int i = 0; i < errs->n; i++) {
		char line[RTE_TEL_MAX_STRING_LEN];

		snprintf(line, sizeof(line), "%s",
			 errs->msg[i] ? errs->msg[i] : "?");
		adn_tel_safe_string(line);
		rte_tel_data_add_array_string(a, line);
	}
	rte_tel_data_add_dict_container(d, "errors", a, 0);
	return 0;
}

/* The answer of a swap request: ok, rc, the live version and plan after
 * it, and every error (with its line) when it was refused. */
static int
tel_swap_reply(struct adn_runtime *rt, struct rte_tel_data *d, int rc,
	       const struct adn_errs *errs)
{
	struct adn_swap_stats sw;
	char plan[ADN_PLAN_MAX] = "";

	adn_runtime_swap_stats(rt, &sw);
	pthread_mutex_lock(&rt->ctl_lock);
	if (rt->live != NULL)
		snprintf(plan, sizeof(plan), "%s", rt->live->plan->text);
	pthread_mutex_unlock(&rt->ctl_lock);
	adn_tel_safe_string(plan);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	rte_tel_data_add_dict_int(d, "rc", rc);
	rte_tel_data_add_dict_u64(d, "version", sw.version);
	rte_tel_data_add_dict_string(d, "plan", plan);
	return tel_errors(d, errs);
}

/* "/adn/plan/set,PLAN": adn_runtime_set_plan. */
static int
tel_plan_set(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_errs errs = { 0 };
	int rc;

	if (params == NULL || params[0] == '\0') {
		adn_errs_add(&errs, NULL, NULL, "plan",
			     "usage: /adn/plan/set,PLAN (e.g. jit8,route=fastpath1024)");
		rc = -EINVAL;
	} else {
		rc = adn_runtime_set_plan(rt, params, &errs);
	}
	rc = tel_swap_reply(rt, d, rc, &errs) < 0 ? -ENOMEM : rc;
	adn_errs_clear(&errs);
	return rc == -ENOMEM ? rc : 0;
}

/* "/adn/reload,FILE": adn_runtime_reload. */
static int
tel_reload(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_errs errs = { 0 };
	int rc;

	if (params == NULL || params[0] == '\0') {
		adn_errs_add(&errs, NULL, NULL, NULL,
			     "usage: /adn/reload,FILE (a config with the same ports)");
		rc = -EINVAL;
	} else {
		rc = adn_runtime_reload(rt, params, &errs);
	}
	rc = tel_swap_reply(rt, d, rc, &errs) < 0 ? -ENOMEM : rc;
	adn_errs_clear(&errs);
	return rc == -ENOMEM ? rc : 0;
}

/* The capture's status (adn_runtime_capture_status) with ok, rc and the
 * errors of the request. */
static int
tel_capture_reply(struct adn_runtime *rt, struct rte_tel_data *d, int rc,
		  const struct adn_errs *errs)
{
	struct adn_capture_status st;

	adn_runtime_capture_status(rt, &st);
	adn_tel_safe_string(st.target);
	adn_tel_safe_string(st.file);
	adn_tel_safe_string(st.reason);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	rte_tel_data_add_dict_int(d, "rc", rc);
	rte_tel_data_add_dict_int(d, "active", st.active);
	rte_tel_data_add_dict_string(d, "target", st.target);
	rte_tel_data_add_dict_string(d, "file", st.file);
	rte_tel_data_add_dict_u64(d, "captured", st.captured);
	rte_tel_data_add_dict_u64(d, "written", st.written);
	rte_tel_data_add_dict_u64(d, "bytes", st.bytes);
	rte_tel_data_add_dict_u64(d, "dropped", st.dropped);
	rte_tel_data_add_dict_u64(d, "count", st.count);
	rte_tel_data_add_dict_u64(d, "snaplen", st.snaplen);
	rte_tel_data_add_dict_u64(d, "max_bytes", st.max_bytes);
	rte_tel_data_add_dict_string(d, "reason", st.reason);
	return tel_errors(d, errs);
}

/* "/adn/capture,TARGET FILE [COUNT [SNAPLEN [MAX_BYTES]]]": start a
 * capture (adn_capture_args_parse, adn_runtime_capture_start); no
 * parameter: its status. */
static int
tel_capture(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_errs errs = { 0 };
	int rc = 0;

	if (params != NULL && params[strspn(params, " \t")] != '\0') {
		struct adn_capture_args a;

		rc = adn_capture_args_parse(params, &a, &errs);
		if (rc == 0)
			rc = adn_runtime_capture_start(rt, a.target, a.file,
						       &a.lim, &errs);
	}
	rc = tel_capture_reply(rt, d, rc, &errs) < 0 ? -ENOMEM : rc;
	adn_errs_clear(&errs);
	return rc == -ENOMEM ? rc : 0;
}

/* "/adn/capture/stop": end the capture, answer its final status. */
static int
tel_capture_stop(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_errs errs = { 0 };
	int rc = adn_runtime_capture_stop(rt);

	if (rc == -ENOENT)
		adn_errs_add(&errs, NULL, NULL, NULL, "no capture is running");
	rc = tel_capture_reply(rt, d, rc, &errs) < 0 ? -ENOMEM : rc;
	adn_errs_clear(&errs);
	return rc == -ENOMEM ? rc : 0;
}

/* "/adn/versions": swap counters and the latest retired versions. */
/* The live version's profile (adn_runtime_profile): batches, packets per
 * batch and cycles per packet of the timed ones, and the batch-cycles
 * histogram as [bucket upper bound, batches] pairs where non-empty. */
static int
tel_profile(struct adn_runtime *rt, struct rte_tel_data *d)
{
	struct adn_profile p;
	struct rte_tel_data *h;
	const struct adn_exec_prof *f = &p.prof;

	if (adn_runtime_profile(rt, &p) < 0)
		return 0;
	rte_tel_data_add_dict_u64(d, "batches", f->batches);
	rte_tel_data_add_dict_u64(d, "pkts_per_batch",
				  f->batches ? f->pkts / f->batches : 0);
	rte_tel_data_add_dict_u64(d, "cycles_per_pkt", f->timed_pkts ?
				  f->timed_cycles / f->timed_pkts : 0);
	rte_tel_data_add_dict_u64(d, "timed_batches", f->timed_batches);
	rte_tel_data_add_dict_u64(d, "preempted", f->preempted);
	h = rte_tel_data_alloc();
	if (h == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(h, RTE_TEL_U64_VAL);
	for (unsigned int i = 0; i < ADN_LAT_BUCKETS; i++)
		if (f->lat[i]) {
			rte_tel_data_add_array_u64(h, 2ull << i);
			rte_tel_data_add_array_u64(h, f->lat[i]);
		}
	if (rte_tel_data_add_dict_container(d, "batch_cycles_hist", h, 0) < 0)
		rte_tel_data_free(h);
	return 0;
}

static int
tel_versions(struct adn_runtime *rt, const char *params, struct rte_tel_data *d)
{
	struct adn_version_summary sums[8];
	struct adn_swap_stats sw;
	unsigned int n;

	adn_runtime_swap_stats(rt, &sw);
	n = adn_runtime_retired(rt, sums, RTE_DIM(sums));
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "live", sw.version);
	rte_tel_data_add_dict_u64(d, "swaps", sw.swaps);
	rte_tel_data_add_dict_u64(d, "failed", sw.failed);
	rte_tel_data_add_dict_u64(d, "retired", sw.retired);
	rte_tel_data_add_dict_u64(d, "alive", sw.alive);
	rte_tel_data_add_dict_u64(d, "unbalanced", sw.unbalanced);
	rte_tel_data_add_dict_u64(d, "state_resets", sw.state_resets);
	rte_tel_data_add_dict_u64(d, "state_migrations", sw.state_migrations);
	rte_tel_data_add_dict_u64(d, "last_publish_us",
				  (uint64_t)(sw.last_publish_ms * 1e3));
	if (tel_profile(rt, d) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct rte_tel_data *a = rte_tel_data_alloc();
		char key[32];

		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		rte_tel_data_add_array_u64(a, sums[i].received);
		rte_tel_data_add_array_u64(a, sums[i].transmitted);
		rte_tel_data_add_array_u64(a, sums[i].dropped);
		snprintf(key, sizeof(key), "v%" PRIu64, sums[i].id);
		rte_tel_data_add_dict_container(d, key, a, 0);
	}
	return 0;
}

TEL_CMD(tel_stats)
TEL_CMD(tel_pipeline)
TEL_CMD(tel_ports)
TEL_CMD(tel_element)
TEL_CMD(tel_plan)
TEL_CMD(tel_control)
TEL_CMD(tel_plan_set)
TEL_CMD(tel_reload)
TEL_CMD(tel_capture)
TEL_CMD(tel_capture_stop)
TEL_CMD(tel_versions)

int
adn_telemetry_register(struct adn_runtime *rt)
{
	static const struct {
		const char *name;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/adn/stats", tel_stats_cmd,
		  "Totals (received, transmitted, dropped, in_flight, unaccounted) and [in, out, transmitted, dropped] per element" },
		{ "/adn/ports", tel_ports_cmd,
		  "Per port [rx, tx, imissed, rx_nombuf, oerrors, ierrors], by port name" },
		{ "/adn/pipeline", tel_pipeline_cmd,
		  "Workers, burst, and per element its type and output links, in topological order" },
		{ "/adn/plan", tel_plan_cmd,
		  "Plan text, batch size, per element its template or chain; fastpath [hits, misses, admitted, flushes]" },
		{ "/adn/element", tel_element_cmd,
		  "Counters of one element: per output, per drop reason, extra. Parameter: element name" },
		{ "/adn/plan/set", tel_plan_set_cmd,
		  "Swap a plan in at a batch boundary, state kept. Parameter: PLAN (adn-bench -p syntax)" },
		{ "/adn/reload", tel_reload_cmd,
		  "Swap a config in (same ports, workers); kept elements keep state. Parameter: FILE" },
		{ "/adn/versions", tel_versions_cmd,
		  "Live version, swaps, failures, retired, the live profile; [rx, tx, dropped] of retired versions" },
		{ "/adn/capture", tel_capture_cmd,
		  "Capture packets leaving an element output to pcapng. Parameters: TARGET FILE [COUNT [SNAPLEN [MAX_BYTES]]]; none: status" },
		{ "/adn/capture/stop", tel_capture_stop_cmd,
		  "End the running capture; answers its final status" },
		/* Last: clients wait for it to know every command is there. */
		{ "/adn/control", tel_control_cmd,
		  "Run a control command on an element while workers run. Parameters: NAME COMMAND ARGS... (NAME help)" },
	};
	int rc = 0;

	pthread_rwlock_wrlock(&tel.lock);
	tel.rt = rt;
	pthread_rwlock_unlock(&tel.lock);
	if (tel.registered)
		return 0;
	for (unsigned int i = 0; i < RTE_DIM(cmds) && rc == 0; i++)
		rc = rte_telemetry_register_cmd(cmds[i].name, cmds[i].fn,
						cmds[i].help);
	tel.registered = rc == 0;
	return rc;
}

void
adn_telemetry_unregister(struct adn_runtime *rt)
{
	pthread_rwlock_wrlock(&tel.lock);
	if (tel.rt == rt)
		tel.rt = NULL;
	pthread_rwlock_unlock(&tel.lock);
}
