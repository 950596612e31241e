/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT44 sessions on rte_hash (adn_nat_table.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_spinlock.h>

#include "adn_hash_bulk.h"
#include "adn_nat.h"
#include "adn_nat_table.h"

#define NAT_ICMP 1
#define NAT_TCP 6
#define NAT_UDP 17
#define ICMP_ECHO_REQUEST 8
#define TCP_FIN 0x01
#define TCP_RST 0x04

/* One endpoint of a session, network order: the hash key. */
struct nat_key {
	uint32_t ip;
	uint16_t port;
	uint8_t proto;
	uint8_t outside;	/* 0: inside endpoint, 1: public endpoint */
};

enum nat_kind {
	NAT_FREE,
	NAT_DYNAMIC,
	NAT_STATIC,
	NAT_SWEPT,	/* keys deleted, waiting for adn_nat_release */
};

/* Seen flags, OR-ed by workers. */
enum {
	NAT_SEEN_IN = 1u << 0,
	NAT_SEEN_OUT = 1u << 1,
	NAT_CLOSING = 1u << 2,	/* TCP FIN or RST seen */
};

/* Addresses and ports are fixed while the keys are in the hash; workers
 * write only last_ms and flags. */
struct nat_sess {
	uint64_t last_ms;
	uint32_t in_ip, ext_ip;		/* network order */
	uint16_t in_port, ext_port;	/* network order */
	uint8_t proto;
	uint8_t kind;			/* enum nat_kind, under the lock */
	uint8_t flags;
	int32_t pos[2];			/* key slots, between sweep and release */
};

struct adn_nat {
	rte_spinlock_t lock;		/* every hash write, pool, free list */
	struct rte_hash *h;
	struct adn_nat_pool pool;
	uint32_t max_sessions;
	uint32_t n_slots;		/* max_sessions + ADN_NAT_STATIC_MAX */
	struct nat_sess *sess;		/* [n_slots] */
	uint32_t *free_idx;		/* stack of free slots */
	uint32_t n_free;
	uint32_t n_dynamic;		/* slots of dynamic sessions, swept too */
	uint32_t sweep_at;
	uint32_t timeout_ms[ADN_NAT_N_TO];
	uint32_t n_static_ips;
	uint32_t static_ips[ADN_NAT_STATIC_MAX];	/* network order */
	uint64_t created, expired, statics;
};

int
adn_nat_create(const struct adn_nat_conf *c, struct adn_nat **out)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = { 0 };
	struct adn_nat *n;
	int rc;

	*out = NULL;
	if (c->name == NULL || c->max_sessions == 0 ||
	    c->max_sessions > UINT32_MAX / 2 - ADN_NAT_STATIC_MAX)
		return -EINVAL;
	n = rte_zmalloc_socket("adn_nat", sizeof(*n), RTE_CACHE_LINE_SIZE,
			       c->socket);
	if (n == NULL)
		return -ENOMEM;
	rte_spinlock_init(&n->lock);
	rc = adn_nat_pool_init(&n->pool, c->ip_base, c->n_ips, c->port_lo,
			       c->port_hi);
	if (rc < 0) {
		rte_free(n);
		return rc;
	}
	n->max_sessions = c->max_sessions;
	n->n_slots = c->max_sessions + ADN_NAT_STATIC_MAX;
	memcpy(n->timeout_ms, c->timeout_ms, sizeof(n->timeout_ms));
	n->sess = rte_zmalloc_socket("adn_nat_sess",
				     sizeof(*n->sess) * n->n_slots,
				     RTE_CACHE_LINE_SIZE, c->socket);
	n->free_idx = rte_malloc_socket("adn_nat_free",
					sizeof(uint32_t) * n->n_slots, 0,
					c->socket);
	snprintf(hname, sizeof(hname), "nat_%s", c->name);
	hp.name = hname;
	/* Two keys a session; twice that, so cuckoo moves rarely fail. */
	hp.entries = RTE_MAX(2u * 2u * n->n_slots, 64u);
	hp.key_len = sizeof(struct nat_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = c->socket;
	/* Lock-free lookups beside one writer (this file's lock); deleted
	 * keys' slots are freed by adn_nat_release (NO_FREE_ON_DEL is
	 * implied). */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	if (n->sess != NULL && n->free_idx != NULL)
		n->h = rte_hash_create(&hp);
	if (n->h == NULL) {
		adn_nat_free(n);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n->n_slots; i++)
		n->free_idx[i] = n->n_slots - 1 - i;
	n->n_free = n->n_slots;
	*out = n;
	return 0;
}

void
adn_nat_free(struct adn_nat *n)
{
	if (n == NULL)
		return;
	rte_hash_free(n->h);
	adn_nat_pool_fini(&n->pool);
	rte_free(n->sess);
	rte_free(n->free_idx);
	rte_free(n);
}

void
adn_nat_set_timeouts(struct adn_nat *n,
		     const uint32_t timeout_ms[ADN_NAT_N_TO])
{
	rte_spinlock_lock(&n->lock);
	memcpy(n->timeout_ms, timeout_ms, sizeof(n->timeout_ms));
	rte_spinlock_unlock(&n->lock);
}

uint32_t
adn_nat_slots(const struct adn_nat *n)
{
	return n->n_slots;
}

static inline struct nat_key
nat_key(uint32_t ip, uint16_t port, uint8_t proto, bool outside)
{
	struct nat_key k = {
		.ip = ip, .port = port, .proto = proto, .outside = outside,
	};

	return k;
}

static inline struct nat_key
sess_key(const struct nat_sess *s, bool outside)
{
	return outside ? nat_key(s->ext_ip, s->ext_port, s->proto, true) :
		nat_key(s->in_ip, s->in_port, s->proto, false);
}

/* Session of key k, or NULL; lock-free. */
static inline struct nat_sess *
nat_lookup(const struct adn_nat *n, const struct nat_key *k)
{
	void *data;

	if (rte_hash_lookup_data(n->h, k, &data) < 0)
		return NULL;
	return &n->sess[(uintptr_t)data];
}

/* Under the lock: publish the session in slot i by its two keys. The
 * session is complete before its first key is visible (the hash's add
 * orders its stores after ours). 0 or a negative errno, nothing added. */
static int
nat_publish(struct adn_nat *n, uint32_t i)
{
	struct nat_key kin = sess_key(&n->sess[i], false);
	struct nat_key kout = sess_key(&n->sess[i], true);
	int32_t pos;
	int rc;

	rc = rte_hash_add_key_data(n->h, &kin, (void *)(uintptr_t)i);
	if (rc < 0)
		return rc;
	rc = rte_hash_add_key_data(n->h, &kout, (void *)(uintptr_t)i);
	if (rc < 0) {
		/* Not expected: the hash has room for twice the keys of
		 * every slot. Undo at once rather than after a grace
		 * period: a lookup racing with this may translate one
		 * packet by a pair that goes back to the pool, but reads
		 * only valid slots (never a crash). */
		pos = rte_hash_del_key(n->h, &kin);
		if (pos >= 0)
			rte_hash_free_key_with_position(n->h, pos);
		return rc;
	}
	return 0;
}

/* Under the lock: the outbound session of inside endpoint k, made at
 * now_ms; NULL with *why on failure. */
static struct nat_sess *
nat_create(struct adn_nat *n, const struct nat_key *k, uint64_t now_ms,
	   enum adn_nat_verdict *why)
{
	struct nat_sess *s;
	uint32_t ip, i;
	uint16_t port;

	/* Another worker may have made it since our lookup. */
	s = nat_lookup(n, k);
	if (s != NULL)
		return s;
	if (n->n_dynamic >= n->max_sessions || n->n_free == 0) {
		*why = ADN_NAT_SESSION_CAP;
		return NULL;
	}
	if (adn_nat_pool_alloc(&n->pool, rte_be_to_cpu_16(k->port), &ip,
			       &port) < 0) {
		*why = ADN_NAT_POOL_EXHAUSTED;
		return NULL;
	}
	i = n->free_idx[n->n_free - 1];
	s = &n->sess[i];
	s->in_ip = k->ip;
	s->in_port = k->port;
	s->proto = k->proto;
	s->ext_ip = rte_cpu_to_be_32(ip);
	s->ext_port = rte_cpu_to_be_16(port);
	s->flags = 0;
	s->last_ms = now_ms;
	__atomic_store_n(&s->kind, NAT_DYNAMIC, __ATOMIC_RELAXED);
	if (nat_publish(n, i) < 0) {
		__atomic_store_n(&s->kind, NAT_FREE, __ATOMIC_RELAXED);
		adn_nat_pool_release(&n->pool, ip, port);
		*why = ADN_NAT_SESSION_CAP;	/* the hash is as full */
		return NULL;
	}
	n->n_free--;
	n->n_dynamic++;
	__atomic_store_n(&n->created, n->created + 1, __ATOMIC_RELAXED);
	return s;
}

int
adn_nat_static_add(struct adn_nat *n, uint8_t proto, uint32_t ext_ip,
		   uint16_t ext_port, uint32_t in_ip, uint16_t in_port)
{
	struct nat_key kin, kout;
	struct nat_sess *s;
	bool in_pool;
	uint32_t i;
	int rc = 0;

	if (proto != NAT_ICMP && proto != NAT_TCP && proto != NAT_UDP)
		return -EINVAL;
	kin = nat_key(rte_cpu_to_be_32(in_ip), rte_cpu_to_be_16(in_port),
		      proto, false);
	kout = nat_key(rte_cpu_to_be_32(ext_ip), rte_cpu_to_be_16(ext_port),
		       proto, true);
	rte_spinlock_lock(&n->lock);
	if (n->statics >= ADN_NAT_STATIC_MAX || n->n_free == 0) {
		rc = -ENOSPC;
		goto out;
	}
	if (nat_lookup(n, &kin) != NULL || nat_lookup(n, &kout) != NULL) {
		rc = -EEXIST;
		goto out;
	}
	in_pool = adn_nat_pool_take(&n->pool, ext_ip, ext_port) == 0;
	i = n->free_idx[n->n_free - 1];
	s = &n->sess[i];
	memset(s, 0, sizeof(*s));
	s->in_ip = kin.ip;
	s->in_port = kin.port;
	s->ext_ip = kout.ip;
	s->ext_port = kout.port;
	s->proto = proto;
	__atomic_store_n(&s->kind, NAT_STATIC, __ATOMIC_RELAXED);
	rc = nat_publish(n, i);
	if (rc < 0) {
		__atomic_store_n(&s->kind, NAT_FREE, __ATOMIC_RELAXED);
		if (in_pool)
			adn_nat_pool_release(&n->pool, ext_ip, ext_port);
		goto out;
	}
	n->n_free--;
	if (!adn_nat_pool_has_ip(&n->pool, ext_ip)) {
		uint32_t j;

		for (j = 0; j < n->n_static_ips; j++)
			if (n->static_ips[j] == kout.ip)
				break;
		if (j == n->n_static_ips)
			__atomic_store_n(&n->static_ips[n->n_static_ips++],
					 kout.ip, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&n->statics, n->statics + 1, __ATOMIC_RELAXED);
out:
	rte_spinlock_unlock(&n->lock);
	return rc;
}

/* Whether dst (network order) is a public address of the table. Static
 * mappings are added before any packet runs, so the list is read
 * without ordering. */
static inline bool
nat_is_public(const struct adn_nat *n, uint32_t dst)
{
	if (adn_nat_pool_has_ip(&n->pool, rte_be_to_cpu_32(dst)))
		return true;
	for (uint32_t j = 0; j < n->n_static_ips; j++)
		if (n->static_ips[j] == dst)
			return true;
	return false;
}

static inline void
nat_touch(struct nat_sess *s, uint64_t now_ms, uint8_t seen,
	  const uint8_t *l4)
{
	uint8_t f = seen;

	if (s->proto == NAT_TCP && (l4[13] & (TCP_FIN | TCP_RST)))
		f |= NAT_CLOSING;
	/* Relaxed: the sweep needs a recent time, not an ordered one. */
	__atomic_store_n(&s->last_ms, now_ms, __ATOMIC_RELAXED);
	if ((s->flags & f) != f)
		__atomic_fetch_or(&s->flags, f, __ATOMIC_RELAXED);
}

/* The session of a packet keyed by classify; the key is the packet's
 * first 8 bytes, laid out as struct nat_key. */
static inline const struct nat_key *
pkt_key(const struct adn_nat_pkt *p)
{
	RTE_BUILD_BUG_ON(sizeof(struct nat_key) != 8 ||
			 offsetof(struct adn_nat_pkt, sess) != 8);
	return (const struct nat_key *)(const void *)p;
}

bool
adn_nat_classify(const struct adn_nat *n, const uint8_t *ip, size_t len,
		 struct adn_nat_pkt *p)
{
	const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)ip;
	const uint8_t *l4;
	uint16_t sport, dport;
	size_t ihl, need;

	p->sess = -1;
	p->decided = 1;
	p->verdict = ADN_NAT_MALFORMED;
	if (len < sizeof(*h) || (ip[0] >> 4) != 4)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < sizeof(*h) || ihl > len)
		return false;
	p->verdict = ADN_NAT_UNSUPPORTED;
	/* A fragment: a later one carries no port to translate by. */
	if (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
						  RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	need = adn_nat_l4_need(h->next_proto_id);
	if (need == 0)
		return false;
	p->verdict = ADN_NAT_MALFORMED;
	if (len - ihl < need)
		return false;
	l4 = ip + ihl;
	if (h->next_proto_id == NAT_ICMP) {
		p->verdict = ADN_NAT_UNSUPPORTED;
		if (l4[0] != ICMP_ECHO_REQUEST && l4[0] != 0)
			return false;
		memcpy(&sport, l4 + 4, 2);	/* the identifier, both ways */
		dport = sport;
	} else {
		memcpy(&sport, l4, 2);
		memcpy(&dport, l4 + 2, 2);
	}
	p->proto = h->next_proto_id;
	p->outside = nat_is_public(n, h->dst_addr);
	p->ip = p->outside ? h->dst_addr : h->src_addr;
	p->port = p->outside ? dport : sport;
	p->decided = 0;
	return true;
}

void
adn_nat_lookup_bulk(const struct adn_nat *n, struct adn_nat_pkt *const *p,
		    unsigned int cnt)
{
	const void *keys[ADN_NF_BULK_MAX];
	int32_t *slot[ADN_NF_BULK_MAX];

	for (unsigned int i = 0; i < cnt; i++) {
		keys[i] = p[i]->decided ? NULL : pkt_key(p[i]);
		slot[i] = &p[i]->sess;
	}
	adn_hash_lookup_slots(n->h, keys, slot, cnt);
	for (unsigned int i = 0; i < cnt; i++)
		if (p[i]->sess >= 0)
			rte_prefetch0(&n->sess[p[i]->sess]);
}

enum adn_nat_verdict
adn_nat_apply(struct adn_nat *n, uint8_t *ip, size_t len, uint64_t now_ms,
	      const struct adn_nat_pkt *p)
{
	enum adn_nat_verdict why = ADN_NAT_MALFORMED;
	size_t ihl = (size_t)(ip[0] & 0xf) * 4;
	uint8_t *l4 = ip + ihl;
	struct nat_sess *s;

	if (p->decided)
		return p->verdict;
	/* A miss is looked up again: an earlier packet of the same bulk (or
	 * another worker) may have made the session since, and a verdict
	 * must not depend on how packets were grouped. */
	s = p->sess >= 0 ? &n->sess[p->sess] : nat_lookup(n, pkt_key(p));
	if (p->outside) {
		if (s == NULL)
			return ADN_NAT_NO_SESSION;
		adn_nat_rewrite(ip, l4, len - ihl, ADN_NAT_DST, s->in_ip,
				s->in_port);
		nat_touch(s, now_ms, NAT_SEEN_OUT, l4);
		return ADN_NAT_OUT2IN;
	}
	if (s == NULL) {
		/* An echo reply from inside answers nothing we mapped. */
		if (p->proto == NAT_ICMP && l4[0] != ICMP_ECHO_REQUEST)
			return ADN_NAT_NO_SESSION;
		rte_spinlock_lock(&n->lock);
		s = nat_create(n, pkt_key(p), now_ms, &why);
		rte_spinlock_unlock(&n->lock);
		if (s == NULL)
			return why;
	}
	adn_nat_rewrite(ip, l4, len - ihl, ADN_NAT_SRC, s->ext_ip, s->ext_port);
	nat_touch(s, now_ms, NAT_SEEN_IN, l4);
	return ADN_NAT_IN2OUT;
}

enum adn_nat_verdict
adn_nat_process(struct adn_nat *n, uint8_t *ip, size_t len, uint64_t now_ms)
{
	struct adn_nat_pkt p;

	adn_nat_classify(n, ip, len, &p);
	return adn_nat_apply(n, ip, len, now_ms, &p);
}

static uint32_t
nat_timeout(const struct adn_nat *n, const struct nat_sess *s)
{
	uint8_t f = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);

	switch (s->proto) {
	case NAT_UDP:
		return n->timeout_ms[ADN_NAT_TO_UDP];
	case NAT_ICMP:
		return n->timeout_ms[ADN_NAT_TO_ICMP];
	default:
		return (f & (NAT_SEEN_IN | NAT_SEEN_OUT | NAT_CLOSING)) ==
			(NAT_SEEN_IN | NAT_SEEN_OUT) ?
			n->timeout_ms[ADN_NAT_TO_TCP_EST] :
			n->timeout_ms[ADN_NAT_TO_TCP_TRANS];
	}
}

