/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLIP server elements, driven through TestSource -> ClipServer ->
 * handler -> TestSink pipelines with requests built by the lib/clip codec:
 * dispatch and per-reason drops of ClipServer, Snat's mappings and pool
 * exhaustion and its control export (lookup, export, stats, every
 * refusal), TcpRetransDetect's register life cycle and detection.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_clip_hdr.h"
#include "adn_clip_snat.h"
#include "adn_clip_trd.h"
#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_test.h"

/* An IPv4 frame of `len` bytes turned into a CLIP request for `app`
 * addressed to `server`: SNAT requests carry the 5-tuple params. TCP
 * frames get a 20-byte header with `flags` and `seq`. */
static struct rte_mbuf *
request(uint16_t app, uint16_t server, uint8_t proto, uint16_t sport,
	uint8_t flags, uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = adn_test_ipv4(proto, sport, 80, 64, len);
	struct adn_clip_hdr h = {
		.version = ADN_CLIP_VERSION, .type = ADN_CLIP_MSG_REQUEST,
		.app_id = app, .server_id = server, .flow_id = sport,
	};
	struct rte_ipv4_hdr *ip;
	enum adn_clip_hdr_err why;
	uint8_t *buf;

	CU_ASSERT_FATAL(m != NULL);
	ip = adn_test_ipv4_hdr(m);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

		t->data_off = 5 << 4;
		t->tcp_flags = flags;
		t->sent_seq = rte_cpu_to_be_32(seq);
	}
	h.parsed_len = sizeof(*ip) + 20;
	if (app == ADN_CLIP_APP_SNAT) {
		memcpy(h.params, &ip->src_addr, 4);
		memcpy(h.params + 4, &ip->dst_addr, 4);
		memcpy(h.params + 8, (uint8_t *)(ip + 1), 4);
		h.params[12] = proto;
		h.param_len = ADN_CLIP_SNAT_PARAM_LEN;
	}
	buf = (uint8_t *)rte_pktmbuf_prepend(m, ADN_CLIP_HDR_LEN);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_FATAL(adn_clip_encap(buf, rte_pktmbuf_data_len(m), &h,
				       &why) == 0);
	return m;
}

/* Decode captured response i of sink s. */
static struct adn_clip_hdr
response(struct adn_test_sink *s, unsigned int i)
{
	struct adn_clip_hdr h;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_FATAL(i < s->n);
	CU_ASSERT(adn_clip_frame_decode(rte_pktmbuf_mtod(s->pkts[i], uint8_t *),
					rte_pktmbuf_data_len(s->pkts[i]),
					&h, NULL) == 0);
	CU_ASSERT(h.type == ADN_CLIP_MSG_RESPONSE);
	return h;
}

static const char dispatch_cfg[] =
	"elements = (\n"
	"  { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"cs\"; type = \"ClipServer\"; apps = ( \"snat\", \"trd\", 7 );"
	"    server_id = 3; },\n"
	"  { name = \"a\"; type = \"TestSink\"; },\n"
	"  { name = \"b\"; type = \"TestSink\"; },\n"
	"  { name = \"c\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> cs\", \"cs[0] -> a\", \"cs[1] -> b\", \"cs[2] -> c\" );\n";

static void
test_clip_server_dispatches_by_app_id(void)
{
	struct adn_pipeline *p = adn_test_build("cs-dispatch", dispatch_cfg,
						NULL);
	struct rte_mbuf *in[4];

	CU_ASSERT_FATAL(p != NULL);
	in[0] = request(ADN_CLIP_APP_TRD, 3, IPPROTO_TCP, 1, 0x02, 1, 80);
	in[1] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 2, 0, 0, 80);
	in[2] = request(7, 3, IPPROTO_UDP, 3, 0, 0, 80);
	in[3] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_TCP, 4, 0x10, 9, 90);
	adn_test_run(p, "src", in, 4);
	CU_ASSERT(adn_test_sink(p, "a")->n == 2);
	CU_ASSERT(adn_test_sink(p, "b")->n == 1);
	CU_ASSERT(adn_test_sink(p, "c")->n == 1);
	/* dispatch leaves the request as it was */
	{
		struct adn_test_sink *a = adn_test_sink(p, "a");
		struct adn_clip_hdr h;

		CU_ASSERT(adn_clip_frame_decode(
			rte_pktmbuf_mtod(a->pkts[0], uint8_t *),
			rte_pktmbuf_data_len(a->pkts[0]), &h, NULL) == 0);
		CU_ASSERT(h.type == ADN_CLIP_MSG_REQUEST);
		CU_ASSERT(h.flow_id == 2);
	}
	adn_test_free(p);
}

