/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP retransmission detection handler: a register allocator (a stack of
 * free indices) plus per-register connection state, keyed through the
 * mirrored table so lookups cost one exact match.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_be.h"
#include "adn_clip_hdr.h"
#include "adn_clip_trd.h"
#include "adn_tcp_seq.h"

struct trd_reg {
	struct adn_flow_key key;
	uint32_t next_seq;
	uint64_t packets;
	uint32_t retrans;
	bool in_use;
};

struct adn_clip_trd {
	uint32_t n_regs;
	uint32_t n_free;
	uint16_t *free_stack;	/* n_free valid entries */
	struct trd_reg *reg;
	struct adn_clip_table *conns;
	struct adn_clip_trd_stats st;
};

int
adn_clip_trd_result_decode(const uint8_t *result, uint8_t rlen,
			   struct adn_clip_trd_result *r)
{
	if (result == NULL || r == NULL || rlen != ADN_CLIP_TRD_RESULT_LEN ||
	    result[3] != 0)
		return -EINVAL;
	r->index = adn_be16_get(result);
	r->flags = result[2];
	r->retrans = adn_be32_get(result + 4);
	return 0;
}

static int
trd_make_params(const uint8_t *frame, const struct adn_clip_pkt_info *pi,
		uint8_t *params, uint8_t *plen)
{
	(void)frame;
	(void)params;
	if (pi->key.proto != 6)
		return -ENOTSUP;
	*plen = 0;
	return 0;
}

static int
trd_apply(uint8_t *frame, size_t len, const struct adn_clip_pkt_info *pi,
	  const uint8_t *result, uint8_t rlen)
{
	struct adn_clip_trd_result r;

	(void)frame;
	(void)len;
	(void)pi;
	/* Nothing to rewrite; a result that does not decode is a broken
	 * response and must not pass as a measurement. */
	return adn_clip_trd_result_decode(result, rlen, &r);
}

const struct adn_clip_app adn_clip_app_trd = {
	.name = "trd",
	.app_id = ADN_CLIP_APP_TRD,
	.make_params = trd_make_params,
	.apply = trd_apply,
};

int
adn_clip_trd_create(uint32_t registers, uint32_t seed,
		    struct adn_clip_trd **out)
{
	struct adn_clip_trd *t;
	int rc;

	if (out == NULL || registers == 0 ||
	    registers > ADN_CLIP_TRD_MAX_REGS)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->n_regs = registers;
	t->free_stack = calloc(registers, sizeof(*t->free_stack));
	t->reg = calloc(registers, sizeof(*t->reg));
	if (t->free_stack == NULL || t->reg == NULL) {
		adn_clip_trd_free(t);
		return -ENOMEM;
	}
	rc = adn_clip_table_create(registers, seed, &t->conns);
	if (rc < 0) {
		adn_clip_trd_free(t);
		return rc;
	}
	/* Lowest index on top, so allocation order is 0, 1, 2, ... */
	for (uint32_t i = 0; i < registers; i++)
		t->free_stack[i] = (uint16_t)(registers - 1 - i);
	t->n_free = registers;
	*out = t;
	return 0;
}

void
adn_clip_trd_free(struct adn_clip_trd *t)
{
	if (t == NULL)
		return;
	adn_clip_table_free(t->conns);
	free(t->free_stack);
	free(t->reg);
	free(t);
}

static int
respond(uint8_t *frame, size_t len, struct adn_clip_trd_event *ev,
	uint8_t status, uint16_t index, uint8_t flags, uint32_t retrans)
{
	uint8_t res[ADN_CLIP_TRD_RESULT_LEN] = { 0 };
	enum adn_clip_hdr_err why;

	adn_be16_put(res, index);
	res[2] = flags;
	adn_be32_put(res + 4, retrans);
	ev->status = status;
	ev->flags = flags;
	ev->index = index;
	return adn_clip_respond(frame, len, status, res,
				status == ADN_CLIP_ST_OK ? sizeof(res) : 0,
				&why);
}

int
adn_clip_trd_handle(struct adn_clip_trd *t, uint8_t *frame, size_t len,
		    struct adn_clip_trd_event *ev)
{
	const size_t ip_off = ADN_ETHER_HDR_LEN + ADN_CLIP_HDR_LEN;
	struct adn_clip_trd_event dummy;
	struct adn_clip_entry ne;
	const struct adn_clip_entry *e;
	struct adn_clip_hdr h;
	enum adn_clip_hdr_err why;
	const uint8_t *ip, *tcp;
	size_t ihl, tot, doff, payload;
	uint32_t seq, seg_len;
	uint8_t tflags, flags = 0;
	struct trd_reg *r;
	uint16_t idx;
	int rc;

	if (ev == NULL)
		ev = &dummy;
	memset(ev, 0, sizeof(*ev));
	ev->index = ADN_CLIP_TRD_NO_INDEX;
	if (t == NULL || frame == NULL)
		return -EINVAL;
	rc = adn_clip_frame_decode(frame, len, &h, &why);
	if (rc < 0)
		return rc;
	if (h.type != ADN_CLIP_MSG_REQUEST || h.app_id != ADN_CLIP_APP_TRD)
		return -EINVAL;
	t->st.requests++;

