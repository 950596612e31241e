/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Morph (lib/morph):
 *  - the search finds the known best plan of a synthetic fitness with a
 *    plateau and a local optimum, and does so deterministically;
 *  - upsampling a sample of a Zipf trace keeps the distinct-flow count
 *    and the top-1% share of the original within the stated tolerances,
 *    and the new flows' checksums stay valid;
 *  - evaluating plans (shadow versions) never changes live state: a
 *    state object's bytes, element counters, FlowCounter's cells and the
 *    fastpath cache's counters are identical before and after;
 *  - end to end on GenSource: from `batch`, Morph swaps to a better plan
 *    with every packet accounted for, and its guard rolls back a plan
 *    forced on it that runs worse;
 *  - regimes: traffic is placed in the regime it resembles, a regime
 *    takes its latest plan, the oldest goes when all are taken; on
 *    phased traffic a change back to a regime seen before recalls its
 *    plan instead of searching again.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "adn_hash.h"
#include "adn_morph.h"
#include "adn_rand.h"
#include "adn_runtime.h"
#include "adn_test.h"
#include "adn_zipf.h"
#include "morph_eval.h"
#include "morph_regime.h"
#include "morph_search.h"
#include "morph_space.h"
#include "morph_traffic.h"

/* --- search ------------------------------------------------------------ */

#define SYN_GENES 5
#define SYN_CHOICES 6
static const unsigned int global_best[SYN_GENES] = { 5, 1, 4, 0, 3 };

static void
syn_space(struct morph_space *s)
{
	memset(s, 0, sizeof(*s));
	s->n_genes = SYN_GENES;
	for (unsigned int i = 0; i < SYN_GENES; i++) {
		s->gene[i].n = SYN_CHOICES;
		for (unsigned int c = 0; c < SYN_CHOICES; c++)
			snprintf(s->gene[i].choice[c], MORPH_FRAG_MAX, "%c%u",
				 'a' + i, c);
	}
}

static unsigned int syn_calls;

/* Gene 0 at 0 is a plateau (25 whatever the rest); elsewhere the lower of
 * a wide basin around (2,2,2,2,2) (minimum 10: the local optimum) and a
 * narrow one around global_best (minimum 1). Plans with a4 "cannot run". */
static int
syn_fitness(void *arg, const char *plan, double *f)
{
	unsigned int x[SYN_GENES], local = 0, ham = 0;

	RTE_SET_USED(arg);
	syn_calls++;
	if (sscanf(plan, "a%u,b%u,c%u,d%u,e%u", &x[0], &x[1], &x[2], &x[3],
		   &x[4]) != SYN_GENES)
		return -EINVAL;
	if (x[0] == 4)
		return -ENOTSUP;
	if (x[0] == 0) {
		*f = 25;
		return 0;
	}
	for (unsigned int i = 0; i < SYN_GENES; i++) {
		local += x[i] > 2 ? x[i] - 2 : 2 - x[i];
		ham += x[i] != global_best[i];
	}
	*f = RTE_MIN(10.0 + 2 * local, 1.0 + 4 * ham);
	return 0;
}

static void
test_search_finds_global_optimum(void)
{
	static struct morph_space s;
	struct morph_search_conf c = {
		.population = 12, .generations = 25, .seed = 42, .n_seeds = 2,
	};
	struct morph_search_result r1, r2;

	syn_space(&s);
	/* Seeded on the plateau and on the local optimum, as Morph seeds
	 * with the defaults and the live plan. */
	memset(&c.seeds[0], 0, sizeof(c.seeds[0]));
	memset(&c.seeds[1], 2, sizeof(c.seeds[1]));
	syn_calls = 0;
	CU_ASSERT_EQUAL_FATAL(morph_search(&s, &c, syn_fitness, NULL, &r1), 0);
	printf("\n  best %s (%.0f) after %u plans, %u failed", r1.best,
	       r1.best_fitness, r1.evaluated, r1.failed);
	CU_ASSERT_STRING_EQUAL(r1.best, "a5,b1,c4,d0,e3");
	CU_ASSERT_DOUBLE_EQUAL(r1.best_fitness, 1.0, 1e-9);
	/* Each plan scored once, failures never chosen. */
	CU_ASSERT_EQUAL(syn_calls, r1.evaluated);
	CU_ASSERT(r1.evaluated <= 12 * 26);
	CU_ASSERT(r1.failed > 0);
	/* Ranked best first, the best on top, failures left out. */
	CU_ASSERT(r1.n_ranked == MORPH_RANKED);
	CU_ASSERT_STRING_EQUAL(r1.ranked[0].plan, r1.best);
	for (unsigned int i = 1; i < r1.n_ranked; i++)
		CU_ASSERT(r1.ranked[i].fitness >= r1.ranked[i - 1].fitness &&
			  isfinite(r1.ranked[i].fitness));
	/* The same seed, the same search. */
	CU_ASSERT_EQUAL_FATAL(morph_search(&s, &c, syn_fitness, NULL, &r2), 0);
	CU_ASSERT_STRING_EQUAL(r2.best, r1.best);
	CU_ASSERT_EQUAL(r2.evaluated, r1.evaluated);
	/* With no generations, the best of the seeds and the first
	 * population: the local optimum at best. */
	c.generations = 0;
	c.population = 2;
	CU_ASSERT_EQUAL(morph_search(&s, &c, syn_fitness, NULL, &r2), 0);
	CU_ASSERT_STRING_EQUAL(r2.best, "a2,b2,c2,d2,e2");
}

