/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP request/response header (CLIP §III-B/C): sits right after the
 * Ethernet header, announced by its own EtherType; the original EtherType
 * travels in `load_type` so the switch can restore the frame when it strips
 * the header. Requests and responses have the same fixed length so a server
 * turns a request into its response in place (no copy, no mbuf resize).
 *
 * Byte layout (network byte order), also in docs/clip.md:
 *
 *   off size field          meaning
 *    0   1   version        ADN_CLIP_VERSION
 *    1   1   type           enum adn_clip_msg_type
 *    2   2   app_id         which remote handler (enum adn_clip_app_id)
 *    4   2   group_version  membership epoch the switch used; bit 0 = `cur`
 *    6   2   load_type      original EtherType of the frame
 *    8   2   parsed_len     bytes of the original payload the switch parsed
 *   10   2   server_id      server the switch chose (ECMP member id)
 *   12   1   status         0 in requests; handler status in responses
 *   13   1   param_len      bytes used in params (0..16)
 *   14   1   result_len     bytes used in result (0..16)
 *   15   1   reserved       must be 0
 *   16   8   flow_id        64-bit flow hash (key of mirrored tables/digests)
 *   24  16   params         request parameters (app-defined)
 *   40  16   result         response values (app-defined)
 *
 * DPDK-free: works on plain byte buffers.
 */
#ifndef _ADN_CLIP_HDR_H_
#define _ADN_CLIP_HDR_H_

#include <stddef.h>
#include <stdint.h>

/* IEEE 802 "Local Experimental EtherType 1" (0x88B5). 0x88B6 (type 2) is
 * left free for a second experimental protocol on the same fabric. */
#define ADN_CLIP_ETHERTYPE	0x88B5
#define ADN_CLIP_VERSION	1
#define ADN_CLIP_HDR_LEN	56
#define ADN_CLIP_PARAM_MAX	16
#define ADN_CLIP_RESULT_MAX	16
#define ADN_ETHER_HDR_LEN	14
#define ADN_ETHERTYPE_IPV4	0x0800

enum adn_clip_msg_type {
	ADN_CLIP_MSG_REQUEST = 1,
	ADN_CLIP_MSG_RESPONSE = 2,
};

/* Application ids carried in app_id. */
enum adn_clip_app_id {
	ADN_CLIP_APP_SNAT = 1,		/* source NAT allocation */
	ADN_CLIP_APP_TRD = 2,		/* TCP retransmission detection */
};

/* Response status codes (status field). */
enum adn_clip_status {
	ADN_CLIP_ST_OK = 0,
	ADN_CLIP_ST_NO_RESOURCE = 1,	/* handler could not allocate */
	ADN_CLIP_ST_BAD_REQUEST = 2,	/* handler rejected the params */
	ADN_CLIP_ST_NO_HANDLER = 3,	/* unknown app_id on this server */
};

/* Why a header was rejected: returned through the `why` out-parameter of
 * the codec so callers can count drops per reason. */
enum adn_clip_hdr_err {
	ADN_CLIP_HDR_OK = 0,
	ADN_CLIP_HDR_TRUNCATED,		/* buffer shorter than the header */
	ADN_CLIP_HDR_BAD_ETHERTYPE,	/* frame is not a CLIP frame */
	ADN_CLIP_HDR_BAD_VERSION,
	ADN_CLIP_HDR_BAD_TYPE,		/* neither request nor response */
	ADN_CLIP_HDR_BAD_PARAM_LEN,	/* param_len > ADN_CLIP_PARAM_MAX */
	ADN_CLIP_HDR_BAD_RESULT_LEN,	/* result_len > ADN_CLIP_RESULT_MAX */
	ADN_CLIP_HDR_BAD_PARSED_LEN,	/* parsed_len beyond the payload */
	ADN_CLIP_HDR_RESERVED,		/* reserved byte not zero */
	ADN_CLIP_HDR_BAD_STATUS,	/* non-zero status in a request */
	ADN_CLIP_HDR_ERR_MAX
};

