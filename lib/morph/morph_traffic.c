/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "adn_hash.h"
#include "adn_pkt.h"
#include "adn_rand.h"
#include "morph_traffic.h"

static inline uint64_t
key_hash(const struct adn_flow_key *k)
{
	return adn_mix64(((uint64_t)k->src_ip << 32 | k->dst_ip) ^
			 adn_mix64((uint64_t)k->src_port << 24 |
				   (uint64_t)k->dst_port << 8 | k->proto));
}

bool
morph_flow_hash(const uint8_t *frame, uint32_t len, uint64_t *h)
{
	struct adn_flow_key k;
	uint16_t l2;

	if (adn_frame_flow_key(frame, len, &k, &l2) < 0)
		return false;
	*h = key_hash(&k);
	return true;
}

/* --- workers ----------------------------------------------------------- */

static void
epoch_step(struct morph_worker *w, struct rte_mbuf *const *pkts, uint16_t n)
{
	uint16_t take;

	if (w->epoch_left == 0) {
		adn_hll_reset(&w->hll);
		w->epoch_left = w->epoch_len;
		__atomic_store_n(&w->epoch_req, 0, __ATOMIC_RELAXED);
	}
	take = (uint16_t)RTE_MIN((uint32_t)n, w->epoch_left);
	for (uint16_t i = 0; i < take; i++) {
		uint64_t h;

		if (morph_flow_hash(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				    rte_pktmbuf_data_len(pkts[i]), &h))
			adn_hll_add(&w->hll, h);
	}
	w->epoch_left -= take;
	if (w->epoch_left == 0)
		__atomic_fetch_add(&w->epoch_done, 1, __ATOMIC_RELEASE);
}

static void
sample_burst(struct morph_worker *w, unsigned int worker,
	     const struct adn_elem *src, struct rte_mbuf *const *pkts,
	     uint16_t n)
{
	struct morph_sample s[ADN_BATCH_MAX];
	unsigned int sent;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		s[i].src = src->index;
		s[i].len = (uint16_t)RTE_MIN(m->pkt_len, (uint32_t)UINT16_MAX);
		s[i].cap = (uint16_t)RTE_MIN((unsigned int)m->data_len,
					     (unsigned int)MORPH_SNAP);
		s[i].worker = (uint16_t)worker;
		memcpy(s[i].data, rte_pktmbuf_mtod(m, const uint8_t *),
		       s[i].cap);
	}
	sent = rte_ring_enqueue_burst_elem(w->ring, s, sizeof(s[0]), n, NULL);
	w->sampled += sent;
	w->lost += n - sent;
}

static void
tap_rx(void *arg, unsigned int worker, const struct adn_elem *src,
       struct rte_mbuf *const *pkts, uint16_t n)
{
	struct morph_traffic *t = arg;
	struct morph_worker *w = &t->w[worker];

	if (unlikely(w->epoch_left != 0 ||
		     __atomic_load_n(&w->epoch_req, __ATOMIC_RELAXED)))
		epoch_step(w, pkts, n);
	if (unlikely(--w->countdown == 0)) {
		w->countdown = w->every;
		sample_burst(w, worker, src, pkts, n);
	}
}

/* --- control lcore ----------------------------------------------------- */

