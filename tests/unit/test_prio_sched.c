/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PrioSched: the release order of random backlogs (random classes, sizes
 * and weights, released in random chunk sizes) equals a textbook model
 * (strict classes in index order, then Shreedhar & Varghese's deficit
 * round robin over the rest); a strict class that arrives later still goes
 * first; full queues drop and count exactly the overflow; a token bucket
 * never releases more than burst + rate x time; what is held when the
 * pipeline goes is counted as flushed and returned to the pool; config
 * errors name the key.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_rand.h"
#include "adn_test.h"

#define MAXC 4

/* A UDP frame of `len` bytes with DSCP `dscp`; its source port is `id`. */
static struct rte_mbuf *
pkt(uint16_t id, uint8_t dscp, uint16_t len)
{
	struct rte_mbuf *m = adn_test_ipv4(IPPROTO_UDP, id, 9, 64, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	adn_test_ipv4_hdr(m)->type_of_service = (uint8_t)(dscp << 2);
	return m;
}

static uint16_t
pkt_id(struct rte_mbuf *m)
{
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)
		(adn_test_ipv4_hdr(m) + 1);

	return rte_be_to_cpu_16(u->src_port);
}

/* Run `n` packets into x (src's batch) on executor `x`. */
static void
push(struct adn_exec *x, struct adn_pipeline *p, struct rte_mbuf **m,
     unsigned int n)
{
	struct adn_elem *src = adn_pipeline_find(p, "src");
	struct adn_batch *b = adn_exec_source_batch(x, src);

	memcpy(b->pkts, m, n * sizeof(*m));
	b->n = (uint16_t)n;
	adn_exec_run(x, src->index);
}

/* One worker poll of the queue element: returns how many it released. */
static unsigned int
poll_once(struct adn_exec *x, struct adn_pipeline *p)
{
	struct adn_test_sink *s = adn_test_sink(p, "out");
	const unsigned int before = s->n;

	adn_exec_release(x, adn_pipeline_find(p, "x"));
	return s->n - before;
}

struct model_pkt {
	uint16_t id, len;
};

/* The textbook model of a backlog released with no arrivals: strict
 * classes drain first, lowest index first; then DRR rounds over the
 * weighted classes in index order (each non-empty class gets its quantum
 * and sends while its head fits; an emptied class loses its deficit). */
static unsigned int
model(struct model_pkt q[MAXC][256], const unsigned int *nq,
      const unsigned int *weight, unsigned int nc, uint16_t *order)
{
	unsigned int head[MAXC] = { 0 }, n = 0, left = 0;
	uint64_t deficit[MAXC] = { 0 };

	for (unsigned int c = 0; c < nc; c++)
		left += nq[c];
	for (unsigned int c = 0; c < nc; c++)
		while (weight[c] == 0 && head[c] < nq[c])
			order[n++] = q[c][head[c]++].id;
	while (n < left) {
		for (unsigned int c = 0; c < nc; c++) {
			if (weight[c] == 0 || head[c] == nq[c])
				continue;
			deficit[c] += weight[c] * 1514u;
			while (head[c] < nq[c] && q[c][head[c]].len <= deficit[c]) {
				deficit[c] -= q[c][head[c]].len;
				order[n++] = q[c][head[c]++].id;
			}
			if (head[c] == nq[c])
				deficit[c] = 0;
		}
	}
	return n;
}

