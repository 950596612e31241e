/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PrioSched — a priority scheduler and shaper before ToPort (the service
 * mesh paper's §4: the class a request got at ingress travels in the IP
 * DSCP, so this element needs no L7 state). Packets are put in a bounded
 * queue per class (per worker), and released at a token-bucket rate:
 * strict classes first (lowest index first), then the weighted classes
 * share what is left by deficit round robin. A queue element
 * (ADN_ELEM_QUEUE): every worker polls it each round, so queued packets
 * leave at the configured rate whether or not new input arrives.
 *
 * Keys:
 *   classes  (list of int arrays, required, 1-8 entries) entry i lists the
 *            DSCP values (0-63) of class i; class 0 is the highest.
 *            Unlisted DSCPs and non-IPv4 frames go to the last class.
 *   weights  (int array, default [0, 1, 1, ...]) one per class, 0-1000:
 *            0 makes the class strict; the others share by DRR in
 *            proportion to their weights (quantum = weight x 1514 bytes,
 *            or weight packets with `pps`)
 *   queue    (int, default 1024, 1-65536) packets per class per worker
 *   rate     (int bits/s, default 0, 0-4e11) output rate per worker;
 *            0: no shaping (release all, in priority order)
 *   pps      (int packets/s, default 0) a packet rate instead of `rate`
 *   burst    (int, default 3028, 1-2^32) bucket depth, bytes (packets
 *            with `pps`)
 * Outputs: 0 — released packets (to ToPort).
 * Drops: queue-full — the class's queue was full; flushed — still queued
 *   when the version retired (a plan swap or a reload: the queues are
 *   the version's, as a worker's tx queue is).
 * Extra counters per class c: cC-enqueued, cC-released, cC-dropped,
 *   cC-queued (now), and held (all queued packets now).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

#define PS_MAX_CLASSES 8
#define PS_MTU_QUANTUM 1514u

enum { PRIO_SCHED_OUT, PRIO_SCHED_N_OUT };

enum { PRIO_SCHED_DROP_FULL, PRIO_SCHED_DROP_FLUSHED };

static const char *const prio_sched_drops[] = {
	[PRIO_SCHED_DROP_FULL] = "queue-full",
	[PRIO_SCHED_DROP_FLUSHED] = "flushed",
	NULL,
};

/* A ring of mbuf pointers; written and read by its worker only. */
struct ps_queue {
	struct rte_mbuf **slot;		/* [cap] */
	uint32_t head, n;
	uint64_t deficit;		/* DRR, cost units */
	uint64_t enq, deq, dropped;
};

struct ps_worker {
	struct ps_queue q[PS_MAX_CLASSES];
	/* Token bucket in cost x tsc_hz units: exact integer arithmetic,
	 * no division on the data path (elapsed cycles x rate). */
	unsigned __int128 tokens;
	uint64_t last_tsc;
	unsigned int cur;		/* DRR: position in the weighted list */
	bool fresh;			/* cur has not had this turn's quantum */
	/* held by this worker now; read by held() on the control thread */
	uint64_t held;
} __rte_cache_aligned;

struct prio_sched {
	uint8_t class_of[64];		/* DSCP -> class */
	unsigned int n_classes;
	uint64_t quantum[PS_MAX_CLASSES];	/* 0: strict */
	uint8_t strict[PS_MAX_CLASSES], n_strict;
	uint8_t wrr[PS_MAX_CLASSES], n_wrr;
	uint32_t cap;
	bool pps;
	uint64_t rate;			/* cost units per second; 0: unshaped */
	unsigned __int128 burst;	/* cost x hz */
	uint64_t hz;
	unsigned int n_workers;
	struct ps_worker *w;		/* [n_workers] */
	struct rte_mbuf **slots;	/* every queue's slots */
};

