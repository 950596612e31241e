/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_radix.h"

static int
new_node(struct adn_radix *r, uint32_t *idx)
{
	if (r->free_head != 0) {
		*idx = r->free_head;
		r->free_head = r->nodes[*idx].child[0];
		r->n_free--;
	} else {
		if (r->n_nodes == r->cap) {
			uint32_t cap = r->cap ? r->cap * 2 : 1024;
			struct adn_radix_node *n =
				realloc(r->nodes, sizeof(*n) * cap);

			if (n == NULL)
				return -ENOMEM;
			r->nodes = n;
			r->cap = cap;
		}
		*idx = r->n_nodes++;
	}
	r->nodes[*idx].child[0] = 0;
	r->nodes[*idx].child[1] = 0;
	r->nodes[*idx].hop = ADN_RADIX_NO_HOP;
	return 0;
}

int
adn_radix_init(struct adn_radix *r)
{
	uint32_t root;

	memset(r, 0, sizeof(*r));
	return new_node(r, &root);
}

int
adn_radix_clone(struct adn_radix *dst, const struct adn_radix *src)
{
	*dst = *src;
	dst->nodes = malloc(sizeof(*dst->nodes) * src->cap);
	if (dst->nodes == NULL) {
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	memcpy(dst->nodes, src->nodes, sizeof(*dst->nodes) * src->n_nodes);
	return 0;
}

void
adn_radix_free(struct adn_radix *r)
{
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

int
adn_radix_add(struct adn_radix *r, uint32_t prefix, unsigned int len,
	      uint32_t hop)
{
	uint32_t n = 0;

	if (len > 32 || hop == ADN_RADIX_NO_HOP || r->nodes == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int bit = (prefix >> (31 - i)) & 1;
		uint32_t c = r->nodes[n].child[bit];

		if (c == 0) {
			int rc = new_node(r, &c);

			if (rc < 0)
				return rc;
			/* new_node may move the array: index, never cache a
			 * pointer across it. */
			r->nodes[n].child[bit] = c;
		}
		n = c;
	}
	if (r->nodes[n].hop == ADN_RADIX_NO_HOP)
		r->n_prefixes++;
	r->nodes[n].hop = hop;
	return 0;
}

uint32_t
adn_radix_find(const struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	uint32_t n = 0;

	if (len > 32 || r->nodes == NULL)
		return ADN_RADIX_NO_HOP;
	for (unsigned int i = 0; i < len; i++) {
		n = r->nodes[n].child[(prefix >> (31 - i)) & 1];
		if (n == 0)
			return ADN_RADIX_NO_HOP;
	}
	return r->nodes[n].hop;
}

int
adn_radix_del(struct adn_radix *r, uint32_t prefix, unsigned int len)
{
	uint32_t path[33];	/* path[i]: the node at depth i */
	unsigned int i;

	if (len > 32 || r->nodes == NULL)
		return -EINVAL;
	path[0] = 0;
	for (i = 0; i < len; i++) {
		uint32_t c = r->nodes[path[i]].child[(prefix >> (31 - i)) & 1];

		if (c == 0)
			return -ENOENT;
		path[i + 1] = c;
	}
	if (r->nodes[path[len]].hop == ADN_RADIX_NO_HOP)
		return -ENOENT;
	r->nodes[path[len]].hop = ADN_RADIX_NO_HOP;
	r->n_prefixes--;
	/* Prune upwards while a node carries neither a prefix nor a subtree:
	 * such nodes only lengthen lookups, and leaving them would let
	 * add/del churn grow the trie without bound. */
	for (i = len; i > 0; i--) {
		struct adn_radix_node *n = &r->nodes[path[i]];

		if (n->hop != ADN_RADIX_NO_HOP || n->child[0] || n->child[1])
			break;
		r->nodes[path[i - 1]].child[(prefix >> (32 - i)) & 1] = 0;
		n->child[0] = r->free_head;
		r->free_head = path[i];
		r->n_free++;
	}
	return 0;
}