/* --- upsampling -------------------------------------------------------- */

#define TRACE_LEN 65536

/* Frame of flow `rank`: Ethernet/IPv4/TCP, valid checksums. */
static void
flow_frame(uint64_t rank, struct morph_sample *s)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(s->data + 14);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	uint64_t h = adn_mix64(rank + 1);

	memset(s, 0, sizeof(*s));
	s->data[12] = 0x08;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(40);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = (uint32_t)h;
	/* Destinations in 4 /8s: the "branches". */
	ip->dst_addr = rte_cpu_to_be_32((uint32_t)(10 + (h >> 62)) << 24 |
					(uint32_t)(h >> 32) >> 8);
	tcp->src_port = (uint16_t)(h >> 16);
	tcp->dst_port = rte_cpu_to_be_16(80);
	tcp->data_off = 0x50;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	s->len = 54;
	s->cap = 54;
}

struct trace_stats {
	unsigned int distinct;
	double top1;		/* packets of the top 1% of flows */
	double branch[4];
};

static int
cmp_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x > y ? -1 : x < y;
}

/* Exact statistics of a trace, by the flow hash. */
static void
trace_stats(const struct morph_sample *t, unsigned int n,
	    struct trace_stats *st)
{
	const uint32_t size = 1u << 18, mask = size - 1;
	uint64_t *key = calloc(size, sizeof(*key));
	uint32_t *cnt = calloc(size, sizeof(*cnt));
	uint64_t top = 0;

	memset(st, 0, sizeof(*st));
	for (unsigned int i = 0; i < n; i++) {
		uint64_t h;
		uint32_t k;

		CU_ASSERT_FATAL(morph_flow_hash(t[i].data, t[i].cap, &h));
		h |= 1;
		for (k = (uint32_t)h & mask; key[k] && key[k] != h;
		     k = (k + 1) & mask)
			;
		if (key[k] == 0)
			st->distinct++;
		key[k] = h;
		cnt[k]++;
		st->branch[t[i].data[14 + 16] - 10] += 1.0 / n;
	}
	qsort(cnt, size, sizeof(*cnt), cmp_desc);
	for (unsigned int i = 0; i < (st->distinct + 99) / 100; i++)
		top += cnt[i];
	st->top1 = (double)top / n;
	free(key);
	free(cnt);
}