static const struct adn_arg_spec prio_sched_args[] = {
	{ .name = "classes", .type = ADN_ARG_LIST, .required = true,
	  .help = "per class, an array of DSCP values (class 0 highest)" },
	{ .name = "weights", .type = ADN_ARG_LIST,
	  .help = "per class, 0 (strict) or a DRR weight 1-1000" },
	{ .name = "queue", .type = ADN_ARG_INT, .min = 1, .max = 65536,
	  .def_int = 1024, .help = "packets per class per worker" },
	{ .name = "rate", .type = ADN_ARG_INT, .min = 0,
	  .max = 400000000000ll, .def_int = 0,
	  .help = "bits/s per worker, 0: unshaped" },
	{ .name = "pps", .type = ADN_ARG_INT, .min = 0, .max = 1000000000,
	  .def_int = 0, .help = "packets/s per worker instead of rate" },
	{ .name = "burst", .type = ADN_ARG_INT, .min = 1, .max = 1ll << 32,
	  .def_int = 2 * PS_MTU_QUANTUM,
	  .help = "bucket depth, bytes (packets with pps)" },
	{ .name = NULL },
};

static int
prio_sched_classes(struct adn_elem *e, struct adn_build *b,
		   struct prio_sched *ps)
{
	const config_setting_t *cl = adn_elem_arg(e, "classes");
	bool seen[64] = { false };
	int n, rc = 0;

	if (cl == NULL)
		return -EINVAL;	/* reported by the core */
	n = config_setting_length(cl);
	if (n < 1 || n > PS_MAX_CLASSES)
		return adn_build_error(b, e, "classes",
				       "%d classes, want 1-%d", n,
				       PS_MAX_CLASSES);
	ps->n_classes = (unsigned int)n;
	memset(ps->class_of, n - 1, sizeof(ps->class_of));
	for (int c = 0; c < n; c++) {
		const config_setting_t *ent = config_setting_get_elem(cl, c);

		if (!config_setting_is_aggregate(ent)) {
			rc = adn_build_error_at(b, e, ent, "classes",
						"class %d: want an array of DSCP values, e.g. [46]",
						c);
			continue;
		}
		for (int k = 0; k < config_setting_length(ent); k++) {
			const config_setting_t *v =
				config_setting_get_elem(ent, k);
			int d = config_setting_get_int(v);

			if (config_setting_type(v) != CONFIG_TYPE_INT ||
			    d < 0 || d > 63) {
				rc = adn_build_error_at(b, e, v, "classes",
							"class %d: DSCP must be an int 0-63",
							c);
				continue;
			}
			if (seen[d])
				rc = adn_build_error_at(b, e, v, "classes",
							"DSCP %d is in two classes",
							d);
			seen[d] = true;
			ps->class_of[d] = (uint8_t)c;
		}
	}
	return rc;
}

static int
prio_sched_weights(struct adn_elem *e, struct adn_build *b,
		   struct prio_sched *ps)
{
	const config_setting_t *ws = adn_elem_arg(e, "weights");
	const uint64_t unit = ps->pps ? 1 : PS_MTU_QUANTUM;

	if (ws != NULL && config_setting_length(ws) != (int)ps->n_classes)
		return adn_build_error(b, e, "weights",
				       "%d weights for %u classes",
				       config_setting_length(ws),
				       ps->n_classes);
	for (unsigned int c = 0; c < ps->n_classes; c++) {
		/* Default: class 0 strict, the others share equally. */
		int w = c == 0 ? 0 : 1;

		if (ws != NULL) {
			const config_setting_t *v =
				config_setting_get_elem(ws, c);

			w = config_setting_get_int(v);
			if (config_setting_type(v) != CONFIG_TYPE_INT ||
			    w < 0 || w > 1000)
				return adn_build_error_at(b, e, v, "weights",
							  "weight of class %u: want an int 0 (strict) - 1000",
							  c);
		}
		ps->quantum[c] = (uint64_t)w * unit;
		if (w == 0)
			ps->strict[ps->n_strict++] = (uint8_t)c;
		else
			ps->wrr[ps->n_wrr++] = (uint8_t)c;
	}
	return 0;
}

