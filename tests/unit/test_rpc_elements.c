/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcParse, RpcLb, RpcAcl through pipelines. RpcParse leaves the same
 * fields for ADN RPCs over UDP and HTTP requests, passes other traffic
 * and counts malformed headers by reason (random mutations included:
 * every packet is accounted for). One RpcAcl rule set behind two views —
 * an ADN RPC application and an HTTP one naming the fields differently —
 * gives the same verdicts. RpcLb keeps every key on its backend, moves
 * about 1/N of the keys when one of N backends goes and brings them
 * back when it returns, with valid checksums after the rewrite. Rules
 * reload without parking workers; config errors name the line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_rand.h"
#include "adn_rpc_meta.h"
#include "adn_rpc_view.h"
#include "adn_tcp_seq.h"
#include "adn_test.h"

#define RPC_PORT 9000
#define HDR_OFF (14 + 20 + 8)

/* A UDP packet 10.0.0.1:sport -> 192.168.1.2:9000 carrying an ADN RPC
 * request with fields f[0..n) and `pl` payload bytes; checksums valid. */
static struct rte_mbuf *
rpc_pkt(uint16_t sport, uint32_t req_id, const struct adn_rpc_field_val *f,
	unsigned int n, uint16_t pl)
{
	const size_t hl = adn_rpc_hdr_size(f, n);
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint8_t *p;

	CU_ASSERT_FATAL(hl > 0);
	m = adn_test_ipv4_flow(IPPROTO_UDP, 0x0a000001, sport, 0xc0a80102,
			       RPC_PORT, (uint16_t)(HDR_OFF + hl + pl));
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, HDR_OFF);
	CU_ASSERT_FATAL(adn_rpc_encode(p, hl, ADN_RPC_T_REQUEST, 0, req_id,
				       1, 2, pl, f, n) == (int)hl);
	memset(p + hl, 'p', pl);
	ip = adn_test_ipv4_hdr(m);
	u = (struct rte_udp_hdr *)(ip + 1);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + hl + pl));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return m;
}

/* An RPC with field 1 = user (string) and field 2 = object (u64). */
static struct rte_mbuf *
rpc_user_object(uint16_t sport, uint32_t req_id, const char *user,
		uint64_t object)
{
	const struct adn_rpc_field_val f[] = {
		{ .id = 1, .type = ADN_RPC_FT_STRING, .val = user,
		  .len = (uint16_t)strlen(user) },
		{ .id = 2, .type = ADN_RPC_FT_U64, .u64 = object },
	};

	return rpc_pkt(sport, req_id, f, 2, 16);
}

static void
sinks_clear(struct adn_pipeline *p, const char *const *names)
{
	for (; *names != NULL; names++)
		adn_test_sink_clear(adn_test_sink(p, *names));
}

/* --- RpcParse ---------------------------------------------------------- */

static const char parse_cfg[] =
	"elements = (\n"
	" { name = \"src\"; type = \"TestSource\"; },\n"
	" { name = \"hp\"; type = \"HttpParse\"; },\n"
	" { name = \"rp\"; type = \"RpcParse\"; udp_ports = [ 9000 ]; },\n"
	" { name = \"out\"; type = \"TestSink\"; },\n"
	" { name = \"other\"; type = \"TestSink\"; },\n"
	" { name = \"rej\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> hp -> rp -> out\", \"hp[1] -> rej\",\n"
	" \"hp[2] -> rp\", \"rp[1] -> other\" );\n";

