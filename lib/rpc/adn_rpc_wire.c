/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADN RPC header codec (adn_rpc_wire.h, docs/adn-rpc.md).
 */
#include <errno.h>
#include <string.h>

#include "adn_be.h"
#include "adn_rpc_msg.h"

static const char *const rpc_err_names[ADN_RPC_E_MAX] = {
	[ADN_RPC_OK] = "ok",
	[ADN_RPC_E_SHORT] = "short",
	[ADN_RPC_E_MAGIC] = "bad-magic",
	[ADN_RPC_E_VERSION] = "bad-version",
	[ADN_RPC_E_TYPE] = "bad-type",
	[ADN_RPC_E_FLAGS] = "bad-flags",
	[ADN_RPC_E_HDR_LEN] = "bad-hdr-len",
	[ADN_RPC_E_TOO_MANY_FIELDS] = "too-many-fields",
	[ADN_RPC_E_FIELD_TRUNC] = "field-truncated",
	[ADN_RPC_E_FIELD_ID] = "bad-field-id",
	[ADN_RPC_E_FIELD_TYPE] = "bad-field-type",
	[ADN_RPC_E_FIELD_LEN] = "bad-field-len",
	[ADN_RPC_E_TABLE_LEN] = "bad-table-len",
	[ADN_RPC_E_PAYLOAD_LEN] = "bad-payload-len",
};

const char *
adn_rpc_err_str(enum adn_rpc_err e)
{
	if ((unsigned int)e >= ADN_RPC_E_MAX)
		return "unknown";
	return rpc_err_names[e];
}

/* A field's type and length as the decoder accepts them; the reason
 * otherwise. Shared by both directions so what encodes, decodes. */
static enum adn_rpc_err
field_check(uint8_t type, const uint8_t *val, uint16_t len)
{
	switch (type) {
	case ADN_RPC_FT_U64:
		return len == 8 ? ADN_RPC_OK : ADN_RPC_E_FIELD_LEN;
	case ADN_RPC_FT_BYTES:
		return ADN_RPC_OK;
	case ADN_RPC_FT_STRING:
		return len > 0 && memchr(val, 0, len) != NULL ?
			ADN_RPC_E_FIELD_LEN : ADN_RPC_OK;
	default:
		return ADN_RPC_E_FIELD_TYPE;
	}
}

int
adn_rpc_decode(const uint8_t *buf, size_t len, struct adn_rpc_hdr *h)
{
	unsigned int prev_id = 0;
	size_t pos = ADN_RPC_FIXED_LEN;

	if (len < ADN_RPC_FIXED_LEN)
		return -ADN_RPC_E_SHORT;
	if (adn_be16_get(buf + ADN_RPC_OFF_MAGIC) != ADN_RPC_MAGIC)
		return -ADN_RPC_E_MAGIC;
	if (buf[ADN_RPC_OFF_VERSION] != ADN_RPC_VERSION)
		return -ADN_RPC_E_VERSION;
	h->type = buf[ADN_RPC_OFF_TYPE];
	if (h->type != ADN_RPC_T_REQUEST && h->type != ADN_RPC_T_RESPONSE)
		return -ADN_RPC_E_TYPE;
	h->flags = buf[ADN_RPC_OFF_FLAGS];
	if (h->flags & ~ADN_RPC_F_ALL)
		return -ADN_RPC_E_FLAGS;
	h->n_fields = buf[ADN_RPC_OFF_N_FIELDS];
	h->hdr_len = adn_be16_get(buf + ADN_RPC_OFF_HDR_LEN);
	if (h->hdr_len < ADN_RPC_FIXED_LEN || h->hdr_len > ADN_RPC_MAX_HDR ||
	    h->hdr_len > len)
		return -ADN_RPC_E_HDR_LEN;
	if (h->n_fields > ADN_RPC_MAX_FIELDS)
		return -ADN_RPC_E_TOO_MANY_FIELDS;
	h->req_id = adn_be32_get(buf + ADN_RPC_OFF_REQ_ID);
	h->service = adn_be16_get(buf + ADN_RPC_OFF_SERVICE);
	h->method = adn_be16_get(buf + ADN_RPC_OFF_METHOD);
	h->payload_len = adn_be32_get(buf + ADN_RPC_OFF_PAYLOAD_LEN);
	for (unsigned int i = 0; i < h->n_fields; i++) {
		struct adn_rpc_field *f = &h->f[i];
		enum adn_rpc_err e;

		if (pos + ADN_RPC_ENTRY_LEN > h->hdr_len)
			return -ADN_RPC_E_FIELD_TRUNC;
		f->id = buf[pos];
		f->type = buf[pos + 1];
		f->len = adn_be16_get(buf + pos + 2);
		pos += ADN_RPC_ENTRY_LEN;
		if (f->id <= prev_id)
			return -ADN_RPC_E_FIELD_ID;
		prev_id = f->id;
		if (pos + f->len > h->hdr_len)
			return -ADN_RPC_E_FIELD_TRUNC;
		e = field_check(f->type, buf + pos, f->len);
		if (e != ADN_RPC_OK)
			return -(int)e;
		f->off = (uint16_t)pos;
		f->u64 = f->type == ADN_RPC_FT_U64 ?
			adn_be64_get(buf + pos) : 0;
		pos += f->len;
	}
	if (pos != h->hdr_len)
		return -ADN_RPC_E_TABLE_LEN;
	if ((uint64_t)h->hdr_len + h->payload_len != len)
		return -ADN_RPC_E_PAYLOAD_LEN;
	return h->hdr_len;
}

