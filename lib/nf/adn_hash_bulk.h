/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_hash_lookup_bulk_data over any number of keys, some absent: the
 * session and flow tables of lib/nf look up a whole batch at once so the
 * bucket and key cache misses of its packets overlap.
 */
#ifndef _ADN_HASH_BULK_H_
#define _ADN_HASH_BULK_H_

#include <stdint.h>

#include <rte_hash.h>

/* The most packets a bulk lookup of lib/nf takes at once (a batch). */
#define ADN_NF_BULK_MAX 256

/* For each i with keys[i] != NULL, *slot[i] = the data stored with the
 * key (a slot index) when found; left as it is on a miss. */
static inline void
adn_hash_lookup_slots(const struct rte_hash *h, const void *const *keys,
		      int32_t *const *slot, unsigned int cnt)
{
	const void *k[RTE_HASH_LOOKUP_BULK_MAX];
	int32_t *s[RTE_HASH_LOOKUP_BULK_MAX];
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int n = 0;
	uint64_t hits;

	for (unsigned int i = 0; i < cnt; i++) {
		if (keys[i] != NULL) {
			k[n] = keys[i];
			s[n++] = slot[i];
		}
		if (n == 0 || (n < RTE_HASH_LOOKUP_BULK_MAX && i + 1 < cnt))
			continue;
		hits = 0;
		rte_hash_lookup_bulk_data(h, k, n, &hits, data);
		for (unsigned int j = 0; j < n; j++)
			if (hits >> j & 1)
				*s[j] = (int32_t)(uintptr_t)data[j];
		n = 0;
	}
}

#endif /* _ADN_HASH_BULK_H_ */
