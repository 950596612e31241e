/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a packet's RPC message record (adn_rpc_msg.h) is: RpcParse keeps
 * one record per packet of its batch in a per-worker area and leaves its
 * address in the mbuf dynamic field "adn_rpc_msg" with the flag
 * "adn_rpc_msg_valid" (lib/core/adn_pkt_meta.h, the mechanism the L7
 * record uses). Valid until the worker's next batch reaches RpcParse:
 * for the rest of the pipeline run.
 */
#ifndef _ADN_RPC_META_H_
#define _ADN_RPC_META_H_

#include <rte_mbuf.h>

#include "adn_pkt_meta.h"
#include "adn_rpc_msg.h"

/* The field and flag. */
extern struct adn_pkt_meta adn_rpc_meta;

/* Register them (idempotent; main lcore, in configure, before use).
 * 0 or a negative errno. */
int adn_rpc_meta_register(void);

/* The packet's RPC record, or NULL when RpcParse found no RPC in it. */
static inline struct adn_rpc_msg *
adn_rpc_msg(const struct rte_mbuf *m)
{
	return adn_pkt_meta_get(&adn_rpc_meta, m);
}

static inline void
adn_rpc_msg_set(struct rte_mbuf *m, struct adn_rpc_msg *r)
{
	adn_pkt_meta_set(&adn_rpc_meta, m, r);
}

#endif /* _ADN_RPC_META_H_ */
