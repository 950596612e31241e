/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/l7: the HTTP/1.1 parser against a table of RFC 9112 messages and a
 * malformed set (each with its reason), the SSE4.2 and portable scanners
 * agreeing on every case and on every prefix of it (a prefix is
 * "incomplete", never an error the whole message does not have); chunked
 * bodies; and the stream tracker: a request pipeline split at every byte
 * offset across two segments parses as unsplit; retransmitted and reordered
 * segments are counted and never delivered twice; limits punt, not drop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_http.h"
#include "adn_rand.h"
#include "adn_tcp_stream.h"
#include "adn_test.h"

static const struct adn_http_limits lim = { .max_head = 8192,
					    .max_headers = 64 };

struct ok_case {
	const char *msg;
	bool response;
	unsigned int method;
	const char *path, *query, *host;
	uint16_t flags;		/* expected to be set */
	uint64_t cl;
	uint16_t status;
};

/* RFC 9112 §3 (request line), §4 (status line), §5 (fields), §6 (bodies),
 * §9 (connection). */
static const struct ok_case ok_cases[] = {
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, ADN_HTTP_M_GET, "/",
	  "", "a", ADN_HTTP_F_HAS_HOST },
	{ "GET /where?q=now HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
	  false, ADN_HTTP_M_GET, "/where", "q=now", "www.example.com",
	  ADN_HTTP_F_QUERY },
	{ "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", false,
	  ADN_HTTP_M_POST, "/x", "", "h", ADN_HTTP_F_HAS_CL, 5 },
	{ "PUT /u HTTP/1.1\r\nhost:h\r\ntransfer-encoding: Chunked\r\n\r\n",
	  false, ADN_HTTP_M_PUT, "/u", "", "h", ADN_HTTP_F_CHUNKED },
	{ "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", false, ADN_HTTP_M_OPTIONS,
	  "*", "", "h", 0 },
	{ "GET /a HTTP/1.0\r\n\r\n", false, ADN_HTTP_M_GET, "/a", "", "",
	  ADN_HTTP_F_CLOSE },
	{ "GET /a HTTP/1.1\r\nHost: h \t\r\nConnection: keep-alive, Close\r\n"
	  "X-Empty:\r\n\r\n", false, ADN_HTTP_M_GET, "/a", "", "h",
	  ADN_HTTP_F_CLOSE | ADN_HTTP_F_KEEP_ALIVE },
	{ "DELETE /%41?a=%20&b HTTP/1.1\r\nHost: [::1]:80\r\n"
	  "Value: caf\xc3\xa9\r\n\r\n", false, ADN_HTTP_M_DELETE, "/%41",
	  "a=%20&b", "[::1]:80", 0 },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", true, 0, "", "",
	  "", ADN_HTTP_F_RESPONSE | ADN_HTTP_F_HAS_CL, 3, 200 },
	{ "HTTP/1.1 204 No Content\r\n\r\n", true, 0, "", "", "", 0, 0, 204 },
	{ "HTTP/1.1 200 OK\r\n\r\n", true, 0, "", "", "",
	  ADN_HTTP_F_UNTIL_CLOSE, 0, 200 },
	{ "HTTP/1.1 404\r\nTransfer-Encoding: chunked\r\n\r\n", true, 0, "",
	  "", "", ADN_HTTP_F_CHUNKED, 0, 404 },
};

struct bad_case {
	const char *msg;
	bool response;
	enum adn_http_err err;
};