static void
test_release_order_matches_drr_model(void)
{
	struct adn_rand r = { 0 };

	adn_rand_seed(&r, 17);
	for (unsigned int round = 0; round < 40; round++) {
		static struct model_pkt q[MAXC][256];
		unsigned int nq[MAXC] = { 0 }, weight[MAXC], total = 0;
		const unsigned int nc = 2 +
			(unsigned int)adn_rand_below(&r, MAXC - 1);
		static uint16_t want[MAXC * 256];
		char keys[256], cls[96] = "", ws[64] = "";
		struct rte_mbuf *m[600];
		struct adn_test_sink *s;
		struct adn_pipeline *p;
		struct adn_exec *x;
		unsigned int got = 0;

		for (unsigned int c = 0; c < nc; c++) {
			/* one strict class at most, anywhere */
			weight[c] = (c == round % nc && round % 3 == 0) ? 0 :
				1 + (unsigned int)adn_rand_below(&r, 4);
			snprintf(cls + strlen(cls), sizeof(cls) - strlen(cls),
				 "%s[%u]", c ? ", " : "", c + 10);
			snprintf(ws + strlen(ws), sizeof(ws) - strlen(ws),
				 "%s%u", c ? ", " : "", weight[c]);
		}
		snprintf(keys, sizeof(keys),
			 "classes = (%s); weights = [%s]; queue = 256;", cls,
			 ws);
		p = adn_test_chain("ps_model", "PrioSched", keys, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		x = adn_exec_create(p, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		total = 100 + (unsigned int)adn_rand_below(&r, 400);
		for (unsigned int i = 0; i < total; i++) {
			const unsigned int c = (unsigned int)adn_rand_below(&r, nc);
			const uint16_t len = (uint16_t)(60 +
				(unsigned int)adn_rand_below(&r, 1455));

			m[i] = pkt((uint16_t)i, (uint8_t)(c + 10), len);
			q[c][nq[c]].id = (uint16_t)i;
			q[c][nq[c]++].len = len;
		}
		for (unsigned int i = 0; i < total; i += ADN_BATCH_MAX)
			push(x, p, m + i, RTE_MIN(total - i,
						 (unsigned int)ADN_BATCH_MAX));
		CU_ASSERT_EQUAL(model(q, nq, weight, nc, want), total);
		/* Released one poll at a time; the sink sees the order. */
		while (poll_once(x, p) != 0)
			;
		s = adn_test_sink(p, "out");
		CU_ASSERT_EQUAL(s->n, total);
		for (unsigned int i = 0; i < s->n && i < total; i++)
			got += pkt_id(s->pkts[i]) == want[i];
		CU_ASSERT_EQUAL(got, total);
		if (got != total)
			printf("\nround %u: %u of %u in the model's order\n",
			       round, got, total);
		adn_test_sink_clear(s);
		adn_exec_free(x);
		adn_test_free(p);
	}
}

static void
test_strict_class_overtakes_backlog(void)
{
	struct adn_pipeline *p = adn_test_chain("ps_strict", "PrioSched",
		"classes = ([46], [0]); pps = 1000; burst = 1;", NULL);
	struct rte_mbuf *m[64];
	struct adn_test_sink *s;
	struct adn_exec *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	for (unsigned int i = 0; i < 50; i++)
		m[i] = pkt((uint16_t)i, 0, 100);
	push(x, p, m, 50);
	/* The bucket holds one packet: the first bulk one leaves. */
	CU_ASSERT_EQUAL(poll_once(x, p), 1);
	m[0] = pkt(1000, 46, 100);
	push(x, p, m, 1);
	/* The next token goes to the high class, not the 49 bulk ones. */
	while (poll_once(x, p) == 0)
		rte_delay_us_block(100);
	s = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL(s->n, 2);
	CU_ASSERT_EQUAL(pkt_id(s->pkts[0]), 0);
	CU_ASSERT_EQUAL(pkt_id(s->pkts[1]), 1000);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "c1-queued"), 49);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "c0-released"), 1);
	adn_test_sink_clear(s);
	adn_exec_free(x);
	adn_test_free(p);
}

