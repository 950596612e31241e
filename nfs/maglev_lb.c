/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MaglevLb — an L4 load balancer (VPP lb, Katran): packets to a VIP
 * (protocol, address, port) go to one of its weighted backends, chosen for
 * a new flow by Maglev consistent hashing of the 5-tuple (NSDI'16) and
 * kept by connection tracking, so established flows stay on their backend
 * while backends are added, drained or reweighted. Forwarding by `mode`:
 *   dnat — destination rewritten to the backend (its port when it has
 *          one), checksums by RFC 1624; the backend's replies, which must
 *          come back through this element, get the VIP as their source;
 *   ipip — the packet is encapsulated in an outer IPv4 header (protocol 4)
 *          from `encap_src` to the backend, which answers the client
 *          directly (direct server return).
 *
 * State (lib/nf/adn_lb.h): flows in an rte_hash with lock-free readers,
 * shared by the workers (STATEFUL_SHARED); a new flow is inserted under
 * one lock. Maglev tables are rebuilt on the control thread and published
 * by one pointer store; the old one is freed after an RCU grace period.
 * Idle flows are swept by the element's tick. The state (VIPs, backends as
 * changed by control, flows) survives plan swaps and reloads that keep
 * the keys marked (s).
 *
 * Keys:
 *   vips        (list of groups, required, s): { vip = "PROTO A.B.C.D:PORT";
 *               backends = ( "A.B.C.D[:PORT] [WEIGHT]", ... ); } — PROTO
 *               tcp or udp; PORT 0: every port (an all-port VIP); WEIGHT
 *               1-65535 (default 1); at most 16 VIPs and 64 backends each
 *   mode        ("dnat" default, or "ipip", s)
 *   encap_src   (string, required for ipip) outer source address
 *   table_size  (int, prime, 2-4194301, default 65537, s) Maglev M
 *   max_flows   (int 1-16777216, default 1048576, s) tracked flows
 *   flow_timeout (int seconds 1-2000000, default 300) idle flow timeout
 * Outputs: 0 — to a backend (rewritten or encapsulated); 1 — a backend's
 *   reply, source set back to the VIP (dnat); 2 — for no VIP, untouched.
 * Drops: not-ipv4; malformed (bad IPv4 header, L4 header truncated);
 *   unsupported (to a VIP address but not TCP/UDP, or a fragment);
 *   no-backend (the VIP has no backend taking new flows); no-headroom
 *   (ipip: no room for the outer header).
 * Extra counters: flows (tracked now), flows-created, flows-expired,
 *   untracked (forwarded by Maglev alone: flow table full), then
 *   vip<i>-packets per VIP. Per-backend counters: control `stats`.
 * Control: add, remove, drain, weight, stats (docs/elements.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_lb.h"
#include "adn_maglev.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum {
	MAGLEV_LB_OUT_BACKEND,
	MAGLEV_LB_OUT_REPLY,
	MAGLEV_LB_OUT_MISS,
	MAGLEV_LB_N_OUT,
};

enum {
	MAGLEV_LB_DROP_NOT_IPV4,
	MAGLEV_LB_DROP_MALFORMED,
	MAGLEV_LB_DROP_UNSUPPORTED,
	MAGLEV_LB_DROP_NO_BACKEND,
	MAGLEV_LB_DROP_NO_HEADROOM,
};

static const char *const maglev_lb_drops[] = {
	[MAGLEV_LB_DROP_NOT_IPV4] = "not-ipv4",
	[MAGLEV_LB_DROP_MALFORMED] = "malformed",
	[MAGLEV_LB_DROP_UNSUPPORTED] = "unsupported",
	[MAGLEV_LB_DROP_NO_BACKEND] = "no-backend",
	[MAGLEV_LB_DROP_NO_HEADROOM] = "no-headroom",
	NULL,
};

