/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "adn_radix.h"

#define NODE_MASK (ADN_RADIX_NODE_ENTRIES - 1)

/* First address bit of level k, and the bits it consumes. */
static unsigned int
level_start(unsigned int k)
{
	return k == 0 ? 0 : ADN_RADIX_ROOT_BITS + (k - 1) * ADN_RADIX_NODE_BITS;
}

static unsigned int
level_bits(unsigned int k)
{
	return k == 0 ? ADN_RADIX_ROOT_BITS : ADN_RADIX_NODE_BITS;
}

/* The level a prefix of length `len` is expanded into. */
static unsigned int
level_of(unsigned int len)
{
	unsigned int k = 0;

	while (len > level_start(k) + level_bits(k))
		k++;
	return k;
}

/* Index of `addr`'s entry within a node of level k. */
static uint32_t
slice(uint32_t addr, unsigned int k)
{
	unsigned int end = level_start(k) + level_bits(k);

	return (addr >> (32 - end)) & ((1u << level_bits(k)) - 1);
}

static uint32_t
mask_of(unsigned int len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* --- the prefix set (control only) -------------------------------------- */

static uint32_t
set_hash(uint32_t prefix, unsigned int len)
{
	uint32_t h = (prefix ^ (len * 0x2545f491u)) * 0x9e3779b1u;

	return h ^ (h >> 15);
}

/* Slot of prefix/len, or of the empty slot where it would go. */
static uint32_t
set_slot(const struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	uint32_t m = r->set_cap - 1, i = set_hash(prefix, len) & m;

	while (r->set[i].hop != ADN_RADIX_NO_HOP &&
	       (r->set[i].prefix != prefix || r->set[i].len != len))
		i = (i + 1) & m;
	return i;
}

static const struct adn_radix_pfx *
set_find(const struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	const struct adn_radix_pfx *p = &r->set[set_slot(r, prefix, len)];

	return p->hop == ADN_RADIX_NO_HOP ? NULL : p;
}

static struct adn_radix_pfx *
set_alloc(uint32_t cap)
{
	struct adn_radix_pfx *s = malloc(sizeof(*s) * cap);

	if (s != NULL)
		for (uint32_t i = 0; i < cap; i++)
			s[i].hop = ADN_RADIX_NO_HOP;
	return s;
}

/* Room for one more prefix at a load of at most one half. */
static int
set_reserve(struct adn_radix *r)
{
	struct adn_radix_pfx *old = r->set, *s;
	uint32_t old_cap = r->set_cap;

	if ((r->n_prefixes + 1) * 2 <= r->set_cap)
		return 0;
	s = set_alloc(old_cap * 2);
	if (s == NULL)
		return -ENOMEM;
	r->set = s;
	r->set_cap = old_cap * 2;
	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i].hop != ADN_RADIX_NO_HOP)
			r->set[set_slot(r, old[i].prefix, old[i].len)] = old[i];
	free(old);
	return 0;
}

/* Remove slot i, shifting back the entries whose probe passed it. */
static void
set_remove(struct adn_radix *r, uint32_t i)
{
	uint32_t m = r->set_cap - 1, j = i;

	for (;;) {
		j = (j + 1) & m;
		if (r->set[j].hop == ADN_RADIX_NO_HOP)
			break;
		uint32_t home = set_hash(r->set[j].prefix, r->set[j].len) & m;

		/* j may move to i when its home is not in (i, j]. */
		if (((j - home) & m) >= ((j - i) & m)) {
			r->set[i] = r->set[j];
			i = j;
		}
	}
	r->set[i].hop = ADN_RADIX_NO_HOP;
}

/* --- nodes -------------------------------------------------------------- */

/* A node of entries all `val`, each set by a prefix of length `d`. */
static int
new_node(struct adn_radix *r, uint32_t val, uint8_t d, uint32_t *idx)
{
	if (r->free_head != 0) {
		*idx = r->free_head;
		r->free_head = r->tbl[*idx * ADN_RADIX_NODE_ENTRIES];
		r->n_free--;
	} else {
		if (r->n_nodes == r->cap) {
			uint32_t cap = r->cap * 2;
			uint32_t *t = realloc(r->tbl, sizeof(*t) * cap *
					      ADN_RADIX_NODE_ENTRIES);
			uint8_t *dp;

			if (t == NULL)
				return -ENOMEM;
			r->tbl = t;
			dp = realloc(r->depth, cap * ADN_RADIX_NODE_ENTRIES);
			if (dp == NULL)
				return -ENOMEM;
			r->depth = dp;
			r->cap = cap;
		}
		*idx = r->n_nodes++;
	}
	for (uint32_t i = 0; i < ADN_RADIX_NODE_ENTRIES; i++)
		r->tbl[*idx * ADN_RADIX_NODE_ENTRIES + i] = val;
	memset(&r->depth[*idx * ADN_RADIX_NODE_ENTRIES], d,
	       ADN_RADIX_NODE_ENTRIES);
	return 0;
}

