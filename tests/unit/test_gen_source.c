/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GenSource and Recycle, and the executor's plans on the NFMorph pipeline:
 * the named workloads match their stated top-1% shares, packets are valid
 * and aimed into the route table, mbufs come back to the pool, and the
 * scalar and batch plans compute the same thing.
 *
 * The heavy-tailed model (10M flows) is checked on a 1M-packet sequence
 * through the generator's own rank count: with ~0.1 packets per flow an
 * empirical top-by-count would measure sampling noise, not the model. The
 * skewed one is also checked on the emitted packets' 5-tuples.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_route.h"
#include "adn_test.h"
#include "adn_zipf.h"

static char routes_path[256];

/* GenSource "gen" (config `keys`) -> Recycle "sink"; errors as
 * adn_test_build. */
static struct adn_pipeline *
gen_pipeline(const char *tag, const char *keys, struct adn_errs *errs)
{
	char cfg[1024];

	snprintf(cfg, sizeof(cfg),
		 "elements = ( { name = \"gen\"; type = \"GenSource\"; %s },\n"
		 "  { name = \"sink\"; type = \"Recycle\"; } );\n"
		 "links = ( \"gen -> sink\" );\n", keys);
	return adn_test_build(tag, cfg, errs);
}

static void
test_gen_heavy_tailed_top1pct_share_is_10pct(void)
{
	struct adn_pipeline *p = gen_pipeline("heavy",
		"workload = \"heavy-tailed\"; seq = 1048576; pool = 1023;",
		NULL);
	double share, model;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "gen", "flows"), 10000000);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "gen", "alpha_milli"), 500);
	share = adn_test_xstat(p, "gen", "top1pct_share_ppm") / 1e6;
	model = adn_zipf_top_share(10000000, 0.5, 100000);
	printf("\n  heavy-tailed: top 1%% share %.4f (model %.4f)\n", share,
	       model);
	CU_ASSERT(model > 0.095 && model < 0.105);
	CU_ASSERT(share > 0.09 && share < 0.11);
	adn_test_free(p);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_desc(const void *a, const void *b)
{
	return -cmp_u64(a, b);
}

static void
test_gen_skewed_top1pct_share_is_99pct(void)
{
	const unsigned int n_seq = 262144;
	struct adn_pipeline *p = gen_pipeline("skewed",
		"workload = \"skewed\"; seq = 262144; pool = 4095;",
		NULL);
	struct adn_elem *e;
	struct rte_mbuf *m[256];
	uint64_t *keys = calloc(n_seq, sizeof(*keys));
	uint64_t *counts = calloc(n_seq, sizeof(*counts));
	unsigned int n = 0, n_distinct = 0;
	uint64_t top = 0;
	double share;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
	e = adn_pipeline_find(p, "gen");
	CU_ASSERT_EQUAL(adn_test_xstat(p, "gen", "flows"), 100000);
	share = adn_test_xstat(p, "gen", "top1pct_share_ppm") / 1e6;
	CU_ASSERT(share > 0.98 && share < 1.0);
	/* The emitted packets: key each by its 5-tuple, count per key. */
	while (n < n_seq) {
		uint16_t got = e->desc->rx(e, 0, m, 256);

		CU_ASSERT_EQUAL_FATAL(got, 256);
		for (unsigned int i = 0; i < got; i++) {
			struct adn_flow_key k;
			const struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m[i]);
			const struct rte_tcp_hdr *tcp =
				(const struct rte_tcp_hdr *)(ip + 1);

			k.src_ip = ip->src_addr;
			k.dst_ip = ip->dst_addr;
			k.src_port = tcp->src_port;
			k.dst_port = tcp->dst_port;
			k.proto = ip->next_proto_id;
			keys[n++] = (uint64_t)adn_flow_hash(&k, 1) << 32 |
				adn_flow_hash(&k, 2);
		}
		rte_pktmbuf_free_bulk(m, got);
	}
	qsort(keys, n_seq, sizeof(*keys), cmp_u64);
	for (unsigned int i = 0; i < n_seq; i++) {
		if (i == 0 || keys[i] != keys[i - 1])
			counts[n_distinct++] = 0;
		counts[n_distinct - 1]++;
	}
	qsort(counts, n_distinct, sizeof(*counts), cmp_desc);
	for (unsigned int i = 0; i < 1000 && i < n_distinct; i++)
		top += counts[i];
	share = (double)top / n_seq;
	printf("\n  skewed: top 1%% of flows carry %.4f of packets (model %.4f), %u distinct flows\n",
	       share, adn_zipf_top_share(100000, 1.61, 1000), n_distinct);
	CU_ASSERT(share > 0.98 && share <= 1.0);
	free(keys);
	free(counts);
	adn_test_free(p);
}

