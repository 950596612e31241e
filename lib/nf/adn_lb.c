/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L4 load balancer state on rte_hash and Maglev (adn_lb.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "adn_hash.h"
#include "adn_lb.h"
#include "adn_maglev.h"
#include "adn_nat.h"

#define LB_TCP 6
#define LB_UDP 17

/* A flow key, network order: forward (client -> VIP) or reply (backend
 * -> client). */
struct lb_key {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t reply;
	uint16_t pad;
};

struct lb_backend {
	uint32_t ip;		/* network order */
	uint16_t port;		/* network order; 0: keep the packet's */
	uint8_t state;		/* enum adn_lb_be_state */
	uint32_t weight;
	uint64_t packets, new_flows, flows;
};

struct lb_vip {
	uint8_t proto;
	uint32_t ip;		/* network order */
	uint16_t port;		/* network order */
	uint16_t *table;	/* [m], published by pointer */
	unsigned int n_be;
	struct lb_backend be[ADN_LB_MAX_BACKENDS];
	uint64_t packets, new_flows, no_backend;
};

enum { LB_FLOW_FREE, LB_FLOW_LIVE, LB_FLOW_SWEPT };

struct lb_flow {
	uint64_t last_ms;
	struct lb_key key[2];	/* forward, reply (DNAT) */
	uint16_t vip, be;
	uint8_t kind;
	int32_t pos[2];
};

struct adn_lb {
	rte_spinlock_t lock;	/* hash writes, free list, backend changes */
	struct rte_hash *h;
	enum adn_lb_mode mode;
	uint32_t m;
	uint32_t n_slots;
	uint32_t timeout_ms;
	struct lb_flow *flows;
	uint32_t *free_idx;
	uint32_t n_free;
	uint32_t sweep_at;
	unsigned int n_vips;
	struct lb_vip vips[ADN_LB_MAX_VIPS];
	uint64_t created, expired, untracked;
};

int
adn_lb_create(const struct adn_lb_conf *c, struct adn_lb **out)
{
	struct rte_hash_parameters hp = { 0 };
	char hname[RTE_HASH_NAMESIZE];
	struct adn_lb *lb;

	*out = NULL;
	if (c->name == NULL || !adn_maglev_is_prime(c->table_size) ||
	    c->table_size >= ADN_MAGLEV_NONE * 256u ||
	    c->max_flows == 0 || c->max_flows > UINT32_MAX / 4)
		return -EINVAL;
	lb = rte_zmalloc_socket("adn_lb", sizeof(*lb), RTE_CACHE_LINE_SIZE,
				c->socket);
	if (lb == NULL)
		return -ENOMEM;
	rte_spinlock_init(&lb->lock);
	lb->mode = c->mode;
	lb->m = c->table_size;
	lb->n_slots = c->max_flows;
	lb->timeout_ms = c->timeout_ms;
	lb->flows = rte_zmalloc_socket("adn_lb_flows",
				       sizeof(*lb->flows) * lb->n_slots,
				       RTE_CACHE_LINE_SIZE, c->socket);
	lb->free_idx = rte_malloc_socket("adn_lb_free",
					 sizeof(uint32_t) * lb->n_slots, 0,
					 c->socket);
	snprintf(hname, sizeof(hname), "lb_%s", c->name);
	hp.name = hname;
	/* A key a flow (two in DNAT: the reply's), twice that so cuckoo
	 * moves rarely fail. */
	hp.entries = RTE_MAX((c->mode == ADN_LB_DNAT ? 4u : 2u) * lb->n_slots,
			     64u);
	hp.key_len = sizeof(struct lb_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = c->socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	if (lb->flows != NULL && lb->free_idx != NULL)
		lb->h = rte_hash_create(&hp);
	if (lb->h == NULL) {
		adn_lb_free(lb);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < lb->n_slots; i++)
		lb->free_idx[i] = lb->n_slots - 1 - i;
	lb->n_free = lb->n_slots;
	*out = lb;
	return 0;
}

void
adn_lb_free(struct adn_lb *lb)
{
	if (lb == NULL)
		return;
	for (unsigned int v = 0; v < lb->n_vips; v++)
		rte_free(lb->vips[v].table);
	rte_hash_free(lb->h);
	rte_free(lb->flows);
	rte_free(lb->free_idx);
	rte_free(lb);
}

void
adn_lb_set_timeout(struct adn_lb *lb, uint32_t timeout_ms)
{
	__atomic_store_n(&lb->timeout_ms, timeout_ms, __ATOMIC_RELAXED);
}

void
adn_lb_table_free(void *table)
{
	rte_free(table);
}

uint32_t
adn_lb_slots(const struct adn_lb *lb)
{
	return lb->n_slots;
}

unsigned int
adn_lb_n_vips(const struct adn_lb *lb)
{
	return lb->n_vips;
}

int
adn_lb_vip_find(const struct adn_lb *lb, uint8_t proto, uint32_t ip,
		uint16_t port)
{
	const uint32_t nip = rte_cpu_to_be_32(ip);
	const uint16_t nport = rte_cpu_to_be_16(port);

	for (unsigned int v = 0; v < lb->n_vips; v++)
		if (lb->vips[v].proto == proto && lb->vips[v].ip == nip &&
		    lb->vips[v].port == nport)
			return (int)v;
	return -ENOENT;
}

int
adn_lb_vip_add(struct adn_lb *lb, uint8_t proto, uint32_t ip, uint16_t port)
{
	struct lb_vip *v;

	if (proto != LB_TCP && proto != LB_UDP)
		return -EINVAL;
	if (adn_lb_vip_find(lb, proto, ip, port) >= 0)
		return -EEXIST;
	if (lb->n_vips == ADN_LB_MAX_VIPS)
		return -ENOSPC;
	v = &lb->vips[lb->n_vips];
	v->table = rte_malloc("adn_lb_table", sizeof(uint16_t) * lb->m, 0);
	if (v->table == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < lb->m; i++)
		v->table[i] = ADN_MAGLEV_NONE;
	v->proto = proto;
	v->ip = rte_cpu_to_be_32(ip);
	v->port = rte_cpu_to_be_16(port);
	return (int)lb->n_vips++;
}

/* Under the lock: a new table for v from its active backends, published;
 * the old one in *old. */
static int
lb_rebuild(struct adn_lb *lb, struct lb_vip *v, void **old)
{
	uint64_t keys[ADN_LB_MAX_BACKENDS];
	uint32_t w[ADN_LB_MAX_BACKENDS], next[ADN_LB_MAX_BACKENDS];
	uint16_t *t = rte_malloc("adn_lb_table", sizeof(uint16_t) * lb->m, 0);

	if (t == NULL)
		return -ENOMEM;
	for (unsigned int b = 0; b < v->n_be; b++) {
		keys[b] = adn_maglev_backend_key(v->be[b].ip, v->be[b].port);
		w[b] = v->be[b].state == ADN_LB_BE_ACTIVE ? v->be[b].weight : 0;
	}
	adn_maglev_populate(t, lb->m, keys, w, v->n_be, next);
	*old = v->table;
	/* Release: the entries are written before workers see the table. */
	__atomic_store_n(&v->table, t, __ATOMIC_RELEASE);
	return 0;
}

static struct lb_vip *
lb_vip(struct adn_lb *lb, int vip)
{
	return vip >= 0 && (unsigned int)vip < lb->n_vips ? &lb->vips[vip] :
		NULL;
}

static int
lb_be_find(const struct lb_vip *v, uint32_t ip, uint16_t port)
{
	for (unsigned int b = 0; b < v->n_be; b++)
		if (v->be[b].state != ADN_LB_BE_FREE &&
		    v->be[b].ip == rte_cpu_to_be_32(ip) &&
		    v->be[b].port == rte_cpu_to_be_16(port))
			return (int)b;
	return -ENOENT;
}

int
adn_lb_backend_add(struct adn_lb *lb, int vip, uint32_t ip, uint16_t port,
		   uint32_t weight, void **old)
{
	struct lb_vip *v = lb_vip(lb, vip);
	struct lb_backend *be;
	int b, rc;

	*old = NULL;
	if (v == NULL)
		return -ENOENT;
	if (weight == 0)
		return -EINVAL;
	rte_spinlock_lock(&lb->lock);
	b = lb_be_find(v, ip, port);
	if (b >= 0 && v->be[b].state == ADN_LB_BE_ACTIVE) {
		rte_spinlock_unlock(&lb->lock);
		return -EEXIST;
	}
	if (b < 0) {
		/* A free slot: a removed backend's, or a new one. */
		for (b = 0; b < (int)v->n_be; b++)
			if (v->be[b].state == ADN_LB_BE_FREE)
				break;
		if (b == ADN_LB_MAX_BACKENDS) {
			rte_spinlock_unlock(&lb->lock);
			return -ENOSPC;
		}
	}
	be = &v->be[b];
	if (be->state == ADN_LB_BE_FREE)
		memset(be, 0, sizeof(*be));
	be->ip = rte_cpu_to_be_32(ip);
	be->port = rte_cpu_to_be_16(port);
	be->weight = weight;
	be->state = ADN_LB_BE_ACTIVE;
	if ((unsigned int)b == v->n_be)
		v->n_be++;
	rc = lb_rebuild(lb, v, old);
	rte_spinlock_unlock(&lb->lock);
	return rc;
}

/* Under the lock: delete flow f's keys; its slot waits for
 * adn_lb_release. It no longer counts on its backend (whose slot a later
 * add may reuse). */
static void
lb_flow_unlink(struct adn_lb *lb, struct lb_flow *f)
{
	for (int o = 0; o < 2; o++)
		f->pos[o] = o == 1 && lb->mode != ADN_LB_DNAT ? -1 :
			rte_hash_del_key(lb->h, &f->key[o]);
	__atomic_store_n(&f->kind, LB_FLOW_SWEPT, __ATOMIC_RELAXED);
	lb->vips[f->vip].be[f->be].flows--;
}

/* Backend (ip, port) of VIP `vip`: its slot with the lock taken and the
 * VIP in *vp, or -ENOENT without the lock. */
static int
lb_be_lock(struct adn_lb *lb, int vip, uint32_t ip, uint16_t port,
	   struct lb_vip **vp)
{
	struct lb_vip *v = lb_vip(lb, vip);
	int b;

	if (v == NULL)
		return -ENOENT;
	rte_spinlock_lock(&lb->lock);
	b = lb_be_find(v, ip, port);
	if (b < 0)
		rte_spinlock_unlock(&lb->lock);
	*vp = v;
	return b;
}

int
adn_lb_backend_remove(struct adn_lb *lb, int vip, uint32_t ip,
		      uint16_t port, void **old, uint32_t *swept,
		      unsigned int *n_swept)
{
	struct lb_vip *v;
	int b, rc;

	*old = NULL;
	*n_swept = 0;
	b = lb_be_lock(lb, vip, ip, port, &v);
	if (b < 0)
		return b;
	v->be[b].state = ADN_LB_BE_FREE;
	rc = lb_rebuild(lb, v, old);
	/* Its flows go: their next packet is a new flow on the new table.
	 * A worker that found one just before still sends that packet to
	 * the removed backend (its slot is reused only after release). */
	for (uint32_t i = 0; i < lb->n_slots; i++) {
		struct lb_flow *f = &lb->flows[i];

		if (f->kind == LB_FLOW_LIVE && f->vip == vip && f->be == b) {
			lb_flow_unlink(lb, f);
			swept[(*n_swept)++] = i;
		}
	}
	__atomic_store_n(&lb->expired, lb->expired + *n_swept,
			 __ATOMIC_RELAXED);
	rte_spinlock_unlock(&lb->lock);
	return rc;
}

static int
lb_set(struct adn_lb *lb, int vip, uint32_t ip, uint16_t port,
       enum adn_lb_be_state state, uint32_t weight, void **old)
{
	struct lb_vip *v;
	int b, rc;

	*old = NULL;
	b = lb_be_lock(lb, vip, ip, port, &v);
	if (b < 0)
		return b;
	v->be[b].state = state;
	if (weight > 0)
		v->be[b].weight = weight;
	rc = lb_rebuild(lb, v, old);
	rte_spinlock_unlock(&lb->lock);
	return rc;
}

int
adn_lb_backend_drain(struct adn_lb *lb, int vip, uint32_t ip, uint16_t port,
		     void **old)
{
	return lb_set(lb, vip, ip, port, ADN_LB_BE_DRAINING, 0, old);
}

int
adn_lb_backend_weight(struct adn_lb *lb, int vip, uint32_t ip,
		      uint16_t port, uint32_t weight, void **old)
{
	struct lb_vip *v = lb_vip(lb, vip);
	int b;

	*old = NULL;
	if (weight == 0)
		return -EINVAL;
	if (v == NULL || (b = lb_be_find(v, ip, port)) < 0)
		return -ENOENT;
	if (v->be[b].state != ADN_LB_BE_ACTIVE)
		return -ENOENT;
	return lb_set(lb, vip, ip, port, ADN_LB_BE_ACTIVE, weight, old);
}

static inline uint32_t
lb_flow_hash(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	     uint8_t proto)
{
	struct adn_flow_key k = {
		.src_ip = src, .dst_ip = dst, .src_port = sport,
		.dst_port = dport, .proto = proto,
	};

	return adn_flow_hash(&k, 0);
}

static inline unsigned int
lb_pick(const struct adn_lb *lb, const struct lb_vip *v, uint32_t hash)
{
	const uint16_t *t = __atomic_load_n(&v->table, __ATOMIC_ACQUIRE);

	return t[hash % lb->m];
}

unsigned int
adn_lb_choose(const struct adn_lb *lb, int vip, uint32_t src, uint32_t dst,
	      uint16_t sport, uint16_t dport)
{
	const struct lb_vip *v = &lb->vips[vip];

	return lb_pick(lb, v, lb_flow_hash(src, dst, sport, dport, v->proto));
}

static inline struct lb_flow *
lb_lookup(const struct adn_lb *lb, const struct lb_key *k)
{
	void *data;

	if (rte_hash_lookup_data(lb->h, k, &data) < 0)
		return NULL;
	return &lb->flows[(uintptr_t)data];
}

/* Under the lock: track the flow of key fk on backend b of VIP vi, the
 * one it was picked for; returns the backend it is tracked on: the one
 * another worker tracked it on first, else b, else (b left the set
 * since: backend changes hold the lock) the current table's choice. */
static unsigned int
lb_track(struct adn_lb *lb, const struct lb_key *fk, unsigned int vi,
	 unsigned int b, uint32_t hash, uint64_t now_ms)
{
	const struct lb_backend *be;
	struct lb_flow *f;
	uint32_t i;

	f = lb_lookup(lb, fk);
	if (f != NULL)
		return f->be;	/* another worker tracked it first */
	if (lb->vips[vi].be[b].state != ADN_LB_BE_ACTIVE) {
		b = lb_pick(lb, &lb->vips[vi], hash);
		if (b == ADN_MAGLEV_NONE)
			return b;
	}
	be = &lb->vips[vi].be[b];
	if (lb->n_free == 0) {
		__atomic_fetch_add(&lb->untracked, 1, __ATOMIC_RELAXED);
		return b;
	}
	i = lb->free_idx[lb->n_free - 1];
	f = &lb->flows[i];
	f->key[0] = *fk;
	f->key[1] = (struct lb_key){
		.src = be->ip, .dst = fk->src,
		.sport = be->port ? be->port : fk->dport, .dport = fk->sport,
		.proto = fk->proto, .reply = 1,
	};
	f->vip = (uint16_t)vi;
	f->be = (uint16_t)b;
	f->last_ms = now_ms;
	__atomic_store_n(&f->kind, LB_FLOW_LIVE, __ATOMIC_RELAXED);
	if (rte_hash_add_key_data(lb->h, &f->key[0], (void *)(uintptr_t)i) < 0) {
		__atomic_store_n(&f->kind, LB_FLOW_FREE, __ATOMIC_RELAXED);
		__atomic_fetch_add(&lb->untracked, 1, __ATOMIC_RELAXED);
		return b;
	}
	/* A reply key lost to a full hash only costs that flow its reply
	 * translation until it expires: counted as untracked. */
	if (lb->mode == ADN_LB_DNAT &&
	    rte_hash_add_key_data(lb->h, &f->key[1], (void *)(uintptr_t)i) < 0)
		__atomic_fetch_add(&lb->untracked, 1, __ATOMIC_RELAXED);
	lb->n_free--;
	lb->vips[vi].be[b].flows++;
	__atomic_store_n(&lb->created, lb->created + 1, __ATOMIC_RELAXED);
	return b;
}

enum adn_lb_verdict
adn_lb_process(struct adn_lb *lb, uint8_t *ip, size_t len, uint64_t now_ms,
	       uint32_t *backend_ip)
{
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	struct lb_backend *be;
	struct lb_flow *f;
	struct lb_vip *v = NULL;
	struct lb_key k;
	size_t ihl;
	uint8_t *l4;
	unsigned int b;

	if (len < sizeof(*h) || (ip[0] >> 4) != 4)
		return ADN_LB_MALFORMED;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < sizeof(*h) || ihl > len)
		return ADN_LB_MALFORMED;
	for (unsigned int i = 0; i < lb->n_vips; i++)
		if (lb->vips[i].ip == h->dst_addr) {
			v = &lb->vips[i];
			break;
		}
	if ((h->next_proto_id != LB_TCP && h->next_proto_id != LB_UDP) ||
	    (h->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return v != NULL ? ADN_LB_UNSUPPORTED : ADN_LB_MISS;
	if (len - ihl < adn_nat_l4_need(h->next_proto_id))
		return ADN_LB_MALFORMED;
	l4 = ip + ihl;
	k = (struct lb_key){ .src = h->src_addr, .dst = h->dst_addr,
		.proto = h->next_proto_id };
	memcpy(&k.sport, l4, 2);
	memcpy(&k.dport, l4 + 2, 2);
	/* The VIP by protocol and port too (port 0: every port). */
	v = NULL;
	for (unsigned int i = 0; i < lb->n_vips; i++)
		if (lb->vips[i].ip == k.dst && lb->vips[i].proto == k.proto &&
		    (lb->vips[i].port == k.dport || lb->vips[i].port == 0)) {
			v = &lb->vips[i];
			break;
		}
	if (v == NULL) {
		if (lb->mode != ADN_LB_DNAT)
			return ADN_LB_MISS;
		k.reply = 1;
		f = lb_lookup(lb, &k);
		if (f == NULL)
			return ADN_LB_MISS;
		__atomic_store_n(&f->last_ms, now_ms, __ATOMIC_RELAXED);
		/* The port the client sent to (an all-port VIP has 0). */
		adn_nat_rewrite(ip, l4, len - ihl, ADN_NAT_SRC,
				lb->vips[f->vip].ip, f->key[0].dport);
		return ADN_LB_REPLY;
	}
	__atomic_fetch_add(&v->packets, 1, __ATOMIC_RELAXED);
	f = lb_lookup(lb, &k);
	if (f != NULL) {
		b = f->be;
		__atomic_store_n(&f->last_ms, now_ms, __ATOMIC_RELAXED);
	} else {
		const uint32_t hash = lb_flow_hash(k.src, k.dst, k.sport,
						   k.dport, k.proto);

		b = lb_pick(lb, v, hash);
		if (b != ADN_MAGLEV_NONE) {
			rte_spinlock_lock(&lb->lock);
			b = lb_track(lb, &k, (unsigned int)(v - lb->vips), b,
				     hash, now_ms);
			rte_spinlock_unlock(&lb->lock);
		}
		if (b == ADN_MAGLEV_NONE) {
			__atomic_fetch_add(&v->no_backend, 1,
					   __ATOMIC_RELAXED);
			return ADN_LB_NO_BACKEND;
		}
		__atomic_fetch_add(&v->new_flows, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&v->be[b].new_flows, 1, __ATOMIC_RELAXED);
	}
	be = &v->be[b];
	__atomic_fetch_add(&be->packets, 1, __ATOMIC_RELAXED);
	*backend_ip = be->ip;
	if (lb->mode == ADN_LB_DNAT)
		adn_nat_rewrite(ip, l4, len - ihl, ADN_NAT_DST, be->ip,
				be->port ? be->port : k.dport);
	return ADN_LB_FORWARD;
}

/* Whether flow f is live and idle for `to` ms at now_ms; read without
 * the lock too (kind is stored atomically), so checked again under it. */
static bool
lb_idle(const struct lb_flow *f, uint64_t now_ms, uint32_t to)
{
	uint64_t last;

	if (__atomic_load_n(&f->kind, __ATOMIC_RELAXED) != LB_FLOW_LIVE)
		return false;
	last = __atomic_load_n(&f->last_ms, __ATOMIC_RELAXED);
	return now_ms >= last && now_ms - last >= to;
}

unsigned int
adn_lb_sweep(struct adn_lb *lb, uint64_t now_ms, uint32_t scan,
	     uint32_t *idx, unsigned int max)
{
	const uint32_t to = __atomic_load_n(&lb->timeout_ms, __ATOMIC_RELAXED);
	unsigned int cnt = 0, kept = 0;

	/* Look without the lock, which workers tracking flows take; the
	 * cursor is the control thread's alone. */
	for (uint32_t j = 0; j < scan && j < lb->n_slots && cnt < max; j++) {
		uint32_t i = lb->sweep_at;

		lb->sweep_at = i + 1 == lb->n_slots ? 0 : i + 1;
		if (lb_idle(&lb->flows[i], now_ms, to))
			idx[cnt++] = i;
	}
	if (cnt == 0)
		return 0;
	rte_spinlock_lock(&lb->lock);
	for (unsigned int j = 0; j < cnt; j++) {
		struct lb_flow *f = &lb->flows[idx[j]];

		if (!lb_idle(f, now_ms, to))
			continue;	/* used since we looked */
		lb_flow_unlink(lb, f);
		idx[kept++] = idx[j];
	}
	__atomic_store_n(&lb->expired, lb->expired + kept, __ATOMIC_RELAXED);
	rte_spinlock_unlock(&lb->lock);
	return kept;
}

void
adn_lb_release(struct adn_lb *lb, const uint32_t *idx, unsigned int cnt)
{
	rte_spinlock_lock(&lb->lock);
	for (unsigned int j = 0; j < cnt; j++) {
		struct lb_flow *f = &lb->flows[idx[j]];

		if (f->kind != LB_FLOW_SWEPT)
			continue;
		for (int o = 0; o < 2; o++)
			if (f->pos[o] >= 0)
				rte_hash_free_key_with_position(lb->h,
								f->pos[o]);
		__atomic_store_n(&f->kind, LB_FLOW_FREE, __ATOMIC_RELAXED);
		lb->free_idx[lb->n_free++] = idx[j];
	}
	rte_spinlock_unlock(&lb->lock);
}

void
adn_lb_stats(const struct adn_lb *lb, struct adn_lb_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->created = __atomic_load_n(&lb->created, __ATOMIC_RELAXED);
	st->expired = __atomic_load_n(&lb->expired, __ATOMIC_RELAXED);
	st->flows = st->created - st->expired;
	st->untracked = __atomic_load_n(&lb->untracked, __ATOMIC_RELAXED);
	st->slots = lb->n_slots - __atomic_load_n(&lb->n_free,
						  __ATOMIC_RELAXED);
}

void
adn_lb_vip_stats(const struct adn_lb *lb, int vip,
		 struct adn_lb_vip_stats *st)
{
	const struct lb_vip *v = &lb->vips[vip];

	st->proto = v->proto;
	st->ip = rte_be_to_cpu_32(v->ip);
	st->port = rte_be_to_cpu_16(v->port);
	st->packets = __atomic_load_n(&v->packets, __ATOMIC_RELAXED);
	st->new_flows = __atomic_load_n(&v->new_flows, __ATOMIC_RELAXED);
	st->no_backend = __atomic_load_n(&v->no_backend, __ATOMIC_RELAXED);
	st->n_backends = v->n_be;
}

void
adn_lb_be_stats(const struct adn_lb *lb, int vip, unsigned int be,
		struct adn_lb_be_stats *st)
{
	const struct lb_backend *b;

	memset(st, 0, sizeof(*st));
	if (be >= lb->vips[vip].n_be)
		return;
	b = &lb->vips[vip].be[be];
	st->ip = rte_be_to_cpu_32(b->ip);
	st->port = rte_be_to_cpu_16(b->port);
	st->weight = b->weight;
	st->state = (enum adn_lb_be_state)b->state;
	st->packets = __atomic_load_n(&b->packets, __ATOMIC_RELAXED);
	st->new_flows = __atomic_load_n(&b->new_flows, __ATOMIC_RELAXED);
	st->flows = __atomic_load_n(&b->flows, __ATOMIC_RELAXED);
}
