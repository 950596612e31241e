/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ppm-vectors: golden vectors for the PPM chain RTL, produced by the C model
 * (lib/ppm). Loads a rule set, builds request segments (hand-written corner
 * cases, then seeded random traffic with malformed and pipelined requests,
 * then a connection-table flood), runs them through adn_ppm_chain_process and
 * writes what the testbench needs:
 *
 *   counts.hex    n_cfg n_seg n_bytes n_req n_out (one 32-bit word each)
 *   cfg.hex       register writes {addr[19:0], data[31:0]}
 *   seg.hex       per segment {len[31:0], sip, dip, sport[15:0], dport[15:0]}
 *   bytes.hex     input bytes
 *   exp_meta.hex  per request the packed 512-bit metadata record
 *   exp_out.hex   output bytes {tlast, byte}
 *
 * usage: ppm-vectors -r rules.cfg -o outdir [-s seed] [-n random_requests]
 *                    [-f flood] [-b passes]
 *
 * -b also times the software backend on the same traffic: the segments are
 * kept in memory and run `passes` times through adn_ppm_chain_segment (what
 * the PpmChain element's sw backend calls per packet), each pass on a fresh
 * chain loaded from the rules (loading not timed), so every pass sees the
 * same connection-table history the RTL bench sees. Prints requests/s of
 * the best and the median pass; pin it to one core (taskset) to get a
 * one-core figure.
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adn_ppm.h"
#include "adn_ppm_conf.h"
#include "adn_rand.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define MAX_SEG (16 * 1024)

struct gen {
	struct adn_ppm_chain *chain;
	FILE *seg, *bytes, *meta, *out, *cfg;
	uint32_t n_cfg, n_seg, n_bytes, n_req, n_out;
	uint64_t dec[ADN_PPM_ERROR + 1];
	uint64_t reason[ADN_PPM_R_MAX];
	struct adn_rand rnd;
	/* -b: the segments, kept to be replayed */
	int keep;
	uint8_t *kbuf;
	size_t kbuf_len, kbuf_cap;
	struct kept_seg {
		size_t off, len;
		struct adn_ppm_tuple t;
	} *kseg;
	size_t n_kseg, kseg_cap;
};

/* Keep a copy of a segment for the benchmark. */
static int
keep_segment(struct gen *g, const uint8_t *data, size_t len,
	     const struct adn_ppm_tuple *t)
{
	if (g->kbuf_len + len > g->kbuf_cap) {
		size_t cap = 2 * (g->kbuf_cap + len);
		uint8_t *b = realloc(g->kbuf, cap);

		if (b == NULL)
			return -ENOMEM;
		g->kbuf = b;
		g->kbuf_cap = cap;
	}
	if (g->n_kseg == g->kseg_cap) {
		size_t cap = 2 * g->kseg_cap + 64;
		struct kept_seg *k = realloc(g->kseg, cap * sizeof(*k));

		if (k == NULL)
			return -ENOMEM;
		g->kseg = k;
		g->kseg_cap = cap;
	}
	memcpy(g->kbuf + g->kbuf_len, data, len);
	g->kseg[g->n_kseg++] = (struct kept_seg){
		.off = g->kbuf_len, .len = len, .t = *t,
	};
	g->kbuf_len += len;
	return 0;
}

static int
cfg_write(void *arg, uint32_t addr, uint32_t data)
{
	struct gen *g = arg;

	if (fprintf(g->cfg, "%05x%08x\n", addr, data) < 0)
		return -EIO;
	g->n_cfg++;
	return 0;
}

/* Run one segment through the model and record inputs and expectations. */
static int
emit_segment(struct gen *g, const uint8_t *data, size_t len,
	     const struct adn_ppm_tuple *t)
{
	struct adn_ppm_req_in in = { .data = data, .len = len, .tuple = *t };
	struct adn_ppm_out out;

	if (len == 0 || len > MAX_SEG)
		return -EINVAL;
	if (g->keep && keep_segment(g, data, len, t) < 0)
		return -ENOMEM;
	fprintf(g->seg, "%08zx%08x%08x%04x%04x\n", len, t->sip, t->dip,
		t->sport, t->dport);
	for (size_t i = 0; i < len; i++)
		fprintf(g->bytes, "%02x\n", data[i]);
	g->n_seg++;
	g->n_bytes += (uint32_t)len;
	while (in.len > 0) {
		uint32_t w[ADN_PPM_META_WORDS];
		int rc = adn_ppm_chain_process(g->chain, &in, &out);

		if (rc < 0)
			return rc;
		adn_ppm_meta_pack(&out.meta, w);
		for (int k = 0; k < ADN_PPM_META_WORDS; k++)
			fprintf(g->meta, "%08x", w[k]);
		fputc('\n', g->meta);
		for (size_t i = 0; i < out.len; i++)
			fprintf(g->out, "%03x\n",
				(i + 1 == out.len) << 8 | out.data[i]);
		g->n_out += (uint32_t)out.len;
		g->n_req++;
		g->dec[out.meta.decision]++;
		g->reason[out.meta.reason]++;
		in.data += out.consumed;
		in.len -= out.consumed;
	}
	return 0;
}

static int
emit_str(struct gen *g, const char *s, const struct adn_ppm_tuple *t)
{
	return emit_segment(g, (const uint8_t *)s, strlen(s), t);
}

/* ---- hand-written corner cases ---- */

static const char *const corner[] = {
	"GET /api/v1/items HTTP/1.1\r\nHost: shop.example\r\n\r\n",
	"GET /api/v1/items?id=7&x=y HTTP/1.1\r\nHost: Shop.Example  \r\n\r\n",
	"POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 11\r\n"
		"\r\nuser=alice",
	"POST /login HTTP/1.1\r\nHost: shop.example\r\ncontent-length:5\r\n"
		"\r\nhello",
	"GET /api/v2/users/42 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
	"GET /static/css/site.css HTTP/1.1\r\nHOST:\tshop.example\t\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET /nothing/here HTTP/1.1\r\nHost: shop.example\r\n\r\n",
	"GET /apix HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /void/x HTTP/1.1\r\nHost: a\r\n\r\n",
	"DELETE /api/v1/items HTTP/1.1\r\nHost: shop.example\r\n\r\n",
	"GET /api/x HTTP/1.1\r\nHost: BLOCKED.example\r\n\r\n",
	"TRACE / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /static/x HTTP/1.1\r\nHost: slow.example\r\n\r\n",
	"GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
	"OPTIONS /a/b/c/d/e/f/g HTTP/1.1\r\nHost: x\r\n\r\n",
	"PATCH /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
	"HEAD /login HTTP/1.1\r\nHost:\r\n\r\n",
	/* malformed */
	"FETCH /api/v1 HTTP/1.1\r\nHost: a\r\n\r\n",
	"get / HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECTX / HTTP/1.1\r\n\r\n",
	" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: shop.example\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: sh",
	"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\nshort",
	"GET /api/v1/items HTTP/1.1\r\nAccept: */*\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
	"GET /api/v1/items HTTP/2.0\r\nHost: a\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\nHost: a\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: a\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: a\r\n\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: a\r\n continued\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nBad Name: a\r\nHost: a\r\n\r\n",
	"GET /api/v1/items HTTP/1.1\r\nHost: a\x01b\r\n\r\n",
	"GET api HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\nab",
	"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n",
	"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
		"Content-Length: 5\r\n\r\nhello",
	"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n",
	"X",
	/* pipelined: three good, then good + bad + good (the bad one eats
	 * the rest of the segment) */
	"GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
		"GET /static/b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"
		"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /api/c HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /api/a HTTP/1.1\r\nHost: a\r\n\r\nGET /api/b HTTP/1.1\r\nHo",
};

static int
emit_corner(struct gen *g)
{
	struct adn_ppm_tuple t = {
		.sip = IP(192, 168, 0, 1), .dip = IP(10, 0, 0, 1),
		.sport = 50000, .dport = 80,
	};
	char *big;
	size_t n;
	int rc = 0;

	for (size_t i = 0; i < sizeof(corner) / sizeof(corner[0]) && !rc;
	     i++) {
		t.sport = (uint16_t)(50000 + i);
		rc = emit_str(g, corner[i], &t);
	}
	/* unknown listener port, unknown destination, the admin listener */
	t.dport = 81;
	rc = rc ? rc : emit_str(g, corner[0], &t);
	t.dport = 80;
	t.dip = IP(10, 0, 0, 9);
	rc = rc ? rc : emit_str(g, corner[0], &t);
	t.dip = IP(10, 0, 0, 1);
	t.dport = 8080;
	rc = rc ? rc : emit_str(g, "PUT /config/x HTTP/1.1\r\nHost: ops\r\n"
				"Content-Length: 2\r\n\r\n{}", &t);
	if (rc)
		return rc;

	/* header section exactly at the limit, one over, far over; a body of
	 * exactly the maximum */
	big = malloc(ADN_PPM_MAX_MSG + 256);
	if (big == NULL)
		return -ENOMEM;
	t.dport = 80;
	for (int over = 0; over <= 2 && !rc; over++) {
		n = (size_t)sprintf(big, "GET /api/pad HTTP/1.1\r\nHost: a\r\n"
				    "X-Pad: ");
		size_t pad = ADN_PPM_MAX_HDR - n - 4 +
			(over == 2 ? 200 : (size_t)over);
		memset(big + n, 'p', pad);
		strcpy(big + n + pad, "\r\n\r\n");
		t.sport++;
		rc = emit_str(g, big, &t);
	}
	n = (size_t)sprintf(big, "POST /login HTTP/1.1\r\nHost: a\r\n"
			    "Content-Length: %d\r\n\r\n", ADN_PPM_MAX_BODY);
	for (int i = 0; i < ADN_PPM_MAX_BODY; i++)
		big[n + i] = (char)(i * 7 + 1); /* any byte, CR/LF/NUL too */
	t.sport++;
	rc = rc ? rc : emit_segment(g, (uint8_t *)big, n + ADN_PPM_MAX_BODY,
				    &t);
	free(big);
	return rc;
}

/* ---- random traffic ---- */

static const char *const methods[] = {
	"GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE",
	"HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT", "FETCH", "Get",
};
static const char *const paths[] = {
	"/", "/login", "/health", "/api/", "/api/v1/items", "/api/v1/items/9",
	"/api/v2/users/", "/api/v2/users/17", "/static/", "/static/img/a.png",
	"/void/z", "/nothing", "/a/b/c/d/e/f", "/apix", "/login/", "/API/v1",
};
static const char *const hosts[] = {
	"shop.example", "SHOP.example", "blocked.example", "slow.example",
	"api.internal:8080", "x",
};
static const char *const extra[] = {
	"Accept: */*", "User-Agent: adn-vectors/1.0", "Cookie: a=b; c=d",
	"X-Forwarded-For: 192.0.2.1", "Cache-Control: no-cache",
	"Accept-Encoding: gzip, deflate", "X-Empty:", "Connection: keep-alive",
};

static uint32_t
rnd(struct gen *g, uint32_t n)
{
	return (uint32_t)adn_rand_below(&g->rnd, n);
}

#define PICK(g, a) ((a)[rnd(g, sizeof(a) / sizeof((a)[0]))])

static size_t
gen_request(struct gen *g, char *p, size_t cap)
{
	const char *m = PICK(g, methods);
	int http11 = rnd(g, 10) != 0;
	size_t n = 0, body = 0;
	int corrupt = rnd(g, 12) == 0 ? (int)rnd(g, 6) + 1 : 0;

	n += (size_t)snprintf(p + n, cap - n, "%s %s", m, PICK(g, paths));
	if (rnd(g, 5) == 0)
		n += (size_t)snprintf(p + n, cap - n, "?q=%u&r=%u",
				      rnd(g, 1000), rnd(g, 9));
	n += (size_t)snprintf(p + n, cap - n, " HTTP/1.%d\r\n", http11);
	if (rnd(g, 20) != 0) {
		static const char *const hn[] = { "Host", "host", "HOST" };
		static const char *const ows[] = { "", " ", "  ", "\t" };

		n += (size_t)snprintf(p + n, cap - n, "%s:%s%s%s\r\n",
				      PICK(g, hn), PICK(g, ows),
				      PICK(g, hosts), PICK(g, ows));
	}
	for (uint32_t i = rnd(g, 5); i > 0; i--)
		n += (size_t)snprintf(p + n, cap - n, "%s\r\n", PICK(g, extra));
	if ((!strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH")) &&
	    rnd(g, 4) != 0) {
		body = rnd(g, 200);
		n += (size_t)snprintf(p + n, cap - n, "%s: %zu\r\n",
				      rnd(g, 2) ? "Content-Length" :
				      "content-length", body);
	}
	if (corrupt == 1) /* header over the limit */
		for (uint32_t k = 0; k < 20; k++)
			n += (size_t)snprintf(p + n, cap - n,
				"X-Filler-%02u: %060u\r\n", k, k);
	n += (size_t)snprintf(p + n, cap - n, "\r\n");
	for (size_t i = 0; i < body; i++)
		p[n++] = (char)rnd(g, 256);
	switch (corrupt) {
	case 2: /* a control byte somewhere in the head */
		p[rnd(g, (uint32_t)(n - body))] = (char)rnd(g, 32);
		break;
	case 3: /* a bare LF */
		p[rnd(g, (uint32_t)(n - body))] = '\n';
		break;
	case 4: /* truncated */
		n = 1 + rnd(g, (uint32_t)n - 1);
		break;
	default:
		break;
	}
	return n;
}

static int
emit_random(struct gen *g, int n_req)
{
	static uint8_t seg[MAX_SEG];
	struct adn_ppm_tuple clients[48];
	int done = 0, rc = 0;

	for (int i = 0; i < 48; i++) {
		clients[i] = (struct adn_ppm_tuple){
			.sip = IP(192, 168, 1 + i / 16, 10 + i),
			.dip = IP(10, 0, 0, 1),
			.sport = (uint16_t)(1024 + rnd(g, 60000)),
			.dport = 80,
		};
		if (i % 8 == 5)
			clients[i].dport = 8080;
		if (i == 47)
			clients[i].dport = 81;
	}
	while (done < n_req && !rc) {
		int k = rnd(g, 10) < 7 ? 1 : 2 + (int)rnd(g, 3);
		size_t len = 0;

		for (int i = 0; i < k; i++)
			len += gen_request(g, (char *)seg + len,
					   sizeof(seg) - len);
		rc = emit_segment(g, seg, len, &clients[rnd(g, 48)]);
		done += k;
	}
	return rc;
}

/* Many distinct connections: fills probe windows of the 1024-slot table so
 * CONN_FULL shows up in the RTL as in the model. */
static int
emit_conn_flood(struct gen *g, int n)
{
	static const char req[] = "GET /api/f HTTP/1.0\r\n\r\n";
	int rc = 0;

	for (int i = 0; i < n && !rc; i++) {
		struct adn_ppm_tuple t = {
			.sip = IP(172, 16, i >> 8, i & 0xff),
			.dip = IP(10, 0, 0, 1),
			.sport = (uint16_t)(2000 + i), .dport = 80,
		};

		rc = emit_str(g, req, &t);
	}
	return rc;
}

/* ---- -b: the model's speed on the kept segments ---- */

struct bench_sum {
	uint64_t n_req;
	uint64_t out_bytes;
};

static int
bench_count(void *arg, const struct adn_ppm_out *out)
{
	struct bench_sum *s = arg;

	s->n_req++;
	s->out_bytes += out->len;
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
bench(const struct gen *g, const char *rules, int passes)
{
	double *t = calloc((size_t)passes, sizeof(*t));
	struct bench_sum sum = { 0 };
	char err[4096];

	if (t == NULL)
		return -ENOMEM;
	for (int p = 0; p < passes; p++) {
		struct adn_ppm_chain *c;
		double t0;
		int rc = adn_ppm_chain_create(&c);

		if (rc == 0)
			rc = adn_ppm_conf_load_file(c, rules, err,
						    sizeof(err));
		if (rc < 0) {
			adn_ppm_chain_free(c);
			free(t);
			return rc;
		}
		sum = (struct bench_sum){ 0 };
		t0 = now_s();
		for (size_t i = 0; i < g->n_kseg && rc == 0; i++) {
			struct adn_ppm_req_in in = {
				.data = g->kbuf + g->kseg[i].off,
				.len = g->kseg[i].len,
				.tuple = g->kseg[i].t,
			};

			rc = adn_ppm_chain_segment(c, &in, bench_count, &sum);
		}
		t[p] = now_s() - t0;
		adn_ppm_chain_free(c);
		if (rc < 0) {
			free(t);
			return rc;
		}
	}
	qsort(t, (size_t)passes, sizeof(*t), cmp_double);
	printf("bench: %d passes of %zu segments, %" PRIu64 " requests, "
	       "%zu bytes in, %" PRIu64 " bytes out per pass\n", passes,
	       g->n_kseg, sum.n_req, g->kbuf_len, sum.out_bytes);
	printf("bench: best   %.3f ms  %.0f requests/s  %.1f ns/request  "
	       "%.1f MB/s in\n", t[0] * 1e3, (double)sum.n_req / t[0],
	       t[0] * 1e9 / (double)sum.n_req,
	       (double)g->kbuf_len / t[0] / 1e6);
	printf("bench: median %.3f ms  %.0f requests/s  %.1f ns/request  "
	       "%.1f MB/s in\n", t[passes / 2] * 1e3,
	       (double)sum.n_req / t[passes / 2],
	       t[passes / 2] * 1e9 / (double)sum.n_req,
	       (double)g->kbuf_len / t[passes / 2] / 1e6);
	free(t);
	return 0;
}

static FILE *
open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		fprintf(stderr, "ppm-vectors: cannot write %s: %s\n", path,
			strerror(errno));
	return f;
}

int
main(int argc, char **argv)
{
	const char *rules = NULL, *dir = NULL;
	uint64_t seed = 1;
	int n_random = 300, n_flood = 1200, passes = 0, opt, rc;
	struct gen g = { 0 };
	char err[4096];
	FILE *counts;

	while ((opt = getopt(argc, argv, "r:o:s:n:f:b:")) != -1) {
		switch (opt) {
		case 'r': rules = optarg; break;
		case 'o': dir = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': n_random = atoi(optarg); break;
		case 'f': n_flood = atoi(optarg); break;
		case 'b': passes = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s -r rules.cfg -o outdir "
				"[-s seed] [-n random] [-f flood] "
				"[-b passes]\n", argv[0]);
			return 2;
		}
	}
	if (rules == NULL || dir == NULL || passes < 0) {
		fprintf(stderr, "usage: %s -r rules.cfg -o outdir [-s seed] "
			"[-n random] [-f flood] [-b passes]\n", argv[0]);
		return 2;
	}
	g.keep = passes > 0;
	adn_rand_seed(&g.rnd, seed);
	if (adn_ppm_chain_create(&g.chain) < 0)
		return 1;
	rc = adn_ppm_conf_load_file(g.chain, rules, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ppm-vectors: %s", err);
		return 1;
	}
	g.cfg = open_out(dir, "cfg.hex");
	g.seg = open_out(dir, "seg.hex");
	g.bytes = open_out(dir, "bytes.hex");
	g.meta = open_out(dir, "exp_meta.hex");
	g.out = open_out(dir, "exp_out.hex");
	counts = open_out(dir, "counts.hex");
	if (!g.cfg || !g.seg || !g.bytes || !g.meta || !g.out || !counts)
		return 1;
	/* the register image must be taken before traffic fills conns */
	rc = adn_ppm_chain_regs(g.chain, cfg_write, &g);
	if (rc >= 0)
		rc = emit_corner(&g);
	if (rc >= 0)
		rc = emit_random(&g, n_random);
	if (rc >= 0)
		rc = emit_conn_flood(&g, n_flood);
	if (rc < 0) {
		fprintf(stderr, "ppm-vectors: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(counts, "%08x\n%08x\n%08x\n%08x\n%08x\n", g.n_cfg, g.n_seg,
		g.n_bytes, g.n_req, g.n_out);
	if (fclose(g.cfg) || fclose(g.seg) || fclose(g.bytes) ||
	    fclose(g.meta) || fclose(g.out) || fclose(counts)) {
		fprintf(stderr, "ppm-vectors: write error\n");
		return 1;
	}
	printf("ppm-vectors: %u register writes, %u segments, %u bytes in, "
	       "%u requests, %u bytes out\n", g.n_cfg, g.n_seg, g.n_bytes,
	       g.n_req, g.n_out);
	for (int d = ADN_PPM_FORWARD; d <= ADN_PPM_ERROR; d++)
		printf("  %-8s %" PRIu64 "\n", adn_ppm_decision_str(d),
		       g.dec[d]);
	for (int r = 1; r < ADN_PPM_R_MAX; r++)
		printf("  %-20s %" PRIu64 "\n", adn_ppm_reason_str(r),
		       g.reason[r]);
	adn_ppm_chain_free(g.chain);
	if (passes > 0) {
		rc = bench(&g, rules, passes);
		if (rc < 0) {
			fprintf(stderr, "ppm-vectors: bench: %s\n",
				strerror(-rc));
			return 1;
		}
	}
	free(g.kbuf);
	free(g.kseg);
	return 0;
}
