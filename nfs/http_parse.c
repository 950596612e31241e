/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HttpParse — follows the TCP streams of HTTP/1.1 connections
 * (lib/l7/adn_tcp_stream.h) and parses their requests and responses with
 * the project's parser (lib/l7/adn_http.h) into the packet's L7 record
 * (lib/l7/adn_l7_meta.h, docs/l7.md), which later elements read instead of
 * parsing again. A packet's record describes the first message head that
 * ends in it (n_msgs counts pipelined ones); a head split over segments is
 * reported by the segment that completes it.
 *
 * Malformed messages (adn_http_err: bad method, target, version, line,
 * header, head too long, too many headers, no or duplicate Host, bad or
 * repeated Content-Length, Content-Length with Transfer-Encoding, a coding
 * other than "chunked", bad chunk framing) go to the reject output, and so
 * does the rest of their stream: what follows a message one cannot frame
 * cannot be trusted (request smuggling).
 *
 * Keys:
 *   max_flows    (int 8-16777216, default 65536)  stream directions per worker
 *   max_bytes    (int 64-1048576, default 16384)  reassembly buffer per stream
 *   buffers      (int 1-16777216, default 4096)   streams holding bytes at
 *                once, per worker
 *   idle_timeout (int 1-86400 s, default 60)      a stream without segments
 *                that long ends
 *   max_head     (int 64-65535, default 8192)     longest message head
 *   max_headers  (int 1-1000, default 100)        field lines per head
 *   headers      (list of up to 4 strings)         extra fields to report in
 *                the record, by name
 * Outputs: 0 — parsed (or nothing to parse: handshake, ACKs, body bytes,
 *          segments held out of order, retransmissions);
 *          1 — reject (malformed message, or its stream after one);
 *          2 — punt: not TCP, untracked (data without a SYN seen), flows
 *          full, bytes full (a limit): the pipeline decides, nothing is
 *          lost silently.
 * Extra counters: reject-<reason> per parser reason, reject-stream,
 *   punt-not-tcp, punt-untracked, punt-flows-full, punt-bytes-full,
 *   requests, responses, and the trackers' streams, live, closed, expired,
 *   retransmissions, out-of-order.
 * State (kept across plan swaps while the keys that size it keep their
 *   values): the per-worker stream tables and the counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "adn_elem.h"
#include "adn_http.h"
#include "adn_l7_meta.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_tcp_stream.h"

enum { HP_OUT_OK, HP_OUT_REJECT, HP_OUT_PUNT, HP_N_OUT };


/* Expiry visits this many stream slots per batch. */
#define HP_EXPIRE_BUDGET 32

enum hp_phase { HP_HEAD, HP_BODY, HP_DEAD };

/* Per stream (the tracker's user area). */
struct hp_stream {
	uint8_t phase;
	struct adn_http_body body;
	uint32_t anno[ADN_L7_ANNO_WORDS];
};

/* Per worker, state: survives swaps. */
struct hp_worker {
	struct adn_tcp_track *t;
	uint64_t rej[ADN_HTTP_E_MAX];
	uint64_t rej_stream;
	uint64_t punt[ADN_TCP_N_PUNT];
	uint64_t requests, responses;
} __rte_cache_aligned;

struct hp_state {
	unsigned int n;
	struct hp_worker w[ADN_MAX_WORKERS];
};

/* Per worker, this build: the batch's records and their strings. */
struct hp_arena {
	struct adn_l7_rec rec[ADN_BATCH_MAX];
	size_t used;
	char bytes[];	/* ADN_BATCH_MAX * max_head */
};

struct http_parse {
	struct hp_state *st;
	struct hp_arena *arena[ADN_MAX_WORKERS];
	size_t arena_bytes;
	struct adn_http_limits lim;
	struct adn_http_want want;
	uint64_t tsc_per_ms;
};

