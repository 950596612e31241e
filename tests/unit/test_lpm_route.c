/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LpmRoute and its mechanisms (lib/util adn_radix, adn_route): both table
 * kinds agree with a linear scan over the route file; route-file errors
 * name the line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "adn_elem.h"
#include "adn_radix.h"
#include "adn_rand.h"
#include "adn_route.h"
#include "adn_test.h"

#define N_LOOKUPS 100000
#define N_HOPS 4

static char routes_path[128];
static struct adn_route_table routes;

/* A table with every prefix length 8..32, nested prefixes (so the longest
 * match matters) and no default route (so misses happen). */
static void
write_routes(void)
{
	uint32_t pre[1501];
	uint8_t len[1501];
	unsigned int n = 0, seen_len[33] = { 0 };
	struct adn_rand r;
	char err[256];
	FILE *f;

	snprintf(routes_path, sizeof(routes_path), "/tmp/adn-test-%d-routes.txt",
		 (int)getpid());
	f = fopen(routes_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	adn_rand_seed(&r, 42);
	fprintf(f, "# test table\n\n10.0.0.0/8 1\n");
	pre[n] = 10u << 24;
	len[n++] = 8;
	while (n < RTE_DIM(pre)) {
		/* /8../32: short ones would cover the whole space. */
		unsigned int l = 8 + (unsigned int)adn_rand_below(&r, 25);
		uint32_t a = (uint32_t)adn_rand_u64(&r);
		bool dup = false;

		/* Half nest under 10.0.0.0/8 so long and short overlap. */
		if (n % 2) {
			a = (10u << 24) | (a & 0xffffff);
			l = RTE_MAX(l, 9u);
		}
		a &= adn_route_mask(l);
		for (unsigned int k = 0; k < n && !dup; k++)
			dup = pre[k] == a && len[k] == l;
		if (dup)
			continue;
		pre[n] = a;
		len[n++] = (uint8_t)l;
		fprintf(f, "%u.%u.%u.%u/%u %u  # r%u\n", a >> 24,
			(a >> 16) & 255, (a >> 8) & 255, a & 255, l,
			1 + (unsigned int)adn_rand_below(&r, N_HOPS), n);
	}
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(adn_route_file_read(routes_path, 1, 15, &routes,
						  err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(routes.n, RTE_DIM(pre));
	for (unsigned int i = 0; i < routes.n; i++)
		seen_len[routes.r[i].len]++;
	CU_ASSERT(seen_len[32] > 0 && seen_len[25] > 0 && seen_len[8] > 0);
}

/* src -> LpmRoute "x" -> out, every output (miss and each hop) to out. */
static struct adn_pipeline *
lpm_pipeline(const char *tag, const char *table)
{
	char keys[256];

	snprintf(keys, sizeof(keys), "routes = \"%s\"; table = \"%s\";",
		 routes_path, table);
	return adn_test_chain_outputs(tag, "LpmRoute", keys, N_HOPS + 1, NULL);
}

/* Lookup addresses: half uniformly random, half inside a table prefix. */
static uint32_t
pick_addr(struct adn_rand *r)
{
	uint32_t a = (uint32_t)adn_rand_u64(r);

	if (adn_rand_below(r, 2)) {
		const struct adn_route *rt = &routes.r[adn_rand_below(r, routes.n)];

		a = rt->prefix | (a & ~adn_route_mask(rt->len));
	}
	return a;
}

static void
check_against_scan(const char *table)
{
	struct adn_pipeline *p = lpm_pipeline(table, table);
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 64);
	struct adn_elem *e;
	struct adn_rand r;
	unsigned int mismatches = 0, hits = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	e = adn_pipeline_find(p, "x");
	CU_ASSERT_EQUAL(e->n_outputs, N_HOPS + 1);
	adn_rand_seed(&r, 7);
	for (unsigned int i = 0; i < N_LOOKUPS; i++) {
		uint32_t a = pick_addr(&r), want = adn_route_table_scan(&routes, a);
		struct rte_ipv4_hdr *ip = adn_test_ipv4_hdr(m);
		union adn_pkt_ctx ctx;
		int o;

		ip->dst_addr = rte_cpu_to_be_32(a);
		CU_ASSERT_PTR_NOT_NULL(e->desc->prep(e, m, &ctx));
		o = e->desc->exec(e, m, &ctx);
		if (want == UINT32_MAX)
			want = 0;
		else
			hits++;
		mismatches += (uint32_t)o != want;
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	/* Both sides of the comparison were exercised. */
	CU_ASSERT(hits > N_LOOKUPS / 4 && hits < N_LOOKUPS);
	rte_pktmbuf_free(m);
	adn_test_free(p);
}

static void
test_lpm_radix_matches_linear_scan(void)
{
	check_against_scan("radix");
}

static void
test_lpm_dir24_8_matches_linear_scan(void)
{
	check_against_scan("dir24_8");
}

static void
test_radix_lib_matches_linear_scan(void)
{
	struct adn_radix t;
	struct adn_rand r;
	unsigned int bad = 0;

	CU_ASSERT_EQUAL_FATAL(adn_radix_init(&t), 0);
	for (unsigned int i = 0; i < routes.n; i++)
		CU_ASSERT_EQUAL(adn_radix_add(&t, routes.r[i].prefix,
					      routes.r[i].len,
					      routes.r[i].hop), 0);
	CU_ASSERT_EQUAL(t.n_prefixes, routes.n);
	CU_ASSERT_EQUAL(adn_radix_add(&t, 0, 33, 1), -EINVAL);
	adn_rand_seed(&r, 9);
	for (unsigned int i = 0; i < N_LOOKUPS; i++) {
		uint32_t a = pick_addr(&r);
		uint32_t got = adn_radix_lookup(&t, a);

		bad += got != adn_route_table_scan(&routes, a);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* A default route turns a miss into hop 9. */
	uint32_t miss = 0xdf000001;

	while (adn_route_table_scan(&routes, miss) != UINT32_MAX)
		miss += 0x01000000;
	CU_ASSERT_EQUAL(adn_radix_lookup(&t, miss), ADN_RADIX_NO_HOP);
	CU_ASSERT_EQUAL(adn_radix_add(&t, 0, 0, 9), 0);
	CU_ASSERT_EQUAL(adn_radix_lookup(&t, miss), 9);
	adn_radix_free(&t);
}

static void
test_lpm_drops_non_ipv4(void)
{
	struct adn_pipeline *p = lpm_pipeline("nonip", "radix");
	struct rte_mbuf *m[2];
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 64);
	m[1] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 64);
	rte_pktmbuf_mtod(m[1], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	adn_test_run(p, "src", m, 2);
	adn_elem_totals(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.drop[0], 1);
	CU_ASSERT_STRING_EQUAL(adn_elem_drop_name(adn_pipeline_find(p, "x"), 0),
			       "not-ipv4");
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 1);
	adn_test_free(p);
}

/* Each bad line, alone in a file after two good ones, is reported with
 * its line number and what is wrong; the element error names the key. */
static void
test_route_file_errors_name_the_line(void)
{
	static const struct {
		const char *line;
		const char *want;
	} cases[] = {
		{ "1.2.3.0/24", "expected" },
		{ "1.2.3.0 1", "has no /len" },
		{ "1.2.300.0/24 1", "bad IPv4 address" },
		{ "1.2.3.0/33 1", "bad prefix length" },
		{ "1.2.3.1/24 1", "host bits set" },
		{ "1.2.3.0/24 16", "bad next hop" },
		{ "1.2.3.0/24 x", "bad next hop" },
		{ "9.0.0.0/8 2", "duplicate prefix (first at line 1)" },
	};
	char path[128], err[512], cfg[512], want[160];

	snprintf(path, sizeof(path), "/tmp/adn-test-%d-bad.txt", (int)getpid());
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		FILE *f = fopen(path, "w");
		struct adn_route_table t;
		struct adn_errs errs = { 0 };
		struct adn_pipeline *p;

		fprintf(f, "9.0.0.0/8 1\n# comment\n%s\n", cases[i].line);
		fclose(f);
		CU_ASSERT_EQUAL(adn_route_file_read(path, 1, 15, &t, err,
						    sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s:3: ", path);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].want));
		if (strstr(err, cases[i].want) == NULL)
			printf("case %u: got '%s'\n", i, err);

		snprintf(cfg, sizeof(cfg),
			 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
			 "  { name = \"x\"; type = \"LpmRoute\"; routes = \"%s\"; } );\n"
			 "links = ( \"src -> x\" );\n", path);
		p = adn_test_build("badroutes", cfg, &errs);
		CU_ASSERT_PTR_NULL(p);
		CU_ASSERT(adn_errs_find(&errs, want) >= 0);
		CU_ASSERT(adn_errs_find(&errs, "'routes'") >= 0 ||
			  adn_errs_find(&errs, "routes") >= 0);
		adn_errs_clear(&errs);
	}
	unlink(path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("lpm_route");
	int rc;

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, write_routes);
	CU_ADD_TEST(s, test_radix_lib_matches_linear_scan);
	CU_ADD_TEST(s, test_lpm_radix_matches_linear_scan);
	CU_ADD_TEST(s, test_lpm_dir24_8_matches_linear_scan);
	CU_ADD_TEST(s, test_lpm_drops_non_ipv4);
	CU_ADD_TEST(s, test_route_file_errors_name_the_line);
	rc = adn_test_main();
	adn_route_table_free(&routes);
	unlink(routes_path);
	return rc;
}
