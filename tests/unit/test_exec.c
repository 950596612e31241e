/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Executor: batches split by per-packet output port (copy path and the
 * zero-copy hand-over), joins, drops per reason, and the accounting
 * identity — every mbuf transmitted or freed exactly once (and freed
 * the right way: adn_pkt_free_bulk), and the pools they come from.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "adn_elem.h"
#include "adn_port.h"
#include "adn_test.h"

#define SPLIT_DROP 0xfe		/* first byte: drop with reason 0 */
#define SPLIT_BAD_PORT 0xfd	/* first byte: return a port that is not there */

static const char *const split_drops[] = { "test-drop", NULL };

/* Output = the packet's first byte. */
static int
split_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	uint8_t v = *rte_pktmbuf_mtod(m, uint8_t *);

	if (v == SPLIT_DROP)
		return adn_drop(0);
	if (v == SPLIT_BAD_PORT)
		return 7;
	return v;
}

static const struct adn_elem_desc split_desc = {
	.name = "TestSplit",
	.n_outputs = 3,
	.drop_reasons = split_drops,
	.exec = split_exec,
};
ADN_ELEM_REGISTER(split_desc);

static const char *const split_cfg =
	"elements = (\n"
	"  { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"split\"; type = \"TestSplit\"; },\n"
	"  { name = \"c0\"; type = \"Counter\"; },\n"
	"  { name = \"c1\"; type = \"Counter\"; },\n"
	"  { name = \"out\"; type = \"TestSink\"; },\n"
	"  { name = \"drop\"; type = \"Discard\"; }\n"
	");\n"
	"links = ( \"src -> split -> c0 -> out\",\n"
	"          \"split[1] -> c1 -> out\",\n"
	"          \"split[2] -> drop\" );\n";

static struct rte_mbuf *
tagged(uint8_t tag, uint16_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(adn_test_pool());
	uint8_t *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (p == NULL) {
		CU_FAIL_FATAL("mbuf too small");
		return m;
	}
	memset(p, 0, 64);
	p[0] = tag;
	memcpy(p + 2, &seq, sizeof(seq));
	return m;
}

static uint16_t
seq_of(struct rte_mbuf *m)
{
	uint16_t seq;

	memcpy(&seq, rte_pktmbuf_mtod_offset(m, uint8_t *, 2), sizeof(seq));
	return seq;
}

