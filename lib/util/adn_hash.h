/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashes shared by elements, the flow tracer, the CLIP model and the
 * generators. Header-only so the compiler can inline them into per-packet
 * loops. DPDK-free: lib/util is usable by the pure-C models (clip, ppm).
 */
#ifndef _ADN_HASH_H_
#define _ADN_HASH_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t
adn_rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline uint32_t
adn_murmur3_fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* MurmurHash3_x86_32 (Appleby), little-endian reads; bit-exact with the
 * reference implementation for any length and seed. */
static inline uint32_t
adn_murmur3_32(const void *key, size_t len, uint32_t seed)
{
	const uint8_t *data = key;
	const size_t nblocks = len / 4;
	const uint32_t c1 = 0xcc9e2d51U, c2 = 0x1b873593U;
	uint32_t h = seed, k;
	size_t i;

	for (i = 0; i < nblocks; i++) {
		memcpy(&k, data + 4 * i, 4);
		k *= c1;
		k = adn_rotl32(k, 15);
		k *= c2;
		h ^= k;
		h = adn_rotl32(h, 13);
		h = h * 5 + 0xe6546b64U;
	}

	const uint8_t *tail = data + 4 * nblocks;
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)tail[2] << 16;
		/* fallthrough */
	case 2:
		k ^= (uint32_t)tail[1] << 8;
		/* fallthrough */
	case 1:
		k ^= tail[0];
		k *= c1;
		k = adn_rotl32(k, 15);
		k *= c2;
		h ^= k;
	}
	h ^= (uint32_t)len;
	return adn_murmur3_fmix32(h);
}

/* splitmix64 finalizer: a cheap, well-mixed 64-bit hash of a 64-bit key. */
static inline uint64_t
adn_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* IPv4 5-tuple in network byte order, packed so it hashes as 13 bytes. */
struct adn_flow_key {
	uint32_t src_ip;
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
} __attribute__((packed));

static inline uint32_t
adn_flow_hash(const struct adn_flow_key *k, uint32_t seed)
{
	return adn_murmur3_32(k, sizeof(*k), seed);
}

#endif /* _ADN_HASH_H_ */
