/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT mechanisms shared by every source-NAT in the tree: the public
 * <address, port> pool, the Internet checksum (RFC 1071) with its
 * incremental update (RFC 1624), and the in-place rewrite of an IPv4
 * packet's source or destination endpoint (TCP, UDP, ICMP echo).
 *
 * CLIP's SNAT handler (lib/clip/adn_clip_snat.c, the Snat element) and the
 * Nat44 element (lib/nf/adn_nat_table.c) allocate and translate through
 * these functions: one implementation, not two.
 *
 * DPDK-free (CLIP's simulator and tests run it on plain arrays). Nothing
 * here locks: the owner serializes calls on one pool.
 */
#ifndef _ADN_NAT_H_
#define _ADN_NAT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Big-endian 16-bit load and store at any alignment (packet fields,
 * result blobs). */
static inline uint16_t
adn_nat_ld16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void
adn_nat_st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The pool's pairs: [ip_base, ip_base + n_ips) x [port_lo, port_hi], in
 * host byte order. Pair i is address ip_base + i / nports, port
 * port_lo + i % nports. */
struct adn_nat_pool {
	uint32_t ip_base;
	uint32_t n_ips;
	uint16_t port_lo;
	uint16_t port_hi;
	uint64_t size;		/* pairs */
	uint64_t used;		/* pairs taken now */
	uint64_t cursor;	/* where the next unpreferred scan starts */
	uint64_t *bits;		/* [size / 64 + 1]: 1 = taken */
};

/* Most pairs one pool may hold (a 64 MiB-pair bitmap is 8 MiB). */
#define ADN_NAT_POOL_MAX_PAIRS (1ull << 26)

/* Returns 0, -EINVAL (n_ips 0, port_lo 0 or > port_hi, the range wraps
 * past 255.255.255.255), -E2BIG (more than ADN_NAT_POOL_MAX_PAIRS) or
 * -ENOMEM. Control plane (it allocates). */
int adn_nat_pool_init(struct adn_nat_pool *p, uint32_t ip_base,
		      uint32_t n_ips, uint16_t port_lo, uint16_t port_hi);
/* Free the bitmap; the pool may be initialized again. */
void adn_nat_pool_fini(struct adn_nat_pool *p);

/* Whether address `ip` (host order) is one of the pool's. */
bool adn_nat_pool_has_ip(const struct adn_nat_pool *p, uint32_t ip);

/*
 * Take a free pair into *ip, *port (host order). Port-preserving: when
 * `want_port` is in [port_lo, port_hi] and free on some address, that
 * port on the lowest such address; otherwise the first free pair from
 * the cursor on, in pair order (so a pool nothing was released to hands
 * pairs out in order). Returns 0 or -ENOSPC (every pair taken). Never
 * allocates.
 */
int adn_nat_pool_alloc(struct adn_nat_pool *p, uint16_t want_port,
		       uint32_t *ip, uint16_t *port);
/* Take pair (ip, port) for a static mapping: 0, -EEXIST (taken) or
 * -ERANGE (not a pair of the pool). */
int adn_nat_pool_take(struct adn_nat_pool *p, uint32_t ip, uint16_t port);
/* Give pair (ip, port) back; a pair that is not taken is ignored. */
void adn_nat_pool_release(struct adn_nat_pool *p, uint32_t ip,
			  uint16_t port);

/* The Internet checksum (RFC 1071) of `len` bytes from `data`, with
 * `init` added to the sum; the value to store, in host order. */
uint16_t adn_nat_csum(const void *data, size_t len, uint32_t init);
/* Checksum field value `csum` (host order, as stored) after a 16-bit word
 * it covers changed from old_w to new_w (RFC 1624 eqn. 3). */
uint16_t adn_nat_csum_update16(uint16_t csum, uint16_t old_w,
			       uint16_t new_w);

/* Which endpoint of the packet a rewrite replaces. */
enum adn_nat_side {
	ADN_NAT_SRC,	/* source address and port (SNAT, inside -> out) */
	ADN_NAT_DST,	/* destination address and port (return, DNAT) */
};

/* Bytes of L4 header adn_nat_rewrite needs for `proto` (TCP 18, UDP 8,
 * ICMP 8), 0 for a protocol it does not translate. */
size_t adn_nat_l4_need(uint8_t proto);

/*
 * Rewrite endpoint `side` of the IPv4 packet at `ip` (header length from
 * its IHL) whose L4 header is at `l4` with `l4_len` bytes readable, to
 * address `new_ip` and port `new_port` (network order, as in the
 * packet), updating the IPv4 header checksum and the L4 checksum by RFC
 * 1624. For ICMP the "port" is the echo identifier, on either side (the
 * ICMP checksum covers no pseudo-header). A zero UDP checksum (none)
 * stays zero; a computed zero is sent as 0xffff (RFC 768).
 * Returns 0, or -EINVAL when the protocol is not TCP, UDP or an ICMP
 * echo request/reply or l4_len is short (nothing is written then).
 */
int adn_nat_rewrite(uint8_t *ip, uint8_t *l4, size_t l4_len,
		    enum adn_nat_side side, uint32_t new_ip,
		    uint16_t new_port);

#endif /* _ADN_NAT_H_ */
