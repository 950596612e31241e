/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashes of the PPM chain. The RTL (fpga/rtl/ppm_defs.vh) computes exactly
 * these functions; a change here is a change of the hardware contract and
 * must be mirrored there, or the golden-vector benches fail.
 *
 * - FNV-1a 32 over bytes: one multiply per byte, so the parser hashes the
 *   request as it streams past at one byte per clock without buffering.
 * - adn_ppm_idx2(): a two-word mixer (two multiplies, xor-shifts) that turns
 *   table keys into bucket indexes. Keys are always compared in full after
 *   indexing, so its quality only affects probe lengths, not correctness.
 */
#ifndef _ADN_PPM_HASH_H_
#define _ADN_PPM_HASH_H_

#include <stddef.h>
#include <stdint.h>

#include "adn_http_chars.h"

#define ADN_PPM_FNV_BASIS 0x811c9dc5U
#define ADN_PPM_FNV_PRIME 0x01000193U

static inline uint32_t
adn_ppm_fnv_step(uint32_t h, uint8_t c)
{
	return (h ^ c) * ADN_PPM_FNV_PRIME;
}

static inline uint32_t
adn_ppm_fnv(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t h = ADN_PPM_FNV_BASIS;

	for (size_t i = 0; i < len; i++)
		h = adn_ppm_fnv_step(h, b[i]);
	return h;
}

/* ASCII lower-casing as the parser does it for Host (case-insensitive):
 * the HTTP tables' (lib/l7/adn_http_chars.h). */
static inline uint8_t
adn_ppm_lower(uint8_t c)
{
	return adn_http_lower(c);
}

/* FNV-1a of a host name, lower-cased: what the parser puts in host_hash. */
static inline uint32_t
adn_ppm_host_hash(const char *s, size_t len)
{
	uint32_t h = ADN_PPM_FNV_BASIS;

	for (size_t i = 0; i < len; i++)
		h = adn_ppm_fnv_step(h, adn_ppm_lower((uint8_t)s[i]));
	return h;
}

static inline uint32_t
adn_ppm_idx2(uint32_t a, uint32_t b)
{
	uint32_t x = a ^ (b * 0x9e3779b1U);

	x ^= x >> 15;
	x *= 0x85ebca6bU;
	x ^= x >> 13;
	return x;
}

#endif /* _ADN_PPM_HASH_H_ */
