/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PPM chain (lib/ppm: HTTP parser -> filter -> router -> deparser) on
 * one segment of one or more pipelined requests. Input: 12 bytes of
 * connection tuple (source ip, destination ip, ports), then the segment.
 * The chain's state (the router's connection table) lives across inputs,
 * as on a worker. Every output must lie within what the chain says it
 * wrote (ASan checks the reads).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_fuzz.h"
#include "adn_ppm.h"
#include "adn_ppm_conf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct adn_ppm_chain *chain;

static void
release(void)
{
	adn_ppm_chain_free(chain);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096], err[4096];

	adn_fuzz_file("rules.cfg", adn_fuzz_ppm_rules,
		      strlen(adn_fuzz_ppm_rules), path, sizeof(path));
	if (adn_ppm_chain_create(&chain) < 0 ||
	    adn_ppm_conf_load_file(chain, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "rules: %s\n", err);
		abort();
	}
	atexit(release);
	return 0;
}

static int
one(void *arg, const struct adn_ppm_out *out)
{
	volatile uint8_t sum = 0;
	size_t *total = arg;

	for (size_t i = 0; out->data != NULL && i < out->len; i++)
		sum ^= out->data[i];
	*total += out->len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adn_ppm_req_in in = { 0 };
	size_t total = 0;

	if (size < 12)
		return -1;
	memcpy(&in.tuple.sip, data, 4);
	memcpy(&in.tuple.dip, data + 4, 4);
	memcpy(&in.tuple.sport, data + 8, 2);
	memcpy(&in.tuple.dport, data + 10, 2);
	in.data = data + 12;
	in.len = size - 12;
	adn_ppm_chain_segment(chain, &in, one, &total);
	return 0;
}
