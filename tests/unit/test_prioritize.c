/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prioritize after HttpParse and RpcParse: requests get the class of the
 * first matching rule (else the default) in their DSCP, the ADN URGENT
 * flag and class field, or the x-priority header's value, in place with
 * valid checksums; responses with a known request id get their request's
 * class, unknown ones pass unchanged; a downstream HTTP request carrying
 * the same x-request-id gets its parent's class whatever the rules say;
 * the id table survives a rebuild (state); config errors name the key.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_rpc_meta.h"
#include "adn_state.h"
#include "adn_tcp_seq.h"
#include "adn_test.h"

#define HDR_OFF (14 + 20 + 8)

/* An ADN RPC (type `type`) sport -> dport with field 1 = user (string)
 * and field 3 = a u64 class slot; checksums valid. */
static struct rte_mbuf *
rpc_pkt(uint8_t type, uint16_t sport, uint16_t dport, uint32_t req_id,
	const char *user)
{
	const struct adn_rpc_field_val f[] = {
		{ .id = 1, .type = ADN_RPC_FT_STRING, .val = user,
		  .len = (uint16_t)strlen(user) },
		{ .id = 3, .type = ADN_RPC_FT_U64, .u64 = 7 },
	};
	const size_t hl = adn_rpc_hdr_size(f, 2);
	struct rte_mbuf *m = adn_test_ipv4_flow(IPPROTO_UDP, 0x0a000001, sport,
						0xc0a80102, dport,
						(uint16_t)(HDR_OFF + hl + 32));
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *p = (uint8_t *)(u + 1);

	CU_ASSERT_FATAL(adn_rpc_encode(p, hl, type, 0, req_id, 1, 2, 32, f,
				       2) == (int)hl);
	memset(p + hl, 'x', 32);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + hl + 32));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return m;
}

static const char cfg[] =
	"elements = (\n"
	" { name = \"src\"; type = \"TestSource\"; },\n"
	" { name = \"hp\"; type = \"HttpParse\"; },\n"
	" { name = \"rp\"; type = \"RpcParse\"; udp_ports = [ 9000 ]; },\n"
	" { name = \"pr\"; type = \"Prioritize\";\n"
	"   view = { user = [\"rpc:1\", \"header:x-user\"]; };\n"
	"   rules = ( { field = \"user\"; value = \"vip\"; class = 0;\n"
	"               prefix = true; } );\n"
	"   dscp = [ 46, 10, 0 ]; class_field = 3; },\n"
	" { name = \"out\"; type = \"TestSink\"; },\n"
	" { name = \"other\"; type = \"TestSink\"; },\n"
	" { name = \"rej\"; type = \"TestSink\"; }\n"
	");\n"
	"links = ( \"src -> hp -> rp -> pr -> out\", \"hp[1] -> rej\",\n"
	" \"hp[2] -> rp\", \"rp[1] -> other\" );\n";

static uint8_t
dscp(struct rte_mbuf *m)
{
	return adn_test_ipv4_hdr(m)->type_of_service >> 2;
}

static void
check_sums(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);

	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
	CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
}

static uint8_t
rpc_flags(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, HDR_OFF)
		[ADN_RPC_OFF_FLAGS];
}

static uint64_t
class_field(struct rte_mbuf *m)
{
	const struct adn_rpc_msg *r = adn_rpc_msg(m);
	const struct adn_rpc_field *f = adn_rpc_field_find(&r->hdr, 3);
	uint64_t be;

	memcpy(&be, r->rpc + f->off, 8);
	return rte_be_to_cpu_64(be);
}

static void
test_adn_requests_and_responses(void)
{
	struct adn_pipeline *p = adn_test_build("prio_adn", cfg, NULL);
	struct adn_test_sink *out;
	struct rte_mbuf *pk[6];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pk[0] = rpc_pkt(ADN_RPC_T_REQUEST, 4000, 9000, 1, "vip-alice");
	pk[1] = rpc_pkt(ADN_RPC_T_REQUEST, 4001, 9000, 2, "bob");
	pk[2] = rpc_pkt(ADN_RPC_T_RESPONSE, 9000, 4000, 1, "");
	pk[3] = rpc_pkt(ADN_RPC_T_RESPONSE, 9000, 4001, 2, "");
	pk[4] = rpc_pkt(ADN_RPC_T_RESPONSE, 9000, 4002, 99, "");
	adn_test_run(p, "src", pk, 5);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 5);
	/* by rule: class 0 */
	CU_ASSERT_EQUAL(dscp(out->pkts[0]), 46);
	CU_ASSERT(rpc_flags(out->pkts[0]) & ADN_RPC_F_URGENT);
	CU_ASSERT_EQUAL(class_field(out->pkts[0]), 0);
	/* by default: the last class */
	CU_ASSERT_EQUAL(dscp(out->pkts[1]), 0);
	CU_ASSERT(!(rpc_flags(out->pkts[1]) & ADN_RPC_F_URGENT));
	CU_ASSERT_EQUAL(class_field(out->pkts[1]), 2);
	/* responses: their requests' classes; an unknown one untouched */
	CU_ASSERT_EQUAL(dscp(out->pkts[2]), 46);
	CU_ASSERT(rpc_flags(out->pkts[2]) & ADN_RPC_F_URGENT);
	CU_ASSERT_EQUAL(dscp(out->pkts[3]), 0);
	CU_ASSERT_EQUAL(dscp(out->pkts[4]), 0);
	CU_ASSERT_EQUAL(class_field(out->pkts[4]), 7);
	for (unsigned int i = 0; i < 5; i++)
		check_sums(out->pkts[i]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "by-rule"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "by-default"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "responses"), 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "responses-unknown"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "class-0"), 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "field-written"), 4);
	adn_test_sink_clear(out);
	adn_test_free(p);
}

