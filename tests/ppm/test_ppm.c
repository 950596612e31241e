/* SPDX-License-Identifier: BSD-3-Clause */
/* CUnit suite for lib/ppm: the HTTP routing PPM chain model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "adn_ppm.h"
#include "adn_ppm_conf.h"
#include "adn_ppm_hash.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct adn_ppm_chain *ch;
static uint8_t ep_a, ep_b;

static const struct adn_ppm_tuple tup = {
	.sip = IP(192, 168, 1, 10), .dip = IP(10, 0, 0, 1),
	.sport = 40000, .dport = 80,
};

/* One listener 10.0.0.1:80, /api/ prefix -> cluster 0 (a, b),
 * exact /login -> cluster 1 (c). */
static void
setup_chain(void)
{
	uint8_t lid, ep_c;

	CU_ASSERT_FATAL(adn_ppm_chain_create(&ch) == 0);
	CU_ASSERT_FATAL(adn_ppm_listener_add(ch, IP(10, 0, 0, 1), 80,
					     &lid) == 0);
	CU_ASSERT_FATAL(adn_ppm_endpoint_add(ch, 0, IP(10, 1, 0, 1), 8080, 1,
					     NULL, &ep_a) == 0);
	CU_ASSERT_FATAL(adn_ppm_endpoint_add(ch, 0, IP(10, 1, 0, 2), 8080, 1,
					     "X-Up: b\r\n", &ep_b) == 0);
	CU_ASSERT_FATAL(adn_ppm_endpoint_add(ch, 1, IP(10, 2, 0, 1), 9000, 1,
					     "X-Up: login\r\n", &ep_c) == 0);
	CU_ASSERT_FATAL(adn_ppm_route_add(ch, lid, ADN_PPM_PATH_PREFIX,
					  "/api/", 1, 0) == 0);
	CU_ASSERT_FATAL(adn_ppm_route_add(ch, lid, ADN_PPM_PATH_EXACT,
					  "/login", 2, 1) == 0);
}

static void
teardown_chain(void)
{
	adn_ppm_chain_free(ch);
	ch = NULL;
}

static int
run(const char *req, const struct adn_ppm_tuple *t, struct adn_ppm_out *out)
{
	struct adn_ppm_req_in in = {
		.data = (const uint8_t *)req, .len = strlen(req),
		.tuple = t ? *t : tup,
	};

	return adn_ppm_chain_process(ch, &in, out);
}

static void
test_parser_extracts_method_path_host_and_offsets(void)
{
	const char *req = "POST /api/v1/items?x=1 HTTP/1.1\r\n"
		"Host:  Shop.Example \r\nContent-Length: 4\r\n\r\nabcd";
	struct adn_ppm_out out;

	setup_chain();
	CU_ASSERT_EQUAL_FATAL(run(req, NULL, &out), 0);
	CU_ASSERT_EQUAL(out.meta.method, ADN_PPM_M_POST);
	CU_ASSERT_EQUAL(out.meta.path_hash, adn_ppm_fnv("/api/v1/items", 13));
	CU_ASSERT_EQUAL(out.meta.path_len, 13);
	/* Host is case-folded and OWS-trimmed */
	CU_ASSERT_EQUAL(out.meta.host_hash,
			adn_ppm_fnv("shop.example", 12));
	CU_ASSERT_EQUAL(out.meta.n_segs, 3);
	CU_ASSERT_EQUAL(out.meta.seg_hash[1], adn_ppm_fnv("/api/", 5));
	CU_ASSERT_EQUAL(out.meta.target_off, 5);
	CU_ASSERT_EQUAL(out.meta.hdr_off, 33);
	CU_ASSERT_EQUAL(out.meta.host_off, 33 + 7);
	CU_ASSERT_EQUAL(out.meta.body_len, 4);
	CU_ASSERT_EQUAL(out.meta.msg_len, strlen(req));
	CU_ASSERT_EQUAL(out.meta.eoh, strlen(req) - 4);
	CU_ASSERT(out.meta.flags & ADN_PPM_F_QUERY);
	CU_ASSERT(out.meta.flags & ADN_PPM_F_HTTP11);
	CU_ASSERT_EQUAL(out.consumed, strlen(req));
	teardown_chain();
}

