/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Count-min sketch (Cormode & Muthukrishnan) with an optional top-N tracker
 * of heavy-hitter candidates.
 *
 * Shared mechanism: the CLIP switch model counts flows with it and reports
 * the top-N to the controller (CLIP §III-D); the Morph flow tracer reuses it
 * for the fast-path templates. It is keyed by bytes; a 64-bit flow hash is
 * just an 8-byte key (adn_cms_update_u64), so both callers share one code
 * path and one estimate for the same key.
 *
 * By default row i indexes its counters with murmur3(key, seed_i), seed_i
 * derived from the configured seed, so two sketches with the same seed agree
 * counter for counter. A sketch that models a switch register instead names
 * one CRC per row (row_crc): then row i is that CRC of the key bytes, as a
 * P4 Hash<> extern computes it, and both pick the same counter.
 *
 * Thread-safety: none. One owner (a worker lcore or the control lcore)
 * updates and reports; readers on other lcores need their own copy.
 * DPDK-free.
 */
#ifndef _ADN_CMS_H_
#define _ADN_CMS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_crc.h"

/* Longest key the top-N tracker keeps (an IPv4 5-tuple is 13 bytes, an
 * IPv6 one 37). Longer keys are counted but never become candidates. */
#define ADN_CMS_KEY_MAX 40

#define ADN_CMS_DEPTH_MAX 8

struct adn_cms;

struct adn_cms_conf {
	uint32_t depth;	/* rows, 1..ADN_CMS_DEPTH_MAX; 0 = default 2 */
	uint32_t width;	/* counters per row, any value >= 1; 0 = default 1024 */
	uint32_t topn;	/* candidates kept; 0 = no tracker */
	uint32_t seed;	/* hash seed; equal seeds give equal sketches */
	/* NULL: seeded murmur3 rows. Else rows 0..depth-1 each name a CRC
	 * (all of them, no two the same: equal rows would collide alike) and
	 * seed only keys the tracker's tags. Index: multiply-shift of the
	 * CRC's top bits (adn_crc_reduce), the top-bit slice in P4. */
	const struct adn_crc_param *row_crc[ADN_CMS_DEPTH_MAX];
};

/* One heavy-hitter candidate as reported. */
struct adn_cms_hitter {
	uint32_t estimate;	/* count-min estimate at report time (>= true) */
	uint8_t key_len;
	uint8_t key[ADN_CMS_KEY_MAX];
};

/*
 * Allocate a zeroed sketch. conf may be NULL for the defaults (2 x 1024,
 * no tracker). Returns 0, -EINVAL (depth/width/topn out of range, row_crc
 * partial, repeated or invalid; *err_field, when non-NULL, names the bad
 * field) or -ENOMEM. The caller owns *out and
 * releases it with adn_cms_free().
 */
int adn_cms_create(const struct adn_cms_conf *conf, struct adn_cms **out,
		   const char **err_field);
void adn_cms_free(struct adn_cms *cms);

/* Add `inc` to the key's counters (saturating) and return the new
 * estimate. Does not touch the tracker. */
uint32_t adn_cms_update(struct adn_cms *cms, const void *key, size_t len,
			uint32_t inc);
uint32_t adn_cms_query(const struct adn_cms *cms, const void *key,
		       size_t len);

static inline uint32_t
adn_cms_update_u64(struct adn_cms *cms, uint64_t h, uint32_t inc)
{
	return adn_cms_update(cms, &h, sizeof(h), inc);
}

static inline uint32_t
adn_cms_query_u64(const struct adn_cms *cms, uint64_t h)
{
	return adn_cms_query(cms, &h, sizeof(h));
}

/*
 * Offer a key with its current estimate to the top-N tracker: a key already
 * tracked gets its estimate raised; otherwise it enters when the tracker has
 * room or its estimate beats the smallest candidate, which it replaces.
 * Returns 1 if the key is tracked afterwards, 0 if not admitted, -EINVAL if
 * the sketch has no tracker or len is 0 or > ADN_CMS_KEY_MAX.
 */
int adn_cms_topn_offer(struct adn_cms *cms, const void *key, size_t len,
		       uint32_t estimate);

/* update + offer in one call: the per-packet entry point of a tracer. */
uint32_t adn_cms_update_track(struct adn_cms *cms, const void *key,
			      size_t len, uint32_t inc);

/*
 * Copy up to n candidates into out, highest estimate first (estimates are
 * re-read from the sketch, so they are current). With reset, the counters
 * and the tracker are cleared afterwards: the periodic report of CLIP.
 * Returns the number copied (>= 0), or -EINVAL (no tracker, out NULL with
 * n > 0).
 */
int adn_cms_report(struct adn_cms *cms, struct adn_cms_hitter *out,
		   unsigned int n, bool reset);

/* Clear counters and tracker. */
void adn_cms_reset(struct adn_cms *cms);

uint32_t adn_cms_depth(const struct adn_cms *cms);
uint32_t adn_cms_width(const struct adn_cms *cms);
/* Hash of `row` for the key before reduction (murmur3 or the row's CRC),
 * and the counter index it gives: let the P4 spec and tests check that a
 * row really is addressed by its own hash. row < depth. */
uint32_t adn_cms_hash(const struct adn_cms *cms, uint32_t row,
		      const void *key, size_t len);
uint32_t adn_cms_index(const struct adn_cms *cms, uint32_t row,
		       const void *key, size_t len);
/* Sum of all increments since the last reset (the stream length). */
uint64_t adn_cms_total(const struct adn_cms *cms);

#endif /* _ADN_CMS_H_ */
