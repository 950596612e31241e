/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SetDscp — the worked example of an element (docs/architecture.md):
 * writes the `dscp` key into the IPv4 DSCP bits and updates the header
 * checksum incrementally (RFC 1624), as Click's SetIPDSCP does. The test
 * suite builds and runs it (tests/unit/test_examples.c).
 *
 * Keys: dscp (int 0-63, required).  Outputs: 0 — every IPv4 packet.
 * Drops: not-ipv4 — no IPv4 header in the frame.
 */
#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_nat.h"
#include "adn_pkt.h"

/* Outputs and drop reasons are enums: the names come from the arrays. */
enum { SET_DSCP_OUT, SET_DSCP_N_OUT };

enum { SET_DSCP_DROP_NOT_IPV4 };

static const char *const set_dscp_drops[] = {
	[SET_DSCP_DROP_NOT_IPV4] = "not-ipv4",
	NULL,
};

/* priv: what configure() read, for the data path. */
struct set_dscp {
	uint8_t dscp;
};

/* Declared keys: the core checks presence, type and range before
 * configure() runs, and rejects keys not listed here. */
static const struct adn_arg_spec set_dscp_args[] = {
	{ .name = "dscp", .type = ADN_ARG_INT, .required = true, .min = 0,
	  .max = 63, .help = "the DSCP value, 0-63" },
	{ .name = NULL },
};

static int
set_dscp_configure(struct adn_elem *e, struct adn_build *b)
{
	struct set_dscp *s = adn_elem_priv(e);

	RTE_SET_USED(b);
	s->dscp = (uint8_t)adn_elem_arg_int(e, "dscp");
	return 0;
}

/* One packet, in its simplest form: templates loop, prefetch and fuse. */
static int
set_dscp_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct set_dscp *s = adn_elem_priv(e);
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	uint16_t old_w, new_w;

	RTE_SET_USED(ctx);
	if (ip == NULL)
		return adn_drop(SET_DSCP_DROP_NOT_IPV4);
	/* The TOS byte shares a 16-bit word with version and IHL. */
	old_w = (uint16_t)(ip->version_ihl << 8 | ip->type_of_service);
	ip->type_of_service = (uint8_t)(s->dscp << 2 |
					(ip->type_of_service & 0x3));
	new_w = (uint16_t)(ip->version_ihl << 8 | ip->type_of_service);
	ip->hdr_checksum = rte_cpu_to_be_16(adn_nat_csum_update16(
		rte_be_to_cpu_16(ip->hdr_checksum), old_w, new_w));
	return SET_DSCP_OUT;
}

static const struct adn_elem_desc set_dscp_desc = {
	.name = "SetDscp",
	.help = "set the IPv4 DSCP bits, incremental checksum update",
	.priv_size = sizeof(struct set_dscp),
	.n_outputs = SET_DSCP_N_OUT,
	.drop_reasons = set_dscp_drops,
	.args = set_dscp_args,
	.configure = set_dscp_configure,
	ADN_ELEM_EXEC_STAGE(set_dscp),
};

ADN_ELEM_REGISTER(set_dscp_desc);
