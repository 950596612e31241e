/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Count-min sketch with a top-N tracker. See adn_cms.h for the contract.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_cms.h"
#include "adn_hash.h"

struct adn_cms_cand {
	uint64_t tag;		/* hash of the key: cheap first compare */
	uint32_t estimate;
	uint8_t key_len;
	uint8_t key[ADN_CMS_KEY_MAX];
};

struct adn_cms {
	uint32_t depth;
	uint32_t width;
	uint32_t seeds[ADN_CMS_DEPTH_MAX];
	struct adn_crc *crc;	/* depth row CRCs, or NULL: murmur3 */
	uint32_t tag_seed;
	uint64_t total;
	/* tracker */
	uint32_t topn;
	uint32_t n_cand;
	uint32_t min_slot;	/* slot of the smallest estimate, valid if full */
	struct adn_cms_cand *cand;
	uint32_t *counters;	/* depth * width, row-major */
};

int
adn_cms_create(const struct adn_cms_conf *conf, struct adn_cms **out,
	       const char **err_field)
{
	struct adn_cms_conf c = { .depth = 2, .width = 1024 };
	struct adn_cms *cms;
	struct adn_crc *crcs = NULL;
	uint32_t i;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (conf != NULL) {
		c = *conf;
		if (c.depth == 0)
			c.depth = 2;
		if (c.width == 0)
			c.width = 1024;
	}
	if (c.depth > ADN_CMS_DEPTH_MAX) {
		if (err_field != NULL)
			*err_field = "depth";
		return -EINVAL;
	}
	/* A row of more than 2^28 counters is a typo, not a sketch. */
	if (c.width > (1u << 28)) {
		if (err_field != NULL)
			*err_field = "width";
		return -EINVAL;
	}
	if (c.topn > (1u << 20)) {
		if (err_field != NULL)
			*err_field = "topn";
		return -EINVAL;
	}
	if (c.row_crc[0] != NULL) {
		/* One CRC per row, none past the depth. */
		int rc = adn_crc_family(c.row_crc, c.depth, &crcs);

		for (i = c.depth; rc == 0 && i < ADN_CMS_DEPTH_MAX; i++)
			if (c.row_crc[i] != NULL)
				rc = -EINVAL;
		if (rc < 0) {
			free(crcs);
			if (rc == -EINVAL && err_field != NULL)
				*err_field = "row_crc";
			return rc;
		}
	}
	cms = calloc(1, sizeof(*cms));
	if (cms == NULL) {
		free(crcs);
		return -ENOMEM;
	}
	cms->crc = crcs;
	cms->counters = calloc((size_t)c.depth * c.width, sizeof(uint32_t));
	if (cms->counters == NULL) {
		adn_cms_free(cms);
		return -ENOMEM;
	}
	if (c.topn > 0) {
		cms->cand = calloc(c.topn, sizeof(*cms->cand));
		if (cms->cand == NULL) {
			adn_cms_free(cms);
			return -ENOMEM;
		}
	}
	cms->depth = c.depth;
	cms->width = c.width;
	cms->topn = c.topn;
	/* Independent row hashes need unrelated seeds, not seed + i. */
	for (i = 0; i < c.depth; i++)
		cms->seeds[i] = (uint32_t)adn_mix64(((uint64_t)c.seed << 8) | i);
	cms->tag_seed = (uint32_t)adn_mix64(((uint64_t)c.seed << 8) | 0xff);
	*out = cms;
	return 0;
}

void
adn_cms_free(struct adn_cms *cms)
{
	if (cms == NULL)
		return;
	free(cms->cand);
	free(cms->counters);
	free(cms->crc);
	free(cms);
}

uint32_t
adn_cms_hash(const struct adn_cms *cms, uint32_t row, const void *key,
	     size_t len)
{
	return adn_crc_family_hash(cms->crc ? &cms->crc[row] : NULL,
				   cms->seeds[row], key, len);
}

uint32_t
adn_cms_index(const struct adn_cms *cms, uint32_t row, const void *key,
	      size_t len)
{
	return adn_crc_family_index(cms->crc ? &cms->crc[row] : NULL,
				    adn_cms_hash(cms, row, key, len),
				    cms->width);
}

uint32_t
adn_cms_update(struct adn_cms *cms, const void *key, size_t len, uint32_t inc)
{
	uint32_t est = UINT32_MAX;
	uint32_t i;

	for (i = 0; i < cms->depth; i++) {
		uint32_t *c = &cms->counters[(size_t)i * cms->width +
					     adn_cms_index(cms, i, key, len)];
		uint32_t v = *c;

		v = (v > UINT32_MAX - inc) ? UINT32_MAX : v + inc;
		*c = v;
		if (v < est)
			est = v;
	}
	cms->total += inc;
	return est;
}