static void
expect_error(const char *req, enum adn_ppm_reason r)
{
	struct adn_ppm_out out;

	CU_ASSERT_EQUAL_FATAL(run(req, NULL, &out), 0);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_ERROR);
	CU_ASSERT_EQUAL(out.meta.reason, r);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(out.consumed, strlen(req));
	if (out.meta.reason != r)
		fprintf(stderr, "\n  %s: got %s, want %s\n", req,
			adn_ppm_reason_str(out.meta.reason),
			adn_ppm_reason_str(r));
}

static void
test_parser_rejects_unknown_method(void)
{
	setup_chain();
	expect_error("FETCH / HTTP/1.1\r\nHost: a\r\n\r\n",
		     ADN_PPM_R_BAD_METHOD);
	expect_error("get / HTTP/1.1\r\nHost: a\r\n\r\n",
		     ADN_PPM_R_BAD_METHOD);
	expect_error("GETTINGS / HTTP/1.1\r\nHost: a\r\n\r\n",
		     ADN_PPM_R_BAD_METHOD);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_PARSER)->
			reason[ADN_PPM_R_BAD_METHOD], 3);
	teardown_chain();
}

static void
test_parser_rejects_malformed_lines(void)
{
	setup_chain();
	expect_error("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n",
		     ADN_PPM_R_BAD_TARGET);
	expect_error("GET / HTTP/2.0\r\nHost: a\r\n\r\n",
		     ADN_PPM_R_BAD_VERSION);
	expect_error("GET / HTTP/1.1\nHost: a\r\n\r\n", ADN_PPM_R_BAD_VERSION);
	expect_error("GET / HTTP/1.1\r\nHost: a\n\r\n", ADN_PPM_R_BAD_LINE);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
		     ADN_PPM_R_BAD_HEADER);
	expect_error("GET / HTTP/1.1\r\n: a\r\n\r\n", ADN_PPM_R_BAD_HEADER);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n",
		     ADN_PPM_R_DUP_HOST);
	expect_error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
		     ADN_PPM_R_BAD_CL);
	expect_error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999\r\n"
		     "\r\n", ADN_PPM_R_BODY_TOO_LONG);
	teardown_chain();
}

static void
test_parser_requires_host_for_http11_only(void)
{
	struct adn_ppm_out out;

	setup_chain();
	expect_error("GET /api/x HTTP/1.1\r\nAccept: */*\r\n\r\n",
		     ADN_PPM_R_NO_HOST);
	CU_ASSERT_EQUAL(run("GET /api/x HTTP/1.0\r\n\r\n", NULL, &out), 0);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_FORWARD);
	CU_ASSERT_FALSE(out.meta.flags & ADN_PPM_F_HAS_HOST);
	teardown_chain();
}

static void
test_parser_reports_truncated_request(void)
{
	setup_chain();
	expect_error("GET /api/x HTTP/1.1\r\nHost: a\r\n", ADN_PPM_R_TRUNCATED);
	expect_error("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n"
		     "\r\nshort", ADN_PPM_R_TRUNCATED);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_PARSER)->error,
			2);
	teardown_chain();
}

static void
test_parser_rejects_header_over_limit(void)
{
	char *req = malloc(ADN_PPM_MAX_HDR + 64);
	size_t n;

	CU_ASSERT_FATAL(req != NULL);
	setup_chain();
	n = (size_t)sprintf(req, "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Pad: ");
	memset(req + n, 'p', ADN_PPM_MAX_HDR);
	strcpy(req + n + ADN_PPM_MAX_HDR, "\r\n\r\n");
	expect_error(req, ADN_PPM_R_HDR_TOO_LONG);
	/* a header section of exactly the limit is accepted */
	n = (size_t)sprintf(req, "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Pad: ");
	memset(req + n, 'p', ADN_PPM_MAX_HDR - n - 4);
	strcpy(req + ADN_PPM_MAX_HDR - 4, "\r\n\r\n");
	CU_ASSERT_EQUAL(strlen(req), ADN_PPM_MAX_HDR);
	{
		struct adn_ppm_out out;

		CU_ASSERT_EQUAL(run(req, NULL, &out), 0);
		CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_FORWARD);
	}
	teardown_chain();
	free(req);
}

