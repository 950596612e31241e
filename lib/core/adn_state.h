/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state registry: element state that outlives one pipeline version
 * (tables, counters, caches) is allocated here, keyed by element name and
 * a state key, never in one build's priv (ARCHITECTURE §6).
 *
 * A build asks for each state object with adn_elem_state() (adn_elem.h).
 * When the previous version had the same element (name and type) with the
 * same values of the keys its descriptor marks `shapes_state`, the build
 * gets the live object back: pointers are shared, nothing is copied, and
 * both versions see one state while workers move from one to the other.
 * When the shape changed (FlowCounter `size`), the build gets a new zeroed
 * object and, read-only, the previous one:
 *
 *   - an element that builds the new state from the old one in configure
 *     (LpmRoute: the routes, table changed) says so with
 *     ADN_STATE_FROM_PREV;
 *   - otherwise, when the descriptor has a migrate hook, the registry calls
 *     it once the old object's last version is retired (after the RCU
 *     grace period: no worker writes the old object any more), e.g. to
 *     fold counters into the new object;
 *   - otherwise the reset is logged and counted (adn_state_reg_stats).
 *
 * An object whose key names all it depends on (Acl's "rules-DIGEST") asks
 * with ADN_STATE_KEY_SHAPES: its shape is empty, so the element's
 * shapes_state keys never reshape it.
 *
 * Objects are reference counted by the pipelines that use them and freed
 * (their destroy callback, then rte_free) with the last one. Objects a
 * build creates stay pending until adn_state_reg_commit(): a build that
 * fails releases them and leaves the registry as it was.
 *
 * Threads: the registry is used by the control thread that builds and
 * retires versions (the runtime serializes them); the counters may be read
 * from any thread.
 */
#ifndef _ADN_STATE_H_
#define _ADN_STATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct adn_state_reg;
struct adn_state;

struct adn_state_reg_stats {
	uint64_t created;	/* new objects (fresh or reshaped) */
	uint64_t reused;	/* handed to a new build as they were */
	uint64_t migrated;	/* migrate hooks run */
	uint64_t resets;	/* reshaped without a way to keep the data */
	uint64_t live;		/* objects allocated now */
};

/* A new registry; 0 or -ENOMEM. */
int adn_state_reg_create(struct adn_state_reg **out);
/* Free the registry; every object must have been released. */
void adn_state_reg_free(struct adn_state_reg *reg);
void adn_state_reg_stats(const struct adn_state_reg *reg,
			 struct adn_state_reg_stats *st);

/* Make the objects build `build` created the current ones of their keys
 * (the build succeeded and is published). */
void adn_state_reg_commit(struct adn_state_reg *reg, const void *build);

/* The objects pending for build `from` are pending for `to` from now on
 * (the build context handed them to the pipeline it made). */
void adn_state_reg_rekey(struct adn_state_reg *reg, const void *from,
			 const void *to);

/* Migration hook of a descriptor (struct adn_elem_desc.migrate): fill
 * `to` (the new object of state `key`, possibly in use by workers of the
 * new version) from `from` (the old one, quiescent). */
typedef void (*adn_state_migrate_fn)(const char *key, void *to,
				     const void *from);

/*
 * For the pipeline builder: object `key` of element `elem` (type `type`)
 * with shape `shape` and `size` bytes for build `build`. Returns 0 and
 * *obj (one reference for the caller), *data, *prev (NULL unless reshaped)
 * and *reused; or -ENOMEM. `destroy` (may be NULL) frees what the object
 * points to, before the registry frees the object itself.
 */
int adn_state_get(struct adn_state_reg *reg, const void *build,
		  const char *elem, const char *type, const char *key,
		  const char *shape, size_t size, void (*destroy)(void *data),
		  adn_state_migrate_fn migrate, bool from_prev,
		  struct adn_state **obj, void **data, const void **prev,
		  bool *reused);

/* Drop one reference; with the last, run a pending migration into the
 * key's successor and free the object. */
void adn_state_release(struct adn_state *s);

#endif /* _ADN_STATE_H_ */
