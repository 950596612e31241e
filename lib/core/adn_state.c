/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "adn_elem.h"
#include "adn_log.h"
#include "adn_state.h"

struct adn_state {
	struct adn_state_reg *reg;
	struct adn_state *next;		/* the registry's list */
	char elem[ADN_NAME_MAX];
	char type[ADN_NAME_MAX];
	char key[32];
	char *shape;
	void *data;
	void (*destroy)(void *data);
	adn_state_migrate_fn migrate;
	unsigned int refs;
	/* The build that created it, until committed (then NULL). */
	const void *pending;
	/* The object that replaced this one under the same key, to migrate
	 * into when this one is freed; NULL when none or no hook. */
	struct adn_state *succ;
	/* Latest committed object of its key: what the next build sees. */
	bool current;
};

struct adn_state_reg {
	struct adn_state *head;
	struct adn_state_reg_stats st;
};

int
adn_state_reg_create(struct adn_state_reg **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void
adn_state_reg_free(struct adn_state_reg *reg)
{
	if (reg == NULL)
		return;
	if (reg->head != NULL)
		ADN_LOG(ERR, "state registry freed with %" PRIu64 " live object(s) (first: '%s' of '%s')\n",
			reg->st.live, reg->head->key, reg->head->elem);
	free(reg);
}

void
adn_state_reg_stats(const struct adn_state_reg *reg,
		    struct adn_state_reg_stats *st)
{
	*st = reg->st;
}

static struct adn_state *
find(struct adn_state_reg *reg, const void *build, const char *elem,
     const char *key)
{
	for (struct adn_state *s = reg->head; s != NULL; s = s->next)
		if ((s->current || (build && s->pending == build)) &&
		    strcmp(s->elem, elem) == 0 && strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

int
adn_state_get(struct adn_state_reg *reg, const void *build, const char *elem,
	      const char *type, const char *key, const char *shape,
	      size_t size, void (*destroy)(void *data),
	      adn_state_migrate_fn migrate, bool from_prev,
	      struct adn_state **obj, void **data, const void **prev,
	      bool *reused)
{
	struct adn_state *old = find(reg, build, elem, key), *s;

	*prev = NULL;
	*reused = false;
	if (old != NULL && strcmp(old->type, type) == 0 &&
	    strcmp(old->shape, shape) == 0) {
		old->refs++;
		reg->st.reused++;
		*obj = old;
		*data = old->data;
		*reused = true;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (s != NULL) {
		s->shape = strdup(shape);
		s->data = rte_zmalloc("adn_state", RTE_MAX(size, (size_t)1),
				      RTE_CACHE_LINE_SIZE);
	}
	if (s == NULL || s->shape == NULL || s->data == NULL) {
		if (s != NULL) {
			free(s->shape);
			rte_free(s->data);
		}
		free(s);
		return -ENOMEM;
	}
	s->reg = reg;
	snprintf(s->elem, sizeof(s->elem), "%s", elem);
	snprintf(s->type, sizeof(s->type), "%s", type);
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->destroy = destroy;
	s->migrate = migrate;
	s->refs = 1;
	s->pending = build;
	s->current = build == NULL;
	s->next = reg->head;
	reg->head = s;
	reg->st.created++;
	reg->st.live++;
	if (old != NULL && strcmp(old->type, type) == 0) {
		*prev = old->data;
		if (from_prev) {
			/* Built from the old one now: nothing to carry later. */
		} else if (migrate == NULL) {
			reg->st.resets++;
			ADN_LOG(NOTICE, "element '%s': state '%s' reset (shape %s -> %s; %s keeps no data across it)\n",
				elem, key, old->shape, shape, type);
		}
	}
	*obj = s;
	*data = s->data;
	return 0;
}

void
adn_state_reg_commit(struct adn_state_reg *reg, const void *build)
{
	for (struct adn_state *s = reg->head; s != NULL; s = s->next) {
		struct adn_state *old;

		if (s->pending != build)
			continue;
		old = find(reg, NULL, s->elem, s->key);
		if (old != NULL) {
			old->current = false;
			if (strcmp(old->type, s->type) == 0 && s->migrate)
				old->succ = s;
		}
		s->pending = NULL;
		s->current = true;
	}
}

void
adn_state_reg_rekey(struct adn_state_reg *reg, const void *from,
		    const void *to)
{
	for (struct adn_state *s = reg->head; s != NULL; s = s->next)
		if (s->pending == from)
			s->pending = to;
}

static void
unlink_obj(struct adn_state_reg *reg, struct adn_state *s)
{
	for (struct adn_state **pp = &reg->head; *pp != NULL;
	     pp = &(*pp)->next) {
		if ((*pp)->succ == s)
			(*pp)->succ = NULL;
	}
	for (struct adn_state **pp = &reg->head; *pp != NULL;
	     pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
}

void
adn_state_release(struct adn_state *s)
{
	struct adn_state_reg *reg;

	if (s == NULL || --s->refs > 0)
		return;
	reg = s->reg;
	if (s->succ != NULL) {
		s->succ->migrate(s->key, s->succ->data, s->data);
		reg->st.migrated++;
	}
	unlink_obj(reg, s);
	if (s->destroy != NULL)
		s->destroy(s->data);
	rte_free(s->data);
	free(s->shape);
	free(s);
	reg->st.live--;
}
