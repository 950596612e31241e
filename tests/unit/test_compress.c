/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RPC payload compression in packets (lib/rpc/adn_rpc_compress.h, the
 * implementation of Compress and Decompress), for every codec built:
 *  - ADN RPC over UDP: compress then decompress gives back the frame byte
 *    for byte; the compressed frame's header says COMPRESSED and its new
 *    payload length, and the UDP length, IPv4 total length and both
 *    checksums are right (a zero UDP checksum stays zero); the record
 *    follows;
 *  - HTTP: the same round trip; the compressed message has the new
 *    Content-Length and `Content-Encoding: TOKEN`, a valid TCP checksum;
 *  - what must pass does, unchanged and counted: random payloads (not
 *    smaller), small ones, compressed ones again, HTTP bodies not wholly
 *    in the packet, a Content-Encoding already there; a corrupt stream
 *    is refused by decompress and the packet left as it was;
 *  - the elements in a pipeline with a dictionary file give back every
 *    frame and count what they did; bad keys name the key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_rand.h"
#include "adn_rpc_compress.h"
#include "adn_test.h"
#include "../../tools/rpc_payload.h"

#define L2L3 (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

static struct adn_rand rnd;

static struct adn_rpc_z *
z_new(enum adn_codec_kind k, uint32_t min_size)
{
	struct adn_rpc_z *z = rte_zmalloc(NULL, sizeof(*z), 0);
	const struct adn_codec_conf c = { .kind = k };

	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL_FATAL(adn_codec_create(&c, &z->codec), 0);
	z->kind = k;
	z->min_size = min_size;
	return z;
}

static void
z_del(struct adn_rpc_z *z)
{
	adn_rpc_z_free(z, 1);
}

/* An ADN RPC request with two fields and `len` payload bytes (`text`:
 * an order record, else random bytes) over UDP. */
static struct rte_mbuf *
adn_frame(uint32_t len, bool text, bool udp_csum)
{
	static const char user[] = "alice";
	const struct adn_rpc_field_val f[2] = {
		{ .id = 1, .type = ADN_RPC_FT_U64, .u64 = 42 },
		{ .id = 2, .type = ADN_RPC_FT_STRING, .len = 5, .val = user },
	};
	const size_t hl = adn_rpc_hdr_size(f, 2);
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_UDP, 4000, 7000, 64,
					   (uint16_t)(L2L3 + 8 + hl + len));
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	uint8_t *rpc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	ip = adn_test_ipv4_hdr(m);
	u = (struct rte_udp_hdr *)(ip + 1);
	rpc = (uint8_t *)(u + 1);
	CU_ASSERT_EQUAL_FATAL(adn_rpc_encode(rpc, hl, ADN_RPC_T_REQUEST, 0, 7,
					     3, 1, len, f, 2), (int)hl);
	if (text)
		adn_rpc_payload_fill(&rnd, (char *)rpc + hl, len);
	else
		for (uint32_t i = 0; i < len; i++)
			rpc[hl + i] = (uint8_t)adn_rand_u64(&rnd);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + hl + len));
	u->dgram_cksum = 0;
	if (udp_csum)
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return m;
}

/* The record RpcParse would leave for an ADN frame. */
static void
adn_record(struct rte_mbuf *m, struct adn_rpc_msg *msg)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	const uint8_t *rpc = (const uint8_t *)ip + sizeof(*ip) + 8;
	const uint32_t ulen = rte_be_to_cpu_16(((struct rte_udp_hdr *)
						(ip + 1))->dgram_len) - 8;
	int hl;

	memset(msg, 0, sizeof(*msg));
	hl = adn_rpc_decode(rpc, ulen, &msg->hdr);
	CU_ASSERT_FATAL(hl > 0);
	msg->carrier = ADN_RPC_CARRIER_ADN;
	msg->flags = msg->hdr.flags;
	msg->req_id = msg->hdr.req_id;
	msg->rpc = rpc;
	msg->rpc_off = (uint32_t)L2L3 + 8;
	msg->payload = rpc + hl;
	msg->payload_len = msg->hdr.payload_len;
}