static struct rte_mbuf *
http_req(uint16_t sport, uint32_t seq, const char *user, const char *rid,
	 bool prio_hdr)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "POST /cart HTTP/1.1\r\nHost: shop\r\nX-User: %s\r\n"
			 "X-Request-Id: %s\r\n%sContent-Length: 2\r\n\r\n{}",
			 user, rid, prio_hdr ? "X-Priority: 9   \r\n" : "");
	struct rte_mbuf *m = adn_test_tcp(sport, seq, ADN_TCP_ACK, req,
					  (size_t)n);
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	((struct rte_tcp_hdr *)(ip + 1))->cksum =
		rte_ipv4_udptcp_cksum(ip, ip + 1);
	return m;
}

static void
test_http_class_carried_to_child_requests(void)
{
	struct adn_pipeline *p = adn_test_build("prio_http", cfg, NULL);
	struct adn_test_sink *out;
	struct rte_mbuf *pk[6];
	const char *text;
	unsigned int len0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pk[0] = adn_test_tcp(6000, 100, ADN_TCP_SYN, "", 0);
	pk[1] = http_req(6000, 101, "vip-carol", "req-7", true);
	len0 = rte_pktmbuf_pkt_len(pk[1]);
	/* the service's own call downstream, another connection, same id,
	 * a user no rule gives class 0 */
	pk[2] = adn_test_tcp(6001, 500, ADN_TCP_SYN, "", 0);
	pk[3] = http_req(6001, 501, "svc-cart", "req-7", false);
	pk[4] = adn_test_tcp(6002, 900, ADN_TCP_SYN, "", 0);
	pk[5] = http_req(6002, 901, "dave", "req-8", true);
	adn_test_run(p, "src", pk, 6);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 3);
	CU_ASSERT_EQUAL(dscp(out->pkts[0]), 46);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(out->pkts[0]), len0);
	text = rte_pktmbuf_mtod_offset(out->pkts[0], const char *, 54);
	CU_ASSERT_PTR_NOT_NULL(memmem(text, len0 - 54, "X-Priority: 0   \r\n",
				      18));
	CU_ASSERT_EQUAL(dscp(out->pkts[1]), 46);	/* inherited */
	CU_ASSERT_EQUAL(dscp(out->pkts[2]), 0);
	text = rte_pktmbuf_mtod_offset(out->pkts[2], const char *, 54);
	CU_ASSERT_PTR_NOT_NULL(memmem(text, rte_pktmbuf_pkt_len(out->pkts[2]) -
				      54, "X-Priority: 2   \r\n", 18));
	for (unsigned int i = 0; i < 3; i++)
		check_sums(out->pkts[i]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "inherited"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "pr", "header-written"), 2);
	adn_test_sink_clear(out);
	adn_test_sink_clear(adn_test_sink(p, "other"));
	adn_test_free(p);
}

static void
test_config_errors_name_the_key(void)
{
	adn_test_config_error("Prioritize", "dscp = [ 46, 64 ];", 1, "'dscp'");
	adn_test_config_error("Prioritize",
			      "dscp = [ 46, 0 ]; rules = ( { field = \"user\"; value = \"a\"; class = 0; } );",
			      1, "not in `view`");
	adn_test_config_error("Prioritize",
			      "view = { user = \"rpc:1\"; }; dscp = [ 46, 0 ]; rules = ( { field = \"user\"; value = \"a\"; class = 5; } );",
			      1, "class 5");
	adn_test_config_error("Prioritize", "dscp = [ 46 ]; ids = 3000;", 1,
			      "'ids'");
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("prioritize");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_adn_requests_and_responses);
	CU_ADD_TEST(s, test_http_class_carried_to_child_requests);
	CU_ADD_TEST(s, test_config_errors_name_the_key);
	return adn_test_main();
}
