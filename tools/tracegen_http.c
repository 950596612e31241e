/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-tracegen --http: HTTP/1.1 connections, deterministic from the seed.
 * Each connection: handshake, 1-4 requests (GET, or POST with a body),
 * a share of heads split over 2-3 segments, a share of two requests
 * pipelined in one segment, a response after each, FINs. A share of
 * requests is malformed or evasive (each kind with the reason HttpParse
 * names); a malformed request is its connection's last. Plant strings
 * (--plant) go into POST bodies, their stream offsets recorded.
 *
 * The manifest lists every request: its connection, client port, method,
 * host, path, the malformation (null when valid), the index in the trace
 * of the packet that completes its head (what a router decides on; a
 * pipelined second request shares it), and the plants with their offsets.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "adn_rand.h"
#include "tracegen_bytes.h"
#include "tracegen_http.h"

#define SRV_IP 0x0a000002u
#define MAX_SEG 1400
#define DIM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const hosts[] = {
	"api.example.com", "www.example.com", "static.example.com",
	"API.Example.com",
};
static const char *const paths[] = {
	"/static/img/a.png", "/users/123", "/users/abc", "/index.html",
	"/api/v1/items", "/static/css/s.css",
};

/* Malformed and evasive requests: the text after the request line's
 * target and the reason HttpParse gives. %s is the host. */
