/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PPM chain: parser -> filter -> router -> deparser. Each stage reads and
 * writes only the metadata record handed along (plus the request bytes for
 * the deparser), exactly as the RTL stages see a 512-bit metadata bus.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_http_chars.h"
#include "ppm_priv.h"

int
adn_ppm_chain_create(struct adn_ppm_chain **chain)
{
	struct adn_ppm_chain *c;

	if (chain == NULL)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->filter_default = ADN_PPM_ALLOW;
	*chain = c;
	return 0;
}

void
adn_ppm_chain_free(struct adn_ppm_chain *chain)
{
	free(chain);
}

const struct adn_ppm_counters *
adn_ppm_chain_counters(const struct adn_ppm_chain *chain,
		       enum adn_ppm_stage stage)
{
	if (chain == NULL || stage >= ADN_PPM_ST_MAX)
		return NULL;
	return &chain->cnt[stage];
}

static void
count_decision(struct adn_ppm_counters *c, const struct adn_ppm_meta *m)
{
	switch (m->decision) {
	case ADN_PPM_CONTINUE:
	case ADN_PPM_FORWARD:
		c->pass++;
		return;
	case ADN_PPM_DROP:
		c->drop++;
		break;
	case ADN_PPM_PUNT:
		c->punt++;
		break;
	default:
		c->error++;
		break;
	}
	/* A record read off the RTL may hold anything: never index out. */
	if (m->reason < ADN_PPM_R_MAX)
		c->reason[m->reason]++;
}

/* The stage whose verdict a reason is; the parser for none or unknown, so a
 * record without a valid reason still counts once, as an error. */
static enum adn_ppm_stage
reason_stage(uint8_t r)
{
	if (r >= ADN_PPM_R_FILTER_DENY && r <= ADN_PPM_R_FILTER_PUNT)
		return ADN_PPM_ST_FILTER;
	if (r >= ADN_PPM_R_NO_LISTENER && r < ADN_PPM_R_MAX)
		return ADN_PPM_ST_ROUTER;
	return ADN_PPM_ST_PARSER;
}

void
adn_ppm_counters_add(struct adn_ppm_counters cnt[ADN_PPM_ST_MAX],
		     const struct adn_ppm_meta *m)
{
	enum adn_ppm_stage stop = m->decision == ADN_PPM_FORWARD ?
		ADN_PPM_ST_DEPARSER : reason_stage(m->reason);

	cnt[ADN_PPM_ST_PARSER].bytes += m->msg_len;
	for (int s = ADN_PPM_ST_PARSER; s < (int)stop; s++) {
		cnt[s].in++;
		cnt[s].pass++;
	}
	if (stop != ADN_PPM_ST_DEPARSER) {
		cnt[stop].in++;
		count_decision(&cnt[stop], m);
	}
	/* Every request reaches the deparser: it is where the verdict leaves
	 * the chain, with or without bytes. */
	cnt[ADN_PPM_ST_DEPARSER].in++;
	cnt[ADN_PPM_ST_DEPARSER].bytes += m->out_len;
	if (m->out_len)
		cnt[ADN_PPM_ST_DEPARSER].pass++;
}

/* ---- filter PPM: first matching rule, all rules compared in parallel in
 * the RTL, so "first" means lowest index. */

static int
filter_rule_match(const struct ppm_filter_rule *r, const struct adn_ppm_meta *m)
{
	if (!r->valid || !((r->method_mask >> m->method) & 1))
		return 0;
	if (r->match_host && r->host_hash != m->host_hash)
		return 0;
	switch (r->path_mode) {
	case ADN_PPM_PATH_EXACT:
		return r->path_hash == m->path_hash;
	case ADN_PPM_PATH_PREFIX:
		for (int k = 0; k < m->n_segs; k++)
			if (r->path_hash == m->seg_hash[k])
				return 1;
		return 0;
	default:
		return 1;
	}
}

