/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan space a pipeline declares (ARCHITECTURE §5): the default
 * template (every registered template but those scored as another), the
 * batch size, a per-element template where one fits only some elements
 * (fastpath on PURE_ON_FLOW ones), and each element's knobs. Empty
 * fragments stand for the config's own choice, so a genome of zeros is
 * the plan a config without `plan` runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "adn_plan.h"
#include "adn_runtime.h"
#include "morph_space.h"

static const unsigned int bursts[] = { 16, 32, 64, 128, 256 };

static struct morph_gene *
gene_new(struct morph_space *s, const char *name)
{
	struct morph_gene *g;

	if (s->n_genes == MORPH_MAX_GENES)
		return NULL;
	g = &s->gene[s->n_genes++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->n = 1;	/* choice 0: "" (the config's own) */
	return g;
}

/* A choice; one that does not fit a fragment is not offered. */
static void __attribute__((format(printf, 2, 3)))
gene_add(struct morph_gene *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (g->n == MORPH_MAX_CHOICES)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->choice[g->n], MORPH_FRAG_MAX, fmt, ap);
	va_end(ap);
	if (n > 0 && n < MORPH_FRAG_MAX)
		g->n++;
}

/* A gene with nothing to choose is dropped again. */
static void
gene_done(struct morph_space *s, struct morph_gene *g)
{
	if (g != NULL && g->n < 2 && g == &s->gene[s->n_genes - 1])
		s->n_genes--;
}

/* The template's parameters a search tries: powers of two within a
 * factor of four of its default, in its range. */
static void
add_params(struct morph_gene *g, const struct adn_tpl_ops *t,
	   const char *prefix)
{
	if (t->param == NULL) {
		gene_add(g, "%s%s", prefix, t->name);
		return;
	}
	for (uint32_t p = t->def_param / 4 ? t->def_param / 4 : 1;
	     p <= t->def_param * 4; p *= 2)
		if (p >= t->min_param && p <= t->max_param)
			gene_add(g, "%s%s%u", prefix, t->name, p);
}

static void
add_knobs(struct morph_space *s, const struct adn_elem *e)
{
	for (const struct adn_arg_spec *a = e->desc->args; a && a->name; a++) {
		struct morph_gene *g;
		char name[2 * ADN_NAME_MAX];

		if (!a->knob)
			continue;
		snprintf(name, sizeof(name), "%s.%s", e->name, a->name);
		g = gene_new(s, name);
		if (g == NULL)
			return;
		if (a->type == ADN_ARG_STRING && a->choices != NULL) {
			const char *cur = adn_elem_arg_str(e, a->name);

			for (const char *const *c = a->choices; *c; c++)
				if (cur == NULL || strcmp(*c, cur) != 0)
					gene_add(g, "%s=%s", name, *c);
		} else if (a->type == ADN_ARG_INT) {
			/* A table size: smaller ones (NFMorph §2.2: "reduce
			 * the data-structure footprint") and one larger. */
			int64_t cur = adn_elem_arg_int(e, a->name);
			const int64_t f[] = { 64, 16, 4 };

			for (unsigned int i = 0; i < RTE_DIM(f); i++)
				if (cur / f[i] >= a->min && cur % f[i] == 0)
					gene_add(g, "%s=%" PRId64, name,
						 cur / f[i]);
			if (cur <= a->max / 2)
				gene_add(g, "%s=%" PRId64, name, cur * 2);
		} else if (a->type == ADN_ARG_BOOL) {
			gene_add(g, "%s=%s", name,
				 adn_elem_arg_bool(e, a->name) ? "false" :
				 "true");
		}
		gene_done(s, g);
	}
}

