/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-codecbench: the payload codecs (lib/rpc/adn_codec.h) on one core, in
 * memory, on RPC-sized bodies (docs/benchmarking.md): for each codec built,
 * with and without a 4 KiB dictionary of other records, and each payload
 * size, the compression and decompression speed in MB/s of uncompressed
 * bytes per core and the compressed/original size ratio. Payloads are
 * synthetic JSON order records (tools/rpc_payload.h), 256 distinct ones
 * per size, cycled; the dictionary is drawn from another seed. Each figure
 * is the median of five runs of about `-t` seconds / 5 each.
 *
 *   adn-codecbench [-t SECONDS_PER_CELL] [-l LEVEL] [-s SIZE,...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adn_codec.h"
#include "adn_rand.h"
#include "rpc_payload.h"

#define N_MSG 256
#define DICT_LEN 4096
#define RUNS 5

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static char msg[N_MSG][ADN_CODEC_MAX_LEN];
static char comp[N_MSG][ADN_CODEC_MAX_LEN];
static size_t comp_len[N_MSG];
static char out[ADN_CODEC_MAX_LEN];

/* MB/s of `len`-byte messages through `dir` (0 compress, 1 decompress),
 * median of RUNS runs of `secs` / RUNS seconds. -1 on a codec error. */
static double
speed(struct adn_codec *c, size_t len, int dir, double secs)
{
	double r[RUNS];

	for (int k = 0; k < RUNS; k++) {
		double t0 = now(), t;
		size_t bytes = 0;
		unsigned int i = 0;

		do {
			for (unsigned int j = 0; j < 64; j++, i++) {
				const unsigned int m = i % N_MSG;
				ssize_t n = dir == 0 ?
					adn_codec_compress(c, msg[m], len,
							   out, sizeof(out)) :
					adn_codec_decompress(c, comp[m],
							     comp_len[m], out,
							     sizeof(out));

				if (n < 0)
					return -1;
				bytes += len;
			}
			t = now() - t0;
		} while (t < secs / RUNS);
		r[k] = (double)bytes / t / 1e6;
	}
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	return r[RUNS / 2];
}

int
main(int argc, char **argv)
{
	size_t sizes[16] = { 200, 512, 1024, 2048, 4096 };
	unsigned int n_sizes = 5, n_kinds;
	enum adn_codec_kind kinds[ADN_CODEC_N];
	double secs = 1.0;
	char dict[DICT_LEN];
	struct adn_rand r;
	int level = 0, opt;

	while ((opt = getopt(argc, argv, "t:l:s:h")) != -1) {
		char *s, *tok;

		switch (opt) {
		case 't':
			secs = atof(optarg);
			break;
		case 'l':
			level = atoi(optarg);
			break;
		case 's':
			n_sizes = 0;
			s = optarg;
			while ((tok = strsep(&s, ",")) != NULL && n_sizes < 16) {
				sizes[n_sizes] = strtoul(tok, NULL, 10);
				if (sizes[n_sizes] < 64 ||
				    sizes[n_sizes] > ADN_CODEC_MAX_LEN) {
					fprintf(stderr, "size %s: want 64-%u\n",
						tok, ADN_CODEC_MAX_LEN);
					return 2;
				}
				n_sizes++;
			}
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS_PER_CELL] [-l LEVEL] [-s SIZE,...]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	adn_rand_seed(&r, 2);
	for (size_t n = 0; n < DICT_LEN; n += 512)
		adn_rpc_payload_fill(&r, dict + n, 512);

	printf("| codec | dict | payload B | compress MB/s | decompress MB/s | size ratio |\n");
	printf("|---|---|---:|---:|---:|---:|\n");
	n_kinds = adn_codec_built(kinds);
	for (unsigned int k = 0; k < n_kinds; k++) {
		const enum adn_codec_kind kind = kinds[k];

		for (int d = 0; d < 2; d++) {
			const struct adn_codec_conf conf = { .kind = kind,
				.level = level, .dict = d ? dict : NULL,
				.dict_len = d ? sizeof(dict) : 0 };
			struct adn_codec *c;
			int rc = adn_codec_create(&conf, &c);

			if (rc < 0) {
				fprintf(stderr, "%s: %s\n", adn_codec_name(kind),
					strerror(-rc));
				return 1;
			}
			for (unsigned int s = 0; s < n_sizes; s++) {
				const size_t len = sizes[s];
				size_t total = 0;
				double cs, ds;

				adn_rand_seed(&r, 1);
				for (unsigned int m = 0; m < N_MSG; m++) {
					ssize_t n;

					adn_rpc_payload_fill(&r, msg[m], len);
					n = adn_codec_compress(c, msg[m], len,
							       comp[m],
							       sizeof(comp[m]));
					if (n < 0) {
						fprintf(stderr, "compress: %s\n",
							strerror((int)-n));
						return 1;
					}
					comp_len[m] = (size_t)n;
					total += (size_t)n;
				}
				cs = speed(c, len, 0, secs);
				ds = speed(c, len, 1, secs);
				if (cs < 0 || ds < 0) {
					fprintf(stderr, "codec error\n");
					return 1;
				}
				printf("| %s | %s | %zu | %.1f | %.1f | %.3f |\n",
				       adn_codec_name(kind), d ? "4 KiB" : "-",
				       len, cs, ds,
				       (double)total / (double)(len * N_MSG));
			}
			adn_codec_free(c);
		}
	}
	return 0;
}
