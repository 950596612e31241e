/* SPDX-License-Identifier: BSD-3-Clause */
/* FlowCounter: the cells sum to the packets counted, each flow lands in
 * the cell its Murmur3 hash names, and bad keys are config errors. */

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <libconfig.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_pipeline.h"
#include "adn_port.h"
#include "adn_test.h"

#define N_PKTS 3000
#define N_FLOWS 37

static void
test_flow_counter_totals_equal_packets(void)
{
	struct adn_pipeline *p = adn_test_chain("fc", "FlowCounter",
						"size = 4096; top = 3;", NULL);
	struct rte_mbuf *m[N_PKTS];
	unsigned int per_flow[N_FLOWS] = { 0 }, heaviest = 0, used = 0;
	static unsigned int cells[4096];
	struct adn_flow_key k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < N_PKTS; i++) {
		/* Flow f gets a share growing with f: a clear heaviest. */
		unsigned int f = (unsigned int)(i * i) % N_FLOWS;

		m[i] = adn_test_ipv4(IPPROTO_TCP, 1000 + f, 80, 64, 64);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		per_flow[f]++;
	}
	adn_test_run(p, "src", m, N_PKTS);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "packets"), N_PKTS);
	/* The model: flow of port 1000 + f adds to cell murmur3(5-tuple) &
	 * 4095 (colliding flows share a cell). */
	k.src_ip = rte_cpu_to_be_32(0x0a000001);	/* 10.0.0.1, as adn_test_ipv4 */
	k.dst_ip = rte_cpu_to_be_32(0xc0a80102);	/* 192.168.1.2 */
	k.dst_port = rte_cpu_to_be_16(80);
	k.proto = IPPROTO_TCP;
	for (unsigned int f = 0; f < N_FLOWS; f++) {
		k.src_port = rte_cpu_to_be_16(1000 + f);
		cells[adn_flow_hash(&k, 0) & 4095] += per_flow[f];
	}
	for (unsigned int c = 0; c < 4096; c++) {
		heaviest = RTE_MAX(heaviest, cells[c]);
		used += cells[c] != 0;
	}
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "cells_used"), used);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "top0_count"), heaviest);
	CU_ASSERT_EQUAL(cells[adn_test_xstat(p, "x", "top0_cell") & 4095],
			heaviest);
	CU_ASSERT_EQUAL(cells[adn_test_xstat(p, "x", "top1_cell") & 4095],
			adn_test_xstat(p, "x", "top1_count"));
	CU_ASSERT(adn_test_xstat(p, "x", "top0_count") >=
		  adn_test_xstat(p, "x", "top1_count"));
	adn_test_free(p);
}

static void
test_flow_counter_drops_non_ipv4(void)
{
	struct adn_pipeline *p = adn_test_chain("fc", "FlowCounter", "", NULL);
	struct rte_mbuf *m[3];
	struct adn_elem_totals t;
	struct adn_elem *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < 3; i++)
		m[i] = adn_test_ipv4(IPPROTO_UDP, 5, 6, 64, 64);
	rte_pktmbuf_mtod(m[2], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	adn_test_run(p, "src", m, 3);
	e = adn_pipeline_find(p, "x");
	adn_elem_totals(e, &t);
	CU_ASSERT_STRING_EQUAL(adn_elem_drop_name(e, 0), "not-ipv4");
	CU_ASSERT_EQUAL(t.drop[0], 1);
	CU_ASSERT_EQUAL(t.out[0], 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "packets"), 2);
	adn_test_free(p);
}

/* With two workers, each counts in its own row of cells: the same flow's
 * cell (what prep hands the templates to prefetch) lies one row further
 * on for worker 1. */
static void
test_flow_counter_rows_per_worker(void)
{
	static const char text[] =
		"elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"FlowCounter\"; size = 16; },\n"
		"  { name = \"out\"; type = \"TestSink\"; } );\n"
		"links = ( \"src -> x -> out\" );\n";
	struct adn_ports ports = { 0 };
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = NULL;
	union adn_pkt_ctx ctx;
	const uint8_t *cell[2];
	struct rte_mbuf *m;
	struct adn_elem *e;
	config_t cfg;

	config_init(&cfg);
	CU_ASSERT_EQUAL_FATAL(config_read_string(&cfg, text), CONFIG_TRUE);
	CU_ASSERT_EQUAL(adn_ports_parse(&cfg, 2, &ports, &errs), 0);
	CU_ASSERT_EQUAL(adn_pipeline_build(&cfg, &ports, 2, &errs, &p), 0);
	adn_errs_print(&errs, stdout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	e = adn_pipeline_find(p, "x");
	m = adn_test_ipv4(IPPROTO_TCP, 1000, 80, 64, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (unsigned int w = 0; w < 2; w++) {
		adn_worker_index_set(w);
		cell[w] = e->desc->prep(e, m, &ctx);
		CU_ASSERT_PTR_NOT_NULL(cell[w]);
		CU_ASSERT_EQUAL(e->desc->exec(e, m, &ctx), 0);
	}
	adn_worker_index_set(0);
	CU_ASSERT_EQUAL(cell[1] - cell[0], 16 * sizeof(uint32_t));
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "packets"), 2);
	rte_pktmbuf_free(m);
	adn_pipeline_free(p);
	adn_errs_clear(&errs);
	config_destroy(&cfg);
}

static void
test_flow_counter_rejects_size_not_power_of_two(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_chain("fc", "FlowCounter",
						"size = 1000;", &errs);

	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT(adn_errs_find(&errs, "not a power of two") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "size") >= 0);
	adn_errs_clear(&errs);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("flow_counter");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_flow_counter_totals_equal_packets);
	CU_ADD_TEST(s, test_flow_counter_drops_non_ipv4);
	CU_ADD_TEST(s, test_flow_counter_rows_per_worker);
	CU_ADD_TEST(s, test_flow_counter_rejects_size_not_power_of_two);
	return adn_test_main();
}
