/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The template contract. A template (templates/) is a loop structure that
 * runs elements' stages: over one element's batch, over a fused chain of
 * elements, or over the whole pipeline. Each registers a struct of
 * operations with ADN_TPL_REGISTER, as elements register descriptors; the
 * plan names templates by these names and the executor calls the
 * operations. lib/core knows no concrete template.
 *
 * Per executor (one worker of one pipeline version) a plan instantiates
 * one struct adn_tpl_inst per element run by an element template, one per
 * chain, or one for the whole pipeline. Instances are built on the control
 * thread and never change afterwards: a new plan is a new version.
 */
#ifndef _ADN_TEMPLATE_H_
#define _ADN_TEMPLATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "adn_elem.h"
#include "adn_errs.h"

#define ADN_CHAIN_ELEMS 16

enum adn_tpl_scope {
	ADN_TPL_SCOPE_ELEM,	/* runs one stage-form element over a batch */
	ADN_TPL_SCOPE_CHAIN,	/* runs a linear chain of stage-form elements */
	ADN_TPL_SCOPE_PIPELINE,	/* runs the whole pipeline its own way */
};

struct adn_tpl_inst;
struct adn_tpl_ops;
struct adn_exec;

/* A template chosen with its parameter, as a plan names it. */
struct adn_tpl_choice {
	const struct adn_tpl_ops *tpl;	/* NULL: not chosen */
	uint32_t param;
};

/* ELEM: run t->e[0] over `b`, filling b->out[]. */
typedef void (*adn_tpl_run_fn)(struct adn_tpl_inst *t, struct adn_batch *b);
/* CHAIN: run the chain over `b`: b->out[i] is packet i's exit code, at[i]
 * the chain position it exited at; st[m] are e[m]'s stats of this worker,
 * for the links inside the chain (the executor counts the exits). */
typedef void (*adn_tpl_chain_fn)(struct adn_tpl_inst *t, struct adn_batch *b,
				 uint8_t *at,
				 struct adn_elem_stats *const *st);
/* PIPELINE: run everything queued in `x` at or after topological index
 * `from` to completion (adn_exec_walk is the per-packet primitive). */
typedef void (*adn_tpl_pipeline_fn)(struct adn_tpl_inst *t,
				    struct adn_exec *x, unsigned int from);

struct adn_tpl_inst {
	const struct adn_tpl_ops *ops;
	uint32_t param;
	unsigned int worker;
	/* ELEM: one element; CHAIN: the chain in order; PIPELINE: none. */
	unsigned int n;
	struct adn_elem *e[ADN_CHAIN_ELEMS];
	/* CHAIN: bit o of cont[m]: output o of e[m] continues to e[m+1]. */
	uint16_t cont[ADN_CHAIN_ELEMS];
	/* CHAIN: a member's own template when it has one that rides in
	 * chains (ops->in_chain), else tpl NULL. */
	struct adn_tpl_choice member[ADN_CHAIN_ELEMS];
	/* Set by instantiate. */
	union {
		adn_tpl_run_fn run;
		adn_tpl_chain_fn run_chain;
		adn_tpl_pipeline_fn run_pipeline;
	};
	void *priv;			/* the template's own */
	char status[160];		/* describe() detail, e.g. "compiled" */
};

struct adn_tpl_ops {
	const char *name;		/* as plans write it: "group" */
	const char *help;		/* one line for docs and errors */
	enum adn_tpl_scope scope;
	/* The parameter after the name ("group4", "fastpath<1024>"): its
	 * symbol for help texts ("N", "C"; NULL: takes none), default and
	 * range (powers of two). */
	const char *param;
	uint32_t def_param, min_param, max_param;
	/* An element must have all these flags (ADN_ELEM_*) to take it. */
	uint32_t needs_flags;
	/* ELEM templates only: the element may still be part of a chain,
	 * whose template receives this choice in member[] (fastpath heads a
	 * fastpath segment there). */
	bool in_chain;
	/* Instances cost much to make (jit: a compiler run): a plan search
	 * scores plans with this template in its place instead ("fused",
	 * the same loop uncompiled) and makes only the winner with it. */
	const char *scored_as;

	/* Control thread. Fill t->run / run_chain / run_pipeline and
	 * t->priv; on failure report to `errs` (naming t->e[0]) and return
	 * a negative errno. May leave t->status set to explain a fallback. */
	int (*instantiate)(struct adn_tpl_inst *t, struct adn_errs *errs);
	/* Free what instantiate allocated (NULL: nothing to free). */
	void (*free)(struct adn_tpl_inst *t);
	/* Detail about element e[pos] under this instance, appended to the
	 * template's name in /adn/plan (NULL: none). */
	void (*describe)(const struct adn_tpl_inst *t, unsigned int pos,
			 char *out, size_t len);
	/* Counters of the instance about element e[pos] (a cache's hits):
	 * fills at most `max`, returns how many (NULL: none). */
	unsigned int (*stats)(const struct adn_tpl_inst *t, unsigned int pos,
			      struct adn_xstat *out, unsigned int max);
};

/* --- registry ---------------------------------------------------------- */

void adn_tpl_register(const struct adn_tpl_ops *ops);
/* The template called `name`, or NULL. */
const struct adn_tpl_ops *adn_tpl_find(const char *name);
/* Iterate registered templates: NULL past the end. */
const struct adn_tpl_ops *adn_tpl_at(unsigned int i);

#define ADN_TPL_REGISTER(ops) \
	RTE_INIT(adn_tpl_register_ ## ops) \
	{ \
		adn_tpl_register(&(ops)); \
	}

/* True when element `e` may run under template `tpl`. */
static inline bool
adn_tpl_fits(const struct adn_tpl_ops *tpl, const struct adn_elem *e)
{
	return (e->desc->flags & tpl->needs_flags) == tpl->needs_flags;
}

#endif /* _ADN_TEMPLATE_H_ */
