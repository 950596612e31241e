/* SPDX-License-Identifier: BSD-3-Clause */
/* The plan space of the live pipeline, for morph_search. */
#ifndef _MORPH_SPACE_H_
#define _MORPH_SPACE_H_

#include "morph_search.h"

struct adn_runtime;

/* The space of the live version's pipeline; 0 or -ENOENT. */
int morph_space_of(struct adn_runtime *rt, struct morph_space *s);

/* The genome whose plan is `plan` (its fragments in any order), or
 * -ENOENT when the plan has a fragment the space lacks (an explicit
 * chain, a knob value it does not try). */
int morph_genome_of(const struct morph_space *s, const char *plan,
		    struct morph_genome *g);

/* `plan` with every template that is scored as another (jit, scored as
 * fused) put back in place of that other: the plan to make once a search
 * has picked `plan`. Returns how many fragments changed. */
int morph_compiled_twin(const char *plan, char *out, size_t len);

/* `plan` (a plan of the space: its first fragment is the default
 * template) with the default template replaced by the first template
 * that is scored as another, at its default parameter ("jit8,..."): the
 * compiled form a search tries of its winner whatever template won
 * uncompiled. Returns 1 when that differs from `plan`, else 0. */
int morph_compiled_variant(const char *plan, char *out, size_t len);

#endif /* _MORPH_SPACE_H_ */
