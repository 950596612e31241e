/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header access shared by elements. Bounds are checked against the first
 * segment, so a truncated frame yields NULL instead of a read past the data.
 */
#ifndef _ADN_PKT_H_
#define _ADN_PKT_H_

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_ptype.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_hash.h"

/* Adds the 8-byte word at p as two 32-bit halves: 2^32 = 1 modulo
 * 2^16 - 1, so the fold at the end gives the sum of 16-bit words. */
static inline uint64_t
adn_pkt_cksum_add8(uint64_t sum, const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return sum + (w & UINT32_MAX) + (w >> 32);
}

/* `sum`, a sum of 16-bit words, folded to 16 bits with end-around
 * carries (RFC 1071): adding a value to its half-rotation leaves the sum
 * of its halves, carry included, in the upper half, so each halving is a
 * rotate and an add instead of two masks, two shifts and two adds. Zero
 * only for a zero sum. */
static __rte_always_inline uint16_t
adn_pkt_cksum_fold(uint64_t sum)
{
	uint32_t s;

	sum += (sum >> 32) | (sum << 32);
	s = (uint32_t)(sum >> 32);
	s += (s >> 16) | (s << 16);
	return (uint16_t)(s >> 16);
}

/* The sum of adn_pkt_cksum below, `len` < 32, unfolded. */
static __rte_always_inline uint64_t
adn_pkt_cksum_short(const uint8_t *p, uint32_t len)
{
	uint64_t sum = 0;

	if (len & 16) {
		sum = adn_pkt_cksum_add8(sum, p);
		sum = adn_pkt_cksum_add8(sum, p + 8);
		p += 16;
	}
	if (len & 8) {
		sum = adn_pkt_cksum_add8(sum, p);
		p += 8;
	}
	if (len & 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 4;
	}
	if (len & 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		sum += w;
		p += 2;
	}
	if (len & 1) {
		/* The odd byte is the first of a zero-padded word. */
		uint16_t w = 0;

		memcpy(&w, p, 1);
		sum += w;
	}
	return sum;
}

/*
 * The Internet checksum's sum (RFC 1071) of the `len` bytes at `buf`:
 * rte_raw_cksum()'s value, bit for bit, at any alignment and on either
 * byte order. rte_raw_cksum adds 16-bit words in a loop the compiler
 * vectorises, and for header-sized spans (an IPv4 header, a small TCP
 * segment) the loop's set-up and tail cost more than the sum: spans below
 * 32 bytes take one step per set bit of the length instead, no loop, and
 * the 20 bytes of an IPv4 header without options have a copy of their own
 * with the length a constant (three loads and the fold).
 * adn_pkt_cksum_sum is that sum before its fold (adn_pkt_cksum_fold), for
 * a caller that adds more words and folds once.
 */
static inline uint64_t
adn_pkt_cksum_sum(const void *buf, uint32_t len)
{
	if (likely(len == sizeof(struct rte_ipv4_hdr)))
		return adn_pkt_cksum_short(buf, sizeof(struct rte_ipv4_hdr));
	if (len < 32)
		return adn_pkt_cksum_short(buf, len);
	return rte_raw_cksum(buf, len);
}

static inline uint16_t
adn_pkt_cksum(const void *buf, uint32_t len)
{
	return adn_pkt_cksum_fold(adn_pkt_cksum_sum(buf, len));
}

/*
 * Parse once. A packet's headers are parsed by the first element that
 * needs them, into the mbuf's standard fields, and read from there by the
 * elements after it:
 *
 *   packet_type  RTE_PTYPE_L2_ETHER or _ETHER_VLAN (0: not even an
 *                Ethernet header), | RTE_PTYPE_L3_IPV4 when the EtherType
 *                is IPv4 and a 20-byte header is in the first segment,
 *                | RTE_PTYPE_L4_TCP/_UDP/_ICMP/_NONFRAG, or _FRAG for a
 *                fragment (offset or MF set)
 *   l2_len       Ethernet header with its tag
 *   l3_len       the IPv4 header length as its IHL says (unchecked: an
 *                element that needs it whole checks it against the frame)
 *   l4_len       the TCP header length (data offset) or 8 for UDP, when
 *                the IHL is at least 5 and that header is in the first
 *                segment; else 0 (adn_pkt_l4_whole)
 *
 * packet_type 0 means "not parsed": sources hand packets over that way
 * (FromPort clears what a PMD wrote, or parses itself with `parse`), and
 * an element that changes the header layout (an encapsulation) parses
 * again with adn_pkt_parse, so the fields stay true for what follows.
 * Rewriting addresses, ports, TTL or checksums in place keeps them true.
 */

