/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcParse — finds the RPC in a packet and leaves its message record
 * (lib/rpc/adn_rpc_msg.h: carrier, kind, ids, fields, payload) in the
 * packet for the elements after it (RpcLb, RpcAcl, Compress, Prioritize),
 * which read fields through views and never parse (docs/adn-rpc.md).
 *
 * Carriers:
 *   ADN RPC over UDP: a UDP packet to or from one of `udp_ports` is
 *     decoded (lib/rpc/adn_rpc_wire.h); the message is the UDP payload
 *     and must be in the first segment. A malformed header is dropped,
 *     counted by reason: an RPC port carries RPCs only.
 *   HTTP/1.1: a packet in which HttpParse (run before) saw a request or
 *     response head ends: the record takes HttpParse's L7 record
 *     (lib/l7/adn_l7_meta.h) — method, path, query, any header, the body
 *     bytes of this packet — without parsing again.
 *
 * Keys:
 *   udp_ports (list of ints 1-65535, default [ 9000 ]) ports of ADN RPC
 *             (destination of requests, source of responses); [] : none
 *   http      (bool, default true) take HttpParse's records
 * Outputs: 0 — an RPC (record set); 1 — not an RPC (other traffic, TCP
 *          segments without a head, HTTP when `http` is false): passed on
 *          untouched.
 * Drops: one reason per adn_rpc_err (short, bad-magic, bad-version,
 *   bad-type, bad-flags, bad-hdr-len, too-many-fields, field-truncated,
 *   bad-field-id, bad-field-type, bad-field-len, bad-table-len,
 *   bad-payload-len), and truncated (the UDP length runs past the
 *   packet's first segment, or is below 8).
 * Extra counters: adn_requests, adn_responses, http_requests,
 *   http_responses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_elem.h"
#include "adn_l7_meta.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_rpc_meta.h"

enum { RPC_PARSE_OUT_RPC, RPC_PARSE_OUT_OTHER, RPC_PARSE_N_OUT };

/* Drop reasons: adn_rpc_err - 1, then ours. */
#define RPC_PARSE_DROP_TRUNCATED (ADN_RPC_E_MAX - 1)

static const char *const rpc_parse_drops[] = {
	"short", "bad-magic", "bad-version", "bad-type", "bad-flags",
	"bad-hdr-len", "too-many-fields", "field-truncated", "bad-field-id",
	"bad-field-type", "bad-field-len", "bad-table-len", "bad-payload-len",
	[RPC_PARSE_DROP_TRUNCATED] = "truncated",
	NULL,
};

#define RPC_PARSE_MAX_PORTS 16

/* Per worker: the batch's records, and counters. */
struct rpc_parse_worker {
	struct adn_rpc_msg rec[ADN_BATCH_MAX];
	uint64_t adn[2], http[2];	/* [enum adn_rpc_type] */
};

struct rpc_parse {
	unsigned int n_ports;
	uint16_t ports[RPC_PARSE_MAX_PORTS];	/* network order */
	bool http;
	struct rpc_parse_worker *w[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec rpc_parse_args[] = {
	{ .name = "udp_ports", .type = ADN_ARG_LIST,
	  .help = "UDP ports of ADN RPC (default [ 9000 ])" },
	{ .name = "http", .type = ADN_ARG_BOOL, .def_int = 1,
	  .help = "take HttpParse's records of HTTP messages" },
	{ .name = NULL },
};

static int
rpc_parse_configure(struct adn_elem *e, struct adn_build *b)
{
	struct rpc_parse *x = adn_elem_priv(e);
	const config_setting_t *pl = adn_elem_arg(e, "udp_ports");
	int rc = 0;

	_Static_assert(RTE_DIM(rpc_parse_drops) - 1 <= ADN_MAX_DROP_REASONS,
		       "RpcParse has more drop reasons than slots");
	if ((rc = adn_rpc_meta_register()) < 0 ||
	    (rc = adn_l7_meta_register()) < 0)
		return adn_build_error(b, e, NULL, "cannot register the mbuf "
				       "fields of the RPC and L7 records: %s",
				       strerror(-rc));
	x->http = adn_elem_arg_bool(e, "http");
	if (pl == NULL && !adn_elem_arg_rejected(e, "udp_ports"))
		x->ports[x->n_ports++] = rte_cpu_to_be_16(9000);
	for (int i = 0; pl != NULL && i < config_setting_length(pl); i++) {
		const config_setting_t *s = config_setting_get_elem(pl, i);
		const int t = config_setting_type(s);
		long long v = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ?
			config_setting_get_int64(s) : -1;

		if (v < 1 || v > 65535) {
			rc = adn_build_error_at(b, e, s, "udp_ports",
				"entry %d: a port is an integer 1-65535", i);
			continue;
		}
		if (x->n_ports == RPC_PARSE_MAX_PORTS) {
			rc = adn_build_error_at(b, e, s, "udp_ports",
				"at most %d ports", RPC_PARSE_MAX_PORTS);
			break;
		}
		x->ports[x->n_ports++] = rte_cpu_to_be_16((uint16_t)v);
	}
	for (unsigned int i = 0; i < b->n_workers || i == 0; i++) {
		x->w[i] = rte_zmalloc("adn_rpc_parse", sizeof(*x->w[i]),
				      RTE_CACHE_LINE_SIZE);
		if (x->w[i] == NULL)
			return adn_build_error(b, e, NULL, "cannot allocate "
					       "%zu bytes of records",
					       sizeof(*x->w[i]));
	}
	return rc;
}

static void
rpc_parse_destroy(struct adn_elem *e)
{
	struct rpc_parse *x = adn_elem_priv(e);

	for (unsigned int i = 0; i < ADN_MAX_WORKERS; i++)
		rte_free(x->w[i]);
}

static bool
rpc_port(const struct rpc_parse *x, const struct rte_udp_hdr *u)
{
	for (unsigned int i = 0; i < x->n_ports; i++)
		if (u->dst_port == x->ports[i] || u->src_port == x->ports[i])
			return true;
	return false;
}

/* Packet m into record r: its output or drop code. */
static int
rpc_parse_packet(const struct rpc_parse *x, struct rpc_parse_worker *w,
		 struct rte_mbuf *m, struct adn_rpc_msg *r)
{
	const struct adn_l7_rec *l7 = adn_l7_rec(m);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint32_t off, ulen;
	int rc;

	adn_rpc_msg_set(m, NULL);
	if (l7 != NULL) {
		if (!x->http || adn_rpc_msg_from_l7(r, l7) < 0)
			return RPC_PARSE_OUT_OTHER;
		w->http[r->kind]++;
		adn_rpc_msg_set(m, r);
		return RPC_PARSE_OUT_RPC;
	}
	ip = adn_pkt_ipv4(m);
	if (ip == NULL || ip->next_proto_id != IPPROTO_UDP ||
	    (u = adn_pkt_l4(m, ip, sizeof(*u))) == NULL || !rpc_port(x, u))
		return RPC_PARSE_OUT_OTHER;
	off = (uint32_t)m->l2_len + m->l3_len + sizeof(*u);
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < sizeof(*u) ||
	    off + ulen - sizeof(*u) > rte_pktmbuf_data_len(m))
		return adn_drop(RPC_PARSE_DROP_TRUNCATED);
	rc = adn_rpc_msg_from_wire(r, rte_pktmbuf_mtod_offset(m, uint8_t *,
							      off),
				   ulen - sizeof(*u), off);
	if (rc < 0)
		return adn_drop((unsigned int)(-rc - 1));
	w->adn[r->kind]++;
	adn_rpc_msg_set(m, r);
	return RPC_PARSE_OUT_RPC;
}

static void
rpc_parse_process(struct adn_elem *e, struct adn_batch *b)
{
	const struct rpc_parse *x = adn_elem_priv(e);
	struct rpc_parse_worker *w = x->w[adn_worker_index()];

	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = (int16_t)rpc_parse_packet(x, w, b->pkts[i],
						      &w->rec[i]);
}

static unsigned int
rpc_parse_xstats(const struct adn_elem *e, struct adn_xstat *out,
		 unsigned int max)
{
	const struct rpc_parse *x = adn_elem_priv(e);
	uint64_t v[4] = { 0 };
	static const char *const names[4] = {
		"adn_requests", "adn_responses", "http_requests",
		"http_responses",
	};
	unsigned int n;

	for (unsigned int i = 0; i < ADN_MAX_WORKERS && x->w[i]; i++) {
		v[0] += x->w[i]->adn[ADN_RPC_T_REQUEST];
		v[1] += x->w[i]->adn[ADN_RPC_T_RESPONSE];
		v[2] += x->w[i]->http[ADN_RPC_T_REQUEST];
		v[3] += x->w[i]->http[ADN_RPC_T_RESPONSE];
	}
	for (n = 0; n < 4 && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", names[n]);
		out[n].value = v[n];
	}
	return n;
}

static const struct adn_elem_desc rpc_parse_desc = {
	.name = "RpcParse",
	.help = "ADN RPC over UDP and HTTP messages into the packet's RPC record",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct rpc_parse),
	.n_outputs = RPC_PARSE_N_OUT,
	.drop_reasons = rpc_parse_drops,
	.args = rpc_parse_args,
	.configure = rpc_parse_configure,
	.destroy = rpc_parse_destroy,
	.process = rpc_parse_process,
	.xstats = rpc_parse_xstats,
};

ADN_ELEM_REGISTER(rpc_parse_desc);
