/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HttpParse and UrlRoute. UrlRoute's Hyperscan database picks the same
 * rule as a plain model (string compares, POSIX regex) for thousands of
 * generated hosts and paths, under first and longest match. Through a
 * pipeline: requests over TCP (split heads, pipelining, bodies) reach the
 * output of their rule, and later segments of their stream follow;
 * malformed requests go to HttpParse's reject output with their reason
 * counted; `reload FILE` swaps the rules; no mbuf is lost.
 */
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "adn_l7_meta.h"
#include "adn_rand.h"
#include "adn_tcp_seq.h"
#include "adn_test.h"
#include "adn_url_rules.h"

/* --- the model ------------------------------------------------------- */

static const char *const words[] = { "api", "static", "img", "v1", "v2",
	"users", "a", "b", "items", "x1" };

static void
rand_word(struct adn_rand *r, char *out, size_t len)
{
	snprintf(out, len, "%s", words[adn_rand_below(r, RTE_DIM(words))]);
}

static void
rand_path(struct adn_rand *r, char *out, size_t len)
{
	size_t o = 0;
	unsigned int n = (unsigned int)adn_rand_below(r, 4);

	out[0] = '\0';
	for (unsigned int i = 0; i < n + 1 && o + 12 < len; i++) {
		char w[16];

		rand_word(r, w, sizeof(w));
		o += (size_t)snprintf(out + o, len - o, "/%s", w);
		if (adn_rand_below(r, 4) == 0)
			o += (size_t)snprintf(out + o, len - o, "%u",
					      (unsigned int)adn_rand_below(r,
									   100));
	}
}

static void
rand_host(struct adn_rand *r, char *out, size_t len)
{
	char w[16];

	rand_word(r, w, sizeof(w));
	snprintf(out, len, "%s.example.com", w);
}

struct model {
	const struct adn_url_rule *r;
	unsigned int n;
	regex_t re[512];
	bool longest;
};

static long
m_len(struct model *m, unsigned int i, const char *s)
{
	const struct adn_url_rule *r = &m->r[i];
	size_t pl = strlen(r->pattern);
	regmatch_t rm;

	switch (r->kind) {
	case ADN_URL_EXACT:
		return strcasecmp(s, r->pattern) == 0 ? (long)pl : -1;
	case ADN_URL_PREFIX:
		return strncasecmp(s, r->pattern, pl) == 0 ? (long)pl : -1;
	default:
		/* the patterns are anchored at both ends: one match */
		return regexec(&m->re[i], s, 1, &rm, 0) == 0 ?
			(long)rm.rm_eo : -1;
	}
}

static int
m_match(struct model *m, const char *host, const char *path)
{
	int best = -1;
	long best_len = -1;

	for (unsigned int i = 0; i < m->n; i++) {
		long l = m_len(m, i, m->r[i].field == ADN_URL_HOST ? host :
			       path);

		if (l < 0)
			continue;
		if (best < 0 || (m->longest && l > best_len)) {
			best = (int)i;
			best_len = l;
		}
		if (!m->longest)
			break;
	}
	return best;
}

