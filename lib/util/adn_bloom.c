/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Partitioned Bloom filter. See adn_bloom.h for the contract.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_bloom.h"
#include "adn_hash.h"

struct adn_bloom {
	uint32_t nhash;
	uint64_t part_bits;
	uint64_t nwords;	/* total 64-bit words */
	uint32_t seeds[ADN_BLOOM_HASH_MAX];
	struct adn_crc *crc;	/* nhash CRCs, or NULL: murmur3 */
	uint64_t *words;
};

int
adn_bloom_create(uint64_t nbits, uint32_t nhash, uint32_t seed,
		 struct adn_bloom **out)
{
	struct adn_bloom *bf;
	uint64_t unit;
	uint32_t i;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (nhash == 0 || nhash > ADN_BLOOM_HASH_MAX || nbits < 64 ||
	    nbits > (1ULL << 32))
		return -EINVAL;
	unit = 64ULL * nhash;
	nbits = (nbits + unit - 1) / unit * unit;
	bf = calloc(1, sizeof(*bf));
	if (bf == NULL)
		return -ENOMEM;
	bf->nwords = nbits / 64;
	bf->words = calloc(bf->nwords, sizeof(uint64_t));
	if (bf->words == NULL) {
		free(bf);
		return -ENOMEM;
	}
	bf->nhash = nhash;
	bf->part_bits = nbits / nhash;
	for (i = 0; i < nhash; i++)
		bf->seeds[i] = (uint32_t)adn_mix64(((uint64_t)seed << 8) |
						   (0x40 + i));
	*out = bf;
	return 0;
}

int
adn_bloom_create_crc(uint64_t nbits, uint32_t nhash,
		     const struct adn_crc_param *const crc[],
		     struct adn_bloom **out)
{
	struct adn_bloom *bf;
	struct adn_crc *crcs;
	int rc;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (nhash == 0 || nhash > ADN_BLOOM_HASH_MAX)
		return -EINVAL;
	rc = adn_crc_family(crc, nhash, &crcs);
	if (rc < 0)
		return rc;
	rc = adn_bloom_create(nbits, nhash, 0, &bf);
	if (rc < 0) {
		free(crcs);
		return rc;
	}
	bf->crc = crcs;
	*out = bf;
	return 0;
}

void
adn_bloom_free(struct adn_bloom *bf)
{
	if (bf == NULL)
		return;
	free(bf->crc);
	free(bf->words);
	free(bf);
}

uint32_t
adn_bloom_hash(const struct adn_bloom *bf, uint32_t i, const void *key,
	       size_t len)
{
	return adn_crc_family_hash(bf->crc ? &bf->crc[i] : NULL, bf->seeds[i],
				   key, len);
}

/* Multiply-shift: uniform for any partition size, and for a power of two
 * the top bits of the hash. */
uint64_t
adn_bloom_index(const struct adn_bloom *bf, uint32_t i, const void *key,
		size_t len)
{
	return adn_crc_family_index(bf->crc ? &bf->crc[i] : NULL,
				    adn_bloom_hash(bf, i, key, len),
				    bf->part_bits);
}

static inline uint64_t
bloom_bit(const struct adn_bloom *bf, uint32_t i, const void *key, size_t len)
{
	return i * bf->part_bits + adn_bloom_index(bf, i, key, len);
}

void
adn_bloom_add(struct adn_bloom *bf, const void *key, size_t len)
{
	(void)adn_bloom_test_and_add(bf, key, len);
}

bool
adn_bloom_contains(const struct adn_bloom *bf, const void *key, size_t len)
{
	uint32_t i;

	for (i = 0; i < bf->nhash; i++) {
		uint64_t b = bloom_bit(bf, i, key, len);

		if (!(bf->words[b >> 6] & (1ULL << (b & 63))))
			return false;
	}
	return true;
}

bool
adn_bloom_test_and_add(struct adn_bloom *bf, const void *key, size_t len)
{
	bool present = true;
	uint32_t i;

	for (i = 0; i < bf->nhash; i++) {
		uint64_t b = bloom_bit(bf, i, key, len);
		uint64_t m = 1ULL << (b & 63);

		if (!(bf->words[b >> 6] & m))
			present = false;
		bf->words[b >> 6] |= m;
	}
	return present;
}

void
adn_bloom_clear(struct adn_bloom *bf)
{
	memset(bf->words, 0, bf->nwords * sizeof(uint64_t));
}

uint32_t
adn_bloom_nhash(const struct adn_bloom *bf)
{
	return bf->nhash;
}

uint64_t
adn_bloom_part_bits(const struct adn_bloom *bf)
{
	return bf->part_bits;
}

uint64_t
adn_bloom_popcount(const struct adn_bloom *bf)
{
	uint64_t i, n = 0;

	for (i = 0; i < bf->nwords; i++)
		n += (uint64_t)__builtin_popcountll(bf->words[i]);
	return n;
}