static int
prio_sched_configure(struct adn_elem *e, struct adn_build *b)
{
	struct prio_sched *ps = adn_elem_priv(e);
	uint64_t bits = (uint64_t)adn_elem_arg_int(e, "rate");
	uint64_t pps = (uint64_t)adn_elem_arg_int(e, "pps");
	int rc;

	if (bits && pps)
		return adn_build_error(b, e, "pps",
				       "give `rate` (bits/s) or `pps`, not both");
	ps->pps = pps != 0;
	ps->rate = ps->pps ? pps : bits / 8;
	ps->hz = rte_get_tsc_hz();
	ps->burst = (unsigned __int128)adn_elem_arg_int(e, "burst") * ps->hz;
	ps->cap = (uint32_t)adn_elem_arg_int(e, "queue");
	rc = prio_sched_classes(e, b, ps);
	if (rc == 0)
		rc = prio_sched_weights(e, b, ps);
	if (rc < 0)
		return rc;
	ps->n_workers = adn_build_n_workers(b);
	ps->w = rte_zmalloc("prio_sched", sizeof(*ps->w) * ps->n_workers,
			    RTE_CACHE_LINE_SIZE);
	ps->slots = rte_zmalloc("prio_sched_q", sizeof(*ps->slots) *
				ps->cap * ps->n_classes * ps->n_workers,
				RTE_CACHE_LINE_SIZE);
	if (ps->w == NULL || ps->slots == NULL)
		return adn_build_error(b, e, "queue",
				       "cannot allocate %u x %u x %u queue slots",
				       ps->cap, ps->n_classes, ps->n_workers);
	for (unsigned int w = 0; w < ps->n_workers; w++) {
		ps->w[w].tokens = ps->burst;
		ps->w[w].last_tsc = rte_get_tsc_cycles();
		ps->w[w].fresh = true;
		for (unsigned int c = 0; c < ps->n_classes; c++)
			ps->w[w].q[c].slot = ps->slots +
				((size_t)w * ps->n_classes + c) * ps->cap;
	}
	return 0;
}

/* The class of a packet: its DSCP's, the last class for non-IPv4. */
static inline unsigned int
prio_sched_class(const struct prio_sched *ps, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);

	if (ip == NULL)
		return ps->n_classes - 1;
	return ps->class_of[ip->type_of_service >> 2];
}

static void
prio_sched_process(struct adn_elem *e, struct adn_batch *b)
{
	const struct prio_sched *ps = adn_elem_priv(e);
	struct ps_worker *w = &ps->w[adn_worker_index()];

	for (uint16_t i = 0; i < b->n; i++) {
		struct ps_queue *q = &w->q[prio_sched_class(ps, b->pkts[i])];

		if (q->n == ps->cap) {
			q->dropped++;
			b->out[i] = (int16_t)adn_drop(PRIO_SCHED_DROP_FULL);
			continue;
		}
		q->slot[(q->head + q->n++) % ps->cap] = b->pkts[i];
		q->enq++;
		w->held++;
		b->out[i] = ADN_HELD;
	}
}

static inline uint64_t
prio_sched_cost(const struct prio_sched *ps, const struct rte_mbuf *m)
{
	return ps->pps ? 1 : rte_pktmbuf_pkt_len(m);
}

/* The class whose head goes next, or -1 when all are empty: the first
 * non-empty strict class, else deficit round robin over the weighted
 * ones (a class gets its quantum when its turn comes and sends while its
 * head fits in its deficit; an empty class's deficit is reset). The
 * caller charges the deficit only when it sends, so a head held back by
 * the token bucket keeps its turn. */
static int
prio_sched_pick(const struct prio_sched *ps, struct ps_worker *w)
{
	bool any = false;

	for (unsigned int i = 0; i < ps->n_strict; i++)
		if (w->q[ps->strict[i]].n)
			return ps->strict[i];
	for (unsigned int i = 0; i < ps->n_wrr; i++)
		any |= w->q[ps->wrr[i]].n != 0;
	if (!any)
		return -1;
	for (;;) {
		struct ps_queue *q = &w->q[ps->wrr[w->cur]];

		if (q->n != 0) {
			if (w->fresh) {
				q->deficit += ps->quantum[ps->wrr[w->cur]];
				w->fresh = false;
			}
			if (prio_sched_cost(ps, q->slot[q->head]) <= q->deficit)
				return ps->wrr[w->cur];
		} else {
			q->deficit = 0;
		}
		w->cur = (w->cur + 1) % ps->n_wrr;
		w->fresh = true;
	}
}