/* Route-file destinations, valid IPv4 checksums, the configured size, and
 * every mbuf back in the pool after Recycle. */
static void
test_gen_packets_valid_and_recycled(void)
{
	char keys[512];
	struct adn_pipeline *p;
	struct adn_route_table t;
	struct adn_elem *e;
	struct rte_mempool *pool;
	struct rte_mbuf *m[64];
	char err[256];
	unsigned int avail, outside = 0, bad_csum = 0;

	snprintf(keys, sizeof(keys),
		 "flows = 5000; alpha = 0.9; size = 128; seq = 4096; routes = \"%s\";",
		 routes_path);
	p = gen_pipeline("valid", keys, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(adn_route_file_read(routes_path, 0, 100, &t,
						  err, sizeof(err)), 0);
	e = adn_pipeline_find(p, "gen");
	CU_ASSERT_EQUAL(e->desc->rx(e, 0, m, 64), 64);
	pool = m[0]->pool;
	for (unsigned int i = 0; i < 64; i++) {
		const struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m[i]);

		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m[i]), 128);
		CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length), 114);
		bad_csum += rte_raw_cksum(ip, sizeof(*ip)) != 0xffff;
		outside += adn_route_table_scan(&t,
				rte_be_to_cpu_32(ip->dst_addr)) == UINT32_MAX;
	}
	CU_ASSERT_EQUAL(bad_csum, 0);
	CU_ASSERT_EQUAL(outside, 0);
	rte_pktmbuf_free_bulk(m, 64);
	avail = rte_mempool_avail_count(pool);
	/* Through the pipeline: Recycle returns every mbuf. */
	for (int round = 0; round < 100; round++) {
		struct adn_exec *x = adn_exec_create(p, 0);
		struct adn_batch *b = adn_exec_source_batch(x, e);

		b->n = e->desc->rx(e, 0, b->pkts, 32);
		CU_ASSERT_EQUAL(b->n, 32);
		adn_exec_run(x, e->index);
		adn_exec_free(x);
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "gen", "alloc_failed"), 0);
	adn_route_table_free(&t);
	adn_test_free(p);
}

static void
test_gen_rejects_bad_keys(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = gen_pipeline("genbad",
		"workload = \"zipfy\"; alpha = -1.0;", &errs);

	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT(adn_errs_find(&errs, "zipfy") >= 0);
	adn_errs_clear(&errs);
	p = gen_pipeline("genbad2", "alpha = 11.0; seq = 1024;", &errs);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT(adn_errs_find(&errs, "alpha") >= 0);
	adn_errs_clear(&errs);
}

/* The NFMorph pipeline under both plans: identical per-element counters
 * and flow counts, since a plan changes loops, not results. */
static struct adn_pipeline *
nfmorph(const char *tag)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 "  { name = \"gen\"; type = \"GenSource\"; workload = \"skewed\"; seq = 8192; routes = \"%s\"; },\n"
		 "  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"count\"; type = \"FlowCounter\"; size = 65536; },\n"
		 "  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		 "  { name = \"sink\"; type = \"Recycle\"; },\n"
		 "  { name = \"miss\"; type = \"Discard\"; } );\n"
		 "links = ( \"gen -> route\", \"route[0] -> miss\", \"route[1] -> count\",\n"
		 "  \"route[2] -> count\", \"route[3] -> count\", \"route[4] -> count\",\n"
		 "  \"count -> csum -> sink\" );\n", routes_path, routes_path);
	return adn_test_build(tag, cfg, NULL);
}

static void
run_plan(struct adn_pipeline *p, const char *plan, unsigned int bursts)
{
	struct adn_errs errs = { 0 };
	struct adn_exec *x = adn_exec_create(p, 0);
	struct adn_elem *gen = adn_pipeline_find(p, "gen");

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, plan, &errs), 0);
	CU_ASSERT_STRING_EQUAL(adn_exec_plan(x), plan);
	for (unsigned int i = 0; i < bursts; i++) {
		struct adn_batch *b = adn_exec_source_batch(x, gen);

		b->n = gen->desc->rx(gen, 0, b->pkts, 32);
		adn_exec_run(x, gen->index);
		CU_ASSERT_EQUAL(adn_exec_in_flight(x), 0);
	}
	adn_exec_free(x);
}

