/* SPDX-License-Identifier: BSD-3-Clause */
#include "adn_rpc_meta.h"

/* Registered once on the main lcore before any worker runs, then
 * read-only. */
struct adn_pkt_meta adn_rpc_meta =
	ADN_PKT_META_INIT("adn_rpc_msg", "adn_rpc_msg_valid");

int
adn_rpc_meta_register(void)
{
	return adn_pkt_meta_register(&adn_rpc_meta);
}
