/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP header codec. Byte layout in adn_clip_hdr.h and docs/clip.md; all
 * multi-byte fields are big-endian, written byte by byte so the code is
 * independent of host order and alignment.
 */
#include <errno.h>
#include <string.h>

#include "adn_be.h"
#include "adn_clip_hdr.h"

enum {
	OFF_VERSION = 0,
	OFF_TYPE = 1,
	OFF_APP_ID = 2,
	OFF_GROUP_VERSION = 4,
	OFF_LOAD_TYPE = 6,
	OFF_PARSED_LEN = 8,
	OFF_SERVER_ID = 10,
	OFF_STATUS = 12,
	OFF_PARAM_LEN = 13,
	OFF_RESULT_LEN = 14,
	OFF_RESERVED = 15,
	OFF_FLOW_ID = 16,
	OFF_PARAMS = 24,
	OFF_RESULT = 40,
};

_Static_assert(OFF_RESULT + ADN_CLIP_RESULT_MAX == ADN_CLIP_HDR_LEN,
	       "CLIP header layout and length disagree");

static const char *const hdr_err_str[ADN_CLIP_HDR_ERR_MAX] = {
	[ADN_CLIP_HDR_OK] = "ok",
	[ADN_CLIP_HDR_TRUNCATED] = "truncated header",
	[ADN_CLIP_HDR_BAD_ETHERTYPE] = "not a CLIP EtherType",
	[ADN_CLIP_HDR_BAD_VERSION] = "bad version",
	[ADN_CLIP_HDR_BAD_TYPE] = "unknown message type",
	[ADN_CLIP_HDR_BAD_PARAM_LEN] = "param_len exceeds params area",
	[ADN_CLIP_HDR_BAD_RESULT_LEN] = "result_len exceeds result area",
	[ADN_CLIP_HDR_BAD_PARSED_LEN] = "parsed_len exceeds payload",
	[ADN_CLIP_HDR_RESERVED] = "reserved byte not zero",
	[ADN_CLIP_HDR_BAD_STATUS] = "non-zero status in request",
};

const char *
adn_clip_hdr_strerror(enum adn_clip_hdr_err why)
{
	if ((unsigned int)why >= ADN_CLIP_HDR_ERR_MAX)
		return "unknown reason";
	return hdr_err_str[why];
}

static inline int
fail(enum adn_clip_hdr_err *why, enum adn_clip_hdr_err r, int err)
{
	if (why != NULL)
		*why = r;
	return err;
}

/* Field checks shared by encode and decode, so both sides reject the same
 * headers. */
static int
hdr_check(const struct adn_clip_hdr *h, enum adn_clip_hdr_err *why)
{
	if (h->version != ADN_CLIP_VERSION)
		return fail(why, ADN_CLIP_HDR_BAD_VERSION, -EPROTONOSUPPORT);
	if (h->type != ADN_CLIP_MSG_REQUEST && h->type != ADN_CLIP_MSG_RESPONSE)
		return fail(why, ADN_CLIP_HDR_BAD_TYPE, -EINVAL);
	if (h->param_len > ADN_CLIP_PARAM_MAX)
		return fail(why, ADN_CLIP_HDR_BAD_PARAM_LEN, -EINVAL);
	if (h->result_len > ADN_CLIP_RESULT_MAX)
		return fail(why, ADN_CLIP_HDR_BAD_RESULT_LEN, -EINVAL);
	if (h->type == ADN_CLIP_MSG_REQUEST && h->status != ADN_CLIP_ST_OK)
		return fail(why, ADN_CLIP_HDR_BAD_STATUS, -EINVAL);
	return fail(why, ADN_CLIP_HDR_OK, 0);
}

int
adn_clip_hdr_encode(const struct adn_clip_hdr *h, uint8_t *buf, size_t len,
		    enum adn_clip_hdr_err *why)
{
	int rc;

	if (h == NULL || buf == NULL)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EINVAL);
	if (len < ADN_CLIP_HDR_LEN)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EMSGSIZE);
	rc = hdr_check(h, why);
	if (rc < 0)
		return rc;
	buf[OFF_VERSION] = h->version;
	buf[OFF_TYPE] = h->type;
	adn_be16_put(buf + OFF_APP_ID, h->app_id);
	adn_be16_put(buf + OFF_GROUP_VERSION, h->group_version);
	adn_be16_put(buf + OFF_LOAD_TYPE, h->load_type);
	adn_be16_put(buf + OFF_PARSED_LEN, h->parsed_len);
	adn_be16_put(buf + OFF_SERVER_ID, h->server_id);
	buf[OFF_STATUS] = h->status;
	buf[OFF_PARAM_LEN] = h->param_len;
	buf[OFF_RESULT_LEN] = h->result_len;
	buf[OFF_RESERVED] = 0;
	adn_be64_put(buf + OFF_FLOW_ID, h->flow_id);
	/* Zero the unused tail so stale bytes never leak between flows. */
	memset(buf + OFF_PARAMS, 0, ADN_CLIP_PARAM_MAX + ADN_CLIP_RESULT_MAX);
	memcpy(buf + OFF_PARAMS, h->params, h->param_len);
	memcpy(buf + OFF_RESULT, h->result, h->result_len);
	return 0;
}

int
adn_clip_hdr_decode(const uint8_t *buf, size_t len, struct adn_clip_hdr *h,
		    enum adn_clip_hdr_err *why)
{
	int rc;

