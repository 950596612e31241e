/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet path: frames of any length, in one segment or chained in
 * segments of a chosen size, through the reference pipeline
 * (adn_fuzz_pipeline_cfg: every stage-form element) under every template:
 * scalar, batch, prefetch, group<N>, fastpath<C>, fused<N> and jit (its
 * fused fallback: no compiler here), mixed plans and odd batch sizes.
 *
 * Input: byte 0 picks the plan, byte 1 the segment size (0-127: one
 * segment while the frame fits; 128-255: segments of 1 + (b & 127)
 * bytes); then frames, each a 2-byte big-endian length (modulo 9600) and
 * its bytes (a short last frame takes what is left).
 *
 * After each batch the queue element (PrioSched) releases what its token
 * bucket allows, as in a worker's poll round; after the input what it
 * still holds is flushed (dropped, counted). Checked after every input,
 * beyond the sanitizers: nothing in flight, every mbuf back in the pool
 * (none lost, none freed twice), and the pipeline's accounting identity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "adn_fuzz.h"
#include "adn_test.h"

#define FRAME_MAX 9600
#define MAX_FRAMES 512

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const plans[] = {
	"scalar", "batch", "prefetch", "group2", "group4", "group8",
	"fastpath64", "batch,route=fastpath16", "batch=64,fastpath16",
	"fused1", "fused4", "fused8", "jit4", "jit8",
	"batch=7,group4", "batch=1,prefetch", "batch=256,fused8",
	"fused8,route=fastpath16", "group4,ppm+csum=fused2",
	"jit8,route=fastpath64", "batch,route+flow=jit4,route=fastpath16",
};

static struct adn_pipeline *pipe;
static struct adn_exec *execs[RTE_DIM(plans)];
static uint16_t bursts[RTE_DIM(plans)];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	adn_fuzz_eal("fuzz_packet");
	pipe = adn_fuzz_pipeline("fuzz_packet", plans, RTE_DIM(plans), execs,
				 bursts);
	return 0;
}

/* A frame of len bytes from data (zero-filled past it), in segments of at
 * most `seg` bytes; NULL when the pool is dry. */
static struct rte_mbuf *
frame(const uint8_t *data, size_t len, size_t seg)
{
	struct rte_mempool *pool = adn_test_pool();
	struct rte_mbuf *head = NULL, *last = NULL;
	size_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		size_t k = len - off;
		uint8_t *p;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (k > seg)
			k = seg;
		if (k > rte_pktmbuf_tailroom(m))
			k = rte_pktmbuf_tailroom(m);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)k);
		memcpy(p, data + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += (uint32_t)k;
		}
		last = m;
	} while (off < len);
	return head;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mempool *pool = adn_test_pool();
	struct rte_mbuf *pkts[MAX_FRAMES];
	unsigned int n = 0, pi, in_use;
	struct adn_elem *src;
	struct adn_totals t;
	struct adn_exec *x;
	size_t seg;

	if (size < 2)
		return -1;
	pi = data[0] % RTE_DIM(plans);
	x = execs[pi];
	seg = data[1] < 128 ? SIZE_MAX : 1 + (size_t)(data[1] & 127);
	data += 2;
	size -= 2;
	in_use = rte_mempool_in_use_count(pool);
	while (size >= 2 && n < MAX_FRAMES) {
		size_t len = (((size_t)data[0] << 8) | data[1]) % FRAME_MAX;
		struct rte_mbuf *m;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		m = frame(data, len, seg);
		if (m == NULL)
			break;
		pkts[n++] = m;
		data += len;
		size -= len;
	}
	src = adn_pipeline_find(pipe, "src");
	for (unsigned int i = 0; i < n;) {
		struct adn_batch *b = adn_exec_source_batch(x, src);

		b->n = 0;
		while (i < n && b->n < bursts[pi])
			b->pkts[b->n++] = pkts[i++];
		adn_exec_run(x, src->index);
		/* As a worker's poll round: PrioSched releases what its
		 * bucket allows. */
		adn_exec_release_all(x);
		if (adn_exec_in_flight(x) != 0) {
			fprintf(stderr, "plan %s: %u packets in flight\n",
				plans[pi], (unsigned int)adn_exec_in_flight(x));
			abort();
		}
	}
	adn_fuzz_release_all(pipe, x);
	if (rte_mempool_in_use_count(pool) != in_use) {
		fprintf(stderr, "plan %s: %u mbufs in use, %u before\n",
			plans[pi], rte_mempool_in_use_count(pool), in_use);
		abort();
	}
	adn_pipeline_totals(pipe, execs, RTE_DIM(execs), &t);
	if (t.received != t.transmitted + t.dropped + t.in_flight) {
		fprintf(stderr, "unbalanced: received %lu transmitted %lu dropped %lu\n",
			(unsigned long)t.received,
			(unsigned long)t.transmitted, (unsigned long)t.dropped);
		abort();
	}
	return 0;
}
