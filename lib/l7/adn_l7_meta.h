/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L7 metadata of a packet: what HttpParse found in it, for the
 * elements after it (UrlRoute, Dpi, RPC elements), so none parses again.
 * docs/l7.md describes it for users.
 *
 * Where it lives: HttpParse keeps one record per packet of its batch in a
 * per-worker area and stores the record's address in an mbuf dynamic
 * field ("adn_l7_rec"); a dynamic flag ("adn_l7_rec_valid") says the field
 * is set. Receive and rte_pktmbuf_alloc clear ol_flags, so a packet that
 * did not pass HttpParse never shows a stale record. A record, and the
 * strings it points to (copies, lower-cased host), are valid until the
 * worker's next batch reaches HttpParse: for the rest of the pipeline run.
 *
 * Per-stream annotations: `anno` points to words kept with the stream for
 * the elements after HttpParse (a route chosen by the stream's request
 * holds for its later segments); when the stream ended in this packet it
 * points to a copy in the record.
 */
#ifndef _ADN_L7_META_H_
#define _ADN_L7_META_H_

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "adn_pkt_meta.h"

enum adn_l7_kind {
	ADN_L7_NONE,	/* no message head ends in this packet */
	ADN_L7_REQUEST,	/* >= 1 request head ends here; fields of the first */
	ADN_L7_RESPONSE,/* >= 1 response head ends here */
};

enum adn_l7_anno {
	ADN_L7_ANNO_ROUTE,	/* UrlRoute: output + 1 of the stream (0: none) */
	ADN_L7_ANNO_MARK,	/* Dpi: OR of the stream's marks */
	ADN_L7_ANNO_BACKEND,	/* RpcLb: backend slot + 1 of the stream (0: none) */
	ADN_L7_ANNO_WORDS = 4,
};

struct adn_l7_rec {
	uint32_t flow;		/* HttpParse's stream id (per worker) */
	uint8_t kind;		/* enum adn_l7_kind */
	uint8_t role;		/* enum adn_tcp_role */
	uint8_t method;		/* enum adn_http_method */
	uint8_t minor;
	uint16_t status;
	uint16_t flags;		/* enum adn_http_flags */
	uint16_t n_msgs;	/* heads ending in this packet */
	uint16_t host_len, path_len, query_len;
	uint64_t content_length;
	const char *host;	/* lower case */
	const char *path;
	const char *query;
	/* The whole head (start line to the empty line), for lookups of any
	 * field (adn_http_header_find); host, path, query and want point
	 * into it (its Host value is lower-cased in place). */
	const char *head;
	uint32_t head_len;
	/* The body bytes that follow the head in this packet's own payload
	 * (Content-Length bounds them; chunked: raw), NULL when the head
	 * came from reassembled bytes or no body follows in this packet. */
	const uint8_t *body;
	uint32_t body_len;
	/* HttpParse `headers`, in their order: value (NULL: absent) */
	const char *want[4];
	uint16_t want_len[4];
	uint32_t mark;		/* Dpi: OR of the marks matched in it */
	uint32_t *anno;		/* [ADN_L7_ANNO_WORDS] */
	uint32_t anno_copy[ADN_L7_ANNO_WORDS];
};

/* Register the field and flag (idempotent; main lcore, before use).
 * 0 or a negative errno. */
int adn_l7_meta_register(void);

/* The field and flag (lib/core/adn_pkt_meta.h). */
extern struct adn_pkt_meta adn_l7_meta;

/* The packet's record, or NULL when HttpParse gave it none. */
static inline struct adn_l7_rec *
adn_l7_rec(const struct rte_mbuf *m)
{
	return adn_pkt_meta_get(&adn_l7_meta, m);
}

static inline void
adn_l7_rec_set(struct rte_mbuf *m, struct adn_l7_rec *r)
{
	adn_pkt_meta_set(&adn_l7_meta, m, r);
}

#endif /* _ADN_L7_META_H_ */