static void
test_rpc_parse_extracts_both_carriers(void)
{
	static const char req[] = "POST /objects/42?user=bob HTTP/1.1\r\n"
		"Host: h\r\nX-User: alice\r\nContent-Length: 5\r\n\r\nhello";
	struct adn_pipeline *p = adn_test_build("rpc_parse", parse_cfg, NULL);
	static const char *const sinks[] = { "out", "other", "rej", NULL };
	struct adn_test_sink *out, *other;
	const struct adn_rpc_msg *r;
	struct rte_mbuf *pk[8];
	struct adn_rpc_sel s;
	struct adn_rpc_val v;
	char why[128];
	unsigned int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pk[n++] = rpc_user_object(5000, 77, "carol", 1234);
	pk[n++] = adn_test_ipv4(IPPROTO_UDP, 5000, 53, 64, 80);
	pk[n++] = adn_test_tcp(6000, 100, ADN_TCP_SYN, "", 0);
	pk[n++] = adn_test_tcp(6000, 101, ADN_TCP_ACK, req, strlen(req));
	adn_test_run(p, "src", pk, n);
	out = adn_test_sink(p, "out");
	other = adn_test_sink(p, "other");
	CU_ASSERT_EQUAL_FATAL(out->n, 2);
	CU_ASSERT_EQUAL(other->n, 2);	/* UDP to 53, the SYN */
	CU_ASSERT_EQUAL(adn_test_xstat(p, "rp", "adn_requests"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "rp", "http_requests"), 1);
	for (unsigned int i = 0; i < other->n; i++)
		CU_ASSERT_PTR_NULL(adn_rpc_msg(other->pkts[i]));

	/* the ADN RPC: ids, fields pointing into the packet, payload */
	r = adn_rpc_msg(out->pkts[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->carrier, ADN_RPC_CARRIER_ADN);
	CU_ASSERT_EQUAL(r->kind, ADN_RPC_T_REQUEST);
	CU_ASSERT(r->req_id == 77 && r->service == 1 && r->method == 2);
	CU_ASSERT_EQUAL(r->rpc_off, HDR_OFF);
	CU_ASSERT_PTR_EQUAL(r->rpc, rte_pktmbuf_mtod_offset(out->pkts[0],
						uint8_t *, HDR_OFF));
	CU_ASSERT(r->payload_len == 16 && r->payload[0] == 'p');
	CU_ASSERT_EQUAL(adn_rpc_sel_parse("rpc:1", ADN_RPC_VT_BYTES, &s, why,
					  sizeof(why)), 0);
	CU_ASSERT(adn_rpc_sel_get(r, &s, ADN_RPC_VT_BYTES, &v) == 1 &&
		  v.len == 5 && memcmp(v.p, "carol", 5) == 0);
	CU_ASSERT_EQUAL(adn_rpc_sel_parse("rpc:2", ADN_RPC_VT_U64, &s, why,
					  sizeof(why)), 0);
	CU_ASSERT(adn_rpc_sel_get(r, &s, ADN_RPC_VT_U64, &v) == 1 &&
		  v.u64 == 1234);

	/* the HTTP request: any header, query, path segment, body */
	r = adn_rpc_msg(out->pkts[1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->carrier, ADN_RPC_CARRIER_HTTP);
	CU_ASSERT_EQUAL(r->kind, ADN_RPC_T_REQUEST);
	CU_ASSERT_EQUAL(adn_rpc_sel_parse("header:x-user", ADN_RPC_VT_BYTES,
					  &s, why, sizeof(why)), 0);
	CU_ASSERT(adn_rpc_sel_get(r, &s, ADN_RPC_VT_BYTES, &v) == 1 &&
		  v.len == 5 && memcmp(v.p, "alice", 5) == 0);
	CU_ASSERT_EQUAL(adn_rpc_sel_parse("query:user", ADN_RPC_VT_BYTES, &s,
					  why, sizeof(why)), 0);
	CU_ASSERT(adn_rpc_sel_get(r, &s, ADN_RPC_VT_BYTES, &v) == 1 &&
		  v.len == 3 && memcmp(v.p, "bob", 3) == 0);
	CU_ASSERT_EQUAL(adn_rpc_sel_parse("path:1", ADN_RPC_VT_U64, &s, why,
					  sizeof(why)), 0);
	CU_ASSERT(adn_rpc_sel_get(r, &s, ADN_RPC_VT_U64, &v) == 1 &&
		  v.u64 == 42);
	CU_ASSERT(r->payload_len == 5 &&
		  memcmp(r->payload, "hello", 5) == 0);
	sinks_clear(p, sinks);
	adn_test_free(p);
}

static void
test_rpc_parse_counts_malformed(void)
{
	struct adn_pipeline *p = adn_test_build("rpc_bad", parse_cfg, NULL);
	static const char *const sinks[] = { "out", "other", "rej", NULL };
	struct rte_mbuf *pk[ADN_BATCH_MAX];
	struct rte_udp_hdr *u;
	struct adn_rand r;
	uint64_t dropped = 0, out = 0, other = 0;
	unsigned int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* one damaged byte each, then a UDP length past the frame */
	static const unsigned int at[] = { 0, ADN_RPC_OFF_VERSION,
					   ADN_RPC_FIXED_LEN + 1 };
	static const uint8_t val[] = { 0, 9, 0x77 };

	for (; n < RTE_DIM(at); n++) {
		pk[n] = rpc_user_object(5000, 1, "u", 1);
		rte_pktmbuf_mtod_offset(pk[n], uint8_t *, HDR_OFF)[at[n]] =
			val[n];
	}
	pk[n] = rpc_user_object(5000, 1, "u", 1);
	u = (struct rte_udp_hdr *)(adn_test_ipv4_hdr(pk[n]) + 1);
	u->dgram_len = rte_cpu_to_be_16(rte_be_to_cpu_16(u->dgram_len) + 1);
	n++;
	adn_test_run(p, "src", pk, n);
	CU_ASSERT_EQUAL(adn_test_drops(p, "rp", "bad-magic"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "rp", "bad-version"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "rp", "bad-field-type"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "rp", "truncated"), 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 0);

	/* a malformed HTTP carrier: HttpParse rejects it (counted), no RPC
	 * record comes of it */
	static const char smug[] = "POST /o HTTP/1.1\r\nHost: h\r\n"
		"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
	n = 0;
	pk[n++] = adn_test_tcp(7000, 10, ADN_TCP_SYN, "", 0);
	pk[n++] = adn_test_tcp(7000, 11, ADN_TCP_ACK, smug, strlen(smug));
	adn_test_run(p, "src", pk, n);
	CU_ASSERT_EQUAL(adn_test_sink(p, "rej")->n, 1);
	CU_ASSERT_PTR_NULL(adn_rpc_msg(adn_test_sink(p, "rej")->pkts[0]));
	CU_ASSERT_EQUAL(adn_test_xstat(p, "hp", "reject-cl-and-te"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "rp", "http_requests"), 0);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 0);
	sinks_clear(p, sinks);

	/* random damage: every packet leaves by some output or a counted
	 * drop */
	adn_rand_seed(&r, 3);
	for (unsigned int round = 0; round < 40; round++) {
		struct adn_elem_totals t;

		for (n = 0; n < ADN_BATCH_MAX; n++) {
			uint8_t *b;
			uint16_t len;

			pk[n] = rpc_user_object(5000, n, "someone", n);
			b = rte_pktmbuf_mtod_offset(pk[n], uint8_t *, HDR_OFF);
			len = rte_pktmbuf_data_len(pk[n]) - HDR_OFF;
			for (unsigned int k = 1 + adn_rand_below(&r, 2); k > 0;
			     k--)
				b[adn_rand_below(&r, len)] =
					(uint8_t)adn_rand_u64(&r);
		}
		adn_test_run(p, "src", pk, n);
		out += adn_test_sink(p, "out")->n;
		other += adn_test_sink(p, "other")->n;
		sinks_clear(p, sinks);
		adn_test_counters(adn_pipeline_find(p, "rp"), &t);
		dropped = 0;
		for (unsigned int d = 0; d < ADN_N_DROP_SLOTS; d++)
			dropped += t.drop[d];
	}
	CU_ASSERT_EQUAL(out + other + dropped, 40 * ADN_BATCH_MAX + 4);
	CU_ASSERT(out > 0 && dropped > 1000);
	CU_ASSERT_EQUAL(other, 0);
	adn_test_free(p);
}

/* --- one RpcAcl, two applications ------------------------------------- */

static const char acl_rules[] =
	"\"user exact mallory -> deny\",\n"
	" \"user prefix adm object range 0-99 -> permit\",\n"
	" \"user prefix adm -> deny\",\n"
	" \"object in {7,8,9} -> deny\",\n"
	" \"object range 1000-1999 -> deny\"";

static const char *const acl_users[] = { "alice", "bob", "mallory", "admin",
	"adm1", "carol" };

#define ACL_REQS 240

static void
test_views_give_two_apps_the_same_verdicts(void)
{
	char cfg_a[2048], cfg_b[2048];
	struct adn_pipeline *a, *b;
	static const char *const sinks[] = { "out", "other", NULL };
	static const char *const sinks_b[] = { "out", "other", "rej", NULL };
	struct rte_mbuf *pk[ADN_BATCH_MAX];
	bool pass_a[ACL_REQS] = { false }, pass_b[ACL_REQS] = { false };
	struct adn_rand r;
	unsigned int n_pass = 0;

	snprintf(cfg_a, sizeof(cfg_a),
		 "elements = (\n"
		 " { name = \"src\"; type = \"TestSource\"; },\n"
		 " { name = \"rp\"; type = \"RpcParse\"; },\n"
		 " { name = \"acl\"; type = \"RpcAcl\"; default = \"permit\";\n"
		 "   view = { user = \"rpc:1\"; object = \"rpc:2\"; };\n"
		 "   rules = ( %s ); },\n"
		 " { name = \"out\"; type = \"TestSink\"; },\n"
		 " { name = \"other\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> rp -> acl -> out\", \"rp[1] -> other\" );\n",
		 acl_rules);
	snprintf(cfg_b, sizeof(cfg_b),
		 "elements = (\n"
		 " { name = \"src\"; type = \"TestSource\"; },\n"
		 " { name = \"hp\"; type = \"HttpParse\"; },\n"
		 " { name = \"rp\"; type = \"RpcParse\"; udp_ports = []; },\n"
		 " { name = \"acl\"; type = \"RpcAcl\"; default = \"permit\";\n"
		 "   view = { object = \"query:id\"; user = \"header:x-user\"; };\n"
		 "   rules = ( %s ); },\n"
		 " { name = \"out\"; type = \"TestSink\"; },\n"
		 " { name = \"other\"; type = \"TestSink\"; },\n"
		 " { name = \"rej\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> hp -> rp -> acl -> out\", \"hp[1] -> rej\",\n"
		 " \"hp[2] -> rej\", \"rp[1] -> other\" );\n", acl_rules);
	a = adn_test_build("acl_app_a", cfg_a, NULL);
	b = adn_test_build("acl_app_b", cfg_b, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	adn_rand_seed(&r, 21);
	for (unsigned int i = 0; i < ACL_REQS; i++) {
		const char *user = acl_users[adn_rand_below(&r, 6)];
		uint64_t obj = adn_rand_below(&r, 4) == 0 ?
			7 + adn_rand_below(&r, 3) : adn_rand_below(&r, 2500);
		char req[256];
		struct rte_mbuf *two[2];
		struct adn_test_sink *s;

		pk[0] = rpc_user_object((uint16_t)(10000 + i), i, user, obj);
		adn_test_run(a, "src", pk, 1);
		s = adn_test_sink(a, "out");
		pass_a[i] = s->n == 1;
		snprintf(req, sizeof(req), "GET /o?id=%" PRIu64 " HTTP/1.1\r\n"
			 "Host: h\r\nX-User: %s\r\n\r\n", obj, user);
		two[0] = adn_test_tcp((uint16_t)(10000 + i), 1, ADN_TCP_SYN,
				      "", 0);
		two[1] = adn_test_tcp((uint16_t)(10000 + i), 2, ADN_TCP_ACK,
				      req, strlen(req));
		adn_test_run(b, "src", two, 2);
		s = adn_test_sink(b, "out");
		pass_b[i] = s->n == 1;
		CU_ASSERT_EQUAL(adn_test_sink(b, "other")->n, 1); /* SYN */
		if (pass_a[i] != pass_b[i])
			printf("\n%s %" PRIu64 ": adn %d http %d\n", user, obj,
			       pass_a[i], pass_b[i]);
		CU_ASSERT_EQUAL(pass_a[i], pass_b[i]);
		n_pass += pass_a[i];
		sinks_clear(a, sinks);
		sinks_clear(b, sinks_b);
	}
	/* the rules decide both ways, and each rule counts alike */
	CU_ASSERT(n_pass > ACL_REQS / 5 && n_pass < ACL_REQS * 4 / 5);
	CU_ASSERT_EQUAL(adn_test_xstat(a, "acl", "permitted"), n_pass);
	CU_ASSERT_EQUAL(adn_test_drops(a, "acl", "denied"), ACL_REQS - n_pass);
	for (unsigned int i = 0; i < 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "rule%u", i);
		CU_ASSERT_EQUAL(adn_test_xstat(a, "acl", name),
				adn_test_xstat(b, "acl", name));
		CU_ASSERT(adn_test_xstat(a, "acl", name) > 0);
	}
	adn_test_free(a);
	adn_test_free(b);
}

static void
test_rpc_acl_reloads_rules(void)
{
	char path[64], bad[64], cmd[128], reply[512];
	const char *const sinks[] = { "out", NULL };
	struct adn_pipeline *p;
	struct adn_elem *acl;
	struct rte_mbuf *pk[2];

	snprintf(path, sizeof(path), "/tmp/adn_rpc_acl_%d.txt", getpid());
	snprintf(bad, sizeof(bad), "/tmp/adn_rpc_acl_bad_%d.txt", getpid());
	adn_test_write_file(path, "# bob may not\nuser exact bob -> deny\n");
	adn_test_write_file(bad, "user exact x -> deny\nuser nope x -> deny\n");
	p = adn_test_build("acl_reload",
		"elements = (\n"
		" { name = \"src\"; type = \"TestSource\"; },\n"
		" { name = \"rp\"; type = \"RpcParse\"; },\n"
		" { name = \"acl\"; type = \"RpcAcl\";\n"
		"   view = { user = \"rpc:1\"; };\n"
		"   rules = ( \"user exact alice -> permit\" ); },\n"
		" { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> rp -> acl -> out\", \"rp[1] -> out\" );\n",
		NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	acl = adn_pipeline_find(p, "acl");
	pk[0] = rpc_user_object(1, 1, "alice", 1);
	pk[1] = rpc_user_object(1, 2, "bob", 1);
	adn_test_run(p, "src", pk, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 1);	/* default deny */
	sinks_clear(p, sinks);
	snprintf(cmd, sizeof(cmd), "reload %s", bad);
	CU_ASSERT(adn_elem_control(acl, cmd, reply, sizeof(reply)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, ":2: 'nope'"));
	snprintf(cmd, sizeof(cmd), "reload %s", path);
	CU_ASSERT_EQUAL(adn_elem_control(acl, cmd, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "loaded 2 rules"));
	pk[0] = rpc_user_object(1, 1, "alice", 1);
	pk[1] = rpc_user_object(1, 2, "bob", 1);
	adn_test_run(p, "src", pk, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "acl", "rule0"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "acl", "rule1"), 1);
	CU_ASSERT_EQUAL(adn_elem_control(acl, "stats", reply, sizeof(reply)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "rule1 1 user exact bob -> deny"));
	sinks_clear(p, sinks);
	adn_test_free(p);
	unlink(path);
	unlink(bad);
}

/* --- RpcLb -------------------------------------------------------------- */

#define LB_KEYS 4000
#define LB_N 8

/* Send one RPC per key (field 2 = "objK") and note the backend (last
 * byte of the rewritten destination) each reached; checksums must hold. */
static void
lb_round(struct adn_pipeline *p, uint8_t *be)
{
	struct adn_test_sink *s = adn_test_sink(p, "out");

	for (unsigned int k0 = 0; k0 < LB_KEYS; k0 += ADN_BATCH_MAX) {
		struct rte_mbuf *pk[ADN_BATCH_MAX];
		unsigned int n = 0;

		for (unsigned int k = k0; k < LB_KEYS && n < ADN_BATCH_MAX;
		     k++) {
			char key[16];
			const struct adn_rpc_field_val f = {
				.id = 2, .type = ADN_RPC_FT_STRING, .val = key,
			};
			struct adn_rpc_field_val ff = f;

			snprintf(key, sizeof(key), "obj%u", k);
			ff.len = (uint16_t)strlen(key);
			pk[n++] = rpc_pkt((uint16_t)(1000 + k % 5000), k, &ff,
					  1, 8);
		}
		adn_test_run(p, "src", pk, n);
		CU_ASSERT_EQUAL_FATAL(s->n, n);
		for (unsigned int i = 0; i < n; i++) {
			struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(s->pkts[i]);
			const struct adn_rpc_msg *r = adn_rpc_msg(s->pkts[i]);
			uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);

			CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
			CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip,
						(struct rte_udp_hdr *)(ip + 1)),
					0);
			CU_ASSERT_EQUAL(dst >> 8, 0x0a0100);
			CU_ASSERT_EQUAL(rte_be_to_cpu_16(((struct rte_udp_hdr *)
				(ip + 1))->dst_port), 7000);
			be[r->req_id] = (uint8_t)dst;
		}
		adn_test_sink_clear(s);
	}
}

