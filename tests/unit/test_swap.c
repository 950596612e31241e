/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live versions under load. First a real runtime (three lcores on the
 * machine's two CPUs, two workers, one of them idle: the source has one
 * queue) pushes GenSource
 * traffic through CheckIPv4 -> LpmRoute -> FlowCounter -> TcpChecksum while
 * the main lcore makes a new plan live every millisecond, cycling through
 * every template, fused and jit chains (compiled once, then from the
 * cache), fastpath segments, LpmRoute's table
 * radix <-> dir24_8 and FlowCounter sizes (migrated), with route changes
 * through control in between. Afterwards every packet is accounted for,
 * overall and per retired version, FlowCounter's total equals the packets
 * it passed in every version, no mbuf is left out of the pool, and a plan
 * or reload that fails leaves the live version as it was.
 *
 * Then the equivalence under swaps: the shared trace (heavy and light
 * flows, malformed frames) through the same chain, fed through rings to
 * one and to two workers, once under `scalar` with no swap and once with a
 * new plan every millisecond; every output must take the same multiset of
 * packets, every element the same counters, FlowCounter the same total,
 * and the test pool must get every mbuf back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "adn_elem.h"
#include "adn_jit.h"
#include "adn_runtime.h"
#include "adn_test.h"

static struct adn_runtime *rt;

/* --- Hold: keeps its worker inside a batch while `hold` is set -------- */

static uint32_t hold, holding;

static void
hold_process(struct adn_elem *e, struct adn_batch *b)
{
	while (__atomic_load_n(&hold, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&holding, 1, __ATOMIC_RELEASE);
		rte_pause();
	}
	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = 0;
}

static const struct adn_elem_desc hold_desc = {
	.name = "Hold",
	.n_outputs = 1,
	.process = hold_process,
};
ADN_ELEM_REGISTER(hold_desc);
static char cfg_path[128], bad_path[128], routes_path[128];

static const char *const plans[] = {
	"batch", "scalar", "prefetch,count.size=4096", "group4",
	"jit8,route=fastpath64", "fused4,route.table=dir24_8",
	"group8,route=fastpath1024,count+csum=jit2,count.size=16384",
	"jit16,route.table=dir24_8,count.size=65536",
	"batch=7,fused8,route=fastpath16", "batch,route+count+csum=jit4",
};

/* Write `cfg` to cfg_path, and load, build and start it in rt. */
static void
start_runtime(const char *cfg)
{
	struct adn_errs errs = { 0 };

	adn_test_write_file(cfg_path, cfg);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(cfg_path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_start(rt, &errs), 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
}

/* GenSource -> CheckIPv4 -> LpmRoute -> FlowCounter -> LAST_TYPE (named
 * LAST) -> Recycle, two workers, `top` before the elements. */
static void
gen_config(char *cfg, size_t len, const char *top, const char *last_type,
	   const char *last)
{
	snprintf(cfg, len,
		 "workers = 2;\n%s"
		 "elements = (\n"
		 "  { name = \"gen\"; type = \"GenSource\"; flows = 5000;\n"
		 "    seq = 8192; pool = 4095; routes = \"%s\"; },\n"
		 "  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
		 "  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"count\"; type = \"FlowCounter\"; size = 1024; },\n"
		 "  { name = \"%s\"; type = \"%s\"; },\n"
		 "  { name = \"miss\"; type = \"Recycle\"; },\n"
		 "  { name = \"sink\"; type = \"Recycle\"; } );\n"
		 "links = ( \"gen -> chk -> route\", \"route[0] -> miss\",\n"
		 "  \"route[1] -> count\", \"route[2] -> count\",\n"
		 "  \"route[3] -> count\", \"count -> %s -> sink\" );\n",
		 top, routes_path, routes_path, last, last_type, last);
}

static void
test_start(void)
{
	char cfg[2048];

	snprintf(routes_path, sizeof(routes_path), "/tmp/adn-swap-%d-routes",
		 (int)getpid());
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/adn-swap-%d.cfg",
		 (int)getpid());
	snprintf(bad_path, sizeof(bad_path), "/tmp/adn-swap-%d-bad.cfg",
		 (int)getpid());
	adn_test_write_file(routes_path, "0.0.0.0/0 1\n10.0.0.0/8 2\n10.1.0.0/16 3\n"
		   "192.168.0.0/16 2\n172.16.0.0/12 3\n");
	gen_config(cfg, sizeof(cfg), "", "TcpChecksum", "csum");
	start_runtime(cfg);
}