/* Lengths and checksums of a UDP frame are consistent. */
static void
check_udp(struct rte_mbuf *m, bool csum)
{
	struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length),
			rte_pktmbuf_pkt_len(m) - sizeof(struct rte_ether_hdr));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(u->dgram_len),
			rte_pktmbuf_pkt_len(m) - L2L3);
	CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
	if (csum) {
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	} else {
		CU_ASSERT_EQUAL(u->dgram_cksum, 0);
	}
}

static void
test_adn_round_trip_byte_exact(void)
{
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	static uint8_t orig[2048];

	for (unsigned int i = 0; i < nk; i++)
		for (int csum = 0; csum < 2; csum++) {
			struct adn_rpc_z *zc = z_new(k[i], 64),
				*zd = z_new(k[i], 64);
			const uint32_t sizes[] = { 200, 700, 1400 };

			for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
				struct rte_mbuf *m = adn_frame(sizes[s], true,
							       csum);
				const uint32_t len0 = rte_pktmbuf_pkt_len(m);
				struct adn_rpc_msg msg;
				struct adn_rpc_hdr h;

				memcpy(orig, rte_pktmbuf_mtod(m, void *), len0);
				adn_record(m, &msg);
				CU_ASSERT_EQUAL(adn_rpc_z_recode(zc, true, m,
								 &msg),
						ADN_RPC_Z_DONE);
				CU_ASSERT(rte_pktmbuf_pkt_len(m) < len0);
				check_udp(m, csum);
				CU_ASSERT_EQUAL(adn_rpc_decode(msg.rpc,
					rte_pktmbuf_pkt_len(m) - L2L3 - 8, &h),
					msg.hdr.hdr_len);
				CU_ASSERT(h.flags & ADN_RPC_F_COMPRESSED);
				CU_ASSERT_EQUAL(h.payload_len, msg.payload_len);
				CU_ASSERT_EQUAL(h.payload_len,
						rte_pktmbuf_pkt_len(m) - L2L3 -
						8 - h.hdr_len);
				/* compressed already: passes */
				CU_ASSERT_EQUAL(adn_rpc_z_recode(zc, true, m,
								 &msg),
						ADN_RPC_Z_PASS);
				/* from a fresh record, as the far end's
				 * RpcParse makes it */
				adn_record(m, &msg);
				CU_ASSERT_EQUAL(adn_rpc_z_recode(zd, false, m,
								 &msg),
						ADN_RPC_Z_DONE);
				CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), len0);
				CU_ASSERT(memcmp(orig, rte_pktmbuf_mtod(m,
							void *), len0) == 0);
				CU_ASSERT_EQUAL(msg.payload_len, sizes[s]);
				rte_pktmbuf_free(m);
			}
			CU_ASSERT_EQUAL(zc->count[ADN_RPC_Z_DONE], 3);
			CU_ASSERT_EQUAL(zd->count[ADN_RPC_Z_DONE], 3);
			z_del(zc);
			z_del(zd);
		}
}

static void
test_adn_passes_what_it_cannot_shrink(void)
{
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	static uint8_t orig[2048];

	for (unsigned int i = 0; i < nk; i++) {
		struct adn_rpc_z *z = z_new(k[i], 300);
		struct rte_mbuf *m[3] = { adn_frame(1000, false, true),
					  adn_frame(200, true, true),
					  adn_frame(1000, true, true) };
		const enum adn_rpc_z_res want[3] = { ADN_RPC_Z_NOT_SMALLER,
						     ADN_RPC_Z_SMALL,
						     ADN_RPC_Z_CORRUPT };

		for (unsigned int j = 0; j < 3; j++) {
			const uint32_t len0 = rte_pktmbuf_pkt_len(m[j]);
			struct adn_rpc_msg msg;
			uint8_t *rpc;

			adn_record(m[j], &msg);
			if (j == 2) {
				/* says compressed, is not: corrupt */
				rpc = (uint8_t *)(uintptr_t)msg.rpc;
				adn_rpc_set_payload(rpc, msg.payload_len,
						    ADN_RPC_F_COMPRESSED);
				adn_record(m[j], &msg);
			}
			memcpy(orig, rte_pktmbuf_mtod(m[j], void *), len0);
			CU_ASSERT_EQUAL(adn_rpc_z_recode(z, j < 2, m[j], &msg),
					want[j]);
			CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m[j]), len0);
			CU_ASSERT(memcmp(orig, rte_pktmbuf_mtod(m[j], void *),
					 len0) == 0);
			rte_pktmbuf_free(m[j]);
		}
		CU_ASSERT_EQUAL(adn_rpc_z_recode(z, true, NULL, NULL),
				ADN_RPC_Z_NO_RPC);
		z_del(z);
	}
}