static void
test_full_queue_drops_the_overflow(void)
{
	struct adn_pipeline *p = adn_test_chain("ps_full", "PrioSched",
		"classes = ([46], [0]); queue = 8;", NULL);
	struct rte_mbuf *m[32];
	struct adn_exec *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	for (unsigned int i = 0; i < 20; i++)
		m[i] = pkt((uint16_t)i, i < 5 ? 46 : 0, 100);
	/* Unknown DSCP (7) goes to the last class too. */
	m[20] = pkt(20, 7, 100);
	push(x, p, m, 21);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "queue-full"), 8);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "c1-dropped"), 8);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "c0-dropped"), 0);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "held"), 13);
	CU_ASSERT_EQUAL(poll_once(x, p), 13);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "held"), 0);
	adn_test_sink_clear(adn_test_sink(p, "out"));
	adn_exec_free(x);
	adn_test_free(p);
}

static void
test_token_bucket_bounds_the_rate(void)
{
	/* 1000 packets/s, burst 5: at most 5 + 1000 x elapsed leave. */
	struct adn_pipeline *p = adn_test_chain("ps_rate", "PrioSched",
		"classes = ([0]); pps = 1000; burst = 5;", NULL);
	const uint64_t hz = rte_get_tsc_hz();
	struct rte_mbuf *m[200];
	unsigned int out = 0;
	struct adn_exec *x;
	uint64_t t0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	for (unsigned int i = 0; i < 200; i++)
		m[i] = pkt((uint16_t)i, 0, 100);
	t0 = rte_get_tsc_cycles();
	push(x, p, m, 200);
	CU_ASSERT_EQUAL(poll_once(x, p), 5);
	out = 5;
	while (rte_get_tsc_cycles() - t0 < hz / 20)	/* 50 ms */
		out += poll_once(x, p);
	/* Upper bound is exact; the lower one leaves room for a busy
	 * machine descheduling the test (it only loses polls, not tokens:
	 * the bucket catches up on the next poll up to its depth). */
	CU_ASSERT(out <= 5 + 1000 * (rte_get_tsc_cycles() - t0) / hz + 1);
	CU_ASSERT(out >= 30);
	adn_test_sink_clear(adn_test_sink(p, "out"));
	adn_exec_free(x);
	adn_test_free(p);
}

static void
test_held_packets_flushed_and_counted(void)
{
	struct rte_mempool *mp = adn_test_pool();
	const unsigned int avail = rte_mempool_avail_count(mp);
	struct adn_pipeline *p = adn_test_chain("ps_flush", "PrioSched",
		"classes = ([46], [0]); pps = 10; burst = 1;", NULL);
	struct adn_elem_totals t;
	struct rte_mbuf *m[10];
	struct adn_exec *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = adn_exec_create(p, 0);
	for (unsigned int i = 0; i < 10; i++)
		m[i] = pkt((uint16_t)i, 0, 100);
	push(x, p, m, 10);
	CU_ASSERT_EQUAL(poll_once(x, p), 1);
	adn_pipeline_flush(p);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "flushed"), 9);
	adn_test_counters(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.in, 10);
	CU_ASSERT_EQUAL(t.out[0] + t.dropped, 10);
	adn_test_sink_clear(adn_test_sink(p, "out"));
	adn_exec_free(x);
	adn_test_free(p);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_config_errors_name_the_key(void)
{
	adn_test_config_error("PrioSched", "classes = ([46], [46]);", 1,
			      "two classes");
	adn_test_config_error("PrioSched", "classes = ([64]);", 1, "0-63");
	adn_test_config_error("PrioSched",
			      "classes = ([1], [2]); weights = [0];", 1,
			      "'weights'");
	adn_test_config_error("PrioSched",
			      "classes = ([1]); rate = 1000; pps = 10;", 1,
			      "'pps'");
	adn_test_config_error("PrioSched", "classes = (1, 2);", 1,
			      "array of DSCP");
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("prio_sched");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_release_order_matches_drr_model);
	CU_ADD_TEST(s, test_strict_class_overtakes_backlog);
	CU_ADD_TEST(s, test_full_queue_drops_the_overflow);
	CU_ADD_TEST(s, test_token_bucket_bounds_the_rate);
	CU_ADD_TEST(s, test_held_packets_flushed_and_counted);
	CU_ADD_TEST(s, test_config_errors_name_the_key);
	return adn_test_main();
}