static uint64_t
received(void)
{
	struct adn_totals t;

	adn_runtime_totals(rt, &t);
	return t.received;
}

/* Swap every millisecond, cycling the plans, with route changes. */
static void
test_swaps_under_load(void)
{
	struct adn_swap_stats st;
	struct adn_jit_stats js;
	uint64_t before = received(), deadline;
	unsigned int k = 0;
	char reply[128];

	/* The first use of each jit chain compiles it (seconds on a busy
	 * machine); every later swap to it is a cache hit. */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * 100;
	while (k < 60 && rte_get_timer_cycles() < deadline) {
		struct adn_errs errs = { 0 };

		if (adn_runtime_set_plan(rt, plans[k % RTE_DIM(plans)],
					 &errs) != 0) {
			adn_errs_print(&errs, stdout);
			CU_FAIL("a plan was refused");
		}
		adn_errs_clear(&errs);
		if (k % 7 == 3)
			CU_ASSERT_EQUAL(adn_runtime_control(rt, "route",
				k % 2 ? "add 10.1.2.0/24 2" :
				"remove 10.1.2.0/24", reply, sizeof(reply)),
				0);
		adn_runtime_reclaim(rt);
		usleep(1000);
		k++;
	}
	adn_jit_stats_get(&js);
	adn_runtime_swap_stats(rt, &st);
	printf("\n  jit: %" PRIu64 " compiles, %" PRIu64 " cache hits",
	       js.compiles, js.cache_hits);
	/* Six cycles of four jit plans: each chain compiled once. */
	CU_ASSERT(js.compiles <= 8);
	CU_ASSERT(js.cache_hits >= 20);
	printf("\n  %u swaps requested, %" PRIu64 " published, %" PRIu64 " retired, %" PRIu64 " migrations, last %.2f ms",
	       k, st.swaps, st.retired, st.state_migrations,
	       st.last_publish_ms);
	CU_ASSERT(k >= 50);
	CU_ASSERT_EQUAL(st.swaps, k);
	CU_ASSERT(st.state_migrations > 0);
	CU_ASSERT(received() > before);
	/* Worker 1 polls nothing (the source has one queue): an idle
	 * worker holds up no grace period, and every version but the live
	 * one goes. */
	adn_runtime_sync(rt);
	adn_runtime_swap_stats(rt, &st);
	CU_ASSERT_EQUAL(st.alive, 1);
	CU_ASSERT_EQUAL(st.retired, st.swaps);
}

/* A bad plan and a bad reload change nothing. */
static void
test_refused_changes_leave_live_version(void)
{
	struct adn_errs errs = { 0 };
	struct adn_swap_stats a, b;
	char text[512];

	adn_runtime_swap_stats(rt, &a);
	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, "jit8,chk=fastpath64",
					     &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, "fastpath needs an element that is PURE_ON_FLOW; CheckIPv4 is not") >= 0);
	adn_errs_clear(&errs);
	snprintf(text, sizeof(text),
		 "workers = 2;\nelements = ( { name = \"gen\"; type = \"GenSource\"; },\n"
		 "  { name = \"x\"; type = \"NoSuchType\"; } );\n"
		 "links = ( \"gen -> x\" );\n");
	adn_test_write_file(bad_path, text);
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, bad_path, &errs), -EINVAL);
	CU_ASSERT(adn_errs_find(&errs, ":3: element 'x': key 'type': unknown element type 'NoSuchType'") >= 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_runtime_swap_stats(rt, &b);
	CU_ASSERT_EQUAL(a.version, b.version);
	CU_ASSERT_EQUAL(b.failed, a.failed + 2);
}

/* A plan's `batch=` holds for that plan only: the next plan without one
 * runs at the config's burst (Morph's guard rolls back to it). */
static void
test_batch_size_is_the_plans(void)
{
	struct adn_errs errs = { 0 };

	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, "batch,batch=7", &errs), 0);
	CU_ASSERT_EQUAL(adn_version_burst(adn_runtime_live(rt)), 7);
	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, "batch", &errs), 0);
	CU_ASSERT_EQUAL(adn_version_burst(adn_runtime_live(rt)),
			adn_runtime_burst(rt));
	CU_ASSERT_EQUAL(adn_runtime_burst(rt), 32);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
}