static void
set_byte(struct rte_mbuf *m, unsigned int off, uint8_t v)
{
	rte_pktmbuf_mtod(m, uint8_t *)[off] = v;
}

static void
test_clip_server_drops_malformed_with_reason(void)
{
	struct adn_pipeline *p = adn_test_build("cs-drops", dispatch_cfg,
						NULL);
	struct rte_mbuf *in[8];
	struct adn_elem_totals t;

	CU_ASSERT_FATAL(p != NULL);
	/* plain IPv4: not a CLIP frame */
	in[0] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 80);
	/* CLIP EtherType, but cut inside the header */
	in[1] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 1, 0, 0, 80);
	rte_pktmbuf_trim(in[1], rte_pktmbuf_data_len(in[1]) - 30);
	/* version 9 */
	in[2] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 1, 0, 0, 80);
	set_byte(in[2], RTE_ETHER_HDR_LEN + 0, 9);
	/* reserved byte set */
	in[3] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 1, 0, 0, 80);
	set_byte(in[3], RTE_ETHER_HDR_LEN + 15, 1);
	/* a response coming in */
	in[4] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 1, 0, 0, 80);
	set_byte(in[4], RTE_ETHER_HDR_LEN + 1, ADN_CLIP_MSG_RESPONSE);
	/* app 9 is not served here */
	in[5] = request(9, 3, IPPROTO_UDP, 1, 0, 0, 80);
	/* meant for server 4 */
	in[6] = request(ADN_CLIP_APP_SNAT, 4, IPPROTO_UDP, 1, 0, 0, 80);
	/* and one good one */
	in[7] = request(ADN_CLIP_APP_SNAT, 3, IPPROTO_UDP, 1, 0, 0, 80);
	adn_test_run(p, "src", in, 8);
	CU_ASSERT(adn_test_drops(p, "cs", "not-clip") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "truncated") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "bad-version") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "bad-header") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "not-request") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "unknown-app") == 1);
	CU_ASSERT(adn_test_drops(p, "cs", "wrong-server") == 1);
	CU_ASSERT(adn_test_sink(p, "a")->n == 1);
	adn_elem_totals(adn_pipeline_find(p, "cs"), &t);
	CU_ASSERT(t.in == 8 && t.dropped == 7 && t.out[0] == 1);
	adn_test_free(p);
}

static void
test_clip_server_rejects_bad_apps(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p;

	p = adn_test_chain("cs-bad", "ClipServer",
			   "apps = [\"snat\", \"dns\"];", &errs);
	CU_ASSERT(p == NULL);
	/* the first error names the value (the core may add follow-ups) */
	CU_ASSERT(adn_errs_find(&errs, "'dns'") == 0);
	adn_errs_clear(&errs);
}

static const char snat_cfg[] =
	"elements = (\n"
	"  { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"cs\"; type = \"ClipServer\"; apps = [\"snat\"]; },\n"
	"  { name = \"nat\"; type = \"Snat\"; server_id = 5;"
	"    ip_base = \"100.64.0.1\"; port_lo = 2000; port_hi = 2001; },\n"
	"  { name = \"out\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> cs -> nat -> out\" );\n";