static const int16_t maglev_lb_codes[] = {
	[ADN_LB_FORWARD] = MAGLEV_LB_OUT_BACKEND,
	[ADN_LB_REPLY] = MAGLEV_LB_OUT_REPLY,
	[ADN_LB_MISS] = MAGLEV_LB_OUT_MISS,
	[ADN_LB_MALFORMED] = ADN_DROP_BASE - MAGLEV_LB_DROP_MALFORMED,
	[ADN_LB_UNSUPPORTED] = ADN_DROP_BASE - MAGLEV_LB_DROP_UNSUPPORTED,
	[ADN_LB_NO_BACKEND] = ADN_DROP_BASE - MAGLEV_LB_DROP_NO_BACKEND,
};

static const char *const maglev_lb_modes[] = { "dnat", "ipip", NULL };

#define MAGLEV_LB_SWEEP_SCAN 65536
#define MAGLEV_LB_SWEEP_MAX 4096
#define MAGLEV_LB_TIMEOUT_MAX 2000000

struct maglev_lb_state {
	struct adn_lb *lb;
};

struct maglev_lb {
	struct adn_lb *lb;		/* the state's */
	bool ipip;
	uint32_t encap_src;		/* network order */
	uint64_t tsc_per_ms;
};

static const struct adn_arg_spec maglev_lb_args[] = {
	{ .name = "vips", .type = ADN_ARG_LIST, .required = true,
	  .help = "{ vip = \"PROTO IP:PORT\"; backends = ( \"IP[:PORT] [WEIGHT]\" ); }",
	  .shapes_state = true },
	{ .name = "mode", .type = ADN_ARG_STRING, .choices = maglev_lb_modes,
	  .def_str = "dnat", .help = "dnat or ipip", .shapes_state = true },
	{ .name = "encap_src", .type = ADN_ARG_STRING, .def_str = "",
	  .help = "ipip outer source address" },
	{ .name = "table_size", .type = ADN_ARG_INT, .min = 2,
	  .max = 4194301, .def_int = 65537, .help = "Maglev table size, prime",
	  .shapes_state = true },
	{ .name = "max_flows", .type = ADN_ARG_INT, .min = 1, .max = 1 << 24,
	  .def_int = 1 << 20, .help = "tracked flows", .shapes_state = true },
	{ .name = "flow_timeout", .type = ADN_ARG_INT, .min = 1,
	  .max = MAGLEV_LB_TIMEOUT_MAX, .def_int = 300,
	  .help = "idle flow timeout, s" },
	{ .name = NULL },
};

static void
maglev_lb_state_destroy(void *data)
{
	struct maglev_lb_state *st = data;

	adn_lb_free(st->lb);
}

/* "PROTO A.B.C.D:PORT" into proto, ip, port; 0 or -EINVAL; *end past it. */
static int
maglev_lb_vip_parse(const char *s, uint8_t *proto, uint32_t *ip,
		    uint16_t *port, const char **end)
{
	char p[8], ep[32];
	int n = 0;

	if (sscanf(s, " %7s %31s%n", p, ep, &n) != 2)
		return -EINVAL;
	if (strcmp(p, "tcp") == 0)
		*proto = 6;
	else if (strcmp(p, "udp") == 0)
		*proto = 17;
	else
		return -EINVAL;
	if (adn_maglev_endpoint_parse(ep, true, ip, port) < 0)
		return -EINVAL;
	*end = s + n;
	return 0;
}

