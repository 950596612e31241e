/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meters on rte_meter (adn_meter.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_meter.h>
#include <rte_spinlock.h>

#include "adn_meter.h"

struct meter_bucket {
	rte_spinlock_t lock;
	union {
		struct rte_meter_srtcm sr;
		struct rte_meter_trtcm tr;
	};
} __rte_cache_aligned;

struct adn_meter {
	enum adn_meter_kind kind;
	uint32_t mask;
	struct rte_meter_srtcm_profile sr;
	struct rte_meter_trtcm_profile tr;
	uint64_t pkts[3], bytes[3];	/* atomics */
	struct meter_bucket *b;		/* [mask + 1] */
};

int
adn_meter_create(const struct adn_meter_conf *c, struct adn_meter **out)
{
	struct adn_meter *m;
	int rc;

	*out = NULL;
	if (!rte_is_power_of_2(c->n_buckets))
		return -EINVAL;
	m = rte_zmalloc_socket("adn_meter", sizeof(*m), RTE_CACHE_LINE_SIZE,
			       c->socket);
	if (m == NULL)
		return -ENOMEM;
	m->kind = c->kind;
	m->mask = c->n_buckets - 1;
	if (c->kind == ADN_METER_SRTCM) {
		struct rte_meter_srtcm_params p = { .cir = c->cir,
			.cbs = c->cbs, .ebs = c->ebs };

		rc = rte_meter_srtcm_profile_config(&m->sr, &p);
	} else {
		struct rte_meter_trtcm_params p = { .cir = c->cir,
			.pir = c->pir, .cbs = c->cbs, .pbs = c->pbs };

		rc = rte_meter_trtcm_profile_config(&m->tr, &p);
	}
	if (rc != 0) {
		rte_free(m);
		return -EINVAL;
	}
	m->b = rte_zmalloc_socket("adn_meter_buckets",
				  sizeof(*m->b) * c->n_buckets,
				  RTE_CACHE_LINE_SIZE, c->socket);
	if (m->b == NULL) {
		rte_free(m);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->n_buckets; i++) {
		rte_spinlock_init(&m->b[i].lock);
		if (c->kind == ADN_METER_SRTCM)
			rte_meter_srtcm_config(&m->b[i].sr, &m->sr);
		else
			rte_meter_trtcm_config(&m->b[i].tr, &m->tr);
	}
	*out = m;
	return 0;
}

void
adn_meter_free(struct adn_meter *m)
{
	if (m == NULL)
		return;
	rte_free(m->b);
	rte_free(m);
}

uint32_t
adn_meter_mask(const struct adn_meter *m)
{
	return m->mask;
}

enum adn_meter_color
adn_meter_color(struct adn_meter *m, uint32_t b, uint32_t len, uint64_t tsc)
{
	struct meter_bucket *k = &m->b[b & m->mask];
	enum rte_color c;

	rte_spinlock_lock(&k->lock);
	if (m->kind == ADN_METER_SRTCM)
		c = rte_meter_srtcm_color_blind_check(&k->sr, &m->sr, tsc,
						      len);
	else
		c = rte_meter_trtcm_color_blind_check(&k->tr, &m->tr, tsc,
						      len);
	rte_spinlock_unlock(&k->lock);
	/* rte_color and adn_meter_color agree: green 0, yellow 1, red 2. */
	__atomic_fetch_add(&m->pkts[c], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->bytes[c], len, __ATOMIC_RELAXED);
	return (enum adn_meter_color)c;
}

void
adn_meter_counts(const struct adn_meter *m, uint64_t pkts[3],
		 uint64_t bytes[3])
{
	for (int c = 0; c < 3; c++) {
		pkts[c] = __atomic_load_n(&m->pkts[c], __ATOMIC_RELAXED);
		bytes[c] = __atomic_load_n(&m->bytes[c], __ATOMIC_RELAXED);
	}
}
