/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PpmChain: TestSource -> PpmChain -> fwd / deny / ctl TestSinks, with HTTP
 * requests in TCP payloads. The key cases run a seeded trace through lib/ppm
 * directly, then through the element with each backend, and require the same
 * fate and bytes per packet and the same counters: `sw` (lib/ppm) and, where
 * Verilator was found, `rtl` (the Verilated chain, fpga/cosim), whose
 * records are also compared word for word with the model's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_ppm.h"
#include "adn_ppm_conf.h"
#ifdef ADN_HAVE_PPM_RTL
#include "adn_ppm_rtl.h"
#endif
#include "adn_test.h"

#define LISTEN_IP UINT32_C(0x0a000001)	/* 10.0.0.1, in both rule sets */
#define CLIENT_IP UINT32_C(0x0a090001)

static char small_rules[256];
static char golden_rules[512];

static const char small_rules_text[] =
	"ppm = {\n"
	"  listeners = ( { name = \"web\"; ip = \"10.0.0.1\"; port = 80; } );\n"
	"  clusters = ( { name = \"api\"; endpoints = (\n"
	"    { ip = \"10.1.0.1\"; port = 8080; } ); } );\n"
	"  routes = ( { listener = \"web\"; prefix = \"/api/\"; cluster = \"api\"; } );\n"
	"  filters = ( { methods = [ \"DELETE\" ]; action = \"deny\"; },\n"
	"              { exact = \"/health\"; action = \"control\"; } );\n"
	"};\n";

static struct adn_pipeline *
build(const char *tag, const char *rules, const char *extra)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 "  { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"x\"; type = \"PpmChain\"; rules = \"%s\"; %s },\n"
		 "  { name = \"fwd\"; type = \"TestSink\"; },\n"
		 "  { name = \"deny\"; type = \"TestSink\"; },\n"
		 "  { name = \"ctl\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> x -> fwd\", \"x[1] -> deny\", \"x[2] -> ctl\" );\n",
		 rules, extra);
	return adn_test_build(tag, cfg, NULL);
}

/* Ethernet/IPv4/TCP frame with valid checksums carrying `len` bytes. */
static struct rte_mbuf *
tcp_frame(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport,
	  const void *payload, size_t len)
{
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_TCP, sport, dport, 64,
					   (uint16_t)(sizeof(struct rte_ether_hdr) +
					   sizeof(struct rte_ipv4_hdr) +
					   sizeof(struct rte_tcp_hdr) + len));
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	ip = adn_test_ipv4_hdr(m);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	tcp->data_off = 0x50;
	tcp->tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG;
	memcpy(tcp + 1, payload, len);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	return m;
}

static struct rte_mbuf *
http(uint16_t sport, const char *req)
{
	return tcp_frame(CLIENT_IP, sport, LISTEN_IP, 80, req, strlen(req));
}

static const uint8_t *
payload_of(struct rte_mbuf *m, size_t *len)
{
	const struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	size_t hl = sizeof(*ip) + sizeof(struct rte_tcp_hdr);

	*len = rte_be_to_cpu_16(ip->total_length) - hl;
	return (const uint8_t *)ip + hl;
}

static bool
payload_is(struct rte_mbuf *m, const char *want)
{
	size_t len;
	const uint8_t *p = payload_of(m, &len);

	return len == strlen(want) && memcmp(p, want, len) == 0;
}

static void
assert_checksums_valid(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	struct rte_tcp_hdr *tcp;
	uint16_t got;

	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m),
			sizeof(struct rte_ether_hdr) +
			rte_be_to_cpu_16(ip->total_length));
	CU_ASSERT_EQUAL(rte_raw_cksum(ip, sizeof(*ip)), 0xffff);
	/* Recompute over the packet as it is: equal means valid. */
	tcp = (struct rte_tcp_hdr *)(uintptr_t)(ip + 1);
	got = tcp->cksum;
	tcp->cksum = 0;
	CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum(ip, tcp), got);
	tcp->cksum = got;
}