static const struct adn_arg_spec hp_args[] = {
	ADN_TCP_TRACK_ARGS(1 << 24, 65536, 4096),
	{ .name = "max_head", .type = ADN_ARG_INT, .min = 64, .max = 65535,
	  .def_int = 8192, .help = "longest message head in bytes" },
	{ .name = "max_headers", .type = ADN_ARG_INT, .min = 1, .max = 1000,
	  .def_int = 100, .help = "field lines per head" },
	{ .name = "headers", .type = ADN_ARG_LIST,
	  .help = "up to 4 more fields to report, by name" },
	{ .name = NULL },
};

static void
hp_state_destroy(void *data)
{
	struct hp_state *st = data;

	for (unsigned int i = 0; i < st->n; i++)
		adn_tcp_track_free(st->w[i].t);
}

static int
hp_configure(struct adn_elem *e, struct adn_build *b)
{
	struct http_parse *x = adn_elem_priv(e);
	const config_setting_t *hl = adn_elem_arg(e, "headers");
	struct adn_state_ref ref;
	int rc;

	rc = adn_l7_meta_register();
	if (rc < 0)
		return adn_build_error(b, e, NULL,
				       "cannot register the L7 mbuf field: %s",
				       strerror(-rc));
	x->lim.max_head = (uint32_t)adn_elem_arg_int(e, "max_head");
	x->lim.max_headers = (uint16_t)adn_elem_arg_int(e, "max_headers");
	for (int i = 0; hl != NULL && i < config_setting_length(hl); i++) {
		const config_setting_t *h = config_setting_get_elem(hl, i);
		const char *name = config_setting_get_string(h);

		if (name == NULL)
			return adn_build_error_at(b, e, h, "headers",
						  "entry %d is not a string", i);
		rc = adn_http_want_add(&x->want, name);
		if (rc < 0)
			return adn_build_error_at(b, e, h, "headers",
				"'%s': %s (up to %d field names of 1-%d token "
				"characters)", name,
				rc == -E2BIG ? "too many" : "not a field name",
				ADN_HTTP_MAX_WANT, ADN_HTTP_MAX_NAME - 1);
	}
	rc = adn_elem_state(e, b, "streams", sizeof(*x->st),
			    hp_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	x->st = ref.data;
	/* Workers this build has and the state lacks get their tables now,
	 * before any of them runs. */
	for (unsigned int i = x->st->n; i < b->n_workers && i < ADN_MAX_WORKERS;
	     i++) {
		char name[32];
		struct adn_tcp_track_conf c = {
			.name = name, .user_size = sizeof(struct hp_stream),
		};

		adn_tcp_track_conf_of(e, &c);
		snprintf(name, sizeof(name), "hp%u_%p", i, (void *)x->st);
		rc = adn_tcp_track_create(&c, &x->st->w[i].t);
		if (rc < 0)
			return adn_build_error(b, e, "max_flows",
				"cannot allocate the stream table of worker "
				"%u: %s", i, strerror(-rc));
		x->st->n = i + 1;
	}
	x->arena_bytes = (size_t)ADN_BATCH_MAX * x->lim.max_head;
	for (unsigned int i = 0; i < b->n_workers || i == 0; i++) {
		x->arena[i] = rte_zmalloc("adn_hp_arena", sizeof(struct hp_arena) +
					  x->arena_bytes, RTE_CACHE_LINE_SIZE);
		if (x->arena[i] == NULL)
			return adn_build_error(b, e, "max_head",
					       "cannot allocate %zu bytes of "
					       "records", x->arena_bytes);
	}
	x->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	return 0;
}

static void
hp_destroy(struct adn_elem *e)
{
	struct http_parse *x = adn_elem_priv(e);

	for (unsigned int i = 0; i < ADN_MAX_WORKERS; i++)
		rte_free(x->arena[i]);
}

/* A copy of the head at d (len bytes) in the arena; the records' strings
 * point into it. */
static char *
hp_copy(struct hp_arena *a, const uint8_t *d, uint32_t len)
{
	char *c = a->bytes + a->used;

	memcpy(c, d, len);
	a->used += len;
	return c;
}

static void
hp_record(struct hp_arena *a, struct adn_l7_rec *r, const uint8_t *d,
	  const struct adn_http_msg *m, const struct adn_http_want *want)
{
	/* one copy of the head, at most max_head bytes: the arena has that
	 * much for every packet of a batch */
	char *h = hp_copy(a, d, m->head_len);

	r->kind = (m->flags & ADN_HTTP_F_RESPONSE) ? ADN_L7_RESPONSE :
		ADN_L7_REQUEST;
	r->method = m->method;
	r->minor = m->minor;
	r->status = m->status;
	r->flags = m->flags;
	r->content_length = m->content_length;
	r->head = h;
	r->head_len = m->head_len;
	/* hosts are compared lower case; the head keeps it that way too */
	for (uint16_t i = 0; i < m->host.len; i++)
		h[m->host.off + i] = (char)adn_http_lower((uint8_t)
							  h[m->host.off + i]);
	r->host = h + m->host.off;
	r->host_len = m->host.len;
	r->path = h + m->path.off;
	r->path_len = m->path.len;
	r->query = h + m->query.off;
	r->query_len = m->query.len;
	for (unsigned int i = 0; i < want->n; i++) {
		r->want[i] = m->want[i].len ? h + m->want[i].off : NULL;
		r->want_len[i] = m->want[i].len;
	}
}

/* The body bytes after the first head of a packet, when they are the
 * packet's own (for the RPC record's payload). */
static void
hp_body(struct adn_l7_rec *r, const struct adn_tcp_seg *s, uint32_t at,
	const struct adn_http_msg *m, const struct adn_http_body *b)
{
	uint64_t n = s->len - at;

	if (!s->direct || b->kind == ADN_HTTP_BODY_NONE || n == 0)
		return;
	if (b->kind == ADN_HTTP_BODY_LENGTH && n > m->content_length)
		n = m->content_length;
	r->body = s->data + at;
	r->body_len = (uint32_t)n;
}

/* Parse what the stream delivered; returns bytes consumed, or sets *err. */
static uint32_t
hp_parse(const struct http_parse *x, struct hp_worker *w, struct hp_arena *a,
	 struct hp_stream *hs, const struct adn_tcp_seg *s,
	 struct adn_l7_rec *r, int *err)
{
	const bool resp = s->role == ADN_TCP_ROLE_SERVER;
	uint32_t pos = 0;

	while (pos < s->len && hs->phase != HP_DEAD) {
		struct adn_http_msg m;
		bool done;
		int rc;

		if (hs->phase == HP_BODY) {
			rc = adn_http_body_feed(&hs->body, s->data + pos,
						s->len - pos, &done);
			if (rc < 0) {
				*err = -rc;
				hs->phase = HP_DEAD;
				break;
			}
			pos += (uint32_t)rc;
			if (done)
				hs->phase = HP_HEAD;
			continue;
		}
		rc = adn_http_parse(s->data + pos, s->len - pos, resp, &x->lim,
				    &x->want, &m);
		if (rc == 0)
			break;
		if (rc < 0) {
			*err = -rc;
			hs->phase = HP_DEAD;
			break;
		}
		adn_http_body_start(&hs->body, &m, 0);
		if (r->n_msgs++ == 0) {
			hp_record(a, r, s->data + pos, &m, &x->want);
			hp_body(r, s, pos + (uint32_t)rc, &m, &hs->body);
		}
		if (resp)
			w->responses++;
		else
			w->requests++;
		hs->phase = HP_BODY;
		pos += (uint32_t)rc;
	}
	return hs->phase == HP_DEAD ? s->len : pos;
}

static int
hp_packet(const struct http_parse *x, struct hp_worker *w, struct hp_arena *a,
	  struct rte_mbuf *m, uint64_t now, unsigned int i)
{
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	struct adn_l7_rec *r = &a->rec[i];
	struct adn_tcp_seg s;
	struct hp_stream *hs;
	uint32_t used;
	int err = 0, punt;
	bool dead, bare;

	adn_l7_rec_set(m, NULL);
	punt = adn_tcp_track_packet(w->t, (const uint8_t *)ip,
				    rte_pktmbuf_data_len(m) - m->l2_len, now,
				    &s, &bare);
	/* the last ACKs of a closed stream carry nothing to parse */
	if (bare)
		return HP_OUT_OK;
	if (punt >= 0) {
		w->punt[punt]++;
		return HP_OUT_PUNT;
	}
	hs = s.user;
	memset(r, 0, sizeof(*r));
	r->flow = s.flow;
	r->role = s.role;
	r->anno = hs->anno;
	dead = hs->phase == HP_DEAD;
	used = hp_parse(x, w, a, hs, &s, r, &err);
	if (s.fin || s.rst) {
		/* the stream's words go with it: later elements get a copy */
		memcpy(r->anno_copy, hs->anno, sizeof(r->anno_copy));
		r->anno = r->anno_copy;
	}
	if (adn_tcp_track_done(w->t, &s, used, false) < 0) {
		w->punt[ADN_TCP_PUNT_BYTES_FULL]++;
		return HP_OUT_PUNT;
	}
	adn_l7_rec_set(m, r);
	if (err != 0) {
		w->rej[err]++;
		return HP_OUT_REJECT;
	}
	if (dead && s.fresh > 0) {
		w->rej_stream++;
		return HP_OUT_REJECT;
	}
	return HP_OUT_OK;
}

static void
hp_process(struct adn_elem *e, struct adn_batch *b)
{
	const struct http_parse *x = adn_elem_priv(e);
	unsigned int wi = adn_worker_index();
	struct hp_worker *w = &x->st->w[wi];
	struct hp_arena *a = x->arena[wi];
	uint64_t now = rte_get_tsc_cycles() / x->tsc_per_ms;

	a->used = 0;
	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = (int16_t)hp_packet(x, w, a, b->pkts[i], now, i);
	adn_tcp_track_expire(w->t, now, HP_EXPIRE_BUDGET);
}

static unsigned int
hp_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	const struct http_parse *x = adn_elem_priv(e);
	struct hp_worker sum = { 0 };
	struct adn_tcp_track_stats ts = { 0 };
	unsigned int n = 0;

	for (unsigned int i = 0; x->st != NULL && i < x->st->n; i++) {
		const struct hp_worker *w = &x->st->w[i];

		for (int r = 0; r < ADN_HTTP_E_MAX; r++)
			sum.rej[r] += w->rej[r];
		for (int r = 0; r < ADN_TCP_N_PUNT; r++)
			sum.punt[r] += w->punt[r];
		sum.rej_stream += w->rej_stream;
		sum.requests += w->requests;
		sum.responses += w->responses;
		adn_tcp_track_stats_add(w->t, &ts);
	}
#define HP_XSTAT(nm, v) do { if (n < max) { \
	snprintf(out[n].name, sizeof(out[n].name), "%s", nm); \
	out[n++].value = (v); } } while (0)
	HP_XSTAT("requests", sum.requests);
	HP_XSTAT("responses", sum.responses);
	for (int r = 1; r < ADN_HTTP_E_MAX; r++) {
		char nm[48];

		snprintf(nm, sizeof(nm), "reject-%s", adn_http_err_str(r));
		HP_XSTAT(nm, sum.rej[r]);
	}
	HP_XSTAT("reject-stream", sum.rej_stream);
#undef HP_XSTAT
	return n + adn_tcp_track_xstats(&ts, sum.punt, out + n, max - n);
}

static const struct adn_elem_desc hp_desc = {
	.name = "HttpParse",
	.help = "HTTP/1.1 over tracked TCP streams into the packet's L7 record",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct http_parse),
	.n_outputs = HP_N_OUT,
	.args = hp_args,
	.configure = hp_configure,
	.destroy = hp_destroy,
	.process = hp_process,
	.xstats = hp_xstats,
};

ADN_ELEM_REGISTER(hp_desc);