static void
check_upsample(uint64_t flows, double alpha, unsigned int every)
{
	struct morph_sample *orig = malloc(sizeof(*orig) * TRACE_LEN);
	struct morph_sample *up = malloc(sizeof(*up) * TRACE_LEN);
	struct morph_sample *smp = malloc(sizeof(*smp) * TRACE_LEN);
	struct trace_stats a, b;
	struct adn_zipf z;
	struct adn_rand r;
	unsigned int n = 0;

	CU_ASSERT_FATAL(orig && up && smp);
	CU_ASSERT_EQUAL_FATAL(adn_zipf_init(&z, flows, alpha), 0);
	adn_rand_seed(&r, 3);
	for (unsigned int i = 0; i < TRACE_LEN; i++)
		flow_frame(adn_zipf_next(&z, &r), &orig[i]);
	/* One packet in `every`, as the workers sample bursts. */
	for (unsigned int i = 0; i < TRACE_LEN; i += every)
		smp[n++] = orig[i];
	trace_stats(orig, TRACE_LEN, &a);
	CU_ASSERT_EQUAL_FATAL(morph_upsample(smp, n, a.distinct, TRACE_LEN, 9,
					     up), 0);
	trace_stats(up, TRACE_LEN, &b);
	/* Morph's own top-1% share agrees with the exact one. */
	CU_ASSERT_DOUBLE_EQUAL(morph_top1_share(orig, TRACE_LEN), a.top1,
			       1e-9);
	printf("\n  %" PRIu64 " flows alpha %.2f, 1 in %u: distinct %u -> %u, top-1%% share %.3f -> %.3f",
	       flows, alpha, every, a.distinct, b.distinct, a.top1, b.top1);
	/* Tolerances (docs/morph.md): distinct within 5%, top-1% share
	 * within 0.05, each branch's share within 0.02. */
	CU_ASSERT(fabs((double)b.distinct / a.distinct - 1) < 0.05);
	CU_ASSERT(fabs(b.top1 - a.top1) < 0.05);
	for (unsigned int k = 0; k < 4; k++)
		CU_ASSERT(fabs(b.branch[k] - a.branch[k]) < 0.02);
	/* New flows keep valid IP and TCP checksums. */
	for (unsigned int i = 0; i < TRACE_LEN; i++) {
		struct rte_ipv4_hdr *ip =
			(struct rte_ipv4_hdr *)(up[i].data + 14);

		if (rte_ipv4_cksum(ip) != 0 && ip->hdr_checksum != 0) {
			CU_ASSERT_EQUAL(rte_ipv4_cksum(ip), 0xffff);
		}
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(ip, ip + 1), 0);
	}
	free(orig);
	free(up);
	free(smp);
}

static void
test_upsample_skewed(void)
{
	check_upsample(100000, 1.61, 8);
}

static void
test_upsample_heavy_tailed(void)
{
	check_upsample(10000000, 0.5, 8);
}

static void
test_upsample_uniform_small(void)
{
	/* Fewer flows than samples: every flow repeats, none is made. */
	check_upsample(2000, 0.0001, 4);
}

/* --- runtime ----------------------------------------------------------- */

static struct adn_runtime *rt;
static char cfg_path[128], routes_path[128];

/* Probe: a state object of 4 KiB that counts packets by their first
 * byte; the test keeps the live object's address. */
#define PROBE_BYTES 4096
static uint8_t *probe_live;

static int
probe_configure(struct adn_elem *e, struct adn_build *b)
{
	struct adn_state_ref ref;
	int rc = adn_elem_state(e, b, "bytes", PROBE_BYTES, NULL, 0, &ref);

	if (rc == 0 && probe_live == NULL)
		probe_live = ref.data;
	*(uint8_t **)adn_elem_priv(e) = ref.data;
	return rc;
}

static int
probe_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	uint8_t *bytes = *(uint8_t **)adn_elem_priv(e);

	RTE_SET_USED(ctx);
	bytes[(rte_pktmbuf_mtod(m, uint8_t *)[29] * 16 +
	       adn_worker_index()) % PROBE_BYTES]++;
	return 0;
}

static const struct adn_elem_desc probe_desc = {
	.name = "Probe",
	.flags = ADN_ELEM_STATEFUL_PER_CORE,
	.priv_size = sizeof(uint8_t *),
	.n_outputs = 1,
	.configure = probe_configure,
	.exec = probe_exec,
};
ADN_ELEM_REGISTER(probe_desc);

/* GenSource (with keys `gen_keys`) -> LpmRoute -> FlowCounter -> Probe ->
 * TcpChecksum -> Recycle, one worker, started. */
static void
start_workload(const char *gen_keys, const char *plan, const char *morph)
{
	struct adn_errs errs = { 0 };
	char cfg[2048];

	snprintf(routes_path, sizeof(routes_path), "/tmp/adn-morph-%d-routes",
		 (int)getpid());
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/adn-morph-%d.cfg",
		 (int)getpid());
	adn_test_write_file(routes_path, "0.0.0.0/0 1\n10.0.0.0/8 2\n10.1.0.0/16 3\n"
		   "192.168.0.0/16 2\n172.16.0.0/12 3\n");
	snprintf(cfg, sizeof(cfg),
		 "workers = 1;\nplan = \"%s\";\n%s"
		 "elements = (\n"
		 "  { name = \"gen\"; type = \"GenSource\"; %s\n"
		 "    seq = 65536; pool = 4095; routes = \"%s\"; },\n"
		 "  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"count\"; type = \"FlowCounter\"; size = 262144; },\n"
		 "  { name = \"probe\"; type = \"Probe\"; },\n"
		 "  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		 "  { name = \"miss\"; type = \"Recycle\"; },\n"
		 "  { name = \"sink\"; type = \"Recycle\"; } );\n"
		 "links = ( \"gen -> route\", \"route[0] -> miss\",\n"
		 "  \"route[1] -> count\", \"route[2] -> count\",\n"
		 "  \"route[3] -> count\", \"count -> probe -> csum -> sink\" );\n",
		 plan, morph, gen_keys, routes_path, routes_path);
	adn_test_write_file(cfg_path, cfg);
	probe_live = NULL;
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(cfg_path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_start(rt, &errs), 0);
	adn_errs_clear(&errs);
}