static void
test_snat_maps_flows_and_reports_pool_exhaustion(void)
{
	struct adn_pipeline *p = adn_test_build("snat", snat_cfg, NULL);
	struct adn_test_sink *s;
	struct adn_clip_hdr h[5];
	struct rte_mbuf *in[5];

	CU_ASSERT_FATAL(p != NULL);
	/* flows 1, 2, 3, then 1 and 2 again; the pool has two pairs */
	in[0] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_UDP, 1001, 0, 0, 80);
	in[1] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_TCP, 1002, 0x02, 7, 80);
	in[2] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_UDP, 1003, 0, 0, 80);
	in[3] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_UDP, 1001, 0, 0, 80);
	in[4] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_TCP, 1002, 0x10, 8, 80);
	adn_test_run(p, "src", in, 5);
	s = adn_test_sink(p, "out");
	CU_ASSERT_FATAL(s->n == 5);
	for (unsigned int i = 0; i < 5; i++)
		h[i] = response(s, i);
	/* two pairs in the pool: 100.64.0.1:2000 and :2001 */
	CU_ASSERT(h[0].status == ADN_CLIP_ST_OK &&
		  h[0].result_len == ADN_CLIP_SNAT_RESULT_LEN);
	CU_ASSERT(memcmp(h[0].result, "\x64\x40\x00\x01\x07\xd0", 6) == 0);
	CU_ASSERT(memcmp(h[1].result, "\x64\x40\x00\x01\x07\xd1", 6) == 0);
	CU_ASSERT(h[2].status == ADN_CLIP_ST_NO_RESOURCE);
	/* known flows keep their mapping */
	CU_ASSERT(memcmp(h[3].result, h[0].result, 6) == 0);
	CU_ASSERT(memcmp(h[4].result, h[1].result, 6) == 0);
	/* responses are the requests' length: rewritten in place */
	CU_ASSERT(rte_pktmbuf_data_len(s->pkts[0]) ==
		  80 + ADN_CLIP_HDR_LEN);
	CU_ASSERT(adn_test_xstat(p, "nat", "created") == 2);
	CU_ASSERT(adn_test_xstat(p, "nat", "hits") == 2);
	CU_ASSERT(adn_test_xstat(p, "nat", "mappings") == 2);
	CU_ASSERT(adn_test_xstat(p, "nat", "pool-exhausted") == 1);
	CU_ASSERT(adn_test_xstat(p, "nat", "table-full") == 0);
	adn_test_free(p);
}

static void
test_snat_drops_requests_of_other_apps(void)
{
	struct adn_pipeline *p = adn_test_chain("snat-other", "Snat",
		"server_id = 0; ip_base = \"100.64.0.1\";", NULL);
	struct rte_mbuf *in[2];

	CU_ASSERT_FATAL(p != NULL);
	in[0] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, 0x02, 1, 80);
	in[1] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 80);
	adn_test_run(p, "src", in, 2);
	CU_ASSERT(adn_test_drops(p, "x", "malformed") == 2);
	CU_ASSERT(adn_test_sink(p, "out")->n == 0);
	CU_ASSERT(adn_test_xstat(p, "x", "requests") == 0);
	adn_test_free(p);
}

