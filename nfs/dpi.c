/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dpi — content rules (literals and regexes, caseless, offsets;
 * lib/l7/adn_dpi_rules.h) matched over each TCP stream's payload in order,
 * across segment boundaries, with Hyperscan in streaming mode: one
 * hs_stream per tracked stream (lib/l7/adn_tcp_stream.h), scanned with
 * hs_scan_stream as in-order bytes arrive (retransmitted bytes are not
 * scanned again, out-of-order ones when their gap fills).
 *
 * Actions per rule: drop — the packet completing the match and the rest
 * of its stream are dropped; alert — counted, and logged at most once a
 * second per worker; mark=N — bit N set in the packet's L7 record (when
 * HttpParse gave it one) and in the stream's ADN_L7_ANNO_MARK word.
 *
 * Stream states are Hyperscan's, opened for every slot of the stream
 * table on the control thread when the element is built, and reset (not
 * allocated) when a stream starts: the workers never allocate.
 *
 * Keys:
 *   rules        (string, required)  rules file, relative to the config
 *   max_flows    (int 8-1048576, default 16384) streams per worker
 *   max_bytes    (int 64-1048576, default 16384) out-of-order bytes held
 *                per stream
 *   buffers      (int 1-1048576, default 1024) streams holding bytes
 *   idle_timeout (int 1-86400 s, default 60)
 * Outputs: 0 — passed (no drop rule matched; non-TCP and payload-less
 *          segments too); 1 — punt: a stream's bytes Dpi could not scan
 *          (untracked, flows full, over max_bytes).
 * Drops: rule (a drop rule matched in the packet), blocked (a later
 *   packet of such a stream).
 * Extra counters: matches, alerts, streams, live, retransmissions,
 *   out-of-order, punt-untracked, punt-flows-full, punt-bytes-full,
 *   rule<i> for the first 30 rules; control `stats`: every rule's hits.
 * State (kept across plan swaps while the keys keep their values): the
 *   database, the stream tables and the counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "adn_dpi_rules.h"
#include "adn_elem.h"
#include "adn_l7_meta.h"
#include "adn_log.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_tcp_stream.h"

enum { DPI_OUT_PASS, DPI_OUT_PUNT, DPI_N_OUT };

enum { DPI_DROP_RULE, DPI_DROP_BLOCKED };

static const char *const dpi_drops[] = {
	[DPI_DROP_RULE] = "rule", [DPI_DROP_BLOCKED] = "blocked", NULL,
};


#define DPI_XSTAT_RULES 30
#define DPI_EXPIRE_BUDGET 32

/* Per stream (the tracker's user area). */
struct dpi_stream {
	hs_stream_t *hs;	/* from the worker's free list */
	uint32_t mark;
	bool blocked;
};

struct dpi_worker {
	struct adn_tcp_track *t;
	hs_scratch_t *scratch;
	hs_stream_t **free;	/* free stream states */
	uint32_t n_free;
	uint64_t *hits;		/* [n_rules] */
	uint64_t matches, alerts, punt[ADN_TCP_N_PUNT];
	uint64_t last_log_tsc;
} __rte_cache_aligned;

struct dpi_state {
	hs_database_t *db;
	struct adn_dpi_rule *rules;
	unsigned int n_rules, n_workers;
	struct dpi_worker w[ADN_MAX_WORKERS];
};

struct dpi {
	struct dpi_state *st;
	uint64_t tsc_per_ms;
};

static const struct adn_arg_spec dpi_args[] = {
	{ .name = "rules", .type = ADN_ARG_STRING, .required = true,
	  .help = "rules file: `drop|alert|mark=N \"lit\"|/re/flags [offset=N] [depth=N]`",
	  .shapes_state = true },
	ADN_TCP_TRACK_ARGS(1 << 20, 16384, 1024),
	{ .name = NULL },
};

/* A stream ended: its Hyperscan state goes back to the free list. */
static void
dpi_release(void *user, void *arg)
{
	struct dpi_stream *ds = user;
	struct dpi_worker *w = arg;

	if (ds->hs != NULL)
		w->free[w->n_free++] = ds->hs;
	ds->hs = NULL;
}

static void
dpi_state_destroy(void *data)
{
	struct dpi_state *st = data;

	for (unsigned int i = 0; i < st->n_workers; i++) {
		struct dpi_worker *w = &st->w[i];

		adn_tcp_track_free(w->t);	/* returns streams to free */
		for (uint32_t k = 0; w->free != NULL && k < w->n_free; k++)
			hs_close_stream(w->free[k], NULL, NULL, NULL);
		free(w->free);
		free(w->hits);
		hs_free_scratch(w->scratch);
	}
	hs_free_database(st->db);
	free(st->rules);
}