uint32_t
adn_cms_query(const struct adn_cms *cms, const void *key, size_t len)
{
	uint32_t est = UINT32_MAX;
	uint32_t i;

	for (i = 0; i < cms->depth; i++) {
		uint32_t v = cms->counters[(size_t)i * cms->width +
					   adn_cms_index(cms, i, key, len)];
		if (v < est)
			est = v;
	}
	return est;
}

static void
topn_find_min(struct adn_cms *cms)
{
	uint32_t i, m = 0;

	for (i = 1; i < cms->n_cand; i++)
		if (cms->cand[i].estimate < cms->cand[m].estimate)
			m = i;
	cms->min_slot = m;
}

int
adn_cms_topn_offer(struct adn_cms *cms, const void *key, size_t len,
		   uint32_t estimate)
{
	struct adn_cms_cand *c;
	uint64_t tag;
	uint32_t i;

	if (cms->topn == 0 || len == 0 || len > ADN_CMS_KEY_MAX)
		return -EINVAL;
	/* Fast reject: the common case for mice once the tracker is full. */
	if (cms->n_cand == cms->topn &&
	    estimate <= cms->cand[cms->min_slot].estimate)
		return 0;
	tag = adn_murmur3_32(key, len, cms->tag_seed) | ((uint64_t)len << 32);
	for (i = 0; i < cms->n_cand; i++) {
		c = &cms->cand[i];
		if (c->tag == tag && memcmp(c->key, key, len) == 0) {
			if (estimate > c->estimate) {
				c->estimate = estimate;
				if (i == cms->min_slot)
					topn_find_min(cms);
			}
			return 1;
		}
	}
	if (cms->n_cand < cms->topn) {
		c = &cms->cand[cms->n_cand++];
	} else {
		c = &cms->cand[cms->min_slot];
	}
	c->tag = tag;
	c->estimate = estimate;
	c->key_len = (uint8_t)len;
	memcpy(c->key, key, len);
	topn_find_min(cms);
	return 1;
}

uint32_t
adn_cms_update_track(struct adn_cms *cms, const void *key, size_t len,
		     uint32_t inc)
{
	uint32_t est = adn_cms_update(cms, key, len, inc);

	if (cms->topn > 0 && len > 0 && len <= ADN_CMS_KEY_MAX)
		(void)adn_cms_topn_offer(cms, key, len, est);
	return est;
}

static int
hitter_cmp(const void *a, const void *b)
{
	const struct adn_cms_hitter *x = a, *y = b;

	if (x->estimate != y->estimate)
		return x->estimate < y->estimate ? 1 : -1;
	/* Deterministic order among ties, so reports are reproducible. */
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return memcmp(x->key, y->key, x->key_len);
}

int
adn_cms_report(struct adn_cms *cms, struct adn_cms_hitter *out,
	       unsigned int n, bool reset)
{
	struct adn_cms_hitter *all;
	uint32_t i, k;

	if (cms->topn == 0 || (out == NULL && n > 0))
		return -EINVAL;
	k = cms->n_cand;
	all = calloc(k > 0 ? k : 1, sizeof(*all));
	if (all == NULL)
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		all[i].key_len = cms->cand[i].key_len;
		memcpy(all[i].key, cms->cand[i].key, cms->cand[i].key_len);
		all[i].estimate = adn_cms_query(cms, all[i].key,
						all[i].key_len);
	}
	qsort(all, k, sizeof(*all), hitter_cmp);
	if (k > n)
		k = n;
	if (k > 0)
		memcpy(out, all, k * sizeof(*all));
	free(all);
	if (reset)
		adn_cms_reset(cms);
	return (int)k;
}

void
adn_cms_reset(struct adn_cms *cms)
{
	memset(cms->counters, 0,
	       (size_t)cms->depth * cms->width * sizeof(uint32_t));
	cms->total = 0;
	cms->n_cand = 0;
	cms->min_slot = 0;
}

uint32_t
adn_cms_depth(const struct adn_cms *cms)
{
	return cms->depth;
}

uint32_t
adn_cms_width(const struct adn_cms *cms)
{
	return cms->width;
}

uint64_t
adn_cms_total(const struct adn_cms *cms)
{
	return cms->total;
}
