/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stream tracker (adn_tcp_stream.h). A stream's buffer holds the bytes
 * from `base` on: the first `have` are in order (not consumed yet), then
 * up to ADN_TCP_OOO_MAX held ranges after a gap, sorted and disjoint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "adn_elem.h"
#include "adn_tcp_stream.h"

struct range {
	uint32_t off, len;	/* from base */
};

struct ent {
	bool used, broken;
	uint8_t role;
	uint8_t n_ooo;
	uint32_t next;		/* next expected sequence number */
	uint32_t base;		/* sequence number of buf[0] */
	uint32_t have;		/* in-order bytes in buf */
	uint64_t last_ms;
	uint8_t *buf;		/* from the pool while it holds bytes */
	struct range ooo[ADN_TCP_OOO_MAX];
	struct adn_flow_key key;
};

struct adn_tcp_track {
	struct adn_tcp_track_conf c;
	struct rte_hash *h;
	struct rte_mempool *bufs;
	size_t stride;		/* struct ent + user area */
	uint8_t *ents;		/* by rte_hash key position */
	uint32_t n_slots;	/* positions the hash hands out */
	uint32_t cursor;	/* expiry sweep */
	struct adn_tcp_track_stats st;
};

static inline struct ent *
ent_at(const struct adn_tcp_track *t, uint32_t i)
{
	return (struct ent *)(t->ents + (size_t)i * t->stride);
}

static inline void *
ent_user(const struct adn_tcp_track *t, struct ent *e)
{
	return t->c.user_size ? (uint8_t *)e + sizeof(struct ent) : NULL;
}

int
adn_tcp_track_create(const struct adn_tcp_track_conf *c,
		     struct adn_tcp_track **out)
{
	struct rte_hash_parameters hp = { 0 };
	char name[RTE_MEMPOOL_NAMESIZE];
	struct adn_tcp_track *t;

	if (c->max_flows == 0 || c->max_bytes == 0 || c->n_bufs == 0)
		return -EINVAL;
	t = rte_zmalloc_socket("adn_tcp_track", sizeof(*t), 0, c->socket);
	if (t == NULL)
		return -ENOMEM;
	t->c = *c;
	t->stride = RTE_ALIGN_CEIL(sizeof(struct ent) + c->user_size, 16);
	/* rte_hash needs 8 entries at least and hands out key positions
	 * below `entries`; the stream limit is counted (st.live). */
	t->n_slots = RTE_MAX(c->max_flows, 8u);
	t->ents = rte_zmalloc_socket("adn_tcp_flows",
				     t->stride * t->n_slots,
				     RTE_CACHE_LINE_SIZE, c->socket);
	snprintf(name, sizeof(name), "tcpt_%s", c->name);
	hp.name = name;
	hp.entries = t->n_slots;
	hp.key_len = sizeof(struct adn_flow_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = c->socket;
	t->h = rte_hash_create(&hp);
	snprintf(name, sizeof(name), "tcpb_%s", c->name);
	/* No device reads the buffers: packed, not one to a 4 KiB page
	 * without hugepages (adn_pktmbuf_pool_create). */
	t->bufs = rte_mempool_create(name, c->n_bufs, c->max_bytes,
				     0, 0, NULL, NULL, NULL, NULL, c->socket,
				     RTE_MEMPOOL_F_SP_PUT | RTE_MEMPOOL_F_SC_GET |
				     RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (t->ents == NULL || t->h == NULL || t->bufs == NULL) {
		adn_tcp_track_free(t);
		return -ENOMEM;
	}
	t->c.name = NULL;	/* the caller's string */
	*out = t;
	return 0;
}

static void
ent_release(struct adn_tcp_track *t, struct ent *e)
{
	if (t->c.release != NULL && t->c.user_size)
		t->c.release(ent_user(t, e), t->c.arg);
	if (e->buf != NULL)
		rte_mempool_put(t->bufs, e->buf);
	e->buf = NULL;
}

static void
ent_end(struct adn_tcp_track *t, struct ent *e)
{
	ent_release(t, e);
	rte_hash_del_key(t->h, &e->key);
	e->used = false;
	t->st.live--;
}

void
adn_tcp_track_free(struct adn_tcp_track *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; t->ents != NULL && i < t->n_slots; i++)
		if (ent_at(t, i)->used)
			ent_release(t, ent_at(t, i));
	rte_hash_free(t->h);
	rte_mempool_free(t->bufs);
	rte_free(t->ents);
	rte_free(t);
}

void
adn_tcp_track_stats(const struct adn_tcp_track *t,
		    struct adn_tcp_track_stats *st)
{
	*st = t->st;
}

int
adn_tcp_parse(const uint8_t *ip, uint32_t len, struct adn_flow_key *k,
	      uint32_t *seq, uint8_t *flags, const uint8_t **pl,
	      uint32_t *pl_len)
{
	const struct rte_ipv4_hdr *h = (const void *)ip;
	const struct rte_tcp_hdr *th;
	uint32_t l3, l4, tot;

	if (len < sizeof(*h) || h->next_proto_id != IPPROTO_TCP ||
	    (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK |
						   RTE_IPV4_HDR_MF_FLAG)))
		return -1;
	l3 = rte_ipv4_hdr_len(h);
	tot = rte_be_to_cpu_16(h->total_length);
	/* the IP length bounds the payload (Ethernet pads short frames) */
	if (l3 < sizeof(*h) || tot > len || tot < l3 + sizeof(*th))
		return -1;
	th = (const void *)(ip + l3);
	l4 = (uint32_t)(th->data_off >> 4) * 4;
	if (l4 < sizeof(*th) || l3 + l4 > tot)
		return -1;
	k->src_ip = h->src_addr;
	k->dst_ip = h->dst_addr;
	k->src_port = th->src_port;
	k->dst_port = th->dst_port;
	k->proto = IPPROTO_TCP;
	*seq = rte_be_to_cpu_32(th->sent_seq);
	*flags = th->tcp_flags;
	*pl = ip + l3 + l4;
	*pl_len = tot - l3 - l4;
	return 0;
}

