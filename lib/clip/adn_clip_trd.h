/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP TCP retransmission detection, server side (CLIP §IV): the switch
 * keeps one register per tracked connection; the server hands out the
 * register index when a connection opens (SYN) and takes it back when it
 * closes (FIN or RST), and tracks the next expected sequence number so a
 * segment that starts before it is reported as a retransmission.
 *
 * Request: a CLIP request of app ADN_CLIP_APP_TRD whose payload is the
 * original IPv4/TCP packet (the handler parses it; params are not used).
 * Result (ADN_CLIP_TRD_RESULT_LEN bytes, network byte order):
 *   0  2  register index (ADN_CLIP_TRD_NO_INDEX: none)
 *   2  1  flags (enum adn_clip_trd_flag)
 *   3  1  reserved, 0
 *   4  4  retransmissions seen on this connection so far
 *
 * The connection table (key -> result with the index) is the server's
 * mirrored table, exportable like SNAT's. DPDK-free; not thread-safe (the
 * TcpRetransDetect element serialises calls).
 */
#ifndef _ADN_CLIP_TRD_H_
#define _ADN_CLIP_TRD_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_clip_switch.h"
#include "adn_clip_table.h"

#define ADN_CLIP_TRD_RESULT_LEN	8
#define ADN_CLIP_TRD_NO_INDEX	0xffff
#define ADN_CLIP_TRD_MAX_REGS	0xffff	/* indices fit in 16 bits */

enum adn_clip_trd_flag {
	ADN_CLIP_TRD_F_RETRANS = 1u << 0,	/* this segment is a retransmission */
	ADN_CLIP_TRD_F_RELEASED = 1u << 1,	/* FIN/RST: index released */
	ADN_CLIP_TRD_F_UNTRACKED = 1u << 2,	/* no SYN seen: not tracked */
};

struct adn_clip_trd;

/*
 * The switch side, for adn_clip_switch_conf.app: TCP segments fly to a
 * server with the whole packet behind the header (no params: the handler
 * parses the packet). Post-processing leaves the packet as it was: the
 * result updates the switch's register, and adn_clip_trd_result_decode()
 * gives it to whoever keeps that register (adn-switchsim counts the
 * retransmissions). Non-TCP packets are refused (make_params -ENOTSUP):
 * only feed TCP to a switch running this app.
 */
extern const struct adn_clip_app adn_clip_app_trd;

/* A response's result, host order. */
struct adn_clip_trd_result {
	uint16_t index;		/* ADN_CLIP_TRD_NO_INDEX: none */
	uint8_t flags;		/* enum adn_clip_trd_flag */
	uint32_t retrans;	/* on this connection so far */
};

/* Returns 0, or -EINVAL when rlen is not ADN_CLIP_TRD_RESULT_LEN or the
 * reserved byte is set. */
int adn_clip_trd_result_decode(const uint8_t *result, uint8_t rlen,
			       struct adn_clip_trd_result *r);

/* What one request did (for counters). */
struct adn_clip_trd_event {
	uint8_t status;		/* enum adn_clip_status of the response */
	uint8_t flags;		/* enum adn_clip_trd_flag */
	uint16_t index;
	bool allocated;
};

struct adn_clip_trd_stats {
	uint64_t requests;
	uint64_t allocated;
	uint64_t released;
	uint64_t exhausted;	/* SYN with every register taken */
	uint64_t retrans;
	uint64_t untracked;
	uint64_t bad_request;	/* not TCP, or truncated inner packet */
};

/* Per-connection state, as visited by adn_clip_trd_walk(). */
struct adn_clip_trd_conn {
	struct adn_flow_key key;
	uint16_t index;
	uint32_t next_seq;	/* host order */
	uint64_t packets;
	uint32_t retrans;
};

/* registers: 1..ADN_CLIP_TRD_MAX_REGS. Returns 0, -EINVAL, -ENOMEM. */
int adn_clip_trd_create(uint32_t registers, uint32_t seed,
			struct adn_clip_trd **out);
void adn_clip_trd_free(struct adn_clip_trd *t);

/*
 * Turn the TRD request in frame into its response in place. A request the
 * handler cannot serve (not TCP, truncated inner packet, no free register)
 * is answered with a status and returns 0; a negative errno means frame
 * is not a valid CLIP request of app TRD (drop it). ev may be NULL.
 */
int adn_clip_trd_handle(struct adn_clip_trd *t, uint8_t *frame, size_t len,
			struct adn_clip_trd_event *ev);

/* Visit live connections; stops when cb returns non-zero (returned). */
int adn_clip_trd_walk(const struct adn_clip_trd *t,
		      int (*cb)(const struct adn_clip_trd_conn *c, void *arg),
		      void *arg);

/* The connection table (key -> result blob with the index), for mirror
 * ops (adn_clip_mirror_table_ops). Owned by t. */
const struct adn_clip_table *adn_clip_trd_table(const struct adn_clip_trd *t);

uint32_t adn_clip_trd_in_use(const struct adn_clip_trd *t);
void adn_clip_trd_stats_get(const struct adn_clip_trd *t,
			    struct adn_clip_trd_stats *st);

#endif /* _ADN_CLIP_TRD_H_ */