static void
test_snat_rejects_bad_pool(void)
{
	static const char *const bad[][2] = {
		{ "server_id = 0; ip_base = \"100.64.0\";", "ip_base" },
		{ "server_id = 0; ip_base = \"100.64.0.1\";"
		  " port_lo = 3000; port_hi = 2000;", "port_hi" },
		{ "server_id = 0; ip_base = \"255.255.255.255\"; n_ips = 2;",
		  "n_ips" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		struct adn_errs errs = { 0 };

		CU_ASSERT(adn_test_chain("snat-bad", "Snat", bad[i][0],
					 &errs) == NULL);
		CU_ASSERT(adn_errs_find(&errs, bad[i][1]) == 0);
		adn_errs_clear(&errs);
	}
}

static const char trd_cfg[] =
	"elements = (\n"
	"  { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"cs\"; type = \"ClipServer\"; apps = [\"trd\"]; },\n"
	"  { name = \"trd\"; type = \"TcpRetransDetect\"; registers = 1; },\n"
	"  { name = \"out\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> cs -> trd -> out\" );\n";

#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04

static uint16_t
res_index(const struct adn_clip_hdr *h)
{
	return (uint16_t)(h->result[0] << 8 | h->result[1]);
}

static void
test_trd_allocates_detects_and_releases(void)
{
	struct adn_pipeline *p = adn_test_build("trd", trd_cfg, NULL);
	/* 80-byte frames: 80 - 14 - 20 - 20 = 26 payload bytes */
	const uint32_t isn = 1000, pl = 26;
	struct adn_test_sink *s;
	struct adn_clip_hdr h[9];
	struct rte_mbuf *in[9];

	CU_ASSERT_FATAL(p != NULL);
	/* flow 1: SYN (index 0), two segments, the first one again
	 * (retransmission), flow 2's SYN while flow 1 holds the only
	 * register, flow 1 FIN (release), flow 2 SYN again (gets index 0),
	 * flow 2 RST, a segment of an unknown flow */
	in[0] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, SYN, isn, 54);
	in[1] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, ACK, isn + 1, 80);
	in[2] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, ACK,
			isn + 1 + pl, 80);
	in[3] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, ACK, isn + 1, 80);
	in[4] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 2, SYN, 5, 54);
	in[5] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, FIN | ACK,
			isn + 1 + 2 * pl, 54);
	in[6] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 2, SYN, 5, 54);
	in[7] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 2, RST, 6, 54);
	in[8] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 3, ACK, 77, 80);
	adn_test_run(p, "src", in, 9);
	s = adn_test_sink(p, "out");
	CU_ASSERT_FATAL(s->n == 9);
	for (unsigned int i = 0; i < 9; i++)
		h[i] = response(s, i);
	CU_ASSERT(h[0].status == ADN_CLIP_ST_OK && res_index(&h[0]) == 0);
	CU_ASSERT(h[1].result[2] == 0 && h[2].result[2] == 0);
	CU_ASSERT(h[3].result[2] == ADN_CLIP_TRD_F_RETRANS);
	CU_ASSERT(h[3].result[7] == 1);		/* per-flow count */
	CU_ASSERT(h[4].status == ADN_CLIP_ST_NO_RESOURCE);
	CU_ASSERT(h[5].status == ADN_CLIP_ST_OK &&
		  h[5].result[2] == ADN_CLIP_TRD_F_RELEASED &&
		  h[5].result[7] == 1);
	CU_ASSERT(h[6].status == ADN_CLIP_ST_OK && res_index(&h[6]) == 0);
	CU_ASSERT(h[7].result[2] == ADN_CLIP_TRD_F_RELEASED);
	CU_ASSERT(h[8].result[2] == ADN_CLIP_TRD_F_UNTRACKED &&
		  res_index(&h[8]) == ADN_CLIP_TRD_NO_INDEX);
	CU_ASSERT(adn_test_xstat(p, "trd", "allocated") == 2);
	CU_ASSERT(adn_test_xstat(p, "trd", "released") == 2);
	CU_ASSERT(adn_test_xstat(p, "trd", "exhausted") == 1);
	CU_ASSERT(adn_test_xstat(p, "trd", "retransmissions") == 1);
	CU_ASSERT(adn_test_xstat(p, "trd", "untracked") == 1);
	CU_ASSERT(adn_test_xstat(p, "trd", "connections") == 0);
	adn_test_free(p);
}