static void
test_url_db_matches_model(void)
{
	static struct adn_url_rule rules[300];
	struct adn_rand r;
	char why[256];

	adn_rand_seed(&r, 42);
	for (unsigned int i = 0; i < RTE_DIM(rules); i++) {
		struct adn_url_rule *u = &rules[i];
		unsigned int k = (unsigned int)adn_rand_below(&r, 5);

		u->out = (uint16_t)(1 + adn_rand_below(&r, 8));
		if (k == 0) {
			u->field = ADN_URL_HOST;
			u->kind = ADN_URL_EXACT;
			rand_host(&r, u->pattern, sizeof(u->pattern));
		} else if (k == 1) {
			u->field = ADN_URL_PATH;
			u->kind = ADN_URL_EXACT;
			rand_path(&r, u->pattern, sizeof(u->pattern));
		} else if (k == 2 || k == 3) {
			u->field = ADN_URL_PATH;
			u->kind = ADN_URL_PREFIX;
			rand_path(&r, u->pattern, sizeof(u->pattern));
		} else {
			char w[16];

			u->field = ADN_URL_PATH;
			u->kind = ADN_URL_REGEX;
			rand_word(&r, w, sizeof(w));
			snprintf(u->pattern, sizeof(u->pattern),
				 "^/%s[0-9]*(/[a-z0-9]+)*$", w);
		}
	}
	for (int longest = 0; longest < 2; longest++) {
		struct model m = { .r = rules, .n = RTE_DIM(rules),
				   .longest = longest };
		struct adn_url_db *db;
		unsigned int hits = 0;

		for (unsigned int i = 0; i < m.n; i++)
			if (rules[i].kind == ADN_URL_REGEX)
				CU_ASSERT_EQUAL_FATAL(regcomp(&m.re[i],
					rules[i].pattern, REG_EXTENDED), 0);
		CU_ASSERT_EQUAL_FATAL(adn_url_db_build(rules, m.n, longest, 1,
						       &db, why, sizeof(why)),
				      0);
		for (unsigned int t = 0; t < 5000; t++) {
			char host[64], path[256];
			int want, got;

			rand_host(&r, host, sizeof(host));
			rand_path(&r, path, sizeof(path));
			if (t % 3 == 0) {
				/* a host and path no rule names */
				char tail[256];

				snprintf(host, sizeof(host), "zz.example.org");
				snprintf(tail, sizeof(tail), "%s", path);
				snprintf(path, sizeof(path), "/zz%.240s", tail);
			}
			want = m_match(&m, host, path);
			got = adn_url_db_match(db, 0, host, strlen(host), path,
					       strlen(path));
			if (want != got)
				printf("\n%s %s: model %d db %d (%s)\n", host,
				       path, want, got, longest ? "longest" :
				       "first");
			CU_ASSERT_EQUAL(got, want);
			hits += got >= 0;
		}
		/* the generated URLs hit rules and miss them */
		CU_ASSERT(hits > 500 && hits < 4990);
		for (unsigned int i = 0; i < m.n; i++)
			if (rules[i].kind == ADN_URL_REGEX)
				regfree(&m.re[i]);
		adn_url_db_free(db);
	}
}

