/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loader and pipeline builder: an input is a config, then the files
 * it may name, separated by "\n%%\n" lines: routes.txt (LpmRoute,
 * GenSource), rules.cfg (PpmChain), inc.cfg (@include). They are written
 * to a directory private to the process, next to the config, so relative
 * names reach them; configs naming absolute paths are skipped (the fuzzer
 * would read /dev/zero). The whole load runs: libconfig, integer checks,
 * top-level keys, ports (parsed, not started), every element's keys and
 * configure(), links, the plan, one executor per worker, Morph's
 * `morph` group, and the check of the `eal` list (adn_eal_args_check).
 *
 * Table sizes are lowered before the build (cap_sizes): a size above a
 * small cap, or left to a large default (GenSource's 4M-packet sequence,
 * FlowCounter's 1M cells, MaglevLb's 1M flows), is set to the cap. The
 * harness is about parsing and building, not about zeroing megabytes or
 * drawing millions of Zipf ranks per input (which held it at ~30 and ~120
 * inputs/s). A value the key rejects (out of range, wrong type) is capped
 * too: a rejected key reads as absent, so its large default would be
 * built. Every other key still reaches the range and type errors.
 */
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "adn_elem.h"
#include "adn_fuzz.h"
#include "adn_morph.h"
#include "adn_runtime.h"

#define CFG_MAX 16384

/* The costly sizes: element type, key and the value that replaces any
 * above it or rejected (a valid one: a power of two or a prime where the
 * key wants one). */
static const struct {
	const char *type, *key;
	long long cap;
} caps[] = {
	{ "GenSource", "seq", 1024 },
	{ "GenSource", "pool", 1023 },
	{ "FlowCounter", "size", 1024 },
	{ "LpmRoute", "spare_routes", 64 },
	{ "MaglevLb", "table_size", 251 },
	{ "MaglevLb", "max_flows", 256 },
	{ "RpcLb", "table_size", 251 },
	{ "Meter", "buckets", 64 },
	{ "Nat44", "max_sessions", 256 },
	{ "Snat", "capacity", 256 },
	{ "Prioritize", "ids", 1024 },
	{ "ReflexiveAcl", "max_flows", 256 },
	{ "TcpRetransDetect", "registers", 64 },
	{ "PrioSched", "queue", 64 },
	{ "HttpParse", "max_flows", 64 },
	{ "HttpParse", "buffers", 16 },
	{ "Dpi", "max_flows", 64 },
	{ "Dpi", "buffers", 16 },
};

/* Workers multiply every per-worker table. */
#define WORKERS_CAP 2

static const struct adn_arg_spec *
arg_spec(const char *type, const char *key)
{
	const struct adn_elem_desc *d = adn_elem_find(type);

	for (const struct adn_arg_spec *a = d ? d->args : NULL; a && a->name;
	     a++)
		if (strcmp(a->name, key) == 0)
			return a;
	return NULL;
}

static void
cap_one(config_setting_t *group, const char *type, const char *key,
	long long cap)
{
	const struct adn_arg_spec *a = arg_spec(type, key);
	config_setting_t *s = config_setting_get_member(group, key);

	if (s != NULL && (config_setting_type(s) == CONFIG_TYPE_INT ||
			  config_setting_type(s) == CONFIG_TYPE_INT64)) {
		long long v = config_setting_get_int64(s);

		if (a != NULL && v >= a->min && v <= cap)
			return;
	}
	if (s != NULL)
		config_setting_remove(group, key);
	s = config_setting_add(group, key, CONFIG_TYPE_INT64);
	if (s != NULL)
		config_setting_set_int64(s, cap);
}

static void
cap_sizes(config_t *cfg)
{
	config_setting_t *els = config_lookup(cfg, "elements");
	config_setting_t *w = config_lookup(cfg, "workers");

	if (w != NULL && config_setting_type(w) == CONFIG_TYPE_INT &&
	    config_setting_get_int(w) > WORKERS_CAP &&
	    config_setting_get_int(w) <= 64)
		config_setting_set_int(w, WORKERS_CAP);
	for (int i = 0; els != NULL && i < config_setting_length(els); i++) {
		config_setting_t *e = config_setting_get_elem(els, (unsigned int)i);
		const char *type;

		if (e == NULL || !config_setting_is_group(e) ||
		    !config_setting_lookup_string(e, "type", &type))
			continue;
		for (unsigned int k = 0; k < sizeof(caps) / sizeof(caps[0]); k++)
			if (strcmp(type, caps[k].type) == 0)
				cap_one(e, type, caps[k].key, caps[k].cap);
	}
}

/* The config's `eal` list as the apps hand it to EAL, after a program
 * name: the check that refuses a driver plugin reads it. */
static void
eal_args_check(int argc, char **argv, struct adn_errs *errs)
{
	char **all = calloc((size_t)argc + 2, sizeof(*all));

	if (all == NULL)
		return;
	all[0] = (char *)"fuzz_config";
	memcpy(all + 1, argv, (size_t)argc * sizeof(*all));
	adn_eal_args_check(argc + 1, all, errs);
	free(all);
}

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

		cap_sizes(adn_runtime_config(rt));
		adn_morph_conf_read(adn_runtime_config(rt), &mc, &errs);
		if (adn_runtime_eal_args(rt, &argc, &argv, &errs) == 0) {
			eal_args_check(argc, argv, &errs);
			free(argv);
		}
		adn_runtime_build(rt, &errs);
	}
	adn_runtime_free(rt);
	if (getenv("ADN_FUZZ_VERBOSE") != NULL)
		adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
	return 0;
}
