/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Element templates (loops in templates/adn_tpl.h): batch, prefetch,
 * group<N> and fastpath<C>, registered with the core.
 */
#include <errno.h>
#include <stdio.h>

#include "adn_tpl.h"

static int
batch_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->run = adn_tpl_batch;
	return 0;
}

static const struct adn_tpl_ops adn_tpl_batch_ops = {
	.name = "batch",
	.help = "each element over the whole batch, prep+exec per packet",
	.scope = ADN_TPL_SCOPE_ELEM,
	.instantiate = batch_instantiate,
};
ADN_TPL_REGISTER(adn_tpl_batch_ops);

static int
prefetch_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->run = adn_tpl_prefetch;
	return 0;
}

static const struct adn_tpl_ops adn_tpl_prefetch_ops = {
	.name = "prefetch",
	.help = "prefetch headers, prep all and prefetch what they return, exec all",
	.scope = ADN_TPL_SCOPE_ELEM,
	.instantiate = prefetch_instantiate,
};
ADN_TPL_REGISTER(adn_tpl_prefetch_ops);

static int
group_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->run = t->param == 2 ? adn_tpl_group2 :
		t->param == 4 ? adn_tpl_group4 : adn_tpl_group8;
	return 0;
}

static const struct adn_tpl_ops adn_tpl_group_ops = {
	.name = "group",
	.help = "group<N>, N = 2, 4, 8: prep group k while exec group k-1",
	.scope = ADN_TPL_SCOPE_ELEM,
	.param = "N", .def_param = 4, .min_param = 2, .max_param = 8,
	.instantiate = group_instantiate,
};
ADN_TPL_REGISTER(adn_tpl_group_ops);

static int
fastpath_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	t->priv = adn_fastpath_create(t->param);
	if (t->priv == NULL) {
		adn_errs_add(errs, NULL, t->e[0]->name, "template",
			     "out of memory for a %u-entry fastpath cache",
			     t->param);
		return -ENOMEM;
	}
	t->run = adn_tpl_fastpath;
	return 0;
}

static void
fastpath_free(struct adn_tpl_inst *t)
{
	adn_fastpath_free(t->priv);
}

unsigned int
adn_fastpath_xstats(const struct adn_fastpath *fp, struct adn_xstat *out,
		    unsigned int max)
{
	const struct {
		const char *name;
		uint64_t v;
	} st[] = {
		{ "hits", fp->st.hits }, { "misses", fp->st.misses },
		{ "admitted", fp->st.admitted }, { "flushes", fp->st.flushes },
	};
	unsigned int n = RTE_MIN(max, (unsigned int)RTE_DIM(st));

	for (unsigned int i = 0; i < n; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "%s", st[i].name);
		out[i].value = st[i].v;
	}
	return n;
}

static unsigned int
fastpath_stats(const struct adn_tpl_inst *t, unsigned int pos,
	       struct adn_xstat *out, unsigned int max)
{
	return adn_fastpath_xstats(t->priv, out, max);
}

const struct adn_tpl_ops adn_tpl_fastpath_ops = {
	.name = "fastpath",
	.help = "fastpath<C>: results of heavy-hitter flows from a C-entry cache",
	.scope = ADN_TPL_SCOPE_ELEM,
	.param = "C", .def_param = 1024, .min_param = 16, .max_param = 65536,
	.needs_flags = ADN_ELEM_PURE_ON_FLOW,
	/* Inside a chain it heads a fastpath segment (adn_fused.h). */
	.in_chain = true,
	.instantiate = fastpath_instantiate,
	.free = fastpath_free,
	.stats = fastpath_stats,
};
ADN_TPL_REGISTER(adn_tpl_fastpath_ops);
