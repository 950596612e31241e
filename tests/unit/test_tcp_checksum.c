/* SPDX-License-Identifier: BSD-3-Clause */
/* TcpChecksum: written checksums equal DPDK's rte_ipv4_udptcp_cksum over
 * TCP and UDP of many lengths; verify mode drops and counts bad ones.
 * adn_pkt_cksum, TcpChecksum's and CheckIPv4's sum, equals rte_raw_cksum. */
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_pkt.h"
#include "adn_rand.h"
#include "adn_test.h"

#define N_PKTS 400

static uint16_t *
field_of(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);

	/* At offset 34 + 16 or + 6: 2-byte aligned in the mbuf. */
	return (uint16_t *)(void *)((uint8_t *)(ip + 1) +
		(ip->next_proto_id == IPPROTO_TCP ?
		 offsetof(struct rte_tcp_hdr, cksum) :
		 offsetof(struct rte_udp_hdr, dgram_cksum)));
}

/* Random payload, random lengths (odd ones too), TCP or UDP. */
static void
make_packets(struct rte_mbuf **m, unsigned int n, struct adn_rand *r)
{
	for (unsigned int i = 0; i < n; i++) {
		uint8_t proto = i % 2 ? IPPROTO_UDP : IPPROTO_TCP;
		uint16_t len = (uint16_t)(64 + adn_rand_below(r, 1400));
		struct rte_ipv4_hdr *ip;
		uint8_t *d;

		m[i] = adn_test_ipv4(proto, (uint16_t)adn_rand_u64(r),
				     (uint16_t)adn_rand_u64(r), 64, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		d = rte_pktmbuf_mtod(m[i], uint8_t *);
		ip = adn_test_ipv4_hdr(m[i]);
		for (uint16_t k = 42 + (proto == IPPROTO_TCP ? 12 : 0); k < len; k++)
			d[k] = (uint8_t)adn_rand_u64(r);
		if (proto == IPPROTO_UDP)
			((struct rte_udp_hdr *)(ip + 1))->dgram_len =
				rte_cpu_to_be_16(len - 34);
		else
			((struct rte_tcp_hdr *)(ip + 1))->data_off = 5 << 4;
		*field_of(m[i]) = 0xbeef;	/* stale */
	}
}

static void
test_tcp_checksum_equals_rte_ipv4_udptcp_cksum(void)
{
	struct adn_pipeline *p = adn_test_chain("set", "TcpChecksum",
						"udp = true;", NULL);
	struct rte_mbuf *m[N_PKTS];
	struct adn_test_sink *out;
	struct adn_rand r;
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_rand_seed(&r, 3);
	make_packets(m, N_PKTS, &r);
	adn_test_run(p, "src", m, N_PKTS);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, N_PKTS);
	for (unsigned int i = 0; i < out->n; i++) {
		struct rte_mbuf *x = out->pkts[i];
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(x);
		uint16_t got = *field_of(x), want;

		*field_of(x) = 0;
		want = rte_ipv4_udptcp_cksum(ip, ip + 1);
		bad += got != want;
		*field_of(x) = got;
	}
	CU_ASSERT_EQUAL(bad, 0);
	adn_test_free(p);
}

static void
test_tcp_checksum_skips_udp_unless_asked(void)
{
	struct adn_pipeline *p = adn_test_chain("noudp", "TcpChecksum", "",
						NULL);
	struct rte_mbuf *m[2];
	struct adn_rand r;
	struct adn_xstat xs[8];
	struct adn_elem *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_rand_seed(&r, 4);
	make_packets(m, 2, &r);		/* one TCP, one UDP */
	adn_test_run(p, "src", m, 2);
	CU_ASSERT_EQUAL(*field_of(adn_test_sink(p, "out")->pkts[1]), 0xbeef);
	CU_ASSERT_NOT_EQUAL(*field_of(adn_test_sink(p, "out")->pkts[0]), 0xbeef);
	e = adn_pipeline_find(p, "x");
	CU_ASSERT_EQUAL_FATAL(e->desc->xstats(e, xs, 8), 4);
	CU_ASSERT_STRING_EQUAL(xs[0].name, "set");
	CU_ASSERT_EQUAL(xs[0].value, 1);
	CU_ASSERT_STRING_EQUAL(xs[3].name, "skipped");
	CU_ASSERT_EQUAL(xs[3].value, 1);
	adn_test_free(p);
}

static void
test_tcp_checksum_verify_counts_bad_ones(void)
{
	struct adn_pipeline *p = adn_test_chain("verify", "TcpChecksum",
		"mode = \"verify\"; udp = true;", NULL);
	struct rte_mbuf *m[N_PKTS];
	struct adn_rand r;
	struct adn_elem_totals t;
	struct adn_xstat xs[8];
	struct adn_elem *e;
	unsigned int corrupted = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_rand_seed(&r, 5);
	make_packets(m, N_PKTS, &r);
	for (unsigned int i = 0; i < N_PKTS; i++) {
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m[i]);

		*field_of(m[i]) = 0;
		*field_of(m[i]) = rte_ipv4_udptcp_cksum(ip, ip + 1);
		if (i % 3 == 0) {	/* flip a payload bit */
			rte_pktmbuf_mtod(m[i], uint8_t *)[60] ^= 0x10;
			corrupted++;
		}
	}
	adn_test_run(p, "src", m, N_PKTS);
	e = adn_pipeline_find(p, "x");
	adn_elem_totals(e, &t);
	CU_ASSERT_STRING_EQUAL(adn_elem_drop_name(e, 3), "bad-checksum");
	CU_ASSERT_EQUAL(t.drop[3], corrupted);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, N_PKTS - corrupted);
	CU_ASSERT_EQUAL_FATAL(e->desc->xstats(e, xs, 8), 4);
	CU_ASSERT_EQUAL(xs[1].value, N_PKTS - corrupted);	/* verified_ok */
	CU_ASSERT_EQUAL(xs[2].value, corrupted);		/* bad */
	adn_test_free(p);
}

