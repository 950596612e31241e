/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Open addressing with linear probing and backward-shift deletion: no
 * tombstones, so lookups stay short however many promotions and evictions
 * the controller makes. Slots = power of two >= 2 x capacity (load <= 0.5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_clip_table.h"

struct slot {
	bool used;
	struct adn_clip_entry e;
};

struct adn_clip_table {
	uint32_t capacity;
	uint32_t count;
	uint32_t mask;
	uint32_t seed;
	uint32_t period;
	struct slot *slots;
};

int
adn_clip_table_create(uint32_t capacity, uint32_t seed,
		      struct adn_clip_table **out)
{
	struct adn_clip_table *t;
	uint32_t n = 16;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (capacity == 0 || capacity > (1u << 24))
		return -EINVAL;
	while (n < 2 * capacity)
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->slots = calloc(n, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return -ENOMEM;
	}
	t->capacity = capacity;
	t->mask = n - 1;
	t->seed = seed;
	*out = t;
	return 0;
}

void
adn_clip_table_free(struct adn_clip_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

static inline uint32_t
home(const struct adn_clip_table *t, const struct adn_flow_key *k)
{
	return adn_flow_hash(k, t->seed) & t->mask;
}

static inline bool
key_eq(const struct adn_flow_key *a, const struct adn_flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct slot *
find_slot(const struct adn_clip_table *t, const struct adn_flow_key *key)
{
	uint32_t i = home(t, key);

	while (t->slots[i].used) {
		if (key_eq(&t->slots[i].e.key, key))
			return &t->slots[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

struct adn_clip_entry *
adn_clip_table_hit(struct adn_clip_table *t, const struct adn_flow_key *key)
{
	struct slot *s = find_slot(t, key);

	if (s == NULL)
		return NULL;
	s->e.hits++;
	s->e.period_hits++;
	s->e.last_hit = t->period;
	return &s->e;
}

const struct adn_clip_entry *
adn_clip_table_find(const struct adn_clip_table *t,
		    const struct adn_flow_key *key)
{
	struct slot *s = find_slot(t, key);

	return s == NULL ? NULL : &s->e;
}

int
adn_clip_table_add(struct adn_clip_table *t, const struct adn_clip_entry *e)
{
	struct slot *s;
	uint32_t i;

	if (t == NULL || e == NULL || e->result_len > ADN_CLIP_RESULT_MAX)
		return -EINVAL;
	s = find_slot(t, &e->key);
	if (s != NULL) {
		s->e.server = e->server;
		s->e.result_len = e->result_len;
		memcpy(s->e.result, e->result, sizeof(s->e.result));
		return 0;
	}
	if (t->count >= t->capacity)
		return -ENOSPC;
	i = home(t, &e->key);
	while (t->slots[i].used)
		i = (i + 1) & t->mask;
	s = &t->slots[i];
	s->used = true;
	s->e = *e;
	s->e.hits = 0;
	s->e.period_hits = 0;
	/* A new entry counts as just used, so it is not the first victim of
	 * the next promotion round before it had a chance to be hit. */
	s->e.last_hit = t->period;
	t->count++;
	return 0;
}

int
adn_clip_table_del(struct adn_clip_table *t, const struct adn_flow_key *key)
{
	struct slot *s = find_slot(t, key);
	uint32_t i, j;

	if (s == NULL)
		return -ENOENT;
	i = (uint32_t)(s - t->slots);
	t->slots[i].used = false;
	t->count--;
	/* Backward shift: pull later cluster members into the hole when
	 * their home is not between the hole and their slot. */
	j = i;
	for (;;) {
		uint32_t h;

		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			break;
		h = home(t, &t->slots[j].e.key);
		if (((j - h) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			t->slots[j].used = false;
			i = j;
		}
	}
	return 0;
}

int
adn_clip_table_walk(const struct adn_clip_table *t,
		    int (*cb)(const struct adn_clip_entry *e, void *arg),
		    void *arg)
{
	uint32_t i;
	int rc;

	for (i = 0; i <= t->mask; i++) {
		if (!t->slots[i].used)
			continue;
		rc = cb(&t->slots[i].e, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
adn_clip_table_age(struct adn_clip_table *t)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		t->slots[i].e.period_hits = 0;
	t->period++;
}

uint32_t
adn_clip_table_period(const struct adn_clip_table *t)
{
	return t->period;
}

const struct adn_clip_entry *
adn_clip_table_coldest(const struct adn_clip_table *t)
{
	const struct adn_clip_entry *best = NULL;
	uint32_t i;

	for (i = 0; i <= t->mask; i++) {
		const struct adn_clip_entry *e = &t->slots[i].e;

		if (!t->slots[i].used)
			continue;
		if (best == NULL || e->period_hits < best->period_hits ||
		    (e->period_hits == best->period_hits &&
		     e->last_hit < best->last_hit))
			best = e;
	}
	return best;
}

uint32_t
adn_clip_table_count(const struct adn_clip_table *t)
{
	return t->count;
}

uint32_t
adn_clip_table_capacity(const struct adn_clip_table *t)
{
	return t->capacity;
}

void
adn_clip_table_clear(struct adn_clip_table *t)
{
	memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->count = 0;
}