/* --- cases ------------------------------------------------------------- */

static void
test_forward_inserts_routing_header_and_fixes_checksums(void)
{
	struct adn_pipeline *p = build("fwd", small_rules, "");
	struct rte_mbuf *m;
	struct adn_test_sink *fwd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m = http(1000, "GET /api/items HTTP/1.1\r\nHost: a.example\r\n\r\n");
	adn_test_run(p, "src", &m, 1);
	fwd = adn_test_sink(p, "fwd");
	CU_ASSERT_EQUAL_FATAL(fwd->n, 1);
	CU_ASSERT(payload_is(fwd->pkts[0],
		"GET /api/items HTTP/1.1\r\nHost: a.example\r\n"
		"X-Adn-Upstream: 10.1.0.1:8080\r\n\r\n"));
	assert_checksums_valid(fwd->pkts[0]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "router.pass"), 1);
	adn_test_free(p);
}

static void
test_pipelined_requests_are_all_rewritten(void)
{
	struct adn_pipeline *p = build("pipe", small_rules, "");
	struct rte_mbuf *m;
	struct adn_test_sink *fwd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m = http(1001, "GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n"
		 "POST /api/b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz");
	adn_test_run(p, "src", &m, 1);
	fwd = adn_test_sink(p, "fwd");
	CU_ASSERT_EQUAL_FATAL(fwd->n, 1);
	CU_ASSERT(payload_is(fwd->pkts[0],
		"GET /api/a HTTP/1.1\r\nHost: h\r\n"
		"X-Adn-Upstream: 10.1.0.1:8080\r\n\r\n"
		"POST /api/b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		"X-Adn-Upstream: 10.1.0.1:8080\r\n\r\nxyz"));
	assert_checksums_valid(fwd->pkts[0]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "parser.in"), 2);
	adn_test_free(p);
}

static void
test_filter_deny_and_control_leave_payload_unchanged(void)
{
	static const char deny[] = "DELETE /api/a HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char health[] = "GET /health HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char noroute[] = "GET /elsewhere HTTP/1.1\r\nHost: h\r\n\r\n";
	/* One denied request vetoes the rewrite of the whole segment. */
	static const char mixed[] = "GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n"
		"DELETE /api/a HTTP/1.1\r\nHost: h\r\n\r\n";
	struct adn_pipeline *p = build("deny", small_rules, "");
	struct rte_mbuf *m[4];
	struct adn_test_sink *d, *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = http(1002, deny);
	m[1] = http(1003, health);
	m[2] = http(1004, noroute);
	m[3] = http(1005, mixed);
	adn_test_run(p, "src", m, RTE_DIM(m));
	d = adn_test_sink(p, "deny");
	c = adn_test_sink(p, "ctl");
	CU_ASSERT_EQUAL(adn_test_sink(p, "fwd")->n, 0);
	CU_ASSERT_EQUAL_FATAL(d->n, 2);
	CU_ASSERT_EQUAL_FATAL(c->n, 2);
	CU_ASSERT(payload_is(d->pkts[0], deny));
	CU_ASSERT(payload_is(d->pkts[1], mixed));
	CU_ASSERT(payload_is(c->pkts[0], health));
	CU_ASSERT(payload_is(c->pkts[1], noroute));
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "reason.filter_deny"), 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "reason.filter_punt"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "reason.no_route"), 1);
	adn_test_free(p);
}

static void
test_malformed_requests_dropped_with_parser_reason(void)
{
	struct adn_pipeline *p = build("bad", small_rules, "");
	struct rte_mbuf *m[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = http(1006, "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n");
	m[1] = http(1007, "GET /api/a HTTP/1.1\r\nHost: h\r\n");
	/* A good request followed by a broken one: the segment is dropped. */
	m[2] = http(1008, "GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n"
		    "GET /api/b HTTP/1.1\r\n\r\n");
	adn_test_run(p, "src", m, RTE_DIM(m));
	CU_ASSERT_EQUAL(adn_test_sink(p, "fwd")->n, 0);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x",
			adn_ppm_reason_str(ADN_PPM_R_BAD_METHOD)), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "truncated"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "no_host"), 1);
	adn_test_free(p);
}