static void
add_elem(const char *name, const char *type, const struct adn_elem *e,
	 const struct adn_elem_totals *t, void *arg)
{
	struct morph_space *s = arg;
	struct morph_gene *g;
	const struct adn_tpl_ops *tpl;
	char prefix[ADN_NAME_MAX + 1];

	RTE_SET_USED(type);
	RTE_SET_USED(t);
	if (e == NULL)
		return;		/* removed by a reload */
	if (e->desc->process == NULL &&
	    !(e->desc->flags & ADN_ELEM_SOURCE)) {
		g = gene_new(s, name);
		snprintf(prefix, sizeof(prefix), "%s=", name);
		for (unsigned int i = 0; g && (tpl = adn_tpl_at(i)); i++)
			if (tpl->scope == ADN_TPL_SCOPE_ELEM &&
			    tpl->needs_flags != 0 && adn_tpl_fits(tpl, e))
				add_params(g, tpl, prefix);
		gene_done(s, g);
	}
	add_knobs(s, e);
}

int
morph_space_of(struct adn_runtime *rt, struct morph_space *s)
{
	const struct adn_tpl_ops *tpl;
	struct morph_gene *g;
	unsigned int burst;

	memset(s, 0, sizeof(*s));
	/* Default template: gene 0, the base template first. */
	g = gene_new(s, "template");
	g->n = 0;
	gene_add(g, "%s", ADN_PLAN_BASE_TEMPLATE);
	for (unsigned int i = 0; (tpl = adn_tpl_at(i)); i++)
		if (tpl->scored_as == NULL && tpl->needs_flags == 0 &&
		    strcmp(tpl->name, ADN_PLAN_BASE_TEMPLATE) != 0)
			add_params(g, tpl, "");
	burst = adn_runtime_burst(rt);
	g = gene_new(s, "batch");
	for (unsigned int i = 0; i < RTE_DIM(bursts); i++)
		if (bursts[i] != burst && bursts[i] <= ADN_BATCH_MAX)
			gene_add(g, "batch=%u", bursts[i]);
	adn_runtime_foreach_elem(rt, add_elem, s);
	return s->n_genes > 0 ? 0 : -ENOENT;
}

int
morph_genome_of(const struct morph_space *s, const char *plan,
		struct morph_genome *g)
{
	char buf[ADN_PLAN_MAX], *save = NULL;

	memset(g, 0, sizeof(*g));
	snprintf(buf, sizeof(buf), "%s", plan);
	for (char *f = strtok_r(buf, ",", &save); f;
	     f = strtok_r(NULL, ",", &save)) {
		bool found = false;

		for (unsigned int i = 0; i < s->n_genes && !found; i++)
			for (unsigned int c = 0; c < s->gene[i].n; c++)
				if (strcmp(s->gene[i].choice[c], f) == 0) {
					g->g[i] = (uint8_t)c;
					found = true;
					break;
				}
		if (!found)
			return -ENOENT;
	}
	return 0;
}

int
morph_compiled_twin(const char *plan, char *out, size_t len)
{
	const struct adn_tpl_ops *tpl;
	int n = 0;

	snprintf(out, len, "%s", plan);
	for (unsigned int i = 0; (tpl = adn_tpl_at(i)); i++) {
		size_t from = strlen(tpl->scored_as ? tpl->scored_as : "");
		char *p;

		if (tpl->scored_as == NULL)
			continue;
		/* Each fragment naming the scoring template, alone or after
		 * '=' (a chain's), with its parameter kept. */
		for (p = strstr(out, tpl->scored_as); p;
		     p = strstr(p + 1, tpl->scored_as)) {
			char rest[ADN_PLAN_MAX];

			if (p != out && p[-1] != ',' && p[-1] != '=')
				continue;
			snprintf(rest, sizeof(rest), "%s", p + from);
			snprintf(p, len - (size_t)(p - out), "%s%s",
				 tpl->name, rest);
			n++;
		}
	}
	return n;
}

int
morph_compiled_variant(const char *plan, char *out, size_t len)
{
	const struct adn_tpl_ops *tpl;
	const char *rest = strchr(plan, ',');

	for (unsigned int i = 0; (tpl = adn_tpl_at(i)); i++)
		if (tpl->scored_as != NULL)
			break;
	if (tpl == NULL)
		return 0;
	/* The first fragment is the default template (gene 0). */
	snprintf(out, len, "%s%u%s", tpl->name, tpl->def_param,
		 rest ? rest : "");
	return strcmp(out, plan) != 0;
}