static void
test_trd_answers_non_tcp_with_bad_request(void)
{
	struct adn_pipeline *p = adn_test_build("trd-udp", trd_cfg, NULL);
	struct rte_mbuf *in[2];
	struct adn_clip_hdr h;

	CU_ASSERT_FATAL(p != NULL);
	in[0] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_UDP, 1, 0, 0, 80);
	/* TCP whose IP total length runs past the frame */
	in[1] = request(ADN_CLIP_APP_TRD, 0, IPPROTO_TCP, 1, SYN, 0, 80);
	rte_pktmbuf_trim(in[1], 10);
	adn_test_run(p, "src", in, 2);
	CU_ASSERT_FATAL(adn_test_sink(p, "out")->n == 2);
	h = response(adn_test_sink(p, "out"), 0);
	CU_ASSERT(h.status == ADN_CLIP_ST_BAD_REQUEST);
	h = response(adn_test_sink(p, "out"), 1);
	CU_ASSERT(h.status == ADN_CLIP_ST_BAD_REQUEST);
	CU_ASSERT(adn_test_xstat(p, "trd", "bad-request") == 2);
	CU_ASSERT(adn_test_xstat(p, "trd", "allocated") == 0);
	adn_test_free(p);
}

/* --- Snat control: the mirrored table's export -------------------------- */

static const char snat_ctl_cfg[] =
	"elements = (\n"
	"  { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"nat\"; type = \"Snat\"; server_id = 5;"
	"    ip_base = \"100.64.0.1\"; port_lo = 2000; port_hi = 2009; },\n"
	"  { name = \"out\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> nat -> out\" );\n";

/* A Snat that mapped n flows: UDP from 10.0.0.1:1001.. to
 * 192.168.1.2:80, ports 2000.. in order. */
static struct adn_pipeline *
snat_with_flows(unsigned int n, struct adn_elem **e)
{
	struct adn_pipeline *p = adn_test_build("snat-ctl", snat_ctl_cfg,
						NULL);
	struct rte_mbuf *in[16];

	CU_ASSERT_FATAL(p != NULL && n <= RTE_DIM(in));
	for (unsigned int i = 0; i < n; i++)
		in[i] = request(ADN_CLIP_APP_SNAT, 5, IPPROTO_UDP,
				(uint16_t)(1001 + i), 0, 0, 80);
	adn_test_run(p, "src", in, n);
	CU_ASSERT_FATAL(adn_test_sink(p, "out")->n == n);
	*e = adn_pipeline_find(p, "nat");
	CU_ASSERT_FATAL(*e != NULL);
	return p;
}

/* Run cmd: expect rc and a reply holding want; queries never move the
 * state generation (no fastpath flush for a read). */
static void
snat_ctl(struct adn_elem *e, const char *cmd, int rc, const char *want,
	 char *reply, size_t len)
{
	uint32_t gen = e->state_gen;
	int got = adn_elem_control(e, cmd, reply, len);

	CU_ASSERT_EQUAL(got, rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, want));
	if (got != rc || strstr(reply, want) == NULL)
		printf("\n'%s': rc %d reply '%s', want %d '%s'\n", cmd, got,
		       reply, rc, want);
	CU_ASSERT_EQUAL(e->state_gen, gen);
}

static void
test_snat_control_lookup_answers_mapping_or_no_entry(void)
{
	struct adn_elem *e;
	struct adn_pipeline *p = snat_with_flows(2, &e);
	struct adn_clip_entry m;
	char r[256];

	snat_ctl(e, "lookup 10.0.0.1:1001 192.168.1.2:80 udp", 0,
		 "10.0.0.1:1001 192.168.1.2:80 udp -> 100.64.0.1:2000 server 5",
		 r, sizeof(r));
	/* numeric protocol, extra blanks; the reply parses back */
	snat_ctl(e, "  lookup  10.0.0.1:1002   192.168.1.2:80  17 ", 0,
		 "-> 100.64.0.1:2001 server 5", r, sizeof(r));
	CU_ASSERT(adn_clip_snat_entry_parse(r, &m) == 0);
	CU_ASSERT(m.server == 5 && m.key.proto == 17 &&
		  m.key.src_port == rte_cpu_to_be_16(1002) &&
		  m.key.dst_ip == rte_cpu_to_be_32(0xc0a80102) &&
		  memcmp(m.result, "\x64\x40\x00\x01\x07\xd1", 6) == 0);
	/* a flow never seen, and the same flow as TCP: not mapped */
	snat_ctl(e, "lookup 10.0.0.1:1003 192.168.1.2:80 udp", 0,
		 "no entry for 10.0.0.1:1003 192.168.1.2:80 udp", r,
		 sizeof(r));
	snat_ctl(e, "lookup 10.0.0.1:1001 192.168.1.2:80 tcp", 0,
		 "no entry", r, sizeof(r));
	/* a lookup is not traffic: the entry's hits stay as they were */
	CU_ASSERT(adn_test_xstat(p, "nat", "hits") == 0);
	adn_test_free(p);
}