static unsigned int
lb_moved(const uint8_t *a, const uint8_t *b, int only_from, bool from)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < LB_KEYS; k++)
		if ((only_from < 0 || (a[k] == only_from) == from) &&
		    a[k] != b[k])
			n++;
	return n;
}

static void
test_rpc_lb_sticky_and_moves_one_nth(void)
{
	static uint8_t first[LB_KEYS], again[LB_KEYS], less[LB_KEYS],
		back[LB_KEYS];
	unsigned int per[LB_N + 1] = { 0 }, on3 = 0, moved;
	char reply[1024], cmd[64];
	struct adn_pipeline *p;
	struct adn_elem *lb;

	p = adn_test_build("rpc_lb",
		"elements = (\n"
		" { name = \"src\"; type = \"TestSource\"; },\n"
		" { name = \"rp\"; type = \"RpcParse\"; },\n"
		" { name = \"lb\"; type = \"RpcLb\"; table_size = 65537;\n"
		"   view = { key = \"rpc:2\"; };\n"
		"   backends = ( \"10.1.0.1:7000\", \"10.1.0.2:7000\",\n"
		"     \"10.1.0.3:7000\", \"10.1.0.4:7000\", \"10.1.0.5:7000\",\n"
		"     \"10.1.0.6:7000\", \"10.1.0.7:7000\", \"10.1.0.8:7000\" ); },\n"
		" { name = \"out\"; type = \"TestSink\"; },\n"
		" { name = \"pass\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> rp -> lb -> out\", \"rp[1] -> pass\",\n"
		" \"lb[1] -> pass\" );\n", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	lb = adn_pipeline_find(p, "lb");
	lb_round(p, first);
	lb_round(p, again);
	/* sticky: the same key, the same backend */
	CU_ASSERT_EQUAL(lb_moved(first, again, -1, true), 0);
	for (unsigned int k = 0; k < LB_KEYS; k++)
		per[first[k] <= LB_N ? first[k] : 0]++;
	CU_ASSERT_EQUAL(per[0], 0);
	for (unsigned int b = 1; b <= LB_N; b++)
		CU_ASSERT(per[b] > LB_KEYS / LB_N / 2 &&
			  per[b] < LB_KEYS / LB_N * 3 / 2);
	/* control's lookup answers what packets get */
	CU_ASSERT_EQUAL(adn_elem_control(lb, "lookup obj17", reply,
					 sizeof(reply)), 0);
	snprintf(cmd, sizeof(cmd), "10.1.0.%u:7000", first[17]);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, cmd));

	/* one of 8 goes: its keys move, about no other key does */
	CU_ASSERT_EQUAL(adn_elem_control(lb, "remove 10.1.0.3:7000", reply,
					 sizeof(reply)), 0);
	lb_round(p, less);
	for (unsigned int k = 0; k < LB_KEYS; k++) {
		on3 += first[k] == 3;
		CU_ASSERT(less[k] != 3);
	}
	CU_ASSERT_EQUAL(lb_moved(first, less, 3, true), on3);
	moved = lb_moved(first, less, -1, true);
	printf("\n  removal of 1 of %d moved %u of %d keys (%u were on it)\n",
	       LB_N, moved, LB_KEYS, on3);
	CU_ASSERT(moved < LB_KEYS * 2 / LB_N);
	CU_ASSERT(lb_moved(first, less, 3, false) < LB_KEYS / 50);

	/* back again: the same table, every key where it was */
	CU_ASSERT_EQUAL(adn_elem_control(lb, "add 10.1.0.3:7000", reply,
					 sizeof(reply)), 0);
	lb_round(p, back);
	CU_ASSERT_EQUAL(lb_moved(first, back, -1, true), 0);
	/* drain: out of the table like remove */
	CU_ASSERT_EQUAL(adn_elem_control(lb, "drain 10.1.0.3:7000", reply,
					 sizeof(reply)), 0);
	lb_round(p, back);
	CU_ASSERT_EQUAL(lb_moved(less, back, -1, true), 0);
	/* errors name what is wrong */
	CU_ASSERT(adn_elem_control(lb, "remove 10.9.9.9:1", reply,
				   sizeof(reply)) == -ENOENT);
	CU_ASSERT(adn_elem_control(lb, "add 10.1.0.1:7000", reply,
				   sizeof(reply)) == -EEXIST);
	CU_ASSERT(adn_elem_control(lb, "remove 10.1.0.1:7000 3", reply,
				   sizeof(reply)) == -EINVAL);
	CU_ASSERT_EQUAL(adn_elem_control(lb, "stats", reply, sizeof(reply)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "10.1.0.3:7000 draining"));
	CU_ASSERT_EQUAL(adn_test_xstat(p, "lb", "balanced"), 5 * LB_KEYS);
	adn_test_free(p);
}