	/* The original packet follows the header: IPv4 + TCP, complete
	 * within the frame, else the request is answered BAD_REQUEST. */
	ip = frame + ip_off;
	if (h.load_type != ADN_ETHERTYPE_IPV4 || len < ip_off + 20 ||
	    (ip[0] >> 4) != 4 || (ihl = (size_t)(ip[0] & 15) * 4) < 20 ||
	    ip[9] != 6 || (tot = adn_be16_get(ip + 2)) < ihl + 20 ||
	    len < ip_off + tot || (adn_be16_get(ip + 6) & 0x1fff) != 0)
		goto bad;
	tcp = ip + ihl;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || ihl + doff > tot)
		goto bad;
	payload = tot - ihl - doff;
	seq = adn_be32_get(tcp + 4);
	tflags = tcp[13];

	memset(&ne, 0, sizeof(ne));
	memcpy(&ne.key.src_ip, ip + 12, 4);
	memcpy(&ne.key.dst_ip, ip + 16, 4);
	memcpy(&ne.key.src_port, tcp, 2);
	memcpy(&ne.key.dst_port, tcp + 2, 2);
	ne.key.proto = 6;

	e = adn_clip_table_hit(t->conns, &ne.key);
	if (e == NULL) {
		if (!(tflags & ADN_TCP_SYN) ||
		    (tflags & (ADN_TCP_FIN | ADN_TCP_RST))) {
			/* Mid-stream or closing without a SYN seen: no
			 * register to give, nothing to track. */
			t->st.untracked++;
			return respond(frame, len, ev, ADN_CLIP_ST_OK,
				       ADN_CLIP_TRD_NO_INDEX,
				       ADN_CLIP_TRD_F_UNTRACKED, 0);
		}
		if (t->n_free == 0) {
			t->st.exhausted++;
			return respond(frame, len, ev, ADN_CLIP_ST_NO_RESOURCE,
				       ADN_CLIP_TRD_NO_INDEX, 0, 0);
		}
		idx = t->free_stack[--t->n_free];
		ne.server = h.server_id;
		ne.result_len = ADN_CLIP_TRD_RESULT_LEN;
		adn_be16_put(ne.result, idx);
		/* Capacity equals the register count, so this cannot fail
		 * while a register was free. */
		rc = adn_clip_table_add(t->conns, &ne);
		if (rc < 0) {
			t->free_stack[t->n_free++] = idx;
			t->st.exhausted++;
			return respond(frame, len, ev, ADN_CLIP_ST_NO_RESOURCE,
				       ADN_CLIP_TRD_NO_INDEX, 0, 0);
		}
		r = &t->reg[idx];
		*r = (struct trd_reg){ .key = ne.key, .in_use = true,
				       .next_seq = seq + 1 + (uint32_t)payload };
		r->packets = 1;
		t->st.allocated++;
		ev->allocated = true;
	} else {
		idx = adn_be16_get(e->result);
		r = &t->reg[idx];
		r->packets++;
		seg_len = adn_tcp_seg_len((uint32_t)payload, tflags);
		if (seg_len > 0) {
			if (adn_tcp_seq_before(seq, r->next_seq)) {
				flags |= ADN_CLIP_TRD_F_RETRANS;
				r->retrans++;
				t->st.retrans++;
			} else {
				r->next_seq = seq + seg_len;
			}
		}
	}
	if (tflags & (ADN_TCP_FIN | ADN_TCP_RST)) {
		uint32_t retrans = r->retrans;

		adn_clip_table_del(t->conns, &r->key);
		r->in_use = false;
		t->free_stack[t->n_free++] = idx;
		t->st.released++;
		return respond(frame, len, ev, ADN_CLIP_ST_OK, idx,
			       flags | ADN_CLIP_TRD_F_RELEASED, retrans);
	}
	return respond(frame, len, ev, ADN_CLIP_ST_OK, idx, flags, r->retrans);

bad:
	t->st.bad_request++;
	return respond(frame, len, ev, ADN_CLIP_ST_BAD_REQUEST,
		       ADN_CLIP_TRD_NO_INDEX, 0, 0);
}

int
adn_clip_trd_walk(const struct adn_clip_trd *t,
		  int (*cb)(const struct adn_clip_trd_conn *c, void *arg),
		  void *arg)
{
	struct adn_clip_trd_conn c;
	int rc;

	if (t == NULL || cb == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < t->n_regs; i++) {
		const struct trd_reg *r = &t->reg[i];

		if (!r->in_use)
			continue;
		c = (struct adn_clip_trd_conn){ .key = r->key,
			.index = (uint16_t)i, .next_seq = r->next_seq,
			.packets = r->packets, .retrans = r->retrans };
		rc = cb(&c, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct adn_clip_table *
adn_clip_trd_table(const struct adn_clip_trd *t)
{
	return t->conns;
}

uint32_t
adn_clip_trd_in_use(const struct adn_clip_trd *t)
{
	return t->n_regs - t->n_free;
}

void
adn_clip_trd_stats_get(const struct adn_clip_trd *t,
		       struct adn_clip_trd_stats *st)
{
	*st = t->st;
}