/* Lines after the count line of an export reply, parsed; returns how
 * many, or -1 when one does not parse. */
static int
export_lines(const char *reply, struct adn_clip_entry *out, unsigned int max)
{
	const char *l = strchr(reply, '\n');
	unsigned int n = 0;

	for (; l != NULL; l = strchr(l + 1, '\n')) {
		if (n == max || adn_clip_snat_entry_parse(l + 1, &out[n]) < 0)
			return -1;
		n++;
	}
	return (int)n;
}

static void
test_snat_control_export_pages_through_every_entry(void)
{
	struct adn_elem *e;
	struct adn_pipeline *p = snat_with_flows(5, &e);
	struct adn_clip_entry got[16];
	bool seen[5] = { false };
	char r[1024], want[64];
	int n;

	/* pages of 2 cover the 5 entries once each */
	for (unsigned int off = 0; off < 5; off += 2) {
		char cmd[32];

		snprintf(cmd, sizeof(cmd), "export 2 %u", off);
		snprintf(want, sizeof(want), "exported %u of 5 from %u, next %u",
			 off < 4 ? 2 : 1, off, off < 4 ? off + 2 : 5);
		snat_ctl(e, cmd, 0, want, r, sizeof(r));
		CU_ASSERT(strncmp(r, want, strlen(want)) == 0);
		n = export_lines(r, got, RTE_DIM(got));
		CU_ASSERT_EQUAL(n, off < 4 ? 2 : 1);
		for (int i = 0; i < n; i++) {
			unsigned int f = rte_be_to_cpu_16(got[i].key.src_port) -
				1001u;

			CU_ASSERT_FATAL(f < 5);
			CU_ASSERT(!seen[f]);
			seen[f] = true;
			/* flow i got port 2000 + i */
			CU_ASSERT(got[i].result[4] == 0x07 &&
				  got[i].result[5] == 0xd0 + f);
			CU_ASSERT(got[i].server == 5);
		}
	}
	for (unsigned int f = 0; f < 5; f++)
		CU_ASSERT(seen[f]);
	/* OFFSET defaults to 0; N above the count gives them all; at the
	 * end, an empty page */
	snat_ctl(e, "export 64", 0, "exported 5 of 5 from 0, next 5", r,
		 sizeof(r));
	CU_ASSERT_EQUAL(export_lines(r, got, RTE_DIM(got)), 5);
	snat_ctl(e, "export 3 5", 0, "exported 0 of 5 from 5, next 5", r,
		 sizeof(r));
	CU_ASSERT(strchr(r, '\n') == NULL);
	/* a short reply buffer gets whole lines only, and says so */
	snat_ctl(e, "export 5", 0, "exported 1 of 5 from 0, next 1", r, 160);
	CU_ASSERT_EQUAL(export_lines(r, got, RTE_DIM(got)), 1);
	snat_ctl(e, "export 5", -EMSGSIZE, "too small for one entry", r, 80);
	snat_ctl(e, "export 5", -EMSGSIZE, "export: reply", r, 20);
	adn_test_free(p);
}