static int
dpi_build(struct adn_elem *e, struct adn_build *b, struct dpi_state *st)
{
	char path[PATH_MAX], why[PATH_MAX + 256];
	uint32_t flows = (uint32_t)adn_elem_arg_int(e, "max_flows");
	int rc;

	adn_elem_arg_path(e, "rules", path, sizeof(path));
	rc = adn_dpi_rules_load(path, &st->rules, &st->n_rules, why,
				sizeof(why));
	if (rc < 0)
		return adn_build_error(b, e, "rules", "%s", why);
	rc = adn_dpi_compile(st->rules, st->n_rules, &st->db, why,
			     sizeof(why));
	if (rc < 0)
		return adn_build_error(b, e, "rules", "%s: %s", path, why);
	st->n_workers = RTE_MAX(adn_build_n_workers(b), 1u);
	for (unsigned int i = 0; i < st->n_workers; i++) {
		struct dpi_worker *w = &st->w[i];
		char name[32];
		struct adn_tcp_track_conf c = {
			.name = name, .user_size = sizeof(struct dpi_stream),
			.release = dpi_release, .arg = w,
		};
		uint32_t slots = RTE_MAX(flows, 8u);

		adn_tcp_track_conf_of(e, &c);

		w->hits = calloc(st->n_rules, sizeof(*w->hits));
		w->free = calloc(slots, sizeof(*w->free));
		if (w->hits == NULL || w->free == NULL ||
		    hs_alloc_scratch(st->db, &w->scratch) != HS_SUCCESS)
			return adn_build_error(b, e, "max_flows",
					       "cannot allocate worker %u's "
					       "matcher", i);
		/* every stream slot's state, now, on the control thread */
		for (; w->n_free < slots; w->n_free++)
			if (hs_open_stream(st->db, 0, &w->free[w->n_free]) !=
			    HS_SUCCESS)
				return adn_build_error(b, e, "max_flows",
					"cannot allocate %u stream states",
					slots);
		snprintf(name, sizeof(name), "dpi%u_%p", i, (void *)st);
		rc = adn_tcp_track_create(&c, &w->t);
		if (rc < 0)
			return adn_build_error(b, e, "max_flows",
					       "cannot allocate the stream "
					       "table: %s", strerror(-rc));
	}
	return 0;
}

static int
dpi_configure(struct adn_elem *e, struct adn_build *b)
{
	struct dpi *x = adn_elem_priv(e);
	struct adn_state_ref ref;
	int rc;

	rc = adn_l7_meta_register();
	if (rc < 0)
		return adn_build_error(b, e, NULL,
				       "cannot register the L7 mbuf field: %s",
				       strerror(-rc));
	rc = adn_elem_state(e, b, "streams", sizeof(*x->st),
			    dpi_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	x->st = ref.data;
	if (!ref.reused) {
		rc = dpi_build(e, b, x->st);
		if (rc < 0)
			return rc;
	} else if (x->st->n_workers < adn_build_n_workers(b)) {
		return adn_build_error(b, e, NULL, "the stream tables were "
				       "built for %u workers, not %u: rename "
				       "the element to rebuild them",
				       x->st->n_workers,
				       adn_build_n_workers(b));
	}
	x->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	return 0;
}

struct dpi_scan {
	const struct dpi_state *st;
	struct dpi_worker *w;
	uint32_t mark;
	bool drop;
	unsigned int first_alert;
	bool alert;
};

static int
dpi_on_match(unsigned int id, unsigned long long from, unsigned long long to,
	     unsigned int flags, void *arg)
{
	struct dpi_scan *c = arg;
	const struct adn_dpi_rule *r = &c->st->rules[id];

	c->w->hits[id]++;
	c->w->matches++;
	switch (r->action) {
	case ADN_DPI_DROP:
		c->drop = true;
		break;
	case ADN_DPI_ALERT:
		if (!c->alert)
			c->first_alert = id;
		c->alert = true;
		c->w->alerts++;
		break;
	default:
		c->mark |= 1u << r->mark_bit;
	}
	return 0;
}

static int
dpi_packet(const struct dpi *x, struct dpi_worker *w, struct rte_mbuf *m,
	   uint64_t now)
{
	const struct dpi_state *st = x->st;
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	struct dpi_scan c = { .st = st, .w = w };
	struct adn_l7_rec *rec;
	struct adn_tcp_seg s;
	struct dpi_stream *ds;
	bool bare;
	int punt = adn_tcp_track_packet(w->t, (const uint8_t *)ip,
					rte_pktmbuf_data_len(m) - m->l2_len,
					now, &s, &bare);

	/* Not TCP, or a bare ACK after the stream: nothing a rule reads. */
	if (punt == ADN_TCP_PUNT_NOT_TCP || bare)
		return DPI_OUT_PASS;
	if (punt >= 0) {
		w->punt[punt]++;
		return DPI_OUT_PUNT;
	}
	ds = s.user;
	if (s.start && ds->hs == NULL && w->n_free > 0) {
		ds->hs = w->free[--w->n_free];
		hs_reset_stream(ds->hs, 0, NULL, NULL, NULL);
	}
	if (ds->blocked) {
		adn_tcp_track_done(w->t, &s, s.len, false);
		return adn_drop(DPI_DROP_BLOCKED);
	}
	if (s.len > 0 && ds->hs != NULL)
		hs_scan_stream(ds->hs, (const char *)s.data, s.len, 0,
			       w->scratch, dpi_on_match, &c);
	ds->mark |= c.mark;
	ds->blocked = c.drop;
	rec = adn_l7_rec(m);
	if (rec != NULL) {
		rec->mark |= c.mark;
		rec->anno[ADN_L7_ANNO_MARK] |= ds->mark;
	}
	/* all delivered bytes are scanned: nothing is kept */
	adn_tcp_track_done(w->t, &s, s.len, false);
	if (c.alert) {
		uint64_t t = rte_get_tsc_cycles();

		if (t - w->last_log_tsc > rte_get_tsc_hz()) {
			w->last_log_tsc = t;
			ADN_LOG(NOTICE, "Dpi alert: rule %u matched (further "
				"alerts this second not logged)\n",
				c.first_alert + 1);
		}
	}
	return c.drop ? adn_drop(DPI_DROP_RULE) : DPI_OUT_PASS;
}

static void
dpi_process(struct adn_elem *e, struct adn_batch *b)
{
	const struct dpi *x = adn_elem_priv(e);
	struct dpi_worker *w = &x->st->w[adn_worker_index()];
	uint64_t now = rte_get_tsc_cycles() / x->tsc_per_ms;

	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = (int16_t)dpi_packet(x, w, b->pkts[i], now);
	adn_tcp_track_expire(w->t, now, DPI_EXPIRE_BUDGET);
}

static uint64_t
dpi_hits(const struct dpi_state *st, unsigned int rule)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < st->n_workers; i++)
		s += st->w[i].hits[rule];
	return s;
}

