/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-tracegen's frame writing, shared by its plain, HTTP and RPC modes:
 * big-endian stores (lib/util adn_be.h) and the Internet checksum
 * (RFC 1071). */
#ifndef _TRACEGEN_BYTES_H_
#define _TRACEGEN_BYTES_H_

#include <stddef.h>
#include <stdint.h>

#include "adn_be.h"

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