static void
seg_set(struct adn_tcp_track *t, struct ent *e, int32_t pos,
	struct adn_tcp_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->flow = (uint32_t)pos;
	s->role = e->role;
	s->user = ent_user(t, e);
	s->ent = e;
}

/* A buffer for e; false (the stream is broken) when the pool is empty. */
static bool
ent_buf(struct adn_tcp_track *t, struct ent *e)
{
	if (e->buf != NULL)
		return true;
	if (rte_mempool_get(t->bufs, (void **)&e->buf) == 0)
		return true;
	e->buf = NULL;
	e->broken = true;
	t->st.no_buffer++;
	return false;
}

static void
ent_break(struct adn_tcp_track *t, struct ent *e)
{
	e->broken = true;
	t->st.bytes_full++;
}

/* Hold [off, off + len) of the stream's buffer (data at p). */
static bool
ooo_hold(struct adn_tcp_track *t, struct ent *e, uint32_t off,
	 const uint8_t *p, uint32_t len)
{
	struct range r = { off, len };
	unsigned int i, j;

	if ((uint64_t)off + len > t->c.max_bytes) {
		ent_break(t, e);
		return false;
	}
	if (!ent_buf(t, e))
		return false;
	memcpy(e->buf + off, p, len);
	/* merge with every range r touches, keep the list sorted */
	for (i = 0, j = 0; i < e->n_ooo; i++) {
		struct range q = e->ooo[i];

		if (q.off + q.len < r.off || r.off + r.len < q.off) {
			e->ooo[j++] = q;
			continue;
		}
		uint32_t lo = RTE_MIN(q.off, r.off);
		uint32_t hi = RTE_MAX(q.off + q.len, r.off + r.len);

		r.off = lo;
		r.len = hi - lo;
	}
	e->n_ooo = (uint8_t)j;
	if (e->n_ooo == ADN_TCP_OOO_MAX) {
		ent_break(t, e);
		return false;
	}
	for (i = e->n_ooo; i > 0 && e->ooo[i - 1].off > r.off; i--)
		e->ooo[i] = e->ooo[i - 1];
	e->ooo[i] = r;
	e->n_ooo++;
	return true;
}

/* Move held ranges the in-order bytes reach into them. */
static void
ooo_join(struct ent *e)
{
	unsigned int k = 0;

	while (k < e->n_ooo && e->ooo[k].off <= e->have) {
		uint32_t end = e->ooo[k].off + e->ooo[k].len;

		if (end > e->have)
			e->have = end;
		k++;
	}
	if (k > 0) {
		memmove(e->ooo, e->ooo + k, (e->n_ooo - k) * sizeof(e->ooo[0]));
		e->n_ooo = (uint8_t)(e->n_ooo - k);
	}
	e->next = e->base + e->have;
}

static enum adn_tcp_status
stream_start(struct adn_tcp_track *t, const struct adn_flow_key *k,
	     uint32_t seq, uint8_t fl, uint64_t now_ms,
	     struct adn_tcp_seg *s)
{
	int32_t pos = rte_hash_lookup(t->h, k);
	struct ent *e;