static void
ppm_filter(const struct adn_ppm_chain *c, struct adn_ppm_meta *m)
{
	uint8_t action = c->filter_default;

	for (int i = 0; i < ADN_PPM_FILTER_RULES; i++) {
		if (filter_rule_match(&c->filter[i], m)) {
			m->filter_rule = (uint8_t)i;
			action = c->filter[i].action;
			break;
		}
	}
	if (action == ADN_PPM_DENY) {
		m->decision = ADN_PPM_DROP;
		m->reason = ADN_PPM_R_FILTER_DENY;
	} else if (action == ADN_PPM_TO_CONTROL) {
		m->decision = ADN_PPM_PUNT;
		m->reason = ADN_PPM_R_FILTER_PUNT;
	}
}

/* ---- router PPM: FlatProxy Algorithm 1. */

static int
listener_find(const struct adn_ppm_chain *c, uint32_t ip, uint16_t port)
{
	uint32_t b = ppm_listener_idx(ip, port);

	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		const struct ppm_listener *l =
			&c->listeners[(b + i) & (ADN_PPM_LISTENERS - 1)];

		if (l->valid && l->ip == ip && l->port == port)
			return l->id;
	}
	return -1;
}

static const struct ppm_route *
route_find(const struct adn_ppm_chain *c, uint32_t hash, uint8_t lid,
	   uint8_t kind)
{
	uint32_t b = ppm_route_idx(hash, lid, kind);

	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		const struct ppm_route *r =
			&c->routes[(b + i) & (ADN_PPM_ROUTES - 1)];

		if (r->valid && r->hash == hash && r->listener == lid &&
		    r->kind == kind)
			return r;
	}
	return NULL;
}

static int
tuple_eq(const struct adn_ppm_tuple *a, const struct adn_ppm_tuple *b)
{
	return a->sip == b->sip && a->dip == b->dip &&
		a->sport == b->sport && a->dport == b->dport;
}

static int
conn_find(const struct adn_ppm_chain *c, const struct adn_ppm_tuple *t,
	  uint32_t h)
{
	for (int i = 0; i < ADN_PPM_PROBES; i++) {
		uint32_t s = ppm_conn_idx(h + i);

		if (c->conns[s].valid && tuple_eq(&c->conns[s].t, t))
			return (int)s;
	}
	return -1;
}

static void
router_stop(struct adn_ppm_meta *m, enum adn_ppm_reason r)
{
	m->decision = ADN_PPM_PUNT;
	m->reason = r;
}

static void
ppm_router(struct adn_ppm_chain *c, struct adn_ppm_meta *m)
{
	const struct ppm_route *r;
	uint32_t h;
	int lid, slot;

	lid = listener_find(c, m->tuple.dip, m->tuple.dport);
	if (lid < 0)
		return router_stop(m, ADN_PPM_R_NO_LISTENER);
	m->listener = (uint8_t)lid;

	/* exact path first, then the longest '/'-prefix */
	r = route_find(c, m->path_hash, m->listener, 0);
	for (int k = m->n_segs - 1; r == NULL && k >= 0; k--) {
		r = route_find(c, m->seg_hash[k], m->listener, 1);
		if (r != NULL)
			m->flags |= ADN_PPM_F_PREFIX_HIT;
	}
	if (r == NULL)
		return router_stop(m, ADN_PPM_R_NO_ROUTE);
	m->route = r->route_id;
	m->cluster = r->cluster;

	/* An existing connection keeps its endpoint (and queue) even if the
	 * route now points elsewhere: requests of one connection must not be
	 * spread over upstreams. */
	h = ppm_conn_hash(&m->tuple);
	slot = conn_find(c, &m->tuple, h);
	if (slot < 0) {
		const struct ppm_ring_slot *rs =
			&c->ring[m->cluster & (ADN_PPM_CLUSTERS - 1)]
				[ppm_ring_slot(h)];

		if (m->cluster >= ADN_PPM_CLUSTERS || !rs->valid)
			return router_stop(m, ADN_PPM_R_NO_ENDPOINT);
		for (int i = 0; i < ADN_PPM_PROBES && slot < 0; i++)
			if (!c->conns[ppm_conn_idx(h + i)].valid)
				slot = (int)ppm_conn_idx(h + i);
		if (slot < 0)
			return router_stop(m, ADN_PPM_R_CONN_FULL);
		c->conns[slot].valid = 1;
		c->conns[slot].endpoint = rs->endpoint;
		c->conns[slot].t = m->tuple;
		m->flags |= ADN_PPM_F_NEW_CONN;
	}
	m->endpoint = c->conns[slot].endpoint;
	m->queue = (uint16_t)slot;
	m->decision = ADN_PPM_FORWARD;
}