/* An HTTP POST with a JSON body of `len` bytes, whose Content-Length says
 * `clen` (the body in this packet when equal). */
static struct rte_mbuf *
http_frame(uint32_t len, uint32_t clen, const char *extra, char *head,
	   uint32_t *head_len)
{
	static char pl[4096];
	int hl = snprintf(pl, sizeof(pl),
			  "POST /shop/order?id=9 HTTP/1.1\r\nHost: shop\r\n"
			  "content-type: application/json\r\n%s"
			  "Content-Length: %u\r\nX-Request-Id: r-1\r\n\r\n",
			  extra, clen);

	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;

	adn_rpc_payload_fill(&rnd, pl + hl, len);
	memcpy(head, pl, (size_t)hl);
	*head_len = (uint32_t)hl;
	m = adn_test_tcp(5555, 1000, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, pl,
			 (size_t)hl + len);
	ip = adn_test_ipv4_hdr(m);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	((struct rte_tcp_hdr *)(ip + 1))->cksum =
		rte_ipv4_udptcp_cksum(ip, ip + 1);
	return m;
}

static void
http_record(struct adn_rpc_msg *msg, const char *head, uint32_t head_len)
{
	memset(msg, 0, sizeof(*msg));
	msg->carrier = ADN_RPC_CARRIER_HTTP;
	msg->head = head;
	msg->head_len = head_len;
}

static void
test_http_round_trip_byte_exact(void)
{
	enum adn_codec_kind k[ADN_CODEC_N];
	const unsigned int nk = adn_codec_built(k);
	static uint8_t orig[2048];

	for (unsigned int i = 0; i < nk; i++) {
		struct adn_rpc_z *zc = z_new(k[i], 64), *zd = z_new(k[i], 64);
		char head[512], want[64], *text;
		struct rte_mbuf *m;
		struct adn_rpc_msg msg;
		struct rte_ipv4_hdr *ip;
		uint32_t hl, len0;

		m = http_frame(1200, 1200, "", head, &hl);
		len0 = rte_pktmbuf_pkt_len(m);
		memcpy(orig, rte_pktmbuf_mtod(m, void *), len0);
		http_record(&msg, head, hl);
		CU_ASSERT_EQUAL(adn_rpc_z_recode(zc, true, m, &msg),
				ADN_RPC_Z_DONE);
		CU_ASSERT(rte_pktmbuf_pkt_len(m) < len0);
		ip = adn_test_ipv4_hdr(m);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length),
				rte_pktmbuf_pkt_len(m) -
				sizeof(struct rte_ether_hdr));
		CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0);
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
		text = rte_pktmbuf_mtod_offset(m, char *, L2L3 + 20);
		snprintf(want, sizeof(want), "Content-Length: %u\r\n",
			 msg.payload_len);
		CU_ASSERT_PTR_NOT_NULL(memmem(text, msg.head_len, want,
					      strlen(want)));
		snprintf(want, sizeof(want), "Content-Encoding: %s\r\n\r\n",
			 adn_codec_name(k[i]));
		CU_ASSERT_PTR_NOT_NULL(memmem(text, msg.head_len, want,
					      strlen(want)));
		CU_ASSERT_EQUAL(msg.head_len + msg.payload_len,
				rte_pktmbuf_pkt_len(m) - L2L3 - 20);
		/* the far end's record: HttpParse's copy of the new head */
		memcpy(head, text, msg.head_len);
		http_record(&msg, head, msg.head_len);
		CU_ASSERT_EQUAL(adn_rpc_z_recode(zd, false, m, &msg),
				ADN_RPC_Z_DONE);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), len0);
		CU_ASSERT(memcmp(orig, rte_pktmbuf_mtod(m, void *), len0) == 0);
		rte_pktmbuf_free(m);

		/* body not all here; a coding already; decompress of a
		 * plain message */
		m = http_frame(600, 1600, "", head, &hl);
		http_record(&msg, head, hl);
		CU_ASSERT_EQUAL(adn_rpc_z_recode(zc, true, m, &msg),
				ADN_RPC_Z_UNSUPPORTED);
		rte_pktmbuf_free(m);
		m = http_frame(600, 600, "Content-Encoding: br\r\n", head, &hl);
		http_record(&msg, head, hl);
		CU_ASSERT_EQUAL(adn_rpc_z_recode(zc, true, m, &msg),
				ADN_RPC_Z_PASS);
		CU_ASSERT_EQUAL(adn_rpc_z_recode(zd, false, m, &msg),
				ADN_RPC_Z_PASS);
		rte_pktmbuf_free(m);
		z_del(zc);
		z_del(zd);
	}
}

