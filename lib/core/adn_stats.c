/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "adn_fastpath.h"
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

void
adn_stats_print_line(struct adn_runtime *rt, struct adn_stats_prev *prev,
		     FILE *f)
{
	uint64_t now = rte_rdtsc();
	double dt = prev->tsc ? (double)(now - prev->tsc) / rte_get_tsc_hz() :
		0;
	struct adn_totals t;
	char r1[32], r2[32];

	fprintf(f, "[%7.1fs]",
		(double)(now - rt->start_tsc) / rte_get_tsc_hz());
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		if (!port_stats(port, &es))
			continue;
		fmt_rate(dt > 0 ? (es.ipackets - prev->rx[i]) / dt : 0, r1,
			 sizeof(r1));
		fmt_rate(dt > 0 ? (es.opackets - prev->tx[i]) / dt : 0, r2,
			 sizeof(r2));
		fprintf(f, " %s: rx %" PRIu64 " (%s) tx %" PRIu64
			" (%s) drop %" PRIu64 ";", port->name, es.ipackets, r1,
			es.opackets, r2,
			es.imissed + es.rx_nombuf + es.oerrors);
		prev->rx[i] = es.ipackets;
		prev->tx[i] = es.opackets;
	}
	adn_runtime_totals(rt, &t);
	fmt_rate(dt > 0 ? (t.dropped - prev->dropped) / dt : 0, r1,
		 sizeof(r1));
	fprintf(f, " pipeline: in %" PRIu64 " out %" PRIu64 " dropped %"
		PRIu64 " (%s)\n", t.received, t.transmitted, t.dropped, r1);
	prev->dropped = t.dropped;
	prev->tsc = now;
	fflush(f);
}

static void
print_xstats(const struct adn_elem *e, FILE *f)
{
	struct adn_xstat xs[32];
	unsigned int n;

	if (e->desc->xstats == NULL)
		return;
	n = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "    %-28s %15" PRIu64 "\n", xs[i].name,
			xs[i].value);
}

void
adn_stats_print_table(struct adn_runtime *rt, FILE *f)
{
	struct adn_pipeline *p = rt->pipe;
	struct adn_totals t;

	adn_runtime_totals(rt, &t);
	fprintf(f, "\nreceived %" PRIu64 "  transmitted %" PRIu64
		"  dropped %" PRIu64 "  in flight %" PRIu64
		"  unaccounted %" PRId64 "\n", t.received, t.transmitted,
		t.dropped, t.in_flight,
		(int64_t)(t.received - t.transmitted - t.dropped -
			  t.in_flight));
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		if (!port_stats(port, &es))
			continue;
		fprintf(f, "port %-12s rx %" PRIu64 " tx %" PRIu64
			" imissed %" PRIu64 " rx_nombuf %" PRIu64
			" oerrors %" PRIu64 "\n", port->name, es.ipackets,
			es.opackets, es.imissed, es.rx_nombuf, es.oerrors);
	}
	fprintf(f, "\n%-16s %-14s %12s %12s %12s %12s\n", "element", "type",
		"in", "out", "transmitted", "dropped");
	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];
		struct adn_elem_totals et;
		uint64_t out = 0;

		adn_elem_totals(e, &et);
		for (unsigned int o = 0; o < e->n_outputs; o++)
			out += et.out[o];
		fprintf(f, "%-16s %-14s %12" PRIu64 " %12" PRIu64 " %12"
			PRIu64 " %12" PRIu64 "\n", e->name, e->desc->name,
			et.in, out, et.consumed, et.dropped);
		if (e->n_outputs > 1)
			for (unsigned int o = 0; o < e->n_outputs; o++)
				fprintf(f, "    out[%u] -> %-19s %15" PRIu64
					"\n", o, p->elems[e->next[o]]->name,
					et.out[o]);
		for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++)
			if (et.drop[r])
				fprintf(f, "    drop %-23s %15" PRIu64 "\n",
					adn_elem_drop_name(e, r), et.drop[r]);
		print_xstats(e, f);
	}
	fflush(f);
}