/* A reload that removes TcpChecksum and adds a Counter: kept elements
 * keep their state, the removed one's counters stay in the totals. */
static void
test_reload_adds_and_removes(void)
{
	struct adn_errs errs = { 0 };
	struct adn_elem_totals csum_before, csum_after, cnt;
	char cfg[2048];

	CU_ASSERT_EQUAL(adn_runtime_elem_totals(rt, "csum", &csum_before), 0);
	gen_config(cfg, sizeof(cfg), "plan = \"jit8\";\n", "Counter", "tally");
	adn_test_write_file(bad_path, cfg);
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, bad_path, &errs), 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	usleep(200000);
	adn_runtime_sync(rt);
	CU_ASSERT_EQUAL(adn_runtime_elem_totals(rt, "csum", &csum_after), 0);
	CU_ASSERT(csum_after.in >= csum_before.in);
	CU_ASSERT_EQUAL(adn_runtime_elem_totals(rt, "tally", &cnt), 0);
	CU_ASSERT(cnt.in > 0);
	CU_ASSERT_STRING_EQUAL(adn_version_plan(adn_runtime_live(rt)), "jit8");
}

/* After stop: every packet accounted for, overall and per version;
 * FlowCounter's cells (carried over every resize) sum to what it passed;
 * every mbuf is back in GenSource's pool. */