/* ---- deparser PPM: insert the endpoint's routing header before the blank
 * line; PUNT passes the request through untouched. */

static size_t
ppm_deparse(struct adn_ppm_chain *c, const uint8_t *req,
	    struct adn_ppm_meta *m)
{
	size_t n = 0;

	if (m->decision == ADN_PPM_FORWARD) {
		const struct ppm_endpoint *e = &c->endpoints[m->endpoint];
		size_t at = (size_t)m->eoh - 2;

		memcpy(c->out_buf, req, at);
		memcpy(c->out_buf + at, e->tmpl, e->tmpl_len);
		memcpy(c->out_buf + at + e->tmpl_len, req + at,
		       m->msg_len - at);
		n = (size_t)m->msg_len + e->tmpl_len;
	} else if (m->decision == ADN_PPM_PUNT) {
		memcpy(c->out_buf, req, m->msg_len);
		n = m->msg_len;
	}
	m->out_len = (uint16_t)n;
	return n;
}

int
adn_ppm_chain_process(struct adn_ppm_chain *c, const struct adn_ppm_req_in *in,
		      struct adn_ppm_out *out)
{
	struct adn_ppm_meta *m;

	if (c == NULL || in == NULL || out == NULL ||
	    (in->data == NULL && in->len != 0))
		return -EINVAL;
	if (in->len == 0)
		return -ENODATA;

	memset(out, 0, sizeof(*out));
	m = &out->meta;
	m->tuple = in->tuple;
	m->filter_rule = ADN_PPM_NONE;
	m->listener = ADN_PPM_NONE;
	m->route = ADN_PPM_NONE;
	m->cluster = ADN_PPM_NONE;
	m->endpoint = ADN_PPM_NONE;
	m->queue = ADN_PPM_NO_QUEUE;

	out->consumed = ppm_http_parse(in->data, in->len, m);
	if (m->decision == ADN_PPM_CONTINUE)
		ppm_filter(c, m);
	if (m->decision == ADN_PPM_CONTINUE)
		ppm_router(c, m);
	out->len = ppm_deparse(c, in->data, m);
	out->data = out->len ? c->out_buf : NULL;
	/* Counted from the final record, as the RTL backend counts. */
	adn_ppm_counters_add(c->cnt, m);
	return 0;
}

int
adn_ppm_chain_segment(struct adn_ppm_chain *c, const struct adn_ppm_req_in *in,
		      adn_ppm_req_fn fn, void *arg)
{
	struct adn_ppm_req_in r;
	struct adn_ppm_out out;
	int rc;

	if (c == NULL || in == NULL || fn == NULL)
		return -EINVAL;
	r = *in;
	do {
		rc = adn_ppm_chain_process(c, &r, &out);
		if (rc < 0)
			return rc;
		rc = fn(arg, &out);
		r.data += out.consumed;
		r.len -= out.consumed;
	} while (rc == 0 && r.len > 0);
	return rc;
}

void
adn_ppm_meta_pack(const struct adn_ppm_meta *m, uint32_t w[ADN_PPM_META_WORDS])
{
	w[0] = (uint32_t)m->decision << 24 | (uint32_t)m->reason << 16 |
		(uint32_t)m->method << 8 | m->flags;
	w[1] = m->path_hash;
	w[2] = m->host_hash;
	for (int k = 0; k < ADN_PPM_MAX_SEGS; k++)
		w[3 + k] = m->seg_hash[k];
	w[7] = (uint32_t)m->n_segs << 24 | (uint32_t)m->filter_rule << 16 |
		m->path_len;
	w[8] = (uint32_t)m->target_off << 16 | m->hdr_off;
	w[9] = (uint32_t)m->host_off << 16 | m->eoh;
	w[10] = (uint32_t)m->body_len << 16 | m->msg_len;
	w[11] = (uint32_t)m->listener << 24 | (uint32_t)m->route << 16 |
		(uint32_t)m->cluster << 8 | m->endpoint;
	w[12] = (uint32_t)m->queue << 16 | m->out_len;
	w[13] = m->tuple.sip;
	w[14] = m->tuple.dip;
	w[15] = (uint32_t)m->tuple.sport << 16 | m->tuple.dport;
}

