/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `tally` — the worked example of a template (docs/architecture.md): the
 * `batch` loop (prep, bulk when the element has one, exec) that also
 * counts the packets it sends to each output, shown by /adn/plan beside
 * the element. The test suite builds and runs it
 * (tests/unit/test_examples.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "adn_tpl.h"

/* Per instance: one worker's counts for its element. */
struct tally {
	uint64_t out[ADN_MAX_OUTPUTS];
	uint64_t dropped;
};

static void
tally_run(struct adn_tpl_inst *t, struct adn_batch *b)
{
	struct tally *c = t->priv;

	adn_tpl_batch(t, b);	/* the loop itself is batch's */
	for (uint16_t i = 0; i < b->n; i++) {
		if (b->out[i] >= 0 && b->out[i] < ADN_MAX_OUTPUTS)
			c->out[b->out[i]]++;
		else
			c->dropped++;
	}
}

/* Control thread: the instance's state, then its run function. */
static int
tally_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->priv = calloc(1, sizeof(struct tally));
	if (t->priv == NULL) {
		adn_errs_add(errs, NULL, t->e[0]->name, "template",
			     "out of memory for tally");
		return -ENOMEM;
	}
	t->run = tally_run;
	return 0;
}

static void
tally_free(struct adn_tpl_inst *t)
{
	free(t->priv);
}

static unsigned int
tally_stats(const struct adn_tpl_inst *t, unsigned int pos,
	    struct adn_xstat *out, unsigned int max)
{
	const struct tally *c = t->priv;
	unsigned int n = 0;

	RTE_SET_USED(pos);
	for (unsigned int o = 0; o < t->e[0]->n_outputs && n < max; o++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "out%u", o);
		out[n].value = c->out[o];
	}
	if (n < max) {
		snprintf(out[n].name, sizeof(out[n].name), "dropped");
		out[n++].value = c->dropped;
	}
	return n;
}

static const struct adn_tpl_ops tally_ops = {
	.name = "tally",
	.help = "batch, counting the packets sent to each output",
	.scope = ADN_TPL_SCOPE_ELEM,
	.instantiate = tally_instantiate,
	.free = tally_free,
	.stats = tally_stats,
};

ADN_TPL_REGISTER(tally_ops);
