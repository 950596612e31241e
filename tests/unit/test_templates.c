/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates against the scalar strawman: the test that keeps
 * optimizations honest. One trace — heavy and light flows, TCP/UDP/ICMP,
 * malformed frames — goes through CheckIPv4 -> LpmRoute -> FlowCounter ->
 * TcpChecksum under every template and a set of generated plans, with
 * routes added and removed at fixed points in the middle. Every plan must
 * give exactly what `scalar` gives: the same packets, bytes and order on
 * each output, the same per-element counters, the same FlowCounter state.
 *
 * Also: plan parsing, plan errors naming their config line, and the
 * fastpath cache's admission.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "adn_elem.h"
#include "adn_fastpath.h"
#include "adn_jit.h"
#include "adn_plan.h"
#include "adn_rand.h"
#include "adn_test.h"

#define N_PKTS 3000
static char routes_path[256];

/* Route changes and the packet index before which each applies. Chosen to
 * move traffic the trace carries: a /32 inside a heavy flow's /24, the
 * default route away (those packets go to output 0) and back elsewhere. */
static const struct {
	unsigned int at;
	const char *cmd;
} changes[] = {
	{ 700, "add 10.1.2.128/25 2" },
	{ 1200, "remove 0.0.0.0/0" },
	{ 1900, "remove 10.1.0.0/16" },
	{ 2400, "add 0.0.0.0/0 4" },
};

static void
write_routes(void)
{
	snprintf(routes_path, sizeof(routes_path), "/tmp/adn_tpl_routes_%d.txt",
		 (int)getpid());
	CU_ASSERT_EQUAL_FATAL(adn_test_trace_routes(routes_path), 0);
}

static struct adn_pipeline *
build(const char *tag, const char *table)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg),
		 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
		 "  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; table = \"%s\"; },\n"
		 "  { name = \"count\"; type = \"FlowCounter\"; size = 4096; },\n"
		 "  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		 "  { name = \"out\"; type = \"TestSink\"; },\n"
		 "  { name = \"noroute\"; type = \"TestSink\"; } );\n"
		 "links = ( \"src -> chk -> route\", \"route[0] -> noroute\",\n"
		 "  \"route[1] -> count\", \"route[2] -> count\",\n"
		 "  \"route[3] -> count\", \"route[4] -> count\",\n"
		 "  \"count -> csum -> out\" );\n", routes_path, table);
	return adn_test_build(tag, cfg, NULL);
}

/* The trace through `p` under `plan`, route changes at their points, each
 * batch at most the plan's batch size and never across a change. */
static void
run_trace(struct adn_pipeline *p, const char *plan_text)
{
	struct adn_errs errs = { 0 };
	struct adn_plan plan;
	struct adn_exec *x = adn_exec_create(p, 0);
	struct adn_elem *src = adn_pipeline_find(p, "src");
	struct adn_elem *route = adn_pipeline_find(p, "route");
	unsigned int i = 0, next_change = 0;
	uint16_t burst;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL_FATAL(adn_plan_parse(plan_text, &plan, &errs), 0);
	if (adn_exec_apply_plan(x, &plan, &errs) != 0) {
		adn_errs_print(&errs, stdout);
		CU_FAIL_FATAL("plan refused");
	}
	burst = (uint16_t)(plan.burst ? plan.burst : 32);
	while (i < N_PKTS) {
		unsigned int end = RTE_MIN((unsigned int)N_PKTS, i + burst);
		struct adn_batch *b = adn_exec_source_batch(x, src);

		if (next_change < RTE_DIM(changes) &&
		    i == changes[next_change].at) {
			char reply[256];

			CU_ASSERT_EQUAL(adn_elem_control(route,
				changes[next_change].cmd, reply,
				sizeof(reply)), 0);
			next_change++;
		}
		if (next_change < RTE_DIM(changes))
			end = RTE_MIN(end, changes[next_change].at);
		b->n = 0;
		for (; i < end; i++)
			b->pkts[b->n++] = adn_test_trace_pkt(i);
		adn_exec_run(x, src->index);
		CU_ASSERT_EQUAL(adn_exec_in_flight(x), 0);
	}
	adn_exec_free(x);
}