static uint16_t
prio_sched_dequeue(struct adn_elem *e, struct rte_mbuf **pkts, int16_t *out,
		   uint16_t max)
{
	const struct prio_sched *ps = adn_elem_priv(e);
	struct ps_worker *w = &ps->w[adn_worker_index()];
	uint16_t n = 0;
	int c;

	if (w->held == 0)
		return 0;
	if (ps->rate) {
		const uint64_t now = rte_get_tsc_cycles();

		w->tokens += (unsigned __int128)(now - w->last_tsc) * ps->rate;
		if (w->tokens > ps->burst)
			w->tokens = ps->burst;
		w->last_tsc = now;
	}
	while (n < max && (c = prio_sched_pick(ps, w)) >= 0) {
		struct ps_queue *q = &w->q[c];
		struct rte_mbuf *m = q->slot[q->head];
		const uint64_t cost = prio_sched_cost(ps, m);

		if (ps->rate) {
			const unsigned __int128 need =
				(unsigned __int128)cost * ps->hz;

			if (w->tokens < need)
				break;
			w->tokens -= need;
		}
		if (ps->quantum[c])
			q->deficit -= cost;
		q->head = (q->head + 1) % ps->cap;
		q->n--;
		q->deq++;
		w->held--;
		pkts[n] = m;
		out[n++] = PRIO_SCHED_OUT;
	}
	/* Idle and empty: the bucket is full (capped above) when the next
	 * packet comes, as it would be after any idle time. */
	return n;
}

static uint64_t
prio_sched_held(const struct adn_elem *e)
{
	const struct prio_sched *ps = adn_elem_priv(e);
	uint64_t n = 0;

	for (unsigned int w = 0; ps->w != NULL && w < ps->n_workers; w++)
		n += __atomic_load_n(&ps->w[w].held, __ATOMIC_RELAXED);
	return n;
}

static void
prio_sched_flush(struct adn_elem *e)
{
	struct prio_sched *ps = adn_elem_priv(e);

	for (unsigned int w = 0; ps->w != NULL && w < ps->n_workers; w++) {
		struct ps_worker *pw = &ps->w[w];

		for (unsigned int c = 0; c < ps->n_classes; c++) {
			struct ps_queue *q = &pw->q[c];

			for (; q->n; q->n--, q->head = (q->head + 1) % ps->cap)
				rte_pktmbuf_free(q->slot[q->head]);
		}
		if (w < e->n_workers)
			e->stats[w].drop[PRIO_SCHED_DROP_FLUSHED] += pw->held;
		pw->held = 0;
	}
}

static void
prio_sched_destroy(struct adn_elem *e)
{
	struct prio_sched *ps = adn_elem_priv(e);

	prio_sched_flush(e);
	rte_free(ps->slots);
	rte_free(ps->w);
}

static unsigned int
prio_sched_xstats(const struct adn_elem *e, struct adn_xstat *out,
		  unsigned int max)
{
	static const char *const what[] = { "enqueued", "released",
					    "dropped", "queued" };
	const struct prio_sched *ps = adn_elem_priv(e);
	unsigned int n = 0;

	if (ps->w == NULL)
		return 0;
	for (unsigned int c = 0; c < ps->n_classes; c++) {
		uint64_t v[4] = { 0 };

		for (unsigned int w = 0; w < ps->n_workers; w++) {
			const struct ps_queue *q = &ps->w[w].q[c];

			v[0] += q->enq;
			v[1] += q->deq;
			v[2] += q->dropped;
			v[3] += q->n;
		}
		for (unsigned int k = 0; k < 4 && n < max; k++) {
			snprintf(out[n].name, sizeof(out[n].name), "c%u-%s", c,
				 what[k]);
			out[n++].value = v[k];
		}
	}
	if (n < max) {
		snprintf(out[n].name, sizeof(out[n].name), "held");
		out[n++].value = prio_sched_held(e);
	}
	return n;
}

static const struct adn_elem_desc prio_sched_desc = {
	.name = "PrioSched",
	.help = "per-class queues by DSCP, strict + DRR, token-bucket rate",
	.flags = ADN_ELEM_STATEFUL_PER_CORE | ADN_ELEM_QUEUE,
	.priv_size = sizeof(struct prio_sched),
	.n_outputs = PRIO_SCHED_N_OUT,
	.drop_reasons = prio_sched_drops,
	.args = prio_sched_args,
	.configure = prio_sched_configure,
	.destroy = prio_sched_destroy,
	.process = prio_sched_process,
	.dequeue = prio_sched_dequeue,
	.held = prio_sched_held,
	.flush = prio_sched_flush,
	.xstats = prio_sched_xstats,
};

ADN_ELEM_REGISTER(prio_sched_desc);