static void
test_tcp_checksum_drops_truncated(void)
{
	struct adn_pipeline *p = adn_test_chain("trunc", "TcpChecksum", "",
						NULL);
	struct rte_mbuf *m[1];
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);
	rte_pktmbuf_trim(m[0], 20);	/* IP total length now too long */
	adn_test_run(p, "src", m, 1);
	adn_elem_totals(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.drop[1], 1);	/* truncated */
	adn_test_free(p);
}

/* The frame's bytes from `at` on moved to a second mbuf chained to it. */
static void
split_at(struct rte_mbuf *m, uint16_t at)
{
	struct rte_mbuf *tail = rte_pktmbuf_alloc(adn_test_pool());
	const uint16_t n = (uint16_t)(rte_pktmbuf_data_len(m) - at);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
	memcpy(rte_pktmbuf_append(tail, n),
	       rte_pktmbuf_mtod_offset(m, const void *, at), n);
	rte_pktmbuf_trim(m, n);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, tail), 0);
}

/* n TCP frames of `len` bytes, data offset 5, checksum field 0. */
static void
make_zeroed(struct rte_mbuf **m, unsigned int n, uint16_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		m[i] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		((struct rte_tcp_hdr *)(adn_test_ipv4_hdr(m[i]) + 1))->data_off =
			5 << 4;
		*field_of(m[i]) = 0;
	}
}

/* Runs the n frames through p: exactly one comes out, its checksum
 * `want`. */
static void
run_expect_one(struct adn_pipeline *p, struct rte_mbuf **m, unsigned int n,
	       uint16_t want)
{
	struct adn_test_sink *out;

	adn_test_run(p, "src", m, n);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 1);
	CU_ASSERT_EQUAL(*field_of(out->pkts[0]), want);
}

/* A segment across two mbufs is summed across them; one whose TCP header
 * is not all in the first mbuf, one whose IHL is below 5 and one whose
 * total length leaves no room for the TCP header are truncated. */
static void
test_tcp_checksum_segmented_and_short(void)
{
	struct adn_pipeline *p = adn_test_chain("seg", "TcpChecksum", "",
						NULL);
	struct rte_mbuf *m[4];
	struct rte_ipv4_hdr *ip;
	uint16_t want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	make_zeroed(m, RTE_DIM(m), 200);
	ip = adn_test_ipv4_hdr(m[0]);
	want = rte_ipv4_udptcp_cksum(ip, ip + 1);
	*field_of(m[0]) = 0xbeef;	/* stale */
	split_at(m[0], 91);	/* an odd split, in the payload */
	split_at(m[1], 40);	/* in the TCP header */
	adn_test_ipv4_hdr(m[2])->version_ihl = 0x44;
	adn_test_ipv4_hdr(m[3])->total_length = rte_cpu_to_be_16(20 + 19);
	run_expect_one(p, m, RTE_DIM(m), want);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "truncated"), 3);
	adn_test_free(p);
}

/* Fragments (MF set, or an offset) are dropped as such; a segment whose
 * data offset reads 0, which the parse leaves without an l4_len, still
 * gets its checksum through the full checks. */
static void
test_tcp_checksum_drops_fragments(void)
{
	struct adn_pipeline *p = adn_test_chain("frag", "TcpChecksum", "",
						NULL);
	struct rte_mbuf *m[3];
	struct rte_ipv4_hdr *ip;
	uint16_t want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	make_zeroed(m, RTE_DIM(m), 100);
	adn_test_ipv4_hdr(m[0])->fragment_offset =
		rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	adn_test_ipv4_hdr(m[1])->fragment_offset = rte_cpu_to_be_16(100);
	ip = adn_test_ipv4_hdr(m[2]);
	((struct rte_tcp_hdr *)(ip + 1))->data_off = 0;
	want = rte_ipv4_udptcp_cksum(ip, ip + 1);
	run_expect_one(p, m, RTE_DIM(m), want);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "fragment"), 2);
	adn_test_free(p);
}

/* Every length to past a frame, at every alignment, over random bytes and
 * over the all-ones and all-zero spans where the fold's end cases are. */
static void
test_adn_pkt_cksum_equals_rte_raw_cksum(void)
{
	static uint8_t buf[2048 + 8];
	struct adn_rand r;
	unsigned int bad = 0;

	adn_rand_seed(&r, 7);
	for (int fill = 0; fill < 3; fill++) {
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = fill == 0 ? (uint8_t)adn_rand_u64(&r) :
				fill == 1 ? 0xff : 0;
		for (uint32_t len = 0; len <= 2048; len++)
			for (unsigned int off = 0; off < 8; off++)
				bad += adn_pkt_cksum(buf + off, len) !=
					rte_raw_cksum(buf + off, len);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("tcp_checksum");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_tcp_checksum_equals_rte_ipv4_udptcp_cksum);
	CU_ADD_TEST(s, test_tcp_checksum_skips_udp_unless_asked);
	CU_ADD_TEST(s, test_tcp_checksum_verify_counts_bad_ones);
	CU_ADD_TEST(s, test_tcp_checksum_drops_truncated);
	CU_ADD_TEST(s, test_tcp_checksum_segmented_and_short);
	CU_ADD_TEST(s, test_tcp_checksum_drops_fragments);
	CU_ADD_TEST(s, test_adn_pkt_cksum_equals_rte_raw_cksum);
	return adn_test_main();
}