/* RpcParse -> Compress -> Decompress, one dictionary file: the pair
 * gives back every frame, and each counts what it did (test_codec checks
 * that another dictionary fails). */
static void
test_elements_round_trip_with_dictionary(void)
{
	static const char dict_path[] = "/tmp/adn-test-compress.dict";
	static char dict[2048], cfg[2048];
	static uint8_t orig[8][2048];
	struct adn_test_sink *out;
	struct adn_pipeline *p;
	struct rte_mbuf *m[8];
	uint32_t len[8];
	FILE *f;

	adn_rpc_payload_fill(&rnd, dict, sizeof(dict));
	f = fopen(dict_path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(dict, 1, sizeof(dict), f), sizeof(dict));
	fclose(f);
	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 " { name = \"src\"; type = \"TestSource\"; },\n"
		 " { name = \"rp\"; type = \"RpcParse\"; },\n"
		 " { name = \"cz\"; type = \"Compress\"; min_size = 100;\n"
		 "   dictionary = \"%s\"; },\n"
		 " { name = \"dz\"; type = \"Decompress\"; dictionary = \"%s\"; },\n"
		 " { name = \"out\"; type = \"TestSink\"; },\n"
		 " { name = \"other\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> rp -> cz -> dz -> out\", \"rp[1] -> other\" );\n",
		 dict_path, dict_path);
	p = adn_test_build("z_pair", cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < 8; i++) {
		m[i] = adn_frame(80 + 150 * i, i != 3, true);
		/* to the RPC port RpcParse listens on */
		((struct rte_udp_hdr *)(adn_test_ipv4_hdr(m[i]) + 1))->dst_port =
			rte_cpu_to_be_16(9000);
		((struct rte_udp_hdr *)(adn_test_ipv4_hdr(m[i]) + 1))->dgram_cksum = 0;
		len[i] = rte_pktmbuf_pkt_len(m[i]);
		memcpy(orig[i], rte_pktmbuf_mtod(m[i], void *), len[i]);
	}
	adn_test_run(p, "src", m, 8);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 8);
	for (unsigned int i = 0; i < 8; i++)
		CU_ASSERT(rte_pktmbuf_pkt_len(out->pkts[i]) == len[i] &&
			  memcmp(orig[i], rte_pktmbuf_mtod(out->pkts[i], void *),
				 len[i]) == 0);
	/* 80 B: small; random: not smaller; six compressed and restored */
	CU_ASSERT_EQUAL(adn_test_xstat(p, "cz", "done"), 6);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "cz", "small"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "cz", "not-smaller"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "dz", "done"), 6);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "dz", "passed"), 2);
	adn_test_sink_clear(out);
	adn_test_free(p);
	unlink(dict_path);
}

static void
test_element_keys_are_checked(void)
{
	adn_test_config_error("Compress", "level = 12;", 1, "'level'");
	adn_test_config_error("Decompress", "dictionary = \"no-such.dict\";",
			      1, "'dictionary'");
	adn_test_config_error("Compress", "codec = \"lz4\";", 1, "'codec'");
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("compress");

	if (s == NULL)
		return 1;
	adn_rand_seed(&rnd, 11);
	CU_ADD_TEST(s, test_adn_round_trip_byte_exact);
	CU_ADD_TEST(s, test_adn_passes_what_it_cannot_shrink);
	CU_ADD_TEST(s, test_http_round_trip_byte_exact);
	CU_ADD_TEST(s, test_elements_round_trip_with_dictionary);
	CU_ADD_TEST(s, test_element_keys_are_checked);
	return adn_test_main();
}
