/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DecTTL — decrements the IPv4 TTL and updates the header checksum
 * incrementally (RFC 1624, eqn. 3), as a router does (Click's DecIPTTL).
 *
 * Keys: none.  Outputs: 0 — forwarded packets.
 * Drops:
 *   not-ipv4     no IPv4 header in the frame
 *   ttl-expired  TTL was 0 or 1 (a router would send ICMP time exceeded)
 */
#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_pkt.h"

enum { DEC_TTL_OUT, DEC_TTL_N_OUT };

enum { DEC_TTL_DROP_NOT_IPV4, DEC_TTL_DROP_EXPIRED };

static const char *const dec_ttl_drops[] = {
	[DEC_TTL_DROP_NOT_IPV4] = "not-ipv4",
	[DEC_TTL_DROP_EXPIRED] = "ttl-expired",
	NULL,
};

static int
dec_ttl_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	uint16_t old_word, new_word;
	uint32_t sum;

	if (ip == NULL)
		return adn_drop(DEC_TTL_DROP_NOT_IPV4);
	if (ip->time_to_live <= 1)
		return adn_drop(DEC_TTL_DROP_EXPIRED);
	/* TTL shares a 16-bit word with the protocol. */
	old_word = (uint16_t)(ip->time_to_live << 8 | ip->next_proto_id);
	ip->time_to_live--;
	new_word = (uint16_t)(old_word - 0x0100);
	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum);
	sum += (uint16_t)~old_word;
	sum += new_word;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~adn_pkt_cksum_fold(sum));
	return DEC_TTL_OUT;
}

static const struct adn_elem_desc dec_ttl_desc = {
	.name = "DecTTL",
	.help = "decrement the IPv4 TTL, incremental checksum update",
	.n_outputs = DEC_TTL_N_OUT,
	.drop_reasons = dec_ttl_drops,
	ADN_ELEM_EXEC_STAGE(dec_ttl),
};

ADN_ELEM_REGISTER(dec_ttl_desc);