/* Everything observable of a run, against the reference. */
static void
expect_same(struct adn_pipeline *ref, struct adn_pipeline *p,
	    const char *plan)
{
	static const char *const sinks[] = { "out", "noroute" };
	unsigned int bad = 0;

	for (unsigned int s = 0; s < RTE_DIM(sinks); s++) {
		struct adn_test_sink *a = adn_test_sink(ref, sinks[s]);
		struct adn_test_sink *b = adn_test_sink(p, sinks[s]);

		CU_ASSERT_EQUAL(a->n, b->n);
		for (unsigned int i = 0; i < RTE_MIN(a->n, b->n); i++) {
			struct rte_mbuf *ma = a->pkts[i], *mb = b->pkts[i];

			bad += rte_pktmbuf_data_len(ma) !=
				rte_pktmbuf_data_len(mb) ||
				memcmp(rte_pktmbuf_mtod(ma, void *),
				       rte_pktmbuf_mtod(mb, void *),
				       rte_pktmbuf_data_len(ma)) != 0;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned int i = 0; i < adn_pipeline_n_elems(ref); i++) {
		const struct adn_elem *e_ref = adn_pipeline_elem(ref, i);
		const struct adn_elem *e_p = adn_pipeline_elem(p, i);
		struct adn_elem_totals ta, tb;

		adn_test_counters(e_ref, &ta);
		adn_test_counters(e_p, &tb);
		CU_ASSERT_STRING_EQUAL(e_ref->name, e_p->name);
		if (memcmp(&ta, &tb, sizeof(ta)) != 0) {
			printf("\n  plan '%s': element '%s' counters differ (in %" PRIu64 "/%" PRIu64 ", dropped %" PRIu64 "/%" PRIu64 ")",
			       plan, e_ref->name, ta.in, tb.in,
			       ta.dropped, tb.dropped);
			CU_FAIL("element counters differ from scalar");
		}
	}
	struct adn_elem *ca = adn_pipeline_find(ref, "count");
	struct adn_elem *cb = adn_pipeline_find(p, "count");
	struct adn_xstat xa[32], xb[32];
	unsigned int na = ca->desc->xstats(ca, xa, RTE_DIM(xa));
	unsigned int nb = cb->desc->xstats(cb, xb, RTE_DIM(xb));

	CU_ASSERT_EQUAL(na, nb);
	CU_ASSERT(na >= 2 && memcmp(xa, xb, sizeof(xa[0]) * na) == 0);
	if (bad)
		printf("\n  plan '%s': %u packets differ", plan, bad);
}

static struct adn_pipeline *reference;

static void
check_plan(const char *plan, const char *table)
{
	char tag[64];
	struct adn_pipeline *p;

	snprintf(tag, sizeof(tag), "tpl_%s", table);
	p = build(tag, table);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	run_trace(p, plan);
	expect_same(reference, p, plan);
	adn_test_sink_clear(adn_test_sink(p, "out"));
	adn_test_sink_clear(adn_test_sink(p, "noroute"));
	adn_test_free(p);
}

static void
test_reference_exercises_every_path(void)
{
	struct adn_elem_totals t;

	reference = build("tpl_ref", "radix");
	CU_ASSERT_PTR_NOT_NULL_FATAL(reference);
	run_trace(reference, "scalar");
	/* The trace is only a good judge if it reaches every exit. */
	adn_elem_totals(adn_pipeline_find(reference, "chk"), &t);
	CU_ASSERT(t.dropped > 50);
	adn_elem_totals(adn_pipeline_find(reference, "route"), &t);
	for (unsigned int o = 0; o <= 4; o++)
		CU_ASSERT(t.out[o] > 20);
	CU_ASSERT(adn_test_sink(reference, "out")->n > N_PKTS / 2);
}

static const char *const fixed_plans[] = {
	"batch", "prefetch", "group2", "group4", "group8",
	"route=fastpath16", "route=fastpath", "batch,route=fastpath4096",
	"fused1", "fused4", "fused8", "fused32", "jit4", "jit8",
	"batch=7,group4", "batch=1,prefetch", "batch=256,fused8",
	"group4,chk+route=fused2", "batch,route+count+csum=jit4",
	"fused8,route=fastpath64", "group8,route=fastpath32,count+csum=jit2",
	/* fastpath segments route+count inside chains */
	"jit8,route=fastpath64", "fused4,route=fastpath16",
	"batch=64,jit2,route=fastpath4096",
	"batch,route+count+csum=jit4,route=fastpath16",
	"batch,route+count=fused8,route=fastpath32",
	/* fastpath as the default: it must reach LpmRoute alone. Caching
	 * CheckIPv4's verdict per flow let bad packets of a good flow pass. */
	"fastpath64", "batch=64,fastpath16",
};

static void
test_every_template_matches_scalar(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(reference);
	for (unsigned int i = 0; i < RTE_DIM(fixed_plans); i++)
		check_plan(fixed_plans[i], "radix");
}

/* The table kind is a knob: DIR-24-8 must route exactly like the trie,
 * route changes included. */
static void
test_dir24_8_knob_matches_scalar(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(reference);
	check_plan("scalar", "dir24_8");
	check_plan("group8,route=fastpath64", "dir24_8");
	check_plan("jit8", "dir24_8");
	check_plan("jit8,route=fastpath64", "dir24_8");
}

/* Random plans: default template, per-element templates, chains, batch
 * sizes, drawn from a seed (printed on failure by expect_same). */
static void
test_generated_plans_match_scalar(void)
{
	static const char *const elem_tpls[] = {
		"batch", "prefetch", "group2", "group4", "group8",
	};
	static const char *const chain_tpls[] = { "fused", "jit" };
	struct adn_rand r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(reference);
	adn_rand_seed(&r, 42);
	for (unsigned int k = 0; k < 10; k++) {
		char plan[ADN_PLAN_MAX];
		size_t off = 0;

		if (adn_rand_below(&r, 2))
			off += snprintf(plan + off, sizeof(plan) - off, "%s",
					elem_tpls[adn_rand_below(&r, 5)]);
		else
			off += snprintf(plan + off, sizeof(plan) - off,
					"%s%u", chain_tpls[adn_rand_below(&r, 2)],
					1u << adn_rand_below(&r, 6));
		off += snprintf(plan + off, sizeof(plan) - off, ",batch=%u",
				1 + (unsigned int)adn_rand_below(&r, 64));
		if (adn_rand_below(&r, 2))
			off += snprintf(plan + off, sizeof(plan) - off,
					",route=fastpath%u",
					16u << adn_rand_below(&r, 6));
		else if (adn_rand_below(&r, 2))
			off += snprintf(plan + off, sizeof(plan) - off,
					",route=%s",
					elem_tpls[adn_rand_below(&r, 5)]);
		if (adn_rand_below(&r, 2))
			snprintf(plan + off, sizeof(plan) - off,
				 ",count+csum=%s%u",
				 chain_tpls[adn_rand_below(&r, 2)],
				 1u << adn_rand_below(&r, 4));
		printf("\n  generated plan: %s", plan);
		check_plan(plan, adn_rand_below(&r, 2) ? "radix" : "dir24_8");
	}
}

/* A fastpath cache that served stale results after a route change would
 * differ from scalar above; here, check it really served hits, alone and
 * as a segment over route+count inside a chain. */
static void
test_fastpath_serves_heavy_flows(void)
{
	static const struct {
		const char *plan, *what;
	} cases[] = {
		{ "route=fastpath256", "fastpath256" },
		{ "jit8,route=fastpath256", "jit8 (chain of 4 from 'chk', position 1, fastpath256 over route+count: compiled)" },
		{ "fused4,route=fastpath256", "fused4 (chain of 4 from 'chk', position 1, fastpath256 over route+count)" },
	};
	struct adn_pipeline *p = build("tpl_fp", "radix");
	struct adn_errs errs = { 0 };
	struct adn_xstat st[8];
	const char *tpl;
	char what[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int c = 0; c < RTE_DIM(cases); c++) {
		struct adn_exec *x = adn_exec_create(p, 0);

		CU_ASSERT_EQUAL_FATAL(adn_exec_set_plan(x, cases[c].plan,
							&errs), 0);
		adn_exec_describe(x, adn_pipeline_find(p, "route"), what,
				  sizeof(what));
		printf("\n  %s", what);
		CU_ASSERT_STRING_EQUAL(what, cases[c].what);
		for (unsigned int i = 0; i < N_PKTS; i += 32) {
			struct adn_batch *b = adn_exec_source_batch(x,
				adn_pipeline_find(p, "src"));

			b->n = 0;
			for (unsigned int k = i;
			     k < RTE_MIN((unsigned int)N_PKTS, i + 32); k++)
				b->pkts[b->n++] = adn_test_trace_pkt(k);
			adn_exec_run(x, adn_pipeline_find(p, "src")->index);
		}
		CU_ASSERT_EQUAL(adn_exec_tpl_stats(x,
			adn_pipeline_find(p, "route"), &tpl, st, 8), 4);
		CU_ASSERT_STRING_EQUAL(st[0].name, "hits");
		CU_ASSERT_STRING_EQUAL(st[1].name, "misses");
		/* Half the valid packets are heavy: most of them must hit. */
		CU_ASSERT(st[0].value > N_PKTS / 4);
		CU_ASSERT(st[0].value + st[1].value > N_PKTS * 8 / 10);
		CU_ASSERT_EQUAL(adn_exec_tpl_stats(x,
			adn_pipeline_find(p, "count"), &tpl, st, 8), 0);
		CU_ASSERT_EQUAL(adn_exec_tpl_stats(x,
			adn_pipeline_find(p, "chk"), &tpl, st, 8), 0);
		adn_exec_free(x);
		adn_test_sink_clear(adn_test_sink(p, "out"));
		adn_test_sink_clear(adn_test_sink(p, "noroute"));
	}
	adn_test_free(p);
}

static void
fastpath_flow(struct adn_fastpath_key *k, uint32_t i)
{
	k->ips = i + 1;
	k->ports = (i + 1) | ADN_FASTPATH_IN_USE;
	k->hash = i * 0x9e3779b9u;
	k->valid = 1;
}

/* Admission into a full set (one set of ADN_FASTPATH_WAYS here): a tail
 * of one-packet flows, each weighed when the tracer samples it, leaves
 * ways a few hits warm in place; a flow that keeps missing gets in. */
static void
test_fastpath_admits_heavy_not_tail_flows(void)
{
	struct adn_fastpath *fp = adn_fastpath_create(ADN_FASTPATH_WAYS);
	const struct adn_fastpath_val v = { .out = { 1 } };
	struct adn_fastpath_key k;
	unsigned int i, r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (i = 0; i < ADN_FASTPATH_WAYS; i++) {
		fastpath_flow(&k, i);
		CU_ASSERT_PTR_NULL(adn_fastpath_lookup(fp, &k));
		adn_fastpath_learn(fp, &k, &v);
		for (r = 0; r < 3; r++)
			CU_ASSERT_PTR_NOT_NULL(adn_fastpath_lookup(fp, &k));
	}
	for (i = 100; i < 164; i++) {
		fastpath_flow(&k, i);
		CU_ASSERT_PTR_NULL(adn_fastpath_lookup(fp, &k));
		adn_fastpath_learn(fp, &k, &v);
	}
	CU_ASSERT_EQUAL(fp->st.admitted, ADN_FASTPATH_WAYS);
	fastpath_flow(&k, 1000);
	for (r = 0; r < 4 * ADN_FASTPATH_SAMPLE &&
	     adn_fastpath_lookup(fp, &k) == NULL; r++)
		adn_fastpath_learn(fp, &k, &v);
	CU_ASSERT_PTR_NOT_NULL(adn_fastpath_lookup(fp, &k));
	CU_ASSERT_EQUAL(fp->st.admitted, ADN_FASTPATH_WAYS + 1);
	adn_fastpath_free(fp);
}

/* One fastpath segment per chain: a second fastpath in it is refused. */
static void
test_two_fastpaths_in_a_chain_refused(void)
{
	char cfg[1024];
	struct adn_pipeline *p;
	struct adn_errs errs = { 0 };
	struct adn_exec *x;

	snprintf(cfg, sizeof(cfg),
		 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"r1\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"r2\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"out\"; type = \"TestSink\"; } );\n"
		 "links = ( \"src -> r1\", \"r1[0] -> r2\", \"r1[1] -> r2\",\n"
		 "  \"r1[2] -> r2\", \"r1[3] -> r2\", \"r1[4] -> r2\",\n"
		 "  \"r2[0] -> out\", \"r2[1] -> out\", \"r2[2] -> out\",\n"
		 "  \"r2[3] -> out\", \"r2[4] -> out\" );\n",
		 routes_path, routes_path);
	p = adn_test_build("tpl_fp2", cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "fused8,r1=fastpath16,r2=fastpath16", &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "element 'r2': key 'template': the chain from 'r1' already has a fastpath at 'r1': one per chain") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	/* One of them is fine: its segment is r1+r2, both pure. */
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "fused8,r1=fastpath16", &errs), 0);
	char what[256];

	adn_exec_describe(x, adn_pipeline_find(p, "r2"), what, sizeof(what));
	CU_ASSERT_STRING_EQUAL(what, "fused8 (chain of 2 from 'r1', position 1, fastpath16 over r1+r2)");
	adn_exec_free(x);
	adn_test_free(p);
}