static void
test_accounting_after_stop(void)
{
	struct adn_version_summary sums[ADN_RUNTIME_SUMMARIES];
	struct adn_elem_totals count;
	struct adn_swap_stats st;
	struct adn_totals t;
	const struct adn_elem *e;
	struct adn_xstat xs[32];
	unsigned int n;

	adn_runtime_stop(rt);
	adn_runtime_sync(rt);
	adn_runtime_totals(rt, &t);
	CU_ASSERT(t.received > 0);
	CU_ASSERT_EQUAL(t.in_flight, 0);
	CU_ASSERT_EQUAL(t.received, t.transmitted + t.dropped);
	adn_runtime_swap_stats(rt, &st);
	CU_ASSERT_EQUAL(st.unbalanced, 0);
	n = adn_runtime_retired(rt, sums, RTE_DIM(sums));
	CU_ASSERT(n > 10);
	for (unsigned int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(sums[i].received,
				sums[i].transmitted + sums[i].dropped);
	e = adn_pipeline_find(adn_version_pipeline(adn_runtime_live(rt)), "count");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(adn_runtime_elem_totals(rt, "count", &count), 0);
	CU_ASSERT(e->desc->xstats(e, xs, RTE_DIM(xs)) >= 1);
	CU_ASSERT_STRING_EQUAL(xs[0].name, "packets");
	CU_ASSERT_EQUAL(xs[0].value, count.out[0]);
	printf("\n  %" PRIu64 " packets, FlowCounter %" PRIu64 " / %" PRIu64,
	       t.received, xs[0].value, count.out[0]);
	adn_runtime_free(rt);
	unlink(bad_path);
	/* The equivalence runs route the shared trace. */
	CU_ASSERT_EQUAL(adn_test_trace_routes(routes_path), 0);
}

/* --- equivalence under swaps ------------------------------------------- */

#define EQ_PKTS 200000
static const char *const eq_elems[] = { "chk", "route", "count", "csum" };
static const char *const eq_sinks[] = { "out", "noroute" };

struct eq_result {
	struct adn_elem_totals t[RTE_DIM(eq_elems)];
	uint64_t digest[RTE_DIM(eq_sinks)][4];
	uint64_t count_cells;		/* FlowCounter's packets xstat */
	unsigned int swaps;
};

static void
live_xstats(const char *name, struct adn_xstat *xs, unsigned int max)
{
	const struct adn_elem *e =
		adn_pipeline_find(adn_version_pipeline(adn_runtime_live(rt)), name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_FATAL(e->desc->xstats(e, xs, max) >= 1);
}

/* The trace through `workers` workers, swapping plans every millisecond
 * when `swap`, into `r`. */
static void
eq_run(unsigned int workers, bool swap, struct eq_result *r)
{
	struct rte_mempool *pool = adn_test_pool();
	const unsigned int pool_free = rte_mempool_avail_count(pool);
	struct adn_errs errs = { 0 };
	struct adn_swap_stats st;
	struct adn_totals t;
	struct adn_xstat xs[32];
	struct rte_mbuf *pending = NULL;
	uint64_t next_swap = 0;
	unsigned int i = 0;
	char cfg[2048];

	memset(r, 0, sizeof(*r));
	for (unsigned int q = 0; q < workers; q++) {
		char name[32];

		snprintf(name, sizeof(name), "eq%u_%u_%d", q, workers, swap);
		adn_test_rings[q] = rte_ring_create(name, 1024, SOCKET_ID_ANY,
						    RING_F_SP_ENQ |
						    RING_F_SC_DEQ);
		CU_ASSERT_PTR_NOT_NULL_FATAL(adn_test_rings[q]);
	}
	snprintf(cfg, sizeof(cfg),
		 "workers = %u;\nplan = \"%s\";\n"
		 "elements = (\n"
		 "  { name = \"src\"; type = \"TestRing\"; queues = %u; },\n"
		 "  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
		 "  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"count\"; type = \"FlowCounter\"; size = 4096; },\n"
		 "  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		 "  { name = \"out\"; type = \"TestDigest\"; },\n"
		 "  { name = \"noroute\"; type = \"TestDigest\"; } );\n"
		 "links = ( \"src -> chk -> route\", \"route[0] -> noroute\",\n"
		 "  \"route[1] -> count\", \"route[2] -> count\",\n"
		 "  \"route[3] -> count\", \"route[4] -> count\",\n"
		 "  \"count -> csum -> out\" );\n", workers,
		 swap ? "batch" : "scalar", workers, routes_path);
	start_runtime(cfg);
	while (i < EQ_PKTS || pending != NULL) {
		uint64_t now = rte_get_timer_cycles();

		if (swap && now >= next_swap) {
			CU_ASSERT_EQUAL(adn_runtime_set_plan(rt,
				plans[r->swaps % RTE_DIM(plans)], &errs), 0);
			adn_errs_print(&errs, stdout);
			adn_errs_clear(&errs);
			adn_runtime_reclaim(rt);
			r->swaps++;
			next_swap = rte_get_timer_cycles() +
				rte_get_timer_hz() / 1000;
		}
		/* Keep mbufs for the pipeline: the pool is the test's. */
		if (pending == NULL && rte_mempool_avail_count(pool) > 512)
			pending = adn_test_trace_pkt(i++);
		if (pending != NULL &&
		    rte_ring_sp_enqueue(adn_test_rings[i % workers],
					pending) == 0)
			pending = NULL;
		else if (pending != NULL || i == EQ_PKTS)
			rte_pause();
	}
	/* Drained: every packet received and none in flight. */
	for (int k = 0; k < 30000; k++) {
		adn_runtime_totals(rt, &t);
		if (t.received == EQ_PKTS && t.in_flight == 0)
			break;
		usleep(1000);
	}
	adn_runtime_stop(rt);
	adn_runtime_sync(rt);
	adn_runtime_totals(rt, &t);
	CU_ASSERT_EQUAL(t.received, EQ_PKTS);
	CU_ASSERT_EQUAL(t.received, t.transmitted + t.dropped);
	adn_runtime_swap_stats(rt, &st);
	CU_ASSERT_EQUAL(st.unbalanced, 0);
	CU_ASSERT_EQUAL(st.swaps, r->swaps);
	for (unsigned int k = 0; k < RTE_DIM(eq_elems); k++) {
		CU_ASSERT_EQUAL(adn_runtime_elem_totals(rt, eq_elems[k],
							&r->t[k]), 0);
		adn_test_untimed(&r->t[k]);
	}
	for (unsigned int k = 0; k < RTE_DIM(eq_sinks); k++) {
		live_xstats(eq_sinks[k], xs, 4);
		for (unsigned int v = 0; v < 4; v++)
			r->digest[k][v] = xs[v].value;
	}
	live_xstats("count", xs, RTE_DIM(xs));
	r->count_cells = xs[0].value;
	adn_runtime_free(rt);
	for (unsigned int q = 0; q < workers; q++) {
		rte_ring_free(adn_test_rings[q]);
		adn_test_rings[q] = NULL;
	}
	/* Every mbuf back: nothing lost, nothing freed twice. */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), pool_free);
}

static void
eq_check(unsigned int workers)
{
	static struct eq_result ref, got;

	eq_run(workers, false, &ref);
	eq_run(workers, true, &got);
	printf("\n  %u worker(s): %u swaps; out %" PRIu64 ", noroute %" PRIu64 ", FlowCounter %" PRIu64,
	       workers, got.swaps, got.digest[0][0], got.digest[1][0],
	       got.count_cells);
	CU_ASSERT(got.swaps >= 20);
	CU_ASSERT(ref.t[0].dropped > 1000);	/* malformed frames went */
	for (unsigned int k = 0; k < RTE_DIM(eq_elems); k++)
		if (memcmp(&ref.t[k], &got.t[k], sizeof(ref.t[k])) != 0) {
			printf("\n  element '%s': in %" PRIu64 "/%" PRIu64 " dropped %" PRIu64 "/%" PRIu64,
			       eq_elems[k], ref.t[k].in, got.t[k].in,
			       ref.t[k].dropped, got.t[k].dropped);
			CU_FAIL("element counters differ from scalar");
		}
	CU_ASSERT(memcmp(ref.digest, got.digest, sizeof(ref.digest)) == 0);
	CU_ASSERT_EQUAL(ref.count_cells, got.count_cells);
	CU_ASSERT_EQUAL(got.count_cells, got.t[2].out[0]);
}

static void
test_swaps_match_scalar_one_worker(void)
{
	eq_check(1);
}

static void
test_swaps_match_scalar_two_workers(void)
{
	eq_check(2);
	unlink(cfg_path);
	unlink(routes_path);
}

/* A version is freed only after every worker passed a quiescent point:
 * with the worker held inside a batch of version N, a swap publishes
 * N + 1 at once, but N stays (reclaim frees nothing) until the worker
 * lets go of its batch. */
static void
test_old_version_waits_for_its_worker(void)
{
	struct adn_errs errs = { 0 };
	struct adn_swap_stats a, b;
	char cfg[1024];

	snprintf(cfg, sizeof(cfg),
		 "workers = 1;\n"
		 "elements = (\n"
		 "  { name = \"gen\"; type = \"GenSource\"; flows = 100; seq = 1024; pool = 1023; },\n"
		 "  { name = \"hold\"; type = \"Hold\"; },\n"
		 "  { name = \"sink\"; type = \"Recycle\"; } );\n"
		 "links = ( \"gen -> hold -> sink\" );\n");
	adn_test_write_file(cfg_path, cfg);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(cfg_path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	__atomic_store_n(&hold, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_start(rt, &errs), 0);
	while (!__atomic_load_n(&holding, __ATOMIC_ACQUIRE))
		usleep(100);
	adn_runtime_swap_stats(rt, &a);
	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, "prefetch", &errs), 0);
	for (int i = 0; i < 20; i++) {
		adn_runtime_reclaim(rt);
		usleep(1000);
	}
	adn_runtime_swap_stats(rt, &b);
	CU_ASSERT_EQUAL(b.version, a.version + 1);	/* published at once */
	CU_ASSERT_EQUAL(b.alive, 2);			/* the old one stays */
	CU_ASSERT_EQUAL(b.retired, a.retired);
	__atomic_store_n(&hold, 0, __ATOMIC_RELEASE);
	adn_runtime_sync(rt);
	adn_runtime_swap_stats(rt, &b);
	CU_ASSERT_EQUAL(b.alive, 1);
	CU_ASSERT_EQUAL(b.retired, a.retired + 1);
	adn_runtime_free(rt);
	adn_errs_clear(&errs);
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite s;

	if (adn_test_eal_init_lcores("swap", "(0-2)@(0-1)") < 0 ||
	    CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("swap", NULL, NULL);
	CU_ADD_TEST(s, test_start);
	CU_ADD_TEST(s, test_swaps_under_load);
	CU_ADD_TEST(s, test_refused_changes_leave_live_version);
	CU_ADD_TEST(s, test_batch_size_is_the_plans);
	CU_ADD_TEST(s, test_reload_adds_and_removes);
	CU_ADD_TEST(s, test_accounting_after_stop);
	CU_ADD_TEST(s, test_swaps_match_scalar_one_worker);
	CU_ADD_TEST(s, test_swaps_match_scalar_two_workers);
	CU_ADD_TEST(s, test_old_version_waits_for_its_worker);
	return adn_test_main();
}
