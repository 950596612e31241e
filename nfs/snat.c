/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snat — CLIP's source-NAT handler on a server (CLIP §IV, App. A): answers
 * SNAT requests (app 1) in place with the flow's public <address, port>,
 * allocating a pair from its pool on the flow's first request and keeping
 * the mapping in its mirrored table (entries owned by `server_id`), which
 * is what the controller promotes into the switch table. The switch
 * learns every mapping from these responses; the control commands export
 * the mirror directly, so the controller can promote a flow whose
 * response it has not seen (apps/adn-switchsim --server-telemetry).
 *
 * Place it after a ClipServer output for app "snat"; it still checks every
 * request itself.
 *
 * Keys:
 *   server_id (int 0-65535, required)  this server's id, owner of entries
 *   ip_base   (string, required)       first public IPv4 address
 *   n_ips     (int 1-1024, default 1)  public addresses from ip_base
 *   port_lo   (int 1-65535, default 1024), port_hi (default 65535)
 *   capacity  (int 1-16777216, default 65536) mirrored table entries
 * Outputs: 0 — the response (also when the status is an error: the switch
 *   must see the failure and drop the flow's packet).
 * Drops: malformed — not a valid CLIP request, or not app SNAT.
 * Extra counters: requests, created, hits, mappings (live entries),
 *   pool-exhausted, table-full, bad-request (status errors by cause).
 *   The first exhaustion is logged once; the counters report the rest.
 * Control (adn_runtime_control, telemetry /adn/control,NAME ...): the
 *   mirrored table's export for top-N promotion (CLIP §III-D), read-only:
 *   lookup FLOW, export N [OFFSET], stats. Lines in the format of
 *   adn_clip_snat.h, which adn-switchsim parses.
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
#include "adn_parse.h"
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
	struct adn_nat_pool pool;
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
	  .min = 0, .max = 65535, .help = "this server's id",
	  .shapes_state = true },
	{ .name = "ip_base", .type = ADN_ARG_STRING, .required = true,
	  .help = "first public IPv4 address",
	  .shapes_state = true },
	{ .name = "n_ips", .type = ADN_ARG_INT, .min = 1, .max = 1024,
	  .def_int = 1, .help = "public addresses",
	  .shapes_state = true },
	{ .name = "port_lo", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 1024, .help = "lowest public port",
	  .shapes_state = true },
	{ .name = "port_hi", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 65535, .help = "highest public port",
	  .shapes_state = true },
	{ .name = "capacity", .type = ADN_ARG_INT, .min = 1, .max = 1 << 24,
	  .def_int = 65536, .help = "mirrored table entries",
	  .shapes_state = true },
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

	/* The table and the pool are state: kept across swaps. */
	if (adn_elem_priv_reused(e))
		return 0;
	rte_spinlock_init(&s->lock);
	s->server_id = (uint16_t)adn_elem_arg_int(e, "server_id");
	if (inet_pton(AF_INET, ip, &a) != 1)
		return adn_build_error(b, e, "ip_base",
				       "'%s' is not a dotted IPv4 address", ip);
	if (lo > hi)
		return adn_build_error(b, e, "port_hi",
				       "port_hi %lld below port_lo %lld",
				       (long long)hi, (long long)lo);
	rc = adn_nat_pool_init(&s->pool, ntohl(a.s_addr), (uint32_t)n_ips,
			       (uint16_t)lo, (uint16_t)hi);
	if (rc == -EINVAL)
		return adn_build_error(b, e, "n_ips",
				       "%s + %lld addresses wraps past 255.255.255.255",
				       ip, (long long)n_ips);
	if (rc < 0)
		return adn_build_error(b, e, "n_ips",
				       "cannot allocate the pool of %lld addresses: %s",
				       (long long)n_ips, strerror(-rc));
	rc = adn_clip_table_create((uint32_t)adn_elem_arg_int(e, "capacity"),
				   s->server_id, &s->mirror);
	if (rc < 0)
		return adn_build_error(b, e, "capacity",
				       "cannot allocate the table: %s",
				       strerror(-rc));
	return 0;
}

