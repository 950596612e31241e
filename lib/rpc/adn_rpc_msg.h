/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RPC message record: an RPC as a tuple of fields (ADN §3), whatever
 * carried it. RpcParse (nfs/rpc_parse.c) fills one per packet that holds
 * an RPC and leaves its address in the packet (adn_rpc_meta.h); the
 * elements after it (RpcLb, RpcAcl, Compress, Prioritize) read fields
 * through a view (adn_rpc_view.h) and never parse again.
 *
 * Carriers:
 *   ADN RPC over UDP (adn_rpc_wire.h): the decoded header, its fields
 *     pointing into the packet;
 *   HTTP/1.1 (HttpParse's L7 record, lib/l7/adn_l7_meta.h): method, path,
 *     query, the validated head (for any header by name), the body bytes
 *     of this packet; the strings are HttpParse's copies.
 *
 * Lifetime: a record and what it points to are valid for the rest of the
 * pipeline run of its packet. An element that moves the packet's bytes
 * (prepends, trims before the RPC) or rewrites the RPC header must update
 * `rpc` / `payload` (and `hdr` when it changes it): the record is the
 * truth for the elements after it.
 *
 * DPDK-free (tests and fuzzers build records by hand).
 */
#ifndef _ADN_RPC_MSG_H_
#define _ADN_RPC_MSG_H_

#include <stddef.h>
#include <stdint.h>

#include "adn_rpc_wire.h"

enum adn_rpc_carrier {
	ADN_RPC_CARRIER_NONE,
	ADN_RPC_CARRIER_ADN,	/* ADN RPC header over UDP */
	ADN_RPC_CARRIER_HTTP,	/* HTTP/1.1 over TCP (HttpParse) */
};

struct adn_rpc_msg {
	uint8_t carrier;	/* enum adn_rpc_carrier */
	uint8_t kind;		/* enum adn_rpc_type: request or response */
	uint8_t flags;		/* ADN: header flags (enum adn_rpc_flags) */
	uint32_t req_id;	/* ADN: request id; HTTP: 0 */
	uint16_t service;	/* ADN: service id; HTTP: 0 */
	uint16_t method;	/* ADN: method id; HTTP: enum adn_http_method */
	/* The payload (ADN: after the header; HTTP: the body bytes in this
	 * packet after the head, when the head arrived in this packet's own
	 * bytes): `payload_len` bytes at `payload`, NULL when none. */
	const uint8_t *payload;
	uint32_t payload_len;

	/* ADN carrier: the message's first byte in the packet, its offset
	 * from the frame's first byte (mbuf data), and the decoded header
	 * (field offsets are from `rpc`). */
	const uint8_t *rpc;
	uint32_t rpc_off;
	struct adn_rpc_hdr hdr;

	/* HTTP carrier: the head (start line to the empty line), path and
	 * query (the target split at '?'), response status. */
	const char *head;
	uint32_t head_len;
	const char *path;
	const char *query;
	uint16_t path_len, query_len;
	uint16_t status;
};

/*
 * Fill *r from the ADN RPC message at `rpc` (`len` bytes: the UDP
 * payload), `rpc_off` bytes from the frame's first byte. Returns the
 * header's length, or -enum adn_rpc_err (a malformed header; *r is then
 * not a record). DPDK-free (rpc_codec_dep).
 */
int adn_rpc_msg_from_wire(struct adn_rpc_msg *r, const uint8_t *rpc,
			  size_t len, uint32_t rpc_off);

struct adn_l7_rec;

/*
 * Fill *r from HttpParse's L7 record of a packet: 0, or -ENOENT when no
 * message head ends in the packet (its kind is ADN_L7_NONE). The strings
 * stay HttpParse's (rpc_dep).
 */
int adn_rpc_msg_from_l7(struct adn_rpc_msg *r, const struct adn_l7_rec *l7);

#endif /* _ADN_RPC_MSG_H_ */