/* Without a compiler jit falls back to the fused loop, says why, and
 * still computes what scalar does. */
static void
test_jit_falls_back_to_fused(void)
{
	struct adn_pipeline *p = build("tpl_nocc", "radix");
	struct adn_errs errs = { 0 };
	struct adn_exec *x;
	char what[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reference);
	char dir[64], cmd[96];

	/* A failed build keeps its source and log: keep them out of /tmp. */
	snprintf(dir, sizeof(dir), "/tmp/adn-jit-test-%d", (int)getpid());
	setenv("ADN_JIT_DIR", dir, 1);
	setenv("ADN_JIT_CC", "adn-no-such-cc", 1);
	/* Chains compiled by earlier cases are kept: start without them. */
	adn_jit_cache_drop();
	x = adn_exec_create(p, 0);
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "jit4", &errs), 0);
	adn_exec_describe(x, adn_pipeline_find(p, "count"), what,
			  sizeof(what));
	CU_ASSERT_PTR_NOT_NULL(strstr(what, "jit4 (chain of 4 from 'chk', position 2: no C compiler: 'adn-no-such-cc' not found"));
	printf("\n  %s", what);
	adn_exec_free(x);
	adn_test_free(p);
	check_plan("jit2", "radix");
	unsetenv("ADN_JIT_CC");
	unsetenv("ADN_JIT_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void
test_plan_strings(void)
{
	struct adn_errs errs = { 0 };
	struct adn_plan p;

	CU_ASSERT_EQUAL(adn_plan_parse("group<4>,batch=64,route=fastpath256,count.size=65536,a+b+c=jit2", &p, &errs), 0);
	CU_ASSERT_EQUAL(p.def.param, 4);
	CU_ASSERT_EQUAL(p.burst, 64);
	CU_ASSERT_EQUAL(p.n_items, 1);
	CU_ASSERT_EQUAL(p.items[0].c.param, 256);
	CU_ASSERT_EQUAL(p.n_knobs, 1);
	CU_ASSERT_STRING_EQUAL(p.knobs[0].key, "size");
	CU_ASSERT_EQUAL(p.n_chains, 1);
	CU_ASSERT_EQUAL(p.chains[0].n, 3);
	CU_ASSERT_EQUAL(p.chains[0].c.param, 2);
	CU_ASSERT_EQUAL(errs.n, 0);
	/* Each bad part is reported, all in one pass. */
	CU_ASSERT_EQUAL(adn_plan_parse("warp,group3,batch=0,x=fastpath100,y=scalar,a+b=group4",
				       &p, &errs), -EINVAL);
	CU_ASSERT_EQUAL(errs.n, 6);
	CU_ASSERT(adn_errs_find(&errs, "key 'batch': '0': must be 1..256") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "'warp': unknown template") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "two default templates") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "'fastpath100': parameter out of range") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "this template runs the whole pipeline, not one element") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "a chain runs under a chain template") >= 0);
	adn_errs_clear(&errs);
	/* A number too large for any type is out of range, not "not a
	 * number". */
	CU_ASSERT_EQUAL(adn_plan_parse("fastpath99999999999999999999,x=group<99999999999999999999>",
				       &p, &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "'fastpath99999999999999999999': parameter out of range") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "'group<99999999999999999999>': parameter out of range") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "not a number") < 0);
	adn_errs_clear(&errs);
}

