/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One case per behaviour of the base elements, each driven through a small
 * pipeline: TestSource -> element -> TestSink(s).
 * (FromPort and ToPort are covered by the pcap integration tests.)
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_pkt.h"
#include "adn_test.h"

/* Re-seal the IPv4 header checksum after a test edits the header. */
static void
reseal(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* --- parse once ------------------------------------------------------- */

/* CheckIPv4 parses; TcpChecksum after it reads what it parsed (adn_pkt.h),
 * VLAN tag included, and sums the segment at the right offset. */
static void
test_headers_parsed_once_reach_later_elements(void)
{
	static const char cfg[] =
		"elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
		"  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; } );\n"
		"links = ( \"src -> chk -> csum -> out\" );\n";
	struct adn_pipeline *p = adn_test_build("parse1", cfg, NULL);
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_TCP, 1234, 80, 64, 64);
	struct rte_ether_hdr *eth;
	struct rte_vlan_hdr *vh;
	struct adn_test_sink *s;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	uint8_t *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	tcp = (struct rte_tcp_hdr *)(adn_test_ipv4_hdr(m) + 1);
	tcp->data_off = 5 << 4;
	/* Tag it: the headers move 4 bytes on. */
	f = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*vh));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (unsigned int i = 0; i < 2 * RTE_ETHER_ADDR_LEN; i++)
		f[i] = f[i + sizeof(*vh)];
	eth = (struct rte_ether_hdr *)f;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	vh = (struct rte_vlan_hdr *)(eth + 1);
	vh->vlan_tci = rte_cpu_to_be_16(7);
	vh->eth_proto = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	CU_ASSERT_EQUAL(m->packet_type, 0);
	adn_test_run(p, "src", &m, 1);
	s = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(s->n, 1);
	m = s->pkts[0];
	CU_ASSERT_EQUAL(m->packet_type, RTE_PTYPE_L2_ETHER_VLAN |
			RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_TCP);
	CU_ASSERT_EQUAL(m->l2_len, sizeof(*eth) + sizeof(*vh));
	CU_ASSERT_EQUAL(m->l3_len, sizeof(*ip));
	CU_ASSERT_EQUAL(m->l4_len, sizeof(*tcp));
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	/* The checksum TcpChecksum wrote verifies at the tagged offset. */
	CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, tcp), 0);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "csum", "set"), 1);
	adn_test_free(p);
}

/* The 5-tuple's ports come from a whole TCP/UDP header the parse found,
 * and, checked again, from a first fragment or a header cut short after
 * them; not from a later fragment, a short IHL or another protocol. */
static void
test_flow_key_ports_where_they_are(void)
{
	static const struct {
		uint8_t proto;
		uint16_t frag;		/* fragment_offset, host order */
		uint8_t vhl;
		uint16_t cut;		/* frame length; 0: as made */
		bool ports;
	} t[] = {
		{ IPPROTO_TCP, 0, RTE_IPV4_VHL_DEF, 0, true },
		{ IPPROTO_UDP, 0, RTE_IPV4_VHL_DEF, 0, true },
		{ IPPROTO_TCP, RTE_IPV4_HDR_MF_FLAG, RTE_IPV4_VHL_DEF, 0, true },
		{ IPPROTO_UDP, 185, RTE_IPV4_VHL_DEF, 0, false },
		{ IPPROTO_TCP, 0, RTE_IPV4_VHL_DEF, 14 + 20 + 4, true },
		{ IPPROTO_TCP, 0, RTE_IPV4_VHL_DEF, 14 + 20 + 3, false },
		{ IPPROTO_TCP, 0, 0x44, 0, false },
		{ IPPROTO_ICMP, 0, RTE_IPV4_VHL_DEF, 0, false },
	};

	for (unsigned int i = 0; i < RTE_DIM(t); i++) {
		struct rte_mbuf *m = adn_test_ipv4(t[i].proto, 1234, 80, 64,
						   100);
		struct rte_ipv4_hdr *ip;
		struct adn_flow_key k;

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		ip = adn_test_ipv4_hdr(m);
		/* Port bytes for every protocol, so a wrong read shows. */
		((struct rte_udp_hdr *)(ip + 1))->src_port =
			rte_cpu_to_be_16(1234);
		((struct rte_udp_hdr *)(ip + 1))->dst_port =
			rte_cpu_to_be_16(80);
		if (t[i].proto == IPPROTO_TCP)
			((struct rte_tcp_hdr *)(ip + 1))->data_off = 5 << 4;
		memset(&k, 0xff, sizeof(k));
		ip->fragment_offset = rte_cpu_to_be_16(t[i].frag);
		ip->version_ihl = t[i].vhl;
		if (t[i].cut)
			rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - t[i].cut);
		CU_ASSERT_EQUAL_FATAL(adn_pkt_flow_key(m, &k), 0);
		CU_ASSERT_EQUAL(k.proto, t[i].proto);
		CU_ASSERT_EQUAL(k.src_ip, ip->src_addr);
		CU_ASSERT_EQUAL(k.src_port,
				t[i].ports ? rte_cpu_to_be_16(1234) : 0);
		CU_ASSERT_EQUAL(k.dst_port,
				t[i].ports ? rte_cpu_to_be_16(80) : 0);
		rte_pktmbuf_free(m);
	}
}