static void
test_url_rules_reject_bad_lines(void)
{
	static const char *const bad[] = {
		"uri exact / 1", "path glob / 1", "path exact / 0",
		"path exact / 16", "path exact /", "path exact / 1 extra",
	};
	struct adn_url_rule u;
	struct adn_url_db *db;
	char why[256];

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		CU_ASSERT_EQUAL(adn_url_rule_parse(bad[i], &u, why,
						   sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(adn_url_rule_parse("  # c", &u, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(adn_url_rule_parse("path regex ^/(a 1", &u, why,
					   sizeof(why)), 1);
	CU_ASSERT(adn_url_db_build(&u, 1, false, 1, &db, why, sizeof(why)) < 0);
	CU_ASSERT(strstr(why, "rule 1") != NULL);
}

/* --- through the pipeline ------------------------------------------ */

static const char rules_a[] =
	"host exact api.example.com 1\n"
	"path prefix /static/ 2\n"
	"path regex ^/users/[0-9]+$ 3\n";
static const char rules_b[] = "path prefix / 3\n";

static void
test_http_router_routes_requests(void)
{
	char cfg[1024], path_a[64], path_b[64], reply[256];
	struct adn_pipeline *p;
	struct rte_mbuf *pk[16];
	unsigned int n = 0;
	static const char post[] = "POST /users/42 HTTP/1.1\r\nHost: x\r\n"
		"Content-Length: 4\r\n\r\n";

	snprintf(path_a, sizeof(path_a), "/tmp/adn_ur_a_%d.txt", getpid());
	snprintf(path_b, sizeof(path_b), "/tmp/adn_ur_b_%d.txt", getpid());
	adn_test_write_file(path_a, rules_a);
	adn_test_write_file(path_b, rules_b);
	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 " { name = \"src\"; type = \"TestSource\"; },\n"
		 " { name = \"hp\"; type = \"HttpParse\"; },\n"
		 " { name = \"ur\"; type = \"UrlRoute\"; rules = \"%s\"; },\n"
		 " { name = \"d\"; type = \"TestSink\"; },\n"
		 " { name = \"b1\"; type = \"TestSink\"; },\n"
		 " { name = \"b2\"; type = \"TestSink\"; },\n"
		 " { name = \"b3\"; type = \"TestSink\"; },\n"
		 " { name = \"rej\"; type = \"TestSink\"; },\n"
		 " { name = \"punt\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> hp -> ur -> d\", \"ur[1] -> b1\",\n"
		 " \"ur[2] -> b2\", \"ur[3] -> b3\", \"hp[1] -> rej\",\n"
		 " \"hp[2] -> punt\" );\n", path_a);
	p = adn_test_build("router", cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);

	/* stream 1: GET to api.example.com, its head in two segments */
	pk[n++] = adn_test_tcp(1000, 100, ADN_TCP_SYN, "", 0);
	pk[n++] = adn_test_tcp(1000, 101, ADN_TCP_ACK, "GET /x HTTP/1.1\r\nHo", 19);
	pk[n++] = adn_test_tcp(1000, 120, ADN_TCP_ACK, "st: API.example.com\r\n\r\n",
			  23);
	/* stream 2: POST /users/42 with its body in the next segment */
	pk[n++] = adn_test_tcp(2000, 200, ADN_TCP_SYN, "", 0);
	pk[n++] = adn_test_tcp(2000, 201, ADN_TCP_ACK, post, strlen(post));
	pk[n++] = adn_test_tcp(2000, 201 + (uint32_t)strlen(post), ADN_TCP_ACK,
			  "abcd", 4);
	/* stream 3: two pipelined GETs of /static/ in one segment */
	pk[n++] = adn_test_tcp(3000, 300, ADN_TCP_SYN, "", 0);
	static const char two[] = "GET /static/a HTTP/1.1\r\nHost: s\r\n\r\n"
		"GET /static/b HTTP/1.1\r\nHost: s\r\n\r\n";
	pk[n++] = adn_test_tcp(3000, 301, ADN_TCP_ACK, two, strlen(two));
	/* stream 4: a smuggling attempt, then more of that stream */
	pk[n++] = adn_test_tcp(4000, 400, ADN_TCP_SYN, "", 0);
	static const char smug[] = "POST / HTTP/1.1\r\nHost: s\r\n"
		"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
	pk[n++] = adn_test_tcp(4000, 401, ADN_TCP_ACK, smug, strlen(smug));
	pk[n++] = adn_test_tcp(4000, 401 + (uint32_t)strlen(smug), ADN_TCP_ACK,
			  "0\r\n\r\n", 5);
	/* data without a handshake: punted */
	pk[n++] = adn_test_tcp(5000, 1, ADN_TCP_ACK, "GET", 3);
	adn_test_run(p, "src", pk, n);

	CU_ASSERT_EQUAL(adn_test_sink(p, "b1")->n, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "b2")->n, 1);
	CU_ASSERT_EQUAL(adn_test_sink(p, "b3")->n, 2);	/* POST + its body */
	CU_ASSERT_EQUAL(adn_test_sink(p, "rej")->n, 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "punt")->n, 1);
	/* 4 SYNs, the first half of stream 1's head */
	CU_ASSERT_EQUAL(adn_test_sink(p, "d")->n, 5);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "hp", "requests"), 4);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "hp", "reject-cl-and-te"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "hp", "reject-stream"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "hp", "punt-untracked"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "ur", "routed"), 3);
	for (const char *s = "d"; s != NULL; s = NULL)
		adn_test_sink_clear(adn_test_sink(p, s));
	adn_test_sink_clear(adn_test_sink(p, "b1"));
	adn_test_sink_clear(adn_test_sink(p, "b2"));
	adn_test_sink_clear(adn_test_sink(p, "b3"));
	adn_test_sink_clear(adn_test_sink(p, "rej"));
	adn_test_sink_clear(adn_test_sink(p, "punt"));

	/* reload: every path to output 3 */
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "reload %s", path_b);
	CU_ASSERT_EQUAL(adn_elem_control(adn_pipeline_find(p, "ur"), cmd, reply,
					 sizeof(reply)), 0);
	snprintf(cmd, sizeof(cmd), "reload /nonexistent/rules");
	CU_ASSERT(adn_elem_control(adn_pipeline_find(p, "ur"), cmd, reply,
				   sizeof(reply)) < 0);
	n = 0;
	pk[n++] = adn_test_tcp(3000, 301 + (uint32_t)strlen(two), ADN_TCP_ACK,
			  "GET /static/c HTTP/1.1\r\nHost: s\r\n\r\n", 35);
	adn_test_run(p, "src", pk, n);
	CU_ASSERT_EQUAL(adn_test_sink(p, "b3")->n, 1);
	adn_test_sink_clear(adn_test_sink(p, "b3"));
	adn_test_free(p);
	unlink(path_a);
	unlink(path_b);
}