static void
start(const char *plan, const char *morph)
{
	start_workload("workload = \"skewed\";", plan, morph);
}

struct fingerprint {
	uint64_t probe;
	uint64_t words[64 * 40];
	unsigned int n;
};

static void
fp_elem(const char *name, const char *type, const struct adn_elem *e,
	const struct adn_elem_totals *t, void *arg)
{
	struct fingerprint *fp = arg;
	struct adn_xstat xs[32];
	const char *tpl;
	unsigned int n;

	RTE_SET_USED(name);
	RTE_SET_USED(type);
	if (e == NULL)
		return;
	fp->words[fp->n++] = t->in;
	for (unsigned int o = 0; o < ADN_MAX_OUTPUTS; o++)
		fp->words[fp->n++] = t->out[o];
	fp->words[fp->n++] = t->dropped;
	n = e->desc->xstats ? e->desc->xstats(e, xs, RTE_DIM(xs)) : 0;
	for (unsigned int i = 0; i < n; i++)
		fp->words[fp->n++] = xs[i].value;
	n = (unsigned int)adn_exec_tpl_stats(
		adn_version_exec(adn_runtime_live(rt), 0), e, &tpl, xs,
		RTE_DIM(xs));
	for (unsigned int i = 0; i < n; i++)
		fp->words[fp->n++] = xs[i].value;
}

static void
fingerprint(struct fingerprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->probe = adn_murmur3_32(probe_live, PROBE_BYTES, 1);
	adn_runtime_foreach_elem(rt, fp_elem, fp);
}