static void
free_node(struct adn_radix *r, uint32_t n)
{
	r->tbl[n * ADN_RADIX_NODE_ENTRIES] = r->free_head;
	r->free_head = n;
	r->n_free++;
}

/* Node n of level k back into its parent entry `at` when all its entries
 * hold one hop pushed from above level k: it only lengthens lookups. */
static void
fold(struct adn_radix *r, uint32_t at, uint32_t n, unsigned int k)
{
	const uint32_t base = n * ADN_RADIX_NODE_ENTRIES;
	const uint32_t v = r->tbl[base];
	const uint8_t d = r->depth[base];

	if ((v & ADN_RADIX_CHILD) || d > level_start(k))
		return;
	for (uint32_t i = 1; i < ADN_RADIX_NODE_ENTRIES; i++)
		if (r->tbl[base + i] != v || r->depth[base + i] != d)
			return;
	r->tbl[at] = v;
	r->depth[at] = d;
	free_node(r, n);
}

/* Entry `at` of level k and the nodes below it: hop `val` from a prefix of
 * length `len` wherever no longer prefix holds it. */
static void
expand(struct adn_radix *r, uint32_t at, unsigned int k, uint32_t val,
       uint8_t len)
{
	const uint32_t e = r->tbl[at];

	if (e & ADN_RADIX_CHILD) {
		const uint32_t base = (e & ~ADN_RADIX_CHILD) *
			ADN_RADIX_NODE_ENTRIES;

		for (uint32_t i = 0; i < ADN_RADIX_NODE_ENTRIES; i++)
			expand(r, base + i, k + 1, val, len);
	} else if (r->depth[at] <= len) {
		r->tbl[at] = val;
		r->depth[at] = len;
	}
}

/* Undo a prefix of length `len` below entry `at` of level k: what it set
 * gets `val` of length `d` (what covers it now), and nodes left uniform
 * fold. */
static void
restore(struct adn_radix *r, uint32_t at, unsigned int k, uint8_t len,
	uint32_t val, uint8_t d)
{
	const uint32_t e = r->tbl[at];

	if (e & ADN_RADIX_CHILD) {
		const uint32_t n = e & ~ADN_RADIX_CHILD;

		for (uint32_t i = 0; i < ADN_RADIX_NODE_ENTRIES; i++)
			restore(r, n * ADN_RADIX_NODE_ENTRIES + i, k + 1, len,
				val, d);
		fold(r, at, n, k + 1);
	} else if (r->depth[at] == len) {
		r->tbl[at] = val;
		r->depth[at] = d;
	}
}

/* --- the API ------------------------------------------------------------ */

int
adn_radix_init(struct adn_radix *r)
{
	const uint32_t cap = ADN_RADIX_ROOT_NODES * 2;

	memset(r, 0, sizeof(*r));
	r->tbl = calloc((size_t)cap * ADN_RADIX_NODE_ENTRIES, sizeof(*r->tbl));
	r->depth = calloc((size_t)cap * ADN_RADIX_NODE_ENTRIES, 1);
	r->set_cap = 64;
	r->set = set_alloc(r->set_cap);
	if (r->tbl == NULL || r->depth == NULL || r->set == NULL) {
		adn_radix_free(r);
		return -ENOMEM;
	}
	r->cap = cap;
	r->n_nodes = ADN_RADIX_ROOT_NODES;
	return 0;
}

int
adn_radix_clone(struct adn_radix *dst, const struct adn_radix *src)
{
	const size_t n = (size_t)src->cap * ADN_RADIX_NODE_ENTRIES;

	*dst = *src;
	dst->tbl = malloc(n * sizeof(*dst->tbl));
	dst->depth = malloc(n);
	dst->set = malloc(sizeof(*dst->set) * src->set_cap);
	if (dst->tbl == NULL || dst->depth == NULL || dst->set == NULL) {
		adn_radix_free(dst);
		return -ENOMEM;
	}
	memcpy(dst->tbl, src->tbl, n * sizeof(*dst->tbl));
	memcpy(dst->depth, src->depth, n);
	memcpy(dst->set, src->set, sizeof(*dst->set) * src->set_cap);
	return 0;
}

