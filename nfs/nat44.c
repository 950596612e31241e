/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Nat44 — source NAT for IPv4 (VPP nat44-ed's features, endpoint-
 * independent mapping): an inside endpoint <address, port, protocol> is
 * mapped on its first packet to a public <address, port> from the pool,
 * keeping its port when that port is free on some public address; the
 * return path (packets to a public address) is translated back by the
 * mapping. TCP, UDP and ICMP echo (the identifier is the port); checksums
 * updated by RFC 1624. Static DNAT mappings are permanent; dynamic ones
 * expire after their protocol's idle timeout, swept off the data path
 * (the element's tick, on the control thread).
 *
 * Direction is by address: a packet to one of the public addresses (the
 * pool's, a static mapping's) is return traffic; any other packet is
 * outbound. So one instance serves both directions from one or more
 * inputs.
 *
 * The allocation and the rewrite are lib/nf's (adn_nat.h), the ones CLIP's
 * Snat uses; sessions are lib/nf/adn_nat_table.h's: an rte_hash with
 * lock-free lookups, shared by all workers (STATEFUL_SHARED), so a flow
 * and its return traffic may be on different workers; a session is
 * created under one lock. The table is state: it survives plan swaps and
 * reloads that keep the keys marked (s) below.
 *
 * Stages: prep parses and keys the packet; bulk looks the sessions of
 * all its packets up in one rte_hash bulk call (their cache misses
 * overlap, NFMorph's batching); exec translates, making the session of
 * an outbound miss.
 *
 * Keys:
 *   ip_base      (string, required, s) first public IPv4 address
 *   n_ips        (int 1-1024, default 1, s) public addresses from ip_base
 *   port_lo      (int 1-65535, default 1024, s), port_hi (default 65535, s)
 *   max_sessions (int 1-16777216, default 65536, s) dynamic sessions at once
 *   static       (list of strings, default none, s) permanent mappings,
 *                "PROTO PUBLIC_IP:PORT -> INSIDE_IP:PORT", PROTO tcp, udp
 *                or icmp (ports are echo identifiers); at most 256
 *   udp_timeout, tcp_established_timeout, tcp_transitory_timeout,
 *   icmp_timeout (int seconds 1-2000000, default 300, 7440, 240, 60):
 *                idle time before a session expires; TCP is established
 *                once seen both ways until a FIN or RST, transitory else
 * Outputs: 0 — translated outbound (source rewritten), toward the outside;
 *          1 — translated return traffic (destination rewritten), inside.
 * Drops: not-ipv4; malformed (bad IPv4 header, L4 header truncated in the
 *   first segment); unsupported (not TCP, UDP or ICMP echo, a fragment);
 *   pool-exhausted, session-cap (a new session could not be made);
 *   no-session (return traffic, or an inside echo reply, with no mapping).
 * Extra counters: sessions-created, sessions-expired, sessions-active,
 *   sessions-static, pool-used, pool-size (public pairs).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "adn_elem.h"
#include "adn_nat_table.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { NAT44_OUT_OUTSIDE, NAT44_OUT_INSIDE, NAT44_N_OUT };

enum {
	NAT44_DROP_NOT_IPV4,
	NAT44_DROP_MALFORMED,
	NAT44_DROP_UNSUPPORTED,
	NAT44_DROP_POOL_EXHAUSTED,
	NAT44_DROP_SESSION_CAP,
	NAT44_DROP_NO_SESSION,
};

static const char *const nat44_drops[] = {
	[NAT44_DROP_NOT_IPV4] = "not-ipv4",
	[NAT44_DROP_MALFORMED] = "malformed",
	[NAT44_DROP_UNSUPPORTED] = "unsupported",
	[NAT44_DROP_POOL_EXHAUSTED] = "pool-exhausted",
	[NAT44_DROP_SESSION_CAP] = "session-cap",
	[NAT44_DROP_NO_SESSION] = "no-session",
	NULL,
};

/* The table's verdict as the element's output code. */
static const int16_t nat44_codes[] = {
	[ADN_NAT_IN2OUT] = NAT44_OUT_OUTSIDE,
	[ADN_NAT_OUT2IN] = NAT44_OUT_INSIDE,
	[ADN_NAT_MALFORMED] = ADN_DROP_BASE - NAT44_DROP_MALFORMED,
	[ADN_NAT_UNSUPPORTED] = ADN_DROP_BASE - NAT44_DROP_UNSUPPORTED,
	[ADN_NAT_POOL_EXHAUSTED] = ADN_DROP_BASE - NAT44_DROP_POOL_EXHAUSTED,
	[ADN_NAT_SESSION_CAP] = ADN_DROP_BASE - NAT44_DROP_SESSION_CAP,
	[ADN_NAT_NO_SESSION] = ADN_DROP_BASE - NAT44_DROP_NO_SESSION,
};

/* Sweep per tick (every few ms): slots looked at, sessions freed. */
#define NAT44_SWEEP_SCAN 65536
#define NAT44_SWEEP_MAX 4096

#define NAT44_TIMEOUT_MAX 2000000	/* s; fits a uint32 of ms */

/* The state object. */
struct nat44_state {
	struct adn_nat *nat;
};

struct nat44 {
	struct adn_nat *nat;	/* the state's */
	uint64_t tsc_per_ms;
};

static const char *const nat44_timeout_keys[ADN_NAT_N_TO] = {
	[ADN_NAT_TO_UDP] = "udp_timeout",
	[ADN_NAT_TO_TCP_EST] = "tcp_established_timeout",
	[ADN_NAT_TO_TCP_TRANS] = "tcp_transitory_timeout",
	[ADN_NAT_TO_ICMP] = "icmp_timeout",
};

static const struct adn_arg_spec nat44_args[] = {
	{ .name = "ip_base", .type = ADN_ARG_STRING, .required = true,
	  .help = "first public IPv4 address", .shapes_state = true },
	{ .name = "n_ips", .type = ADN_ARG_INT, .min = 1, .max = 1024,
	  .def_int = 1, .help = "public addresses", .shapes_state = true },
	{ .name = "port_lo", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 1024, .help = "lowest public port",
	  .shapes_state = true },
	{ .name = "port_hi", .type = ADN_ARG_INT, .min = 1, .max = 65535,
	  .def_int = 65535, .help = "highest public port",
	  .shapes_state = true },
	{ .name = "max_sessions", .type = ADN_ARG_INT, .min = 1,
	  .max = 1 << 24, .def_int = 65536,
	  .help = "dynamic sessions at once", .shapes_state = true },
	{ .name = "static", .type = ADN_ARG_LIST,
	  .help = "\"PROTO PUBLIC_IP:PORT -> INSIDE_IP:PORT\" mappings",
	  .shapes_state = true },
	{ .name = "udp_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = NAT44_TIMEOUT_MAX, .def_int = ADN_NAT_DEF_UDP_S,
	  .help = "UDP idle timeout, s" },
	{ .name = "tcp_established_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = NAT44_TIMEOUT_MAX, .def_int = ADN_NAT_DEF_TCP_EST_S,
	  .help = "established TCP idle timeout, s" },
	{ .name = "tcp_transitory_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = NAT44_TIMEOUT_MAX, .def_int = ADN_NAT_DEF_TCP_TRANS_S,
	  .help = "opening/closing TCP idle timeout, s" },
	{ .name = "icmp_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = NAT44_TIMEOUT_MAX, .def_int = ADN_NAT_DEF_ICMP_S,
	  .help = "ICMP echo idle timeout, s" },
	{ .name = NULL },
};

static void
nat44_state_destroy(void *data)
{
	struct nat44_state *st = data;

	adn_nat_free(st->nat);
}

/* "A.B.C.D:PORT" into host-order ip and port; 0 or -EINVAL. */
static int
nat44_endpoint(const char *s, uint32_t *ip, uint16_t *port)
{
	char addr[16];
	unsigned int p;
	struct in_addr a;
	char tail;

	if (sscanf(s, "%15[0-9.]:%u%c", addr, &p, &tail) != 2 || p > 65535 ||
	    inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	*port = (uint16_t)p;
	return 0;
}

/* One static mapping from its config string. */
static int
nat44_static(struct adn_build *b, struct adn_elem *e, struct adn_nat *nat,
	     const config_setting_t *s)
{
	static const struct { const char *name; uint8_t proto; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 },
	};
	const char *v = config_setting_get_string(s);
	char proto[8], pub[32], in[32], tail;
	uint32_t pip, iip;
	uint16_t pport, iport;
	int p = -1, rc;

	if (v == NULL || sscanf(v, "%7s %31s -> %31s %c", proto, pub, in,
				&tail) != 3)
		return adn_build_error_at(b, e, s, "static",
					  "'%s': want \"PROTO PUBLIC_IP:PORT -> INSIDE_IP:PORT\"",
					  v ? v : "(not a string)");
	for (unsigned int i = 0; i < RTE_DIM(protos); i++)
		if (strcmp(proto, protos[i].name) == 0)
			p = protos[i].proto;
	if (p < 0)
		return adn_build_error_at(b, e, s, "static",
					  "'%s': protocol '%s' is not tcp, udp or icmp",
					  v, proto);
	if (nat44_endpoint(pub, &pip, &pport) < 0 ||
	    nat44_endpoint(in, &iip, &iport) < 0)
		return adn_build_error_at(b, e, s, "static",
					  "'%s': an endpoint is not A.B.C.D:PORT (port 0-65535)",
					  v);
	rc = adn_nat_static_add(nat, (uint8_t)p, pip, pport, iip, iport);
	if (rc == -EEXIST)
		return adn_build_error_at(b, e, s, "static",
					  "'%s': an endpoint is mapped already",
					  v);
	if (rc < 0)
		return adn_build_error_at(b, e, s, "static",
					  "'%s': at most %d static mappings",
					  v, ADN_NAT_STATIC_MAX);
	return 0;
}

static int
nat44_build(struct adn_elem *e, struct adn_build *b, struct nat44_state *st)
{
	const char *ip = adn_elem_arg_str(e, "ip_base");
	const config_setting_t *statics = adn_elem_arg(e, "static");
	int64_t lo = adn_elem_arg_int(e, "port_lo");
	int64_t hi = adn_elem_arg_int(e, "port_hi");
	char name[24];
	struct adn_nat_conf c = {
		.name = name,
		.socket = (int)rte_socket_id(),
		.n_ips = (uint32_t)adn_elem_arg_int(e, "n_ips"),
		.port_lo = (uint16_t)lo,
		.port_hi = (uint16_t)hi,
		.max_sessions = (uint32_t)adn_elem_arg_int(e, "max_sessions"),
	};
	struct in_addr a;
	int rc;

	if (inet_pton(AF_INET, ip, &a) != 1)
		return adn_build_error(b, e, "ip_base",
				       "'%s' is not a dotted IPv4 address", ip);
	if (lo > hi)
		return adn_build_error(b, e, "port_hi",
				       "port_hi %" PRId64 " below port_lo %" PRId64,
				       hi, lo);
	c.ip_base = ntohl(a.s_addr);
	/* The state object's address names the hash: unique while alive,
	 * also beside the object of the previous shape. */
	snprintf(name, sizeof(name), "%" PRIxPTR, (uintptr_t)st);
	rc = adn_nat_create(&c, &st->nat);
	if (rc == -EINVAL)
		return adn_build_error(b, e, "n_ips",
				       "%s + %u addresses wraps past 255.255.255.255",
				       ip, c.n_ips);
	if (rc < 0)
		return adn_build_error(b, e, "max_sessions",
				       "cannot allocate %u sessions: %s",
				       c.max_sessions, strerror(-rc));
	for (int i = 0; statics != NULL && i < config_setting_length(statics);
	     i++) {
		rc = nat44_static(b, e, st->nat,
				  config_setting_get_elem(statics, i));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
nat44_configure(struct adn_elem *e, struct adn_build *b)
{
	struct nat44 *x = adn_elem_priv(e);
	uint32_t to_ms[ADN_NAT_N_TO];
	struct nat44_state *st;
	struct adn_state_ref ref;
	int rc;

	rc = adn_elem_state(e, b, "sessions", sizeof(*st),
			    nat44_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	st = ref.data;
	if (!ref.reused) {
		rc = nat44_build(e, b, st);
		if (rc < 0)
			return rc;
	}
	/* Timeouts do not shape the table: the next sweeps apply them. */
	for (int i = 0; i < ADN_NAT_N_TO; i++)
		to_ms[i] = (uint32_t)adn_elem_arg_int(e, nat44_timeout_keys[i]) *
			1000u;
	adn_nat_set_timeouts(st->nat, to_ms);
	x->nat = st->nat;
	x->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	return 0;
}

static inline uint64_t
nat44_now_ms(const struct nat44 *x)
{
	return rte_get_tsc_cycles() / x->tsc_per_ms;
}

/* What prep leaves for bulk, and bulk for exec. */
struct nat44_ctx {
	struct adn_nat_pkt pkt;
	uint8_t ipv4;		/* 0: not IPv4, exec drops it */
};

/* Parse and key the packet; bulk reads the shared table. */
static const void *
nat44_prep(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct nat44 *x = adn_elem_priv(e);
	struct nat44_ctx *c = ADN_PKT_CTX(ctx, struct nat44_ctx);
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);

	c->ipv4 = ip != NULL;
	if (ip == NULL)
		c->pkt.decided = 1;
	else
		adn_nat_classify(x->nat, (const uint8_t *)ip,
				 rte_pktmbuf_data_len(m) - m->l2_len, &c->pkt);
	return NULL;
}

/* One rte_hash bulk lookup for all the packets: their bucket, key and
 * session misses overlap instead of following one another. */
static void
nat44_bulk(struct adn_elem *e, struct rte_mbuf *const *m,
	   union adn_pkt_ctx *const *ctx, uint16_t n)
{
	const struct nat44 *x = adn_elem_priv(e);
	struct adn_nat_pkt *p[ADN_BATCH_MAX];

	RTE_BUILD_BUG_ON(ADN_BATCH_MAX > ADN_NF_BULK_MAX);
	RTE_SET_USED(m);
	for (uint16_t k = 0; k < n; k++)
		p[k] = &ADN_PKT_CTX(ctx[k], struct nat44_ctx)->pkt;
	adn_nat_lookup_bulk(x->nat, p, n);
}

static int
nat44_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct nat44 *x = adn_elem_priv(e);
	const struct nat44_ctx *c = ADN_PKT_CTX(ctx, const struct nat44_ctx);

	if (!c->ipv4)
		return adn_drop(NAT44_DROP_NOT_IPV4);
	return nat44_codes[adn_nat_apply(x->nat,
					 (uint8_t *)adn_pkt_ipv4(m),
					 rte_pktmbuf_data_len(m) - m->l2_len,
					 nat44_now_ms(x), &c->pkt)];
}

/* A sweep's sessions, freed after the grace period. */
struct nat44_swept {
	struct adn_nat *nat;
	unsigned int n;
	uint32_t idx[];
};

static void
nat44_release(void *p)
{
	struct nat44_swept *w = p;

	adn_nat_release(w->nat, w->idx, w->n);
	free(w);
}

/* Control thread, every few ms: expire idle sessions; their slots and
 * pairs go back once no worker can hold them. Without memory for the
 * list nothing is swept this time. */
static void
nat44_tick(struct adn_elem *e)
{
	const struct nat44 *x = adn_elem_priv(e);
	struct nat44_swept *w;

	w = malloc(sizeof(*w) + sizeof(w->idx[0]) * NAT44_SWEEP_MAX);
	if (w == NULL)
		return;
	w->nat = x->nat;
	w->n = adn_nat_sweep(x->nat, nat44_now_ms(x), NAT44_SWEEP_SCAN,
			     w->idx, NAT44_SWEEP_MAX);
	if (w->n == 0) {
		free(w);
		return;
	}
	adn_elem_defer_free(e, nat44_release, w);
}

static unsigned int
nat44_xstats(const struct adn_elem *e, struct adn_xstat *out,
	     unsigned int max)
{
	const struct nat44 *x = adn_elem_priv(e);
	struct adn_nat_stats st;
	unsigned int n = 0;

	if (x->nat == NULL)
		return 0;
	adn_nat_stats(x->nat, &st);
	const struct { const char *name; uint64_t v; } v[] = {
		{ "sessions-created", st.created },
		{ "sessions-expired", st.expired },
		{ "sessions-active", st.active },
		{ "sessions-static", st.statics },
		{ "pool-used", st.pool_used },
		{ "pool-size", st.pool_size },
	};

	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	return n;
}

static const struct adn_elem_desc nat44_desc = {
	.name = "Nat44",
	.help = "source NAT44 with a port pool, static DNAT, timeouts (both directions)",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct nat44),
	.n_outputs = NAT44_N_OUT,
	.drop_reasons = nat44_drops,
	.args = nat44_args,
	.configure = nat44_configure,
	ADN_ELEM_BULK_STAGES(nat44),
	.tick = nat44_tick,
	.xstats = nat44_xstats,
};

ADN_ELEM_REGISTER(nat44_desc);