static void
totals_of(struct adn_pipeline *p, const char *name, struct adn_elem_totals *t)
{
	struct adn_elem *e = adn_pipeline_find(p, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	adn_elem_totals(e, t);
}

static void
test_exec_splits_mixed_ports_and_accounts_every_mbuf(void)
{
	struct adn_pipeline *p = adn_test_build("split", split_cfg, NULL);
	struct rte_mempool *pool = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(pool);
	static const uint8_t pattern[] = {
		0, 1, 0, 2, SPLIT_DROP, 1, 1, SPLIT_BAD_PORT, 0, 2,
	};
	unsigned int want[3] = { 0 }, want_drop = 0, want_bad = 0;
	struct rte_mbuf *pkts[1000];
	struct adn_elem_totals t;
	struct adn_totals all;
	struct adn_test_sink *out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (uint16_t i = 0; i < RTE_DIM(pkts); i++) {
		uint8_t tag = pattern[(i * 7 + i / 13) % RTE_DIM(pattern)];

		pkts[i] = tagged(tag, i);
		if (tag < 3)
			want[tag]++;
		else if (tag == SPLIT_DROP)
			want_drop++;
		else
			want_bad++;
	}
	adn_test_run(p, "src", pkts, RTE_DIM(pkts));

	totals_of(p, "split", &t);
	CU_ASSERT_EQUAL(t.in, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(t.out[0], want[0]);
	CU_ASSERT_EQUAL(t.out[1], want[1]);
	CU_ASSERT_EQUAL(t.out[2], want[2]);
	CU_ASSERT_EQUAL(t.drop[0], want_drop);
	CU_ASSERT_EQUAL(t.drop[ADN_DROP_BAD_PORT], want_bad);
	totals_of(p, "drop", &t);
	CU_ASSERT_EQUAL(t.dropped, want[2]);

	/* The join sees both branches; within one branch order is kept. */
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL(out->n, want[0] + want[1]);
	for (unsigned int tag = 0; tag < 2; tag++) {
		int last = -1;

		for (unsigned int i = 0; i < out->n; i++) {
			if (*rte_pktmbuf_mtod(out->pkts[i], uint8_t *) != tag)
				continue;
			CU_ASSERT(seq_of(out->pkts[i]) > last);
			last = seq_of(out->pkts[i]);
		}
	}

	adn_pipeline_totals(p, NULL, 0, &all);
	CU_ASSERT_EQUAL(all.received, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(all.transmitted, want[0] + want[1]);
	CU_ASSERT_EQUAL(all.dropped, want[2] + want_drop + want_bad);
	CU_ASSERT_EQUAL(all.received,
			all.transmitted + all.dropped + all.in_flight);

	/* Everything the executor dropped went back to the pool. */
	adn_test_sink_clear(out);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	adn_test_free(p);
}

/* A batch is handed on whole only when every packet goes one way: one
 * packet the other way, at any position (the uniformity check compares
 * sixteen bytes at a time, then the tail), splits it. */
static void
test_exec_one_packet_the_other_way_splits_the_batch(void)
{
	struct adn_pipeline *p = adn_test_build("oneoff", split_cfg, NULL);
	struct rte_mempool *pool = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(pool);
	const uint16_t n = 37;		/* 74 bytes of codes: 4 x 16 + 10 */
	struct rte_mbuf *pkts[37];
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (uint16_t odd = 0; odd < n; odd++) {
		for (uint16_t i = 0; i < n; i++)
			pkts[i] = tagged(i == odd ? 1 : 0, i);
		adn_test_run(p, "src", pkts, n);
		totals_of(p, "split", &t);
		CU_ASSERT_EQUAL(t.out[1], odd + 1u);
		CU_ASSERT_EQUAL(t.out[0], (odd + 1u) * (n - 1u));
	}
	totals_of(p, "c1", &t);
	CU_ASSERT_EQUAL(t.in, n);
	adn_test_sink_clear(adn_test_sink(p, "out"));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	adn_test_free(p);
}

static void
test_exec_hands_over_whole_batch_when_all_go_one_way(void)
{
	struct adn_pipeline *p = adn_test_build("oneway", split_cfg, NULL);
	struct rte_mempool *pool = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *pkts[3 * ADN_BATCH_MAX];
	struct adn_test_sink *out;
	struct adn_elem_totals t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (uint16_t i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = tagged(1, i);
	adn_test_run(p, "src", pkts, RTE_DIM(pkts));
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, RTE_DIM(pkts));
	for (unsigned int i = 0; i < out->n; i++)
		CU_ASSERT_EQUAL(seq_of(out->pkts[i]), i);
	totals_of(p, "c1", &t);
	CU_ASSERT_EQUAL(t.in, RTE_DIM(pkts));
	totals_of(p, "c0", &t);
	CU_ASSERT_EQUAL(t.in, 0);
	adn_test_sink_clear(out);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	adn_test_free(p);
}

static void
test_exec_all_dropped_batch_frees_everything(void)
{
	struct adn_pipeline *p = adn_test_build("alldrop", split_cfg, NULL);
	struct rte_mempool *pool = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *pkts[ADN_BATCH_MAX];
	struct adn_elem_totals t;
	struct adn_totals all;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (uint16_t i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = tagged(SPLIT_DROP, i);
	adn_test_run(p, "src", pkts, RTE_DIM(pkts));
	totals_of(p, "split", &t);
	CU_ASSERT_EQUAL(t.drop[0], RTE_DIM(pkts));
	adn_pipeline_totals(p, NULL, 0, &all);
	CU_ASSERT_EQUAL(all.dropped, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(all.transmitted, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	adn_test_free(p);
}

/* The kinds of mbuf adn_pkt_free_bulk must not put back as they are. */
enum odd_mbuf { ODD_SHARED, ODD_CLONE, ODD_CHAINED, ODD_OTHER_POOL };

/*
 * Frees a plain mbuf of the test pool beside one odd one, then checks
 * that both pools got back exactly what they lent and that a shared
 * buffer lost one reference. Each odd kind goes alone with a plain mbuf:
 * a batch with two kinds would take the full walk for either.
 */
static void
free_beside_plain(enum odd_mbuf kind, struct rte_mempool *other)
{
	struct rte_mempool *pool = adn_test_pool();
	const unsigned int avail = rte_mempool_avail_count(pool);
	const unsigned int avail_other = rte_mempool_avail_count(other);
	struct rte_mbuf *pkts[2], *kept = NULL, *tail;

	pkts[0] = tagged(0, 0);
	switch (kind) {
	case ODD_SHARED:	/* another holder keeps a reference */
		pkts[1] = kept = tagged(0, 1);
		rte_mbuf_refcnt_update(kept, 1);
		break;
	case ODD_CLONE:		/* indirect, in the same pool */
		kept = tagged(0, 1);
		pkts[1] = rte_pktmbuf_clone(kept, pool);
		break;
	case ODD_CHAINED:
		pkts[1] = tagged(0, 1);
		tail = tagged(0, 2);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(pkts[1], tail), 0);
		break;
	case ODD_OTHER_POOL:
		pkts[1] = rte_pktmbuf_alloc(other);
		break;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[1]);
	adn_pkt_free_bulk(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(other), avail_other);
	if (kept != NULL) {
		CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(kept), 1);
		CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail - 1);
		/* The last holder's free is the plain case again. */
		adn_pkt_free_bulk(&kept, 1);
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/* Drops and Recycle free through adn_pkt_free_bulk: its one bulk put is
 * only for mbufs a put cannot wrong. */
static void
test_pkt_free_bulk_puts_back_only_plain_mbufs(void)
{
	struct rte_mempool *other = rte_pktmbuf_pool_create(
		"free_other", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		rte_socket_id());
	struct rte_mempool *pool = adn_test_pool();
	const unsigned int avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *pkts[40];

	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	for (unsigned int i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = tagged(0, (uint16_t)i);
	adn_pkt_free_bulk(pkts, RTE_DIM(pkts));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	adn_pkt_free_bulk(pkts, 0);

	free_beside_plain(ODD_SHARED, other);
	free_beside_plain(ODD_CLONE, other);
	free_beside_plain(ODD_CHAINED, other);
	free_beside_plain(ODD_OTHER_POOL, other);
	rte_mempool_free(other);
}

static void
note_l1_set(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	uint64_t *sets = arg;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	*sets |= UINT64_C(1) << (((uintptr_t)obj / RTE_CACHE_LINE_SIZE) % 64);
}

/* adn_pktmbuf_pool_create packs its mbufs where it may: the tests run
 * without hugepages, where rte_pktmbuf_pool_create starts every mbuf on
 * a 4 KiB page of its own (the headers all in one of an L1 cache's 64
 * sets). Every mbuf is still whole: writing each one's whole buffer
 * leaves the others' as they were. */
static void
test_pktmbuf_pool_packs_its_mbufs(void)
{
	enum { N = 255, ROOM = RTE_MBUF_DEFAULT_BUF_SIZE };
	static struct rte_mbuf *m[N];

	for (int dma = 0; dma <= 1; dma++) {
		struct rte_mempool *mp = adn_pktmbuf_pool_create(
			dma ? "packed_dma" : "packed", N, 32, ROOM,
			(int)rte_socket_id(), dma);
		uint64_t sets = 0;
		unsigned int i;

		CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
		rte_mempool_obj_iter(mp, note_l1_set, &sets);
		if (!dma || rte_eal_iova_mode() == RTE_IOVA_VA)
			CU_ASSERT(__builtin_popcountll(sets) > 32);
		CU_ASSERT_EQUAL(rte_pktmbuf_data_room_size(mp), ROOM);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(mp, m, N), 0);
		for (i = 0; i < N; i++) {
			const char *why;

			CU_ASSERT_EQUAL(rte_mbuf_check(m[i], 1, &why), 0);
			CU_ASSERT_EQUAL(m[i]->buf_len, ROOM);
			memset(m[i]->buf_addr, (int)i, m[i]->buf_len);
		}
		for (i = 0; i < N; i++) {
			const uint8_t *b = m[i]->buf_addr;

			CU_ASSERT(b[0] == (uint8_t)i && b[ROOM - 1] == (uint8_t)i);
		}
		rte_pktmbuf_free_bulk(m, N);
		CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), N);
		rte_mempool_free(mp);
	}
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("exec");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_exec_splits_mixed_ports_and_accounts_every_mbuf);
	CU_ADD_TEST(s, test_exec_one_packet_the_other_way_splits_the_batch);
	CU_ADD_TEST(s, test_exec_hands_over_whole_batch_when_all_go_one_way);
	CU_ADD_TEST(s, test_exec_all_dropped_batch_frees_everything);
	CU_ADD_TEST(s, test_pkt_free_bulk_puts_back_only_plain_mbufs);
	CU_ADD_TEST(s, test_pktmbuf_pool_packs_its_mbufs);
	return adn_test_main();
}
