/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plan parser and plan application: an input is a plan string, as
 * `/adn/plan/set` takes it ("jit8,route=fastpath1024,count.size=65536").
 * It goes through the runtime's own path on the reference pipeline
 * (adn_fuzz_pipeline_cfg): parse, knobs checked against the config, a new
 * version built with them and every executor set up under the plan, then
 * published and the old one retired.
 */
#include <stdlib.h>

#include "adn_fuzz.h"
#include "adn_runtime.h"

#define PLAN_MAX 4096

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct adn_runtime *rt;

/* At exit, as fuzz_packet.c's. */
static void
release(void)
{
	adn_runtime_free(rt);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct adn_errs errs = { 0 };
	char path[4096];

	adn_fuzz_eal("fuzz_plan");
	adn_fuzz_pipeline_cfg(path, sizeof(path));
	if (adn_runtime_load(path, &errs, &rt) < 0 ||
	    adn_runtime_build(rt, &errs) < 0) {
		adn_errs_print(&errs, stderr);
		abort();
	}
	atexit(release);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adn_fuzz_part all = { data, size };
	struct adn_errs errs = { 0 };
	char *plan;

	if (size > PLAN_MAX)
		return -1;
	plan = adn_fuzz_str(&all, PLAN_MAX);
	adn_runtime_set_plan(rt, plan, &errs);
	adn_runtime_reclaim(rt);
	if (getenv("ADN_FUZZ_VERBOSE") != NULL)
		adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
	free(plan);
	return 0;
}