/* --- CheckIPv4 --------------------------------------------------------- */

static void
test_check_ipv4_drops_each_malformation_with_its_reason(void)
{
	struct adn_pipeline *p = adn_test_chain("chk", "CheckIPv4", "", NULL);
	struct rte_mbuf *m[9];
	struct adn_test_sink *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* valid */
	m[1] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* bad-checksum */
	adn_test_ipv4_hdr(m[1])->hdr_checksum ^= 0x1234;
	m[2] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* truncated */
	rte_pktmbuf_trim(m[2], 40);
	m[3] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* bad-ihl */
	adn_test_ipv4_hdr(m[3])->version_ihl = 0x44;
	reseal(m[3]);
	m[4] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 0, 100);	/* ttl-zero */
	m[5] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* bad-version */
	adn_test_ipv4_hdr(m[5])->version_ihl = 0x65;
	reseal(m[5]);
	m[6] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* bad-length */
	adn_test_ipv4_hdr(m[6])->total_length = rte_cpu_to_be_16(12);
	reseal(m[6]);
	m[7] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);	/* not-ipv4 */
	rte_pktmbuf_mtod(m[7], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	m[8] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 1, 60);		/* valid */
	adn_test_run(p, "src", m, RTE_DIM(m));

	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 2);
	CU_ASSERT_PTR_EQUAL(out->pkts[0], m[0]);
	CU_ASSERT_PTR_EQUAL(out->pkts[1], m[8]);
	CU_ASSERT_EQUAL(m[0]->l2_len, sizeof(struct rte_ether_hdr));
	CU_ASSERT_EQUAL(m[0]->l3_len, sizeof(struct rte_ipv4_hdr));
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "bad-checksum"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "truncated"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "bad-ihl"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "ttl-zero"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "bad-version"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "bad-length"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	adn_test_free(p);
}

/* A frame too short for its Ethernet header (or its VLAN tag) is
 * truncated, not "not IPv4". */
static void
test_check_ipv4_counts_runts_as_truncated(void)
{
	struct adn_pipeline *p = adn_test_chain("chkrunt", "CheckIPv4", "",
						NULL);
	struct rte_mbuf *m[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		m[i] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
	}
	rte_pktmbuf_trim(m[0], 50);			/* 10 bytes */
	rte_pktmbuf_trim(m[1], 60);			/* empty */
	rte_pktmbuf_mtod(m[2], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
	rte_pktmbuf_trim(m[2], 44);			/* tag cut */
	adn_test_run(p, "src", m, RTE_DIM(m));
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 0);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "truncated"), 3);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 0);
	adn_test_free(p);
}

/* non_ipv4: ARP and IPv6 take output 1 in their order, IPv4 output 0,
 * runts and bad IPv4 are still dropped. */
