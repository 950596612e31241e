/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-routegen — writes a deterministic IPv4 route table for LpmRoute and
 * GenSource: N distinct prefixes (default 1614, the size of the Stanford
 * backbone table NFMorph used) with a backbone-like length mix — about 62%
 * /24, 30% /16-/23, 8% /8-/15 — and next hops spread over 1..H. Optionally
 * a default route (0.0.0.0/0) to hop 1, so every address matches.
 *
 *   adn-routegen [-n N] [-s SEED] [-H HOPS] [-d] [-o FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_hash.h"
#include "adn_parse.h"
#include "adn_rand.h"
#include "adn_route.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: adn-routegen [options]\n"
		"Write N distinct IPv4 prefixes as `a.b.c.d/len next_hop` lines.\n\n"
		"  -n, --prefixes N   number of prefixes, default route included (default 1614)\n"
		"  -s, --seed S       random seed (default 1)\n"
		"  -H, --hops H       next hops 1..H, 1-15 (default 4)\n"
		"  -d, --default      include a default route 0.0.0.0/0 -> 1\n"
		"  -o, --out FILE     output file (default stdout)\n"
		"  -h, --help         this text\n");
}

/* Prefix length by the mix above. */
static unsigned int
pick_len(struct adn_rand *r)
{
	uint64_t p = adn_rand_below(r, 100);

	if (p < 62)
		return 24;
	if (p < 92)
		return 16 + (unsigned int)adn_rand_below(r, 8);
	return 8 + (unsigned int)adn_rand_below(r, 8);
}

/* First octet of unicast space, skipping 0, 10 and 127. */
static uint32_t
pick_addr(struct adn_rand *r)
{
	uint32_t a;

	do {
		a = (uint32_t)adn_rand_u64(r);
	} while ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		 (a >> 24) >= 224);
	return a;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "prefixes", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "hops", required_argument, NULL, 'H' },
		{ "default", no_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n = 1614, seed = 1, hops = 4, cap, made = 0;
	const char *out = NULL;
	bool def = false;
	uint64_t *set;
	struct adn_rand r;
	FILE *f = stdout;
	int c;

	while ((c = getopt_long(argc, argv, "n:s:H:do:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (adn_parse_u64(optarg, 1, 1 << 24, &n) < 0) {
				fprintf(stderr, "adn-routegen: --prefixes '%s': want 1-16777216\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (adn_parse_u64(optarg, 0, UINT64_MAX, &seed) < 0) {
				fprintf(stderr, "adn-routegen: --seed '%s': want an unsigned integer\n",
					optarg);
				return 2;
			}
			break;
		case 'H':
			if (adn_parse_u64(optarg, 1, 15, &hops) < 0) {
				fprintf(stderr, "adn-routegen: --hops '%s': want 1-15\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			def = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "adn-routegen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	/* Open-addressing set of (prefix, len), at most 1/4 full. */
	for (cap = 64; cap < 4 * n; cap <<= 1)
		;
	set = calloc(cap, sizeof(*set));
	if (set == NULL) {
		fprintf(stderr, "adn-routegen: out of memory\n");
		return 1;
	}
	adn_rand_seed(&r, seed);
	fprintf(f, "# adn-routegen -n %" PRIu64 " -s %" PRIu64 " -H %" PRIu64 "%s\n",
		n, seed, hops, def ? " -d" : "");
	if (def) {
		fprintf(f, "0.0.0.0/0 1\n");
		made++;
	}
	while (made < n) {
		unsigned int len = pick_len(&r);
		uint32_t a = pick_addr(&r) & adn_route_mask(len);
		/* +1: key 0 marks an empty slot. */
		uint64_t key = ((uint64_t)a << 8 | len) + 1;
		uint64_t i = adn_mix64(key) & (cap - 1);

		while (set[i] != 0 && set[i] != key)
			i = (i + 1) & (cap - 1);
		if (set[i] == key)
			continue;
		set[i] = key;
		fprintf(f, "%u.%u.%u.%u/%u %" PRIu64 "\n", a >> 24,
			(a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, len,
			1 + adn_rand_below(&r, hops));
		made++;
	}
	free(set);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "adn-routegen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	return 0;
}
