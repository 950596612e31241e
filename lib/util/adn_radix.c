/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_radix.h"

static int
new_node(struct adn_radix *r, uint32_t *idx)
{
	if (r->n_nodes == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 1024;
		struct adn_radix_node *n = realloc(r->nodes, sizeof(*n) * cap);

		if (n == NULL)
			return -ENOMEM;
		r->nodes = n;
		r->cap = cap;
	}
	*idx = r->n_nodes++;
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
