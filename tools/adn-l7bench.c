/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-l7bench: lib/l7 on one core, in memory (docs/benchmarking.md), each
 * figure the median of five runs:
 *  - the HTTP/1.1 parser on a typical browser request head (the
 *    picohttpparser benchmark's shape: 703 bytes, 10 fields), with the
 *    SIMD and the portable scanners: GB/s and requests/s;
 *  - Dpi's matching: Hyperscan streaming mode over 64 KiB streams of
 *    such requests in 1448-byte segments, with 1k and 10k generated rules
 *    (literals, a tenth regexes, a tenth caseless): Gbps;
 *  - the http-router chain's work per request (parse, Dpi scan with 1k
 *    rules, UrlRoute match with 100 rules): requests/s. The elements'
 *    framing (stream tracking, mbufs) is not in it.
 *
 *   adn-l7bench [-n REQUESTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>

#include "adn_dpi_rules.h"
#include "adn_http.h"
#include "adn_rand.h"
#include "adn_url_rules.h"

static const char req[] =
	"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
	"Host: www.kittyhell.com\r\n"
	"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) "
	"Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
	"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
	"Accept-Encoding: gzip,deflate\r\n"
	"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
	"Keep-Alive: 115\r\n"
	"Connection: keep-alive\r\n"
	"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
	"__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; "
	"__utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n"
	"\r\n";

typedef int (*parse_fn)(const uint8_t *, size_t, bool,
			const struct adn_http_limits *,
			const struct adn_http_want *, struct adn_http_msg *);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
run(parse_fn f, long n)
{
	const struct adn_http_limits lim = { 8192, 100 };
	struct adn_http_msg m;
	double t[5];
	long sink = 0;

	for (int r = 0; r < 5; r++) {
		double t0 = now();

		for (long i = 0; i < n; i++)
			sink += f((const uint8_t *)req, sizeof(req) - 1, false,
				  &lim, NULL, &m);
		t[r] = now() - t0;
	}
	if (sink != n * 5 * (long)(sizeof(req) - 1)) {
		fprintf(stderr, "the request does not parse\n");
		exit(1);
	}
	qsort(t, 5, sizeof(t[0]), cmp);
	return t[2];
}

/* n generated Dpi rules, none of which the request text contains. */
static struct adn_dpi_rule *
dpi_rules(unsigned int n)
{
	struct adn_dpi_rule *r = calloc(n, sizeof(*r));
	struct adn_rand rnd;

	adn_rand_seed(&rnd, n);
	for (unsigned int i = 0; r != NULL && i < n; i++) {
		unsigned int len = 8 + (unsigned int)adn_rand_below(&rnd, 9);

		r[i].action = ADN_DPI_ALERT;
		/* 'q' and 'z' open no word of the request */
		r[i].pattern[0] = i % 2 ? 'q' : 'z';
		for (unsigned int k = 1; k < len; k++)
			r[i].pattern[k] = (char)('a' + adn_rand_below(&rnd, 26));
		if (i % 10 == 0) {
			snprintf(r[i].pattern + 4, 16, "[0-9]+%c%c", 'a' +
				 (char)(i % 26), 'x');
			len = (unsigned int)strlen(r[i].pattern);
		} else {
			r[i].literal = true;
		}
		if (i % 10 == 5)
			r[i].flags = HS_FLAG_CASELESS;
		r[i].len = len;
	}
	return r;
}

struct dpi_ctx {
	hs_database_t *db;
	hs_scratch_t *scratch;
	hs_stream_t *st;
};

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static int
dpi_setup(unsigned int n, struct dpi_ctx *c)
{
	struct adn_dpi_rule *r = dpi_rules(n);
	char why[256];

	if (r == NULL || adn_dpi_compile(r, n, &c->db, why, sizeof(why)) < 0 ||
	    hs_alloc_scratch(c->db, &c->scratch) != HS_SUCCESS ||
	    hs_open_stream(c->db, 0, &c->st) != HS_SUCCESS) {
		fprintf(stderr, "dpi rules: %s\n", why);
		exit(1);
	}
	free(r);
	return 0;
}

/* Gbps of Dpi scanning `total` bytes of request text as 64 KiB streams. */
static double
dpi_gbps(struct dpi_ctx *c, size_t total)
{
	static char stream[65536];
	uint64_t matches = 0;
	double t[5];

	for (size_t o = 0; o < sizeof(stream); o++)
		stream[o] = req[o % (sizeof(req) - 1)];
	for (int r = 0; r < 5; r++) {
		double t0 = now();

		for (size_t done = 0; done < total; done += sizeof(stream)) {
			hs_reset_stream(c->st, 0, NULL, NULL, NULL);
			for (size_t o = 0; o < sizeof(stream); o += 1448) {
				size_t l = sizeof(stream) - o < 1448 ?
					sizeof(stream) - o : 1448;

				hs_scan_stream(c->st, stream + o,
					       (unsigned int)l, 0, c->scratch,
					       on_match, &matches);
			}
		}
		t[r] = now() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp);
	return (double)total * 8 / t[2] / 1e9;
}

static double
chain_rps(struct dpi_ctx *c, long n)
{
	const struct adn_http_limits lim = { 8192, 100 };
	struct adn_url_rule rules[100];
	struct adn_url_db *db;
	struct adn_http_msg m;
	uint64_t matches = 0;
	long routed = 0;
	char why[256];
	double t[5];

	for (unsigned int i = 0; i < 100; i++) {
		rules[i].field = i % 3 ? ADN_URL_PATH : ADN_URL_HOST;
		rules[i].kind = i % 7 == 0 ? ADN_URL_REGEX : i % 2 ?
			ADN_URL_PREFIX : ADN_URL_EXACT;
		rules[i].out = (uint16_t)(1 + i % 8);
		snprintf(rules[i].pattern, sizeof(rules[i].pattern),
			 rules[i].kind == ADN_URL_REGEX ? "^/r%u/[a-z]+$" :
			 rules[i].field == ADN_URL_HOST ? "h%u.example.com" :
			 "/p%u/", i);
	}
	snprintf(rules[99].pattern, sizeof(rules[99].pattern), "/wp-content/");
	rules[99].field = ADN_URL_PATH;
	rules[99].kind = ADN_URL_PREFIX;
	if (adn_url_db_build(rules, 100, false, 1, &db, why, sizeof(why)) < 0) {
		fprintf(stderr, "url rules: %s\n", why);
		exit(1);
	}
	for (int r = 0; r < 5; r++) {
		double t0 = now();

		for (long i = 0; i < n; i++) {
			const uint8_t *b = (const uint8_t *)req;

			if (adn_http_parse(b, sizeof(req) - 1, false, &lim,
					   NULL, &m) <= 0)
				exit(1);
			hs_scan_stream(c->st, req, sizeof(req) - 1, 0,
				       c->scratch, on_match, &matches);
			routed += adn_url_db_match(db, 0,
					(const char *)b + m.host.off,
					m.host.len,
					(const char *)b + m.path.off,
					m.path.len) >= 0;
		}
		t[r] = now() - t0;
	}
	if (routed != 5 * n)
		exit(1);
	adn_url_db_free(db);
	qsort(t, 5, sizeof(t[0]), cmp);
	return (double)n / t[2];
}

int
main(int argc, char **argv)
{
	long n = 2000000;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (n = atol(optarg)) <= 0) {
			fprintf(stderr, "usage: %s [-n REQUESTS]\n", argv[0]);
			return 2;
		}
	}
	printf("parser: request %zu bytes, %ld parses per run, median of 5\n",
	       sizeof(req) - 1, n);
	printf("%-10s %8s %12s\n", "scanner", "GB/s", "requests/s");
	const struct { const char *name; parse_fn f; } v[] = {
		{ adn_http_simd() ? "sse4.2" : "default", adn_http_parse },
		{ "portable", adn_http_parse_portable },
	};
	for (unsigned int i = 0; i < 2; i++) {
		double t = run(v[i].f, n);

		printf("%-10s %8.2f %12.0f\n", v[i].name,
		       (double)n * (double)(sizeof(req) - 1) / t / 1e9,
		       (double)n / t);
	}
	struct dpi_ctx d1 = { 0 }, d10 = { 0 };

	dpi_setup(1000, &d1);
	dpi_setup(10000, &d10);
	printf("dpi (streaming, 1448-byte segments): 1k rules %.2f Gbps, "
	       "10k rules %.2f Gbps\n",
	       dpi_gbps(&d1, (size_t)n * 64), dpi_gbps(&d10, (size_t)n * 64));
	printf("chain (parse + dpi 1k + route 100): %.0f requests/s\n",
	       chain_rps(&d1, n / 4));
	return 0;
}
