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
	fp->sets = rte_zmalloc("adn_fastpath_sets",
			       sizeof(*fp->sets) * entries,
			       RTE_CACHE_LINE_SIZE);
	c.width = RTE_MAX(entries * ADN_FASTPATH_CMS_PER_ENTRY, 1024u);
	if (fp->sets == NULL || adn_cms_create(&c, &fp->cms, NULL) < 0) {
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
	rte_free(fp);
}

void
adn_fastpath_flush(struct adn_fastpath *fp)
{
	memset(fp->sets, 0, sizeof(*fp->sets) * fp->entries);
}

void
adn_fastpath_age(struct adn_fastpath *fp)
{
	for (uint32_t i = 0; i < fp->entries; i++) {
		struct adn_fastpath_entry *w = &fp->sets[i];

		/* Halve, but keep a live entry live until it loses its way. */
		if (w->count != 0)
			w->count = w->count > 1 ? w->count / 2 : 1;
	}
	adn_cms_reset(fp->cms);
	fp->epoch_left = ADN_FASTPATH_EPOCH;
}

void
adn_fastpath_learn(struct adn_fastpath *fp, const struct adn_fastpath_key *fk,
		   const struct adn_fastpath_val *v)
{
	struct adn_fastpath_entry *set, *victim;
	uint32_t est;

	if (!fk->valid)
		return;
	est = adn_cms_update_u64(fp->cms, fk->hash, 1);
	set = adn_fastpath_set(fp, fk->hash);
	victim = &set[0];
	for (unsigned int w = 0; w < ADN_FASTPATH_WAYS; w++) {
		if (set[w].count == 0) {
			victim = &set[w];
			break;
		}
		if (set[w].count < victim->count)
			victim = &set[w];
	}
	if (victim->count != 0 && est <= victim->count)
		return;
	victim->ips = fk->ips;
	victim->ports = fk->ports;
	victim->v = *v;
	victim->count = RTE_MIN(est, (uint32_t)UINT16_MAX);
	fp->st.admitted++;
}