static void
test_non_tcp_and_empty_payload_dropped(void)
{
	struct adn_pipeline *p = build("nontcp", small_rules, "");
	struct rte_mbuf *m[4];
	struct rte_ipv4_hdr *ip;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_UDP, 1, 80, 64, 100);
	m[3] = http(1011, "GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n");
	ip = adn_test_ipv4_hdr(m[3]);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	m[1] = tcp_frame(CLIENT_IP, 1009, LISTEN_IP, 80, "", 0);
	m[2] = http(1010, "GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n");
	rte_pktmbuf_mtod(m[2], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	adn_test_run(p, "src", m, RTE_DIM(m));
	/* UDP and the fragment */
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-tcp"), 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "no-payload"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "parser.in"), 0);
	adn_test_free(p);
}

static void
test_config_rejects_bad_rules_and_backend(void)
{
	struct adn_errs errs = { 0 };
	char cfg[1024], keys[512];
	char bad[256];
	FILE *f;

	snprintf(keys, sizeof(keys), "rules = \"%s\"; backend = \"fpga\";",
		 small_rules);
	CU_ASSERT_PTR_NULL(adn_test_chain("badbackend", "PpmChain", keys,
					  &errs));
	CU_ASSERT_FATAL(errs.n >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "backend"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "fpga"));
	adn_errs_clear(&errs);

	/* A rules file with an unknown key: the error names the key and
	 * the rules file's line (3). Spelled out rather than adn_test_chain:
	 * x stays on line 2 of this config, so ":3" can only be the rules
	 * file's. */
	snprintf(bad, sizeof(bad), "/tmp/adn-ppm-bad-%d.cfg", (int)getpid());
	f = fopen(bad, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("ppm = {\n  listeners = ();\n  bogus = 1;\n};\n", f);
	fclose(f);
	snprintf(cfg, sizeof(cfg),
		 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"x\"; type = \"PpmChain\"; rules = \"%s\"; },\n"
		 "  { name = \"o\"; type = \"TestSink\"; } );\n"
		 "links = ( \"src -> x -> o\" );\n", bad);
	CU_ASSERT_PTR_NULL(adn_test_build("badrules", cfg, &errs));
	CU_ASSERT_FATAL(errs.n >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "rules"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "bogus"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], ":3"));
	adn_errs_clear(&errs);
	unlink(bad);

	CU_ASSERT_PTR_NULL(adn_test_chain("norules", "PpmChain",
					  "rules = \"/nonexistent/r.cfg\";",
					  &errs));
	CU_ASSERT_FATAL(errs.n >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "/nonexistent/r.cfg"));
	adn_errs_clear(&errs);
}

/* `rules` is relative to the config file's directory (the test configs
 * are written to /tmp), not to the working directory, as LpmRoute's
 * `routes`. */
static void
test_relative_rules_path_is_relative_to_config(void)
{
	char cwd[PATH_MAX];
	struct adn_pipeline *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	CU_ASSERT_EQUAL_FATAL(strncmp(small_rules, "/tmp/", 5), 0);
	CU_ASSERT_EQUAL_FATAL(chdir("/"), 0);
	p = build("relrules", small_rules + 5, "");
	CU_ASSERT_EQUAL(chdir(cwd), 0);
	CU_ASSERT_PTR_NOT_NULL(p);
	adn_test_free(p);
}

/* Requests over the golden rule set (fpga/tb/rules.cfg): routed by exact
 * and prefix, weighted clusters, custom headers, deny, control, router
 * misses and malformed input. */