static void
test_snat_control_stats_reports_table_and_pool(void)
{
	struct adn_elem *e;
	struct adn_pipeline *p = snat_with_flows(3, &e);
	char r[256];

	snat_ctl(e, "stats", 0,
		 "entries 3 capacity 65536 pool-used 3 pool-size 10 requests 3 created 3",
		 r, sizeof(r));
	adn_test_free(p);
}

static void
test_snat_control_rejects_bad_commands(void)
{
	static const struct { const char *cmd; int rc; const char *why; } bad[] = {
		{ "", -EINVAL, "unknown command '' (lookup, export, stats)" },
		{ "flush", -EINVAL, "unknown command 'flush'" },
		{ "lookups 10.0.0.1:1 10.0.0.2:2 udp", -EINVAL,
		  "unknown command 'lookups'" },
		{ "lookup", -EINVAL, "lookup: source: want A.B.C.D:PORT" },
		{ "lookup 10.0.0.1 192.168.1.2:80 udp", -EINVAL,
		  "source: want A.B.C.D:PORT, got '10.0.0.1'" },
		{ "lookup 10.0.0.300:1 192.168.1.2:80 udp", -EINVAL,
		  "'10.0.0.300' is not a dotted IPv4 address" },
		{ "lookup 10.0.0.1:65536 192.168.1.2:80 udp", -EINVAL,
		  "source: port '65536' is not 0-65535" },
		{ "lookup 10.0.0.1:-1 192.168.1.2:80 udp", -EINVAL,
		  "port '-1'" },
		{ "lookup 10.0.0.1:1 192.168.1.2:8x0 udp", -EINVAL,
		  "destination: port '8x0'" },
		{ "lookup 10.0.0.1:1 192.168.1.2:80", -EINVAL,
		  "protocol '': tcp, udp, 6 or 17" },
		{ "lookup 10.0.0.1:1 192.168.1.2:80 icmp", -EINVAL,
		  "protocol 'icmp'" },
		{ "lookup 10.0.0.1:1 192.168.1.2:80 udp 5", -EINVAL,
		  "unexpected '5' after the flow" },
		{ "export", -EINVAL, "export: want N [OFFSET]" },
		{ "export 0", -EINVAL, "N '0' is not 1-64" },
		{ "export 65", -EINVAL, "N '65' is not 1-64" },
		{ "export two", -EINVAL, "N 'two' is not 1-64" },
		{ "export 1 -1", -EINVAL, "OFFSET '-1' is not a count" },
		{ "export 1 3", -ERANGE, "OFFSET 3 past the 2 entries" },
		{ "export 1 0 0", -EINVAL, "export: want N [OFFSET]" },
		{ "stats all", -EINVAL, "stats: takes no arguments, got 'all'" },
	};
	struct adn_elem *e;
	struct adn_pipeline *p = snat_with_flows(2, &e);
	char r[256];

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		snat_ctl(e, bad[i].cmd, bad[i].rc, bad[i].why, r, sizeof(r));
	adn_test_free(p);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("clip_elements");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_clip_server_dispatches_by_app_id);
	CU_ADD_TEST(s, test_clip_server_drops_malformed_with_reason);
	CU_ADD_TEST(s, test_clip_server_rejects_bad_apps);
	CU_ADD_TEST(s, test_snat_maps_flows_and_reports_pool_exhaustion);
	CU_ADD_TEST(s, test_snat_drops_requests_of_other_apps);
	CU_ADD_TEST(s, test_snat_rejects_bad_pool);
	CU_ADD_TEST(s, test_snat_control_lookup_answers_mapping_or_no_entry);
	CU_ADD_TEST(s, test_snat_control_export_pages_through_every_entry);
	CU_ADD_TEST(s, test_snat_control_stats_reports_table_and_pool);
	CU_ADD_TEST(s, test_snat_control_rejects_bad_commands);
	CU_ADD_TEST(s, test_trd_allocates_detects_and_releases);
	CU_ADD_TEST(s, test_trd_answers_non_tcp_with_bad_request);
	return adn_test_main();
}
