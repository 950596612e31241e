/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plans: the full choice of how a pipeline runs (ARCHITECTURE §5) — batch
 * size, a template per element (lib/core/adn_template.h), element knobs, and
 * fusion boundaries (chains run by `fused` or `jit`).
 *
 * A plan comes from the config's `plan` group or from a string (adn-bench
 * -p, tests):
 *
 *   TPL                    default template of every stage-form element;
 *                          a chain template (fused, jit) fuses every
 *                          maximal chain
 *   batch=N                batch (burst) size
 *   ELEM=TPL               one element's template
 *   A+B+C=TPL              fuse the chain A -> B -> C under fused or jit
 *   ELEM.KEY=VALUE         a knob: a key the element declares tunable
 *
 * comma-separated, e.g. "group8,batch=64,route=fastpath1024,
 * count.size=65536" or "jit4,route.table=dir24_8". Template parameters
 * follow the name, `group4` or `group<4>`.
 *
 * Knobs change how an element is built, so they are applied to the config
 * before the pipeline is built (adn_plan_apply_knobs); templates and
 * chains are applied to each executor afterwards (adn_exec_apply_plan).
 */
#ifndef _ADN_PLAN_H_
#define _ADN_PLAN_H_

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "adn_errs.h"
#include "adn_pipeline.h"
#include "adn_template.h"

#define ADN_PLAN_MAX_ITEMS 64	/* per-element templates, knobs */
#define ADN_PLAN_MAX_CHAINS 16
/* The plan of a config without one. */
#define ADN_PLAN_DEFAULT "batch"
/* What a stage-form element runs under when the plan's default template
 * does not fit it (and the plan names none for it). */
#define ADN_PLAN_BASE_TEMPLATE "batch"

struct adn_plan_item {
	char elem[ADN_NAME_MAX];
	struct adn_tpl_choice c;
	const config_setting_t *where;	/* for errors; NULL in strings */
};

struct adn_plan_knob {
	char elem[ADN_NAME_MAX];
	char key[ADN_NAME_MAX];
	char value[128];
	const config_setting_t *where;
};

struct adn_plan_chain {
	unsigned int n;
	char elem[ADN_CHAIN_ELEMS][ADN_NAME_MAX];
	struct adn_tpl_choice c;
	const config_setting_t *where;
};

struct adn_plan {
	char text[ADN_PLAN_MAX];	/* the plan as a string */
	uint32_t burst;			/* 0: the config's `burst` */
	struct adn_tpl_choice def;	/* default template */
	unsigned int n_items, n_knobs, n_chains;
	struct adn_plan_item items[ADN_PLAN_MAX_ITEMS];
	struct adn_plan_knob knobs[ADN_PLAN_MAX_ITEMS];
	struct adn_plan_chain chains[ADN_PLAN_MAX_CHAINS];
	const config_setting_t *where;	/* the `plan` group, or NULL */
};

/* The default plan: `batch` everywhere, the config's burst. */
void adn_plan_init(struct adn_plan *p);

/* Parse a plan string. Every error goes to `errs` (key "plan"); returns 0
 * or -EINVAL. Element names are checked when the plan is applied. */
int adn_plan_parse(const char *s, struct adn_plan *p, struct adn_errs *errs);

/* Parse the config's `plan`: a group, or a string in the syntax above
 * (absent: the default plan). Errors name the line of the offending
 * entry. */
int adn_plan_from_config(const config_t *cfg, struct adn_plan *p,
			 struct adn_errs *errs);

/* Parse template spec "NAME", "NAMEP" or "NAME<P>" into `c`; NULL on
 * success or the reason. */
const char *adn_tpl_choice_parse(const char *s, struct adn_tpl_choice *c);
/* "group4", "fastpath1024", "batch". */
void adn_tpl_choice_name(const struct adn_tpl_choice *c, char *out,
			 size_t len);

/* Check the plan's knobs against the `elements` of `cfg`: each names an
 * element of the config and a key its type declares tunable, with a value
 * in the key's domain. Elements read knob values in place of their config
 * values while they are built (adn_elem_arg_*). */
int adn_plan_check_knobs(const struct adn_plan *p, const config_t *cfg,
			 struct adn_errs *errs);

/* The knob of `p` for element `elem`'s key `key`, or NULL. */
const struct adn_plan_knob *adn_plan_knob(const struct adn_plan *p,
					  const char *elem, const char *key);

#endif /* _ADN_PLAN_H_ */