/* Hand n packets over unparsed (packet_type 0), as a source does with
 * what its PMD wrote. A store a packet: unrolled, the loop's compare and
 * branch stop costing as much as the store. */
static inline void
adn_pkt_unparsed(struct rte_mbuf *const *pkts, uint16_t n)
{
#pragma GCC unroll 4
	for (uint16_t i = 0; i < n; i++)
		pkts[i]->packet_type = 0;
}

/* Store the parse's result: the lengths in one store of the tx_offload
 * word they share (no element uses its TSO or outer-header fields), not
 * as three read-modify-writes of bit-fields. */
static __rte_always_inline uint32_t
adn_pkt_parsed(struct rte_mbuf *m, uint16_t l2, uint16_t l3, uint16_t l4,
	       uint32_t pt)
{
	m->tx_offload = rte_mbuf_tx_offload(l2, l3, l4, 0, 0, 0, 0);
	m->packet_type = pt;
	return pt;
}

/* The parse after an L2 header of `l2` bytes (its packet type `pt`) whose
 * last two bytes are the EtherType, in the first `dlen` bytes at `p`. */
static __rte_always_inline uint32_t
adn_pkt_parse_l3(struct rte_mbuf *m, const uint8_t *p, uint32_t dlen,
		 const uint16_t l2, uint32_t pt)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t type, l3, l4 = 0;

	memcpy(&type, p + l2 - sizeof(type), sizeof(type));
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    dlen < l2 + sizeof(*ip))
		return adn_pkt_parsed(m, l2, 0, 0, pt);
	ip = (const struct rte_ipv4_hdr *)(p + l2);
	l3 = rte_ipv4_hdr_len(ip);
	pt |= RTE_PTYPE_L3_IPV4;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK |
						   RTE_IPV4_HDR_MF_FLAG))
		pt |= RTE_PTYPE_L4_FRAG;
	else if (ip->next_proto_id == IPPROTO_TCP) {
		pt |= RTE_PTYPE_L4_TCP;
		if (l3 >= sizeof(*ip) &&
		    dlen >= (uint32_t)l2 + l3 + sizeof(struct rte_tcp_hdr))
			l4 = (((const struct rte_tcp_hdr *)(p + l2 + l3))->
			      data_off >> 4) * 4;
	} else if (ip->next_proto_id == IPPROTO_UDP) {
		pt |= RTE_PTYPE_L4_UDP;
		if (l3 >= sizeof(*ip) &&
		    dlen >= (uint32_t)l2 + l3 + sizeof(struct rte_udp_hdr))
			l4 = sizeof(struct rte_udp_hdr);
	} else if (ip->next_proto_id == IPPROTO_ICMP)
		pt |= RTE_PTYPE_L4_ICMP;
	else
		pt |= RTE_PTYPE_L4_NONFRAG;
	return adn_pkt_parsed(m, l2, l3, l4, pt);
}

/* A tagged frame, out of line: inline, the two L2 lengths would make the
 * compiler carry every packet type and length combination of both in
 * registers through the untagged path, the rule. */
static __rte_noinline __rte_cold uint32_t
adn_pkt_parse_tagged(struct rte_mbuf *m)
{
	const uint32_t l2 = sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_vlan_hdr);

	if (rte_pktmbuf_data_len(m) < l2)
		return adn_pkt_parsed(m, 0, 0, 0, RTE_PTYPE_UNKNOWN);
	return adn_pkt_parse_l3(m, rte_pktmbuf_mtod(m, const uint8_t *),
				rte_pktmbuf_data_len(m), l2,
				RTE_PTYPE_L2_ETHER_VLAN);
}

/* Parse `m`'s frame into the fields above; returns packet_type. */
static inline uint32_t
adn_pkt_parse(struct rte_mbuf *m)
{
	const uint32_t dlen = rte_pktmbuf_data_len(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t type;

	if (dlen < sizeof(struct rte_ether_hdr))
		return adn_pkt_parsed(m, 0, 0, 0, RTE_PTYPE_UNKNOWN);
	memcpy(&type, p + offsetof(struct rte_ether_hdr, ether_type),
	       sizeof(type));
	if (unlikely(type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)))
		return adn_pkt_parse_tagged(m);
	return adn_pkt_parse_l3(m, p, dlen, sizeof(struct rte_ether_hdr),
				RTE_PTYPE_L2_ETHER);
}

/* The packet's parsed headers (above): parses on the first call for this
 * packet, reads the fields after that. Returns packet_type. */
static inline uint32_t
adn_pkt_hdrs(struct rte_mbuf *m)
{
	return likely(m->packet_type != 0) ? m->packet_type : adn_pkt_parse(m);
}