/* An HTTP request and its body segment reach the same backend; a stream
 * of a removed backend is stale. */
static void
test_rpc_lb_http_stream_follows_request(void)
{
	static const char post[] = "POST /o HTTP/1.1\r\nHost: h\r\n"
		"X-Object-Id: 99\r\nContent-Length: 4\r\n\r\n";
	struct adn_pipeline *p;
	struct adn_test_sink *out;
	struct rte_mbuf *pk[3];
	uint32_t d0, d1;

	p = adn_test_build("rpc_lb_http",
		"elements = (\n"
		" { name = \"src\"; type = \"TestSource\"; },\n"
		" { name = \"hp\"; type = \"HttpParse\"; },\n"
		" { name = \"rp\"; type = \"RpcParse\"; },\n"
		" { name = \"lb\"; type = \"RpcLb\";\n"
		"   view = { key = [ \"rpc:2\", \"header:x-object-id\" ]; };\n"
		"   backends = ( \"10.1.0.1\", \"10.1.0.2\", \"10.1.0.3\" ); },\n"
		" { name = \"out\"; type = \"TestSink\"; },\n"
		" { name = \"pass\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> hp -> rp -> lb -> out\", \"hp[1] -> pass\",\n"
		" \"hp[2] -> pass\", \"rp[1] -> lb\", \"lb[1] -> pass\" );\n",
		NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pk[0] = adn_test_tcp(4000, 10, ADN_TCP_SYN, "", 0);
	pk[1] = adn_test_tcp(4000, 11, ADN_TCP_ACK, post, strlen(post));
	pk[2] = adn_test_tcp(4000, 11 + (uint32_t)strlen(post), ADN_TCP_ACK,
			     "abcd", 4);
	for (unsigned int i = 0; i < 3; i++) {
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(pk[i]);
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		t->cksum = 0;
		t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	}
	adn_test_run(p, "src", pk, 3);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "pass")->n, 1);	/* the SYN */
	d0 = adn_test_ipv4_hdr(out->pkts[0])->dst_addr;
	d1 = adn_test_ipv4_hdr(out->pkts[1])->dst_addr;
	CU_ASSERT_EQUAL(d0, d1);
	CU_ASSERT_EQUAL(rte_be_to_cpu_32(d0) >> 8, 0x0a0100);
	/* checksums updated by RFC 1624 */
	for (unsigned int i = 0; i < 2; i++) {
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(out->pkts[i]);

		CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	}
	adn_test_sink_clear(out);
	adn_test_sink_clear(adn_test_sink(p, "pass"));
	adn_test_free(p);
}