static void
test_parser_splits_pipelined_requests(void)
{
	const char *seg = "GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"
		"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
		"GET /api/b HTTP/1.1\r\nHost: a\r\n\r\n";
	struct adn_ppm_req_in in = {
		.data = (const uint8_t *)seg, .len = strlen(seg), .tuple = tup,
	};
	struct adn_ppm_out out;
	int n = 0;

	setup_chain();
	while (in.len > 0) {
		CU_ASSERT_EQUAL_FATAL(adn_ppm_chain_process(ch, &in, &out), 0);
		CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_FORWARD);
		CU_ASSERT_EQUAL(out.meta.route, n == 1 ? 2 : 1);
		in.data += out.consumed;
		in.len -= out.consumed;
		n++;
	}
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_PARSER)->bytes,
			strlen(seg));
	teardown_chain();
}

static void
test_router_prefers_exact_route_over_prefix(void)
{
	struct adn_ppm_out out;
	uint8_t lid = 0;

	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, lid, ADN_PPM_PATH_EXACT,
					  "/api/special", 9, 1), 0);
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, lid, ADN_PPM_PATH_PREFIX,
					  "/api/v2/", 5, 1), 0);
	run("GET /api/special HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.route, 9);
	CU_ASSERT_FALSE(out.meta.flags & ADN_PPM_F_PREFIX_HIT);
	/* longest prefix wins */
	run("GET /api/v2/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.route, 5);
	CU_ASSERT(out.meta.flags & ADN_PPM_F_PREFIX_HIT);
	run("GET /api/v3/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.route, 1);
	/* a prefix matches at a '/' boundary only */
	run("GET /apix HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	CU_ASSERT_EQUAL(out.meta.reason, ADN_PPM_R_NO_ROUTE);
	teardown_chain();
}

static void
test_router_punts_unknown_listener(void)
{
	struct adn_ppm_tuple t = tup;
	struct adn_ppm_out out;
	const char *req = "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n";

	setup_chain();
	t.dport = 81;
	run(req, &t, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	CU_ASSERT_EQUAL(out.meta.reason, ADN_PPM_R_NO_LISTENER);
	/* punted requests leave the chain unchanged, for the slow path */
	CU_ASSERT_EQUAL(out.len, strlen(req));
	CU_ASSERT(out.data && memcmp(out.data, req, out.len) == 0);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_ROUTER)->
			reason[ADN_PPM_R_NO_LISTENER], 1);
	teardown_chain();
}

static void
test_router_sticks_connection_to_endpoint(void)
{
	struct adn_ppm_out out;
	uint8_t first;
	uint16_t q;

	setup_chain();
	run("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL_FATAL(out.meta.decision, ADN_PPM_FORWARD);
	CU_ASSERT(out.meta.flags & ADN_PPM_F_NEW_CONN);
	first = out.meta.endpoint;
	q = out.meta.queue;
	for (int i = 0; i < 10; i++) {
		run("GET /api/y HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
		CU_ASSERT_EQUAL(out.meta.endpoint, first);
		CU_ASSERT_EQUAL(out.meta.queue, q);
		CU_ASSERT_FALSE(out.meta.flags & ADN_PPM_F_NEW_CONN);
	}
	/* even a request for another route stays on the connection's queue */
	run("GET /login HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.route, 2);
	CU_ASSERT_EQUAL(out.meta.endpoint, first);
	/* after the connection is removed, a new one is allocated */
	CU_ASSERT_EQUAL(adn_ppm_conn_remove(ch, &tup), 0);
	CU_ASSERT_EQUAL(adn_ppm_conn_remove(ch, &tup), -ENOENT);
	run("GET /login HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT(out.meta.flags & ADN_PPM_F_NEW_CONN);
	CU_ASSERT_NOT_EQUAL(out.meta.endpoint, first);
	teardown_chain();
}

static void
test_router_balances_new_connections_by_weight(void)
{
	struct adn_ppm_chain *c;
	struct adn_ppm_out out;
	int hits[3] = { 0 };
	uint8_t lid, e[3];

	CU_ASSERT_FATAL(adn_ppm_chain_create(&c) == 0);
	adn_ppm_listener_add(c, IP(10, 0, 0, 1), 80, &lid);
	adn_ppm_endpoint_add(c, 3, IP(10, 3, 0, 1), 80, 1, NULL, &e[0]);
	adn_ppm_endpoint_add(c, 3, IP(10, 3, 0, 2), 80, 2, NULL, &e[1]);
	adn_ppm_endpoint_add(c, 3, IP(10, 3, 0, 3), 80, 5, NULL, &e[2]);
	adn_ppm_route_add(c, lid, ADN_PPM_PATH_PREFIX, "/", 0, 3);
	ch = c;
	for (int i = 0; i < 800; i++) {
		struct adn_ppm_tuple t = tup;

		t.sip = IP(172, 16, i >> 8, i & 0xff);
		t.sport = (uint16_t)(1024 + i * 7);
		run("GET /x HTTP/1.1\r\nHost: a\r\n\r\n", &t, &out);
		if (out.meta.decision != ADN_PPM_FORWARD)
			continue;
		for (int k = 0; k < 3; k++)
			hits[k] += out.meta.endpoint == e[k];
	}
	/* 1:2:5 of what was forwarded; the hash spreads within ~30 %.
	 * 800 flows in 1024 slots with 4 probes: a few may find no slot. */
	{
		int tot = hits[0] + hits[1] + hits[2];

		CU_ASSERT(tot > 700);
		CU_ASSERT(hits[0] * 8 > tot * 7 / 10 && hits[0] * 8 < tot * 13 / 10);
		CU_ASSERT(hits[1] * 8 > tot * 2 * 7 / 10 &&
			  hits[1] * 8 < tot * 2 * 13 / 10);
		CU_ASSERT(hits[2] * 8 > tot * 5 * 7 / 10 &&
			  hits[2] * 8 < tot * 5 * 13 / 10);
	}
	teardown_chain();
}

static void
test_router_punts_when_connection_table_window_full(void)
{
	struct adn_ppm_out out;
	int full = 0;

	setup_chain();
	/* 1024 slots, 4 probes: long before 3000 distinct flows every probe
	 * window of some flow is full. */
	for (int i = 0; i < 3000 && !full; i++) {
		struct adn_ppm_tuple t = tup;

		t.sip = (uint32_t)i;
		run("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n", &t, &out);
		full = out.meta.reason == ADN_PPM_R_CONN_FULL;
	}
	CU_ASSERT(full);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	teardown_chain();
}

static void
test_filter_first_matching_rule_decides(void)
{
	struct adn_ppm_out out;

	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_filter_add(ch, 1u << ADN_PPM_M_DELETE, NULL,
					   ADN_PPM_PATH_ANY, NULL,
					   ADN_PPM_DENY), 0);
	CU_ASSERT_EQUAL(adn_ppm_filter_add(ch, 0, "Admin.Example",
					   ADN_PPM_PATH_PREFIX, "/api/",
					   ADN_PPM_TO_CONTROL), 0);
	CU_ASSERT_EQUAL(adn_ppm_filter_add(ch, 0, NULL, ADN_PPM_PATH_PREFIX,
					   "/", ADN_PPM_ALLOW), 0);
	run("DELETE /api/x HTTP/1.1\r\nHost: admin.example\r\n\r\n", NULL,
	    &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_DROP);
	CU_ASSERT_EQUAL(out.meta.reason, ADN_PPM_R_FILTER_DENY);
	CU_ASSERT_EQUAL(out.meta.filter_rule, 0);
	CU_ASSERT_EQUAL(out.len, 0);
	run("GET /api/x HTTP/1.1\r\nHost: ADMIN.example\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	CU_ASSERT_EQUAL(out.meta.filter_rule, 1);
	run("GET /api/x HTTP/1.1\r\nHost: other\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_FORWARD);
	CU_ASSERT_EQUAL(out.meta.filter_rule, 2);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_FILTER)->drop, 1);
	teardown_chain();
}

static void
test_filter_default_action_applies_without_match(void)
{
	struct adn_ppm_out out;

	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_filter_set_default(ch, ADN_PPM_TO_CONTROL), 0);
	run("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	CU_ASSERT_EQUAL(out.meta.reason, ADN_PPM_R_FILTER_PUNT);
	CU_ASSERT_EQUAL(out.meta.filter_rule, ADN_PPM_NONE);
	CU_ASSERT_EQUAL(out.meta.listener, ADN_PPM_NONE);
	teardown_chain();
}

static void
test_deparser_inserts_routing_header_before_blank_line(void)
{
	const char *req = "POST /login HTTP/1.1\r\nHost: a\r\n"
		"Content-Length: 2\r\n\r\nhi";
	const char *want = "POST /login HTTP/1.1\r\nHost: a\r\n"
		"Content-Length: 2\r\nX-Up: login\r\n\r\nhi";
	struct adn_ppm_out out;

	setup_chain();
	run(req, NULL, &out);
	CU_ASSERT_EQUAL_FATAL(out.meta.decision, ADN_PPM_FORWARD);
	CU_ASSERT_EQUAL(out.len, strlen(want));
	CU_ASSERT_EQUAL(out.meta.out_len, strlen(want));
	CU_ASSERT(out.data && memcmp(out.data, want, strlen(want)) == 0);
	/* the default header names the endpoint */
	run("GET /api/q HTTP/1.1\r\nHost: a\r\n\r\n", &(struct adn_ppm_tuple){
		.sip = 1, .dip = tup.dip, .sport = 2, .dport = 80 }, &out);
	CU_ASSERT(out.meta.endpoint == ep_a || out.meta.endpoint == ep_b);
	if (out.meta.endpoint == ep_a)
		CU_ASSERT(memmem(out.data, out.len,
				 "X-Adn-Upstream: 10.1.0.1:8080\r\n\r\n",
				 33) != NULL);
	teardown_chain();
}

static void
test_rules_reject_bad_and_duplicate_entries(void)
{
	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, 0, ADN_PPM_PATH_PREFIX, "/api",
					  3, 0), -EINVAL);
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, 0, ADN_PPM_PATH_EXACT, "x", 3,
					  0), -EINVAL);
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, 0, ADN_PPM_PATH_EXACT, "/login",
					  3, 0), -EEXIST);
	CU_ASSERT_EQUAL(adn_ppm_route_add(ch, 7, ADN_PPM_PATH_EXACT, "/z", 3,
					  0), -EINVAL);
	CU_ASSERT_EQUAL(adn_ppm_listener_add(ch, IP(10, 0, 0, 1), 80, NULL),
			-EEXIST);
	CU_ASSERT_EQUAL(adn_ppm_endpoint_add(ch, 0, 1, 1, 0, NULL, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(adn_ppm_endpoint_add(ch, 0, 1, 1, 1, "X: no-crlf",
					     NULL), -EINVAL);
	for (int i = 0; i < ADN_PPM_FILTER_RULES; i++)
		CU_ASSERT_EQUAL(adn_ppm_filter_add(ch, 0, NULL,
						   ADN_PPM_PATH_ANY, NULL,
						   ADN_PPM_ALLOW), 0);
	CU_ASSERT_EQUAL(adn_ppm_filter_add(ch, 0, NULL, ADN_PPM_PATH_ANY,
					   NULL, ADN_PPM_ALLOW), -ENOSPC);
	teardown_chain();
}

static void
test_process_rejects_bad_arguments(void)
{
	struct adn_ppm_req_in in = { .data = (const uint8_t *)"x", .len = 0 };
	struct adn_ppm_out out;

	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_chain_process(ch, &in, &out), -ENODATA);
	CU_ASSERT_EQUAL(adn_ppm_chain_process(NULL, &in, &out), -EINVAL);
	CU_ASSERT_EQUAL(adn_ppm_chain_process(ch, NULL, &out), -EINVAL);
	teardown_chain();
}

