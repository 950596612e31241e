/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "adn_fastpath.h"

/* Sketch width per cache entry: enough that the estimates of flows near
 * the admission threshold are not swamped by collisions. */
#define ADN_FASTPATH_CMS_PER_ENTRY 4

struct adn_fastpath *
adn_fastpath_create(uint32_t entries)
{
	struct adn_fastpath *fp;
	struct adn_cms_conf c = { .depth = 2 };

	if (entries < ADN_FASTPATH_WAYS || !rte_is_power_of_2(entries))
		return NULL;
	fp = rte_zmalloc("adn_fastpath", sizeof(*fp), RTE_CACHE_LINE_SIZE);
	if (fp == NULL)
		return NULL;
	fp->entries = entries;
	fp->set_mask = entries / ADN_FASTPATH_WAYS - 1;
	fp->epoch_left = ADN_FASTPATH_EPOCH;
	fp->sample_left = ADN_FASTPATH_SAMPLE;
	fp->sets = rte_zmalloc("adn_fastpath_sets",
			       sizeof(*fp->sets) * entries,
			       RTE_CACHE_LINE_SIZE);
	fp->counts = rte_zmalloc("adn_fastpath_counts",
				 sizeof(*fp->counts) * entries,
				 RTE_CACHE_LINE_SIZE);
	c.width = RTE_MAX(entries * ADN_FASTPATH_CMS_PER_ENTRY, 1024u);
	if (fp->sets == NULL || fp->counts == NULL ||
	    adn_cms_create(&c, &fp->cms, NULL) < 0) {
		adn_fastpath_free(fp);
		return NULL;
	}
	return fp;
}

void
adn_fastpath_free(struct adn_fastpath *fp)
{
	if (fp == NULL)
		return;
	adn_cms_free(fp->cms);
	rte_free(fp->sets);
	rte_free(fp->counts);
	rte_free(fp);
}

void
adn_fastpath_flush(struct adn_fastpath *fp)
{
	memset(fp->sets, 0, sizeof(*fp->sets) * fp->entries);
	memset(fp->counts, 0, sizeof(*fp->counts) * fp->entries);
}

void
adn_fastpath_age(struct adn_fastpath *fp)
{
	/* Halve, but keep a live entry live until it loses its way. */
	for (uint32_t i = 0; i < fp->entries; i++)
		if (fp->counts[i] != 0)
			fp->counts[i] = RTE_MAX(fp->counts[i] / 2, 1);
	adn_cms_reset(fp->cms);
	fp->epoch_left = ADN_FASTPATH_EPOCH;
}

void
adn_fastpath_learn(struct adn_fastpath *fp, const struct adn_fastpath_key *fk,
		   const struct adn_fastpath_val *v)
{
	const size_t base = (size_t)(fk->hash & fp->set_mask) *
		ADN_FASTPATH_WAYS;
	uint16_t *counts = &fp->counts[base];
	struct adn_fastpath_entry *entry;
	unsigned int way = 0;
	uint32_t count = 1;

	if (!fk->valid)
		return;
	/* The coldest way, the first free one if any (count 0). */
	for (unsigned int w = 1; w < ADN_FASTPATH_WAYS; w++)
		if (counts[w] < counts[way])
			way = w;
	/* A full set: the flow must out-count its coldest way. The tracer
	 * counts one miss in ADN_FASTPATH_SAMPLE, by that many: its hashes
	 * on every miss of a long tail cost more than the elements the
	 * cache saves, and a heavy flow, missing often, is still sampled
	 * within a few of its packets. The flow's count is its estimate
	 * with this miss counted once: every flow weighed here was just
	 * sampled, so a one-packet flow would otherwise weigh as many. */
	if (counts[way] != 0) {
		if (--fp->sample_left != 0)
			return;
		fp->sample_left = ADN_FASTPATH_SAMPLE;
		count = adn_cms_update_u64(fp->cms, fk->hash,
					   ADN_FASTPATH_SAMPLE) -
			(ADN_FASTPATH_SAMPLE - 1);
		if (count <= counts[way])
			return;
	}
	entry = &fp->sets[base + way];
	entry->ips = fk->ips;
	entry->ports = fk->ports;
	entry->v = *v;
	counts[way] = (uint16_t)RTE_MIN(count, (uint32_t)UINT16_MAX);
	fp->st.admitted++;
}
