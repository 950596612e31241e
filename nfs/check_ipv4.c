/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CheckIPv4 — lets through well-formed IPv4 packets (Click's CheckIPHeader).
 * It reads the parsed headers (adn_pkt_hdrs: parsed here when no element
 * before it did), so the elements after it find l2_len/l3_len/l4_len and
 * packet_type filled.
 *
 * Keys:
 *   verify_checksum (bool, default true)  check the header checksum
 *   non_ipv4        (bool, default false) give non-IPv4 frames (ARP, IPv6,
 *                                         ...) output 1 instead of
 *                                         dropping them (Click's
 *                                         CheckIPHeader's second output)
 * Outputs: 0 — valid IPv4; 1 — with `non_ipv4`: a whole Ethernet header
 * (one VLAN tag allowed) of another EtherType.
 * Drops, in the order checked:
 *   truncated     frame shorter than its Ethernet header (with its VLAN
 *                 tag), its IP header or its total length
 *   not-ipv4      another EtherType (without `non_ipv4`)
 *   bad-version   version field is not 4
 *   bad-ihl       header length below 20 bytes
 *   bad-length    total length below the header length
 *   bad-checksum  header checksum wrong
 *   ttl-zero      TTL is 0 (no router may forward it)
 */
#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_pkt.h"

enum { CHECK_IPV4_OUT, CHECK_IPV4_OUT_NON_IPV4, CHECK_IPV4_N_OUT };

enum {
	CHECK_IPV4_DROP_NOT_IPV4,
	CHECK_IPV4_DROP_TRUNCATED,
	CHECK_IPV4_DROP_BAD_VERSION,
	CHECK_IPV4_DROP_BAD_IHL,
	CHECK_IPV4_DROP_BAD_LENGTH,
	CHECK_IPV4_DROP_BAD_CHECKSUM,
	CHECK_IPV4_DROP_TTL_ZERO,
};

static const char *const check_ipv4_drops[] = {
	[CHECK_IPV4_DROP_NOT_IPV4] = "not-ipv4",
	[CHECK_IPV4_DROP_TRUNCATED] = "truncated",
	[CHECK_IPV4_DROP_BAD_VERSION] = "bad-version",
	[CHECK_IPV4_DROP_BAD_IHL] = "bad-ihl",
	[CHECK_IPV4_DROP_BAD_LENGTH] = "bad-length",
	[CHECK_IPV4_DROP_BAD_CHECKSUM] = "bad-checksum",
	[CHECK_IPV4_DROP_TTL_ZERO] = "ttl-zero",
	NULL,
};

struct check_ipv4 {
	bool verify_checksum;
	bool non_ipv4;
};

static const struct adn_arg_spec check_ipv4_args[] = {
	{ .name = "verify_checksum", .type = ADN_ARG_BOOL, .def_int = 1 },
	{ .name = "non_ipv4", .type = ADN_ARG_BOOL, .def_int = 0,
	  .help = "output 1 for non-IPv4 frames" },
	{ .name = NULL },
};

static int
check_ipv4_configure(struct adn_elem *e, struct adn_build *b)
{
	struct check_ipv4 *c = adn_elem_priv(e);

	c->verify_checksum = adn_elem_arg_bool(e, "verify_checksum");
	c->non_ipv4 = adn_elem_arg_bool(e, "non_ipv4");
	e->n_outputs = c->non_ipv4 ? CHECK_IPV4_N_OUT : CHECK_IPV4_OUT + 1;
	return 0;
}

static int
check_ipv4_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct check_ipv4 *c = adn_elem_priv(e);
	const uint32_t pt = adn_pkt_hdrs(m);
	const struct rte_ipv4_hdr *ip;
	uint16_t l2, ihl, total;
	bool whole;

	if (pt == RTE_PTYPE_UNKNOWN)
		return adn_drop(CHECK_IPV4_DROP_TRUNCATED);
	if (!(pt & RTE_PTYPE_L3_IPV4)) {
		/* IPv4 without room for its header, or another type. */
		if (adn_pkt_ether_type(m) == RTE_ETHER_TYPE_IPV4)
			return adn_drop(CHECK_IPV4_DROP_TRUNCATED);
		return c->non_ipv4 ? CHECK_IPV4_OUT_NON_IPV4 :
			adn_drop(CHECK_IPV4_DROP_NOT_IPV4);
	}
	l2 = m->l2_len;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	if ((ip->version_ihl >> 4) != 4)
		return adn_drop(CHECK_IPV4_DROP_BAD_VERSION);
	ihl = m->l3_len;
	whole = adn_pkt_l4_whole(m);
	if (!whole && ihl < sizeof(*ip))
		return adn_drop(CHECK_IPV4_DROP_BAD_IHL);
	total = rte_be_to_cpu_16(ip->total_length);
	if (total < ihl)
		return adn_drop(CHECK_IPV4_DROP_BAD_LENGTH);
	if ((!whole && rte_pktmbuf_data_len(m) < l2 + ihl) ||
	    rte_pktmbuf_pkt_len(m) < (uint32_t)l2 + total)
		return adn_drop(CHECK_IPV4_DROP_TRUNCATED);
	if (c->verify_checksum && adn_pkt_cksum(ip, ihl) != 0xffff)
		return adn_drop(CHECK_IPV4_DROP_BAD_CHECKSUM);
	if (ip->time_to_live == 0)
		return adn_drop(CHECK_IPV4_DROP_TTL_ZERO);
	return CHECK_IPV4_OUT;
}

static const struct adn_elem_desc check_ipv4_desc = {
	.name = "CheckIPv4",
	.help = "pass well-formed IPv4, drop the rest with a reason",
	.priv_size = sizeof(struct check_ipv4),
	.n_outputs = CHECK_IPV4_OUT + 1,	/* 2 with non_ipv4 */
	.drop_reasons = check_ipv4_drops,
	.args = check_ipv4_args,
	.configure = check_ipv4_configure,
	ADN_ELEM_EXEC_STAGE(check_ipv4),
};

ADN_ELEM_REGISTER(check_ipv4_desc);