static const struct {
	const char *fmt;
	const char *reason;
} bad[] = {
	{ "get %s HTTP/1.1\r\nHost: x\r\n\r\n", "bad-method" },
	{ "GET %s HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "dup-host" },
	{ "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "cl-and-te" },
	{ "GET %s HTTP/1.1\r\nHost : x\r\n\r\n", "bad-header" },
	{ "GET %s HTTP/1.1\r\n\r\n", "no-host" },
	{ "GET %s HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n",
	  "bad-header" },
	{ "GET %s HTTP/1.1\nHost: x\r\n\r\n", "bad-line" },
	{ "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	  "Content-Length: 2\r\n\r\nab", "bad-content-length" },
	{ "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked"
	  "\r\n\r\n", "bad-transfer-encoding" },
};

struct conn {
	uint32_t cli;
	uint16_t sport;
	uint32_t cseq, sseq;
};

struct writer {
	pcap_dumper_t *dump;
	uint64_t n;
};

/* One segment; returns its index in the trace. */
static uint64_t
seg(struct writer *w, const struct conn *c, bool from_client, uint8_t fl,
    const char *pl, size_t len)
{
	uint8_t f[14 + 20 + 20 + MAX_SEG] = { 0 };
	uint8_t *ip = f + 14, *th = ip + 20;
	struct pcap_pkthdr h;
	size_t tot = 20 + 20 + len;

	memcpy(f, from_client ? "\x02\0\0\0\0\x02\x02\0\0\0\0\x01" :
	       "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	f[12] = 0x08;
	ip[0] = 0x45;
	adn_be16_put(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = 6;
	adn_be32_put(ip + 12, from_client ? c->cli : SRV_IP);
	adn_be32_put(ip + 16, from_client ? SRV_IP : c->cli);
	adn_be16_put(ip + 10, inet_csum(ip, 20, 0));
	adn_be16_put(th, from_client ? c->sport : 80);
	adn_be16_put(th + 2, from_client ? 80 : c->sport);
	adn_be32_put(th + 4, from_client ? c->cseq : c->sseq);
	adn_be32_put(th + 8, from_client ? c->sseq : c->cseq);
	th[12] = 5 << 4;
	th[13] = fl;
	adn_be16_put(th + 14, 65535);
	memcpy(th + 20, pl, len);
	h.ts.tv_sec = (time_t)(w->n / 1000000);
	h.ts.tv_usec = (suseconds_t)(w->n % 1000000);
	h.caplen = h.len = (uint32_t)(14 + tot);
	pcap_dump((u_char *)w->dump, &h, f);
	return w->n++;
}

/* Send `len` bytes from the client in segments cut at `cuts` (sorted,
 * within (0, len)); returns the index of the last segment. */
static uint64_t
send_client(struct writer *w, struct conn *c, const char *d, size_t len,
	    const size_t *cuts, unsigned int n_cuts)
{
	size_t off = 0;
	uint64_t last = 0;

	for (unsigned int i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : len;

		last = seg(w, c, true, 0x18, d + off, end - off);
		c->cseq += (uint32_t)(end - off);
		off = end;
	}
	return last;
}

static void
respond(struct writer *w, struct conn *c)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

	seg(w, c, false, 0x18, r, sizeof(r) - 1);
	c->sseq += sizeof(r) - 1;
}

int
tg_http_write(const struct tg_http_opts *o, pcap_dumper_t *dump, FILE *mf)
{
	struct writer w = { .dump = dump };
	struct adn_rand r;
	uint64_t n_req = 0, n_bad = 0;
	bool first = true;

	adn_rand_seed(&r, o->seed);
	if (mf != NULL)
		fprintf(mf, "{\n  \"seed\": %" PRIu64 ",\n  \"connections\": %"
			PRIu64 ",\n  \"requests\": [", o->seed, o->conns);
	for (uint64_t i = 0; i < o->conns; i++) {
		struct conn c = {
			.cli = 0x0a010000u | (uint32_t)(i & 0xffff),
			.sport = (uint16_t)(1024 + (i % 60000)),
			.cseq = (uint32_t)adn_rand_u64(&r),
			.sseq = (uint32_t)adn_rand_u64(&r),
		};
		unsigned int n = 1 + (unsigned int)adn_rand_below(&r, 4);
		uint64_t stream_off = 0;

		seg(&w, &c, true, 0x02, "", 0);
		c.cseq++;
		seg(&w, &c, false, 0x12, "", 0);
		c.sseq++;
		seg(&w, &c, true, 0x10, "", 0);
		for (unsigned int k = 0; k < n; k++) {
			char buf[2 * MAX_SEG], body[256];
			const char *host = hosts[adn_rand_below(&r,
							DIM(hosts))];
			const char *path = paths[adn_rand_below(&r,
							DIM(paths))];
			bool post = adn_rand_below(&r, 3) == 0;
			bool is_bad = adn_rand_unit(&r) < o->malformed;
			bool pipe = !is_bad && k + 1 < n &&
				adn_rand_below(&r, 4) == 0;
			unsigned int bi = 0, n_plant = 0;
			int plant_at[TG_HTTP_MAX_PLANTS];
			size_t len, blen = 0, cuts[2];
			unsigned int n_cuts = 0;
			uint64_t last;

			if (is_bad) {
				bi = (unsigned int)adn_rand_below(&r,
							DIM(bad));
				len = (size_t)snprintf(buf, sizeof(buf),
						       bad[bi].fmt, path);
			} else {
				if (post) {
					/* filler no plant can appear in */
					blen = 32 + adn_rand_below(&r, 128);
					for (size_t b = 0; b < blen; b++)
						body[b] = (char)('0' + b % 10);
					for (unsigned int p = 0;
					     p < o->n_plants; p++) {
						size_t pl = strlen(o->plants[p]);

						plant_at[p] = -1;
						if (pl > blen / 2 ||
						    adn_rand_below(&r, 2))
							continue;
						/* plants in their own part of
						 * the body, so none overlaps */
						size_t part = blen / o->n_plants;
						if (pl > part)
							continue;
						size_t at = p * part +
							adn_rand_below(&r,
							part - pl + 1);
						memcpy(body + at, o->plants[p],
						       pl);
						plant_at[p] = (int)at;
						n_plant++;
					}
				}
				if (post)
					len = (size_t)snprintf(buf, sizeof(buf),
						"POST %s HTTP/1.1\r\nHost: %s\r\n"
						"User-Agent: adn-tracegen\r\n"
						"Content-Length: %zu\r\n\r\n",
						path, host, blen);
				else
					len = (size_t)snprintf(buf, sizeof(buf),
						"GET %s HTTP/1.1\r\nHost: %s\r\n"
						"User-Agent: adn-tracegen\r\n"
						"\r\n", path, host);
			}
			size_t head_len = len;

			memcpy(buf + len, body, blen);
			len += blen;
			if (pipe) {
				len += (size_t)snprintf(buf + len,
					sizeof(buf) - len,
					"GET /index.html HTTP/1.1\r\nHost: %s"
					"\r\n\r\n", host);
			}
			/* split the head: the last cut inside it, so the
			 * final segment completes the head */
			if (!pipe && adn_rand_below(&r, 3) == 0 &&
			    head_len > 8) {
				cuts[n_cuts++] = 1 + adn_rand_below(&r,
							head_len / 2);
				if (adn_rand_below(&r, 2))
					cuts[n_cuts++] = head_len / 2 + 1 +
						adn_rand_below(&r,
							head_len / 2 - 2);
			}
			if (blen > 0 && n_cuts == 0 && !pipe &&
			    adn_rand_below(&r, 2)) {
				/* the body in its own segment */
				cuts[n_cuts++] = head_len;
			}
			last = send_client(&w, &c, buf, len, cuts, n_cuts);
			/* the packet that completes the head: the one
			 * holding byte head_len - 1 */
			uint64_t head_pkt = last;

			if (n_cuts > 0 && cuts[n_cuts - 1] >= head_len)
				head_pkt = last - 1;
			if (mf != NULL) {
				fprintf(mf, "%s\n    {\"conn\": %" PRIu64
					", \"sport\": %u, \"method\": \"%s\", "
					"\"host\": \"%s\", \"path\": \"%s\", "
					"\"malformed\": %s%s%s, \"packet\": %"
					PRIu64 ", \"segments\": %u, "
					"\"body_packet\": %" PRId64
					", \"plants\": [",
					first ? "" : ",", i, c.sport,
					is_bad ? "?" : post ? "POST" : "GET",
					is_bad ? "x" : host, path,
					is_bad ? "\"" : "",
					is_bad ? bad[bi].reason : "null",
					is_bad ? "\"" : "", head_pkt,
					n_cuts + 1,
					head_pkt != last ? (int64_t)last : -1);
				for (unsigned int p = 0, q = 0;
				     blen && p < o->n_plants; p++) {
					if (plant_at[p] < 0)
						continue;
					fprintf(mf, "%s{\"string\": %u, "
						"\"offset\": %" PRIu64 "}",
						q++ ? ", " : "", p,
						stream_off + head_len +
						(uint64_t)plant_at[p]);
				}
				fprintf(mf, "]}");
				if (pipe)
					fprintf(mf, ",\n    {\"conn\": %" PRIu64
						", \"sport\": %u, \"method\": "
						"\"GET\", \"host\": \"%s\", "
						"\"path\": \"/index.html\", "
						"\"malformed\": null, "
						"\"packet\": %" PRIu64 ", "
						"\"segments\": 1, "
						"\"body_packet\": -1, "
						"\"pipelined\": true, "
						"\"plants\": []}", i, c.sport,
						host, last);
				first = false;
			}
			stream_off += len;
			n_req += 1 + pipe;
			respond(&w, &c);
			if (pipe)
				respond(&w, &c);
			if (is_bad) {
				n_bad++;
				break;
			}
		}
		seg(&w, &c, true, 0x11, "", 0);
		c.cseq++;
		seg(&w, &c, false, 0x11, "", 0);
		c.sseq++;
		seg(&w, &c, true, 0x10, "", 0);
	}
	if (mf != NULL)
		fprintf(mf, "\n  ],\n  \"packets\": %" PRIu64 ",\n"
			"  \"malformed\": %" PRIu64 "\n}\n", w.n, n_bad);
	printf("adn-tracegen: %" PRIu64 " HTTP connections, %" PRIu64
	       " requests (%" PRIu64 " malformed), %" PRIu64 " packets\n",
	       o->conns, n_req, n_bad, w.n);
	return 0;
}