int
morph_traffic_init(struct morph_traffic *t, unsigned int n_workers,
		   uint32_t sample_every, uint32_t window,
		   unsigned int win_cap, uint64_t seed)
{
	struct adn_cms_conf cc = {
		.depth = 4, .width = 2048, .topn = MORPH_TOPK,
		.seed = (uint32_t)seed,
	};

	memset(t, 0, sizeof(*t));
	t->obs.rx = tap_rx;
	t->obs.arg = t;
	t->n_workers = n_workers;
	t->cap = win_cap;
	t->w = rte_zmalloc("morph_workers", sizeof(*t->w) * n_workers,
			   RTE_CACHE_LINE_SIZE);
	t->win = malloc(sizeof(*t->win) * win_cap);
	if (t->w == NULL || t->win == NULL)
		goto nomem;
	for (unsigned int i = 0; i < n_workers; i++) {
		struct morph_worker *w = &t->w[i];
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "morph_%p_%u", (void *)t, i);
		w->ring = rte_ring_create_elem(name, sizeof(struct morph_sample),
					       MORPH_RING, SOCKET_ID_ANY,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->every = w->countdown = sample_every;
		w->epoch_len = window;
		adn_hll_init(&w->hll, MORPH_HLL_P);
		if (w->ring == NULL || adn_cms_create(&cc, &w->cms, NULL) < 0)
			goto nomem;
		/* The first epoch starts with the first burst. */
		w->epoch_req = 1;
		w->asked = 1;
	}
	return 0;
nomem:
	morph_traffic_free(t);
	return -ENOMEM;
}

void
morph_traffic_free(struct morph_traffic *t)
{
	for (unsigned int i = 0; t->w && i < t->n_workers; i++) {
		rte_ring_free(t->w[i].ring);
		adn_cms_free(t->w[i].cms);
	}
	rte_free(t->w);
	free(t->win);
	memset(t, 0, sizeof(*t));
}

static void
window_put(struct morph_traffic *t, const struct morph_sample *s)
{
	if (t->n < t->cap) {
		t->win[t->n++] = *s;
		return;
	}
	t->win[t->head] = *s;
	t->head = (t->head + 1) % t->cap;
}

void
morph_traffic_poll(struct morph_traffic *t)
{
	struct morph_sample s[64];

	for (unsigned int i = 0; i < t->n_workers; i++) {
		struct morph_worker *w = &t->w[i];
		unsigned int n;
		uint32_t done;

		while ((n = rte_ring_dequeue_burst_elem(w->ring, s,
							sizeof(s[0]),
							RTE_DIM(s), NULL))) {
			for (unsigned int k = 0; k < n; k++) {
				struct adn_flow_key key;
				uint16_t l2;

				window_put(t, &s[k]);
				if (adn_frame_flow_key(s[k].data, s[k].cap,
						       &key, &l2) == 0)
					adn_cms_update_track(w->cms, &key,
							     sizeof(key), 1);
			}
			t->samples += n;
		}
		done = __atomic_load_n(&w->epoch_done, __ATOMIC_ACQUIRE);
		if (done != w->seen_done) {
			w->seen_done = done;
			w->distinct = adn_hll_estimate(&w->hll);
		}
	}
}

bool
morph_traffic_ready(const struct morph_traffic *t)
{
	for (unsigned int i = 0; i < t->n_workers; i++)
		if (t->w[i].seen_done > 0)
			return true;
	return false;
}

void
morph_traffic_report(struct morph_traffic *t, struct morph_traffic_stats *st)
{
	struct adn_cms_hitter h[MORPH_TOPK];
	struct {
		uint8_t key[ADN_CMS_KEY_MAX];
		uint8_t len;
		uint64_t est;
	} merged[MORPH_TOPK * 8];
	unsigned int n_merged = 0, n_dist = 0;
	uint64_t total = 0, top = 0;

	memset(st, 0, sizeof(*st));
	for (unsigned int i = 0; i < t->n_workers; i++) {
		struct morph_worker *w = &t->w[i];
		int n;

		total += adn_cms_total(w->cms);
		st->lost += w->lost;
		/* The next distinct-flow epoch, once the last one is in: the
		 * workers hash `window` packets per report, not every one. */
		if (w->seen_done == w->asked) {
			w->asked++;
			__atomic_store_n(&w->epoch_req, 1, __ATOMIC_RELAXED);
		}
		if (w->seen_done > 0) {
			st->distinct += w->distinct;
			n_dist++;
		}
		n = adn_cms_report(w->cms, h, MORPH_TOPK, true);
		/* A flow seen by two workers (no symmetric RSS) counts
		 * once, with both workers' packets. */
		for (int k = 0; k < n; k++) {
			unsigned int j;

			for (j = 0; j < n_merged; j++)
				if (merged[j].len == h[k].key_len &&
				    memcmp(merged[j].key, h[k].key,
					   h[k].key_len) == 0)
					break;
			if (j == n_merged) {
				if (n_merged == RTE_DIM(merged))
					continue;
				memcpy(merged[j].key, h[k].key, h[k].key_len);
				merged[j].len = h[k].key_len;
				merged[j].est = 0;
				n_merged++;
			}
			merged[j].est += h[k].estimate;
		}
	}
	/* The MORPH_TOPK heaviest of the merged candidates. */
	for (unsigned int k = 0; k < MORPH_TOPK && k < n_merged; k++) {
		unsigned int best = k;

		for (unsigned int j = k + 1; j < n_merged; j++)
			if (merged[j].est > merged[best].est)
				best = j;
		top += merged[best].est;
		merged[best] = merged[k];
	}
	st->samples = total;
	st->topk_share = total ? RTE_MIN(1.0, (double)top / total) : 0;
	st->distinct = n_dist ? st->distinct / n_dist : 0;
}

