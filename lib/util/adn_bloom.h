/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bloom filter with k hashes over a partitioned bit array: hash i sets a bit
 * in its own partition of nbits/k bits. Partitioning keeps the false-positive
 * rate of a classic filter of the same size, and it is the shape a Tofino
 * program needs (one Register array per hash, one RegisterAction each), so
 * the CLIP C model and p4/ agree bit-array for bit-array.
 *
 * Hash i is seeded murmur3 (adn_bloom_create) or a named CRC
 * (adn_bloom_create_crc): with CRCs, partition i is indexed by the top bits
 * of that CRC of the key bytes, exactly as a P4 Hash<> extern sliced
 * [31:32-k] indexes a 2^k-entry Register.
 *
 * Keyed by bytes; a 64-bit flow hash is an 8-byte key.
 * Thread-safety: none; one owner. DPDK-free.
 */
#ifndef _ADN_BLOOM_H_
#define _ADN_BLOOM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_crc.h"

#define ADN_BLOOM_HASH_MAX 8

struct adn_bloom;

/*
 * nbits: total bits, rounded up to a multiple of 64 * nhash; 64..2^32.
 * nhash: 1..ADN_BLOOM_HASH_MAX. Returns 0, -EINVAL (out of range) or
 * -ENOMEM. The caller frees with adn_bloom_free().
 */
int adn_bloom_create(uint64_t nbits, uint32_t nhash, uint32_t seed,
		     struct adn_bloom **out);
/* The same with hash i = crc[i] (nhash entries, no two the same). Returns
 * 0, -EINVAL (sizes as above, crc NULL / short / repeated / invalid) or
 * -ENOMEM. */
int adn_bloom_create_crc(uint64_t nbits, uint32_t nhash,
			 const struct adn_crc_param *const crc[],
			 struct adn_bloom **out);
void adn_bloom_free(struct adn_bloom *bf);

void adn_bloom_add(struct adn_bloom *bf, const void *key, size_t len);
/* true: may be in the set; false: definitely not. */
bool adn_bloom_contains(const struct adn_bloom *bf, const void *key,
			size_t len);
/* Add and report whether the key may have been present before: the
 * one-pass read-check-write a switch register does. */
bool adn_bloom_test_and_add(struct adn_bloom *bf, const void *key,
			    size_t len);
void adn_bloom_clear(struct adn_bloom *bf);

uint32_t adn_bloom_nhash(const struct adn_bloom *bf);
/* Hash i of the key before reduction, and the bit it selects inside
 * partition i (= the Register index in p4/). i < nhash. */
uint32_t adn_bloom_hash(const struct adn_bloom *bf, uint32_t i,
			const void *key, size_t len);
uint64_t adn_bloom_index(const struct adn_bloom *bf, uint32_t i,
			 const void *key, size_t len);
/* Bits per partition (= Register size in p4/). */
uint64_t adn_bloom_part_bits(const struct adn_bloom *bf);
/* Number of set bits (fill level: tests and capacity planning). */
uint64_t adn_bloom_popcount(const struct adn_bloom *bf);

#endif /* _ADN_BLOOM_H_ */
