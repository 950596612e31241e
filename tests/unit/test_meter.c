/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meter and its buckets on a virtual TSC clock: srTCM and trTCM bursts
 * coloured exactly as RFC 2697 / 2698 say, buckets full again after idle
 * time, and over a long random trace the bytes of each colour within 1 %
 * of an exact RFC model (rte_meter credits tokens per period, so a
 * per-packet comparison would test its rounding, not the meter). The
 * element: per-flow buckets apart, outputs by colour, drop_red, frames
 * with nothing to hash dropped and counted, config errors naming the key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "adn_elem.h"
#include "adn_meter.h"
#include "adn_rand.h"
#include "adn_test.h"

static void
burst(struct adn_meter *m, uint64_t t, unsigned int n, uint32_t len,
      unsigned int cnt[3])
{
	memset(cnt, 0, 3 * sizeof(cnt[0]));
	for (unsigned int i = 0; i < n; i++)
		cnt[adn_meter_color(m, 0, len, t)]++;
}

static void
test_srtcm_burst_and_refill(void)
{
	const struct adn_meter_conf c = { .kind = ADN_METER_SRTCM,
		.cir = 1000, .cbs = 3000, .ebs = 2000, .n_buckets = 1 };
	const uint64_t hz = rte_get_tsc_hz();
	struct adn_meter *m;
	unsigned int cnt[3];
	uint64_t t0;

	CU_ASSERT_EQUAL_FATAL(adn_meter_create(&c, &m), 0);
	t0 = rte_get_tsc_cycles();
	burst(m, t0, 8, 1000, cnt);
	CU_ASSERT(cnt[0] == 3 && cnt[1] == 2 && cnt[2] == 3);
	/* 1 s refills 1000 bytes into C */
	burst(m, t0 + hz, 2, 1000, cnt);
	CU_ASSERT(cnt[0] == 1 && cnt[2] == 1);
	/* 10 s: both buckets full again */
	burst(m, t0 + 11 * hz, 8, 1000, cnt);
	CU_ASSERT(cnt[0] == 3 && cnt[1] == 2 && cnt[2] == 3);
	adn_meter_free(m);
}

static void
test_trtcm_burst(void)
{
	const struct adn_meter_conf c = { .kind = ADN_METER_TRTCM,
		.cir = 1000, .pir = 2000, .cbs = 1000, .pbs = 3000,
		.n_buckets = 1 };
	struct adn_meter *m;
	unsigned int cnt[3];

	CU_ASSERT_EQUAL_FATAL(adn_meter_create(&c, &m), 0);
	/* RFC 2698: red past P; yellow past C; green takes from both */
	burst(m, rte_get_tsc_cycles(), 10, 500, cnt);
	CU_ASSERT(cnt[0] == 2 && cnt[1] == 4 && cnt[2] == 4);
	adn_meter_free(m);
	CU_ASSERT_EQUAL(adn_meter_create(&(struct adn_meter_conf){
		.kind = ADN_METER_TRTCM, .cir = 1000, .pir = 500, .cbs = 1,
		.pbs = 1, .n_buckets = 1 }, &m), -EINVAL);
	CU_ASSERT_EQUAL(adn_meter_create(&(struct adn_meter_conf){
		.kind = ADN_METER_SRTCM, .cir = 1000, .cbs = 1, .ebs = 1,
		.n_buckets = 3 }, &m), -EINVAL);
}

/* RFC 2697, tokens as reals. */
struct m_srtcm {
	double tc, te, cir, cbs, ebs;
	uint64_t last;
};

static int
m_srtcm_color(struct m_srtcm *s, uint64_t t, uint32_t len, uint64_t hz)
{
	double add = (double)(t - s->last) * s->cir / (double)hz;

	s->last = t;
	/* C first, the overflow into E */
	s->tc += add;
	if (s->tc > s->cbs) {
		s->te += s->tc - s->cbs;
		s->tc = s->cbs;
		if (s->te > s->ebs)
			s->te = s->ebs;
	}
	if (s->tc >= len) {
		s->tc -= len;
		return 0;
	}
	if (s->te >= len) {
		s->te -= len;
		return 1;
	}
	return 2;
}