static void
snat_free(void *priv)
{
	struct snat *s = priv;

	adn_clip_table_free(s->mirror);
	adn_nat_pool_fini(&s->pool);
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

/* --- control (main or telemetry thread, workers parked) ---------------- */

/* At most this many entries per export: 64 lines of a mapping fit one
 * telemetry reply (16 KB) with room to spare. */
#define SNAT_EXPORT_MAX 64

static const char *const snat_control_help[] = {
	"lookup SRC_IP:SRC_PORT DST_IP:DST_PORT tcp|udp: the flow's mapping, or 'no entry'",
	"export N [OFFSET]: up to N (1-64) mappings from OFFSET in table order, one a line, after a count line",
	"stats: mirrored entries, capacity, pool use, requests",
	NULL,
};

static int
snat_ctl_lookup(struct snat *s, const char *args, char *reply, size_t len)
{
	const struct adn_clip_entry *m;
	struct adn_flow_key key;
	const char *end;
	char why[128];

	if (adn_clip_snat_flow_parse(args, &key, &end, why, sizeof(why)) < 0) {
		snprintf(reply, len, "lookup: %s", why);
		return -EINVAL;
	}
	end += strspn(end, " \t");
	if (*end != '\0') {
		snprintf(reply, len, "lookup: unexpected '%s' after the flow",
			 end);
		return -EINVAL;
	}
	/* find, not hit: an export must not count as traffic on the
	 * entry. */
	m = adn_clip_table_find(s->mirror, &key);
	if (m == NULL) {
		char flow[64];

		adn_clip_snat_flow_format(&key, flow, sizeof(flow));
		snprintf(reply, len, "no entry for %s", flow);
		return 0;
	}
	adn_clip_snat_entry_format(m, reply, len);
	return 0;
}

struct snat_export {
	uint64_t skip;		/* entries before OFFSET still to pass */
	uint64_t max;
	uint64_t count;
	char *buf;		/* lines go here, '\n' before each */
	size_t off, len;
};

static int
snat_export_cb(const struct adn_clip_entry *e, void *arg)
{
	struct snat_export *x = arg;
	char line[ADN_CLIP_SNAT_LINE_MAX];
	int n;

	if (x->skip > 0) {
		x->skip--;
		return 0;
	}
	n = adn_clip_snat_entry_format(e, line, sizeof(line));
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;	/* not a SNAT entry: cannot happen */
	/* Only whole lines: a cut line would parse as a wrong mapping. */
	if (x->off + 1 + (size_t)n >= x->len)
		return 1;
	x->buf[x->off++] = '\n';
	memcpy(x->buf + x->off, line, (size_t)n + 1);
	x->off += (size_t)n;
	return ++x->count == x->max;
}

static int
snat_ctl_export(struct snat *s, const char *args, char *reply, size_t len)
{
	char tok[2][24], head[96];
	struct snat_export x;
	uint64_t n, offset = 0, total = adn_clip_table_count(s->mirror);
	int ntok, rc;
	size_t hl;

	ntok = sscanf(args, "%23s %23s %1s", tok[0], tok[1], head);
	if (ntok < 1 || ntok > 2) {
		snprintf(reply, len, "export: want N [OFFSET]");
		return -EINVAL;
	}
	if (adn_parse_u64(tok[0], 1, SNAT_EXPORT_MAX, &n) < 0) {
		snprintf(reply, len, "export: N '%s' is not 1-%d", tok[0],
			 SNAT_EXPORT_MAX);
		return -EINVAL;
	}
	if (ntok == 2 && adn_parse_u64(tok[1], 0, UINT32_MAX, &offset) < 0) {
		snprintf(reply, len, "export: OFFSET '%s' is not a count",
			 tok[1]);
		return -EINVAL;
	}
	if (offset > total) {
		snprintf(reply, len,
			 "export: OFFSET %" PRIu64 " past the %" PRIu64 " entries",
			 offset, total);
		return -ERANGE;
	}
	/* The count line goes first but is known last: lines are written
	 * after room for the longest count line, then moved up to it. */
	hl = (size_t)snprintf(NULL, 0, "exported %u of %u from %u, next %u",
			      UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);
	if (len <= hl + 1) {
		snprintf(reply, len, "export: reply buffer too small");
		return -EMSGSIZE;
	}
	memset(&x, 0, sizeof(x));
	x.skip = offset;
	x.max = n;
	x.buf = reply + hl;
	x.len = len - hl;
	x.buf[0] = '\0';
	rc = adn_clip_table_walk(s->mirror, snat_export_cb, &x);
	if (rc < 0) {
		snprintf(reply, len, "export: %s", strerror(-rc));
		return rc;
	}
	if (x.count == 0 && offset < total) {
		snprintf(reply, len,
			 "export: reply buffer too small for one entry");
		return -EMSGSIZE;
	}
	snprintf(head, sizeof(head),
		 "exported %" PRIu64 " of %" PRIu64 " from %" PRIu64
		 ", next %" PRIu64, x.count, total, offset, offset + x.count);
	memmove(reply + strlen(head), x.buf, x.off + 1);
	memcpy(reply, head, strlen(head));
	return 0;
}

static int
snat_ctl_stats(struct snat *s, const char *args, char *reply, size_t len)
{
	args += strspn(args, " \t");
	if (*args != '\0') {
		snprintf(reply, len, "stats: takes no arguments, got '%s'",
			 args);
		return -EINVAL;
	}
	snprintf(reply, len,
		 "entries %u capacity %u pool-used %" PRIu64 " pool-size %"
		 PRIu64 " requests %" PRIu64 " created %" PRIu64,
		 adn_clip_table_count(s->mirror),
		 adn_clip_table_capacity(s->mirror), s->pool.used,
		 s->pool.size, s->requests, s->created);
	return 0;
}

/* Every command only reads: the handler returns 0 (no state change, so
 * no fastpath flush). Workers are parked by the caller, so the table is
 * not read under the data path's lock. */
static int
snat_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	struct snat *s = adn_elem_priv(e);
	size_t n;

	cmd += strspn(cmd, " \t");
	n = strcspn(cmd, " \t");
	if (n == 6 && strncmp(cmd, "lookup", 6) == 0)
		return snat_ctl_lookup(s, cmd + n, reply, len);
	if (n == 6 && strncmp(cmd, "export", 6) == 0)
		return snat_ctl_export(s, cmd + n, reply, len);
	if (n == 5 && strncmp(cmd, "stats", 5) == 0)
		return snat_ctl_stats(s, cmd + n, reply, len);
	snprintf(reply, len, "unknown command '%.*s' (lookup, export, stats)",
		 (int)n, cmd);
	return -EINVAL;
}

static const struct adn_elem_desc snat_desc = {
	.name = "Snat",
	.help = "CLIP SNAT handler: allocate and remember public address:port",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct snat),
	.priv_is_state = true,
	.priv_free = snat_free,
	.n_outputs = SNAT_N_OUT,
	.drop_reasons = snat_drops,
	.args = snat_args,
	.configure = snat_configure,
	ADN_ELEM_EXEC_STAGE(snat),
	.xstats = snat_xstats,
	.control = snat_control,
	.control_help = snat_control_help,
};

ADN_ELEM_REGISTER(snat_desc);