size_t
adn_rpc_hdr_size(const struct adn_rpc_field_val *f, unsigned int n)
{
	size_t sz = ADN_RPC_FIXED_LEN;

	if (n > ADN_RPC_MAX_FIELDS)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		sz += ADN_RPC_ENTRY_LEN +
			(f[i].type == ADN_RPC_FT_U64 ? 8u : f[i].len);
	return sz > ADN_RPC_MAX_HDR ? 0 : sz;
}

int
adn_rpc_encode(uint8_t *out, size_t cap, uint8_t type, uint8_t flags,
	       uint32_t req_id, uint16_t service, uint16_t method,
	       uint32_t payload_len, const struct adn_rpc_field_val *f,
	       unsigned int n)
{
	const size_t sz = adn_rpc_hdr_size(f, n);
	unsigned int prev_id = 0;
	size_t pos = ADN_RPC_FIXED_LEN;

	if (sz == 0 || sz > cap)
		return -E2BIG;
	if ((type != ADN_RPC_T_REQUEST && type != ADN_RPC_T_RESPONSE) ||
	    (flags & ~ADN_RPC_F_ALL))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		const uint16_t len = f[i].type == ADN_RPC_FT_U64 ? 8 : f[i].len;

		if (f[i].id <= prev_id || (f[i].type != ADN_RPC_FT_U64 &&
		    field_check(f[i].type, f[i].val, len) != ADN_RPC_OK))
			return -EINVAL;
		prev_id = f[i].id;
	}
	adn_be16_put(out + ADN_RPC_OFF_MAGIC, ADN_RPC_MAGIC);
	out[ADN_RPC_OFF_VERSION] = ADN_RPC_VERSION;
	out[ADN_RPC_OFF_TYPE] = type;
	out[ADN_RPC_OFF_FLAGS] = flags;
	out[ADN_RPC_OFF_N_FIELDS] = (uint8_t)n;
	adn_be16_put(out + ADN_RPC_OFF_HDR_LEN, (uint16_t)sz);
	adn_be32_put(out + ADN_RPC_OFF_REQ_ID, req_id);
	adn_be16_put(out + ADN_RPC_OFF_SERVICE, service);
	adn_be16_put(out + ADN_RPC_OFF_METHOD, method);
	adn_be32_put(out + ADN_RPC_OFF_PAYLOAD_LEN, payload_len);
	for (unsigned int i = 0; i < n; i++) {
		out[pos] = f[i].id;
		out[pos + 1] = f[i].type;
		if (f[i].type == ADN_RPC_FT_U64) {
			adn_be16_put(out + pos + 2, 8);
			adn_be64_put(out + pos + 4, f[i].u64);
			pos += ADN_RPC_ENTRY_LEN + 8;
			continue;
		}
		adn_be16_put(out + pos + 2, f[i].len);
		if (f[i].len > 0)
			memcpy(out + pos + 4, f[i].val, f[i].len);
		pos += ADN_RPC_ENTRY_LEN + f[i].len;
	}
	return (int)sz;
}

void
adn_rpc_set_payload(uint8_t *hdr, uint32_t payload_len, uint8_t flags)
{
	adn_be32_put(hdr + ADN_RPC_OFF_PAYLOAD_LEN, payload_len);
	hdr[ADN_RPC_OFF_FLAGS] = flags;
}

const struct adn_rpc_field *
adn_rpc_field_find(const struct adn_rpc_hdr *h, uint8_t id)
{
	/* ids ascend: stop at the first one past it */
	for (unsigned int i = 0; i < h->n_fields && h->f[i].id <= id; i++)
		if (h->f[i].id == id)
			return &h->f[i];
	return NULL;
}

int
adn_rpc_msg_from_wire(struct adn_rpc_msg *r, const uint8_t *rpc, size_t len,
		      uint32_t rpc_off)
{
	int rc = adn_rpc_decode(rpc, len, &r->hdr);

	if (rc < 0)
		return rc;
	r->carrier = ADN_RPC_CARRIER_ADN;
	r->kind = r->hdr.type;
	r->flags = r->hdr.flags;
	r->req_id = r->hdr.req_id;
	r->service = r->hdr.service;
	r->method = r->hdr.method;
	r->rpc = rpc;
	r->rpc_off = rpc_off;
	r->payload = rpc + rc;
	r->payload_len = r->hdr.payload_len;
	r->head = NULL;
	r->head_len = 0;
	r->path = r->query = NULL;
	r->path_len = r->query_len = 0;
	r->status = 0;
	return rc;
}