int
adn_stats_write_json(struct adn_runtime *rt, const char *path)
{
	struct adn_pipeline *p = rt->pipe;
	struct adn_totals t;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	adn_runtime_totals(rt, &t);
	fprintf(f, "{\n  \"received\": %" PRIu64 ",\n  \"transmitted\": %"
		PRIu64 ",\n  \"dropped\": %" PRIu64 ",\n  \"in_flight\": %"
		PRIu64 ",\n  \"ports\": {", t.received, t.transmitted,
		t.dropped, t.in_flight);
	for (unsigned int i = 0; i < rt->ports.n; i++) {
		struct adn_port *port = &rt->ports.port[i];
		struct rte_eth_stats es;

		port_stats(port, &es);
		fprintf(f, "%s\n    \"%s\": {\"rx\": %" PRIu64 ", \"tx\": %"
			PRIu64 ", \"imissed\": %" PRIu64 ", \"rx_nombuf\": %"
			PRIu64 ", \"oerrors\": %" PRIu64 "}", i ? "," : "",
			port->name, es.ipackets, es.opackets, es.imissed,
			es.rx_nombuf, es.oerrors);
	}
	fprintf(f, "\n  },\n  \"elements\": {");
	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];
		struct adn_elem_totals et;
		struct adn_xstat xs[32];
		unsigned int nx = 0;
		bool first = true;

		adn_elem_totals(e, &et);
		fprintf(f, "%s\n    \"%s\": {\"type\": \"%s\", \"in\": %"
			PRIu64 ", \"transmitted\": %" PRIu64 ", \"dropped\": %"
			PRIu64 ", \"out\": [", i ? "," : "", e->name,
			e->desc->name, et.in, et.consumed, et.dropped);
		for (unsigned int o = 0; o < e->n_outputs; o++)
			fprintf(f, "%s%" PRIu64, o ? ", " : "", et.out[o]);
		fprintf(f, "], \"drops\": {");
		for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++) {
			if (!et.drop[r])
				continue;
			fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ",
				adn_elem_drop_name(e, r), et.drop[r]);
			first = false;
		}
		fprintf(f, "}, \"xstats\": {");
		if (e->desc->xstats != NULL)
			nx = e->desc->xstats(e, xs, RTE_DIM(xs));
		for (unsigned int k = 0; k < nx; k++)
			fprintf(f, "%s\"%s\": %" PRIu64, k ? ", " : "",
				xs[k].name, xs[k].value);
		fprintf(f, "}}");
	}
	fprintf(f, "\n  }\n}\n");
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/* The telemetry thread reads the runtime registered at start-up. */
static struct adn_runtime *tel_rt;

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct adn_pipeline *p = tel_rt->pipe;
	struct adn_totals t;

	adn_runtime_totals(tel_rt, &t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "received", t.received);
	rte_tel_data_add_dict_u64(d, "transmitted", t.transmitted);
	rte_tel_data_add_dict_u64(d, "dropped", t.dropped);
	rte_tel_data_add_dict_u64(d, "in_flight", t.in_flight);
	rte_tel_data_add_dict_int(d, "unaccounted",
				  (int)(t.received - t.transmitted -
					t.dropped - t.in_flight));
	/* One [in, out, transmitted, dropped] array per element: telemetry
	 * nests one level only; /adn/element,<name> has the detail. */
	for (unsigned int i = 0; i < p->n_elems; i++) {
		struct rte_tel_data *a = rte_tel_data_alloc();
		struct adn_elem_totals et;
		uint64_t out = 0;

		if (a == NULL)
			return -ENOMEM;
		adn_elem_totals(p->elems[i], &et);
		for (unsigned int o = 0; o < p->elems[i]->n_outputs; o++)
			out += et.out[o];
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		rte_tel_data_add_array_u64(a, et.in);
		rte_tel_data_add_array_u64(a, out);
		rte_tel_data_add_array_u64(a, et.consumed);
		rte_tel_data_add_array_u64(a, et.dropped);
		rte_tel_data_add_dict_container(d, p->elems[i]->name, a, 0);
	}
	return 0;
}

static int
tel_pipeline(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct adn_pipeline *p = tel_rt->pipe;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "workers", (int)tel_rt->n_workers);
	rte_tel_data_add_dict_int(d, "burst", (int)tel_rt->burst);
	/* Per element, in topological order: [type, "out0->next", ...]. */
	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];
		struct rte_tel_data *a = rte_tel_data_alloc();
		char link[RTE_TEL_MAX_STRING_LEN];

		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
		rte_tel_data_add_array_string(a, e->desc->name);
		for (unsigned int o = 0; o < e->n_outputs; o++) {
			snprintf(link, sizeof(link), "[%u] -> %s", o,
				 p->elems[e->next[o]]->name);
			rte_tel_data_add_array_string(a, link);
		}
		rte_tel_data_add_dict_container(d, e->name, a, 0);
	}
	return 0;
}