static int
maglev_lb_vip(struct adn_build *b, struct adn_elem *e, struct adn_lb *lb,
	      const config_setting_t *g)
{
	const char *vs = NULL, *end;
	const config_setting_t *bes = config_setting_get_member(g, "backends");
	uint32_t ip, bip, w;
	uint16_t port, bport;
	uint8_t proto;
	void *old;
	int vip, rc;

	if (!config_setting_is_group(g) ||
	    !config_setting_lookup_string(g, "vip", &vs) ||
	    maglev_lb_vip_parse(vs, &proto, &ip, &port, &end) < 0 ||
	    end[strspn(end, " \t")] != '\0')
		return adn_build_error_at(b, e, g, "vips",
					  "'%s': want { vip = \"tcp|udp A.B.C.D:PORT\"; backends = ( ... ); }",
					  vs ? vs : "(no vip)");
	vip = adn_lb_vip_add(lb, proto, ip, port);
	if (vip == -EEXIST)
		return adn_build_error_at(b, e, g, "vips",
					  "'%s' appears twice", vs);
	if (vip < 0)
		return adn_build_error_at(b, e, g, "vips",
					  "'%s': at most %d VIPs", vs,
					  ADN_LB_MAX_VIPS);
	if (bes == NULL || !config_setting_is_aggregate(bes))
		return adn_build_error_at(b, e, g, "backends",
					  "VIP '%s' needs a list of backends",
					  vs);
	for (int i = 0; i < config_setting_length(bes); i++) {
		const config_setting_t *s = config_setting_get_elem(bes, i);
		const char *bs = config_setting_get_string(s);

		if (bs == NULL ||
		    adn_maglev_backend_parse(bs, &bip, &bport, &w, false) < 0)
			return adn_build_error_at(b, e, s, "backends",
						  "'%s': want \"A.B.C.D[:PORT] [WEIGHT 1-65535]\"",
						  bs ? bs : "(not a string)");
		rc = adn_lb_backend_add(lb, vip, bip, bport, w, &old);
		adn_lb_table_free(old);	/* no worker saw it yet */
		if (rc < 0)
			return adn_build_error_at(b, e, s, "backends",
						  "'%s': %s", bs,
						  rc == -EEXIST ? "listed twice" :
						  "too many backends (64)");
	}
	return 0;
}

static int
maglev_lb_build(struct adn_elem *e, struct adn_build *b,
		struct maglev_lb_state *st)
{
	const config_setting_t *vips = adn_elem_arg(e, "vips");
	char name[24];
	struct adn_lb_conf c = {
		.name = name,
		.socket = (int)rte_socket_id(),
		.mode = strcmp(adn_elem_arg_str(e, "mode"), "ipip") == 0 ?
			ADN_LB_IPIP : ADN_LB_DNAT,
		.table_size = (uint32_t)adn_elem_arg_int(e, "table_size"),
		.max_flows = (uint32_t)adn_elem_arg_int(e, "max_flows"),
	};
	int rc;