static void
test_evaluation_leaves_live_state(void)
{
	static struct fingerprint before, after;
	static const char *const plans[] = {
		"batch", "batch", "batch", "scalar", "group4,route=fastpath64",
		"fused8,count.size=4096", "batch,route.table=dir24_8",
		"prefetch,batch=128,route=fastpath1024",
	};
	struct rte_mempool *mp = rte_pktmbuf_pool_create("morph_test_replay",
		2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	struct morph_trace tr = { 0 };
	struct adn_errs errs = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	start("batch,route=fastpath256", "");
	usleep(300 * 1000);
	/* Quiescent live state: every worker stopped. */
	adn_runtime_stop(rt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(probe_live);
	fingerprint(&before);
	CU_ASSERT(before.n > 20);
	/* A trace of the shared test frames entering at `gen`. */
	tr.n = 8192;
	tr.pkts = calloc(tr.n, sizeof(*tr.pkts));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr.pkts);
	for (unsigned int i = 0; i < tr.n; i++) {
		struct rte_mbuf *m = adn_test_trace_pkt(i);

		tr.pkts[i].src = adn_pipeline_find(adn_version_pipeline(adn_runtime_live(rt)),
						   "gen")->index;
		tr.pkts[i].len = (uint16_t)m->pkt_len;
		tr.pkts[i].cap = (uint16_t)RTE_MIN(m->data_len,
						   (uint16_t)MORPH_SNAP);
		memcpy(tr.pkts[i].data, rte_pktmbuf_mtod(m, uint8_t *),
		       tr.pkts[i].cap);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL_FATAL(morph_trace_bind(rt, &tr), 0);
	for (unsigned int i = 0; i < RTE_DIM(plans); i++) {
		struct morph_eval_conf ec = { .reps = 2 };
		struct morph_eval_result res;

		CU_ASSERT_EQUAL(morph_eval(rt, mp, &tr, plans[i], &ec, &res,
					   &errs), 0);
		adn_errs_print(&errs, stdout);
		adn_errs_clear(&errs);
		printf("\n  %-40s %6.1f cycles/pkt", plans[i], res.cpp);
		CU_ASSERT(res.cpp > 0 && res.fitness == res.cpp);
	}
	/* The latency objective: a bound below every batch's cycles
	 * scales the fitness up by the overshoot of the p99. */
	{
		struct morph_eval_conf ec = { .reps = 2, .latency_bound = 100 };
		struct morph_eval_result res;

		CU_ASSERT_EQUAL(morph_eval(rt, mp, &tr, "batch,batch=128",
					   &ec, &res, &errs), 0);
		CU_ASSERT(res.p99_batch > 100);
		CU_ASSERT_DOUBLE_EQUAL(res.fitness,
				       res.cpp * res.p99_batch / 100, 1e-6);
		ec.latency_bound = UINT64_MAX / 2;
		CU_ASSERT_EQUAL(morph_eval(rt, mp, &tr, "batch,batch=128",
					   &ec, &res, &errs), 0);
		CU_ASSERT_DOUBLE_EQUAL(res.fitness, res.cpp, 1e-9);
	}
	/* A plan that cannot be built is an error, nothing else. */
	{
		struct morph_eval_conf ec = { .reps = 1 };
		struct morph_eval_result res;

		CU_ASSERT(morph_eval(rt, mp, &tr, "nosuch", &ec, &res,
				     &errs) < 0);
		CU_ASSERT(errs.n > 0);
		adn_errs_clear(&errs);
	}
	fingerprint(&after);
	CU_ASSERT_EQUAL(after.n, before.n);
	CU_ASSERT_EQUAL(after.probe, before.probe);
	CU_ASSERT_EQUAL(memcmp(after.words, before.words,
			       sizeof(before.words)), 0);
	/* Every replayed mbuf went back to the replay pool. */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(mp), 0);
	free(tr.pkts);
	rte_mempool_free(mp);
	adn_runtime_free(rt);
}

static void
wait_for(struct adn_morph *m, struct adn_morph_status *st, double s,
	 bool (*done)(const struct adn_morph_status *))
{
	uint64_t end = rte_get_timer_cycles() + (uint64_t)(s *
		(double)rte_get_timer_hz());

	do {
		usleep(20000);
		adn_runtime_reclaim(rt);
		adn_morph_status(m, st);
	} while (!done(st) && rte_get_timer_cycles() < end);
}

static bool
swapped(const struct adn_morph_status *st)
{
	return st->swaps >= 1 && strcmp(st->state, "idle") == 0;
}

static uint64_t rollbacks, swaps_before_try;
static unsigned int decisions_wanted;

static bool
decided(const struct adn_morph_status *st)
{
	return st->n_decisions >= decisions_wanted;
}

/* The plan tried is live and the guard has judged it (confirmed it, or
 * rolled it back). */
static bool
try_judged(const struct adn_morph_status *st)
{
	return st->swaps > swaps_before_try &&
		strcmp(st->state, "confirming") != 0;
}

static void
test_end_to_end_swap_and_guard(void)
{
	struct adn_morph_conf c;
	struct adn_morph *m = NULL;
	struct adn_morph_status *st = malloc(sizeof(*st));
	struct adn_errs errs = { 0 };
	struct adn_swap_stats sw;
	struct adn_totals t;
	char reply[128], before_try[ADN_PLAN_MAX];
	int rc = -EBUSY;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	start("batch", "morph = { period = 2.0; population = 6; generations = 3;\n"
	      "  window = 8192; confirm = 0.3; reps = 3; min_gain = 0.05;\n"
	      "  sample = 8; seed = 3; };\n");
	CU_ASSERT_EQUAL_FATAL(adn_morph_conf_read(adn_runtime_config(rt), &c,
						  &errs), 0);
	CU_ASSERT(c.enabled);
	CU_ASSERT_EQUAL_FATAL(adn_morph_create(rt, &c, &m, &errs), 0);
	CU_ASSERT_EQUAL_FATAL(adn_morph_start(m), 0);
	wait_for(m, st, 60, swapped);
	printf("\n  searched %" PRIu64 " (%" PRIu64 " plans, %.2f s): live %s (%.1f) -> best %s (%.1f), distinct %.0f, top-K %.2f",
	       st->searches, st->evaluated, st->last_search_s, "batch",
	       st->live_fitness, st->best, st->best_fitness, st->distinct,
	       st->topk_share);
	/* Not FATAL from here on: a failed check must still stop the
	 * runtime, or the next test hangs behind its workers. */
	CU_ASSERT(st->swaps >= 1);
	if (st->swaps < 1)
		goto out;
	CU_ASSERT_STRING_EQUAL(st->history[0].from, "batch");
	/* The first swap predicted its gain: min_gain, or, for the live
	 * plan's own compiled form, any gain (no new bet to cover). The
	 * status's best and live fitness are the latest search's, which may
	 * be a periodic one that found nothing better than what the first
	 * put live. */
	{
		const struct adn_morph_swap *h0 = &st->history[0];
		char twin[ADN_PLAN_MAX], variant[ADN_PLAN_MAX];
		const bool own_compiled =
			strcmp(h0->reason, "compiled") == 0 &&
			((morph_compiled_twin(h0->from, twin, sizeof(twin)) > 0 &&
			  strcmp(twin, h0->to) == 0) ||
			 (morph_compiled_variant(h0->from, variant,
						 sizeof(variant)) == 1 &&
			  strcmp(variant, h0->to) == 0));

		printf("\n  first swap: %s -> %s (%s, predicted %+.1f%%)",
		       h0->from, h0->to, h0->reason, h0->predicted * 100);
		CU_ASSERT(own_compiled ? h0->predicted > 0 :
			  h0->predicted >= c.min_gain);
	}
	CU_ASSERT(isfinite(st->best_fitness) && isfinite(st->live_fitness));
	CU_ASSERT(st->distinct > 0);
	CU_ASSERT(st->samples > 0);
	/* Every search answered: "start" first (it may have kept the plan),
	 * and the first that swapped ended after its swap. */
	CU_ASSERT(st->n_decisions >= 1 &&
		  st->n_decisions <= st->searches + st->recalls);
	if (st->n_decisions >= 1) {
		unsigned int i = 0;

		CU_ASSERT_STRING_EQUAL(st->decisions[0].reason, "start");
		while (i + 1 < st->n_decisions && !st->decisions[i].swapped)
			i++;
		CU_ASSERT(st->decisions[i].swapped);
		CU_ASSERT(st->decisions[i].at >= st->history[0].at);
	}
	if (st->n_decisions >= 1) {
		/* The evolution goes on: after a swap the guard let stand,
		 * the next search starts at once from there ("refine"), not
		 * when the 2 s period is up (a drift may still come first). */
		unsigned int i = 0;
		const char *why;

		while (i + 1 < st->n_decisions && !st->decisions[i].swapped)
			i++;
		decisions_wanted = i + 2;
		wait_for(m, st, 30, decided);
		CU_ASSERT(st->n_decisions >= i + 2);
		why = st->n_decisions >= i + 2 ? st->decisions[i + 1].reason :
			"nothing";
		printf("\n  after the swap: %s", why);
		if (st->rollbacks == 0)
			CU_ASSERT(strcmp(why, "refine") == 0 ||
				  strncmp(why, "drift", 5) == 0 ||
				  strncmp(why, "recall", 6) == 0);
	}
	{
		/* The last swap (a compiled plan may have followed the
		 * first): confirmed (or not measurable, a starved worker),
		 * or, on a noisy machine, rolled back by the guard. */
		const struct adn_morph_swap *h =
			&st->history[st->n_history - 1];

		printf("\n  %u swaps, the last confirmed %+.1f%%",
		       st->n_history, h->confirmed * 100);
		if (strcmp(h->reason, "guard") == 0)
			h--;
		CU_ASSERT_STRING_EQUAL(adn_version_plan(adn_runtime_live(rt)),
				       h->confirmed < -c.min_gain / 2 ?
				       h->from : h->to);
	}
	/* The guard: a plan that runs worse comes back out. A periodic
	 * search (every 2 s here) may be running: try again, as an
	 * operator told "busy" would. */
	for (int k = 0; k < 300; k++) {
		adn_morph_status(m, st);
		rollbacks = st->rollbacks;
		swaps_before_try = st->swaps;
		snprintf(before_try, sizeof(before_try), "%s",
			 st->live_plan);
		rc = adn_morph_try(m, "batch,batch=1", reply, sizeof(reply));
		if (rc != -EBUSY)
			break;
		usleep(100000);
	}
	CU_ASSERT_EQUAL(rc, 0);
	wait_for(m, st, 60, try_judged);
	CU_ASSERT(try_judged(st));
	{
		/* The try's entry: the last to batch=1 (a guard entry or a
		 * periodic search's swap may follow it). */
		const struct adn_morph_swap *h = NULL;

		for (unsigned int i = st->n_history; i-- > 0 && h == NULL;)
			if (strcmp(st->history[i].to, "batch,batch=1") == 0)
				h = &st->history[i];
		CU_ASSERT_PTR_NOT_NULL(h);
		if (h == NULL)
			goto out;
		printf("\n  batch=1 confirmed %+.1f%%", h->confirmed * 100);
		if (h->confirmed < -c.min_gain / 2) {
			/* Worse than noise: rolled back to the plan before. */
			CU_ASSERT_EQUAL(st->rollbacks, rollbacks + 1);
			CU_ASSERT(h + 1 < st->history + st->n_history &&
				  strcmp(h[1].reason, "guard") == 0 &&
				  strcmp(h[1].to, before_try) == 0);
			printf(": back to %s", before_try);
		} else {
			/* A worker starved by the other tests measured no
			 * loss (or nothing): the guard must leave it. */
			CU_ASSERT_EQUAL(st->rollbacks, rollbacks);
			printf(": kept (no loss measured on this machine)");
		}
	}
out:
	adn_morph_stop(m);
	adn_runtime_stop(rt);
	/* Every packet accounted for, over all versions and each one. */
	adn_runtime_sync(rt);
	adn_runtime_totals(rt, &t);
	adn_runtime_swap_stats(rt, &sw);
	CU_ASSERT(t.received > 0);
	CU_ASSERT_EQUAL(t.received, t.transmitted + t.dropped + t.in_flight);
	CU_ASSERT_EQUAL(sw.unbalanced, 0);
	/* A version per Morph swap: a search's and the try's at least. */
	CU_ASSERT(st->swaps >= 2);
	CU_ASSERT(sw.swaps >= st->swaps);
	adn_morph_free(m);
	adn_runtime_free(rt);
	adn_errs_clear(&errs);
	free(st);
}

static bool
recalled(const struct adn_morph_status *st)
{
	return st->searches >= 2 && st->recalls >= 1;
}

static struct morph_traffic_stats
traffic(double distinct, double topk)
{
	return (struct morph_traffic_stats){ .distinct = distinct,
					     .topk_share = topk,
					     .samples = 1 };
}

static void
test_regimes(void)
{
	struct morph_regimes rs = { 0 };
	struct morph_branches br = { .n = 2, .share = { 0.5, 0.5 } };
	struct morph_branches br2 = { .n = 2, .share = { 0.9, 0.1 } };
	struct morph_traffic_stats heavy = traffic(8000, 0.05);
	struct morph_traffic_stats skewed = traffic(300, 0.9);
	struct morph_traffic_stats near = traffic(6000, 0.1);
	int h, k;

	CU_ASSERT_EQUAL(morph_regime_find(&rs, &heavy, &br), -1);
	h = morph_regime_put(&rs, &heavy, &br, "jit8");
	k = morph_regime_put(&rs, &skewed, &br, "batch,route=fastpath1024");
	CU_ASSERT(h != k);
	CU_ASSERT_EQUAL(rs.n, 2);
	/* Within the drift thresholds: the same regime. */
	CU_ASSERT_EQUAL(morph_regime_find(&rs, &near, &br), h);
	CU_ASSERT_EQUAL(morph_regime_find(&rs, &skewed, &br), k);
	CU_ASSERT_PTR_NULL(morph_traffic_differs(&near, &br, &heavy, &br));
	CU_ASSERT_STRING_EQUAL(morph_traffic_differs(&skewed, &br, &heavy,
						     &br), "top-K share");
	/* The same top-K and flows, other branch shares: another regime. */
	CU_ASSERT_EQUAL(morph_regime_find(&rs, &heavy, &br2), -1);
	CU_ASSERT_STRING_EQUAL(morph_traffic_differs(&heavy, &br2, &heavy,
						     &br), "branch shares");
	/* A regime takes its latest plan, and no second entry. */
	CU_ASSERT_EQUAL(morph_regime_put(&rs, &near, &br, "group8"), h);
	CU_ASSERT_STRING_EQUAL(rs.r[h].plan, "group8");
	CU_ASSERT_EQUAL(rs.n, 2);
	/* Full: the oldest (heavy) goes first. */
	for (unsigned int i = 0; i < MORPH_REGIMES - 1; i++) {
		struct morph_traffic_stats t = traffic(1e6 * pow(3, i), 0.5);

		morph_regime_put(&rs, &t, &br, "batch");
	}
	CU_ASSERT_EQUAL(rs.n, MORPH_REGIMES);
	CU_ASSERT_EQUAL(morph_regime_find(&rs, &heavy, &br), -1);
	CU_ASSERT_EQUAL(morph_regime_find(&rs, &skewed, &br), k);
}

/* GenSource alternating heavy-tailed and skewed every 1.5 s: with no
 * periodic search, the first change is a drift that starts a search,
 * the next ones return to regimes searched already and recall their
 * plans. */
static void
test_drift_starts_a_search(void)
{
	struct adn_morph_conf c;
	struct adn_morph *m = NULL;
	struct adn_morph_status *st = malloc(sizeof(*st));
	struct adn_errs errs = { 0 };
	unsigned int drifts = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	start_workload("workload = \"phased\"; phase = 1.5;", "batch",
		       "morph = { period = 1000.0; population = 4;\n"
		       "  generations = 1; window = 8192; confirm = 0.2;\n"
		       "  sample = 8; };\n");
	CU_ASSERT_EQUAL_FATAL(adn_morph_conf_read(adn_runtime_config(rt), &c,
						  &errs), 0);
	CU_ASSERT_EQUAL_FATAL(adn_morph_create(rt, &c, &m, &errs), 0);
	CU_ASSERT_EQUAL_FATAL(adn_morph_start(m), 0);
	wait_for(m, st, 60, recalled);
	for (unsigned int i = 0; i < st->n_history; i++)
		printf("\n  %.1f s %s: %s", st->history[i].at,
		       st->history[i].reason, st->history[i].to);
	printf("\n  %" PRIu64 " searches, %" PRIu64 " recalls", st->searches,
	       st->recalls);
	CU_ASSERT(st->searches >= 2);
	CU_ASSERT(st->recalls >= 1);
	adn_morph_stop(m);
	adn_morph_status(m, st);
	/* Searches beyond the first came from drifts (the period is long):
	 * the swaps they made say so. */
	for (unsigned int i = 0; i < st->n_history; i++)
		drifts += strncmp(st->history[i].reason, "drift", 5) == 0 ||
			strncmp(st->history[i].reason, "recall", 6) == 0;
	printf(", %u swaps on drift", drifts);
	adn_morph_free(m);
	adn_runtime_free(rt);
	adn_errs_clear(&errs);
	free(st);
}

static void
test_config_errors(void)
{
	static const char *const bad[] = {
		"morph = 3;",
		"morph = { sample = 0; };",
		"morph = { objective = \"speed\"; };",
		"morph = { period = \"x\"; };",
		"morph = { populaton = 8; };",
		"morph = { min_gain = -1.0; };",
		"morph = { enabled = 1; };",
		"morph = { window = 1.5; };",
	};
	config_t cfg;

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		struct adn_errs errs = { 0 };
		struct adn_morph_conf c;

		config_init(&cfg);
		CU_ASSERT_FATAL(config_read_string(&cfg, bad[i]) == CONFIG_TRUE);
		CU_ASSERT_EQUAL(adn_morph_conf_read(&cfg, &c, &errs), -EINVAL);
		CU_ASSERT_EQUAL(errs.n, 1);
		/* Each names the line. */
		CU_ASSERT(errs.n && strstr(errs.msg[0], ":1:") != NULL);
		adn_errs_clear(&errs);
		config_destroy(&cfg);
	}
}

