/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adn_rand.h"
#include "morph_search.h"

#define TOURNAMENT 3
#define ELITE 2
#define CROSSOVER_PCT 70

/* Plans scored in this search, so a genome met again costs nothing. */
struct memo {
	unsigned int n, cap;
	struct {
		char plan[ADN_PLAN_MAX];
		double fitness;
	} *e;
};

struct indiv {
	struct morph_genome g;
	double fitness;
};

void
morph_plan_of(const struct morph_space *s, const struct morph_genome *g,
	      char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < s->n_genes && off < len; i++) {
		const char *f = s->gene[i].choice[g->g[i]];

		if (f[0] != '\0')
			off += (size_t)snprintf(out + off, len - off, "%s%s",
						off ? "," : "", f);
	}
}

static int
score(const struct morph_space *s, const struct morph_genome *g,
      morph_fitness_fn fn, void *arg, struct memo *m,
      struct morph_search_result *r, double *fitness)
{
	char plan[ADN_PLAN_MAX];

	morph_plan_of(s, g, plan, sizeof(plan));
	for (unsigned int i = 0; i < m->n; i++)
		if (strcmp(m->e[i].plan, plan) == 0) {
			*fitness = m->e[i].fitness;
			return 0;
		}
	if (m->n == m->cap) {
		unsigned int cap = m->cap ? m->cap * 2 : 64;
		void *e = realloc(m->e, sizeof(*m->e) * cap);

		if (e == NULL)
			return -ENOMEM;
		m->e = e;
		m->cap = cap;
	}
	if (fn(arg, plan, fitness) < 0) {
		*fitness = INFINITY;
		r->failed++;
	}
	r->evaluated++;
	snprintf(m->e[m->n].plan, sizeof(m->e[m->n].plan), "%s", plan);
	m->e[m->n++].fitness = *fitness;
	if (*fitness < r->best_fitness) {
		r->best_fitness = *fitness;
		snprintf(r->best, sizeof(r->best), "%s", plan);
	}
	return 0;
}

static void
random_genome(const struct morph_space *s, struct adn_rand *rnd,
	      struct morph_genome *g)
{
	for (unsigned int i = 0; i < s->n_genes; i++)
		g->g[i] = (uint8_t)adn_rand_below(rnd, s->gene[i].n);
}

static const struct indiv *
tournament(const struct indiv *pop, unsigned int n, struct adn_rand *rnd)
{
	const struct indiv *best = &pop[adn_rand_below(rnd, n)];

	for (unsigned int k = 1; k < TOURNAMENT; k++) {
		const struct indiv *c = &pop[adn_rand_below(rnd, n)];

		if (c->fitness < best->fitness)
			best = c;
	}
	return best;
}

/* Uniform crossover of a and b (or a copy of a), then each gene mutates
 * with probability 1/n_genes, and at least one does: a child always
 * differs from what a tournament would pick again. */
static void
offspring(const struct morph_space *s, const struct indiv *a,
	  const struct indiv *b, struct adn_rand *rnd, struct morph_genome *c)
{
	bool cross = adn_rand_below(rnd, 100) < CROSSOVER_PCT;
	bool mutated = false;

	for (unsigned int i = 0; i < s->n_genes; i++) {
		c->g[i] = cross && (adn_rand_u64(rnd) & 1) ? b->g.g[i] :
			a->g.g[i];
		if (s->gene[i].n > 1 && adn_rand_below(rnd, s->n_genes) == 0) {
			c->g[i] = (uint8_t)adn_rand_below(rnd, s->gene[i].n);
			mutated = true;
		}
	}
	if (!mutated) {
		unsigned int movable = 0;

		for (unsigned int i = 0; i < s->n_genes; i++)
			movable += s->gene[i].n > 1;
		for (unsigned int i = 0, k = movable ?
		     (unsigned int)adn_rand_below(rnd, movable) : 0;
		     movable && i < s->n_genes; i++) {
			if (s->gene[i].n < 2 || k-- > 0)
				continue;
			/* Any other choice of this gene. */
			c->g[i] = (uint8_t)((c->g[i] + 1 +
				adn_rand_below(rnd, s->gene[i].n - 1)) %
				s->gene[i].n);
			break;
		}
	}
}

static int
by_fitness(const void *a, const void *b)
{
	double x = ((const struct indiv *)a)->fitness;
	double y = ((const struct indiv *)b)->fitness;

	return x < y ? -1 : x > y;
}

/* The MORPH_RANKED best plans of the memo into r->ranked. */
static void
rank(const struct memo *m, struct morph_search_result *r)
{
	r->n_ranked = 0;
	for (unsigned int i = 0; i < m->n; i++) {
		unsigned int k = r->n_ranked;

		if (!isfinite(m->e[i].fitness))
			continue;
		while (k > 0 && r->ranked[k - 1].fitness > m->e[i].fitness) {
			if (k < MORPH_RANKED)
				r->ranked[k] = r->ranked[k - 1];
			k--;
		}
		if (k == MORPH_RANKED)
			continue;
		snprintf(r->ranked[k].plan, sizeof(r->ranked[k].plan), "%s",
			 m->e[i].plan);
		r->ranked[k].fitness = m->e[i].fitness;
		if (r->n_ranked < MORPH_RANKED)
			r->n_ranked++;
	}
}

int
morph_search(const struct morph_space *s, const struct morph_search_conf *c,
	     morph_fitness_fn fn, void *arg, struct morph_search_result *r)
{
	const unsigned int np = c->population < 2 ? 2 : c->population;
	struct indiv *pop = calloc(np, sizeof(*pop));
	struct indiv *next = calloc(np, sizeof(*next));
	struct memo memo = { 0 };
	struct adn_rand rnd;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->best_fitness = INFINITY;
	if (pop == NULL || next == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	adn_rand_seed(&rnd, c->seed);
	for (unsigned int i = 0; i < np; i++) {
		if (i < c->n_seeds)
			pop[i].g = c->seeds[i];
		else
			random_genome(s, &rnd, &pop[i].g);
		rc = score(s, &pop[i].g, fn, arg, &memo, r, &pop[i].fitness);
		if (rc < 0)
			goto out;
	}
	for (unsigned int gen = 0; gen < c->generations; gen++) {
		qsort(pop, np, sizeof(*pop), by_fitness);
		for (unsigned int i = 0; i < np; i++) {
			if (i < ELITE) {
				next[i] = pop[i];
				continue;
			}
			offspring(s, tournament(pop, np, &rnd),
				  tournament(pop, np, &rnd), &rnd, &next[i].g);
			rc = score(s, &next[i].g, fn, arg, &memo, r,
				   &next[i].fitness);
			if (rc < 0)
				goto out;
		}
		memcpy(pop, next, sizeof(*pop) * np);
	}
out:
	rank(&memo, r);
	free(memo.e);
	free(pop);
	free(next);
	return rc;
}
