/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "adn_l7_meta.h"
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

int
adn_rpc_msg_from_l7(struct adn_rpc_msg *r, const struct adn_l7_rec *l7)
{
	if (l7->kind == ADN_L7_NONE)
		return -ENOENT;
	memset(r, 0, offsetof(struct adn_rpc_msg, hdr));
	r->carrier = ADN_RPC_CARRIER_HTTP;
	r->kind = l7->kind == ADN_L7_RESPONSE ? ADN_RPC_T_RESPONSE :
		ADN_RPC_T_REQUEST;
	r->method = l7->method;
	r->status = l7->status;
	r->payload = l7->body;
	r->payload_len = l7->body_len;
	r->hdr.n_fields = 0;
	r->head = l7->head;
	r->head_len = l7->head_len;
	r->path = l7->path;
	r->path_len = l7->path_len;
	r->query = l7->query;
	r->query_len = l7->query_len;
	return 0;
}