/* The compiled forms a search tries after its winner: the winner with
 * each scoring stand-in put back as the compiler (twin), and the winner
 * with the compiler as its default template (variant). */
static void
test_compiled_forms(void)
{
	char out[ADN_PLAN_MAX];

	CU_ASSERT_EQUAL(morph_compiled_twin("fused8,route=fastpath64,ct=fused4",
					    out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "jit8,route=fastpath64,ct=jit4");
	CU_ASSERT_EQUAL(morph_compiled_twin("batch,route=fastpath64", out,
					    sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "batch,route=fastpath64");
	CU_ASSERT_EQUAL(morph_compiled_variant("batch,route=fastpath64", out,
					       sizeof(out)), 1);
	CU_ASSERT_STRING_EQUAL(out, "jit8,route=fastpath64");
	CU_ASSERT_EQUAL(morph_compiled_variant("jit8", out, sizeof(out)), 0);
}

/* The tests' config and route files, written by start_workload. */
static int
remove_files(void)
{
	if (cfg_path[0] != '\0')
		unlink(cfg_path);
	if (routes_path[0] != '\0')
		unlink(routes_path);
	return 0;
}

int
main(void)
{
	CU_pSuite s;

	if (adn_test_eal_init_lcores("morph", "0-1") < 0 ||
	    CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("morph", NULL, remove_files);
	CU_ADD_TEST(s, test_search_finds_global_optimum);
	CU_ADD_TEST(s, test_upsample_skewed);
	CU_ADD_TEST(s, test_upsample_heavy_tailed);
	CU_ADD_TEST(s, test_upsample_uniform_small);
	CU_ADD_TEST(s, test_config_errors);
	CU_ADD_TEST(s, test_regimes);
	CU_ADD_TEST(s, test_compiled_forms);
	CU_ADD_TEST(s, test_evaluation_leaves_live_state);
	CU_ADD_TEST(s, test_end_to_end_swap_and_guard);
	CU_ADD_TEST(s, test_drift_starts_a_search);
	return adn_test_main();
}
