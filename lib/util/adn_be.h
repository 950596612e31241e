/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Big-endian (network order) loads and stores at any alignment, for wire
 * formats read and written byte by byte (the CLIP header, the ADN RPC
 * header, generated traces). DPDK-free.
 */
#ifndef _ADN_BE_H_
#define _ADN_BE_H_

#include <stdint.h>

static inline uint16_t
adn_be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
adn_be32_get(const uint8_t *p)
{
	return (uint32_t)adn_be16_get(p) << 16 | adn_be16_get(p + 2);
}

static inline uint64_t
adn_be64_get(const uint8_t *p)
{
	return (uint64_t)adn_be32_get(p) << 32 | adn_be32_get(p + 4);
}

static inline void
adn_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
adn_be32_put(uint8_t *p, uint32_t v)
{
	adn_be16_put(p, (uint16_t)(v >> 16));
	adn_be16_put(p + 2, (uint16_t)v);
}

static inline void
adn_be64_put(uint8_t *p, uint64_t v)
{
	adn_be32_put(p, (uint32_t)(v >> 32));
	adn_be32_put(p + 4, (uint32_t)v);
}

#endif /* _ADN_BE_H_ */
