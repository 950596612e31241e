/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: the loop structures that drive an element's stages. The
 * element's algorithm is written once (prep/exec); how it is looped over a
 * batch is chosen here (ARCHITECTURE §5).
 */
#ifndef _ADN_TPL_H_
#define _ADN_TPL_H_

#include "adn_elem.h"

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

/* Run one element over a batch in its own form. */
static inline void
adn_tpl_run(struct adn_elem *e, struct adn_batch *b)
{
	if (e->desc->process != NULL)
		e->desc->process(e, b);
	else
		adn_tpl_batch(e, b);
}

#endif /* _ADN_TPL_H_ */