	if (!adn_maglev_is_prime(c.table_size))
		return adn_build_error(b, e, "table_size",
				       "%u is not prime (e.g. 65537, 655373)",
				       c.table_size);
	snprintf(name, sizeof(name), "%" PRIxPTR, (uintptr_t)st);
	rc = adn_lb_create(&c, &st->lb);
	if (rc < 0)
		return adn_build_error(b, e, "max_flows",
				       "cannot allocate %u flows: %s",
				       c.max_flows, strerror(-rc));
	if (config_setting_length(vips) == 0)
		return adn_build_error(b, e, "vips", "no VIP");
	for (int i = 0; i < config_setting_length(vips); i++) {
		rc = maglev_lb_vip(b, e, st->lb,
				   config_setting_get_elem(vips, i));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
maglev_lb_configure(struct adn_elem *e, struct adn_build *b)
{
	struct maglev_lb *x = adn_elem_priv(e);
	const char *src = adn_elem_arg_str(e, "encap_src");
	struct maglev_lb_state *st;
	struct adn_state_ref ref;
	struct in_addr a;
	int rc;

	x->ipip = strcmp(adn_elem_arg_str(e, "mode"), "ipip") == 0;
	if (x->ipip && inet_pton(AF_INET, src, &a) != 1)
		return adn_build_error(b, e, "encap_src",
				       "'%s' is not a dotted IPv4 address (mode ipip needs one)",
				       src);
	x->encap_src = x->ipip ? a.s_addr : 0;
	rc = adn_elem_state(e, b, "flows", sizeof(*st),
			    maglev_lb_state_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	st = ref.data;
	if (!ref.reused) {
		rc = maglev_lb_build(e, b, st);
		if (rc < 0)
			return rc;
	}
	adn_lb_set_timeout(st->lb,
			   (uint32_t)adn_elem_arg_int(e, "flow_timeout") * 1000u);
	x->lb = st->lb;
	x->tsc_per_ms = RTE_MAX(rte_get_tsc_hz() / 1000, (uint64_t)1);
	return 0;
}

static inline uint64_t
maglev_lb_now_ms(const struct maglev_lb *x)
{
	return rte_get_tsc_cycles() / x->tsc_per_ms;
}

/* Put an outer IPv4 header (protocol 4) from src to dst in front of the
 * inner one, after the L2 header. 0, or -ENOSPC without headroom. */
static int
maglev_lb_encap(struct rte_mbuf *m, uint32_t src, uint32_t dst)
{
	const uint16_t l2 = m->l2_len;
	struct rte_ipv4_hdr *in, *out;
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*out));

	if (p == NULL)
		return -ENOSPC;
	memmove(p, p + sizeof(*out), l2);
	out = (struct rte_ipv4_hdr *)(p + l2);
	in = out + 1;
	memset(out, 0, sizeof(*out));
	out->version_ihl = RTE_IPV4_VHL_DEF;
	out->type_of_service = in->type_of_service;
	out->total_length = rte_cpu_to_be_16(
		rte_be_to_cpu_16(in->total_length) + sizeof(*out));
	out->fragment_offset = in->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	out->time_to_live = 64;
	out->next_proto_id = IPPROTO_IPIP;
	out->src_addr = src;
	out->dst_addr = dst;
	out->hdr_checksum = rte_ipv4_cksum(out);
	return 0;
}

static int
maglev_lb_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct maglev_lb *x = adn_elem_priv(e);
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	enum adn_lb_verdict v;
	uint32_t be;

	if (ip == NULL)
		return adn_drop(MAGLEV_LB_DROP_NOT_IPV4);
	v = adn_lb_process(x->lb, (uint8_t *)ip,
			   rte_pktmbuf_data_len(m) - m->l2_len,
			   maglev_lb_now_ms(x), &be);
	if (v == ADN_LB_FORWARD && x->ipip) {
		if (maglev_lb_encap(m, x->encap_src, be) < 0)
			return adn_drop(MAGLEV_LB_DROP_NO_HEADROOM);
		/* A new outer header: what follows reads it, not the old. */
		adn_pkt_parse(m);
	}
	return maglev_lb_codes[v];
}

/* Swept or removed flows, released after the grace period. */
struct maglev_lb_swept {
	struct adn_lb *lb;
	unsigned int n;
	uint32_t idx[];
};

static void
maglev_lb_release(void *p)
{
	struct maglev_lb_swept *w = p;

	adn_lb_release(w->lb, w->idx, w->n);
	free(w);
}

static void
maglev_lb_tick(struct adn_elem *e)
{
	const struct maglev_lb *x = adn_elem_priv(e);
	struct maglev_lb_swept *w;

	w = malloc(sizeof(*w) + sizeof(w->idx[0]) * MAGLEV_LB_SWEEP_MAX);
	if (w == NULL)
		return;	/* nothing swept this time */
	w->lb = x->lb;
	w->n = adn_lb_sweep(x->lb, maglev_lb_now_ms(x), MAGLEV_LB_SWEEP_SCAN,
			    w->idx, MAGLEV_LB_SWEEP_MAX);
	if (w->n == 0) {
		free(w);
		return;
	}
	adn_elem_defer_free(e, maglev_lb_release, w);
}

