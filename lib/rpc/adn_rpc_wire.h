/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ADN RPC header (docs/adn-rpc.md): a compact binary header an RPC
 * carries over UDP, in front of its payload, so elements — and a switch
 * (ADN §2) — find the fields they match on at fixed offsets in the first
 * bytes of the packet instead of parsing HTTP.
 *
 * All numbers big-endian. A 20-byte fixed prefix:
 *
 *    0       1       2       3       4       5       6       7
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |  magic 0xAD52 | ver=1 | type  | flags |n_flds |    hdr_len    |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |          request id           |  service id   |   method id   |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |        payload length         |  field table ...
 *   +-------+-------+-------+-------+----
 *
 * then `n_flds` field entries — id (u8, 1-255, strictly ascending), type
 * (u8), length (u16), value (length bytes, no padding) — then the payload.
 * hdr_len counts the prefix and the table; hdr_len + payload length is
 * the whole RPC message (the UDP payload). Because ids ascend, the fields
 * an application gives the lowest ids (and fixed-size u64 type) sit at
 * offsets a switch parser can compute: field table entry k of a message
 * whose earlier entries are u64 starts at 20 + 12 k.
 *
 * DPDK-free: tests, fuzzers and adn-tracegen use it directly.
 * Threads: none kept; any thread.
 */
#ifndef _ADN_RPC_WIRE_H_
#define _ADN_RPC_WIRE_H_

#include <stddef.h>
#include <stdint.h>

#define ADN_RPC_MAGIC 0xAD52u		/* "AD" "R" */
#define ADN_RPC_VERSION 1
#define ADN_RPC_FIXED_LEN 20		/* the prefix */
#define ADN_RPC_ENTRY_LEN 4		/* a table entry before its value */
#define ADN_RPC_MAX_FIELDS 16		/* table entries per message */
#define ADN_RPC_MAX_HDR 1024		/* hdr_len bound */

/* Offsets of the prefix's members (a switch matches on them). */
enum adn_rpc_off {
	ADN_RPC_OFF_MAGIC = 0,
	ADN_RPC_OFF_VERSION = 2,
	ADN_RPC_OFF_TYPE = 3,
	ADN_RPC_OFF_FLAGS = 4,
	ADN_RPC_OFF_N_FIELDS = 5,
	ADN_RPC_OFF_HDR_LEN = 6,
	ADN_RPC_OFF_REQ_ID = 8,
	ADN_RPC_OFF_SERVICE = 12,
	ADN_RPC_OFF_METHOD = 14,
	ADN_RPC_OFF_PAYLOAD_LEN = 16,
};

/* Message types. */
enum adn_rpc_type {
	ADN_RPC_T_REQUEST = 0,
	ADN_RPC_T_RESPONSE = 1,
};

/* Flags; the other bits are reserved, 0 on the wire (else a reject). */
enum adn_rpc_flags {
	/* The payload is compressed (Compress/Decompress, issue #17 B). */
	ADN_RPC_F_COMPRESSED = 1u << 0,
	/* The sender marked the call latency-sensitive (a hint; a
	 * Prioritize element decides by its own rules). */
	ADN_RPC_F_URGENT = 1u << 1,
	ADN_RPC_F_ALL = ADN_RPC_F_COMPRESSED | ADN_RPC_F_URGENT,
};

/* Field value types. */
enum adn_rpc_ftype {
	ADN_RPC_FT_U64 = 1,	/* 8 bytes, big-endian */
	ADN_RPC_FT_BYTES = 2,	/* any bytes */
	ADN_RPC_FT_STRING = 3,	/* text: bytes without NUL */
};