static const char *const trace_reqs[] = {
	"GET /api/v1/items HTTP/1.1\r\nHost: a.example\r\n\r\n",
	"POST /api/v2/users/7 HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nhello",
	"GET /login HTTP/1.0\r\n\r\n",
	"GET /static/a.css HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"DELETE /api/x HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /static/b HTTP/1.1\r\nHost: slow.example\r\n\r\n",
	"GET /void/x HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",
	"BREW / HTTP/1.1\r\n\r\n",
	"GET /api/x HTTP/1.1\r\nHost: a\r\n",
};

#define TRACE_N 300

struct expect {
	int out;	/* output port, or -1: dropped */
	uint8_t reason;	/* parser reason when dropped */
	size_t len;
	uint8_t bytes[4096];
};

/* The seeded trace and what lib/ppm makes of it, built once. */
static struct trace {
	struct {
		char data[2048];
		size_t len;
		struct adn_ppm_tuple t;
	} seg[TRACE_N];
	struct expect exp[TRACE_N];
	struct adn_ppm_counters cnt[ADN_PPM_ST_MAX];
	unsigned int n_fwd_req;
	uint64_t parser_drops[ADN_PPM_R_MAX];
	bool built;
} trace;

/* Called by each case that uses the trace, so it fails inside a test. */
static void
trace_build(void)
{
	static const uint16_t dports[] = { 80, 80, 80, 8080, 81 };
	struct adn_ppm_chain *ref;
	char err[1024];
	uint32_t rnd = 12345;

	if (trace.built)
		return;
	CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_create(&ref), 0);
	CU_ASSERT_EQUAL_FATAL(adn_ppm_conf_load_file(ref, golden_rules, err,
						     sizeof(err)), 0);
	for (unsigned int i = 0; i < TRACE_N; i++) {
		struct expect *exp = &trace.exp[i];
		char *seg = trace.seg[i].data;
		size_t len = 0;
		unsigned int k;
		struct adn_ppm_req_in in;
		struct adn_ppm_out out;
		int worst = 0;	/* 0 fwd, 1 punt, 2 drop, 3 error */

		rnd = rnd * 1103515245u + 12345u;
		k = 1 + (rnd >> 16) % 3;
		for (unsigned int j = 0; j < k; j++) {
			const char *r;

			rnd = rnd * 1103515245u + 12345u;
			/* Mostly routable requests, so forwards dominate. */
			r = trace_reqs[(rnd >> 16) % 4 == 0 ?
				       (rnd >> 20) % RTE_DIM(trace_reqs) :
				       (rnd >> 20) % 5];
			memcpy(seg + len, r, strlen(r));
			len += strlen(r);
		}
		rnd = rnd * 1103515245u + 12345u;
		in.data = (const uint8_t *)seg;
		in.len = len;
		in.tuple = (struct adn_ppm_tuple){
			.sip = CLIENT_IP + (rnd >> 16) % 13,
			.dip = LISTEN_IP,
			.sport = (uint16_t)(2000 + (rnd >> 20) % 7),
			.dport = dports[(rnd >> 24) % RTE_DIM(dports)],
		};
		trace.seg[i].len = len;
		trace.seg[i].t = in.tuple;
		exp->len = 0;
		exp->reason = 0;
		while (in.len > 0) {
			int rank;

			CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_process(ref, &in,
								    &out), 0);
			rank = out.meta.decision == ADN_PPM_FORWARD ? 0 :
				out.meta.decision == ADN_PPM_PUNT ? 1 :
				out.meta.decision == ADN_PPM_DROP ? 2 : 3;
			if (rank > worst) {
				worst = rank;
				exp->reason = out.meta.reason;
			}
			if (out.meta.decision == ADN_PPM_FORWARD) {
				CU_ASSERT_FATAL(exp->len + out.len <=
						sizeof(exp->bytes));
				memcpy(exp->bytes + exp->len, out.data,
				       out.len);
				exp->len += out.len;
				trace.n_fwd_req++;
			}
			in.data += out.consumed;
			in.len -= out.consumed;
		}
		exp->out = worst == 0 ? 0 : worst == 1 ? 2 :
			worst == 2 ? 1 : -1;
		if (worst == 3)
			trace.parser_drops[exp->reason]++;
		if (worst != 0) {	/* unchanged payload */
			memcpy(exp->bytes, seg, len);
			exp->len = len;
		}
	}
	for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++)
		trace.cnt[s] = *adn_ppm_chain_counters(ref, s);
	adn_ppm_chain_free(ref);
	trace.built = true;
}

