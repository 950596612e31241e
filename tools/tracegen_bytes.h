/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-tracegen's frame writing, shared by its plain and HTTP modes:
 * big-endian stores and the Internet checksum (RFC 1071). */
#ifndef _TRACEGEN_BYTES_H_
#define _TRACEGEN_BYTES_H_

#include <stddef.h>
#include <stdint.h>

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The checksum of `len` bytes at `p` with `sum` (a pseudo-header's)
 * added, complemented: the value to store. */
static inline uint16_t
inet_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* _TRACEGEN_BYTES_H_ */