static void
test_check_ipv4_non_ipv4_output(void)
{
	struct adn_pipeline *p = adn_test_build("chknon",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"CheckIPv4\"; non_ipv4 = true; },\n"
		"  { name = \"out\"; type = \"TestSink\"; },\n"
		"  { name = \"other\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> x -> out\", \"x[1] -> other\" );\n", NULL);
	static const uint16_t types[] = {
		RTE_ETHER_TYPE_ARP, RTE_ETHER_TYPE_IPV4, RTE_ETHER_TYPE_IPV6,
		RTE_ETHER_TYPE_IPV4, RTE_ETHER_TYPE_ARP,
	};
	struct rte_mbuf *m[RTE_DIM(types) + 1];
	struct adn_test_sink *out, *other;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		m[i] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		if (i < RTE_DIM(types))
			rte_pktmbuf_mtod(m[i], struct rte_ether_hdr *)->ether_type =
				rte_cpu_to_be_16(types[i]);
	}
	rte_pktmbuf_trim(m[RTE_DIM(types)], 50);	/* a runt */
	adn_test_run(p, "src", m, RTE_DIM(m));
	out = adn_test_sink(p, "out");
	other = adn_test_sink(p, "other");
	CU_ASSERT_EQUAL_FATAL(out->n, 2);
	CU_ASSERT_EQUAL_FATAL(other->n, 3);
	CU_ASSERT_PTR_EQUAL(out->pkts[0], m[1]);
	CU_ASSERT_PTR_EQUAL(out->pkts[1], m[3]);
	CU_ASSERT_PTR_EQUAL(other->pkts[0], m[0]);
	CU_ASSERT_PTR_EQUAL(other->pkts[1], m[2]);
	CU_ASSERT_PTR_EQUAL(other->pkts[2], m[4]);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "truncated"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 0);
	adn_test_free(p);
}

static void
test_check_ipv4_can_skip_checksum(void)
{
	struct adn_pipeline *p = adn_test_chain("chknock", "CheckIPv4",
		"verify_checksum = false;", NULL);
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_test_ipv4_hdr(m)->hdr_checksum ^= 0x1234;
	adn_test_run(p, "src", &m, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 1);
	adn_test_free(p);
}

/* --- DecTTL ------------------------------------------------------------ */

static void
test_dec_ttl_updates_checksum_incrementally(void)
{
	struct adn_pipeline *p = adn_test_chain("ttl", "DecTTL", "", NULL);
	struct rte_mbuf *m[300];
	struct adn_test_sink *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* Every TTL and a spread of headers, so carries are exercised. */
	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		m[i] = adn_test_ipv4((uint8_t)(i * 37), 1, 2,
				     (uint8_t)(i % 256), 60 + i % 200);
		adn_test_ipv4_hdr(m[i])->packet_id =
			rte_cpu_to_be_16((uint16_t)(i * 2654435761u));
		adn_test_ipv4_hdr(m[i])->src_addr =
			rte_cpu_to_be_32(0xfffffff0u + i);
		reseal(m[i]);
	}
	adn_test_run(p, "src", m, RTE_DIM(m));
	out = adn_test_sink(p, "out");
	/* TTL 0 and 1 (i % 256 in {0, 1}: i = 0, 1, 256, 257) expire. */
	CU_ASSERT_EQUAL(out->n, RTE_DIM(m) - 4);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "ttl-expired"), 4);
	for (unsigned int i = 0; i < out->n; i++) {
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(out->pkts[i]);
		uint16_t got = ip->hdr_checksum;

		ip->hdr_checksum = 0;
		CU_ASSERT_EQUAL(got, rte_ipv4_cksum(ip));
	}
	CU_ASSERT_EQUAL(adn_test_ipv4_hdr(out->pkts[0])->time_to_live, 1);
	adn_test_free(p);
}

static void
test_dec_ttl_drops_non_ipv4(void)
{
	struct adn_pipeline *p = adn_test_chain("ttlarp", "DecTTL", "", NULL);
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 60);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	adn_test_run(p, "src", &m, 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	adn_test_free(p);
}

/* --- EtherSwap --------------------------------------------------------- */

static void
test_ether_swap_swaps_addresses(void)
{
	struct adn_pipeline *p = adn_test_chain("swap", "EtherSwap", "", NULL);
	struct rte_mbuf *m[2];
	struct rte_ether_hdr *eth;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
	m[1] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
	rte_pktmbuf_trim(m[1], 60 - 10);
	adn_test_run(p, "src", m, 2);
	CU_ASSERT_EQUAL_FATAL(adn_test_sink(p, "out")->n, 1);
	eth = rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *);
	CU_ASSERT_EQUAL(memcmp(&eth->dst_addr, "\x02\0\0\0\0\x01", 6), 0);
	CU_ASSERT_EQUAL(memcmp(&eth->src_addr, "\x02\0\0\0\0\x02", 6), 0);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "too-short"), 1);
	adn_test_free(p);
}

/* --- Classifier -------------------------------------------------------- */