/* The record of the packet completing `req`, sent on stream `sport` in
 * two segments cut at k (0: one segment), as text. */
static void
record_of(struct adn_pipeline *p, uint16_t sport, const char *req, size_t k,
	  char *out, size_t len)
{
	size_t n = strlen(req);
	struct rte_mbuf *pk[3];
	struct adn_test_sink *s = adn_test_sink(p, "out");
	const struct adn_l7_rec *r;
	unsigned int np = 0;

	pk[np++] = adn_test_tcp(sport, 9, ADN_TCP_SYN, "", 0);
	if (k > 0)
		pk[np++] = adn_test_tcp(sport, 10, ADN_TCP_ACK, req, k);
	pk[np++] = adn_test_tcp(sport, 10 + (uint32_t)k, ADN_TCP_ACK, req + k,
				n - k);
	adn_test_run(p, "src", pk, np);
	CU_ASSERT_EQUAL_FATAL(s->n, np);
	r = adn_l7_rec(s->pkts[np - 1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	snprintf(out, len, "%u %u %u %u %u %" PRIu64 " %.*s|%.*s|%.*s|%.*s",
		 r->kind, r->method, r->minor, r->flags, r->n_msgs,
		 r->content_length, r->host_len, r->host, r->path_len, r->path,
		 r->query_len, r->query, r->want_len[0],
		 r->want[0] ? r->want[0] : "");
	/* the first segment completes nothing */
	if (k > 0) {
		r = adn_l7_rec(s->pkts[np - 2]);
		CU_ASSERT(r != NULL && r->kind == ADN_L7_NONE);
	}
	adn_test_sink_clear(s);
}

static void
test_http_parse_split_record_matches_unsplit(void)
{
	static const char req[] = "POST /api/v2/items?id=7&x=%20 HTTP/1.1\r\n"
		"Host: Shop.Example.COM\r\nX-Request-Id: abc-42\r\n"
		"Content-Length: 0\r\nConnection: keep-alive\r\n\r\n";
	struct adn_pipeline *p;
	char whole[512], split[512];

	p = adn_test_chain_outputs("split", "HttpParse",
				   "headers = [\"x-request-id\"];", 3, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	record_of(p, 1, req, 0, whole, sizeof(whole));
	CU_ASSERT(strstr(whole, "shop.example.com|/api/v2/items|id=7&x=%20|"
			 "abc-42") != NULL);
	for (size_t k = 1; k < sizeof(req) - 1; k++) {
		record_of(p, (uint16_t)(100 + k), req, k, split, sizeof(split));
		if (strcmp(split, whole) != 0)
			printf("\ncut at %zu: %s\n  unsplit: %s\n", k, split,
			       whole);
		CU_ASSERT_STRING_EQUAL(split, whole);
	}
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "requests"), sizeof(req) - 1);
	adn_test_free(p);
}

static void
test_url_route_config_errors(void)
{
	char path[64], keys[128];

	snprintf(path, sizeof(path), "/tmp/adn_ur_bad_%d.txt", getpid());
	adn_test_write_file(path, "path exact / 1\npath nope / 1\n");
	snprintf(keys, sizeof(keys), "rules = \"%s\";", path);
	adn_test_config_error("UrlRoute", keys, 1, ":2: kind 'nope'");
	adn_test_config_error("UrlRoute", "rules = \"/nonexistent\";", 1,
			      "cannot open");
	adn_test_config_error("HttpParse", "headers = [\"a b\"];", 3,
			      "not a field name");
	unlink(path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("url_route");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_url_db_matches_model);
	CU_ADD_TEST(s, test_url_rules_reject_bad_lines);
	CU_ADD_TEST(s, test_http_router_routes_requests);
	CU_ADD_TEST(s, test_http_parse_split_record_matches_unsplit);
	CU_ADD_TEST(s, test_url_route_config_errors);
	return adn_test_main();
}
