/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compressing and decompressing RPC payloads in place in their packets:
 * the one implementation behind Compress and Decompress (nfs/compress.c,
 * nfs/decompress.c; docs/adn-rpc.md, "Compression").
 *
 * ADN RPC over UDP: the payload after the header is replaced; the
 * header's payload length and its COMPRESSED flag, the UDP length, the
 * IPv4 total length and both checksums (UDP's only when the sender set
 * one) are rewritten.
 *
 * HTTP/1.1: a message whose head and whole body (Content-Length, no
 * Transfer-Encoding) are in this packet: the body is replaced, the
 * Content-Length digits rewritten and `Content-Encoding: TOKEN` added as
 * the head's last line (Decompress removes exactly that line and restores
 * the digits, so a Compress -> Decompress pair gives back every byte);
 * IPv4 total length and checksum and the TCP checksum are rewritten.
 * The segment's length changes and its sequence number does not: the
 * TCP stream is only consistent again after the Decompress of the pair,
 * so a Compress whose HTTP output reaches a TCP endpoint directly breaks
 * the connection. This is the ADN deployment (compress between two
 * processors on the path); there is no sequence-offset tracking.
 *
 * Frames must be one segment (others pass unchanged, counted): the
 * mbuf is trimmed or appended to the new length. The RPC record
 * (adn_rpc_msg.h) is updated for the elements after: payload, its
 * length and the header fields; HTTP: `head` points to the new head in
 * the packet.
 *
 * Threads: a struct adn_rpc_z is one worker's.
 */
#ifndef _ADN_RPC_COMPRESS_H_
#define _ADN_RPC_COMPRESS_H_

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "adn_codec.h"
#include "adn_rpc_msg.h"

struct adn_elem;
struct adn_build;
struct adn_arg_spec;

/* What happened to a packet; the elements count each outcome. */
enum adn_rpc_z_res {
	ADN_RPC_Z_DONE,		/* rewritten */
	ADN_RPC_Z_NO_RPC,	/* no RPC record, or no payload */
	ADN_RPC_Z_SMALL,	/* compress: payload under min_size */
	ADN_RPC_Z_NOT_SMALLER,	/* compress: the result was not smaller */
	/* compress: compressed already (flag, or any Content-Encoding);
	 * decompress: not compressed by this codec */
	ADN_RPC_Z_PASS,
	/* HTTP head or body not (all) in this packet, chunked, several
	 * segments, over ADN_CODEC_MAX_LEN */
	ADN_RPC_Z_UNSUPPORTED,
	ADN_RPC_Z_NO_ROOM,	/* decompress: the result does not fit */
	ADN_RPC_Z_CORRUPT,	/* decompress: not a valid stream */
	ADN_RPC_Z_N,
};

/* Its name for counters ("not-smaller"). */
const char *adn_rpc_z_res_str(enum adn_rpc_z_res r);

/* One worker's codec and scratch. */
struct adn_rpc_z {
	struct adn_codec *codec;
	enum adn_codec_kind kind;
	uint32_t min_size;
	uint64_t count[ADN_RPC_Z_N];
	uint64_t bytes_in, bytes_out;	/* payload bytes of DONE packets */
	/* the new payload (HTTP: head and body) is built here */
	uint8_t buf[ADN_CODEC_MAX_LEN + 1024];
};

/* Recode the payload of the RPC in `m` (record `msg`, may be NULL):
 * compress when `compress`, else decompress. Any lcore, the worker's z;
 * allocates nothing. */
enum adn_rpc_z_res adn_rpc_z_recode(struct adn_rpc_z *z, bool compress,
				    struct rte_mbuf *m, struct adn_rpc_msg *msg);

/* The keys both elements take (codec, level, dictionary, min_size). */
extern const struct adn_arg_spec adn_rpc_z_args[];

/* The per-worker contexts (one array, n_workers of them) from the keys
 * of `e`: 0, or -EINVAL / -ENOMEM after adn_build_error. Control thread. */
int adn_rpc_z_configure(struct adn_elem *e, struct adn_build *b,
			struct adn_rpc_z **out, unsigned int *n_workers);
void adn_rpc_z_free(struct adn_rpc_z *z, unsigned int n_workers);

/* The counters summed over workers as xstats (adn_elem.h); returns how
 * many it wrote. */
struct adn_xstat;
unsigned int adn_rpc_z_xstats(const struct adn_rpc_z *z,
			      unsigned int n_workers, struct adn_xstat *out,
			      unsigned int max);

#endif /* _ADN_RPC_COMPRESS_H_ */