void
adn_ppm_meta_unpack(const uint32_t w[ADN_PPM_META_WORDS],
		    struct adn_ppm_meta *m)
{
	m->decision = (uint8_t)(w[0] >> 24);
	m->reason = (uint8_t)(w[0] >> 16);
	m->method = (uint8_t)(w[0] >> 8);
	m->flags = (uint8_t)w[0];
	m->path_hash = w[1];
	m->host_hash = w[2];
	for (int k = 0; k < ADN_PPM_MAX_SEGS; k++)
		m->seg_hash[k] = w[3 + k];
	m->n_segs = (uint8_t)(w[7] >> 24);
	m->filter_rule = (uint8_t)(w[7] >> 16);
	m->path_len = (uint16_t)w[7];
	m->target_off = (uint16_t)(w[8] >> 16);
	m->hdr_off = (uint16_t)w[8];
	m->host_off = (uint16_t)(w[9] >> 16);
	m->eoh = (uint16_t)w[9];
	m->body_len = (uint16_t)(w[10] >> 16);
	m->msg_len = (uint16_t)w[10];
	m->listener = (uint8_t)(w[11] >> 24);
	m->route = (uint8_t)(w[11] >> 16);
	m->cluster = (uint8_t)(w[11] >> 8);
	m->endpoint = (uint8_t)w[11];
	m->queue = (uint16_t)(w[12] >> 16);
	m->out_len = (uint16_t)w[12];
	m->tuple.sip = w[13];
	m->tuple.dip = w[14];
	m->tuple.sport = (uint16_t)(w[15] >> 16);
	m->tuple.dport = (uint16_t)w[15];
}

static const char *const reason_names[ADN_PPM_R_MAX] = {
	[ADN_PPM_R_NONE] = "none",
	[ADN_PPM_R_BAD_METHOD] = "bad_method",
	[ADN_PPM_R_BAD_TARGET] = "bad_target",
	[ADN_PPM_R_BAD_VERSION] = "bad_version",
	[ADN_PPM_R_BAD_LINE] = "bad_line",
	[ADN_PPM_R_BAD_HEADER] = "bad_header",
	[ADN_PPM_R_HDR_TOO_LONG] = "hdr_too_long",
	[ADN_PPM_R_NO_HOST] = "no_host",
	[ADN_PPM_R_DUP_HOST] = "dup_host",
	[ADN_PPM_R_BAD_CL] = "bad_content_length",
	[ADN_PPM_R_BODY_TOO_LONG] = "body_too_long",
	[ADN_PPM_R_TRUNCATED] = "truncated",
	[ADN_PPM_R_FILTER_DENY] = "filter_deny",
	[ADN_PPM_R_FILTER_PUNT] = "filter_punt",
	[ADN_PPM_R_NO_LISTENER] = "no_listener",
	[ADN_PPM_R_NO_ROUTE] = "no_route",
	[ADN_PPM_R_NO_ENDPOINT] = "no_endpoint",
	[ADN_PPM_R_CONN_FULL] = "conn_full",
};

const char *
adn_ppm_reason_str(enum adn_ppm_reason r)
{
	return (unsigned int)r < ADN_PPM_R_MAX ? reason_names[r] : "?";
}

const char *
adn_ppm_decision_str(enum adn_ppm_decision d)
{
	static const char *const n[] = {
		"continue", "forward", "drop", "punt", "error",
	};

	return (unsigned int)d <= ADN_PPM_ERROR ? n[d] : "?";
}

const char *
adn_ppm_method_str(enum adn_ppm_method m)
{
	return adn_http_method_str((unsigned int)m);
}
