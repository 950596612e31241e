/* SPDX-License-Identifier: BSD-3-Clause */
#include "adn_l7_meta.h"

/* Registered once on the main lcore before any worker runs, then
 * read-only. */
struct adn_pkt_meta adn_l7_meta =
	ADN_PKT_META_INIT("adn_l7_rec", "adn_l7_rec_valid");

int
adn_l7_meta_register(void)
{
	return adn_pkt_meta_register(&adn_l7_meta);
}