static void
test_srtcm_long_run_matches_rfc_model(void)
{
	const struct adn_meter_conf c = { .kind = ADN_METER_SRTCM,
		.cir = 1250000, .cbs = 20000, .ebs = 40000, .n_buckets = 1 };
	const uint64_t hz = rte_get_tsc_hz();
	struct m_srtcm s = { .tc = 20000, .te = 40000, .cir = 1250000,
		.cbs = 20000, .ebs = 40000 };
	uint64_t got[3] = { 0 }, want[3] = { 0 }, t;
	struct adn_meter *m;
	struct adn_rand r;

	CU_ASSERT_EQUAL_FATAL(adn_meter_create(&c, &m), 0);
	adn_rand_seed(&r, 5);
	t = rte_get_tsc_cycles();
	s.last = t;
	/* ~2x the rate on average, in bursts: all colours occur */
	for (unsigned int i = 0; i < 200000; i++) {
		uint32_t len = 64 + (uint32_t)(adn_rand_u64(&r) % 1437);

		t += adn_rand_u64(&r) % 8 == 0 ?
			(uint64_t)(adn_rand_u64(&r) % (hz / 200)) : 0;
		got[adn_meter_color(m, 0, len, t)] += len;
		want[m_srtcm_color(&s, t, len, hz)] += len;
	}
	for (int k = 0; k < 3; k++) {
		CU_ASSERT(want[k] > 0);
		CU_ASSERT((double)got[k] > want[k] * 0.99 &&
			  (double)got[k] < want[k] * 1.01);
	}
	adn_meter_free(m);
}

/* --- the element ------------------------------------------------------- */

static void
test_meter_element_colours_per_flow(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("meter", "Meter",
		"per = \"flow\"; buckets = 1024; cir = 1; cbs = 2000; ebs = 1000;",
		3, NULL);
	struct rte_mbuf *m[8];
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* two flows, four 1000-byte frames each: 2 green, 1 yellow, 1 red */
	for (unsigned int i = 0; i < 8; i++) {
		m[i] = adn_test_ipv4(IPPROTO_UDP, (uint16_t)(1000 + i % 2), 53,
				     64, 1000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
	}
	adn_test_run(p, "src", m, 8);
	adn_elem_totals(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.out[0], 4);
	CU_ASSERT_EQUAL(t.out[1], 2);
	CU_ASSERT_EQUAL(t.out[2], 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "green-bytes"), 4000);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "red-packets"), 2);
	adn_test_free(p);
}

static void
test_meter_element_drops_red(void)
{
	struct adn_pipeline *p = adn_test_chain_outputs("meterd", "Meter",
		"kind = \"trtcm\"; cir = 1; pir = 2; cbs = 100; pbs = 300; drop_red = true;",
		2, NULL);
	struct rte_mbuf *m[5];
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (unsigned int i = 0; i < 5; i++)	/* one class, 100 bytes */
		m[i] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 100);
	adn_test_run(p, "src", m, 5);
	adn_elem_totals(adn_pipeline_find(p, "x"), &t);
	CU_ASSERT_EQUAL(t.out[0], 1);
	CU_ASSERT_EQUAL(t.out[1], 2);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "red"), 2);
	adn_test_free(p);
}

/* Per flow: a frame with no IPv4 header to hash is a counted drop; a
 * truncated one still has its addresses and is metered. No mbuf lost. */
static void
test_meter_element_bad_frames(void)
{
	struct rte_mempool *mp = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(mp);
	struct adn_pipeline *p = adn_test_chain_outputs("meterbad", "Meter",
		"per = \"flow\"; buckets = 16; cir = 1000; cbs = 100000;", 3,
		NULL);
	struct rte_mbuf *m[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 64);
	rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	m[1] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 14 + 10);	/* no IP */
	m[2] = adn_test_ipv4(IPPROTO_TCP, 1, 2, 64, 14 + 20 + 2);
	adn_test_run(p, "src", m, 3);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "green-packets"), 1);
	adn_test_free(p);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_meter_config_errors_name_the_key(void)
{
	static const struct { const char *keys, *want; } bad[] = {
		{ "kind = \"trtcm\"; cir = 10; cbs = 10;", "'pir'" },
		{ "kind = \"trtcm\"; cir = 10; pir = 5; cbs = 10; pbs = 10;",
		  "'pir'" },
		{ "per = \"flow\"; buckets = 1000; cir = 10; cbs = 10;",
		  "'buckets'" },
		{ "cbs = 10;", "'cir'" },
		{ "kind = \"srTCM\"; cir = 10; cbs = 10;", "'kind'" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		adn_test_config_error("Meter", bad[i].keys, 3, bad[i].want);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("meter");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_srtcm_burst_and_refill);
	CU_ADD_TEST(s, test_trtcm_burst);
	CU_ADD_TEST(s, test_srtcm_long_run_matches_rfc_model);
	CU_ADD_TEST(s, test_meter_element_colours_per_flow);
	CU_ADD_TEST(s, test_meter_element_drops_red);
	CU_ADD_TEST(s, test_meter_element_bad_frames);
	CU_ADD_TEST(s, test_meter_config_errors_name_the_key);
	return adn_test_main();
}
