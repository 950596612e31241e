/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Morph sees of the traffic (NFMorph §3.2, ARCHITECTURE §6).
 *
 * Workers (the observer, lib/core adn_observer): one burst in `sample`
 * has the first MORPH_SNAP bytes of each frame copied into the worker's
 * rte_ring (never blocking: a full ring drops the samples, counted); and
 * when the control lcore asks (once per report, every 0.5 s), the next
 * `window` packets of the worker all go through a HyperLogLog of their
 * flow keys: distinct flows per
 * `window` consecutive packets, the number a replay of `window` packets
 * must have for caches to behave as they do live. Nothing else touches
 * the per-packet path.
 *
 * Control lcore: the samples feed a per-worker count-min sketch with a
 * top-K tracker (lib/util adn_cms) and a window of the latest samples;
 * reports merge the workers' sketches. The upsampler turns the window
 * into a replay trace with the live distinct-flow count.
 */
#ifndef _MORPH_TRAFFIC_H_
#define _MORPH_TRAFFIC_H_

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "adn_cms.h"
#include "adn_hll.h"
#include "adn_runtime.h"

#define MORPH_SNAP 128		/* bytes kept of a sampled frame */
#define MORPH_RING 8192		/* samples a worker's ring holds */
#define MORPH_TOPK 32		/* heavy hitters tracked per worker */
#define MORPH_HLL_P 12

struct morph_sample {
	uint16_t src;		/* topological index of the source element */
	uint16_t len;		/* frame length */
	uint16_t cap;		/* bytes in data */
	uint16_t worker;
	uint8_t data[MORPH_SNAP];
};

/* One worker's side. The worker writes all of it but `epoch_req`; the
 * control lcore reads `hll` only after `epoch_done` moved and before it
 * asks for the next epoch. */
struct morph_worker {
	struct rte_ring *ring;
	uint32_t every, countdown;
	uint64_t sampled, lost;
	uint32_t epoch_len, epoch_left;
	uint32_t epoch_req;		/* control: 1 = start an epoch */
	uint32_t epoch_done;		/* epochs completed */
	struct adn_hll hll;
	/* Control lcore only. */
	struct adn_cms *cms;
	uint32_t seen_done, asked;	/* epochs seen done, asked for */
	double distinct;		/* the last epoch's estimate */
} __rte_cache_aligned;

struct morph_traffic {
	struct adn_observer obs;
	unsigned int n_workers;
	struct morph_worker *w;		/* [n_workers] */
	/* The window: the latest `cap` samples, oldest at `head` once
	 * full. */
	unsigned int cap, n, head;
	struct morph_sample *win;
	uint64_t samples;		/* drained, ever */
};

/* What a report says of the traffic. */
struct morph_traffic_stats {
	double distinct;	/* flows per `window` packets (mean over workers) */
	double topk_share;	/* of the sampled packets, the MORPH_TOPK
				 * heaviest flows' share */
	uint64_t samples;	/* since the last report */
	uint64_t lost;		/* samples dropped on full rings, ever */
};

int morph_traffic_init(struct morph_traffic *t, unsigned int n_workers,
		       uint32_t sample_every, uint32_t window,
		       unsigned int win_cap, uint64_t seed);
void morph_traffic_free(struct morph_traffic *t);

/* Control lcore: drain the rings into the window and the sketches, and
 * collect finished distinct-flow epochs, starting the next ones. */
void morph_traffic_poll(struct morph_traffic *t);
/* Report since the last report (the sketches restart). */
void morph_traffic_report(struct morph_traffic *t,
			  struct morph_traffic_stats *st);
/* A distinct-flow estimate exists for some worker. */
bool morph_traffic_ready(const struct morph_traffic *t);

/*
 * Upsample samples s[0..n) into a replay trace out[0..len) with about
 * `distinct` distinct flows (NFMorph §3.2): packets are drawn from the
 * samples at random, so each flow's share and each branch's share are
 * kept in expectation; flows seen more than once keep their key; flows
 * seen once stand for the traffic too thin to repeat in a sample and are
 * spread over as many new flows (the source port and the low half of
 * the source address changed, checksums updated by RFC 1624) as it
 * takes to reach `distinct`. Returns 0 or -ENOMEM (or -EINVAL, n == 0).
 */
int morph_upsample(const struct morph_sample *s, unsigned int n,
		   double distinct, unsigned int len, uint64_t seed,
		   struct morph_sample *out);

/* The share of samples s[0..n) that the top 1% of their flows carry
 * (by sampled count): heavy-tailed traffic ~0.05, skewed ~0.9. NAN when
 * empty or out of memory. */
double morph_top1_share(const struct morph_sample *s, unsigned int n);

/* The window's samples in arrival order into out[0..t->n). */
void morph_traffic_window(const struct morph_traffic *t,
			  struct morph_sample *out);

/* 64-bit hash of a frame's flow key; false when not IPv4. */
bool morph_flow_hash(const uint8_t *frame, uint32_t len, uint64_t *h);

#endif /* _MORPH_TRAFFIC_H_ */
