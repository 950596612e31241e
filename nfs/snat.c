/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snat — CLIP's source-NAT handler on a server (CLIP §IV, App. A): answers
 * SNAT requests (app 1) in place with the flow's public <address, port>,
 * allocating a pair from its pool on the flow's first request and keeping
 * the mapping in its mirrored table (entries owned by `server_id`), which
 * is what the controller promotes into the switch table. The switch
 * learns every mapping from these responses, so in a multi-process setup
 * the response is the export channel (apps/adn-switchsim keeps a copy of
 * each server's mirror from them).
 *
 * Place it after a ClipServer output for app "snat"; it still checks every
 * request itself.
 *
 * Keys:
 *   server_id (int 0-65535, required)  this server's id, owner of entries
 *   ip_base   (string, required)       first public IPv4 address
 *   n_ips     (int 1-65536, default 1) public addresses from ip_base
 *   port_lo   (int 1-65535, default 1024), port_hi (default 65535)
 *   capacity  (int 1-16777216, default 65536) mirrored table entries
 * Outputs: 0 — the response (also when the status is an error: the switch
 *   must see the failure and drop the flow's packet).
 * Drops: malformed — not a valid CLIP request, or not app SNAT.
 * Extra counters: requests, created, hits, mappings (live entries),
 *   pool-exhausted, table-full, bad-request (status errors by cause).
 *   The first exhaustion is logged once; the counters report the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_spinlock.h>

#include "adn_clip_hdr.h"
#include "adn_clip_snat.h"
#include "adn_clip_table.h"
#include "adn_elem.h"
#include "adn_log.h"
#include "adn_pipeline.h"

enum { SNAT_OUT, SNAT_N_OUT };

enum { SNAT_DROP_MALFORMED };

static const char *const snat_drops[] = {
	[SNAT_DROP_MALFORMED] = "malformed", NULL,
};

struct snat {
	/* Shared by the workers: the pool and the table are one state, so
	 * one lock (uncontended with one worker per server). */
	rte_spinlock_t lock;
	uint16_t server_id;
	struct adn_clip_snat_pool pool;
	struct adn_clip_table *mirror;
	bool exhaust_logged;
	uint64_t requests;
	uint64_t created;
	uint64_t hits;
	uint64_t exhausted;
	uint64_t table_full;
	uint64_t bad_request;
};

static const struct adn_arg_spec snat_args[] = {
	{ .name = "server_id", .type = ADN_ARG_INT, .required = true,
	  .min = 0, .max = 65535, .help = "this server's id" },
	{ .name = "ip_base", .type = ADN_ARG_STRING, .required = true,
	  .help = "first public IPv4 address" },
	{ .name = "n_ips", .type = ADN_ARG_INT, .min = 1, .max = 65536,
	  .def_int = 1, .help = "public addresses" },
	{ .name = "port_lo", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 1024, .help = "lowest public port" },
	{ .name = "port_hi", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 65535, .help = "highest public port" },
	{ .name = "capacity", .type = ADN_ARG_INT, .min = 1, .max = 1 << 24,
	  .def_int = 65536, .help = "mirrored table entries" },
	{ .name = NULL },
};

static int
snat_configure(struct adn_elem *e, struct adn_build *b)
{
	struct snat *s = adn_elem_priv(e);
	const char *ip = adn_elem_arg_str(e, "ip_base");
	int64_t n_ips = adn_elem_arg_int(e, "n_ips");
	int64_t lo = adn_elem_arg_int(e, "port_lo");
	int64_t hi = adn_elem_arg_int(e, "port_hi");
	struct in_addr a;
	int rc;

	rte_spinlock_init(&s->lock);
	s->server_id = (uint16_t)adn_elem_arg_int(e, "server_id");
	if (inet_pton(AF_INET, ip, &a) != 1)
		return adn_build_error(b, e, "ip_base",
				       "'%s' is not a dotted IPv4 address", ip);
	if (lo > hi)
		return adn_build_error(b, e, "port_hi",
				       "port_hi %lld below port_lo %lld",
				       (long long)hi, (long long)lo);
	rc = adn_clip_snat_pool_init(&s->pool, ntohl(a.s_addr),
				     (uint32_t)n_ips, (uint16_t)lo,
				     (uint16_t)hi);
	if (rc < 0)
		return adn_build_error(b, e, "n_ips",
				       "%s + %lld addresses wraps past 255.255.255.255",
				       ip, (long long)n_ips);
	rc = adn_clip_table_create((uint32_t)adn_elem_arg_int(e, "capacity"),
				   s->server_id, &s->mirror);
	if (rc < 0)
		return adn_build_error(b, e, "capacity",
				       "cannot allocate the table: %s",
				       strerror(-rc));
	return 0;
}

static void
snat_destroy(struct adn_elem *e)
{
	struct snat *s = adn_elem_priv(e);

	adn_clip_table_free(s->mirror);
	s->mirror = NULL;
}

/* Count a failed allocation by cause; log only the first one, since a
 * full pool stays full and the counters carry the rest. */
static void
snat_count_failure(struct adn_elem *e, struct snat *s)
{
	bool full = adn_clip_table_count(s->mirror) >=
		adn_clip_table_capacity(s->mirror);

	if (full)
		s->table_full++;
	else
		s->exhausted++;
	if (!s->exhaust_logged) {
		s->exhaust_logged = true;
		ADN_LOG(WARNING, "%s: %s after %" PRIu64
			" mappings: new flows are refused (counted)\n",
			e->name, full ? "mirrored table full" :
			"address/port pool exhausted", s->created);
	}
}

static int
snat_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct snat *s = adn_elem_priv(e);
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct adn_clip_hdr h;
	bool created;
	int rc;

	/* Only SNAT requests are ours: anything else would be answered
	 * NO_HANDLER by the handler, but a misrouted frame is a config
	 * error better seen as a drop. */
	if (adn_clip_frame_decode(frame, len, &h, NULL) < 0 ||
	    h.type != ADN_CLIP_MSG_REQUEST || h.app_id != ADN_CLIP_APP_SNAT)
		return adn_drop(SNAT_DROP_MALFORMED);
	rte_spinlock_lock(&s->lock);
	s->requests++;
	rc = adn_clip_snat_handle(s->mirror, s->server_id, &s->pool, frame,
				  len, &created);
	if (rc == 0) {
		uint8_t st = frame[ADN_ETHER_HDR_LEN + 12];	/* status */

		if (created)
			s->created++;
		else if (st == ADN_CLIP_ST_OK)
			s->hits++;
		else if (st == ADN_CLIP_ST_NO_RESOURCE)
			snat_count_failure(e, s);
		else
			s->bad_request++;
	}
	rte_spinlock_unlock(&s->lock);
	return rc == 0 ? SNAT_OUT : adn_drop(SNAT_DROP_MALFORMED);
}

static unsigned int
snat_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	struct snat *s = adn_elem_priv(e);
	const struct { const char *name; uint64_t v; } v[] = {
		{ "requests", s->requests },
		{ "created", s->created },
		{ "hits", s->hits },
		{ "mappings", s->mirror ? adn_clip_table_count(s->mirror) : 0 },
		{ "pool-exhausted", s->exhausted },
		{ "table-full", s->table_full },
		{ "bad-request", s->bad_request },
	};
	unsigned int n = 0;

	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	return n;
}

static const struct adn_elem_desc snat_desc = {
	.name = "Snat",
	.help = "CLIP SNAT handler: allocate and remember public address:port",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct snat),
	.n_outputs = SNAT_N_OUT,
	.drop_reasons = snat_drops,
	.args = snat_args,
	.configure = snat_configure,
	.destroy = snat_destroy,
	ADN_ELEM_EXEC_STAGE(snat),
	.xstats = snat_xstats,
};

ADN_ELEM_REGISTER(snat_desc);