static int
tel_element(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct adn_elem *e;
	struct adn_elem_totals et;
	struct adn_xstat xs[32];
	unsigned int nx = 0;
	char key[64];

	if (params == NULL ||
	    (e = adn_pipeline_find(tel_rt->pipe, params)) == NULL)
		return -EINVAL;
	adn_elem_totals(e, &et);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "type", e->desc->name);
	rte_tel_data_add_dict_u64(d, "in", et.in);
	rte_tel_data_add_dict_u64(d, "transmitted", et.consumed);
	rte_tel_data_add_dict_u64(d, "dropped", et.dropped);
	for (unsigned int o = 0; o < e->n_outputs; o++) {
		snprintf(key, sizeof(key), "out%u", o);
		rte_tel_data_add_dict_u64(d, key, et.out[o]);
	}
	for (unsigned int r = 0; r < ADN_N_DROP_SLOTS; r++) {
		const char *name = adn_elem_drop_name(e, r);

		if (!et.drop[r])
			continue;
		/* Telemetry keys allow [A-Za-z0-9_/] only. */
		snprintf(key, sizeof(key), "drop_%s", name);
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		rte_tel_data_add_dict_u64(d, key, et.drop[r]);
	}
	if (e->desc->xstats != NULL)
		nx = e->desc->xstats(e, xs, RTE_DIM(xs));
	for (unsigned int k = 0; k < nx; k++)
		rte_tel_data_add_dict_u64(d, xs[k].name, xs[k].value);
	return 0;
}

static int
tel_plan(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct adn_pipeline *p = tel_rt->pipe;
	struct adn_exec *x0 = tel_rt->execs[0];
	char what[RTE_TEL_MAX_STRING_LEN];

	if (x0 == NULL)
		return -EAGAIN;	/* workers not started */
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "plan", x0->plan);
	rte_tel_data_add_dict_int(d, "batch", (int)tel_rt->burst);
	/* Per element: what runs it (every worker runs the same plan);
	 * under fastpath also [hits, misses, admitted, flushes] summed over
	 * the workers. */
	for (unsigned int i = 0; i < p->n_elems; i++) {
		const struct adn_elem *e = p->elems[i];
		struct adn_fastpath_stats sum = { 0 }, st;
		bool fast = false;

		adn_exec_describe(x0, e, what, sizeof(what));
		rte_tel_data_add_dict_string(d, e->name, what);
		for (unsigned int w = 0; w < tel_rt->n_workers; w++)
			if (tel_rt->execs[w] != NULL &&
			    adn_exec_fastpath_stats(tel_rt->execs[w], e,
						    &st) == 0) {
				fast = true;
				sum.hits += st.hits;
				sum.misses += st.misses;
				sum.admitted += st.admitted;
				sum.flushes += st.flushes;
			}
		if (!fast)
			continue;
		struct rte_tel_data *a = rte_tel_data_alloc();
		char key[ADN_NAME_MAX + 16];

		if (a == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
		rte_tel_data_add_array_u64(a, sum.hits);
		rte_tel_data_add_array_u64(a, sum.misses);
		rte_tel_data_add_array_u64(a, sum.admitted);
		rte_tel_data_add_array_u64(a, sum.flushes);
		snprintf(key, sizeof(key), "%s_fastpath", e->name);
		rte_tel_data_add_dict_container(d, key, a, 0);
	}
	return 0;
}

/* Telemetry 22.11 writes strings into JSON as they are: keep a reply that
 * echoes operator input from breaking the answer. */
static void
tel_safe_string(char *s)
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
		tel_safe_string(line);
		rte_tel_data_add_array_string(a, line);
	}
	rte_tel_data_add_dict_container(d, "lines", a, 0);
	return 0;
}

/* "NAME COMMAND ARGS...": adn_runtime_control. Always answers a dict so
 * the operator sees why a command failed; "ok" is 1/0 (22.11 telemetry has
 * no JSON boolean), "rc" the errno. */
static int
tel_control(const char *cmd, const char *params, struct rte_tel_data *d)
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
		rc = adn_runtime_control(tel_rt, name, rest, reply,
					 sizeof(reply));
	}
	tel_safe_string(name);
	snprintf(lines, sizeof(lines), "%s", reply);
	tel_safe_string(reply);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "element", name);
	rte_tel_data_add_dict_int(d, "ok", rc == 0);
	rte_tel_data_add_dict_int(d, "rc", rc);
	rte_tel_data_add_dict_string(d, "reply", reply);
	return tel_reply_lines(d, lines);
}

int
adn_telemetry_register(struct adn_runtime *rt)
{
	int rc;

	tel_rt = rt;
	rc = rte_telemetry_register_cmd("/adn/stats", tel_stats,
		"Totals (received, transmitted, dropped, in_flight, unaccounted) and [in, out, transmitted, dropped] per element");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/adn/pipeline", tel_pipeline,
			"Workers, burst, and per element its type and output links, in topological order");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/adn/plan", tel_plan,
			"Plan text, batch size, per element its template or chain; fastpath [hits, misses, admitted, flushes]");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/adn/element", tel_element,
			"Counters of one element: per output, per drop reason, extra. Parameter: element name");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/adn/control", tel_control,
			"Run a control command on an element while workers are parked. Parameters: NAME COMMAND ARGS... (NAME help lists them)");
	return rc;
}
