/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header access shared by elements. Bounds are checked against the first
 * segment, so a truncated frame yields NULL instead of a read past the data.
 */
#ifndef _ADN_PKT_H_
#define _ADN_PKT_H_

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_hash.h"

/* L2 header length of an Ethernet frame (one 802.1Q tag allowed) and its
 * inner EtherType (host order); 0 when the frame is too short. */
static inline uint16_t
adn_pkt_l2(const struct rte_mbuf *m, uint16_t *ether_type)
{
	const struct rte_ether_hdr *eth;
	uint16_t len = sizeof(*eth);

	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return 0;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	*ether_type = rte_be_to_cpu_16(eth->ether_type);
	if (*ether_type == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vh;

		if (rte_pktmbuf_data_len(m) < len + sizeof(*vh))
			return 0;
		vh = rte_pktmbuf_mtod_offset(m, const struct rte_vlan_hdr *,
					     len);
		*ether_type = rte_be_to_cpu_16(vh->eth_proto);
		len += sizeof(*vh);
	}
	return len;
}

/* The IPv4 header when the frame carries IPv4 with at least a minimal
 * header in the first segment; sets m->l2_len. NULL otherwise. */
static inline struct rte_ipv4_hdr *
adn_pkt_ipv4(struct rte_mbuf *m)
{
	uint16_t type, l2 = adn_pkt_l2(m, &type);

	if (l2 == 0 || type != RTE_ETHER_TYPE_IPV4 ||
	    rte_pktmbuf_data_len(m) < l2 + sizeof(struct rte_ipv4_hdr))
		return NULL;
	m->l2_len = l2;
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
}

/* L4 header of an IPv4 packet when `need` bytes of it are in the first
 * segment and it is the first fragment; NULL otherwise. */
static inline void *
adn_pkt_l4(struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, uint16_t need)
{
	uint16_t l3 = rte_ipv4_hdr_len(ip);
	uint32_t off = (uint32_t)((const uint8_t *)ip -
				  rte_pktmbuf_mtod(m, const uint8_t *)) + l3;

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

/* The IPv4 5-tuple (ports 0 for other protocols); -1 if not IPv4. Sets
 * m->l2_len as adn_pkt_ipv4 does. */
static inline int
adn_pkt_flow_key(struct rte_mbuf *m, struct adn_flow_key *k)
{
	uint16_t l2;

	if (adn_frame_flow_key(rte_pktmbuf_mtod(m, const uint8_t *),
			       rte_pktmbuf_data_len(m), k, &l2) < 0)
		return -1;
	m->l2_len = l2;
	return 0;
}

#endif /* _ADN_PKT_H_ */
