/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PpmChain — runs the HTTP requests carried in the TCP payload of IPv4
 * packets through a PPM chain (FlatProxy §IV-D: http parser -> filter ->
 * router -> deparser, lib/ppm and docs/ppm.md) and rewrites forwarded
 * requests with the routing header the deparser inserts.
 *
 * The element sits on a terminated stream (behind the TOE of a proxy): a
 * payload is a whole segment of one or more pipelined requests, and growing
 * it does not renumber TCP sequence space here.
 *
 * Keys:
 *   rules   (string, required)  libconfig file with a top-level `ppm` group,
 *                               relative to the config file's directory
 *                               (schema in lib/ppm/adn_ppm_conf.h, example
 *                               fpga/tb/rules.cfg)
 *   backend (string, default "sw")
 *                               "sw": lib/ppm on the worker lcore;
 *                               "rtl": the chain's RTL (fpga/rtl) in a
 *                               Verilator co-simulation (fpga/cosim), for
 *                               tests: same results as "sw", a few hundred
 *                               times slower (~10^4 requests/s); only in
 *                               builds where Verilator 5 was found (else a
 *                               config error says why)
 *
 * The connection 4-tuple for the router is taken from the IPv4/TCP headers.
 * Each worker has its own chain (a chain is single-writer), so connection
 * stickiness holds per worker: steer a flow to one worker (RSS).
 *
 * A segment's fate is the most severe decision among its requests
 * (error > deny > control > forward): only a segment whose requests are all
 * forwarded is rewritten, anything else leaves unchanged.
 * Outputs:
 *   0 forward  every request routed; the payload is the deparsed requests,
 *              IPv4 total length and IPv4/TCP checksums recomputed
 *   1 deny     a request was denied by the filter (payload unchanged)
 *   2 control  a request goes to the control plane: filter "control", or
 *              the router found no listener/route/endpoint/connection slot
 *              (payload unchanged)
 * Drops:
 *   bad_method ... truncated  a malformed request: lib/ppm's parser reason
 *                             (adn_ppm_reason_str), rest of segment ignored
 *   not-ipv4      not an IPv4 frame (or IPv4 header not in the packet)
 *   not-tcp       not TCP, an IPv4 fragment, or a bad TCP header length
 *   no-payload    no TCP payload
 *   no-room       the rewritten packet does not fit the mbuf or IPv4
 *   bad-request   the chain returned an error outside the parser reasons
 * Counters (xstats): per PPM stage in/pass/drop/punt/error/bytes (lib/ppm's
 * adn_ppm_chain_counters, summed over workers), then the router/filter
 * reason counts.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_ppm.h"
#include "adn_ppm_conf.h"
#ifdef ADN_HAVE_PPM_RTL
#include "adn_ppm_rtl.h"
#elif defined(ADN_JIT) && !defined(ADN_PPM_RTL_MISSING)
/* A jit chain includes this file for its stage only and never runs
 * configure, so it has no reason to give; the build always names one. */
#define ADN_PPM_RTL_MISSING "not known to the jit"
#endif

enum {
	PPM_CHAIN_OUT_FORWARD,
	PPM_CHAIN_OUT_DENY,
	PPM_CHAIN_OUT_CONTROL,
	PPM_CHAIN_N_OUT,
};

/* Parser reasons map to drop slots 0..10 (reason - 1); the element's own
 * reasons follow. */
#define PPM_CHAIN_N_PARSER_DROPS ADN_PPM_R_TRUNCATED
enum {
	PPM_CHAIN_DROP_NOT_IPV4 = PPM_CHAIN_N_PARSER_DROPS,
	PPM_CHAIN_DROP_NOT_TCP,
	PPM_CHAIN_DROP_NO_PAYLOAD,
	PPM_CHAIN_DROP_NO_ROOM,
	PPM_CHAIN_DROP_BAD_REQUEST,
	PPM_CHAIN_N_DROPS,
};

_Static_assert(PPM_CHAIN_N_DROPS <= ADN_MAX_DROP_REASONS,
	       "PpmChain drop reasons exceed ADN_MAX_DROP_REASONS");

/* The parser's reasons first, slot r - 1 named as adn_ppm_reason_str(r)
 * names reason r (the suite's drop checks look them up by that name), then
 * the element's own. Constant: the jit includes this file into a chain,
 * where writable state would be a second, private copy. */
