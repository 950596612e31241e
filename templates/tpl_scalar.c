/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `scalar`: one packet at a time through the whole pipeline, before the
 * next packet starts (the strawman baseline of NFMorph §2): no batching
 * anywhere. Stage-form elements get prep and exec called directly,
 * batch-form ones a batch of one (adn_exec_walk).
 */
#include "adn_pipeline.h"
#include "adn_template.h"

static void
scalar_run(struct adn_tpl_inst *t, struct adn_exec *x, unsigned int from)
{
	const struct adn_pipeline *p = adn_exec_pipeline(x);
	const unsigned int n_elems = adn_pipeline_n_elems(p);

	for (unsigned int i = from; i < n_elems; i++) {
		struct adn_elem *e = adn_pipeline_elem(p, i);
		struct adn_batch *b = adn_exec_source_batch(x, e);
		const uint16_t n = b->n;

		b->n = 0;
		for (uint16_t k = 0; k < n; k++)
			adn_exec_walk(x, e, b->pkts[k]);
	}
}

static int
scalar_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->run_pipeline = scalar_run;
	return 0;
}

static const struct adn_tpl_ops adn_tpl_scalar_ops = {
	.name = "scalar",
	.help = "one packet at a time through the whole pipeline (the strawman)",
	.scope = ADN_TPL_SCOPE_PIPELINE,
	.instantiate = scalar_instantiate,
};
ADN_TPL_REGISTER(adn_tpl_scalar_ops);