	if (pos >= 0) {
		e = ent_at(t, (uint32_t)pos);
		if (e->next == seq + 1 && e->have == 0 && e->n_ooo == 0 &&
		    e->base == e->next) {
			/* the SYN again, before any data */
			t->st.retrans++;
			e->last_ms = now_ms;
			seg_set(t, e, pos, s);
			s->retrans = true;
			return ADN_TCP_OK;
		}
		/* a new connection on the same 5-tuple */
		ent_release(t, e);
		t->st.live--;
	} else {
		if (t->st.live >= t->c.max_flows) {
			t->st.flows_full++;
			return ADN_TCP_FLOWS_FULL;
		}
		pos = rte_hash_add_key(t->h, k);
		if (pos < 0 || (uint32_t)pos >= t->n_slots) {
			if (pos >= 0)
				rte_hash_del_key(t->h, k);
			t->st.flows_full++;
			return ADN_TCP_FLOWS_FULL;
		}
		e = ent_at(t, (uint32_t)pos);
	}
	memset(e, 0, t->stride);
	e->used = true;
	e->key = *k;
	e->role = (fl & ADN_TCP_ACK) ? ADN_TCP_ROLE_SERVER :
		ADN_TCP_ROLE_CLIENT;
	e->next = e->base = seq + 1;
	e->last_ms = now_ms;
	t->st.streams++;
	t->st.live++;
	seg_set(t, e, pos, s);
	s->start = true;
	return ADN_TCP_OK;
}

enum adn_tcp_status
adn_tcp_track_segment(struct adn_tcp_track *t, const struct adn_flow_key *k,
		      uint32_t seq, uint8_t fl, const uint8_t *pl,
		      uint32_t pl_len, uint64_t now_ms, struct adn_tcp_seg *s)
{
	struct ent *e;
	int32_t pos, rel;

	if ((fl & (ADN_TCP_SYN | ADN_TCP_RST)) == ADN_TCP_SYN)
		return stream_start(t, k, seq, fl, now_ms, s);
	pos = rte_hash_lookup(t->h, k);
	if (pos < 0) {
		t->st.untracked++;
		return ADN_TCP_UNTRACKED;
	}
	e = ent_at(t, (uint32_t)pos);
	if (e->broken)
		return ADN_TCP_BROKEN;
	seg_set(t, e, pos, s);
	e->last_ms = now_ms;
	if (fl & ADN_TCP_RST) {
		s->rst = true;
		return ADN_TCP_OK;
	}
	rel = (int32_t)(seq - e->next);
	if (pl_len > 0 && rel < 0) {
		/* what was seen already is not delivered again */
		uint32_t seen = (uint32_t)-rel;

		s->retrans = true;
		t->st.retrans++;
		if (seen >= pl_len) {
			pl_len = 0;
		} else {
			pl += seen;
			pl_len -= seen;
		}
		rel = 0;
		seq = e->next;
	}
	if (pl_len > 0 && rel > 0) {
		s->ooo = true;
		t->st.ooo++;
		if (!ooo_hold(t, e, e->have + (uint32_t)rel, pl, pl_len))
			return ADN_TCP_BROKEN;
		pl_len = 0;
	}
	if (pl_len > 0) {
		if (e->have == 0 && e->n_ooo == 0) {
			s->direct = true;
			s->data = pl;
			s->len = pl_len;
			e->next += pl_len;
		} else {
			if ((uint64_t)e->have + pl_len > t->c.max_bytes) {
				ent_break(t, e);
				return ADN_TCP_BROKEN;
			}
			if (!ent_buf(t, e))
				return ADN_TCP_BROKEN;
			memcpy(e->buf + e->have, pl, pl_len);
			e->have += pl_len;
			ooo_join(e);
			s->data = e->buf;
			s->len = e->have;
		}
		s->fresh = pl_len;
		t->st.delivered += pl_len;
		seq += pl_len;
	} else if (e->have > 0) {
		s->data = e->buf;
		s->len = e->have;
	}
	/* Only a FIN in order ends the stream; one ahead of a gap waits for
	 * its retransmission. */
	if ((fl & ADN_TCP_FIN) && !s->ooo && seq == e->next && e->n_ooo == 0)
		s->fin = true;
	return ADN_TCP_OK;
}

