/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dpi. Streams of digits (which no rule matches) carry planted matches of
 * literal, caseless, regex and offset-bounded rules at random places, cut
 * into segments at random boundaries so most matches straddle two or more
 * segments, some segments reordered or sent twice: every planted match is
 * found once, in its stream, and nothing else; a depth/offset outside the
 * plant is not a match; a drop rule drops the packet completing its match
 * and the rest of the stream; marks reach HttpParse's record; rule-file
 * errors name the line. No mbuf is lost.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adn_dpi_rules.h"
#include "adn_l7_meta.h"
#include "adn_rand.h"
#include "adn_tcp_seq.h"
#include "adn_test.h"

static const char rules[] =
	"# planted by the test\n"
	"alert \"attack\"\n"
	"alert /evil/i\n"
	"mark=3 /foo[0-9]+bar/\n"
	"alert \"needle\" depth=100\n"
	"alert \"late\" offset=1000\n"
	"drop \"DROPME\"\n"
	"alert \"q\\x22x\"\n";

static const char *const plants[] = {
	"attack", "EvIl", "foo123bar", "needle", "late", "DROPME", "q\"x",
};
#define N_RULES 7
#define STREAM_LEN 2000
#define N_STREAMS 60

struct plan {
	int pos[N_RULES];	/* -1: not planted */
	char data[STREAM_LEN];
};

static bool
expect_match(const struct plan *p, int r)
{
	int end = p->pos[r] + (int)strlen(plants[r]);

	if (p->pos[r] < 0)
		return false;
	if (r == 3)
		return end <= 100;
	if (r == 4)
		return end >= 1000;
	return true;
}

static void
make(struct adn_rand *r, struct plan *p)
{
	for (int i = 0; i < STREAM_LEN; i++)
		p->data[i] = (char)('0' + adn_rand_below(r, 10));
	/* each rule in its own 250-byte slot, at most once */
	for (int k = 0; k < N_RULES; k++) {
		p->pos[k] = -1;
		if (adn_rand_below(r, 3) == 0)
			continue;
		int slot = k * 250 + (int)adn_rand_below(r, 230);

		if (k == 0)	/* clear of rule 3's plant within its depth */
			slot = 120 + (int)adn_rand_below(r, 100);

		if (k == 3 && adn_rand_below(r, 2))
			slot = (int)adn_rand_below(r, 90);	/* in depth */
		if (k == 4 && adn_rand_below(r, 2))
			slot = 1100 + (int)adn_rand_below(r, 500);
		if (k == 5 || k == 6) {
			/* after the others: a drop blocks the rest */
			slot = k == 5 ? 1800 + (int)adn_rand_below(r, 50) :
				1700 + (int)adn_rand_below(r, 50);
		}
		p->pos[k] = slot;
		memcpy(p->data + slot, plants[k], strlen(plants[k]));
	}
}

static void
test_dpi_finds_every_planted_match_across_segments(void)
{
	static struct plan plan[N_STREAMS];
	uint64_t want[N_RULES] = { 0 }, want_blocked_min = 0;
	char path[64], keys[128];
	struct adn_pipeline *p;
	struct adn_rand r;

	snprintf(path, sizeof(path), "/tmp/adn_dpi_%d.rules", getpid());
	adn_test_write_file(path, rules);
	snprintf(keys, sizeof(keys), "rules = \"%s\";", path);
	p = adn_test_chain_outputs("dpi", "Dpi", keys, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_rand_seed(&r, 11);
	for (int s = 0; s < N_STREAMS; s++) {
		struct rte_mbuf *pk[256];
		uint32_t cut[256][2], n = 0, off = 0;
		unsigned int np = 0;
		uint16_t sport = (uint16_t)(1000 + s);

		make(&r, &plan[s]);
		for (int k = 0; k < N_RULES; k++)
			want[k] += expect_match(&plan[s], k);
		while (off < STREAM_LEN) {
			uint32_t l = 1 + (uint32_t)adn_rand_below(&r, 60);

			l = RTE_MIN(l, STREAM_LEN - off);
			cut[n][0] = off;
			cut[n++][1] = l;
			off += l;
		}
		/* swap some neighbours: held, then scanned in order */
		for (uint32_t i = 0; i + 1 < n; i += 4)
			if (adn_rand_below(&r, 2)) {
				uint32_t a0 = cut[i][0], a1 = cut[i][1];

				cut[i][0] = cut[i + 1][0];
				cut[i][1] = cut[i + 1][1];
				cut[i + 1][0] = a0;
				cut[i + 1][1] = a1;
			}
		pk[np++] = adn_test_tcp(sport, 99, ADN_TCP_SYN, "", 0);
		for (uint32_t i = 0; i < n && np < 250; i++) {
			pk[np++] = adn_test_tcp(sport, 100 + cut[i][0],
						ADN_TCP_ACK,
						plan[s].data + cut[i][0],
						cut[i][1]);
			if (adn_rand_below(&r, 8) == 0 && np < 250)
				pk[np++] = adn_test_tcp(sport,
						100 + cut[i][0], ADN_TCP_ACK,
						plan[s].data + cut[i][0],
						cut[i][1]);
		}
		CU_ASSERT_FATAL(np < 250);
		pk[np++] = adn_test_tcp(sport, 100 + STREAM_LEN,
					ADN_TCP_ACK | ADN_TCP_FIN, "", 0);
		want_blocked_min += plan[s].pos[5] >= 0;
		adn_test_run(p, "src", pk, np);
		adn_test_sink_clear(adn_test_sink(p, "out"));
	}
	for (int k = 0; k < N_RULES; k++) {
		char nm[16];

		snprintf(nm, sizeof(nm), "rule%d", k);
		if (adn_test_xstat(p, "x", nm) != want[k])
			printf("\nrule %d: %" PRIu64 " matches, want %" PRIu64
			       "\n", k, adn_test_xstat(p, "x", nm), want[k]);
		CU_ASSERT_EQUAL(adn_test_xstat(p, "x", nm), want[k]);
	}
	/* the plan hits every rule and misses some bounded ones */
	for (int k = 0; k < N_RULES; k++)
		CU_ASSERT(want[k] > 0 && want[k] < N_STREAMS);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "rule"), want[5]);
	/* the FIN at least, after each drop */
	CU_ASSERT(adn_test_drops(p, "x", "blocked") >= want_blocked_min);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "live"), 0);
	CU_ASSERT(adn_test_xstat(p, "x", "retransmissions") > 0);
	CU_ASSERT(adn_test_xstat(p, "x", "out-of-order") > 0);
	adn_test_free(p);
	unlink(path);
}

