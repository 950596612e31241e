/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loader and pipeline builder: an input is a config, then the files
 * it may name, separated by "\n%%\n" lines: routes.txt (LpmRoute,
 * GenSource), rules.cfg (PpmChain), inc.cfg (@include). They are written
 * to a directory private to the process, next to the config, so relative
 * names reach them; configs naming absolute paths are skipped (the fuzzer
 * would read /dev/zero). The whole load runs: libconfig, integer checks,
 * top-level keys, ports (parsed, not started), every element's keys and
 * configure(), links, the plan, one executor per worker, and Morph's
 * `morph` group.
 */
#include <stdlib.h>
#include <string.h>

#include "adn_fuzz.h"
#include "adn_morph.h"
#include "adn_runtime.h"

#define CFG_MAX 16384

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	adn_fuzz_eal("fuzz_config");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "routes.txt", "rules.cfg",
					     "inc.cfg" };
	static struct adn_runtime *rt;
	struct adn_fuzz_part part[4];
	unsigned int n = adn_fuzz_split(data, size, part, 4);
	struct adn_errs errs = { 0 };
	char path[4096], *cfg;

	if (part[0].len > CFG_MAX || memchr(part[0].data, '/', part[0].len))
		return -1;	/* not kept in the corpus */
	for (unsigned int i = 0; i < 3; i++)
		adn_fuzz_file(files[i], i + 1 < n ? part[i + 1].data : NULL,
			      i + 1 < n ? part[i + 1].len : 0, path,
			      sizeof(path));
	cfg = adn_fuzz_str(&part[0], CFG_MAX);
	adn_fuzz_file("adn.cfg", cfg, strlen(cfg), path, sizeof(path));
	free(cfg);
	if (adn_runtime_load(path, &errs, &rt) == 0) {
		struct adn_morph_conf mc;
		int argc;
		char **argv;

		adn_morph_conf_read(adn_runtime_config(rt), &mc, &errs);
		if (adn_runtime_eal_args(rt, &argc, &argv, &errs) == 0)
			free(argv);
		adn_runtime_build(rt, &errs);
	}
	adn_runtime_free(rt);
	if (getenv("ADN_FUZZ_VERBOSE") != NULL)
		adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
	return 0;
}