/* Element sources compile together into one jit unit (no clashing names),
 * and the compiled chain of every simple element type computes what
 * scalar does. */
static void
test_jit_compiles_element_types(void)
{
	static const char cfg[] =
		"elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
		"  { name = \"ttl\"; type = \"DecTTL\"; },\n"
		"  { name = \"swap\"; type = \"EtherSwap\"; },\n"
		"  { name = \"cnt\"; type = \"Counter\"; },\n"
		"  { name = \"fc\"; type = \"FlowCounter\"; size = 1024; },\n"
		"  { name = \"csum\"; type = \"TcpChecksum\"; udp = true; },\n"
		"  { name = \"out\"; type = \"TestSink\"; } );\n"
		"links = ( \"src -> chk -> ttl -> swap -> cnt -> fc -> csum -> out\" );\n";
	const char *plans[] = { "scalar", "jit4" };
	struct adn_pipeline *p[2];
	struct adn_errs errs = { 0 };

	for (unsigned int k = 0; k < 2; k++) {
		struct adn_exec *x;
		struct adn_elem *src;
		char what[256];

		p[k] = adn_test_build(k ? "tpl_types_jit" : "tpl_types", cfg,
				      NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[k]);
		x = adn_exec_create(p[k], 0);
		CU_ASSERT_EQUAL_FATAL(adn_exec_set_plan(x, plans[k], &errs), 0);
		adn_exec_describe(x, adn_pipeline_find(p[k], "csum"), what,
				  sizeof(what));
		if (k == 1) {
			printf("\n  %s", what);
			CU_ASSERT_PTR_NOT_NULL(strstr(what, "chain of 6 from 'chk', position 5: compiled"));
		}
		src = adn_pipeline_find(p[k], "src");
		/* A third of the trace: the reference holds the rest of the
		 * pool. */
		for (unsigned int i = 0; i < N_PKTS / 3; i += 32) {
			struct adn_batch *b = adn_exec_source_batch(x, src);

			b->n = 0;
			for (unsigned int j = i;
			     j < RTE_MIN((unsigned int)N_PKTS / 3, i + 32); j++)
				b->pkts[b->n++] = adn_test_trace_pkt(j);
			adn_exec_run(x, src->index);
		}
		adn_exec_free(x);
	}
	struct adn_test_sink *a = adn_test_sink(p[0], "out");
	struct adn_test_sink *b = adn_test_sink(p[1], "out");
	unsigned int bad = 0;

	CU_ASSERT(a->n > N_PKTS / 6);
	CU_ASSERT_EQUAL_FATAL(a->n, b->n);
	for (unsigned int i = 0; i < a->n; i++)
		bad += rte_pktmbuf_data_len(a->pkts[i]) !=
			rte_pktmbuf_data_len(b->pkts[i]) ||
			memcmp(rte_pktmbuf_mtod(a->pkts[i], void *),
			       rte_pktmbuf_mtod(b->pkts[i], void *),
			       rte_pktmbuf_data_len(a->pkts[i])) != 0;
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned int i = 0; i < adn_pipeline_n_elems(p[0]); i++) {
		struct adn_elem_totals ta, tb;

		adn_test_counters(adn_pipeline_elem(p[0], i), &ta);
		adn_test_counters(adn_pipeline_elem(p[1], i), &tb);
		CU_ASSERT(memcmp(&ta, &tb, sizeof(ta)) == 0);
	}
	for (unsigned int k = 0; k < 2; k++) {
		adn_test_sink_clear(adn_test_sink(p[k], "out"));
		adn_test_free(p[k]);
	}
}

