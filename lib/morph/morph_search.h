/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan search (NFMorph §3.2): an evolutionary search over a space of
 * genes, each a choice among plan fragments ("group8", "batch=64",
 * "route=fastpath1024", "count.size=65536", "" for the default). A plan is
 * the non-empty fragments of a genome joined by commas, so the search
 * knows nothing of templates: morph_space.c builds the space a pipeline
 * declares, tests build synthetic ones.
 *
 * Population, tournament selection, uniform crossover, per-gene mutation
 * and elitism, seeded with given genomes (the live plan, the defaults);
 * fitness is minimized (cycles per packet) and may be noisy: a plan is
 * scored once per search and the noise only perturbs the ranking, which
 * NFMorph counts on to leave local optima. Deterministic given the seed
 * and a deterministic fitness.
 */
#ifndef _MORPH_SEARCH_H_
#define _MORPH_SEARCH_H_

#include <stdint.h>

#include "adn_pipeline.h"

#define MORPH_MAX_GENES 48
#define MORPH_MAX_CHOICES 16
#define MORPH_FRAG_MAX 160
#define MORPH_MAX_SEEDS 4

struct morph_gene {
	char name[MORPH_FRAG_MAX];	/* "template", "route", "count.size" */
	unsigned int n;
	char choice[MORPH_MAX_CHOICES][MORPH_FRAG_MAX];
};

struct morph_space {
	unsigned int n_genes;
	struct morph_gene gene[MORPH_MAX_GENES];
};

struct morph_genome {
	uint8_t g[MORPH_MAX_GENES];
};

/* Score `plan`: 0 and *fitness (lower is better), or a negative errno
 * when the plan cannot run (it is then never chosen). */
typedef int (*morph_fitness_fn)(void *arg, const char *plan,
				double *fitness);

struct morph_search_conf {
	unsigned int population, generations;
	uint64_t seed;
	unsigned int n_seeds;
	struct morph_genome seeds[MORPH_MAX_SEEDS];
};

#define MORPH_RANKED 8

struct morph_search_result {
	char best[ADN_PLAN_MAX];
	double best_fitness;		/* INFINITY: nothing ran */
	unsigned int evaluated;		/* distinct plans scored */
	unsigned int failed;		/* of which could not run */
	/* The best plans scored, best first (best == ranked[0]). */
	unsigned int n_ranked;
	struct {
		char plan[ADN_PLAN_MAX];
		double fitness;
	} ranked[MORPH_RANKED];
};

/* The plan of genome `g`. */
void morph_plan_of(const struct morph_space *s, const struct morph_genome *g,
		   char *out, size_t len);

/* Run the search; returns 0, or -ENOMEM. */
int morph_search(const struct morph_space *s,
		 const struct morph_search_conf *c, morph_fitness_fn fn,
		 void *arg, struct morph_search_result *r);

#endif /* _MORPH_SEARCH_H_ */
