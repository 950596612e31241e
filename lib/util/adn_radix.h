/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binary radix trie for IPv4 longest-prefix match (the structure of Click's
 * RadixIPLookup, one bit per level). Nodes live in one array and link by
 * index, so the trie is compact and a lookup touches only node entries.
 *
 * Thread-safety: change (add, del) on one thread; any number of readers may
 * look up concurrently while nothing changes. Not safe to add or delete
 * while readers run (add may move the node array): a writer with readers
 * running changes a copy (adn_radix_clone) and swaps it in under RCU.
 * DPDK-free (lib/util).
 */
#ifndef _ADN_RADIX_H_
#define _ADN_RADIX_H_

#include <stdint.h>

#define ADN_RADIX_NO_HOP UINT32_MAX

struct adn_radix_node {
	uint32_t child[2];	/* node index; 0: none (the root is never a child) */
	uint32_t hop;		/* ADN_RADIX_NO_HOP: no prefix ends here */
};

struct adn_radix {
	struct adn_radix_node *nodes;	/* nodes[0] is the root (/0) */
	uint32_t n_nodes;	/* slots in use, free ones included */
	uint32_t cap;
	uint32_t n_prefixes;
	/* Nodes pruned by del, chained through child[0] (0 ends the chain:
	 * the root is never freed), so add/del churn does not grow the
	 * array. */
	uint32_t free_head;
	uint32_t n_free;
};

/* Returns 0, or -ENOMEM. */
int adn_radix_init(struct adn_radix *r);
void adn_radix_free(struct adn_radix *r);
/* A copy of `src` that shares nothing with it (for copy-on-write under
 * concurrent readers); 0 or -ENOMEM. */
int adn_radix_clone(struct adn_radix *dst, const struct adn_radix *src);

/* Add (or replace) prefix/len -> hop; `prefix` in host order, bits past
 * `len` ignored. Returns 0, -EINVAL (len > 32 or hop == ADN_RADIX_NO_HOP)
 * or -ENOMEM. */
int adn_radix_add(struct adn_radix *r, uint32_t prefix, unsigned int len,
		  uint32_t hop);

/* Remove exactly prefix/len (bits past `len` ignored) and prune the nodes
 * nothing needs any more; shorter covering prefixes take over its
 * addresses. Returns 0, -EINVAL (len > 32) or -ENOENT (no such prefix). */
int adn_radix_del(struct adn_radix *r, uint32_t prefix, unsigned int len);

/* Hop of exactly prefix/len (not of a covering prefix), or
 * ADN_RADIX_NO_HOP when that prefix is absent or len > 32. */
uint32_t adn_radix_find(const struct adn_radix *r, uint32_t prefix,
			unsigned int len);

/* Nodes the trie holds (the root included). */
static inline uint32_t
adn_radix_live_nodes(const struct adn_radix *r)
{
	return r->n_nodes - r->n_free;
}

/* The first node a lookup reads (for a prefetching template). */
static inline const void *
adn_radix_root(const struct adn_radix *r)
{
	return &r->nodes[0];
}

/* Hop of the longest prefix covering `addr` (host order), or
 * ADN_RADIX_NO_HOP, in the trie whose node array is `nodes` (a reader
 * that follows a trie swapped under RCU keeps just this pointer). */
static inline uint32_t
adn_radix_lookup_nodes(const struct adn_radix_node *nodes, uint32_t addr)
{
	const struct adn_radix_node *n = &nodes[0];
	uint32_t hop = n->hop;

	for (int bit = 31; bit >= 0; bit--) {
		uint32_t c = n->child[(addr >> bit) & 1];

		if (c == 0)
			break;
		n = &nodes[c];
		if (n->hop != ADN_RADIX_NO_HOP)
			hop = n->hop;
	}
	return hop;
}

/* The same in trie `r`. */
static inline uint32_t
adn_radix_lookup(const struct adn_radix *r, uint32_t addr)
{
	return adn_radix_lookup_nodes(r->nodes, addr);
}

#endif /* _ADN_RADIX_H_ */