/* The EtherType (host order, after the tag) of a packet with an Ethernet
 * header (adn_pkt_hdrs() != 0). */
static inline uint16_t
adn_pkt_ether_type(const struct rte_mbuf *m)
{
	uint16_t t;

	memcpy(&t, rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len - 2),
	       sizeof(t));
	return rte_be_to_cpu_16(t);
}

/* The IPv4 header when the frame carries IPv4 with at least a minimal
 * header in the first segment (parsed once, adn_pkt_hdrs); NULL
 * otherwise. */
static inline struct rte_ipv4_hdr *
adn_pkt_ipv4(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;

	if (!(adn_pkt_hdrs(m) & RTE_PTYPE_L3_IPV4))
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	/* Never NULL (data lies in a buffer): saying so spares the callers'
	 * NULL test a second branch on this path. */
	if (ip == NULL)
		__builtin_unreachable();
	return ip;
}

/* Whether the parse found a TCP or UDP header (its fixed part) after an
 * IHL of at least 5, in the first segment of a packet that is no
 * fragment (l4_len != 0): an element need not check those again. False
 * also for a TCP header whose data offset reads 0; callers check such
 * packets themselves. */
static inline bool
adn_pkt_l4_whole(const struct rte_mbuf *m)
{
	return m->l4_len != 0;
}

/* L4 header of a packet adn_pkt_ipv4 gave `ip` for, when `need` bytes of
 * it are in the first segment and it is the first fragment; NULL
 * otherwise. */
static inline void *
adn_pkt_l4(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint16_t need)
{
	const uint16_t l3 = m->l3_len;
	const uint32_t off = (uint32_t)m->l2_len + l3;

	if (l3 < sizeof(*ip) || (ip->fragment_offset &
				 rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) ||
	    rte_pktmbuf_data_len(m) < off + need)
		return NULL;
	return rte_pktmbuf_mtod_offset(m, uint8_t *, off);
}

/* The IPv4 5-tuple of the Ethernet frame in the `len` bytes at `frame`
 * (ports 0 for other protocols and later fragments), and its L2 length;
 * -1 if not IPv4. Reads only: for copies of frames (samples) and for
 * observers that must not touch the mbuf. */
static inline int
adn_frame_flow_key(const uint8_t *frame, uint32_t len,
		   struct adn_flow_key *k, uint16_t *l2_len)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *l4;
	uint16_t type, l2 = sizeof(struct rte_ether_hdr), l3;

	if (len < l2)
		return -1;
	type = rte_be_to_cpu_16(((const struct rte_ether_hdr *)frame)->
				ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		if (len < l2 + sizeof(struct rte_vlan_hdr))
			return -1;
		type = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)
					 (frame + l2))->eth_proto);
		l2 += sizeof(struct rte_vlan_hdr);
	}
	if (type != RTE_ETHER_TYPE_IPV4 || len < l2 + sizeof(*ip))
		return -1;
	ip = (const struct rte_ipv4_hdr *)(frame + l2);
	*l2_len = l2;
	k->src_ip = ip->src_addr;
	k->dst_ip = ip->dst_addr;
	k->proto = ip->next_proto_id;
	k->src_port = 0;
	k->dst_port = 0;
	l3 = rte_ipv4_hdr_len(ip);
	if ((k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) &&
	    l3 >= sizeof(*ip) && !(ip->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) &&
	    len >= (uint32_t)l2 + l3 + 4) {
		l4 = (const struct rte_udp_hdr *)(frame + l2 + l3);
		k->src_port = l4->src_port;
		k->dst_port = l4->dst_port;
	}
	return 0;
}

/* The IPv4 5-tuple (ports 0 for other protocols and later fragments);
 * -1 if not IPv4. From the parsed headers (adn_pkt_hdrs). */
static inline int
adn_pkt_flow_key(struct rte_mbuf *m, struct adn_flow_key *k)
{
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	const struct rte_udp_hdr *l4;

	if (ip == NULL)
		return -1;
	k->src_ip = ip->src_addr;
	k->dst_ip = ip->dst_addr;
	k->proto = ip->next_proto_id;
	k->src_port = 0;
	k->dst_port = 0;
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return 0;
	/* A first fragment, or a header cut short after its ports, still
	 * has them. */
	l4 = adn_pkt_l4_whole(m) ?
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
					m->l2_len + m->l3_len) :
		adn_pkt_l4(m, ip, 4);
	if (l4 != NULL) {
		k->src_port = l4->src_port;
		k->dst_port = l4->dst_port;
	}
	return 0;
}

#endif /* _ADN_PKT_H_ */
