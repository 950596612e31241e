/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream tracking for L7 elements: one table of stream directions
 * (keyed by the directional 5-tuple; a connection is two streams), each
 * with its next expected sequence number, a bounded reassembly buffer and
 * a per-flow area for the element using it.
 *
 * For each segment the tracker hands the element the in-order bytes not
 * consumed yet (the new payload alone, without a copy, when nothing is
 * buffered), counts retransmissions (the part of a segment before the next
 * expected byte, by lib/util/adn_tcp_seq.h as TcpRetransDetect does) and
 * holds out-of-order segments until the gap fills; neither is delivered
 * twice. The element says how many bytes it consumed; the rest is kept for
 * the next segment, up to `max_bytes` per stream.
 *
 * A stream starts on SYN (the client's side) or SYN-ACK (the server's);
 * a segment of an unknown stream is "untracked". A stream ends on an
 * in-order FIN, on RST, or after `idle_ms` without a segment
 * (adn_tcp_track_expire). Limits are never a silent drop: a stream that
 * needs more than `max_bytes`, more than ADN_TCP_OOO_MAX held ranges, or a
 * buffer when the pool is empty is "broken" from then on and the caller
 * punts its segments; a new stream when the table is full is refused.
 *
 * Threads: a tracker is used by one lcore (an element keeps one per
 * worker), so nothing is locked.
 */
#ifndef _ADN_TCP_STREAM_H_
#define _ADN_TCP_STREAM_H_

#include <stdbool.h>
#include <stdint.h>

#include "adn_hash.h"
#include "adn_tcp_seq.h"

#define ADN_TCP_OOO_MAX 4

struct adn_tcp_track;

struct adn_tcp_track_conf {
	const char *name;	/* unique among live trackers */
	uint32_t max_flows;	/* stream directions */
	uint32_t max_bytes;	/* reassembly buffer of one stream */
	uint32_t n_bufs;	/* streams holding bytes at once */
	uint32_t idle_ms;
	uint32_t user_size;	/* per-stream area for the element, zeroed
				 * when the stream starts */
	/* Called when a stream ends (close, timeout, reset by a new SYN,
	 * adn_tcp_track_free) with its area, on the tracker's lcore. */
	void (*release)(void *user, void *arg);
	void *arg;
	int socket;
};

/* Create; 0, -EINVAL (a zero limit) or -ENOMEM. */
int adn_tcp_track_create(const struct adn_tcp_track_conf *c,
			 struct adn_tcp_track **out);
/* Release every stream and free. NULL is fine. */
void adn_tcp_track_free(struct adn_tcp_track *t);

enum adn_tcp_role {
	ADN_TCP_ROLE_CLIENT = 1,	/* this direction sent the SYN */
	ADN_TCP_ROLE_SERVER,		/* this direction sent the SYN-ACK */
};

enum adn_tcp_status {
	ADN_TCP_OK,		/* tracked; s->len in-order bytes to read */
	ADN_TCP_UNTRACKED,	/* no SYN seen for this stream */
	ADN_TCP_FLOWS_FULL,	/* a new stream and the table is full */
	ADN_TCP_BROKEN,		/* over a byte limit, now or before */
};

/* One segment, as the tracker saw it. */
struct adn_tcp_seg {
	uint32_t flow;		/* stream id: < max(max_flows, 8) */
	uint8_t role;		/* enum adn_tcp_role */
	bool retrans;		/* some payload was seen already */
	bool ooo;		/* held for later: came before a gap filled */
	bool fin, rst;		/* the stream ends after this segment */
	bool start;		/* SYN or SYN-ACK: a new stream */
	void *user;		/* the stream's area */
	const uint8_t *data;	/* in-order bytes not consumed yet */
	uint32_t len;
	uint32_t fresh;		/* of which new in this segment (the tail) */
	bool direct;		/* data points into the segment (the packet's
				 * own bytes, valid while it is), not into
				 * the stream's buffer */
	/* internal */
	void *ent;
};

/*
 * Account segment (key k: the packet's 5-tuple, seq, tcp_flags, payload
 * `pl` of `pl_len` bytes) at time now_ms. On ADN_TCP_OK the caller reads
 * s->data, then must call adn_tcp_track_done() before the next segment of
 * the tracker. On anything else nothing needs doing.
 */
enum adn_tcp_status adn_tcp_track_segment(struct adn_tcp_track *t,
					  const struct adn_flow_key *k,
					  uint32_t seq, uint8_t tcp_flags,
					  const uint8_t *pl, uint32_t pl_len,
					  uint64_t now_ms,
					  struct adn_tcp_seg *s);

/*
 * The caller consumed the first `consumed` bytes of s->data; keep the rest
 * for the next segment and end the stream if s->fin or s->rst. Returns 0,
 * or -ENOSPC when the rest cannot be kept (the stream is broken now: the
 * caller punts this segment). With `drop_stream` the stream ends now
 * whatever the segment said (the element gave up on it).
 */