/* Run the trace through the element with `backend`: every packet on the
 * port lib/ppm implies with lib/ppm's bytes, drops with its reasons, and
 * every counter the element exports equal to lib/ppm's. */
static void
trace_check(const char *backend)
{
	static const char *const fields[] = {
		"in", "pass", "drop", "punt", "error", "bytes",
	};
	static const char *const stages[] = {
		"parser", "filter", "router", "deparser",
	};
	char extra[64];
	struct adn_pipeline *p;
	struct rte_mbuf *m[TRACE_N];
	struct adn_test_sink *sink[3];
	unsigned int seen[3] = { 0 }, drops = 0;

	trace_build();
	snprintf(extra, sizeof(extra), "backend = \"%s\";", backend);
	p = build(backend, golden_rules, extra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < TRACE_N; i++)
		m[i] = tcp_frame(trace.seg[i].t.sip, trace.seg[i].t.sport,
				 trace.seg[i].t.dip, trace.seg[i].t.dport,
				 trace.seg[i].data, trace.seg[i].len);
	adn_test_run(p, "src", m, TRACE_N);
	sink[0] = adn_test_sink(p, "fwd");
	sink[1] = adn_test_sink(p, "deny");
	sink[2] = adn_test_sink(p, "ctl");
	for (unsigned int i = 0; i < TRACE_N; i++) {
		const struct expect *exp = &trace.exp[i];
		struct rte_mbuf *got;
		const uint8_t *pl;
		size_t len;

		if (exp->out < 0) {
			drops++;
			continue;
		}
		CU_ASSERT_FATAL(seen[exp->out] < sink[exp->out]->n);
		got = sink[exp->out]->pkts[seen[exp->out]++];
		pl = payload_of(got, &len);
		CU_ASSERT_EQUAL(len, exp->len);
		CU_ASSERT(len == exp->len && memcmp(pl, exp->bytes, len) == 0);
		if (exp->out == 0)
			assert_checksums_valid(got);
	}
	for (unsigned int o = 0; o < 3; o++)
		CU_ASSERT_EQUAL(seen[o], sink[o]->n);
	/* The trace must exercise every fate to prove anything. */
	CU_ASSERT(seen[0] > 0 && seen[1] > 0 && seen[2] > 0 && drops > 0);
	for (unsigned int r = 1; r <= ADN_PPM_R_TRUNCATED; r++)
		CU_ASSERT_EQUAL(adn_test_drops(p, "x", adn_ppm_reason_str(r)),
				trace.parser_drops[r]);
	for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++) {
		const struct adn_ppm_counters *k = &trace.cnt[s];
		const uint64_t want[] = {
			k->in, k->pass, k->drop, k->punt, k->error, k->bytes,
		};

		for (unsigned int f = 0; f < RTE_DIM(fields); f++) {
			char name[64];

			snprintf(name, sizeof(name), "%s.%s", stages[s],
				 fields[f]);
			CU_ASSERT_EQUAL(adn_test_xstat(p, "x", name), want[f]);
		}
	}
	for (unsigned int r = ADN_PPM_R_FILTER_DENY; r < ADN_PPM_R_MAX; r++) {
		char name[64];
		uint64_t want = 0;

		for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++)
			want += trace.cnt[s].reason[r];
		snprintf(name, sizeof(name), "reason.%s",
			 adn_ppm_reason_str(r));
		CU_ASSERT_EQUAL(adn_test_xstat(p, "x", name), want);
	}
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "router.pass"), trace.n_fwd_req);
	adn_test_free(p);
}

