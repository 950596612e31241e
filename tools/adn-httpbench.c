/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-httpbench: the HTTP/1.1 parser's speed on one core (docs/benchmarking.md).
 * Parses a typical browser request head (the picohttpparser benchmark's
 * shape: ~700 bytes, 10 fields) N times with the SIMD and the portable
 * scanners, five runs each, and prints the median GB/s and requests/s.
 *
 *   adn-httpbench [-n REQUESTS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adn_http.h"

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
	printf("request %zu bytes, %ld parses per run, median of 5\n",
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
	return 0;
}