static const char *const ppm_chain_drops[PPM_CHAIN_N_DROPS + 1] = {
	[ADN_PPM_R_BAD_METHOD - 1] = "bad_method",
	[ADN_PPM_R_BAD_TARGET - 1] = "bad_target",
	[ADN_PPM_R_BAD_VERSION - 1] = "bad_version",
	[ADN_PPM_R_BAD_LINE - 1] = "bad_line",
	[ADN_PPM_R_BAD_HEADER - 1] = "bad_header",
	[ADN_PPM_R_HDR_TOO_LONG - 1] = "hdr_too_long",
	[ADN_PPM_R_NO_HOST - 1] = "no_host",
	[ADN_PPM_R_DUP_HOST - 1] = "dup_host",
	[ADN_PPM_R_BAD_CL - 1] = "bad_content_length",
	[ADN_PPM_R_BODY_TOO_LONG - 1] = "body_too_long",
	[ADN_PPM_R_TRUNCATED - 1] = "truncated",
	[PPM_CHAIN_DROP_NOT_IPV4] = "not-ipv4",
	[PPM_CHAIN_DROP_NOT_TCP] = "not-tcp",
	[PPM_CHAIN_DROP_NO_PAYLOAD] = "no-payload",
	[PPM_CHAIN_DROP_NO_ROOM] = "no-room",
	[PPM_CHAIN_DROP_BAD_REQUEST] = "bad-request",
	NULL,
};

/* "rtl" is always a valid name, so a build without it can say why. */
static const char *const ppm_chain_backends[] = { "sw", "rtl", NULL };

/*
 * A backend runs a segment's requests under adn_ppm_chain_segment's contract
 * and keeps lib/ppm's per-stage counters; chosen once in configure.
 */
struct ppm_backend {
	const char *name;
	/* Takes the worker's freshly loaded chain: keeps it or frees it. */
	int (*open)(struct adn_ppm_chain *rules, void **h);
	int (*segment)(void *h, const struct adn_ppm_req_in *in,
		       adn_ppm_req_fn fn, void *arg);
	const struct adn_ppm_counters *(*counters)(const void *h,
						   enum adn_ppm_stage s);
	void (*close)(void *h);
};

static int
sw_open(struct adn_ppm_chain *rules, void **h)
{
	*h = rules;
	return 0;
}

static int
sw_segment(void *h, const struct adn_ppm_req_in *in, adn_ppm_req_fn fn,
	   void *arg)
{
	return adn_ppm_chain_segment(h, in, fn, arg);
}

static const struct adn_ppm_counters *
sw_counters(const void *h, enum adn_ppm_stage s)
{
	return adn_ppm_chain_counters(h, s);
}

static void
sw_close(void *h)
{
	adn_ppm_chain_free(h);
}

static const struct ppm_backend ppm_backend_sw = {
	.name = "sw",
	.open = sw_open,
	.segment = sw_segment,
	.counters = sw_counters,
	.close = sw_close,
};

#ifdef ADN_HAVE_PPM_RTL
/* The chain only carries the rules into the RTL's register image. */
static int
rtl_open(struct adn_ppm_chain *rules, void **h)
{
	struct adn_ppm_rtl *r;
	int rc = adn_ppm_rtl_create(rules, &r);

	adn_ppm_chain_free(rules);
	if (rc == 0)
		*h = r;
	return rc;
}

static int
rtl_segment(void *h, const struct adn_ppm_req_in *in, adn_ppm_req_fn fn,
	    void *arg)
{
	return adn_ppm_rtl_segment(h, in, fn, arg);
}

static const struct adn_ppm_counters *
rtl_counters(const void *h, enum adn_ppm_stage s)
{
	return adn_ppm_rtl_counters(h, s);
}

static void
rtl_close(void *h)
{
	adn_ppm_rtl_free(h);
}

static const struct ppm_backend ppm_backend_rtl = {
	.name = "rtl",
	.open = rtl_open,
	.segment = rtl_segment,
	.counters = rtl_counters,
	.close = rtl_close,
};
#endif

/* Largest rewritten payload: an IPv4 datagram cannot carry more. */
#define PPM_CHAIN_OUT_MAX UINT16_MAX