static void
test_sw_output_equals_lib_ppm_on_same_trace(void)
{
	trace_check("sw");
}

#ifdef ADN_HAVE_PPM_RTL
static void
test_rtl_output_equals_lib_ppm_on_same_trace(void)
{
	trace_check("rtl");
}

/* One request's result, packed as on the RTL's metadata bus. */
struct req_rec {
	uint32_t w[ADN_PPM_META_WORDS];
	size_t consumed, len;
	uint8_t bytes[2048 + ADN_PPM_TMPL_MAX];
};

struct req_log {
	unsigned int n;
	struct req_rec r[8];
};

static int
log_req(void *arg, const struct adn_ppm_out *out)
{
	struct req_log *l = arg;
	struct req_rec *r;

	if (l->n >= RTE_DIM(l->r) || out->len > sizeof(r->bytes))
		return -ENOSPC;
	r = &l->r[l->n++];
	adn_ppm_meta_pack(&out->meta, r->w);
	r->consumed = out->consumed;
	r->len = out->len;
	if (out->len > 0)
		memcpy(r->bytes, out->data, out->len);
	return 0;
}

/* Below the element: every record (all 16 words) and every output byte of
 * the co-simulation equals the model's, request by request. */
static void
test_rtl_records_equal_lib_ppm_records(void)
{
	static struct req_log a, b;
	struct adn_ppm_chain *model, *rules;
	struct adn_ppm_rtl *rtl;
	char err[1024];
	unsigned int n_req = 0;

	trace_build();
	CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_create(&model), 0);
	CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_create(&rules), 0);
	CU_ASSERT_EQUAL_FATAL(adn_ppm_conf_load_file(model, golden_rules, err,
						     sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(adn_ppm_conf_load_file(rules, golden_rules, err,
						     sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(adn_ppm_rtl_create(rules, &rtl), 0);
	adn_ppm_chain_free(rules);	/* the RTL holds its own tables */
	for (unsigned int i = 0; i < TRACE_N; i++) {
		struct adn_ppm_req_in in = {
			.data = (const uint8_t *)trace.seg[i].data,
			.len = trace.seg[i].len,
			.tuple = trace.seg[i].t,
		};

		a.n = b.n = 0;
		CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_segment(model, &in,
							    log_req, &a), 0);
		CU_ASSERT_EQUAL_FATAL(adn_ppm_rtl_segment(rtl, &in, log_req,
							  &b), 0);
		CU_ASSERT_EQUAL_FATAL(a.n, b.n);
		for (unsigned int k = 0; k < a.n; k++) {
			CU_ASSERT(memcmp(a.r[k].w, b.r[k].w,
					 sizeof(a.r[k].w)) == 0);
			CU_ASSERT_EQUAL(a.r[k].consumed, b.r[k].consumed);
			CU_ASSERT(a.r[k].len == b.r[k].len &&
				  memcmp(a.r[k].bytes, b.r[k].bytes,
					 a.r[k].len) == 0);
		}
		n_req += a.n;
	}
	CU_ASSERT(n_req > TRACE_N);	/* pipelined segments are in */
	for (unsigned int s = 0; s < ADN_PPM_ST_MAX; s++)
		CU_ASSERT(memcmp(adn_ppm_chain_counters(model, s),
				 adn_ppm_rtl_counters(rtl, s),
				 sizeof(struct adn_ppm_counters)) == 0);
	/* Bad calls are refused, and leave the chain usable. */
	{
		struct adn_ppm_req_in in = {
			.data = (const uint8_t *)trace.seg[0].data, .len = 0,
		};

		CU_ASSERT_EQUAL(adn_ppm_rtl_segment(rtl, &in, log_req, &b),
				-EINVAL);
		in.len = trace.seg[0].len;
		CU_ASSERT_EQUAL(adn_ppm_rtl_segment(rtl, &in, NULL, &b),
				-EINVAL);
		CU_ASSERT_EQUAL(adn_ppm_rtl_segment(NULL, &in, log_req, &b),
				-EINVAL);
		b.n = 0;
		CU_ASSERT_EQUAL(adn_ppm_rtl_segment(rtl, &in, log_req, &b), 0);
		CU_ASSERT(b.n >= 1);
	}
	CU_ASSERT_EQUAL(adn_ppm_rtl_create(NULL, &rtl), -EINVAL);
	adn_ppm_rtl_free(rtl);
	adn_ppm_chain_free(model);
}
#else
/* Without Verilator the backend is refused with the reason, not silently
 * replaced by sw. */
static void
test_rtl_backend_not_built_names_reason(void)
{
	struct adn_errs errs = { 0 };
	char cfg[1024];

	snprintf(cfg, sizeof(cfg),
		 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"x\"; type = \"PpmChain\"; rules = \"%s\"; backend = \"rtl\"; },\n"
		 "  { name = \"o\"; type = \"TestSink\"; } );\n"
		 "links = ( \"src -> x -> o\" );\n", golden_rules);
	CU_ASSERT_PTR_NULL(adn_test_build("rtl", cfg, &errs));
	CU_ASSERT_FATAL(errs.n >= 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], "backend rtl not built: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[0], ADN_PPM_RTL_MISSING));
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
}
#endif

int
main(void)
{
	const char *root = getenv("ADN_SOURCE_ROOT");
	CU_pSuite s;
	FILE *f;

	snprintf(golden_rules, sizeof(golden_rules), "%s/fpga/tb/rules.cfg",
		 root ? root : ".");
	snprintf(small_rules, sizeof(small_rules), "/tmp/adn-ppm-%d.cfg",
		 (int)getpid());
	f = fopen(small_rules, "w");
	if (f == NULL || fputs(small_rules_text, f) < 0 || fclose(f) != 0)
		return 1;
	s = adn_test_suite("ppm_chain");
	if (s == NULL)
		return 1;
	CU_add_test(s, "forward_inserts_routing_header_and_fixes_checksums",
		    test_forward_inserts_routing_header_and_fixes_checksums);
	CU_add_test(s, "pipelined_requests_are_all_rewritten",
		    test_pipelined_requests_are_all_rewritten);
	CU_add_test(s, "filter_deny_and_control_leave_payload_unchanged",
		    test_filter_deny_and_control_leave_payload_unchanged);
	CU_add_test(s, "malformed_requests_dropped_with_parser_reason",
		    test_malformed_requests_dropped_with_parser_reason);
	CU_add_test(s, "non_tcp_and_empty_payload_dropped",
		    test_non_tcp_and_empty_payload_dropped);
	CU_add_test(s, "config_rejects_bad_rules_and_backend",
		    test_config_rejects_bad_rules_and_backend);
	CU_add_test(s, "relative_rules_path_is_relative_to_config",
		    test_relative_rules_path_is_relative_to_config);
	CU_add_test(s, "sw_output_equals_lib_ppm_on_same_trace",
		    test_sw_output_equals_lib_ppm_on_same_trace);
#ifdef ADN_HAVE_PPM_RTL
	CU_add_test(s, "rtl_output_equals_lib_ppm_on_same_trace",
		    test_rtl_output_equals_lib_ppm_on_same_trace);
	CU_add_test(s, "rtl_records_equal_lib_ppm_records",
		    test_rtl_records_equal_lib_ppm_records);
#else
	CU_add_test(s, "rtl_backend_not_built_names_reason",
		    test_rtl_backend_not_built_names_reason);
#endif
	{
		int rc = adn_test_main();

		unlink(small_rules);
		return rc;
	}
}
