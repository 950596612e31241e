/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-tracegen's RPC mode (tracegen_rpc.c): ADN RPC over UDP and HTTP
 * requests carrying the same fields, a latency-sensitive / bulk mix. */
#ifndef _TRACEGEN_RPC_H_
#define _TRACEGEN_RPC_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

enum tg_rpc_carrier {
	TG_RPC_ADN,	/* ADN RPC over UDP */
	TG_RPC_HTTP,	/* HTTP/1.1 requests, one connection each */
	TG_RPC_MIX,	/* each request either, half and half */
};

struct tg_rpc_opts {
	uint64_t requests, seed;
	enum tg_rpc_carrier carrier;
	double urgent;		/* share of latency-sensitive requests */
	uint32_t small, bulk;	/* payload bytes of each kind */
	uint16_t port;		/* UDP port of ADN RPC */
	uint32_t users, objects;
	bool query;		/* HTTP: fields in the query, not headers */
	uint32_t mtu;		/* largest IP packet; bigger payloads split */
};

/* Write the requests to `dump` and, when `manifest` is not NULL, each
 * request's fields and packets as JSON. 0 or -1. */
int tg_rpc_write(const struct tg_rpc_opts *o, pcap_dumper_t *dump,
		 FILE *manifest);

#endif /* _TRACEGEN_RPC_H_ */