/* Whether session s is dynamic and idle for its timeout at now_ms. Read
 * without the lock too (kind is stored atomically), so the sweep checks
 * again under it. */
static bool
nat_idle(const struct adn_nat *n, const struct nat_sess *s, uint64_t now_ms)
{
	uint64_t last;

	if (__atomic_load_n(&s->kind, __ATOMIC_RELAXED) != NAT_DYNAMIC)
		return false;
	last = __atomic_load_n(&s->last_ms, __ATOMIC_RELAXED);
	return now_ms >= last && now_ms - last >= nat_timeout(n, s);
}

unsigned int
adn_nat_sweep(struct adn_nat *n, uint64_t now_ms, uint32_t scan,
	      uint32_t *idx, unsigned int max)
{
	unsigned int cnt = 0, kept = 0;

	/* Look without the lock, which workers making sessions take; the
	 * cursor is the control thread's alone. */
	for (uint32_t j = 0; j < scan && j < n->n_slots && cnt < max; j++) {
		uint32_t i = n->sweep_at;

		n->sweep_at = i + 1 == n->n_slots ? 0 : i + 1;
		if (nat_idle(n, &n->sess[i], now_ms))
			idx[cnt++] = i;
	}
	if (cnt == 0)
		return 0;
	rte_spinlock_lock(&n->lock);
	for (unsigned int j = 0; j < cnt; j++) {
		struct nat_sess *s = &n->sess[idx[j]];

		if (!nat_idle(n, s, now_ms))
			continue;	/* used since we looked */
		for (int o = 0; o < 2; o++) {
			struct nat_key k = sess_key(s, o);

			s->pos[o] = rte_hash_del_key(n->h, &k);
		}
		__atomic_store_n(&s->kind, NAT_SWEPT, __ATOMIC_RELAXED);
		idx[kept++] = idx[j];
	}
	__atomic_store_n(&n->expired, n->expired + kept, __ATOMIC_RELAXED);
	rte_spinlock_unlock(&n->lock);
	return kept;
}