/* --- config errors ------------------------------------------------------ */

static void
test_rpc_config_errors(void)
{
	char path[64], keys[256];

	adn_test_config_error("RpcLb", "backends = ( \"10.0.0.1\" ); "
			      "view = { kee = \"rpc:1\"; };", 2,
			      "no field 'kee'");
	adn_test_config_error("RpcLb", "backends = ( \"10.0.0.1\" ); "
			      "view = { };", 2, "field 'key' (any");
	adn_test_config_error("RpcLb", "backends = ( \"10.0.0.1\" ); "
			      "view = { key = \"http:x\"; };", 2,
			      "unknown selector");
	adn_test_config_error("RpcLb", "backends = ( \"10.0.0.1 0\" ); "
			      "view = { key = \"rpc:1\"; };", 2,
			      "WEIGHT 1-65535");
	adn_test_config_error("RpcLb", "backends = ( \"10.0.0.1\" ); "
			      "table_size = 65536; view = { key = \"rpc:1\"; };",
			      2, "not prime");
	adn_test_config_error("RpcParse", "udp_ports = [ 0 ];", 2,
			      "1-65535");
	adn_test_config_error("RpcAcl", "view = { user = \"rpc:1\"; }; "
			      "rules = ( \"who exact a -> deny\" );", 1,
			      "'who': not a field");
	adn_test_config_error("RpcAcl", "view = { user = 5; };", 1,
			      "selector string");
	snprintf(path, sizeof(path), "/tmp/adn_rpc_acl_cfg_%d.txt", getpid());
	adn_test_write_file(path, "user exact a -> deny\nuser exact -> x\n");
	snprintf(keys, sizeof(keys), "view = { user = \"rpc:1\"; }; "
		 "rules_file = \"%s\";", path);
	adn_test_config_error("RpcAcl", keys, 1, ":2: ");
	unlink(path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("rpc_elements");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_rpc_parse_extracts_both_carriers);
	CU_ADD_TEST(s, test_rpc_parse_counts_malformed);
	CU_ADD_TEST(s, test_views_give_two_apps_the_same_verdicts);
	CU_ADD_TEST(s, test_rpc_acl_reloads_rules);
	CU_ADD_TEST(s, test_rpc_lb_sticky_and_moves_one_nth);
	CU_ADD_TEST(s, test_rpc_lb_http_stream_follows_request);
	CU_ADD_TEST(s, test_rpc_config_errors);
	return adn_test_main();
}