static unsigned int
maglev_lb_xstats(const struct adn_elem *e, struct adn_xstat *out,
		 unsigned int max)
{
	const struct maglev_lb *x = adn_elem_priv(e);
	struct adn_lb_vip_stats vs;
	struct adn_lb_stats st;
	unsigned int n = 0;

	if (x->lb == NULL)
		return 0;
	adn_lb_stats(x->lb, &st);
	const struct { const char *name; uint64_t v; } v[] = {
		{ "flows", st.flows },
		{ "flows-created", st.created },
		{ "flows-expired", st.expired },
		{ "untracked", st.untracked },
	};

	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	for (unsigned int i = 0; i < adn_lb_n_vips(x->lb) && n < max; i++) {
		adn_lb_vip_stats(x->lb, (int)i, &vs);
		snprintf(out[n].name, sizeof(out[n].name), "vip%u-packets", i);
		out[n++].value = vs.packets;
	}
	return n;
}

/* --- control (control thread, workers running) ------------------------ */

static const char *const maglev_lb_control_help[] = {
	"add PROTO VIP:PORT BACKEND[:PORT] [WEIGHT]: a backend (or a draining one back), new flows reshuffled by Maglev",
	"remove PROTO VIP:PORT BACKEND[:PORT]: out of the table; its flows move, no other flow does",
	"drain PROTO VIP:PORT BACKEND[:PORT]: takes no new flows, keeps its flows",
	"weight PROTO VIP:PORT BACKEND[:PORT] WEIGHT: a new weight (1-65535)",
	"stats: per VIP and backend: state, weight, flows, new flows, packets",
	NULL,
};

static const char *const maglev_lb_states[] = {
	[ADN_LB_BE_FREE] = "removed",
	[ADN_LB_BE_ACTIVE] = "active",
	[ADN_LB_BE_DRAINING] = "draining",
};

static int
maglev_lb_ctl_stats(const struct maglev_lb *x, char *reply, size_t len)
{
	size_t off = 0;

	reply[0] = '\0';
	for (unsigned int i = 0; i < adn_lb_n_vips(x->lb); i++) {
		struct adn_lb_vip_stats vs;

		adn_lb_vip_stats(x->lb, (int)i, &vs);
		off += (size_t)snprintf(reply + off, off < len ? len - off : 0,
			"%svip %s %u.%u.%u.%u:%u packets %" PRIu64 " new-flows %"
			PRIu64 " no-backend %" PRIu64, off ? "\n" : "",
			vs.proto == 6 ? "tcp" : "udp", vs.ip >> 24,
			(vs.ip >> 16) & 255, (vs.ip >> 8) & 255, vs.ip & 255,
			vs.port, vs.packets, vs.new_flows, vs.no_backend);
		for (unsigned int b = 0; b < vs.n_backends; b++) {
			struct adn_lb_be_stats bs;

			adn_lb_be_stats(x->lb, (int)i, b, &bs);
			if (bs.state == ADN_LB_BE_FREE)
				continue;
			off += (size_t)snprintf(reply + off,
				off < len ? len - off : 0,
				"\n  backend %u.%u.%u.%u:%u %s weight %u flows %"
				PRIu64 " new-flows %" PRIu64 " packets %" PRIu64,
				bs.ip >> 24, (bs.ip >> 16) & 255,
				(bs.ip >> 8) & 255, bs.ip & 255, bs.port,
				maglev_lb_states[bs.state], bs.weight, bs.flows,
				bs.new_flows, bs.packets);
		}
	}
	if (off >= len) {
		snprintf(reply, len, "stats: reply buffer too small");
		return -EMSGSIZE;
	}
	return 0;
}