struct ppm_chain_worker {
	void *h;	/* the backend's chain */
	uint8_t *out;	/* [PPM_CHAIN_OUT_MAX] deparsed bytes of a segment */
};

struct ppm_chain {
	const struct ppm_backend *be;
	unsigned int n_workers;
	struct ppm_chain_worker w[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec ppm_chain_args[] = {
	{ .name = "rules", .type = ADN_ARG_STRING, .required = true,
	  .help = "libconfig file with a `ppm` rules group",
	  .shapes_state = true },
	{ .name = "backend", .type = ADN_ARG_STRING,
	  .choices = ppm_chain_backends, .def_str = "sw",
	  .help = "sw: lib/ppm on the worker; rtl: Verilated RTL, for tests",
	  .shapes_state = true },
	{ .name = NULL },
};

static void
ppm_chain_free(void *priv)
{
	struct ppm_chain *c = priv;

	for (unsigned int i = 0; i < RTE_DIM(c->w); i++) {
		if (c->w[i].h != NULL)
			c->be->close(c->w[i].h);
		rte_free(c->w[i].out);
		c->w[i].h = NULL;
		c->w[i].out = NULL;
	}
}

static int
ppm_chain_configure(struct adn_elem *e, struct adn_build *b)
{
	struct ppm_chain *c = adn_elem_priv(e);
	const char *backend = adn_elem_arg_str(e, "backend");
	char err[2048], path[PATH_MAX];
	int rc;

	/* The chains (their routers' connection tables) are state. */
	if (adn_elem_priv_reused(e))
		return 0;
	adn_elem_arg_path(e, "rules", path, sizeof(path));
	if (strcmp(backend, "rtl") == 0) {
#ifdef ADN_HAVE_PPM_RTL
		c->be = &ppm_backend_rtl;
#else
		return adn_build_error(b, e, "backend",
				       "backend rtl not built: %s",
				       ADN_PPM_RTL_MISSING);
#endif
	} else {
		c->be = &ppm_backend_sw;
	}
	if (adn_build_n_workers(b) > ADN_MAX_WORKERS)
		return adn_build_error(b, e, NULL, "%u workers: at most %d",
				       adn_build_n_workers(b), ADN_MAX_WORKERS);
	c->n_workers = adn_build_n_workers(b);
	/* One chain per worker, each loaded from the same file: the router's
	 * connection table is written on every request. */
	for (unsigned int i = 0; i < c->n_workers; i++) {
		struct ppm_chain_worker *w = &c->w[i];
		struct adn_ppm_chain *rules;

		err[0] = '\0';
		if (adn_ppm_chain_create(&rules) < 0)
			rules = NULL;
		if (rules == NULL ||
		    (w->out = rte_malloc("ppm_chain", PPM_CHAIN_OUT_MAX, 0)) ==
		    NULL) {
			adn_ppm_chain_free(rules);
			ppm_chain_free(c);
			return adn_build_error(b, e, NULL,
					       "out of memory for worker %u",
					       i);
		}
		rc = adn_ppm_conf_load_file(rules, path, err, sizeof(err));
		if (rc < 0) {
			size_t n = strlen(err);

			if (n > 0 && err[n - 1] == '\n')
				err[n - 1] = '\0';
			adn_ppm_chain_free(rules);
			ppm_chain_free(c);
			return adn_build_error(b, e, "rules",
					       "cannot load PPM rules from '%s': %s",
					       path, n > 0 ? err :
					       (rc == -ENOENT ?
						"unreadable or no `ppm` group" :
						strerror(-rc)));
		}
		rc = c->be->open(rules, &w->h);
		if (rc < 0) {
			ppm_chain_free(c);
			return adn_build_error(b, e, "backend",
					       "backend %s for worker %u: %s",
					       c->be->name, i, strerror(-rc));
		}
	}
	return 0;
}

/* Severity of a decision for the whole segment: the worst one wins. */
static int
decision_rank(uint8_t d)
{
	switch (d) {
	case ADN_PPM_FORWARD:
		return 0;
	case ADN_PPM_PUNT:
		return 1;
	case ADN_PPM_DROP:
		return 2;
	default:
		return 3;
	}
}

/* What a segment's requests add up to, collected request by request. */
struct ppm_seg {
	uint8_t *out;	/* the worker's buffer of forwarded bytes */
	uint32_t olen;
	size_t left;	/* input bytes no request has consumed yet */
	uint8_t worst;	/* most severe decision so far */
	uint8_t reason;	/* its reason */
	int drop;	/* drop slot that stopped the segment, or -1 */
};

static int
ppm_chain_collect(void *arg, const struct adn_ppm_out *out)
{
	struct ppm_seg *s = arg;

	if (out->consumed == 0 || out->consumed > s->left) {
		s->drop = PPM_CHAIN_DROP_BAD_REQUEST;
		return -EPROTO;
	}
	s->left -= out->consumed;
	if (decision_rank(out->meta.decision) > decision_rank(s->worst)) {
		s->worst = out->meta.decision;
		s->reason = out->meta.reason;
	}
	/* Collect forwarded bytes aside: the input is still being read, and a
	 * later request may veto the rewrite. */
	if (out->meta.decision == ADN_PPM_FORWARD) {
		if (s->olen + out->len > PPM_CHAIN_OUT_MAX) {
			s->drop = PPM_CHAIN_DROP_NO_ROOM;
			return -ENOSPC;
		}
		memcpy(s->out + s->olen, out->data, out->len);
		s->olen += (uint32_t)out->len;
	}
	return 0;
}

static int
ppm_chain_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct ppm_chain *c = adn_elem_priv(e);
	const struct ppm_chain_worker *w = &c->w[adn_worker_index()];
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	struct adn_ppm_req_in in;
	struct ppm_seg seg;
	uint16_t ihl, thl, total;
	uint32_t poff, plen, olen, pkt;

	RTE_SET_USED(ctx);
	/* The parser reads the payload in place: make it one buffer. */
	if (!rte_pktmbuf_is_contiguous(m)) {
		if (rte_pktmbuf_linearize(m) < 0)
			return adn_drop(PPM_CHAIN_DROP_NO_ROOM);
		/* The first segment holds more now: parse it again. */
		adn_pkt_parse(m);
	}
	ip = adn_pkt_ipv4(m);
	if (ip == NULL || (ip->version_ihl >> 4) != 4)
		return adn_drop(PPM_CHAIN_DROP_NOT_IPV4);
	ihl = m->l3_len;
	total = rte_be_to_cpu_16(ip->total_length);
	if (ihl < sizeof(*ip) || total < ihl ||
	    rte_pktmbuf_pkt_len(m) < (uint32_t)m->l2_len + total)
		return adn_drop(PPM_CHAIN_DROP_NOT_IPV4);
	/* A fragment holds part of a segment: the parser would judge, and
	 * the rewrite resize, a partial payload. */
	if (ip->next_proto_id != IPPROTO_TCP ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG)) ||
	    (tcp = adn_pkt_l4(m, ip, sizeof(*tcp))) == NULL)
		return adn_drop(PPM_CHAIN_DROP_NOT_TCP);
	thl = (uint16_t)((tcp->data_off >> 4) * 4);
	if (thl < sizeof(*tcp) || (uint32_t)ihl + thl > total)
		return adn_drop(PPM_CHAIN_DROP_NOT_TCP);
	poff = (uint32_t)m->l2_len + ihl + thl;
	plen = total - ihl - thl;
	if (plen == 0)
		return adn_drop(PPM_CHAIN_DROP_NO_PAYLOAD);

	in.data = rte_pktmbuf_mtod_offset(m, const uint8_t *, poff);
	in.len = plen;
	in.tuple.sip = rte_be_to_cpu_32(ip->src_addr);
	in.tuple.dip = rte_be_to_cpu_32(ip->dst_addr);
	in.tuple.sport = rte_be_to_cpu_16(tcp->src_port);
	in.tuple.dport = rte_be_to_cpu_16(tcp->dst_port);
	seg = (struct ppm_seg){
		.out = w->out, .left = plen, .worst = ADN_PPM_FORWARD,
		.reason = ADN_PPM_R_NONE, .drop = -1,
	};
	/* A backend that fails, or leaves bytes no request took, has not
	 * judged the segment. */
	if (c->be->segment(w->h, &in, ppm_chain_collect, &seg) < 0 ||
	    seg.left != 0)
		return adn_drop(seg.drop >= 0 ? (unsigned int)seg.drop :
				PPM_CHAIN_DROP_BAD_REQUEST);

	switch (seg.worst) {
	case ADN_PPM_FORWARD:
		break;
	case ADN_PPM_PUNT:
		return PPM_CHAIN_OUT_CONTROL;
	case ADN_PPM_DROP:
		return PPM_CHAIN_OUT_DENY;
	default:
		if (seg.reason >= 1 && seg.reason <= PPM_CHAIN_N_PARSER_DROPS)
			return adn_drop(seg.reason - 1u);
		return adn_drop(PPM_CHAIN_DROP_BAD_REQUEST);
	}

	olen = seg.olen;
	if ((uint32_t)ihl + thl + olen > UINT16_MAX)
		return adn_drop(PPM_CHAIN_DROP_NO_ROOM);
	/* Drop Ethernet padding first so the payload ends the frame. */
	pkt = rte_pktmbuf_pkt_len(m);
	if (pkt > poff + plen && rte_pktmbuf_trim(m, pkt - poff - plen) < 0)
		return adn_drop(PPM_CHAIN_DROP_NO_ROOM);
	if (olen > plen && rte_pktmbuf_append(m, olen - plen) == NULL)
		return adn_drop(PPM_CHAIN_DROP_NO_ROOM);
	if (olen < plen && rte_pktmbuf_trim(m, plen - olen) < 0)
		return adn_drop(PPM_CHAIN_DROP_NO_ROOM);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, poff), w->out, olen);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + thl + olen));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return PPM_CHAIN_OUT_FORWARD;
}