void
morph_traffic_window(const struct morph_traffic *t, struct morph_sample *out)
{
	unsigned int first = t->n < t->cap ? 0 : t->head;

	for (unsigned int i = 0; i < t->n; i++)
		out[i] = t->win[(first + i) % t->cap];
}

/* --- upsampling -------------------------------------------------------- */

struct flow_slot {
	uint64_t h;		/* 0: empty */
	uint32_t count;
};

static struct flow_slot *
slot_of(struct flow_slot *tab, uint32_t mask, uint64_t h)
{
	uint32_t i = (uint32_t)h & mask;

	h |= 1;		/* 0 marks empty slots */
	while (tab[i].h != 0 && tab[i].h != h)
		i = (i + 1) & mask;
	tab[i].h = h;
	return &tab[i];
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), on the checksum at `c`. */
static void
csum_update(uint8_t *c, uint16_t old, uint16_t new_)
{
	uint32_t sum = (uint16_t)~get16(c) + (uint16_t)~old + new_;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	c[0] = (uint8_t)(sum >> 8);
	c[1] = (uint8_t)sum;
}

static void
put16(uint8_t *p, uint16_t v, uint8_t *csum, uint8_t *csum2)
{
	uint16_t old = get16(p);

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	if (csum != NULL)
		csum_update(csum, old, v);
	if (csum2 != NULL)
		csum_update(csum2, old, v);
}

/* Variant `v` (> 0) of the flow of sample `s`: a new key, the branches
 * the original takes (destination, protocol, lengths) kept. */
static void
make_variant(struct morph_sample *s, uint64_t v)
{
	const uint64_t h = adn_mix64(v);
	struct adn_flow_key k;
	uint16_t l2, l3;
	uint8_t *ip, *l4, *ip_csum, *l4_csum = NULL;

	if (adn_frame_flow_key(s->data, s->cap, &k, &l2) < 0)
		return;
	ip = s->data + l2;
	l3 = (uint16_t)((ip[0] & 0xf) * 4);
	ip_csum = ip + 10;
	if (k.src_port != 0 && s->cap >= l2 + l3 + 18u) {
		l4 = ip + l3;
		if (k.proto == IPPROTO_TCP)
			l4_csum = l4 + 16;
		else if (get16(l4 + 6) != 0)	/* UDP without checksum: 0 */
			l4_csum = l4 + 6;
		/* The source address is in the TCP/UDP pseudo-header. */
		put16(ip + 14, get16(ip + 14) ^ (uint16_t)(h >> 16), ip_csum,
		      l4_csum);
		put16(l4, get16(l4) ^ (uint16_t)(h | 1), l4_csum, NULL);
	} else {
		put16(ip + 14, get16(ip + 14) ^ (uint16_t)((h >> 16) | 1),
		      ip_csum, NULL);
	}
}

/* Draws from a pool of m flows that leave about `want` distinct ones
 * after k draws: m (1 - (1 - 1/m)^k) = want, solved by bisection. */
