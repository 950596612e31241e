/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fastpath<C> cache: results of one PURE_ON_FLOW element for the
 * heaviest flows a worker sees (NFMorph §2.2 "a small number of heavy
 * hitters").
 *
 * C entries in sets of 4 (one cache line per set), keyed by the IPv4
 * 5-tuple. The heavy-hitter tracer is a count-min sketch (lib/util/adn_cms)
 * updated on every miss, and the cache itself is its top-K: a missed flow
 * is admitted into its set when a way is free or its estimate beats the
 * coldest way's count, which hits keep raising. Counts halve and the
 * sketch restarts every ADN_FASTPATH_EPOCH packets, so yesterday's heavy
 * hitters age out.
 *
 * Entries are valid for one state generation of the element
 * (adn_elem_state_gen): a control() write (a route added) flushes the
 * cache before the next batch, so no result ever outlives the state it was
 * computed from.
 *
 * One cache per element per worker: no sharing, no atomics.
 */
#ifndef _ADN_FASTPATH_H_
#define _ADN_FASTPATH_H_

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "adn_cms.h"
#include "adn_elem.h"
#include "adn_pkt.h"

#define ADN_FASTPATH_MISS INT32_MIN
#define ADN_FASTPATH_WAYS 4
#define ADN_FASTPATH_EPOCH (1u << 20)

/* A packet's key as the template keeps it in the packet's ctx. */
struct adn_fastpath_key {
	struct adn_flow_key k;
	uint8_t valid;		/* 0: not IPv4, never cached */
	uint32_t hash;
};

struct adn_fastpath_entry {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint8_t proto;
	int8_t out;		/* every output code fits: see adn_fastpath_learn */
	uint16_t count;		/* 0: free way */
};

struct adn_fastpath_stats {
	uint64_t hits, misses, admitted, flushes;
};

struct adn_fastpath {
	struct adn_fastpath_entry *sets;	/* [n_sets][WAYS] */
	uint32_t set_mask;
	uint32_t entries;
	uint32_t gen;		/* state generation the entries belong to */
	uint32_t epoch_left;
	struct adn_cms *cms;
	struct adn_fastpath_stats st;
};

/* A cache of `entries` (a power of two >= WAYS) for one worker; NULL when
 * out of memory. */
struct adn_fastpath *adn_fastpath_create(uint32_t entries);
void adn_fastpath_free(struct adn_fastpath *fp);
/* Drop every entry (a state change, or a halving at the epoch end). */
void adn_fastpath_flush(struct adn_fastpath *fp);
void adn_fastpath_age(struct adn_fastpath *fp);

static inline struct adn_fastpath_key *
adn_fastpath_ctx_key(union adn_pkt_ctx *ctx)
{
	return (struct adn_fastpath_key *)ctx;
}

/* Per batch: flush on a new state generation, age at the epoch end. */
static inline void
adn_fastpath_sync(struct adn_fastpath *fp, uint32_t gen, uint16_t n)
{
	if (unlikely(gen != fp->gen)) {
		adn_fastpath_flush(fp);
		fp->gen = gen;
		fp->st.flushes++;
	}
	if (unlikely(fp->epoch_left <= n))
		adn_fastpath_age(fp);
	else
		fp->epoch_left -= n;
}

static inline struct adn_fastpath_entry *
adn_fastpath_set(const struct adn_fastpath *fp, uint32_t hash)
{
	return &fp->sets[(size_t)(hash & fp->set_mask) * ADN_FASTPATH_WAYS];
}

/* Key the packet into its ctx and prefetch its set. */
static inline void
adn_fastpath_key(struct adn_fastpath *fp, struct rte_mbuf *m,
		 union adn_pkt_ctx *ctx)
{
	struct adn_fastpath_key *fk = adn_fastpath_ctx_key(ctx);
	const struct adn_flow_key *k = &fk->k;

	fk->valid = adn_pkt_flow_key(m, &fk->k) == 0;
	if (!fk->valid)
		return;
	fk->hash = rte_hash_crc_4byte(k->src_ip,
		rte_hash_crc_4byte(k->dst_ip,
		rte_hash_crc_4byte(((uint32_t)k->src_port << 16) | k->dst_port,
		rte_hash_crc_1byte(k->proto, 0))));
	rte_prefetch0(adn_fastpath_set(fp, fk->hash));
}

static inline int
adn_fastpath_match(const struct adn_fastpath_entry *w,
		   const struct adn_flow_key *k)
{
	return w->count != 0 && w->src_ip == k->src_ip &&
		w->dst_ip == k->dst_ip && w->src_port == k->src_port &&
		w->dst_port == k->dst_port && w->proto == k->proto;
}

/* The cached output code, or ADN_FASTPATH_MISS. */
static inline int
adn_fastpath_lookup(struct adn_fastpath *fp, union adn_pkt_ctx *ctx)
{
	const struct adn_fastpath_key *fk = adn_fastpath_ctx_key(ctx);
	struct adn_fastpath_entry *set;

	if (fk->valid) {
		set = adn_fastpath_set(fp, fk->hash);
		for (unsigned int w = 0; w < ADN_FASTPATH_WAYS; w++)
			if (adn_fastpath_match(&set[w], &fk->k)) {
				set[w].count += set[w].count != UINT16_MAX;
				fp->st.hits++;
				return set[w].out;
			}
	}
	fp->st.misses++;
	return ADN_FASTPATH_MISS;
}

/* After a miss ran the element: count the flow in the tracer and admit
 * its result when the flow is now heavier than the coldest of its set. */
void adn_fastpath_learn(struct adn_fastpath *fp,
			const struct adn_fastpath_key *fk, int out);

#endif /* _ADN_FASTPATH_H_ */
