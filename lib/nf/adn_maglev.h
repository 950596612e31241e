/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI'16 §3.4): a lookup
 * table of prime size M in which every backend owns about M x its share of
 * the weights, filled by letting backends take turns at claiming the next
 * free entry of their own permutation of [0, M). A change of the backend
 * set moves few entries beyond those of the backend that changed.
 *
 * Weights: in round r a backend of weight w may hold up to r x w / wmax
 * entries, so equal weights give the paper's one entry per turn (counts
 * differ by at most one) and other weights their proportion.
 *
 * DPDK-free; no locks: the caller builds a new table and publishes it.
 */
#ifndef _ADN_MAGLEV_H_
#define _ADN_MAGLEV_H_

#include <stdbool.h>
#include <stdint.h>

#define ADN_MAGLEV_NONE UINT16_MAX	/* entry of a table with no backend */
#define ADN_MAGLEV_MAX_BACKENDS 256

/* Whether m is prime (trial division; m up to 2^32). */
bool adn_maglev_is_prime(uint32_t m);

/*
 * Fill table[0..m) (m prime, >= 2) with indices of backends 0..n-1. A
 * backend's permutation comes from its 64-bit key (its address and port,
 * say: stable across rebuilds, so is the table); weight 0 leaves it out.
 * With no weight above 0 every entry is ADN_MAGLEV_NONE. `next` is
 * scratch of n entries. Returns 0 or -EINVAL (m not prime, n too big).
 */
int adn_maglev_populate(uint16_t *table, uint32_t m, const uint64_t *keys,
			const uint32_t *weights, unsigned int n,
			uint32_t *next);

/* A backend's Maglev key: its address and port (host order), so its
 * permutation depends neither on its slot nor on the other backends. */
static inline uint64_t
adn_maglev_backend_key(uint32_t ip, uint16_t port)
{
	return (uint64_t)ip << 16 | port;
}

/* "A.B.C.D[:PORT]" into host order (port 0 when absent; required with
 * port_required). 0 or -EINVAL. */
int adn_maglev_endpoint_parse(const char *s, bool port_required,
			      uint32_t *ip, uint16_t *port);
/* "A.B.C.D[:PORT] [WEIGHT]" (WEIGHT 1-65535, 1 when absent; required with
 * weight_required), as load balancers' configs and control commands
 * name backends. 0 or -EINVAL. */
int adn_maglev_backend_parse(const char *s, uint32_t *ip, uint16_t *port,
			     uint32_t *weight, bool weight_required);

#endif /* _ADN_MAGLEV_H_ */
