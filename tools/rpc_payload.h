/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Synthetic RPC bodies for the codec benchmark, the compression tests and
 * sample dictionaries: JSON order records (a user, items with SKUs,
 * quantities, prices, descriptions from small vocabularies, a timestamp),
 * the shape of a shop service's calls. Field names and vocabulary repeat
 * across messages and random numbers do not, so a dictionary of other
 * such records helps the way it does for real RPC payloads.
 * Deterministic given the generator's seed.
 */
#ifndef _ADN_RPC_PAYLOAD_H_
#define _ADN_RPC_PAYLOAD_H_

#include <stdio.h>
#include <string.h>

#include "adn_rand.h"

/* Fill exactly `len` bytes (>= 64) of `out` with one record (padded with
 * spaces, JSON's insignificant whitespace). */
static inline void
adn_rpc_payload_fill(struct adn_rand *r, char *out, size_t len)
{
	static const char *const users[] = { "alice", "bob", "carol", "dave",
					     "erin", "frank" };
	static const char *const words[] = { "blue", "large", "cotton",
					     "shirt", "mug", "lamp", "steel",
					     "set of 4" };
	char item[128];
	size_t n;

	n = (size_t)snprintf(out, len, "{\"user\":\"%s%u\",\"items\":[",
			     users[adn_rand_below(r, 6)],
			     (unsigned int)adn_rand_below(r, 1000));
	for (;;) {
		int k = snprintf(item, sizeof(item),
				 "{\"sku\":\"SKU-%06u\",\"qty\":%u,\"price\":%u.%02u,\"desc\":\"%s %s\"},",
				 (unsigned int)adn_rand_below(r, 1000000),
				 (unsigned int)adn_rand_below(r, 10) + 1,
				 (unsigned int)adn_rand_below(r, 500),
				 (unsigned int)adn_rand_below(r, 100),
				 words[adn_rand_below(r, 8)],
				 words[adn_rand_below(r, 8)]);

		if (n + (size_t)k + 24 > len)
			break;
		memcpy(out + n, item, (size_t)k);
		n += (size_t)k;
	}
	n += (size_t)snprintf(out + n, len - n, "{}],\"ts\":%u}",
			      (unsigned int)adn_rand_below(r, 1u << 30));
	if (n > len)
		n = len;	/* only for len < 64 */
	memset(out + n, ' ', len - n);
}

#endif /* _ADN_RPC_PAYLOAD_H_ */