static void
test_meta_pack_layout_matches_rtl_words(void)
{
	struct adn_ppm_meta m = {
		.decision = ADN_PPM_FORWARD, .reason = 0, .method = 3,
		.flags = 0x23, .path_hash = 0x11223344, .n_segs = 2,
		.filter_rule = 0xff, .path_len = 0x55, .target_off = 4,
		.hdr_off = 0x20, .host_off = 0x26, .eoh = 0x40,
		.body_len = 7, .msg_len = 0x47, .listener = 1, .route = 2,
		.cluster = 3, .endpoint = 4, .queue = 0x3ff, .out_len = 0x60,
		.tuple = { .sip = 0xa, .dip = 0xb, .sport = 0xc, .dport = 0xd },
	};
	uint32_t w[ADN_PPM_META_WORDS];

	adn_ppm_meta_pack(&m, w);
	CU_ASSERT_EQUAL(w[0], 0x01000323);
	CU_ASSERT_EQUAL(w[1], 0x11223344);
	CU_ASSERT_EQUAL(w[7], 0x02ff0055);
	CU_ASSERT_EQUAL(w[8], 0x00040020);
	CU_ASSERT_EQUAL(w[10], 0x00070047);
	CU_ASSERT_EQUAL(w[11], 0x01020304);
	CU_ASSERT_EQUAL(w[12], 0x03ff0060);
	CU_ASSERT_EQUAL(w[15], 0x000c000d);
}