static const struct bad_case bad_cases[] = {
	{ "get / HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_METHOD },
	{ "FETCH / HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_METHOD },
	{ "GETTINGS / HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_METHOD },
	{ " GET / HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_METHOD },
	{ "GET  / HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_TARGET },
	{ "GET http://a/ HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_TARGET },
	{ "GET /a\x01 HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_TARGET },
	{ "GET /\xff HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_TARGET },
	{ "GET * HTTP/1.1\r\n", false, ADN_HTTP_E_BAD_TARGET },
	{ "GET / HTTP/2.0\r\n", false, ADN_HTTP_E_BAD_VERSION },
	{ "GET / HTTP/1.1 \r\n", false, ADN_HTTP_E_BAD_VERSION },
	{ "GET / HTTP/1.1\n", false, ADN_HTTP_E_BAD_LINE },
	{ "GET / HTTP/1.1\r\nHost: a\n\r\n", false, ADN_HTTP_E_BAD_LINE },
	{ "GET / HTTP/1.1\r\nHost: a\r\r\n", false, ADN_HTTP_E_BAD_LINE },
	{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", false, ADN_HTTP_E_BAD_HEADER },
	{ "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", false,
	  ADN_HTTP_E_BAD_HEADER },
	{ "GET / HTTP/1.1\r\n: a\r\n\r\n", false, ADN_HTTP_E_BAD_HEADER },
	{ "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", false, ADN_HTTP_E_BAD_HEADER },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", false, ADN_HTTP_E_BAD_HEADER },
	{ "GET / HTTP/1.1\r\n\r\n", false, ADN_HTTP_E_NO_HOST },
	{ "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", false,
	  ADN_HTTP_E_DUP_HOST },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", false,
	  ADN_HTTP_E_BAD_CL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", false,
	  ADN_HTTP_E_BAD_CL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	  "Content-Length: 1\r\n\r\n", false, ADN_HTTP_E_BAD_CL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	  "99999999999999999999\r\n\r\n", false, ADN_HTTP_E_BAD_CL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", false, ADN_HTTP_E_CL_TE },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	  "Content-Length: 3\r\n\r\n", false, ADN_HTTP_E_CL_TE },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
	  "\r\n", false, ADN_HTTP_E_BAD_TE },
	{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", false, ADN_HTTP_E_BAD_TE },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", false,
	  ADN_HTTP_E_BAD_TE },
	{ "HTTP/1.1 2000 OK\r\n\r\n", true, ADN_HTTP_E_BAD_STATUS },
	{ "HTTP/1.1 099 OK\r\n\r\n", true, ADN_HTTP_E_BAD_STATUS },
	{ "HTTP/3 200 OK\r\n\r\n", true, ADN_HTTP_E_BAD_VERSION },
};

static void
check_span(const char *buf, struct adn_http_span s, const char *want)
{
	CU_ASSERT_EQUAL(s.len, strlen(want));
	if (s.len == strlen(want))
		CU_ASSERT(memcmp(buf + s.off, want, s.len) == 0);
}

/* Both scanners give the same answer for every prefix of `msg`. */
static int
parse_both(const char *msg, size_t len, bool resp, struct adn_http_msg *m)
{
	struct adn_http_msg a, b;
	int ra = adn_http_parse((const uint8_t *)msg, len, resp, &lim, NULL, &a);
	int rb = adn_http_parse_portable((const uint8_t *)msg, len, resp, &lim,
					 NULL, &b);

	CU_ASSERT_EQUAL(ra, rb);
	if (ra > 0)
		CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	*m = a;
	return ra;
}

static void
test_http_parses_rfc9112_table(void)
{
	for (unsigned int i = 0; i < RTE_DIM(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		size_t len = strlen(c->msg);
		struct adn_http_msg m;
		int rc = parse_both(c->msg, len, c->response, &m);

		if (rc != (int)len)
			printf("\ncase %u: rc %d (%s)\n", i, rc,
			       rc < 0 ? adn_http_err_str(-rc) : "");
		CU_ASSERT_EQUAL_FATAL(rc, (int)len);
		CU_ASSERT_EQUAL(m.flags & c->flags, c->flags);
		if (c->response) {
			CU_ASSERT_EQUAL(m.status, c->status);
		} else {
			CU_ASSERT_EQUAL(m.method, c->method);
			check_span(c->msg, m.path, c->path);
			check_span(c->msg, m.query, c->query);
			check_span(c->msg, m.host, c->host);
		}
		if (c->flags & ADN_HTTP_F_HAS_CL)
			CU_ASSERT_EQUAL(m.content_length, c->cl);
		/* every prefix is incomplete */
		for (size_t k = 0; k < len; k++)
			CU_ASSERT_EQUAL(parse_both(c->msg, k, c->response, &m),
					0);
	}
}

static void
test_http_rejects_malformed_with_reason(void)
{
	for (unsigned int i = 0; i < RTE_DIM(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = strlen(c->msg);
		struct adn_http_msg m;
		int rc = parse_both(c->msg, len, c->response, &m);

		if (rc != -(int)c->err)
			printf("\nbad case %u: rc %d (%s), want %s\n", i, rc,
			       rc < 0 ? adn_http_err_str(-rc) : "",
			       adn_http_err_str(c->err));
		CU_ASSERT_EQUAL(rc, -(int)c->err);
		/* a prefix is incomplete or the same error, nothing else */
		for (size_t k = 0; k < len; k++) {
			rc = parse_both(c->msg, k, c->response, &m);
			CU_ASSERT(rc == 0 || rc == -(int)c->err);
		}
	}
}

static void
test_http_limits_and_wanted_headers(void)
{
	static const char msg[] = "GET /p HTTP/1.1\r\nHost: h\r\n"
		"X-Request-Id: 42\r\nuser-agent: t/1\r\n\r\n";
	struct adn_http_limits small = { .max_head = 20, .max_headers = 64 };
	struct adn_http_limits few = { .max_head = 8192, .max_headers = 2 };
	struct adn_http_want w = { 0 };
	struct adn_http_msg m;
	char longname[ADN_HTTP_MAX_NAME + 1];

	CU_ASSERT_EQUAL(adn_http_want_add(&w, "User-Agent"), 0);
	CU_ASSERT_EQUAL(adn_http_want_add(&w, "x-request-id"), 0);
	CU_ASSERT_EQUAL(adn_http_want_add(&w, "a b"), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(adn_http_want_add(&w, longname), -EINVAL);
	CU_ASSERT_EQUAL(adn_http_parse((const uint8_t *)msg, strlen(msg),
				       false, &lim, &w, &m),
			(int)strlen(msg));
	check_span(msg, m.want[0], "t/1");
	check_span(msg, m.want[1], "42");
	CU_ASSERT_EQUAL(adn_http_parse((const uint8_t *)msg, strlen(msg),
				       false, &small, NULL, &m),
			-ADN_HTTP_E_HEAD_TOO_LONG);
	/* the limit is known before the end: 19 bytes is incomplete */
	CU_ASSERT_EQUAL(adn_http_parse((const uint8_t *)msg, 19, false,
				       &small, NULL, &m), 0);
	CU_ASSERT_EQUAL(adn_http_parse((const uint8_t *)msg, strlen(msg),
				       false, &few, NULL, &m),
			-ADN_HTTP_E_TOO_MANY_HEADERS);
}

/* Feed `body` to a decoder in pieces of `step` bytes. */
static int
body_run(struct adn_http_body *b, const char *body, size_t step,
	 size_t *used)
{
	size_t len = strlen(body), i = 0;
	bool done = false;

	while (i < len && !done) {
		size_t n = RTE_MIN(step, len - i);
		int rc = adn_http_body_feed(b, (const uint8_t *)body + i, n,
					    &done);

		if (rc < 0)
			return rc;
		i += (size_t)rc;
		if (!done && (size_t)rc < n)
			return -1000;
	}
	*used = i;
	return done;
}

static void
test_http_chunked_bodies(void)
{
	static const char good[] = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n"
		"E\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nGET";
	static const char *const bad[] = {
		"x\r\n", "4\r\nWikiX\r\n", "4\nWiki\r\n",
		"1234567890abcdef0\r\n", "0\r\n\n",
	};
	struct adn_http_msg m = { .flags = ADN_HTTP_F_CHUNKED };
	struct adn_http_body b;
	size_t used;

	for (size_t step = 1; step <= sizeof(good); step++) {
		adn_http_body_start(&b, &m, 0);
		CU_ASSERT_EQUAL(body_run(&b, good, step, &used), 1);
		CU_ASSERT_EQUAL(used, strlen(good) - 3);
	}
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		adn_http_body_start(&b, &m, 0);
		CU_ASSERT_EQUAL(body_run(&b, bad[i], 1, &used),
				-ADN_HTTP_E_BAD_CHUNK);
	}
	/* HEAD's response and 304 have no body whatever they say */
	m = (struct adn_http_msg){ .flags = ADN_HTTP_F_RESPONSE |
				   ADN_HTTP_F_HAS_CL, .status = 200,
				   .content_length = 10 };
	adn_http_body_start(&b, &m, ADN_HTTP_M_HEAD);
	CU_ASSERT_EQUAL(b.kind, ADN_HTTP_BODY_NONE);
	adn_http_body_start(&b, &m, ADN_HTTP_M_GET);
	CU_ASSERT_EQUAL(b.kind, ADN_HTTP_BODY_LENGTH);
}

/* --- stream tracking ------------------------------------------------- */

/* A consumer like HttpParse's: heads and bodies of the stream, each
 * request written as "METHOD host path|" to out. */
struct consumer {
	bool in_body;
	struct adn_http_body body;
	char out[4096];
	size_t n;
	unsigned int requests;
};

static uint32_t
consume(struct consumer *c, const uint8_t *d, uint32_t len)
{
	uint32_t pos = 0;

	while (pos < len) {
		struct adn_http_msg m;
		bool done;
		int rc;

		if (c->in_body) {
			rc = adn_http_body_feed(&c->body, d + pos, len - pos,
						&done);
			CU_ASSERT_FATAL(rc >= 0);
			pos += (uint32_t)rc;
			c->in_body = !done;
			continue;
		}
		rc = adn_http_parse(d + pos, len - pos, false, &lim, NULL, &m);
		CU_ASSERT_FATAL(rc >= 0);
		if (rc == 0)
			break;
		c->n += (size_t)snprintf(c->out + c->n, sizeof(c->out) - c->n,
					 "%s %.*s %.*s|",
					 adn_http_method_str(m.method),
					 m.host.len, d + pos + m.host.off,
					 m.path.len, d + pos + m.path.off);
		c->requests++;
		adn_http_body_start(&c->body, &m, 0);
		pos += (uint32_t)rc;
		c->in_body = true;
	}
	return pos;
}

static const char pipeline[] =
	"GET /index.html HTTP/1.1\r\nHost: a.example\r\n\r\n"
	"POST /api/v1/items?x=1 HTTP/1.1\r\nHost: b.example\r\n"
	"Content-Length: 11\r\n\r\nhello world"
	"PUT /up HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n"
	"3\r\nabc\r\n0\r\n\r\n"
	"DELETE /z HTTP/1.1\r\nHost: d\r\n\r\n";

static struct adn_tcp_track *
tracker(const char *name, uint32_t flows, uint32_t bytes, uint32_t bufs)
{
	struct adn_tcp_track_conf c = {
		.name = name, .max_flows = flows, .max_bytes = bytes,
		.n_bufs = bufs, .idle_ms = 1000,
		.user_size = sizeof(struct consumer), .socket = 0,
	};
	struct adn_tcp_track *t = NULL;

	CU_ASSERT_EQUAL_FATAL(adn_tcp_track_create(&c, &t), 0);
	return t;
}

static const struct adn_flow_key key = { 0x0a000001, 0x0a000002, 1234, 80,
					 6 };

/* Feed segment [off, off + len) of `data` (stream ISN 1000). */
static enum adn_tcp_status
feed(struct adn_tcp_track *t, const char *data, uint32_t off, uint32_t len,
     uint8_t fl, uint64_t now)
{
	struct adn_tcp_seg s;
	enum adn_tcp_status st;

	st = adn_tcp_track_segment(t, &key, 1001 + off, fl,
				   (const uint8_t *)data + off, len, now, &s);
	if (st == ADN_TCP_OK) {
		struct consumer *c = s.user;
		uint32_t used = consume(c, s.data, s.len);

		CU_ASSERT(s.fresh <= s.len);
		CU_ASSERT_EQUAL(adn_tcp_track_done(t, &s, used, false), 0);
	}
	return st;
}

static struct consumer *
stream_user(struct adn_tcp_track *t)
{
	struct adn_tcp_seg s;
	struct consumer *c;

	/* an empty ACK shows the stream without changing it */
	if (adn_tcp_track_segment(t, &key, 0, ADN_TCP_ACK, NULL, 0, 0, &s) !=
	    ADN_TCP_OK)
		return NULL;
	c = s.user;
	adn_tcp_track_done(t, &s, 0, false);
	return c;
}

static void
syn(struct adn_tcp_track *t)
{
	struct adn_tcp_seg s;

	CU_ASSERT_EQUAL(adn_tcp_track_segment(t, &key, 1000, ADN_TCP_SYN, NULL,
					      0, 0, &s), ADN_TCP_OK);
	CU_ASSERT(s.start);
	adn_tcp_track_done(t, &s, 0, false);
}

static void
test_stream_split_at_every_offset_parses_as_unsplit(void)
{
	uint32_t len = (uint32_t)strlen(pipeline);
	struct adn_tcp_track *t = tracker("split", 16, 4096, 4);
	char whole[4096];

	syn(t);
	CU_ASSERT_EQUAL(feed(t, pipeline, 0, len, ADN_TCP_ACK, 0), ADN_TCP_OK);
	snprintf(whole, sizeof(whole), "%s", stream_user(t)->out);
	CU_ASSERT_EQUAL(stream_user(t)->requests, 4);
	CU_ASSERT_STRING_EQUAL(whole, "GET a.example /index.html|"
			       "POST b.example /api/v1/items|PUT c /up|"
			       "DELETE d /z|");
	for (uint32_t k = 1; k < len; k++) {
		syn(t);	/* a new connection on the tuple: a fresh stream */
		CU_ASSERT_EQUAL(feed(t, pipeline, 0, k, ADN_TCP_ACK, 0),
				ADN_TCP_OK);
		CU_ASSERT_EQUAL(feed(t, pipeline, k, len - k, ADN_TCP_ACK, 0),
				ADN_TCP_OK);
		CU_ASSERT_STRING_EQUAL(stream_user(t)->out, whole);
		/* and in the other order: the tail first, held */
		syn(t);
		CU_ASSERT_EQUAL(feed(t, pipeline, k, len - k, ADN_TCP_ACK, 0),
				ADN_TCP_OK);
		CU_ASSERT_EQUAL(stream_user(t)->requests, 0);
		CU_ASSERT_EQUAL(feed(t, pipeline, 0, k, ADN_TCP_ACK, 0),
				ADN_TCP_OK);
		CU_ASSERT_STRING_EQUAL(stream_user(t)->out, whole);
	}
	adn_tcp_track_free(t);
}

static void
test_stream_retransmits_and_reorders_once(void)
{
	uint32_t len = (uint32_t)strlen(pipeline);
	struct adn_tcp_track *t = tracker("retx", 16, 4096, 4);
	struct adn_tcp_track_stats st;
	struct adn_rand r;

	adn_rand_seed(&r, 7);
	for (int round = 0; round < 200; round++) {
		/* segments of 1-40 bytes, each sent once, some twice, in a
		 * shuffled window of 3 */
		uint32_t cuts[512][2], n = 0, off = 0;
		uint64_t before_retx, before_ooo;

		syn(t);
		adn_tcp_track_stats(t, &st);
		before_retx = st.retrans;
		before_ooo = st.ooo;
		while (off < len) {
			uint32_t l = 1 + (uint32_t)adn_rand_below(&r, 40);

			l = RTE_MIN(l, len - off);
			cuts[n][0] = off;
			cuts[n++][1] = l;
			off += l;
		}
		for (uint32_t i = 0; i + 1 < n; i += 3) {
			if (adn_rand_below(&r, 2)) {
				uint32_t a = cuts[i][0], b = cuts[i][1];

				cuts[i][0] = cuts[i + 1][0];
				cuts[i][1] = cuts[i + 1][1];
				cuts[i + 1][0] = a;
				cuts[i + 1][1] = b;
			}
		}
		uint32_t dups = 0;

		for (uint32_t i = 0; i < n; i++) {
			CU_ASSERT_EQUAL(feed(t, pipeline, cuts[i][0],
					     cuts[i][1], ADN_TCP_ACK, 0),
					ADN_TCP_OK);
			if (adn_rand_below(&r, 5) == 0) {
				CU_ASSERT_EQUAL(feed(t, pipeline, cuts[i][0],
						     cuts[i][1], ADN_TCP_ACK,
						     0), ADN_TCP_OK);
				dups++;
			}
		}
		CU_ASSERT_EQUAL(stream_user(t)->requests, 4);
		CU_ASSERT_STRING_EQUAL(stream_user(t)->out,
				       "GET a.example /index.html|"
				       "POST b.example /api/v1/items|PUT c /up|"
				       "DELETE d /z|");
		adn_tcp_track_stats(t, &st);
		/* a duplicate of a held segment is held again, not counted
		 * as a retransmission: at most dups, at least the ones of
		 * delivered bytes */
		CU_ASSERT(st.retrans - before_retx <= dups);
		CU_ASSERT(st.ooo >= before_ooo);
	}
	adn_tcp_track_stats(t, &st);
	CU_ASSERT(st.retrans > 0);
	CU_ASSERT(st.ooo > 0);
	adn_tcp_track_free(t);
}

static void
test_stream_limits_punt_and_close(void)
{
	static const char big[] = "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n";
	struct adn_tcp_track *t = tracker("lim", 1, 32, 1);
	struct adn_flow_key other = key;
	struct adn_tcp_track_stats st;
	struct adn_tcp_seg s;

	/* untracked: no SYN */
	CU_ASSERT_EQUAL(feed(t, big, 0, 10, ADN_TCP_ACK, 0), ADN_TCP_UNTRACKED);
	syn(t);
	/* the table holds one stream */
	other.src_port = 9;
	CU_ASSERT_EQUAL(adn_tcp_track_segment(t, &other, 1, ADN_TCP_SYN, NULL,
					      0, 0, &s), ADN_TCP_FLOWS_FULL);
	/* an unfinished head longer than max_bytes breaks the stream */
	CU_ASSERT_EQUAL(adn_tcp_track_segment(t, &key, 1001, ADN_TCP_ACK,
					      (const uint8_t *)big,
					      (uint32_t)strlen(big), 0, &s),
			ADN_TCP_OK);
	CU_ASSERT_EQUAL(adn_tcp_track_done(t, &s, 0, false), -ENOSPC);
	CU_ASSERT_EQUAL(feed(t, big, 0, 4, ADN_TCP_ACK, 0), ADN_TCP_BROKEN);
	adn_tcp_track_stats(t, &st);
	CU_ASSERT_EQUAL(st.bytes_full, 1);
	CU_ASSERT_EQUAL(st.untracked, 1);
	CU_ASSERT_EQUAL(st.flows_full, 1);
	/* idle timeout frees the slot */
	CU_ASSERT_EQUAL(adn_tcp_track_expire(t, 5000, 8), 1);
	syn(t);
	CU_ASSERT_EQUAL(feed(t, pipeline, 0, 10, ADN_TCP_ACK | ADN_TCP_FIN, 0),
			ADN_TCP_OK);
	adn_tcp_track_stats(t, &st);
	CU_ASSERT_EQUAL(st.closed, 1);
	CU_ASSERT_EQUAL(st.live, 0);
	adn_tcp_track_free(t);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("l7");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_http_parses_rfc9112_table);
	CU_ADD_TEST(s, test_http_rejects_malformed_with_reason);
	CU_ADD_TEST(s, test_http_limits_and_wanted_headers);
	CU_ADD_TEST(s, test_http_chunked_bodies);
	CU_ADD_TEST(s, test_stream_split_at_every_offset_parses_as_unsplit);
	CU_ADD_TEST(s, test_stream_retransmits_and_reorders_once);
	CU_ADD_TEST(s, test_stream_limits_punt_and_close);
	return adn_test_main();
}
