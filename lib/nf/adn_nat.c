/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT pool, checksums and endpoint rewrite (adn_nat.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_nat.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

/* --- pool -------------------------------------------------------------- */

int
adn_nat_pool_init(struct adn_nat_pool *p, uint32_t ip_base, uint32_t n_ips,
		  uint16_t port_lo, uint16_t port_hi)
{
	uint64_t size;

	if (p == NULL || n_ips == 0 || port_lo == 0 || port_lo > port_hi ||
	    (uint64_t)ip_base + n_ips - 1 > UINT32_MAX)
		return -EINVAL;
	size = (uint64_t)n_ips * ((uint64_t)port_hi - port_lo + 1);
	if (size > ADN_NAT_POOL_MAX_PAIRS)
		return -E2BIG;
	memset(p, 0, sizeof(*p));
	p->bits = calloc(size / 64 + 1, sizeof(uint64_t));
	if (p->bits == NULL)
		return -ENOMEM;
	p->ip_base = ip_base;
	p->n_ips = n_ips;
	p->port_lo = port_lo;
	p->port_hi = port_hi;
	p->size = size;
	return 0;
}

void
adn_nat_pool_fini(struct adn_nat_pool *p)
{
	free(p->bits);
	memset(p, 0, sizeof(*p));
}

bool
adn_nat_pool_has_ip(const struct adn_nat_pool *p, uint32_t ip)
{
	return ip - p->ip_base < p->n_ips;
}

static inline uint64_t
pool_nports(const struct adn_nat_pool *p)
{
	return (uint64_t)p->port_hi - p->port_lo + 1;
}

static inline bool
pool_taken(const struct adn_nat_pool *p, uint64_t i)
{
	return (p->bits[i / 64] >> (i % 64)) & 1;
}

static inline void
pool_set(struct adn_nat_pool *p, uint64_t i, bool taken)
{
	if (taken)
		p->bits[i / 64] |= 1ull << (i % 64);
	else
		p->bits[i / 64] &= ~(1ull << (i % 64));
}

/* Pair index of (ip, port), or -1 when not one of the pool's. */
static int64_t
pool_index(const struct adn_nat_pool *p, uint32_t ip, uint16_t port)
{
	if (!adn_nat_pool_has_ip(p, ip) || port < p->port_lo ||
	    port > p->port_hi)
		return -1;
	return (int64_t)((uint64_t)(ip - p->ip_base) * pool_nports(p) +
			 (port - p->port_lo));
}

static void
pool_claim(struct adn_nat_pool *p, uint64_t i, uint32_t *ip, uint16_t *port)
{
	pool_set(p, i, true);
	p->used++;
	*ip = p->ip_base + (uint32_t)(i / pool_nports(p));
	*port = (uint16_t)(p->port_lo + i % pool_nports(p));
}

int
adn_nat_pool_alloc(struct adn_nat_pool *p, uint16_t want_port, uint32_t *ip,
		   uint16_t *port)
{
	uint64_t i, n;

	if (p->used >= p->size)
		return -ENOSPC;
	if (want_port >= p->port_lo && want_port <= p->port_hi) {
		for (uint32_t a = 0; a < p->n_ips; a++) {
			i = (uint64_t)a * pool_nports(p) +
				(want_port - p->port_lo);
			if (!pool_taken(p, i)) {
				pool_claim(p, i, ip, port);
				return 0;
			}
		}
	}
	/* A pair is free somewhere: skip whole taken words on the way. */
	i = p->cursor;
	for (n = 0; n < p->size; ) {
		if (i % 64 == 0 && p->bits[i / 64] == ~0ull &&
		    i + 64 <= p->size) {
			n += 64;
			i = (i + 64) % p->size;
			continue;
		}
		if (!pool_taken(p, i)) {
			pool_claim(p, i, ip, port);
			p->cursor = (i + 1) % p->size;
			return 0;
		}
		n++;
		i = (i + 1) % p->size;
	}
	return -ENOSPC;	/* unreachable while used < size */
}

int
adn_nat_pool_take(struct adn_nat_pool *p, uint32_t ip, uint16_t port)
{
	int64_t i = pool_index(p, ip, port);
	uint32_t a;
	uint16_t b;

	if (i < 0)
		return -ERANGE;
	if (pool_taken(p, (uint64_t)i))
		return -EEXIST;
	pool_claim(p, (uint64_t)i, &a, &b);
	return 0;
}

void
adn_nat_pool_release(struct adn_nat_pool *p, uint32_t ip, uint16_t port)
{
	int64_t i = pool_index(p, ip, port);

	if (i < 0 || !pool_taken(p, (uint64_t)i))
		return;
	pool_set(p, (uint64_t)i, false);
	p->used--;
}

/* --- checksums --------------------------------------------------------- */

uint16_t
adn_nat_csum(const void *data, size_t len, uint32_t init)
{
	const uint8_t *p = data;
	uint64_t sum = init;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += adn_nat_ld16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
adn_nat_csum_update16(uint16_t csum, uint16_t old_w, uint16_t new_w)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'); never yields 0x0000
	 * from a non-zero sum, unlike eqn. 2. */
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old_w;
	sum += new_w;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Replace the 16-bit word at w, folding the change into the checksums at
 * c1 and c2 (either may be NULL). */
static void
rewrite16(uint8_t *w, uint16_t nv, uint8_t *c1, uint8_t *c2)
{
	uint16_t ov = adn_nat_ld16(w);

	if (c1 != NULL)
		adn_nat_st16(c1, adn_nat_csum_update16(adn_nat_ld16(c1), ov, nv));
	if (c2 != NULL)
		adn_nat_st16(c2, adn_nat_csum_update16(adn_nat_ld16(c2), ov, nv));
	adn_nat_st16(w, nv);
}

/* --- rewrite ----------------------------------------------------------- */

size_t
adn_nat_l4_need(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return 18;	/* through the checksum */
	case IPPROTO_UDP_:
	case IPPROTO_ICMP_:
		return 8;
	default:
		return 0;
	}
}

int
adn_nat_rewrite(uint8_t *ip, uint8_t *l4, size_t l4_len,
		enum adn_nat_side side, uint32_t new_ip, uint16_t new_port)
{
	const uint8_t proto = ip[9];
	const uint8_t *a = (const uint8_t *)&new_ip;
	const uint8_t *pt = (const uint8_t *)&new_port;
	uint8_t *addr = ip + (side == ADN_NAT_SRC ? 12 : 16);
	uint8_t *ipc = ip + 10;
	uint8_t *l4c, *port;
	size_t need = adn_nat_l4_need(proto);

	if (need == 0 || l4_len < need)
		return -EINVAL;
	switch (proto) {
	case IPPROTO_TCP_:
		l4c = l4 + 16;
		port = l4 + (side == ADN_NAT_SRC ? 0 : 2);
		break;
	case IPPROTO_UDP_:
		/* A zero UDP checksum means "none": keep it none. */
		l4c = adn_nat_ld16(l4 + 6) == 0 ? NULL : l4 + 6;
		port = l4 + (side == ADN_NAT_SRC ? 0 : 2);
		break;
	default:	/* ICMP */
		if (l4[0] != ICMP_ECHO_REQUEST && l4[0] != ICMP_ECHO_REPLY)
			return -EINVAL;
		/* The address is in no ICMP checksum; the identifier is. */
		rewrite16(addr, adn_nat_ld16(a), ipc, NULL);
		rewrite16(addr + 2, adn_nat_ld16(a + 2), ipc, NULL);
		rewrite16(l4 + 4, adn_nat_ld16(pt), l4 + 2, NULL);
		return 0;
	}
	/* The address is in the IPv4 header checksum and in the L4
	 * pseudo-header; the port only in the L4 checksum. */
	rewrite16(addr, adn_nat_ld16(a), ipc, l4c);
	rewrite16(addr + 2, adn_nat_ld16(a + 2), ipc, l4c);
	rewrite16(port, adn_nat_ld16(pt), l4c, NULL);
	if (l4c != NULL && proto == IPPROTO_UDP_ && adn_nat_ld16(l4c) == 0)
		adn_nat_st16(l4c, 0xffff);	/* RFC 768: computed 0 is sent as ~0 */
	return 0;
}
