/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "adn_template.h"

#define ADN_MAX_TEMPLATES 32

/* Filled by constructors before main(); read-only afterwards. */
static const struct adn_tpl_ops *registry[ADN_MAX_TEMPLATES];
static unsigned int n_registered;

void
adn_tpl_register(const struct adn_tpl_ops *ops)
{
	/* Constructors run before EAL logging is up: complaints go to
	 * stderr, and the template stays unusable. */
	if (adn_tpl_find(ops->name) != NULL ||
	    n_registered == ADN_MAX_TEMPLATES || ops->instantiate == NULL) {
		fprintf(stderr, "adn: template '%s' rejected (duplicate, no instantiate, or too many)\n",
			ops->name);
		return;
	}
	registry[n_registered++] = ops;
}

const struct adn_tpl_ops *
adn_tpl_find(const char *name)
{
	for (unsigned int i = 0; i < n_registered; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct adn_tpl_ops *
adn_tpl_at(unsigned int i)
{
	return i < n_registered ? registry[i] : NULL;
}