static unsigned int
dpi_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	const struct dpi *x = adn_elem_priv(e);
	const struct dpi_state *st = x->st;
	struct adn_tcp_track_stats ts = { 0 };
	uint64_t matches = 0, alerts = 0, punt[ADN_TCP_N_PUNT] = { 0 };
	unsigned int n = 0;

	if (st == NULL || st->db == NULL)
		return 0;
	for (unsigned int i = 0; i < st->n_workers; i++) {
		matches += st->w[i].matches;
		alerts += st->w[i].alerts;
		for (int r = 0; r < ADN_TCP_N_PUNT; r++)
			punt[r] += st->w[i].punt[r];
		adn_tcp_track_stats_add(st->w[i].t, &ts);
	}
	const struct { const char *name; uint64_t v; } v[] = {
		{ "matches", matches }, { "alerts", alerts },
	};
	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	n += adn_tcp_track_xstats(&ts, punt, out + n, max - n);
	for (unsigned int i = 0; i < st->n_rules && i < DPI_XSTAT_RULES &&
	     n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "rule%u", i);
		out[n].value = dpi_hits(st, i);
	}
	return n;
}

static int
dpi_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	const struct dpi *x = adn_elem_priv(e);
	size_t o = 0;

	cmd += strspn(cmd, " \t");
	if (strcmp(cmd, "stats") != 0) {
		snprintf(reply, len, "unknown command '%s' (stats)", cmd);
		return -EINVAL;
	}
	reply[0] = '\0';
	for (unsigned int i = 0; i < x->st->n_rules && o + 1 < len; i++)
		o += (size_t)snprintf(reply + o, len - o, "rule%u %" PRIu64 "\n",
				      i, dpi_hits(x->st, i));
	return 0;
}

static const char *const dpi_control_help[] = {
	"stats: hits of every rule, one a line", NULL,
};

static const struct adn_elem_desc dpi_desc = {
	.name = "Dpi",
	.help = "content rules over TCP streams (Hyperscan streaming mode)",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct dpi),
	.n_outputs = DPI_N_OUT,
	.drop_reasons = dpi_drops,
	.args = dpi_args,
	.configure = dpi_configure,
	.process = dpi_process,
	.xstats = dpi_xstats,
	.control = dpi_control,
	.control_help = dpi_control_help,
};

ADN_ELEM_REGISTER(dpi_desc);
