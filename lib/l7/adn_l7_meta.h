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
#include <rte_mbuf_dyn.h>

enum adn_l7_kind {
	ADN_L7_NONE,	/* no message head ends in this packet */
	ADN_L7_REQUEST,	/* >= 1 request head ends here; fields of the first */
	ADN_L7_RESPONSE,/* >= 1 response head ends here */
};

enum adn_l7_anno {
	ADN_L7_ANNO_ROUTE,	/* UrlRoute: output + 1 of the stream (0: none) */
	ADN_L7_ANNO_MARK,	/* Dpi: OR of the stream's marks */
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

extern int adn_l7_rec_off;	/* dynfield offset, -1 before register */
extern uint64_t adn_l7_rec_flag;	/* ol_flags bit */

/* The packet's record, or NULL when HttpParse gave it none. */
static inline struct adn_l7_rec *
adn_l7_rec(const struct rte_mbuf *m)
{
	if (adn_l7_rec_flag == 0 || !(m->ol_flags & adn_l7_rec_flag))
		return NULL;
	return *RTE_MBUF_DYNFIELD(m, adn_l7_rec_off, struct adn_l7_rec **);
}

static inline void
adn_l7_rec_set(struct rte_mbuf *m, struct adn_l7_rec *r)
{
	if (r == NULL) {
		m->ol_flags &= ~adn_l7_rec_flag;
		return;
	}
	*RTE_MBUF_DYNFIELD(m, adn_l7_rec_off, struct adn_l7_rec **) = r;
	m->ol_flags |= adn_l7_rec_flag;
}

#endif /* _ADN_L7_META_H_ */