/* Chains the pipeline cannot run are refused, each with its reason, and
 * the executor keeps its plan. */
static void
test_bad_chains_refused(void)
{
	static const struct {
		const char *plan, *why;
	} bad[] = {
		{ "route=group4,route+count=fused4", "element 'route': key 'fuse': has a template of its own" },
		{ "chk+route=fused,route+count=jit", "element 'route': key 'fuse': already in another chain" },
		{ "src+chk=fused", "element 'src': key 'fuse': TestSource is a source" },
		{ "csum+out=fused", "element 'out': key 'fuse': TestSink is batch-form" },
		{ "chk+count=fused", "element 'count': key 'fuse': 'chk' does not feed it alone" },
		{ "chk+nope=fused", "element 'nope': key 'fuse': no element of this name" },
		{ "group4,out=prefetch", "element 'out': key 'template': TestSink is batch-form" },
	};
	struct adn_pipeline *p = build("tpl_badchain", "radix");
	struct adn_errs errs = { 0 };
	struct adn_exec *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	CU_ASSERT_EQUAL_FATAL(adn_exec_set_plan(x, "group2", &errs), 0);
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		CU_ASSERT_EQUAL(adn_exec_set_plan(x, bad[i].plan, &errs),
				-EINVAL);
		if (adn_errs_find(&errs, bad[i].why) < 0) {
			adn_errs_print(&errs, stdout);
			CU_FAIL("missing reason");
		}
		adn_errs_clear(&errs);
	}
	CU_ASSERT_STRING_EQUAL(adn_exec_plan(x), "group2");
	adn_exec_free(x);
	adn_test_free(p);
}