/* Why a header was rejected (counted per reason by RpcParse). */
enum adn_rpc_err {
	ADN_RPC_OK = 0,
	ADN_RPC_E_SHORT,	/* fewer bytes than the prefix */
	ADN_RPC_E_MAGIC,
	ADN_RPC_E_VERSION,
	ADN_RPC_E_TYPE,		/* not request or response */
	ADN_RPC_E_FLAGS,	/* a reserved flag set */
	ADN_RPC_E_HDR_LEN,	/* < prefix, > ADN_RPC_MAX_HDR, or past the data */
	ADN_RPC_E_TOO_MANY_FIELDS,
	ADN_RPC_E_FIELD_TRUNC,	/* an entry runs past hdr_len */
	ADN_RPC_E_FIELD_ID,	/* id 0, or not above the previous one */
	ADN_RPC_E_FIELD_TYPE,	/* unknown type */
	ADN_RPC_E_FIELD_LEN,	/* u64 not 8 bytes; NUL in a string */
	ADN_RPC_E_TABLE_LEN,	/* the table does not end at hdr_len */
	ADN_RPC_E_PAYLOAD_LEN,	/* hdr_len + payload length != message length */
	ADN_RPC_E_MAX,
};

/* Its name for counters and messages ("bad-magic"). */
const char *adn_rpc_err_str(enum adn_rpc_err e);

/* A field of a decoded header: its value is at buf + off (off from the
 * start of the RPC message), len bytes; u64 values also decoded. */
struct adn_rpc_field {
	uint8_t id;
	uint8_t type;		/* enum adn_rpc_ftype */
	uint16_t len;
	uint16_t off;
	uint64_t u64;		/* ADN_RPC_FT_U64: the value; else 0 */
};

/* A decoded (or to-be-encoded) header. */
struct adn_rpc_hdr {
	uint8_t type;		/* enum adn_rpc_type */
	uint8_t flags;		/* enum adn_rpc_flags */
	uint8_t n_fields;
	uint16_t hdr_len;
	uint32_t req_id;
	uint16_t service;
	uint16_t method;
	uint32_t payload_len;
	struct adn_rpc_field f[ADN_RPC_MAX_FIELDS];
};

/*
 * Decode the RPC message at `buf` (`len` bytes: exactly the message, e.g.
 * the UDP payload) into *h. Returns hdr_len (> 0; the payload starts
 * there), or -enum adn_rpc_err (nothing in *h is meaningful then). Reads
 * at most `len` bytes; never fails otherwise.
 */
int adn_rpc_decode(const uint8_t *buf, size_t len, struct adn_rpc_hdr *h);

/* A field to encode. */
struct adn_rpc_field_val {
	uint8_t id;		/* 1-255, ascending across the list */
	uint8_t type;		/* enum adn_rpc_ftype */
	uint16_t len;		/* BYTES, STRING: bytes at val */
	const void *val;
	uint64_t u64;		/* U64 */
};

/* Bytes the header of these fields takes (0 when it would exceed
 * ADN_RPC_MAX_HDR or n > ADN_RPC_MAX_FIELDS). */
size_t adn_rpc_hdr_size(const struct adn_rpc_field_val *f, unsigned int n);

/*
 * Write the header of an RPC message of type `type`, flags, ids and a
 * payload of `payload_len` bytes with fields f[0..n) into `out` (`cap`
 * bytes); the caller puts the payload right after it. Returns the
 * header's length, -E2BIG (cap too small, over ADN_RPC_MAX_HDR or
 * ADN_RPC_MAX_FIELDS) or -EINVAL (a field the decoder would reject: id 0
 * or not ascending, unknown type, NUL in a string; a reserved flag; a
 * bad type). What it writes decodes back to the same values.
 */
int adn_rpc_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags,
		   uint32_t req_id, uint16_t service, uint16_t method,
		   uint32_t payload_len, const struct adn_rpc_field_val *f,
		   unsigned int n);

/* Rewrite the payload length (and flags) of an encoded header in place —
 * for elements that change the payload (Compress). */
void adn_rpc_set_payload(uint8_t *hdr, uint32_t payload_len, uint8_t flags);

/* The field with id `id` of a decoded header, or NULL. */
const struct adn_rpc_field *adn_rpc_field_find(const struct adn_rpc_hdr *h,
					       uint8_t id);

#endif /* _ADN_RPC_WIRE_H_ */