/* Host-order view of the header. */
struct adn_clip_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t app_id;
	uint16_t group_version;
	uint16_t load_type;
	uint16_t parsed_len;
	uint16_t server_id;
	uint8_t status;
	uint8_t param_len;
	uint8_t result_len;
	uint64_t flow_id;
	uint8_t params[ADN_CLIP_PARAM_MAX];
	uint8_t result[ADN_CLIP_RESULT_MAX];
};

/* Human-readable reason ("bad version", ...); never NULL. */
const char *adn_clip_hdr_strerror(enum adn_clip_hdr_err why);

/*
 * Check h and write it to buf[0..ADN_CLIP_HDR_LEN). Unused param/result
 * bytes are written as zero. Returns 0, -EINVAL (bad field, *why says
 * which) or -EMSGSIZE (len < ADN_CLIP_HDR_LEN). parsed_len is not checked
 * here (the payload is not known); decode checks it.
 */
int adn_clip_hdr_encode(const struct adn_clip_hdr *h, uint8_t *buf,
			size_t len, enum adn_clip_hdr_err *why);

/*
 * Parse buf (the bytes right after the Ethernet header; len of them, so
 * the payload after the header is len - ADN_CLIP_HDR_LEN bytes).
 * Returns 0, -EMSGSIZE (truncated), -EPROTONOSUPPORT (version) or -EINVAL
 * (any other bad field); *why (may be NULL) gives the reason.
 */
int adn_clip_hdr_decode(const uint8_t *buf, size_t len,
			struct adn_clip_hdr *h, enum adn_clip_hdr_err *why);

/* Decode a whole Ethernet frame: also checks the EtherType
 * (-EPROTO, ADN_CLIP_HDR_BAD_ETHERTYPE). */
int adn_clip_frame_decode(const uint8_t *frame, size_t len,
			  struct adn_clip_hdr *h, enum adn_clip_hdr_err *why);

/* True when the frame's EtherType is ADN_CLIP_ETHERTYPE. */
int adn_clip_frame_is_clip(const uint8_t *frame, size_t len);

/*
 * Insert a CLIP header into a frame, as rte_pktmbuf_prepend() would:
 * buf[0..ADN_CLIP_HDR_LEN) is headroom and the original Ethernet frame
 * starts at buf + ADN_CLIP_HDR_LEN with buf_len - ADN_CLIP_HDR_LEN bytes.
 * Moves the 14-byte Ethernet header to the front, sets EtherType to CLIP,
 * and writes h with load_type = the original EtherType (h->load_type is
 * ignored). Returns 0 or a negative errno from encode / -EMSGSIZE.
 */
int adn_clip_encap(uint8_t *buf, size_t buf_len, const struct adn_clip_hdr *h,
		   enum adn_clip_hdr_err *why);

/*
 * Remove the CLIP header: decode it into h, move the Ethernet header
 * forward by ADN_CLIP_HDR_LEN and restore the EtherType from load_type.
 * The original frame then starts at frame + ADN_CLIP_HDR_LEN with
 * len - ADN_CLIP_HDR_LEN bytes (as after rte_pktmbuf_adj()). On error the
 * frame is unchanged.
 */
int adn_clip_decap(uint8_t *frame, size_t len, struct adn_clip_hdr *h,
		   enum adn_clip_hdr_err *why);

/*
 * Server side: turn the request in `frame` into its response in place:
 * type = response, status, result (rlen bytes). The rest of the frame is
 * untouched. Returns 0, -EINVAL (not a valid request, or rlen too long)
 * with *why set.
 */
int adn_clip_respond(uint8_t *frame, size_t len, uint8_t status,
		     const uint8_t *result, uint8_t rlen,
		     enum adn_clip_hdr_err *why);

#endif /* _ADN_CLIP_HDR_H_ */
