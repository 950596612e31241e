/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fastpath<C> cache: per-flow results for the heaviest flows a worker
 * sees (NFMorph §2.2 "a small number of heavy hitters"): the output code
 * of a PURE_ON_FLOW element, or inside a chain those of a segment of
 * them, optionally ended by the prep ctx of a PREP_PURE_ON_FLOW element
 * (templates/adn_fused.h).
 *
 * C 32-byte entries in sets of 4 (two cache lines per set), keyed by the
 * IPv4 5-tuple. The heavy-hitter tracer is a count-min sketch (lib/util/adn_cms)
 * sampling the misses, and the cache itself is its top-K: a missed flow
 * is admitted into its set when a way is free or its estimate beats the
 * coldest way's count, which hits keep raising. Counts halve and the
 * sketch restarts every ADN_FASTPATH_EPOCH packets, so yesterday's heavy
 * hitters age out.
 *
 * Entries are valid for one state generation of the elements they cache
 * (adn_elem_state_gen): a control() write (a route added) flushes the
 * cache before the next batch, so no result ever outlives the state it was
 * computed from.
 *
 * One cache per fastpath per worker: no sharing, no atomics.
 */
#ifndef _ADN_FASTPATH_H_
#define _ADN_FASTPATH_H_

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>

#include "adn_cms.h"
#include "adn_elem.h"
#include "adn_pkt.h"
#include "adn_template.h"

#define ADN_FASTPATH_WAYS 4
#define ADN_FASTPATH_EPOCH (1u << 20)
/* The tracer counts one miss (of a flow whose set is full) in this many. */
#define ADN_FASTPATH_SAMPLE 8
/* A fastpath segment: up to this many elements, and this many bytes of
 * the last one's prep ctx. */
#define ADN_FASTPATH_SEG_MAX 4
#define ADN_FASTPATH_CTX_BYTES 8

/* Set in a key's `ports`: a free way (ports 0) never matches. */
#define ADN_FASTPATH_IN_USE (1ULL << 40)

/* A packet's key: the 5-tuple as two words, as an entry stores it. The
 * words are apart so they are stored (and reloaded) one by one: a load
 * from half of a 16-byte store waits for it to retire. */
struct adn_fastpath_key {
	uint64_t ips;		/* src_ip | dst_ip << 32 */
	uint32_t hash;
	uint8_t valid;		/* 0: not IPv4, never cached */
	uint64_t ports;		/* src_port | dst_port << 16 | proto << 32
				 * | ADN_FASTPATH_IN_USE */
};

/* What a flow's entry holds: the output code of each PURE_ON_FLOW
 * element of the segment, in order, and the prep ctx of a
 * PREP_PURE_ON_FLOW element ending it. */
struct adn_fastpath_val {
	int8_t out[ADN_FASTPATH_SEG_MAX];	/* see adn_fastpath_code_fits */
	uint32_t pad;
	uint8_t ctx[ADN_FASTPATH_CTX_BYTES];
};

/* Hit counts live apart (adn_fastpath.counts): a hit's increment must
 * not land in the words the next lookup of the same flow compares. */
struct adn_fastpath_entry {
	uint64_t ips;
	uint64_t ports;		/* 0: free way */
	struct adn_fastpath_val v;
};

_Static_assert(sizeof(struct adn_fastpath_entry) * ADN_FASTPATH_WAYS ==
	       2 * 64, "a set is two cache lines");

struct adn_fastpath_stats {
	uint64_t hits, misses, admitted, flushes;
};

struct adn_fastpath {
	struct adn_fastpath_entry *sets;	/* [n_sets][WAYS] */
	uint16_t *counts;			/* per entry, like sets */
	uint32_t set_mask;
	uint32_t entries;
	uint32_t gen;		/* state generation the entries belong to */
	uint32_t epoch_left;
	uint32_t sample_left;	/* misses of full sets until the next count */
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

/* Key the packet into `fk`. Multiply-xor-shift hashing: a few cycles,
 * and the high bits it keeps are well mixed. Sets are not prefetched: the
 * cache is small enough to stay in L2, and the prefetches measured slower
 * than none. */
static inline void
adn_fastpath_key(struct rte_mbuf *m, struct adn_fastpath_key *fk)
{
	struct adn_flow_key k;

	fk->valid = adn_pkt_flow_key(m, &k) == 0;
	if (!fk->valid)
		return;
	fk->ips = (uint64_t)k.src_ip | (uint64_t)k.dst_ip << 32;
	fk->ports = (uint64_t)k.src_port | (uint64_t)k.dst_port << 16 |
		(uint64_t)k.proto << 32 | ADN_FASTPATH_IN_USE;
	fk->hash = (uint32_t)((fk->ips * 0x9e3779b97f4a7c15ULL ^
			       fk->ports * 0xc2b2ae3d27d4eb4fULL) >> 32);
}

static inline int
adn_fastpath_match(const struct adn_fastpath_entry *w,
		   const struct adn_fastpath_key *k)
{
	return w->ips == k->ips && w->ports == k->ports;
}

/* Output codes are ports (< ADN_MAX_OUTPUTS), consumed or drops
 * (> ADN_DROP_BASE - ADN_N_DROP_SLOTS): all fit an int8_t, but an entry
 * only keeps a code that does. */
static inline bool
adn_fastpath_code_fits(int o)
{
	return o >= INT8_MIN && o <= INT8_MAX;
}

/* The flow's cached value, or NULL on a miss. The pointer is into the
 * cache: valid until the next adn_fastpath_learn. */
static inline const struct adn_fastpath_val *
adn_fastpath_lookup(struct adn_fastpath *fp, const struct adn_fastpath_key *fk)
{
	if (fk->valid) {
		const size_t base = (size_t)(fk->hash & fp->set_mask) *
			ADN_FASTPATH_WAYS;
		const struct adn_fastpath_entry *set = &fp->sets[base];

		for (unsigned int w = 0; w < ADN_FASTPATH_WAYS; w++)
			if (adn_fastpath_match(&set[w], fk)) {
				uint16_t *c = &fp->counts[base + w];

				*c += *c != UINT16_MAX;
				fp->st.hits++;
				return &set[w].v;
			}
	}
	fp->st.misses++;
	return NULL;
}

/* The cache's counters as name/value pairs (hits, misses, admitted,
 * flushes); returns how many of `max` it filled. */
unsigned int adn_fastpath_xstats(const struct adn_fastpath *fp,
				 struct adn_xstat *out, unsigned int max);

/* The fastpath template (templates/tpl_elem.c): a chain template asks
 * whether a member runs under it. */
extern const struct adn_tpl_ops adn_tpl_fastpath_ops;

/* After a miss ran the elements: count the flow in the tracer and admit
 * their results when the flow is now heavier than the coldest of its
 * set. An invalid key is never admitted. */
void adn_fastpath_learn(struct adn_fastpath *fp,
			const struct adn_fastpath_key *fk,
			const struct adn_fastpath_val *v);

#endif /* _ADN_FASTPATH_H_ */