int
adn_tcp_track_done(struct adn_tcp_track *t, struct adn_tcp_seg *s,
		   uint32_t consumed, bool drop_stream)
{
	struct ent *e = s->ent;
	uint32_t rest = s->len - RTE_MIN(consumed, s->len);
	int rc = 0;

	if (s->fin || s->rst || drop_stream) {
		t->st.closed += !drop_stream;
		ent_end(t, e);
		return 0;
	}
	if (s->direct) {
		if (rest > 0) {
			if (rest > t->c.max_bytes) {
				ent_break(t, e);
				rc = -ENOSPC;
			} else if (!ent_buf(t, e)) {
				rc = -ENOSPC;
			} else {
				memcpy(e->buf, s->data + (s->len - rest), rest);
				e->have = rest;
				e->base = e->next - rest;
			}
		} else {
			e->base = e->next;
		}
	} else if (consumed > 0 && e->buf != NULL) {
		uint32_t c = s->len - rest;
		uint32_t span = e->n_ooo ?
			e->ooo[e->n_ooo - 1].off + e->ooo[e->n_ooo - 1].len :
			e->have;

		memmove(e->buf, e->buf + c, span - c);
		for (unsigned int i = 0; i < e->n_ooo; i++)
			e->ooo[i].off -= c;
		e->have -= c;
		e->base += c;
	}
	if (e->have == 0 && e->n_ooo == 0 && e->buf != NULL) {
		rte_mempool_put(t->bufs, e->buf);
		e->buf = NULL;
	}
	return rc;
}

unsigned int
adn_tcp_track_expire(struct adn_tcp_track *t, uint64_t now_ms,
		     unsigned int budget)
{
	unsigned int n = 0;

	if (budget > t->n_slots)
		budget = t->n_slots;
	while (budget-- > 0) {
		struct ent *e = ent_at(t, t->cursor);

		if (e->used && now_ms - e->last_ms > t->c.idle_ms &&
		    now_ms >= e->last_ms) {
			ent_end(t, e);
			t->st.expired++;
			n++;
		}
		if (++t->cursor == t->n_slots)
			t->cursor = 0;
	}
	return n;
}

void
adn_tcp_track_conf_of(const struct adn_elem *e, struct adn_tcp_track_conf *c)
{
	c->max_flows = (uint32_t)adn_elem_arg_int(e, "max_flows");
	c->max_bytes = (uint32_t)adn_elem_arg_int(e, "max_bytes");
	c->n_bufs = (uint32_t)adn_elem_arg_int(e, "buffers");
	c->idle_ms = (uint32_t)adn_elem_arg_int(e, "idle_timeout") * 1000u;
	c->socket = (int)rte_socket_id();
}

const char *const adn_tcp_punt_names[ADN_TCP_N_PUNT] = {
	"punt-not-tcp", "punt-untracked", "punt-flows-full", "punt-bytes-full",
};

int
adn_tcp_track_packet(struct adn_tcp_track *t, const uint8_t *ip,
		     uint32_t len, uint64_t now_ms, struct adn_tcp_seg *s,
		     bool *bare)
{
	struct adn_flow_key k;
	const uint8_t *pl;
	uint32_t seq, pl_len;
	uint8_t fl;

	*bare = false;
	if (ip == NULL ||
	    adn_tcp_parse(ip, len, &k, &seq, &fl, &pl, &pl_len) < 0)
		return ADN_TCP_PUNT_NOT_TCP;
	switch (adn_tcp_track_segment(t, &k, seq, fl, pl, pl_len, now_ms,
				      s)) {
	case ADN_TCP_OK:
		return -1;
	case ADN_TCP_UNTRACKED:
		*bare = pl_len == 0;
		return ADN_TCP_PUNT_UNTRACKED;
	case ADN_TCP_FLOWS_FULL:
		return ADN_TCP_PUNT_FLOWS_FULL;
	default:
		return ADN_TCP_PUNT_BYTES_FULL;
	}
}

void
adn_tcp_track_stats_add(const struct adn_tcp_track *t,
			struct adn_tcp_track_stats *sum)
{
	struct adn_tcp_track_stats x;
	uint64_t *a = (uint64_t *)sum;
	const uint64_t *b = (const uint64_t *)&x;

	/* Every field is a uint64_t counter. */
	adn_tcp_track_stats(t, &x);
	for (size_t i = 0; i < sizeof(x) / sizeof(uint64_t); i++)
		a[i] += b[i];
}

unsigned int
adn_tcp_track_xstats(const struct adn_tcp_track_stats *ts,
		     const uint64_t punt[ADN_TCP_N_PUNT],
		     struct adn_xstat *out, unsigned int max)
{
	const struct { const char *name; uint64_t v; } v[] = {
		{ "streams", ts->streams }, { "live", ts->live },
		{ "closed", ts->closed }, { "expired", ts->expired },
		{ "retransmissions", ts->retrans },
		{ "out-of-order", ts->ooo },
	};
	unsigned int n = 0;

	for (unsigned int i = 0; i < RTE_DIM(v) && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[i].name);
		out[n].value = v[i].v;
	}
	for (unsigned int r = 0; r < ADN_TCP_N_PUNT && n < max; r++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s",
			 adn_tcp_punt_names[r]);
		out[n].value = punt[r];
	}
	return n;
}
