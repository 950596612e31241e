/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worked examples of docs/architecture.md, built into this test and
 * run: the SetDscp element (examples/set_dscp.c) through a pipeline from a
 * config, and the `tally` template (examples/tpl_tally.c) under a plan,
 * its counts against the executor's.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_test.h"

#define N 64

/* Valid header checksum: the one's complement sum over the header is 0. */
static bool
ip_csum_ok(const struct rte_ipv4_hdr *ip)
{
	return rte_ipv4_cksum(ip) == 0 || rte_raw_cksum(ip, sizeof(*ip)) ==
		0xffff;
}

static void
make_pkts(struct rte_mbuf **pkts)
{
	for (unsigned int i = 0; i < N; i++) {
		pkts[i] = adn_test_ipv4(IPPROTO_UDP, (uint16_t)(1000 + i), 53,
					64, 80);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[i]);
		adn_test_ipv4_hdr(pkts[i])->type_of_service = (uint8_t)i;
		adn_test_ipv4_hdr(pkts[i])->hdr_checksum = 0;
		adn_test_ipv4_hdr(pkts[i])->hdr_checksum =
			rte_ipv4_cksum(adn_test_ipv4_hdr(pkts[i]));
	}
	/* Not IPv4: an ARP EtherType. */
	rte_pktmbuf_mtod(pkts[N - 1], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	pkts[N - 1]->packet_type = 0;
}

static void
test_set_dscp(void)
{
	struct adn_pipeline *p = adn_test_chain("dscp", "SetDscp",
						"dscp = 46;", NULL);
	struct rte_mbuf *pkts[N];
	struct adn_test_sink *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	make_pkts(pkts);
	adn_test_run(p, "src", pkts, N);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL(out->n, N - 1);
	for (unsigned int i = 0; i < out->n; i++) {
		const struct rte_ipv4_hdr *ip =
			adn_test_ipv4_hdr(out->pkts[i]);

		/* DSCP set, ECN bits (the low two) kept, checksum valid. */
		CU_ASSERT_EQUAL(ip->type_of_service >> 2, 46);
		CU_ASSERT_EQUAL(ip->type_of_service & 3, i & 3);
		CU_ASSERT(ip_csum_ok(ip));
	}
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	adn_test_free(p);
	/* Its key is checked before configure() runs. */
	adn_test_config_error("SetDscp", "dscp = 64;", 1, "out of range");
	adn_test_config_error("SetDscp", "", 1, "missing required key");
}

static void
test_tally(void)
{
	struct adn_pipeline *p = adn_test_chain("tally", "SetDscp",
						"dscp = 10;", NULL);
	struct adn_errs errs = { 0 };
	struct rte_mbuf *pkts[N];
	struct adn_xstat st[4];
	struct adn_exec *x;
	const char *tpl;
	char what[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(adn_exec_set_plan(x, "tally", &errs), 0);
	adn_exec_describe(x, adn_pipeline_find(p, "x"), what, sizeof(what));
	CU_ASSERT_STRING_EQUAL(what, "tally");
	make_pkts(pkts);
	for (unsigned int i = 0; i < N; i += 16) {
		struct adn_elem *src = adn_pipeline_find(p, "src");
		struct adn_batch *b = adn_exec_source_batch(x, src);

		memcpy(b->pkts, pkts + i, 16 * sizeof(*pkts));
		b->n = 16;
		adn_exec_run(x, src->index);
	}
	CU_ASSERT_EQUAL(adn_exec_tpl_stats(x, adn_pipeline_find(p, "x"), &tpl,
					   st, 4), 2);
	CU_ASSERT_STRING_EQUAL(tpl, "tally");
	CU_ASSERT_STRING_EQUAL(st[0].name, "out0");
	CU_ASSERT_EQUAL(st[0].value, N - 1);
	CU_ASSERT_STRING_EQUAL(st[1].name, "dropped");
	CU_ASSERT_EQUAL(st[1].value, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, N - 1);
	adn_exec_free(x);
	adn_errs_clear(&errs);
	adn_test_free(p);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("examples");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_set_dscp);
	CU_ADD_TEST(s, test_tally);
	return adn_test_main();
}