int adn_tcp_track_done(struct adn_tcp_track *t, struct adn_tcp_seg *s,
		       uint32_t consumed, bool drop_stream);

/* End streams idle since before now_ms - idle_ms, visiting at most `budget`
 * slots from where the last call stopped. Returns how many ended. */
unsigned int adn_tcp_track_expire(struct adn_tcp_track *t, uint64_t now_ms,
				  unsigned int budget);

struct adn_tcp_track_stats {
	uint64_t streams;	/* started */
	uint64_t live;
	uint64_t closed;	/* FIN or RST */
	uint64_t expired;	/* idle */
	uint64_t retrans;	/* segments with payload seen before */
	uint64_t ooo;		/* segments held out of order */
	uint64_t untracked;
	uint64_t flows_full;
	uint64_t bytes_full;	/* streams broken by a byte or range limit */
	uint64_t no_buffer;	/* streams broken: buffer pool empty */
	uint64_t delivered;	/* payload bytes handed in order */
};

void adn_tcp_track_stats(const struct adn_tcp_track *t,
			 struct adn_tcp_track_stats *st);

/* The 5-tuple and TCP header fields of an IPv4/TCP packet in `ip` (`len`
 * bytes from the IPv4 header): 0 with the payload, or -1 when it is not a
 * well-formed first fragment of TCP. */
int adn_tcp_parse(const uint8_t *ip, uint32_t len, struct adn_flow_key *k,
		  uint32_t *seq, uint8_t *flags, const uint8_t **pl,
		  uint32_t *pl_len);

/* Why a packet reaching an L7 element is not part of a tracked stream:
 * the reasons of its punt output, counted under adn_tcp_punt_names. */
enum adn_tcp_punt {
	ADN_TCP_PUNT_NOT_TCP,
	ADN_TCP_PUNT_UNTRACKED,
	ADN_TCP_PUNT_FLOWS_FULL,
	ADN_TCP_PUNT_BYTES_FULL,
	ADN_TCP_N_PUNT,
};

extern const char *const adn_tcp_punt_names[ADN_TCP_N_PUNT];

/*
 * Parse and track the segment in `ip` (`len` bytes from the IPv4 header;
 * NULL: no IPv4 header) at now_ms: -1 when it belongs to a tracked stream
 * (s as adn_tcp_track_segment fills it, adn_tcp_track_done to follow),
 * else why not, an enum adn_tcp_punt. *bare tells an untracked segment
 * without payload (the last ACKs of a closed stream): nothing to punt.
 */
int adn_tcp_track_packet(struct adn_tcp_track *t, const uint8_t *ip,
			 uint32_t len, uint64_t now_ms, struct adn_tcp_seg *s,
			 bool *bare);

/* Add tracker t's counters to *sum (an element sums its workers'). */
void adn_tcp_track_stats_add(const struct adn_tcp_track *t,
			     struct adn_tcp_track_stats *sum);

/*
 * The keys of an element that tracks streams, for its adn_arg_spec list
 * (max_flows up to `flows_max`, default `flows_def`; buffers default
 * `bufs_def`), and the tracker's limits read from them.
 */
#define ADN_TCP_TRACK_ARGS(flows_max, flows_def, bufs_def)		\
	{ .name = "max_flows", .type = ADN_ARG_INT, .min = 8,		\
	  .max = (flows_max), .def_int = (flows_def),			\
	  .help = "stream directions per worker", .shapes_state = true }, \
	{ .name = "max_bytes", .type = ADN_ARG_INT, .min = 64,		\
	  .max = 1 << 20, .def_int = 16384,				\
	  .help = "bytes held per stream (out of order or unconsumed)",	\
	  .shapes_state = true },					\
	{ .name = "buffers", .type = ADN_ARG_INT, .min = 1,		\
	  .max = (flows_max), .def_int = (bufs_def),			\
	  .help = "streams holding bytes at once, per worker",		\
	  .shapes_state = true },					\
	{ .name = "idle_timeout", .type = ADN_ARG_INT, .min = 1,	\
	  .max = 86400, .def_int = 60,					\
	  .help = "seconds before an idle stream ends",			\
	  .shapes_state = true }

struct adn_elem;
void adn_tcp_track_conf_of(const struct adn_elem *e,
			   struct adn_tcp_track_conf *c);

struct adn_xstat;
/* The stream counters (streams, live, closed, expired, retransmissions,
 * out-of-order) and the punts by reason as an element's extra counters,
 * from out[0]; returns how many of `max` were written. */
unsigned int adn_tcp_track_xstats(const struct adn_tcp_track_stats *ts,
				  const uint64_t punt[ADN_TCP_N_PUNT],
				  struct adn_xstat *out, unsigned int max);

#endif /* _ADN_TCP_STREAM_H_ */