static void
test_dpi_marks_reach_the_l7_record(void)
{
	static const char req[] = "GET /foo42bar HTTP/1.1\r\nHost: a\r\n\r\n";
	char path[64], cfg[1024];
	struct adn_pipeline *p;
	struct rte_mbuf *pk[2];
	struct adn_test_sink *out;

	snprintf(path, sizeof(path), "/tmp/adn_dpi_m_%d.rules", getpid());
	adn_test_write_file(path, rules);
	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 " { name = \"src\"; type = \"TestSource\"; },\n"
		 " { name = \"hp\"; type = \"HttpParse\"; },\n"
		 " { name = \"dpi\"; type = \"Dpi\"; rules = \"%s\"; },\n"
		 " { name = \"out\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"src -> hp -> dpi -> out\", \"hp[1] -> out\",\n"
		 " \"hp[2] -> out\", \"dpi[1] -> out\" );\n", path);
	p = adn_test_build("dpimark", cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pk[0] = adn_test_tcp(7, 1, ADN_TCP_SYN, "", 0);
	pk[1] = adn_test_tcp(7, 2, ADN_TCP_ACK, req, strlen(req));
	adn_test_run(p, "src", pk, 2);
	out = adn_test_sink(p, "out");
	CU_ASSERT_EQUAL_FATAL(out->n, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(adn_l7_rec(out->pkts[1]));
	CU_ASSERT_EQUAL(adn_l7_rec(out->pkts[1])->mark, 1u << 3);
	CU_ASSERT_EQUAL(adn_l7_rec(out->pkts[1])->anno[ADN_L7_ANNO_MARK],
			1u << 3);
	CU_ASSERT_EQUAL(adn_l7_rec(out->pkts[1])->kind, ADN_L7_REQUEST);
	adn_test_sink_clear(out);
	adn_test_free(p);
	unlink(path);
}

static void
test_dpi_rule_errors(void)
{
	static const char *const bad[] = {
		"block \"x\"", "alert x", "alert \"x", "alert \"\"",
		"alert /x/q", "mark=0 \"x\"", "mark=32 \"x\"",
		"alert \"x\" offset=5 depth=2", "alert \"x\" speed=1",
		"alert \"\\q\"",
	};
	struct adn_dpi_rule r;
	char why[160], path[64], keys[128];

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		int rc = adn_dpi_rule_parse(bad[i], &r, why, sizeof(why));

		if (rc != -EINVAL)
			printf("\n'%s' parsed (%d)\n", bad[i], rc);
		CU_ASSERT_EQUAL(rc, -EINVAL);
	}
	CU_ASSERT_EQUAL(adn_dpi_rule_parse("alert /a b/i depth=9", &r, why,
					   sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(adn_dpi_rule_parse("mark=5 /a\\/b/is offset=3", &r,
					   why, sizeof(why)), 1);
	CU_ASSERT_STRING_EQUAL(r.pattern, "a\\/b");
	CU_ASSERT_EQUAL(r.offset, 3);
	snprintf(path, sizeof(path), "/tmp/adn_dpi_bad_%d.rules", getpid());
	adn_test_write_file(path, "alert \"ok\"\n\nalert /(/\n");
	snprintf(keys, sizeof(keys), "rules = \"%s\";", path);
	adn_test_config_error("Dpi", keys, 2, "rule 2");
	adn_test_write_file(path, "alert \"ok\"\nnope \"x\"\n");
	adn_test_config_error("Dpi", keys, 2, ":2: action 'nope'");
	unlink(path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("dpi");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_dpi_finds_every_planted_match_across_segments);
	CU_ADD_TEST(s, test_dpi_marks_reach_the_l7_record);
	CU_ADD_TEST(s, test_dpi_rule_errors);
	return adn_test_main();
}