/* Plan errors in a config name the line of the offending entry. */
static void
test_plan_config_errors_name_lines(void)
{
	static const char text[] =
		"plan = {\n"					/* 1 */
		"  template = \"group4\";\n"			/* 2 */
		"  elements = {\n"				/* 3 */
		"    chk = { template = \"fastpath\"; };\n"	/* 4 */
		"    route = { template = \"warp9\"; table = \"hash\"; };\n" /* 5 */
		"    count = { size = 65536; seed = 3; };\n"	/* 6 */
		"  };\n"
		"  fuse = ( \"route -> csum\" );\n"		/* 8 */
		"  colour = 1;\n"				/* 9 */
		"};\n";
	struct adn_errs errs = { 0 };
	struct adn_plan plan;
	struct adn_pipeline *p;
	struct adn_exec *x;
	config_t cfg;
	char needle[128];

	config_init(&cfg);
	CU_ASSERT_EQUAL_FATAL(config_read_string(&cfg, text), CONFIG_TRUE);
	CU_ASSERT_EQUAL(adn_plan_from_config(&cfg, &plan, &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, ":5: element 'route': key 'template': 'warp9': unknown template") >= 0);
	CU_ASSERT(adn_errs_find(&errs, ":9: key 'colour': unknown plan key") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);

	/* Knobs are checked against the element's declared domain. */
	config_setting_t *els = config_setting_add(config_root_setting(&cfg),
						   "elements",
						   CONFIG_TYPE_LIST);
	const char *const types[][2] = {
		{ "chk", "CheckIPv4" }, { "route", "LpmRoute" },
		{ "count", "FlowCounter" },
	};

	for (unsigned int i = 0; i < RTE_DIM(types); i++) {
		config_setting_t *g = config_setting_add(els, NULL,
							 CONFIG_TYPE_GROUP);

		config_setting_set_string(config_setting_add(g, "name",
			CONFIG_TYPE_STRING), types[i][0]);
		config_setting_set_string(config_setting_add(g, "type",
			CONFIG_TYPE_STRING), types[i][1]);
	}
	CU_ASSERT_EQUAL(adn_plan_check_knobs(&plan, &cfg, &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, ":5: element 'route': key 'table': 'hash': not one of the key's choices (knobs of LpmRoute: table (radix|dir24_8))") >= 0);
	CU_ASSERT(adn_errs_find(&errs, ":6: element 'count': key 'seed': not a knob of FlowCounter (knobs: size (16..268435456))") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	CU_ASSERT_EQUAL(adn_plan_parse("count.size=99999999999999999999",
				       &plan, &errs), 0);
	CU_ASSERT_EQUAL(adn_plan_check_knobs(&plan, &cfg, &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "key 'size': '99999999999999999999': out of the key's range") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	CU_ASSERT_EQUAL(adn_plan_from_config(&cfg, &plan, &errs), -EINVAL);
	adn_errs_clear(&errs);

	/* Template and chain errors need the pipeline: fastpath on an
	 * element that is not PURE_ON_FLOW, a chain that skips a link. */
	p = build("tpl_cfgerr", "radix");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	plan.n_knobs = 0;
	plan.items[1].c = plan.items[0].c;	/* route: a valid template */
	CU_ASSERT_EQUAL(adn_exec_apply_plan(x, &plan, &errs), -EINVAL);
	snprintf(needle, sizeof(needle), ":4: element 'chk': key 'template': fastpath needs an element that is PURE_ON_FLOW; CheckIPv4 is not");
	CU_ASSERT(adn_errs_find(&errs, needle) >= 0);
	CU_ASSERT(adn_errs_find(&errs, ":8: element 'csum': key 'fuse': 'route' does not feed it alone") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_exec_free(x);
	adn_test_free(p);
	config_destroy(&cfg);
}

static void
test_cleanup(void)
{
	adn_test_sink_clear(adn_test_sink(reference, "out"));
	adn_test_sink_clear(adn_test_sink(reference, "noroute"));
	adn_test_free(reference);
	reference = NULL;
	unlink(routes_path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("templates");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, write_routes);
	CU_ADD_TEST(s, test_plan_strings);
	CU_ADD_TEST(s, test_plan_config_errors_name_lines);
	CU_ADD_TEST(s, test_bad_chains_refused);
	CU_ADD_TEST(s, test_reference_exercises_every_path);
	CU_ADD_TEST(s, test_every_template_matches_scalar);
	CU_ADD_TEST(s, test_dir24_8_knob_matches_scalar);
	CU_ADD_TEST(s, test_generated_plans_match_scalar);
	CU_ADD_TEST(s, test_fastpath_serves_heavy_flows);
	CU_ADD_TEST(s, test_fastpath_admits_heavy_not_tail_flows);
	CU_ADD_TEST(s, test_two_fastpaths_in_a_chain_refused);
	CU_ADD_TEST(s, test_jit_compiles_element_types);
	CU_ADD_TEST(s, test_jit_falls_back_to_fused);
	CU_ADD_TEST(s, test_cleanup);
	return adn_test_main();
}