static const char *const ppm_stage_names[ADN_PPM_ST_MAX] = {
	[ADN_PPM_ST_PARSER] = "parser",
	[ADN_PPM_ST_FILTER] = "filter",
	[ADN_PPM_ST_ROUTER] = "router",
	[ADN_PPM_ST_DEPARSER] = "deparser",
};

static unsigned int
ppm_chain_xstats(const struct adn_elem *e, struct adn_xstat *out,
		 unsigned int max)
{
	const struct ppm_chain *c = adn_elem_priv(e);
	static const char *const fields[] = {
		"in", "pass", "drop", "punt", "error", "bytes",
	};
	unsigned int n = 0;

	for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++) {
		struct adn_ppm_counters t = { 0 };

		for (unsigned int i = 0; i < c->n_workers; i++) {
			const struct adn_ppm_counters *k =
				c->be->counters(c->w[i].h, s);

			if (k == NULL)
				continue;
			t.in += k->in;
			t.pass += k->pass;
			t.drop += k->drop;
			t.punt += k->punt;
			t.error += k->error;
			t.bytes += k->bytes;
		}
		const uint64_t v[] = {
			t.in, t.pass, t.drop, t.punt, t.error, t.bytes,
		};
		for (unsigned int f = 0; f < RTE_DIM(fields) && n < max; f++) {
			snprintf(out[n].name, sizeof(out[n].name), "%s.%s",
				 ppm_stage_names[s], fields[f]);
			out[n++].value = v[f];
		}
	}
	/* Filter and router reasons: the parser's are drop reasons. */
	for (unsigned int r = ADN_PPM_R_FILTER_DENY; r < ADN_PPM_R_MAX &&
	     n < max; r++) {
		uint64_t v = 0;

		for (unsigned int i = 0; i < c->n_workers; i++)
			for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++) {
				const struct adn_ppm_counters *k =
					c->be->counters(c->w[i].h, s);

				if (k != NULL)
					v += k->reason[r];
			}
		snprintf(out[n].name, sizeof(out[n].name), "reason.%s",
			 adn_ppm_reason_str(r));
		out[n++].value = v;
	}
	return n;
}

static const struct adn_elem_desc ppm_chain_desc = {
	.name = "PpmChain",
	.help = "HTTP requests in TCP payloads through a PPM chain (lib/ppm)",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(struct ppm_chain),
	.priv_is_state = true,
	.priv_free = ppm_chain_free,
	.n_outputs = PPM_CHAIN_N_OUT,
	.drop_reasons = ppm_chain_drops,
	.args = ppm_chain_args,
	.configure = ppm_chain_configure,
	ADN_ELEM_EXEC_STAGE(ppm_chain),
	.xstats = ppm_chain_xstats,
};

ADN_ELEM_REGISTER(ppm_chain_desc);