	if (h == NULL || buf == NULL)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EINVAL);
	if (len < ADN_CLIP_HDR_LEN)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EMSGSIZE);
	memset(h, 0, sizeof(*h));
	h->version = buf[OFF_VERSION];
	h->type = buf[OFF_TYPE];
	h->app_id = adn_be16_get(buf + OFF_APP_ID);
	h->group_version = adn_be16_get(buf + OFF_GROUP_VERSION);
	h->load_type = adn_be16_get(buf + OFF_LOAD_TYPE);
	h->parsed_len = adn_be16_get(buf + OFF_PARSED_LEN);
	h->server_id = adn_be16_get(buf + OFF_SERVER_ID);
	h->status = buf[OFF_STATUS];
	h->param_len = buf[OFF_PARAM_LEN];
	h->result_len = buf[OFF_RESULT_LEN];
	h->flow_id = adn_be64_get(buf + OFF_FLOW_ID);
	rc = hdr_check(h, why);
	if (rc < 0)
		return rc;
	if (buf[OFF_RESERVED] != 0)
		return fail(why, ADN_CLIP_HDR_RESERVED, -EINVAL);
	if (h->parsed_len > len - ADN_CLIP_HDR_LEN)
		return fail(why, ADN_CLIP_HDR_BAD_PARSED_LEN, -EINVAL);
	memcpy(h->params, buf + OFF_PARAMS, h->param_len);
	memcpy(h->result, buf + OFF_RESULT, h->result_len);
	return 0;
}

int
adn_clip_frame_is_clip(const uint8_t *frame, size_t len)
{
	return frame != NULL && len >= ADN_ETHER_HDR_LEN &&
	       adn_be16_get(frame + 12) == ADN_CLIP_ETHERTYPE;
}

int
adn_clip_frame_decode(const uint8_t *frame, size_t len,
		      struct adn_clip_hdr *h, enum adn_clip_hdr_err *why)
{
	if (frame == NULL || len < ADN_ETHER_HDR_LEN)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EMSGSIZE);
	if (!adn_clip_frame_is_clip(frame, len))
		return fail(why, ADN_CLIP_HDR_BAD_ETHERTYPE, -EPROTO);
	return adn_clip_hdr_decode(frame + ADN_ETHER_HDR_LEN,
				   len - ADN_ETHER_HDR_LEN, h, why);
}

int
adn_clip_encap(uint8_t *buf, size_t buf_len, const struct adn_clip_hdr *h,
	       enum adn_clip_hdr_err *why)
{
	struct adn_clip_hdr hh;
	uint8_t eth[ADN_ETHER_HDR_LEN];
	int rc;

	if (buf == NULL || h == NULL)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EINVAL);
	if (buf_len < ADN_CLIP_HDR_LEN + ADN_ETHER_HDR_LEN)
		return fail(why, ADN_CLIP_HDR_TRUNCATED, -EMSGSIZE);
	hh = *h;
	memcpy(eth, buf + ADN_CLIP_HDR_LEN, ADN_ETHER_HDR_LEN);
	hh.load_type = adn_be16_get(eth + 12);
	/* Encode into a scratch copy first: the frame must stay unchanged
	 * when the header is rejected. */
	{
		uint8_t tmp[ADN_CLIP_HDR_LEN];

		rc = adn_clip_hdr_encode(&hh, tmp, sizeof(tmp), why);
		if (rc < 0)
			return rc;
		memcpy(buf, eth, 12);
		adn_be16_put(buf + 12, ADN_CLIP_ETHERTYPE);
		memcpy(buf + ADN_ETHER_HDR_LEN, tmp, sizeof(tmp));
	}
	return 0;
}

int
adn_clip_decap(uint8_t *frame, size_t len, struct adn_clip_hdr *h,
	       enum adn_clip_hdr_err *why)
{
	uint8_t macs[12];
	int rc;

	rc = adn_clip_frame_decode(frame, len, h, why);
	if (rc < 0)
		return rc;
	memcpy(macs, frame, 12);
	memcpy(frame + ADN_CLIP_HDR_LEN, macs, 12);
	adn_be16_put(frame + ADN_CLIP_HDR_LEN + 12, h->load_type);
	return 0;
}

int
adn_clip_respond(uint8_t *frame, size_t len, uint8_t status,
		 const uint8_t *result, uint8_t rlen,
		 enum adn_clip_hdr_err *why)
{
	struct adn_clip_hdr h;
	int rc;

	rc = adn_clip_frame_decode(frame, len, &h, why);
	if (rc < 0)
		return rc;
	if (h.type != ADN_CLIP_MSG_REQUEST)
		return fail(why, ADN_CLIP_HDR_BAD_TYPE, -EINVAL);
	if (rlen > ADN_CLIP_RESULT_MAX || (rlen > 0 && result == NULL))
		return fail(why, ADN_CLIP_HDR_BAD_RESULT_LEN, -EINVAL);
	h.type = ADN_CLIP_MSG_RESPONSE;
	h.status = status;
	h.result_len = rlen;
	if (rlen > 0)
		memcpy(h.result, result, rlen);
	return adn_clip_hdr_encode(&h, frame + ADN_ETHER_HDR_LEN,
				   len - ADN_ETHER_HDR_LEN, why);
}