/* A backend command: "VERB PROTO VIP:PORT BACKEND[:PORT] [WEIGHT]". */
static int
maglev_lb_ctl_backend(struct adn_elem *e, const char *verb, const char *args,
		      char *reply, size_t len)
{
	const struct maglev_lb *x = adn_elem_priv(e);
	const bool want_w = strcmp(verb, "weight") == 0;
	const bool may_w = want_w || strcmp(verb, "add") == 0;
	uint32_t vip_ip, bip, w = 1;
	uint16_t vport, bport;
	uint8_t proto;
	const char *rest;
	char be[32], extra[2];
	void *old = NULL;
	int vip, rc;


	if (maglev_lb_vip_parse(args, &proto, &vip_ip, &vport, &rest) < 0 ||
	    adn_maglev_backend_parse(rest, &bip, &bport, &w, want_w) < 0 ||
	    (!may_w && sscanf(rest, " %31s %1s", be, extra) != 1)) {
		snprintf(reply, len, "%s: want tcp|udp VIP:PORT BACKEND[:PORT]%s",
			 verb, want_w ? " WEIGHT" : may_w ? " [WEIGHT]" : "");
		return -EINVAL;
	}
	vip = adn_lb_vip_find(x->lb, proto, vip_ip, vport);
	if (vip < 0) {
		snprintf(reply, len, "%s: no such VIP", verb);
		return vip;
	}
	if (strcmp(verb, "add") == 0) {
		rc = adn_lb_backend_add(x->lb, vip, bip, bport, w, &old);
	} else if (strcmp(verb, "drain") == 0) {
		rc = adn_lb_backend_drain(x->lb, vip, bip, bport, &old);
	} else if (want_w) {
		rc = adn_lb_backend_weight(x->lb, vip, bip, bport, w, &old);
	} else {
		struct maglev_lb_swept *sw;

		sw = malloc(sizeof(*sw) +
			    sizeof(sw->idx[0]) * adn_lb_slots(x->lb));
		if (sw == NULL) {
			snprintf(reply, len, "remove: out of memory");
			return -ENOMEM;
		}
		sw->lb = x->lb;
		rc = adn_lb_backend_remove(x->lb, vip, bip, bport, &old,
					   sw->idx, &sw->n);
		if (rc == 0)
			adn_elem_defer_free(e, maglev_lb_release, sw);
		else
			free(sw);
	}
	if (old != NULL)
		adn_elem_defer_free(e, adn_lb_table_free, old);
	if (rc < 0) {
		snprintf(reply, len, "%s: %s", verb,
			 rc == -ENOENT ? "no such backend (or not active)" :
			 rc == -EEXIST ? "backend present already" :
			 rc == -ENOSPC ? "no backend slot left (64)" :
			 strerror(-rc));
		return rc;
	}
	snprintf(reply, len, "%s %s", verb, args + strspn(args, " \t"));
	return 1;
}

static int
maglev_lb_control(struct adn_elem *e, const char *cmd, char *reply,
		  size_t len)
{
	static const char *const verbs[] = { "add", "remove", "drain",
					     "weight" };
	char verb[8];
	size_t n;

	cmd += strspn(cmd, " \t");
	n = strcspn(cmd, " \t");
	snprintf(verb, sizeof(verb), "%.*s", (int)RTE_MIN(n, sizeof(verb) - 1),
		 cmd);
	for (unsigned int i = 0; i < RTE_DIM(verbs); i++)
		if (n == strlen(verbs[i]) && strcmp(verb, verbs[i]) == 0)
			return maglev_lb_ctl_backend(e, verb, cmd + n, reply,
						     len);
	if (n == 5 && strncmp(cmd, "stats", 5) == 0)
		return maglev_lb_ctl_stats(adn_elem_priv(e), reply, len);
	snprintf(reply, len,
		 "unknown command '%.*s' (add, remove, drain, weight, stats)",
		 (int)n, cmd);
	return -EINVAL;
}

static const struct adn_elem_desc maglev_lb_desc = {
	.name = "MaglevLb",
	.help = "L4 load balancer: Maglev hashing, connection tracking, DNAT or IP-in-IP",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct maglev_lb),
	.n_outputs = MAGLEV_LB_N_OUT,
	.drop_reasons = maglev_lb_drops,
	.args = maglev_lb_args,
	.configure = maglev_lb_configure,
	ADN_ELEM_EXEC_STAGE(maglev_lb),
	.tick = maglev_lb_tick,
	.xstats = maglev_lb_xstats,
	.control = maglev_lb_control,
	.control_help = maglev_lb_control_help,
};

ADN_ELEM_REGISTER(maglev_lb_desc);