static void
test_scalar_and_batch_plans_count_alike(void)
{
	struct adn_pipeline *a = nfmorph("plan_scalar");
	struct adn_pipeline *b = nfmorph("plan_batch");
	struct adn_totals ta, tb;
	struct adn_xstat xa[32], xb[32];
	unsigned int na, nb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	run_plan(a, "scalar", 200);
	run_plan(b, "batch", 200);
	for (unsigned int i = 0; i < adn_pipeline_n_elems(a); i++) {
		const struct adn_elem *e_a = adn_pipeline_elem(a, i);
		const struct adn_elem *e_b = adn_pipeline_elem(b, i);
		struct adn_elem_totals ea, eb;

		adn_elem_totals(e_a, &ea);
		adn_elem_totals(e_b, &eb);
		CU_ASSERT_STRING_EQUAL(e_a->name, e_b->name);
		CU_ASSERT_EQUAL(ea.in, eb.in);
		CU_ASSERT(memcmp(ea.out, eb.out, sizeof(ea.out)) == 0);
		CU_ASSERT(memcmp(ea.drop, eb.drop, sizeof(ea.drop)) == 0);
		CU_ASSERT_EQUAL(ea.consumed, eb.consumed);
	}
	adn_pipeline_totals(a, NULL, 0, &ta);
	adn_pipeline_totals(b, NULL, 0, &tb);
	CU_ASSERT_EQUAL(ta.received, 200 * 32);
	CU_ASSERT_EQUAL(ta.transmitted + ta.dropped, ta.received);
	CU_ASSERT_EQUAL(ta.transmitted, tb.transmitted);
	CU_ASSERT(ta.transmitted > 0);
	/* FlowCounter's cells agree. */
	na = adn_pipeline_find(a, "count")->desc->xstats(
		adn_pipeline_find(a, "count"), xa, 32);
	nb = adn_pipeline_find(b, "count")->desc->xstats(
		adn_pipeline_find(b, "count"), xb, 32);
	CU_ASSERT_EQUAL(na, nb);
	CU_ASSERT(memcmp(xa, xb, sizeof(xa[0]) * na) == 0);
	adn_test_free(a);
	adn_test_free(b);
}

static void
test_plan_errors_name_what_is_wrong(void)
{
	struct adn_pipeline *p = nfmorph("plan_err");
	struct adn_errs errs = { 0 };
	struct adn_exec *x;
	char what[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "warp", &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "'warp': unknown template") >= 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "batch,nosuch=batch", &errs),
			-EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "element 'nosuch': key 'template': no element of this name") >= 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "batch,sink=batch", &errs),
			-EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "batch-form") >= 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "batch,route=batch", &errs), 0);
	CU_ASSERT_STRING_EQUAL(adn_exec_plan(x), "batch,route=batch");
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "scalar", &errs), 0);
	/* One instance runs the whole pipeline, the batch-form sink too. */
	adn_exec_describe(x, adn_pipeline_find(p, "sink"), what, sizeof(what));
	CU_ASSERT_STRING_EQUAL(what, "scalar");
	/* A rejected plan leaves the previous one in place. */
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "bogus", &errs), -EINVAL);
	CU_ASSERT_STRING_EQUAL(adn_exec_plan(x), "scalar");
	adn_errs_clear(&errs);
	adn_exec_free(x);
	adn_test_free(p);
}

int
main(void)
{
	const char *src = getenv("ADN_SOURCE_ROOT");
	CU_pSuite s;

	snprintf(routes_path, sizeof(routes_path), "%s/configs/nfmorph-routes.txt",
		 src ? src : ".");
	s = adn_test_suite("gen_source");
	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_gen_heavy_tailed_top1pct_share_is_10pct);
	CU_ADD_TEST(s, test_gen_skewed_top1pct_share_is_99pct);
	CU_ADD_TEST(s, test_gen_packets_valid_and_recycled);
	CU_ADD_TEST(s, test_gen_rejects_bad_keys);
	CU_ADD_TEST(s, test_scalar_and_batch_plans_count_alike);
	CU_ADD_TEST(s, test_plan_errors_name_what_is_wrong);
	return adn_test_main();
}
