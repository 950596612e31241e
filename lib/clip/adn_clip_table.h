/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exact-match table on the IPv4 5-tuple with a hard capacity, the C model of
 * a switch SRAM match-action table (CLIP's pre-processing table and the
 * <flow, server> pin table). Servers can use the same structure as their
 * mirrored table (a large capacity), which is what the simulator does.
 *
 * Each entry carries an action: a result blob (e.g. the SNAT address/port
 * the switch applies on a hit) and/or a server id, plus hit counters the
 * controller uses to age entries out (TNA idle timeout in p4/).
 *
 * Thread-safety: none. On the switch, the data path (lookup) and the
 * controller (add/del) run on one thread in the model; an app sharing it
 * across lcores must serialise.
 */
#ifndef _ADN_CLIP_TABLE_H_
#define _ADN_CLIP_TABLE_H_

#include <stdbool.h>
#include <stdint.h>

#include "adn_hash.h"
#include "adn_clip_hdr.h"

struct adn_clip_table;

struct adn_clip_entry {
	struct adn_flow_key key;
	uint16_t server;	/* owning server (pin table: where to steer) */
	uint8_t result_len;
	uint8_t result[ADN_CLIP_RESULT_MAX];
	uint64_t hits;		/* lifetime hits */
	uint32_t period_hits;	/* hits since the last adn_clip_table_age() */
	uint32_t last_hit;	/* period number of the last hit */
};

/* capacity: max entries, 1..2^24. Returns 0, -EINVAL, -ENOMEM. */
int adn_clip_table_create(uint32_t capacity, uint32_t seed,
			  struct adn_clip_table **out);
void adn_clip_table_free(struct adn_clip_table *t);

/* Data-path lookup: counts a hit. NULL on miss. The pointer is valid
 * until the next add/del on the table. */
struct adn_clip_entry *adn_clip_table_hit(struct adn_clip_table *t,
					  const struct adn_flow_key *key);
/* Control-path lookup: no hit counted. */
const struct adn_clip_entry *adn_clip_table_find(
	const struct adn_clip_table *t, const struct adn_flow_key *key);

/*
 * Insert or replace the action of e->key (counters of e are ignored; a
 * replaced entry keeps its counters). Returns 0, -ENOSPC when the table is
 * full and the key is new, -EINVAL (e NULL or result_len too long).
 */
int adn_clip_table_add(struct adn_clip_table *t,
		       const struct adn_clip_entry *e);
/* Returns 0 or -ENOENT. */
int adn_clip_table_del(struct adn_clip_table *t,
		       const struct adn_flow_key *key);

/* Visit every entry; stop early when cb returns non-zero (returned). The
 * callback must not add or delete. */
int adn_clip_table_walk(const struct adn_clip_table *t,
			int (*cb)(const struct adn_clip_entry *e, void *arg),
			void *arg);

/* Start a new aging period: period_hits of all entries go to 0. */
void adn_clip_table_age(struct adn_clip_table *t);
uint32_t adn_clip_table_period(const struct adn_clip_table *t);

/*
 * The entry to evict first: fewest hits in the current period, then the
 * oldest last hit. Returns NULL if the table is empty.
 */
const struct adn_clip_entry *adn_clip_table_coldest(
	const struct adn_clip_table *t);

uint32_t adn_clip_table_count(const struct adn_clip_table *t);
uint32_t adn_clip_table_capacity(const struct adn_clip_table *t);
void adn_clip_table_clear(struct adn_clip_table *t);

#endif /* _ADN_CLIP_TABLE_H_ */