void
adn_radix_free(struct adn_radix *r)
{
	free(r->tbl);
	free(r->depth);
	free(r->set);
	memset(r, 0, sizeof(*r));
}

int
adn_radix_add(struct adn_radix *r, uint32_t prefix, unsigned int len,
	      uint32_t hop)
{
	const unsigned int lv = level_of(len);
	uint32_t base = 0, first, count, slot;
	bool fresh;
	int rc;

	if (len > 32 || hop > ADN_RADIX_MAX_HOP || r->tbl == NULL)
		return -EINVAL;
	prefix &= mask_of(len);
	fresh = set_find(r, prefix, len) == NULL;
	if (fresh && (rc = set_reserve(r)) < 0)
		return rc;
	/* The path down to the prefix's level; a new node repeats its parent
	 * entry, so lookups are unchanged until the entries below change. */
	for (unsigned int k = 0; k < lv; k++) {
		const uint32_t at = base + slice(prefix, k);
		uint32_t c = r->tbl[at];

		if (!(c & ADN_RADIX_CHILD)) {
			/* new_node may move the arrays: indices only. */
			rc = new_node(r, c, r->depth[at], &c);
			if (rc < 0)
				return rc;
			r->tbl[at] = ADN_RADIX_CHILD | c;
			c |= ADN_RADIX_CHILD;
		}
		base = (c & ~ADN_RADIX_CHILD) * ADN_RADIX_NODE_ENTRIES;
	}
	first = base + slice(prefix, lv);
	count = 1u << (level_start(lv) + level_bits(lv) - len);
	for (uint32_t i = 0; i < count; i++)
		expand(r, first + i, lv, hop + 1, (uint8_t)len);
	slot = set_slot(r, prefix, len);
	r->set[slot] = (struct adn_radix_pfx){ .prefix = prefix, .hop = hop,
					       .len = (uint8_t)len };
	r->n_prefixes += fresh;
	return 0;
}

uint32_t
adn_radix_find(const struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	const struct adn_radix_pfx *p;

	if (len > 32 || r->set == NULL)
		return ADN_RADIX_NO_HOP;
	p = set_find(r, prefix & mask_of(len), len);
	return p == NULL ? ADN_RADIX_NO_HOP : p->hop;
}

int
adn_radix_del(struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	const unsigned int lv = level_of(len);
	uint32_t path[ADN_RADIX_LEVELS];	/* path[k]: the entry read at level k */
	uint32_t base = 0, val = 0, first, count, slot;
	uint8_t d = 0;

	if (len > 32 || r->set == NULL)
		return -EINVAL;
	prefix &= mask_of(len);
	slot = set_slot(r, prefix, len);
	if (r->set[slot].hop == ADN_RADIX_NO_HOP)
		return -ENOENT;
	set_remove(r, slot);
	r->n_prefixes--;
	/* What covers the prefix's addresses now: the longest shorter one. */
	for (int l = (int)len - 1; l >= 0; l--) {
		const struct adn_radix_pfx *p =
			set_find(r, prefix & mask_of((unsigned int)l),
				 (unsigned int)l);

		if (p != NULL) {
			val = p->hop + 1;
			d = (uint8_t)l;
			break;
		}
	}
	/* add made the path and fold keeps it while a prefix of this
	 * length lies below it (a node holding one is never uniform from
	 * above). */
	for (unsigned int k = 0; k < lv; k++) {
		path[k] = base + slice(prefix, k);
		base = (r->tbl[path[k]] & ~ADN_RADIX_CHILD) *
			ADN_RADIX_NODE_ENTRIES;
	}
	first = base + slice(prefix, lv);
	count = 1u << (level_start(lv) + level_bits(lv) - len);
	for (uint32_t i = 0; i < count; i++)
		restore(r, first + i, lv, (uint8_t)len, val, d);
	for (unsigned int k = lv; k > 0; k--)
		if (r->tbl[path[k - 1]] & ADN_RADIX_CHILD)
			fold(r, path[k - 1],
			     r->tbl[path[k - 1]] & ~ADN_RADIX_CHILD, k);
	return 0;
}
