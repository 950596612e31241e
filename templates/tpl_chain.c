/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chain templates: `fused` (the generic loop of templates/adn_fused.h) and
 * `jit` (the same loop compiled for the chain, templates/adn_jit.c, with
 * `fused` as its fallback), registered with the core. A member under
 * fastpath<C> heads the chain's fastpath segment.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_fused.h"
#include "adn_jit.h"

static void
chain_run(struct adn_tpl_inst *t, struct adn_batch *b, uint8_t *at,
	  struct adn_elem_stats *const *st)
{
	const struct adn_chain *c = t->priv;

	c->fn(c, b, at, st);
}

static void
chain_free(struct adn_tpl_inst *t)
{
	struct adn_chain *c = t->priv;

	if (c == NULL)
		return;
	if (c->fp != NULL)
		adn_fastpath_free(c->fp->cache);
	/* The compiled object goes with the last chain that runs it. */
	adn_jit_lib_put(c->lib);
	rte_free(c->fp);
	rte_free(c);
	t->priv = NULL;
}

/* The chain's fastpath segment, if one of its elements runs under
 * fastpath<C>: that element, then each next one while it is PURE_ON_FLOW,
 * and one PREP_PURE_ON_FLOW element to end it (adn_fused.h). */
static int
chain_fastpath(struct adn_tpl_inst *t, struct adn_chain *c,
	       struct adn_errs *errs)
{
	struct adn_chain_fp *fp;
	unsigned int head = c->n;

	for (unsigned int m = 0; m < c->n; m++) {
		if (t->member[m].tpl != &adn_tpl_fastpath_ops)
			continue;
		if (head < c->n) {
			adn_errs_add(errs, NULL, c->e[m]->name, "template",
				     "the chain from '%s' already has a fastpath at '%s': one per chain",
				     c->e[0]->name, c->e[head]->name);
			return -EINVAL;
		}
		head = m;
	}
	if (head == c->n)
		return 0;
	fp = rte_zmalloc("adn_chain_fp", sizeof(*fp), RTE_CACHE_LINE_SIZE);
	if (fp != NULL)
		fp->cache = adn_fastpath_create(t->member[head].param);
	if (fp == NULL || fp->cache == NULL) {
		rte_free(fp);
		adn_errs_add(errs, NULL, c->e[head]->name, "template",
			     "out of memory for a fastpath cache");
		return -ENOMEM;
	}
	fp->head = head;
	for (unsigned int m = head; m < c->n && fp->n < ADN_FASTPATH_SEG_MAX;
	     m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;

		if (d->flags & ADN_ELEM_PURE_ON_FLOW) {
			c->role[m] = ADN_FP_ROLE(ADN_FP_IN | ADN_FP_OUT, fp->n++);
			continue;
		}
		if ((d->flags & ADN_ELEM_PREP_PURE_ON_FLOW) &&
		    d->prep != NULL && d->prep_ctx_bytes > 0 &&
		    d->prep_ctx_bytes <= ADN_FASTPATH_CTX_BYTES) {
			c->role[m] = ADN_FP_ROLE(ADN_FP_IN | ADN_FP_CTX,
						 d->prep_ctx_bytes);
			fp->n++;
		}
		break;
	}
	c->role[head] |= ADN_FP_HEAD;
	c->role[head + fp->n - 1] |= ADN_FP_LAST;
	c->fp = fp;
	return 0;
}

static int
fused_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	struct adn_chain *c = rte_zmalloc("adn_chain", sizeof(*c),
					  RTE_CACHE_LINE_SIZE);
	int rc;

	if (c == NULL) {
		adn_errs_add(errs, NULL, t->e[0]->name, "template",
			     "out of memory for a chain");
		return -ENOMEM;
	}
	c->n = t->n;
	c->group = t->param;
	memcpy(c->e, t->e, sizeof(c->e));
	memcpy(c->cont, t->cont, sizeof(c->cont));
	c->fn = adn_fused_run;
	t->priv = c;
	rc = chain_fastpath(t, c, errs);
	if (rc < 0) {
		chain_free(t);
		return rc;
	}
	t->run_chain = chain_run;
	return 0;
}

/* ", fastpath1024 over route+count" for an element of the segment. */
static void
describe_segment(const struct adn_chain *c, unsigned int m, char *out,
		 size_t len)
{
	const struct adn_chain_fp *fp = c->fp;
	size_t off;

	out[0] = '\0';
	if (fp == NULL || m < fp->head || m >= fp->head + fp->n)
		return;
	off = (size_t)snprintf(out, len, ", fastpath%u over ",
			       fp->cache->entries);
	for (unsigned int k = fp->head; k < fp->head + fp->n && off < len; k++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					k > fp->head ? "+" : "",
					c->e[k]->name);
}

static void
chain_describe(const struct adn_tpl_inst *t, unsigned int pos, char *out,
	       size_t len)
{
	const struct adn_chain *c = t->priv;
	char seg[160];

	describe_segment(c, pos, seg, sizeof(seg));
	snprintf(out, len, " (chain of %u from '%s', position %u%s%s%s)",
		 c->n, c->e[0]->name, pos, seg, t->status[0] ? ": " : "",
		 t->status);
}

static unsigned int
chain_stats(const struct adn_tpl_inst *t, unsigned int pos,
	    struct adn_xstat *out, unsigned int max)
{
	const struct adn_chain *c = t->priv;

	if (c->fp == NULL || c->fp->head != pos)
		return 0;
	return adn_fastpath_xstats(c->fp->cache, out, max);
}

static const struct adn_tpl_ops adn_tpl_fused_ops = {
	.name = "fused",
	.help = "fused<N>: a chain of elements run group by group in one loop",
	.scope = ADN_TPL_SCOPE_CHAIN,
	.param = "N", .def_param = 8, .min_param = 1,
	.max_param = ADN_CHAIN_GROUP_MAX,
	.instantiate = fused_instantiate,
	.free = chain_free,
	.describe = chain_describe,
	.stats = chain_stats,
};
ADN_TPL_REGISTER(adn_tpl_fused_ops);

static int
jit_instantiate(struct adn_tpl_inst *t, struct adn_errs *errs)
{
	int rc = fused_instantiate(t, errs);
	struct adn_chain *c = t->priv;
	adn_chain_fn fn;

	if (rc < 0)
		return rc;
	/* Without a compiler the fused loop runs: describe says why. */
	fn = adn_jit_chain(c, &c->lib, t->status, sizeof(t->status));
	if (fn != NULL)
		c->fn = fn;
	return 0;
}

static const struct adn_tpl_ops adn_tpl_jit_ops = {
	.name = "jit",
	.help = "jit<N>: the fused chain compiled to native code (falls back to fused)",
	.scope = ADN_TPL_SCOPE_CHAIN,
	.param = "N", .def_param = 8, .min_param = 1,
	.max_param = ADN_CHAIN_GROUP_MAX,
	.scored_as = "fused",
	.instantiate = jit_instantiate,
	.free = chain_free,
	.describe = chain_describe,
	.stats = chain_stats,
};
ADN_TPL_REGISTER(adn_tpl_jit_ops);