/* Every bit of the record is a field, so unpacking is pack's inverse on
 * any record the RTL may put on the bus. */
static void
test_meta_unpack_inverts_pack(void)
{
	uint32_t x = 0x9e3779b9;

	for (int n = 0; n < 64; n++) {
		uint32_t w[ADN_PPM_META_WORDS], back[ADN_PPM_META_WORDS];
		struct adn_ppm_meta m;

		for (int k = 0; k < ADN_PPM_META_WORDS; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			w[k] = x;
		}
		adn_ppm_meta_unpack(w, &m);
		adn_ppm_meta_pack(&m, back);
		CU_ASSERT(memcmp(w, back, sizeof(w)) == 0);
	}
}

struct seg_log {
	int n;
	int stop_at;	/* return -ECANCELED at this call */
	size_t consumed;
};

static int
seg_fn(void *arg, const struct adn_ppm_out *out)
{
	struct seg_log *l = arg;

	l->consumed += out->consumed;
	return ++l->n == l->stop_at ? -ECANCELED : 0;
}

static void
test_chain_segment_calls_fn_per_request_and_stops_on_error(void)
{
	static const char seg[] = "GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /login HTTP/1.1\r\nHost: a\r\n\r\n"
		"GET /api/c HTTP/1.1\r\nHost: a\r\n\r\n";
	struct adn_ppm_req_in in = {
		.data = (const uint8_t *)seg, .len = strlen(seg), .tuple = tup,
	};
	struct seg_log l = { 0 };

	setup_chain();
	CU_ASSERT_EQUAL(adn_ppm_chain_segment(ch, &in, seg_fn, &l), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_EQUAL(l.consumed, strlen(seg));
	l = (struct seg_log){ .stop_at = 2 };
	CU_ASSERT_EQUAL(adn_ppm_chain_segment(ch, &in, seg_fn, &l),
			-ECANCELED);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(adn_ppm_chain_counters(ch, ADN_PPM_ST_PARSER)->in, 5);
	CU_ASSERT_EQUAL(adn_ppm_chain_segment(ch, &in, NULL, &l), -EINVAL);
	in.len = 0;
	CU_ASSERT_EQUAL(adn_ppm_chain_segment(ch, &in, seg_fn, &l), -ENODATA);
	teardown_chain();
}

/* Counting from a final record: earlier stages passed it, the reason's
 * stage took the verdict, later stages never saw it. */
static void
test_counters_add_charges_the_stage_of_the_reason(void)
{
	struct adn_ppm_counters c[ADN_PPM_ST_MAX];
	struct adn_ppm_meta m = {
		.decision = ADN_PPM_DROP, .reason = ADN_PPM_R_FILTER_DENY,
		.msg_len = 30,
	};

	memset(c, 0, sizeof(c));
	adn_ppm_counters_add(c, &m);
	CU_ASSERT(c[ADN_PPM_ST_PARSER].in == 1 &&
		  c[ADN_PPM_ST_PARSER].pass == 1 &&
		  c[ADN_PPM_ST_PARSER].bytes == 30);
	CU_ASSERT(c[ADN_PPM_ST_FILTER].in == 1 &&
		  c[ADN_PPM_ST_FILTER].drop == 1 &&
		  c[ADN_PPM_ST_FILTER].reason[ADN_PPM_R_FILTER_DENY] == 1);
	CU_ASSERT_EQUAL(c[ADN_PPM_ST_ROUTER].in, 0);
	CU_ASSERT(c[ADN_PPM_ST_DEPARSER].in == 1 &&
		  c[ADN_PPM_ST_DEPARSER].pass == 0);

	m = (struct adn_ppm_meta){
		.decision = ADN_PPM_PUNT, .reason = ADN_PPM_R_NO_ROUTE,
		.msg_len = 20, .out_len = 20,
	};
	adn_ppm_counters_add(c, &m);
	CU_ASSERT(c[ADN_PPM_ST_ROUTER].in == 1 &&
		  c[ADN_PPM_ST_ROUTER].punt == 1 &&
		  c[ADN_PPM_ST_ROUTER].reason[ADN_PPM_R_NO_ROUTE] == 1);
	CU_ASSERT(c[ADN_PPM_ST_DEPARSER].pass == 1 &&
		  c[ADN_PPM_ST_DEPARSER].bytes == 20);

	/* garbage off a bus: one parser error, no reason slot written */
	m = (struct adn_ppm_meta){ .decision = 0x77, .reason = 0xee };
	adn_ppm_counters_add(c, &m);
	CU_ASSERT_EQUAL(c[ADN_PPM_ST_PARSER].in, 3);
	CU_ASSERT_EQUAL(c[ADN_PPM_ST_PARSER].error, 1);
	CU_ASSERT_EQUAL(c[ADN_PPM_ST_FILTER].in, 2);
}

static int
count_reg(void *arg, uint32_t addr, uint32_t data)
{
	uint32_t *last = arg;

	/* writes come table by table, in address order within a table */
	if (last[0] != UINT32_MAX && addr <= last[0] && (addr >> 16) ==
	    (last[0] >> 16))
		return -EILSEQ;
	last[0] = addr;
	last[1] += (addr >> 16) == 2 && (addr & 0xf) == 1 && (data >> 31);
	return 0;
}

static void
test_regs_export_every_table_entry(void)
{
	uint32_t st[2] = { UINT32_MAX, 0 };
	int n;

	setup_chain();
	n = adn_ppm_chain_regs(ch, count_reg, st);
	CU_ASSERT_EQUAL(n, 1 + 3 * ADN_PPM_FILTER_RULES +
			2 * ADN_PPM_LISTENERS + 2 * ADN_PPM_ROUTES +
			ADN_PPM_CLUSTERS * ADN_PPM_RING +
			ADN_PPM_ENDPOINTS * (1 + ADN_PPM_TMPL_MAX / 4) +
			ADN_PPM_CONNS);
	CU_ASSERT_EQUAL(st[1], 1); /* one valid listener */
	teardown_chain();
}

static void
test_conf_loads_rules_and_routes(void)
{
	const char *path = "ppm_test_conf.cfg";
	FILE *f = fopen(path, "w");
	struct adn_ppm_out out;
	char err[1024];

	CU_ASSERT_FATAL(f != NULL);
	fputs("ppm = {\n filter_default = \"control\";\n"
	      " listeners = ( { name = \"web\"; ip = \"10.0.0.1\"; port = 80; } );\n"
	      " clusters = ( { name = \"api\"; endpoints = ( { ip = \"10.9.0.1\";"
	      " port = 81; header = \"X-Up: api\\r\\n\"; } ); } );\n"
	      " routes = ( { listener = \"web\"; prefix = \"/v1/\"; cluster = \"api\";"
	      " id = 42; } );\n"
	      " filters = ( { methods = [ \"GET\" ]; prefix = \"/v1/\";"
	      " action = \"allow\"; } );\n};\n", f);
	fclose(f);
	CU_ASSERT_FATAL(adn_ppm_chain_create(&ch) == 0);
	CU_ASSERT_EQUAL(adn_ppm_conf_load_file(ch, path, err, sizeof(err)), 0);
	run("GET /v1/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_FORWARD);
	CU_ASSERT_EQUAL(out.meta.route, 42);
	run("POST /v1/x HTTP/1.1\r\nHost: a\r\n\r\n", NULL, &out);
	CU_ASSERT_EQUAL(out.meta.decision, ADN_PPM_PUNT);
	teardown_chain();
	remove(path);
}

static void
test_conf_reports_every_bad_key_with_line(void)
{
	const char *path = "ppm_test_bad.cfg";
	FILE *f = fopen(path, "w");
	char err[2048];

	CU_ASSERT_FATAL(f != NULL);
	fputs("ppm = {\n"
	      " listeners = ( { name = \"web\"; ip = \"10.0.0.300\"; port = 80; } );\n"
	      " routes = ( { listener = \"nope\"; exact = \"/\"; cluster = \"x\"; } );\n"
	      " filters = ( { action = \"maybe\"; colour = 1; } );\n};\n", f);
	fclose(f);
	CU_ASSERT_FATAL(adn_ppm_chain_create(&ch) == 0);
	CU_ASSERT_EQUAL(adn_ppm_conf_load_file(ch, path, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT(strstr(err, "ppm_test_bad.cfg:2:") != NULL);
	CU_ASSERT(strstr(err, "10.0.0.300") != NULL);
	CU_ASSERT(strstr(err, ":3:") != NULL && strstr(err, "nope") != NULL);
	CU_ASSERT(strstr(err, "colour") != NULL);
	teardown_chain();
	remove(path);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
#define T(f) { #f, f }
		T(test_parser_extracts_method_path_host_and_offsets),
		T(test_parser_rejects_unknown_method),
		T(test_parser_rejects_malformed_lines),
		T(test_parser_requires_host_for_http11_only),
		T(test_parser_reports_truncated_request),
		T(test_parser_rejects_header_over_limit),
		T(test_parser_splits_pipelined_requests),
		T(test_router_prefers_exact_route_over_prefix),
		T(test_router_punts_unknown_listener),
		T(test_router_sticks_connection_to_endpoint),
		T(test_router_balances_new_connections_by_weight),
		T(test_router_punts_when_connection_table_window_full),
		T(test_filter_first_matching_rule_decides),
		T(test_filter_default_action_applies_without_match),
		T(test_deparser_inserts_routing_header_before_blank_line),
		T(test_rules_reject_bad_and_duplicate_entries),
		T(test_process_rejects_bad_arguments),
		T(test_meta_pack_layout_matches_rtl_words),
		T(test_meta_unpack_inverts_pack),
		T(test_chain_segment_calls_fn_per_request_and_stops_on_error),
		T(test_counters_add_charges_the_stage_of_the_reason),
		T(test_regs_export_every_table_entry),
		T(test_conf_loads_rules_and_routes),
		T(test_conf_reports_every_bad_key_with_line),
#undef T
	};
	CU_pSuite s;
	unsigned int fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("ppm", NULL, NULL);
	for (size_t i = 0; s != NULL && i < sizeof(tests) / sizeof(tests[0]);
	     i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			s = NULL;
	if (s == NULL) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
