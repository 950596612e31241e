/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: the loop structures that drive an element's stages. The
 * element's algorithm is written once (prep/exec); how it is looped over a
 * batch is chosen here (ARCHITECTURE §5).
 *
 * A template is an adn_tpl_fn. The executor holds one per element, chosen
 * when a plan is applied (adn_exec_set_plan); a new template is one more
 * function here and one more row in adn_tpls[], usable at once by every
 * stage-form element and by adn-bench (`-p batch,route=NAME`).
 */
#ifndef _ADN_TPL_H_
#define _ADN_TPL_H_

#include <string.h>

#include "adn_elem.h"

/* Runs element `e` over batch `b`, filling b->out[]. */
typedef void (*adn_tpl_fn)(struct adn_elem *e, struct adn_batch *b);

/* `batch`: every packet of the batch through prep then exec. */
static inline void
adn_tpl_batch(struct adn_elem *e, struct adn_batch *b)
{
	const struct adn_elem_desc *d = e->desc;

	for (uint16_t i = 0; i < b->n; i++) {
		if (d->prep != NULL)
			d->prep(e, b->pkts[i], &b->ctx[i]);
		b->out[i] = (int16_t)d->exec(e, b->pkts[i], &b->ctx[i]);
	}
}

/* Batch-form elements take no template: their own process() is the loop. */
static inline void
adn_tpl_process(struct adn_elem *e, struct adn_batch *b)
{
	e->desc->process(e, b);
}

/* Run one element over a batch in its own form. */
static inline void
adn_tpl_run(struct adn_elem *e, struct adn_batch *b)
{
	if (e->desc->process != NULL)
		e->desc->process(e, b);
	else
		adn_tpl_batch(e, b);
}

/* The default template of an element: its process(), else `batch`. */
static inline adn_tpl_fn
adn_tpl_default(const struct adn_elem *e)
{
	return e->desc->process != NULL ? adn_tpl_process : adn_tpl_batch;
}

/* Templates a plan may name for a stage-form element. */
struct adn_tpl {
	const char *name;
	adn_tpl_fn fn;
	const char *help;
};

static const struct adn_tpl adn_tpls[] = {
	{ "batch", adn_tpl_batch, "each element over the whole batch, prep+exec per packet" },
};

/* The template called `name`, or NULL. */
static inline const struct adn_tpl *
adn_tpl_find(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(adn_tpls); i++)
		if (strcmp(adn_tpls[i].name, name) == 0)
			return &adn_tpls[i];
	return NULL;
}

#endif /* _ADN_TPL_H_ */