static double
pool_for(double want, double k)
{
	double lo = want, hi = 1e12;

	if (want >= k)
		return INFINITY;
	for (int i = 0; i < 100; i++) {
		double m = (lo + hi) / 2;

		if (m * -expm1(k * log1p(-1 / m)) < want)
			lo = m;
		else
			hi = m;
	}
	return lo;
}

/* The flows of samples s[0..n) in a table of *size slots, with of[i]
 * the slot of sample i (NULL: none wanted); frames other than IPv4 count
 * as flows of their own. NULL when out of memory. */
static struct flow_slot *
flows_of(const struct morph_sample *s, unsigned int n, uint32_t *size,
	 struct flow_slot **of)
{
	struct flow_slot *tab;

	for (*size = 1; *size < 2 * n; *size <<= 1)
		;
	tab = calloc(*size, sizeof(*tab));
	for (unsigned int i = 0; tab != NULL && i < n; i++) {
		struct flow_slot *f;
		uint64_t h;

		if (!morph_flow_hash(s[i].data, s[i].cap, &h))
			h = adn_mix64(i) | 1;
		f = slot_of(tab, *size - 1, h);
		f->count++;
		if (of != NULL)
			of[i] = f;
	}
	return tab;
}

static int
cmp_count_desc(const void *a, const void *b)
{
	uint32_t x = ((const struct flow_slot *)a)->count;
	uint32_t y = ((const struct flow_slot *)b)->count;

	return x > y ? -1 : x < y;
}

double
morph_top1_share(const struct morph_sample *s, unsigned int n)
{
	uint32_t size, k = 0;
	struct flow_slot *tab = flows_of(s, n, &size, NULL);
	uint64_t top = 0;

	if (tab == NULL || n == 0) {
		free(tab);
		return NAN;
	}
	for (uint32_t i = 0; i < size; i++)
		if (tab[i].h != 0)
			tab[k++] = tab[i];
	qsort(tab, k, sizeof(*tab), cmp_count_desc);
	for (uint32_t i = 0; i < (k + 99) / 100; i++)
		top += tab[i].count;
	free(tab);
	return (double)top / n;
}

int
morph_upsample(const struct morph_sample *s, unsigned int n, double distinct,
	       unsigned int len, uint64_t seed, struct morph_sample *out)
{
	uint32_t size;
	struct flow_slot *tab = NULL, **of;
	unsigned int repeat = 0, single = 0, *singles;
	uint64_t fresh = 0;
	double pool, want;
	struct adn_rand r;

	if (n == 0)
		return -EINVAL;
	of = calloc(n, sizeof(*of));
	singles = calloc(n, sizeof(*singles));
	if (of != NULL)
		tab = flows_of(s, n, &size, of);
	if (tab == NULL || singles == NULL) {
		free(tab);
		free(of);
		free(singles);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (of[i]->count == 1)
			singles[single++] = i;
		else if (of[i]->count != UINT32_MAX) {
			of[i]->count = UINT32_MAX;	/* counted once */
			repeat++;
		}
	}
	/* Singles drawn: len * single / n; they must add what the repeated
	 * flows leave of the target. */
	want = RTE_MAX(distinct - repeat, 1.0);
	pool = pool_for(want, (double)len * single / n);
	adn_rand_seed(&r, seed);
	for (unsigned int i = 0; i < len; i++) {
		unsigned int j = (unsigned int)adn_rand_below(&r, n);
		uint64_t id;

		out[i] = s[j];
		if (of[j]->count != 1)
			continue;
		/* A single: flow `id` of the pool; its base is one single
		 * sample, so a flow always takes the same branches. */
		id = isinf(pool) ? fresh++ :
			adn_rand_below(&r, (uint64_t)pool);
		out[i] = s[singles[id % single]];
		if (id >= single)
			make_variant(&out[i], id / single);
	}
	free(tab);
	free(of);
	free(singles);
	return 0;
}
