/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-bit radix trie for IPv4 longest-prefix match, the shape of Click's
 * RadixIPLookup (a wide first level, then narrow ones) with strides
 * 16/8/8: a lookup makes at most three dependent reads (Click's 16/4/4/4/4
 * makes up to five) and a /24 or shorter route at most two.
 *
 * Layout: one array of 32-bit entries. The root is the first 2^16 entries
 * (indexed by the top 16 address bits); below it, nodes of 2^8 entries.
 * Prefixes are expanded into the level whose slice holds their last bit
 * and pushed down into the nodes below (leaf pushing), so an entry is
 * either a next hop or a child node, never both, and a lookup stops at the
 * first entry that is not a child. Beside the entries the trie keeps, for
 * its writer only, the prefix length that set each entry and the set of
 * prefixes (to answer find and to know what a delete uncovers).
 *
 * Thread-safety: change (add, del) on one thread; any number of readers
 * may look up concurrently while nothing changes. Not safe to add or
 * delete while readers run (add may move the entry array): a writer with
 * readers running changes a second trie (made once by adn_radix_clone)
 * and swaps it in under RCU, then makes the same change to the first once
 * no reader is left on it (LpmRoute). DPDK-free (lib/util).
 */
#ifndef _ADN_RADIX_H_
#define _ADN_RADIX_H_

#include <stdint.h>

#define ADN_RADIX_NO_HOP UINT32_MAX
/* Hops must lie below this (an entry keeps hop + 1 beside a child flag). */
#define ADN_RADIX_MAX_HOP 0x7ffffffeu

#define ADN_RADIX_ROOT_BITS 16
#define ADN_RADIX_NODE_BITS 8
#define ADN_RADIX_LEVELS (1 + (32 - ADN_RADIX_ROOT_BITS) / ADN_RADIX_NODE_BITS)
#define ADN_RADIX_NODE_ENTRIES (1u << ADN_RADIX_NODE_BITS)
/* Node n (>= ADN_RADIX_ROOT_NODES) starts at entry n * NODE_ENTRIES; the
 * root fills node slots [0, ADN_RADIX_ROOT_NODES). */
#define ADN_RADIX_ROOT_NODES (1u << (ADN_RADIX_ROOT_BITS - ADN_RADIX_NODE_BITS))

/* An entry: 0 nothing, hop + 1, or ADN_RADIX_CHILD | node. */
#define ADN_RADIX_CHILD 0x80000000u

/* A prefix of the set (open addressing, linear probing). */
struct adn_radix_pfx {
	uint32_t prefix;
	uint32_t hop;		/* ADN_RADIX_NO_HOP: empty slot */
	uint8_t len;
};

struct adn_radix {
	uint32_t *tbl;		/* the entries lookups read */
	uint8_t *depth;		/* per entry: length of the prefix that set it */
	uint32_t n_nodes;	/* node slots in use (root's included), free ones too */
	uint32_t cap;		/* node slots allocated */
	uint32_t n_prefixes;
	/* Nodes freed by del, chained through their entry 0 (0 ends the
	 * chain: the root is never freed), so churn does not grow the
	 * array. */
	uint32_t free_head;
	uint32_t n_free;
	struct adn_radix_pfx *set;
	uint32_t set_cap;	/* a power of two */
};

/* Returns 0, or -ENOMEM. */
int adn_radix_init(struct adn_radix *r);
void adn_radix_free(struct adn_radix *r);
/* A copy of `src` that shares nothing with it (the second trie of a
 * writer with concurrent readers); 0 or -ENOMEM. */
int adn_radix_clone(struct adn_radix *dst, const struct adn_radix *src);

/* Add (or replace) prefix/len -> hop; `prefix` in host order, bits past
 * `len` ignored. Returns 0, -EINVAL (len > 32 or hop > ADN_RADIX_MAX_HOP)
 * or -ENOMEM (the trie is unchanged then). */
int adn_radix_add(struct adn_radix *r, uint32_t prefix, unsigned int len,
		  uint32_t hop);

/* Remove exactly prefix/len (bits past `len` ignored); the longest shorter
 * prefix covering it takes over its addresses, and nodes left uniform are
 * folded into their parent entry. Returns 0, -EINVAL (len > 32) or -ENOENT
 * (no such prefix). */
int adn_radix_del(struct adn_radix *r, uint32_t prefix, unsigned int len);

/* Hop of exactly prefix/len (not of a covering prefix), or
 * ADN_RADIX_NO_HOP when that prefix is absent or len > 32. */
uint32_t adn_radix_find(const struct adn_radix *r, uint32_t prefix,
			unsigned int len);

/* Nodes the trie holds (the root counts as one). */
static inline uint32_t
adn_radix_live_nodes(const struct adn_radix *r)
{
	return r->n_nodes - r->n_free - (ADN_RADIX_ROOT_NODES - 1);
}

/* The entry a lookup of `addr` reads first (for a prefetching template). */
static inline const void *
adn_radix_first(const uint32_t *tbl, uint32_t addr)
{
	return &tbl[addr >> (32 - ADN_RADIX_ROOT_BITS)];
}

/* Hop of the longest prefix covering `addr` (host order), or
 * ADN_RADIX_NO_HOP, in the trie whose entry array is `tbl` (a reader that
 * follows a trie swapped under RCU keeps just this pointer). */
static inline uint32_t
adn_radix_lookup_tbl(const uint32_t *tbl, uint32_t addr)
{
	uint32_t e = tbl[addr >> (32 - ADN_RADIX_ROOT_BITS)];
	unsigned int shift = 32 - ADN_RADIX_ROOT_BITS;

	while (e & ADN_RADIX_CHILD) {
		shift -= ADN_RADIX_NODE_BITS;
		e = tbl[(e & ~ADN_RADIX_CHILD) * ADN_RADIX_NODE_ENTRIES +
			((addr >> shift) & (ADN_RADIX_NODE_ENTRIES - 1))];
	}
	return e - 1;	/* 0 - 1 == ADN_RADIX_NO_HOP */
}

/* The same in trie `r`. */
static inline uint32_t
adn_radix_lookup(const struct adn_radix *r, uint32_t addr)
{
	return adn_radix_lookup_tbl(r->tbl, addr);
}

#endif /* _ADN_RADIX_H_ */
