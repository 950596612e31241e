/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Behavioral model of the CLIP switch pipeline (CLIP §III-C/D, App. A/B),
 * field for field what p4/clip.p4 does, on plain frame buffers so that
 * adn-switchsim can run it on mbuf data and tests on arrays.
 *
 * Ingress of one frame:
 *   CLIP response -> post-processing: strip the header, apply the result
 *                    (app->apply, e.g. SNAT rewrite), forward.
 *   IPv4 TCP/UDP  -> count-min update (+ top-N digest when the estimate
 *                    crosses a multiple of digest_threshold);
 *                    pre-processing table hit -> fast path: apply the
 *                    entry's result on the switch, forward;
 *                    miss -> flight: choose a server (pin table, else the
 *                    versioned ECMP groups), add the request header, send.
 *   anything else -> pass (regular L2/L3 forwarding, not CLIP's business).
 *
 * Server choice on a miss, ADN_CLIP_LB_BF (CLIP §III-D): with `cur` the
 * current group slot, update BF[cur] with the flow and look it up in
 * BF[1-cur]; present -> ECMP over G[1-cur] (G_prev, the flow was seen
 * before the last membership change), absent -> ECMP over G[cur].
 * ADN_CLIP_LB_ECMP is the plain-rehash baseline: always ECMP over the one
 * current group, no filters.
 *
 * ECMP is a bucket table per group (ADN_CLIP_ECMP_BUCKETS buckets, bucket
 * b -> member[b % n]) indexed by the low bits of the ECMP hash: the same as
 * the P4 `ecmp_select` exact table the controller fills.
 *
 * Hashes: every hash p4/clip.p4 computes (count-min rows, Bloom partitions,
 * ECMP, flow id) is the same CRC here, over the same bytes (enum
 * adn_clip_hash), sliced the same way, so model and switch pick the same
 * counter, bit, bucket and flow id for every flow. Only the exact-match
 * tables hash privately (seeded murmur3): on Tofino their placement is the
 * compiler's and driver's business, not the program's.
 *
 * Threading: one thread owns a switch (the data path and the controller
 * calls are not synchronised; in adn-switchsim the control lcore posts
 * changes between bursts).
 */
#ifndef _ADN_CLIP_SWITCH_H_
#define _ADN_CLIP_SWITCH_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_crc.h"
#include "adn_hash.h"
#include "adn_clip_hdr.h"
#include "adn_clip_table.h"

#define ADN_CLIP_GROUP_MAX	64
#define ADN_CLIP_ECMP_BUCKETS	256	/* power of two */
/* One Hash<> extern per count-min row and per Bloom partition in p4/; the
 * model has no twin for more. */
#define ADN_CLIP_CMS_DEPTH_MAX	2
#define ADN_CLIP_BF_HASH_MAX	3

/*
 * The switch's hashes, one per Hash<> extern of p4/clip.p4 (table in
 * p4/README.md). Each is a CRC of the 13-byte struct adn_flow_key, i.e. the
 * P4 field list {src_ip, dst_ip, src_port, dst_port, proto} in network byte
 * order; the comment gives the CRC and the bits the switch uses.
 */
enum adn_clip_hash {
	ADN_CLIP_H_CMS0 = 0,	/* h_cms0: CRC-32/ISO-HDLC; row 0 [31:22] */
	ADN_CLIP_H_CMS1,	/* h_cms1: CRC-32/ISCSI; row 1 [31:22] */
	ADN_CLIP_H_BF0,		/* h_bf0: CRC-32/BASE91-D; partition 0 [31:16] */
	ADN_CLIP_H_BF1,		/* h_bf1: CRC-32/AUTOSAR; partition 1 [31:16] */
	ADN_CLIP_H_BF2,		/* h_bf2: CRC-32/AIXM; partition 2 [31:16] */
	ADN_CLIP_H_ECMP,	/* h_ecmp: CRC-16/ARC; bucket [7:0] */
	ADN_CLIP_H_FID_HI,	/* h_fid_hi: CRC-32/BZIP2; flow_id[63:32] */
	ADN_CLIP_H_FID_LO,	/* h_fid_lo: CRC-32/MEF; flow_id[31:0] */
	ADN_CLIP_H_MAX
};

/* CRC and P4 instance name of a hash; NULL for an unknown one. */
const struct adn_crc_param *adn_clip_hash_crc(enum adn_clip_hash h);
const char *adn_clip_hash_name(enum adn_clip_hash h);

struct adn_clip_switch;

/* What the parser extracted from an IPv4 TCP/UDP frame. Offsets are from
 * the start of the frame. */
struct adn_clip_pkt_info {
	struct adn_flow_key key;	/* network byte order fields */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_hdr_len;
	/* bytes of the Ethernet payload the switch parsed (IPv4 + L4
	 * header): goes into the request's parsed_len */
	uint16_t parsed_len;
};

/* Why a frame is not a CLIP candidate (PASS) or was dropped. */
enum adn_clip_reason {
	ADN_CLIP_R_NONE = 0,
	ADN_CLIP_R_TRUNCATED,		/* shorter than its headers say */
	ADN_CLIP_R_NOT_IPV4,		/* pass: other EtherType */
	ADN_CLIP_R_NOT_TCP_UDP,		/* pass: other IP protocol */
	ADN_CLIP_R_FRAGMENT,		/* pass: no L4 header to key on */
	ADN_CLIP_R_BAD_IPV4,		/* drop: version/IHL/length invalid */
	ADN_CLIP_R_BAD_CLIP_HDR,	/* drop: see hdr_err in the out struct */
	ADN_CLIP_R_UNEXPECTED_REQUEST,	/* drop: a request came back */
	ADN_CLIP_R_WRONG_APP,		/* drop: response for another app */
	ADN_CLIP_R_HANDLER_STATUS,	/* drop: server answered an error */
	ADN_CLIP_R_APPLY_FAILED,	/* drop: result could not be applied */
	ADN_CLIP_R_NO_SERVER,		/* drop: flight with an empty group */
	ADN_CLIP_R_NO_HEADROOM,		/* drop: no room for the header */
	ADN_CLIP_R_MAX
};

const char *adn_clip_reason_str(enum adn_clip_reason r);

/*
 * Parse Ethernet + IPv4 + TCP/UDP. Returns 0 with *pi filled, or a
 * negative errno with *why: -ENOTSUP for pass cases (not IPv4, not TCP/UDP,
 * fragment), -EINVAL / -EMSGSIZE for malformed frames.
 */
int adn_clip_parse(const uint8_t *frame, size_t len,
		   struct adn_clip_pkt_info *pi, enum adn_clip_reason *why);

/*
 * An application: how the switch fills request params and how
 * post-processing applies a result (from a response or from a
 * pre-processing table entry: both are the same action).
 */
struct adn_clip_app {
	const char *name;
	uint16_t app_id;
	/* Fill params (up to ADN_CLIP_PARAM_MAX) and set *plen. 0 / -errno. */
	int (*make_params)(const uint8_t *frame,
			   const struct adn_clip_pkt_info *pi,
			   uint8_t *params, uint8_t *plen);
	/* Apply result to the original frame in place. 0 / -errno. */
	int (*apply)(uint8_t *frame, size_t len,
		     const struct adn_clip_pkt_info *pi,
		     const uint8_t *result, uint8_t rlen);
};

enum adn_clip_lb_mode {
	ADN_CLIP_LB_BF = 0,	/* versioned groups + BF0/BF1 (CLIP) */
	ADN_CLIP_LB_ECMP,	/* plain ECMP rehash (baseline) */
};

struct adn_clip_switch_conf {
	const struct adn_clip_app *app;	/* required */
	enum adn_clip_lb_mode lb_mode;
	uint32_t table_capacity;	/* pre-processing table; default 1024 */
	uint32_t pin_capacity;		/* <flow, server> table; default 4096 */
	uint32_t bf_bits;		/* bits per filter; default 3 << 16 */
	uint32_t bf_hashes;		/* 1..ADN_CLIP_BF_HASH_MAX; default 3 */
	uint32_t cms_depth;		/* 1..ADN_CLIP_CMS_DEPTH_MAX; default 2 */
	uint32_t cms_width;		/* default 1024 */
	uint32_t topn;			/* candidates; default 32 */
	uint32_t digest_threshold;	/* power of two; default 8 */
	/* Keys only the model's private hashes (exact-match table slots,
	 * top-N tags); the hashes in enum adn_clip_hash are fixed CRCs, as
	 * compiled into the P4 program. */
	uint32_t seed;
};

/* Fill *conf with the defaults above (app NULL, mode BF). */
void adn_clip_switch_conf_default(struct adn_clip_switch_conf *conf);

/* Returns 0, -EINVAL (*err_field names the field), -ENOMEM. */
int adn_clip_switch_create(const struct adn_clip_switch_conf *conf,
			   struct adn_clip_switch **out,
			   const char **err_field);
void adn_clip_switch_free(struct adn_clip_switch *sw);

enum adn_clip_verdict {
	ADN_CLIP_V_PASS = 0,	/* not for CLIP: forward unchanged */
	ADN_CLIP_V_FAST,	/* table hit: applied on the switch, forward */
	ADN_CLIP_V_FLIGHT,	/* request built: send to out->server */
	ADN_CLIP_V_RESPONSE,	/* response applied and stripped, forward */
	ADN_CLIP_V_DROP,
};

/* How a flight's server was chosen. */
enum adn_clip_path {
	ADN_CLIP_P_NONE = 0,
	ADN_CLIP_P_PIN,		/* pin table entry */
	ADN_CLIP_P_PREV,	/* BF[1-cur] hit: G_prev */
	ADN_CLIP_P_CUR,		/* G_cur */
};

struct adn_clip_out {
	enum adn_clip_verdict verdict;
	enum adn_clip_reason reason;	/* PASS / DROP */
	enum adn_clip_hdr_err hdr_err;	/* with ADN_CLIP_R_BAD_CLIP_HDR */
	enum adn_clip_path path;	/* FLIGHT */
	uint16_t server;		/* FLIGHT: destination server id */
	/* The frame now starts at frame + data_off (negative: header added
	 * in the headroom, like rte_pktmbuf_prepend; positive: header
	 * stripped, like rte_pktmbuf_adj) and is len bytes long. */
	int32_t data_off;
	size_t len;
	uint64_t flow_id;		/* FLIGHT / FAST */
	bool digest;			/* a top-N digest was emitted */
};

/*
 * Run the ingress pipeline on one frame. frame[-headroom..-1] must be
 * writable (a request header needs ADN_CLIP_HDR_LEN of it). Returns 0 with
 * *out filled for every frame, including drops; -EINVAL only for NULL
 * arguments.
 */
int adn_clip_switch_process(struct adn_clip_switch *sw, uint8_t *frame,
			    size_t len, size_t headroom,
			    struct adn_clip_out *out);

/* ---- Groups (controller side) ---- */

/*
 * Membership change. BF mode, in this order (CLIP §III-D): clear
 * BF[1-cur], cur = 1 - cur, G[cur] = servers, version++. ECMP mode:
 * G = servers, version++. Entries that must survive the change are pushed
 * by the controller before calling this (adn_clip_ctrl_set_group).
 * n = 0 is allowed (drain: flights are dropped). Returns 0 or -EINVAL
 * (n > ADN_CLIP_GROUP_MAX, servers NULL with n > 0).
 */
int adn_clip_switch_change(struct adn_clip_switch *sw,
			   const uint16_t *servers, unsigned int n);

/* Server a miss of `key` would go to now, without touching the filters:
 * pin, then BF/ECMP. Returns 0, or -ENOENT when the group is empty. */
int adn_clip_switch_choose(const struct adn_clip_switch *sw,
			   const struct adn_flow_key *key, uint16_t *server,
			   enum adn_clip_path *path);

/* Server the group logic (pins ignored) would choose for `key` after
 * adn_clip_switch_change(servers, n): what the controller compares with
 * the owner to find flows that would lose their server. */
int adn_clip_switch_choose_after(const struct adn_clip_switch *sw,
				 const struct adn_flow_key *key,
				 const uint16_t *servers, unsigned int n,
				 uint16_t *server);

uint8_t adn_clip_switch_cur(const struct adn_clip_switch *sw);
uint16_t adn_clip_switch_version(const struct adn_clip_switch *sw);
enum adn_clip_lb_mode adn_clip_switch_mode(const struct adn_clip_switch *sw);
const struct adn_clip_app *adn_clip_switch_app(const struct adn_clip_switch *sw);
/* Members of the current group; returns n. */
unsigned int adn_clip_switch_group(const struct adn_clip_switch *sw,
				   uint16_t *servers, unsigned int max);

/* ---- Tables (controller side) ---- */

/* The pre-processing (fast path) table and the pin table. The controller
 * adds and deletes through adn_clip_table_*; the data path only reads. */
struct adn_clip_table *adn_clip_switch_table(struct adn_clip_switch *sw);
struct adn_clip_table *adn_clip_switch_pins(struct adn_clip_switch *sw);

/* ---- Top-N report ---- */

struct adn_clip_hitter {
	struct adn_flow_key key;
	uint32_t estimate;
};

/*
 * Periodic report: the top-N candidates (highest estimate first, at most
 * n), then reset the sketch and the candidates. Returns the count or a
 * negative errno.
 */
int adn_clip_switch_report(struct adn_clip_switch *sw,
			   struct adn_clip_hitter *out, unsigned int n);
/* Current count-min estimate of a flow (tests, tools). */
uint32_t adn_clip_switch_estimate(const struct adn_clip_switch *sw,
				  const struct adn_flow_key *key);

/* 64-bit flow id carried in requests (and the key of the server tables):
 * h_fid_hi << 32 | h_fid_lo. */
uint64_t adn_clip_flow_id(const struct adn_clip_switch *sw,
			  const struct adn_flow_key *key);

/*
 * Hash `h` of key as this switch computes it, and the index it selects:
 * the count-min counter of the row, the bit inside the Bloom partition
 * (the P4 Register index), the ECMP bucket; for the flow id halves the
 * index is the hash. Either output may be NULL. Returns 0, or -EINVAL
 * (NULL sw/key, unknown h, a row or partition the switch does not have,
 * Bloom hashes in ECMP mode).
 */
int adn_clip_switch_hash(const struct adn_clip_switch *sw,
			 enum adn_clip_hash h, const struct adn_flow_key *key,
			 uint32_t *hash, uint32_t *index);

struct adn_clip_switch_stats {
	uint64_t rx;
	uint64_t pass;
	uint64_t fast;
	uint64_t flight;
	uint64_t response;
	uint64_t drop;
	uint64_t flight_path[4];	/* by enum adn_clip_path */
	uint64_t digests;
	uint64_t changes;
	uint64_t reason[ADN_CLIP_R_MAX];
};

void adn_clip_switch_stats_get(const struct adn_clip_switch *sw,
			       struct adn_clip_switch_stats *st);
void adn_clip_switch_stats_reset(struct adn_clip_switch *sw);

#endif /* _ADN_CLIP_SWITCH_H_ */