void
adn_nat_release(struct adn_nat *n, const uint32_t *idx, unsigned int cnt)
{
	rte_spinlock_lock(&n->lock);
	for (unsigned int j = 0; j < cnt; j++) {
		struct nat_sess *s = &n->sess[idx[j]];

		if (s->kind != NAT_SWEPT)
			continue;
		for (int o = 0; o < 2; o++)
			if (s->pos[o] >= 0)
				rte_hash_free_key_with_position(n->h,
								s->pos[o]);
		adn_nat_pool_release(&n->pool, rte_be_to_cpu_32(s->ext_ip),
				     rte_be_to_cpu_16(s->ext_port));
		__atomic_store_n(&s->kind, NAT_FREE, __ATOMIC_RELAXED);
		n->free_idx[n->n_free++] = idx[j];
		n->n_dynamic--;
	}
	rte_spinlock_unlock(&n->lock);
}

void
adn_nat_stats(const struct adn_nat *n, struct adn_nat_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->created = __atomic_load_n(&n->created, __ATOMIC_RELAXED);
	st->expired = __atomic_load_n(&n->expired, __ATOMIC_RELAXED);
	st->active = st->created - st->expired;
	st->slots = __atomic_load_n(&n->n_dynamic, __ATOMIC_RELAXED);
	st->statics = __atomic_load_n(&n->statics, __ATOMIC_RELAXED);
	st->pool_used = __atomic_load_n(&n->pool.used, __ATOMIC_RELAXED);
	st->pool_size = n->pool.size;
}