static void
test_classifier_first_match_on_proto_ports_and_ethertype(void)
{
	struct adn_pipeline *p = adn_test_build("cls",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"Classifier\"; rules = (\n"
		"      { proto = \"tcp\"; dst_port = [80, 89]; },\n"
		"      { proto = \"udp\"; src_port = 53; },\n"
		"      { proto = 6; },\n"
		"      { ether_type = 0x0806; } ); },\n"
		"  { name = \"o0\"; type = \"TestSink\"; },\n"
		"  { name = \"o1\"; type = \"TestSink\"; },\n"
		"  { name = \"o2\"; type = \"TestSink\"; },\n"
		"  { name = \"o3\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> x -> o0\", \"x[1] -> o1\", \"x[2] -> o2\",\n"
		"          \"x[3] -> o3\" );\n", NULL);
	struct rte_mbuf *m[8];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_TCP, 999, 80, 64, 60);	/* o0 */
	m[1] = adn_test_ipv4(IPPROTO_TCP, 999, 89, 64, 60);	/* o0 */
	m[2] = adn_test_ipv4(IPPROTO_TCP, 999, 90, 64, 60);	/* o2 */
	m[3] = adn_test_ipv4(IPPROTO_UDP, 53, 1000, 64, 60);	/* o1 */
	m[4] = adn_test_ipv4(IPPROTO_UDP, 54, 80, 64, 60);	/* none */
	m[5] = adn_test_ipv4(IPPROTO_ICMP, 0, 0, 64, 60);	/* none */
	m[6] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 60);
	rte_pktmbuf_mtod(m[6], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);		/* o3 */
	m[7] = adn_test_ipv4(IPPROTO_TCP, 999, 85, 64, 60);
	rte_pktmbuf_trim(m[7], 60 - 35);			/* no ports: o2 */
	adn_test_run(p, "src", m, RTE_DIM(m));
	CU_ASSERT_EQUAL(adn_test_sink(p, "o0")->n, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "o1")->n, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "o2")->n, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "o3")->n, 1);
	CU_ASSERT_PTR_EQUAL(adn_test_sink(p, "o1")->pkts[0], m[3]);
	CU_ASSERT_PTR_EQUAL(adn_test_sink(p, "o3")->pkts[0], m[6]);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "no-match"), 2);
	adn_test_free(p);
}

/* --- Counter, Discard -------------------------------------------------- */

static void
test_counter_counts_packets_and_bytes(void)
{
	struct adn_pipeline *p = adn_test_chain("cnt", "Counter", "", NULL);
	struct rte_mbuf *m[3];
	struct adn_xstat xs[4];
	struct adn_elem *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
	m[1] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 100);
	m[2] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 1000);
	adn_test_run(p, "src", m, 3);
	e = adn_pipeline_find(p, "x");
	CU_ASSERT_EQUAL_FATAL(e->desc->xstats(e, xs, 4), 2);
	CU_ASSERT_STRING_EQUAL(xs[0].name, "packets");
	CU_ASSERT_EQUAL(xs[0].value, 3);
	CU_ASSERT_STRING_EQUAL(xs[1].name, "bytes");
	CU_ASSERT_EQUAL(xs[1].value, 1160);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 3);
	adn_test_free(p);
}

static void
test_discard_drops_everything_counted(void)
{
	struct adn_pipeline *p = adn_test_build("discard",
		"elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		"             { name = \"x\"; type = \"Discard\"; } );\n"
		"links = ( \"src -> x\" );\n", NULL);
	unsigned int avail = rte_mempool_avail_count(adn_test_pool());
	struct rte_mbuf *m[5];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < 5; i++)
		m[i] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 60);
	adn_test_run(p, "src", m, 5);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "discarded"), 5);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(adn_test_pool()), avail);
	adn_test_free(p);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("elements");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_headers_parsed_once_reach_later_elements);
	CU_ADD_TEST(s, test_flow_key_ports_where_they_are);
	CU_ADD_TEST(s, test_check_ipv4_drops_each_malformation_with_its_reason);
	CU_ADD_TEST(s, test_check_ipv4_counts_runts_as_truncated);
	CU_ADD_TEST(s, test_check_ipv4_non_ipv4_output);
	CU_ADD_TEST(s, test_check_ipv4_can_skip_checksum);
	CU_ADD_TEST(s, test_dec_ttl_updates_checksum_incrementally);
	CU_ADD_TEST(s, test_dec_ttl_drops_non_ipv4);
	CU_ADD_TEST(s, test_ether_swap_swaps_addresses);
	CU_ADD_TEST(s, test_classifier_first_match_on_proto_ports_and_ethertype);
	CU_ADD_TEST(s, test_counter_counts_packets_and_bytes);
	CU_ADD_TEST(s, test_discard_drops_everything_counted);
	return adn_test_main();
}
