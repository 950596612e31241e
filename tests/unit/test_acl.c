/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Acl and ReflexiveAcl. The rte_acl classification of random rule sets
 * (overlapping prefixes, port ranges, protocols, any) equals a linear
 * first-match scan of the same rules on random tuples; the element's
 * verdicts and per-rule counters follow the same scan for rules from the
 * config and a rules file; bad rules are config errors naming the key and
 * the file line; bad frames are counted drops with no mbuf lost. Reflexive:
 * replies of reflected flows pass rules that deny them, others do not;
 * tracked flows expire on a virtual clock (refreshed at most once a
 * second, as documented) and their slots are freed. The compiled set and
 * its counters are shared by versions built from the same rules (a plan
 * swap), and a reload with other rules compiles a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "adn_acl.h"
#include "adn_elem.h"
#include "adn_rand.h"
#include "adn_runtime.h"
#include "adn_test.h"

/* --- the model: first match, linearly ---------------------------------- */

static bool
m_prefix(uint32_t ip, uint32_t net, uint8_t len)
{
	return len == 0 || (ip >> (32 - len)) == (net >> (32 - len));
}

/* Host-order tuple. */
struct m_tuple {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;
};

static unsigned int
m_match(const struct adn_acl_rule *r, unsigned int n, const struct m_tuple *t)
{
	for (unsigned int i = 0; i < n; i++)
		if ((r[i].any_proto || r[i].proto == t->proto) &&
		    m_prefix(t->src, r[i].src, r[i].src_len) &&
		    m_prefix(t->dst, r[i].dst, r[i].dst_len) &&
		    t->sport >= r[i].sport_lo && t->sport <= r[i].sport_hi &&
		    t->dport >= r[i].dport_lo && t->dport <= r[i].dport_hi)
			return i;
	return n;
}

static void
ip_text(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

/* A random rule over 10.0.0.0/20 and ports 0-99, as text. */
static void
random_rule(struct adn_rand *r, char *out, size_t len)
{
	static const char *const acts[] = { "permit", "deny", "reflect" };
	static const char *const protos[] = { "tcp", "udp", "icmp", "any",
					      "47" };
	char ports[2][16], pfx[2][24], a[16];

	for (int k = 0; k < 2; k++) {
		unsigned int l = (unsigned int)(adn_rand_u64(r) % 21) + 12;
		uint32_t ip = 0x0a000000u |
			(uint32_t)(adn_rand_u64(r) & 0xfff);
		unsigned int lo = (unsigned int)(adn_rand_u64(r) % 100);
		unsigned int hi = lo + (unsigned int)(adn_rand_u64(r) % 30);

		if (adn_rand_u64(r) % 6 == 0)
			l = 0;
		ip = l == 0 ? 0 : ip & ~(l == 32 ? 0 : UINT32_MAX >> l);
		ip_text(ip, a, sizeof(a));
		snprintf(pfx[k], sizeof(pfx[k]), "%s/%u", a, l);
		switch (adn_rand_u64(r) % 3) {
		case 0: snprintf(ports[k], sizeof(ports[k]), "any"); break;
		case 1: snprintf(ports[k], sizeof(ports[k]), "%u", lo); break;
		default:
			snprintf(ports[k], sizeof(ports[k]), "%u-%u", lo, hi);
		}
	}
	snprintf(out, len, "%s %s %s %s %s %s", acts[adn_rand_u64(r) % 3],
		 protos[adn_rand_u64(r) % RTE_DIM(protos)], pfx[0], ports[0],
		 pfx[1], ports[1]);
}

static void
random_tuple(struct adn_rand *r, struct m_tuple *t)
{
	static const uint8_t protos[] = { 6, 17, 1, 47 };

	t->proto = protos[adn_rand_u64(r) % RTE_DIM(protos)];
	t->src = 0x0a000000u | (uint32_t)(adn_rand_u64(r) & 0xfff);
	t->dst = 0x0a000000u | (uint32_t)(adn_rand_u64(r) & 0xfff);
	t->sport = (uint16_t)(adn_rand_u64(r) % 130);
	t->dport = (uint16_t)(adn_rand_u64(r) % 130);
	if (t->proto != 6 && t->proto != 17)
		t->sport = t->dport = 0;	/* what adn_acl_tuple gives */
}

static void
test_acl_matches_linear_first_match(void)
{
	static struct adn_acl_rule rules[400];
	const unsigned int sizes[] = { 0, 1, 17, 400 };
	struct adn_rand r;
	char text[160], why[160];

	adn_rand_seed(&r, 7);
	for (unsigned int s = 0; s < RTE_DIM(sizes); s++) {
		const unsigned int n = sizes[s];
		struct adn_acl *a;
		unsigned int bad = 0;

		for (unsigned int i = 0; i < n; i++) {
			random_rule(&r, text, sizeof(text));
			CU_ASSERT_EQUAL_FATAL(adn_acl_rule_parse(text, &rules[i],
						why, sizeof(why)), 0);
		}
		CU_ASSERT_EQUAL_FATAL(adn_acl_build(rules, n, ADN_ACL_DENY, 2,
						    0, &a), 0);
		for (unsigned int k = 0; k < 20000; k++) {
			struct m_tuple t;
			struct adn_acl_tuple at;
			enum adn_acl_action act;
			unsigned int got, want;

			random_tuple(&r, &t);
			at = (struct adn_acl_tuple){ .proto = t.proto,
				.src = rte_cpu_to_be_32(t.src),
				.dst = rte_cpu_to_be_32(t.dst),
				.sport = rte_cpu_to_be_16(t.sport),
				.dport = rte_cpu_to_be_16(t.dport) };
			got = adn_acl_classify(a, &at, k & 1, &act);
			want = m_match(rules, n, &t);
			bad += got != want ||
				act != (want < n ? rules[want].action :
					ADN_ACL_DENY);
		}
		/* the same in bulk: rte_acl's multi-tuple path, 1-64 at once */
		for (unsigned int k = 0; k < 300; k++) {
			const unsigned int cnt = 1 + k % 64;
			struct adn_acl_tuple at[64];
			const struct adn_acl_tuple *tp[64];
			struct m_tuple t[64];
			uint32_t match[64];
			enum adn_acl_action act;

			for (unsigned int i = 0; i < cnt; i++) {
				random_tuple(&r, &t[i]);
				at[i] = (struct adn_acl_tuple){
					.proto = t[i].proto,
					.src = rte_cpu_to_be_32(t[i].src),
					.dst = rte_cpu_to_be_32(t[i].dst),
					.sport = rte_cpu_to_be_16(t[i].sport),
					.dport = rte_cpu_to_be_16(t[i].dport) };
				tp[i] = &at[i];
			}
			adn_acl_match_bulk(a, tp, match, cnt);
			for (unsigned int i = 0; i < cnt; i++) {
				unsigned int want = m_match(rules, n, &t[i]);

				bad += adn_acl_verdict(a, match[i], 0, &act) !=
					want;
			}
		}
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(adn_acl_n_rules(a), n);
		adn_acl_free(a);
	}
}

static void
test_acl_rule_syntax(void)
{
	static const char *const bad[] = {
		"permit tcp 10.0.0.0/8 any 0.0.0.0/0",		/* 5 fields */
		"allow tcp 10.0.0.0/8 any 0.0.0.0/0 any",
		"permit sctp 10.0.0.0/8 any 0.0.0.0/0 any",
		"permit tcp 10.0.0.1/8 any 0.0.0.0/0 any",	/* host bits */
		"permit tcp 10.0.0.0/33 any 0.0.0.0/0 any",
		"permit tcp 10.0.0.0/8 9-3 0.0.0.0/0 any",
		"permit tcp 10.0.0.0/8 any 0.0.0.0/0 70000",
		"permit tcp 10.0.0.0/8 any 0.0.0.0/0 any extra",
	};
	struct adn_acl_rule r;
	char why[160];

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		CU_ASSERT_EQUAL(adn_acl_rule_parse(bad[i], &r, why,
						   sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(adn_acl_rule_parse("reflect 6 10.1.2.3 1-2 0.0.0.0/0 80",
					   &r, why, sizeof(why)), 0);
	CU_ASSERT(r.action == ADN_ACL_REFLECT && r.proto == 6 &&
		  r.src == 0x0a010203 && r.src_len == 32 && r.sport_lo == 1 &&
		  r.sport_hi == 2 && r.dst_len == 0 && r.dport_lo == 80 &&
		  r.dport_hi == 80);
}

/* --- the elements ------------------------------------------------------ */

#define ACL_RULES "rules = ( \"deny tcp 10.0.0.0/24 any 0.0.0.0/0 22\", " \
	"\"permit tcp 10.0.0.0/8 any 0.0.0.0/0 any\" ); "

static void
test_acl_element_follows_rules_and_file(void)
{
	char path[64], keys[512];
	struct adn_acl_rule rules[3];
	struct adn_pipeline *p;
	struct rte_mbuf *m[300];
	unsigned int want_hits[4] = { 0 }, permitted = 0;
	struct adn_rand r;
	char why[128];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/adn-acl-%d.rules", (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# from the file\n\npermit udp 0.0.0.0/0 any 0.0.0.0/0 53\n", f);
	fclose(f);
	snprintf(keys, sizeof(keys), ACL_RULES "rules_file = \"%s\";", path);
	p = adn_test_chain("acl", "Acl", keys, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_acl_rule_parse("deny tcp 10.0.0.0/24 any 0.0.0.0/0 22", &rules[0],
			   why, sizeof(why));
	adn_acl_rule_parse("permit tcp 10.0.0.0/8 any 0.0.0.0/0 any",
			   &rules[1], why, sizeof(why));
	adn_acl_rule_parse("permit udp 0.0.0.0/0 any 0.0.0.0/0 53", &rules[2],
			   why, sizeof(why));
	adn_rand_seed(&r, 3);
	for (unsigned int i = 0; i < RTE_DIM(m); i++) {
		struct m_tuple t = {
			.proto = adn_rand_u64(&r) % 2 ? 6 : 17,
			.src = (adn_rand_u64(&r) % 2 ? 0x0a000000u : 0x0b000000u) |
				(uint32_t)(adn_rand_u64(&r) % 512),
			.dst = 0xc0a80102,
			.sport = 1000,
			.dport = (uint16_t)(adn_rand_u64(&r) % 2 ? 22 :
					    adn_rand_u64(&r) % 2 ? 53 : 80),
		};
		unsigned int k = m_match(rules, 3, &t);

		want_hits[k]++;
		permitted += k == 1 || k == 2;
		m[i] = adn_test_ipv4_flow(t.proto, t.src, t.sport,
					  t.dst, t.dport, 64);
	}
	adn_test_run(p, "src", m, RTE_DIM(m));
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, permitted);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "denied"),
			RTE_DIM(m) - permitted);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "rule0"), want_hits[0]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "rule1"), want_hits[1]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "rule2"), want_hits[2]);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "default"), want_hits[3]);
	adn_test_free(p);
	unlink(path);
}

static void
test_acl_config_errors_name_the_key(void)
{
	char path[64], keys[256];
	struct adn_errs errs = { 0 };
	FILE *f;

	CU_ASSERT_PTR_NULL(adn_test_chain("acl1", "Acl",
		"rules = ( \"permit tcp 10.0.0.0/33 any 0.0.0.0/0 any\" );",
		&errs));
	CU_ASSERT(adn_errs_find(&errs, "'rules'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, ".cfg:") >= 0);
	adn_errs_clear(&errs);
	CU_ASSERT_PTR_NULL(adn_test_chain("acl2", "Acl",
		"rules = ( \"reflect tcp 10.0.0.0/8 any 0.0.0.0/0 any\" );",
		&errs));
	CU_ASSERT(adn_errs_find(&errs, "ReflexiveAcl") >= 0);
	adn_errs_clear(&errs);
	snprintf(path, sizeof(path), "/tmp/adn-acl-bad-%d.rules",
		 (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("permit tcp 0.0.0.0/0 any 0.0.0.0/0 any\n# ok\nblock it\n", f);
	fclose(f);
	snprintf(keys, sizeof(keys), "rules_file = \"%s\";", path);
	CU_ASSERT_PTR_NULL(adn_test_chain("acl3", "Acl", keys, &errs));
	CU_ASSERT(adn_errs_find(&errs, ".rules:3:") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "'rules_file'") >= 0);
	adn_errs_clear(&errs);
	unlink(path);
}

static void
test_acl_drops_bad_frames_without_leaks(void)
{
	struct rte_mempool *mp = adn_test_pool();
	unsigned int avail = rte_mempool_avail_count(mp);
	struct adn_pipeline *p = adn_test_chain("aclbad", "ReflexiveAcl",
		"max_flows = 64; default = \"permit\";", NULL);
	struct rte_mbuf *m[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	m[0] = adn_test_ipv4_flow(6, 1, 1, 2, 2, 64);
	rte_pktmbuf_mtod(m[0], struct rte_ether_hdr *)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	m[1] = adn_test_ipv4(IPPROTO_UDP, 1, 2, 64, 14 + 20 + 2);
	m[2] = adn_test_ipv4_flow(6, 1, 1, 2, 2, 64);
	adn_test_ipv4_hdr(m[2])->version_ihl = 0x4f;
	adn_test_run(p, "src", m, 3);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "not-ipv4"), 1);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "malformed"), 2);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 0);
	adn_test_free(p);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(mp), avail);
}

static void
test_reflexive_acl_lets_replies_in(void)
{
	struct adn_pipeline *p = adn_test_chain("racl", "ReflexiveAcl",
		"max_flows = 64; rules = ( "
		"\"reflect tcp 10.0.0.0/8 any 0.0.0.0/0 80\", "
		"\"permit udp 10.0.0.0/8 any 0.0.0.0/0 any\", "
		"\"deny any 0.0.0.0/0 any 10.0.0.0/8 any\" );", NULL);
	struct rte_mbuf *m[5];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* reflected */
	m[0] = adn_test_ipv4_flow(6, 0x0a000001, 5000,
				  0xc0a80102, 80, 64);
	/* its reply */
	m[1] = adn_test_ipv4_flow(6, 0xc0a80102, 80,
				  0x0a000001, 5000, 64);
	/* not a reply */
	m[2] = adn_test_ipv4_flow(6, 0xc0a80102, 80,
				  0x0a000001, 5001, 64);
	/* permit only */
	m[3] = adn_test_ipv4_flow(17, 0x0a000001, 53,
				  0xc0a80102, 53, 64);
	/* no reflect */
	m[4] = adn_test_ipv4_flow(17, 0xc0a80102, 53,
				  0x0a000001, 53, 64);
	adn_test_run(p, "src", m, 5);
	CU_ASSERT_EQUAL(adn_test_sink(p, "out")->n, 3);
	CU_ASSERT_EQUAL(adn_test_drops(p, "x", "denied"), 2);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "replies"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "flows"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "rule0"), 1);
	CU_ASSERT_EQUAL(adn_test_xstat(p, "x", "rule2"), 2);
	adn_test_free(p);
}

static bool
reply_passes(struct adn_acl_ct *ct, uint64_t now)
{
	const struct adn_acl_tuple back = { .proto = 6,
		.src = rte_cpu_to_be_32(0xc0a80102),
		.dst = rte_cpu_to_be_32(0x0a000001),
		.sport = rte_cpu_to_be_16(80), .dport = rte_cpu_to_be_16(5000) };

	return adn_acl_ct_reply(ct, &back, now);
}

static void
sweep_release(struct adn_acl_ct *ct, uint64_t now, unsigned int want)
{
	int32_t pos[8];
	unsigned int n = adn_acl_ct_sweep(ct, now, 1024, pos, 8);

	CU_ASSERT_EQUAL(n, want);
	adn_acl_ct_release(ct, pos, n);
}

static void
test_reflect_flows_expire_on_virtual_clock(void)
{
	const struct adn_acl_tuple out = { .proto = 6,
		.src = rte_cpu_to_be_32(0x0a000001),
		.dst = rte_cpu_to_be_32(0xc0a80102),
		.sport = rte_cpu_to_be_16(5000), .dport = rte_cpu_to_be_16(80) };
	struct adn_acl_ct *ct;

	CU_ASSERT_EQUAL_FATAL(adn_acl_ct_create("t_ct", 64, 10000, 0, &ct), 0);
	CU_ASSERT_FALSE(reply_passes(ct, 0));
	CU_ASSERT_EQUAL(adn_acl_ct_track(ct, &out, 0), 0);
	CU_ASSERT(reply_passes(ct, 500));	/* fresh: not refreshed */
	sweep_release(ct, 9999, 0);
	sweep_release(ct, 10000, 1);		/* idle since 0 */
	CU_ASSERT_FALSE(reply_passes(ct, 10001));
	CU_ASSERT_EQUAL(adn_acl_ct_count(ct), 0);
	/* a reply 2 s in refreshes it */
	CU_ASSERT_EQUAL(adn_acl_ct_track(ct, &out, 20000), 0);
	CU_ASSERT(reply_passes(ct, 22000));
	sweep_release(ct, 30000, 0);
	sweep_release(ct, 32000, 1);
	CU_ASSERT_EQUAL(adn_acl_ct_count(ct), 0);
	adn_acl_ct_free(ct);
}

/* A runtime of TestSource -> TYPE `x` (RULES, then KEYS) -> Discard,
 * built, not started: the test runs packets through the live version. */
static void
acl_runtime_config(const char *path, const char *type, const char *rules,
		   const char *keys)
{
	char cfg[1024];

	snprintf(cfg, sizeof(cfg),
		 "elements = (\n"
		 "  { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"x\"; type = \"%s\"; default = \"permit\";\n"
		 "    rules = ( %s ); %s },\n"
		 "  { name = \"out\"; type = \"Discard\"; } );\n"
		 "links = ( \"src -> x -> out\" );\n", type, rules, keys);
	adn_test_write_file(path, cfg);
}

static void
acl_runtime_push(struct adn_runtime *rt, unsigned int n)
{
	struct rte_mbuf *m[32];

	for (unsigned int i = 0; i < n; i++)
		m[i] = adn_test_ipv4_flow(6, 0x0a000001, 1000, 0x0a000002, 80,
					  64);
	adn_test_run(adn_version_pipeline(adn_runtime_live(rt)), "src", m, n);
}

/* `rule I hits N` of x's stats for rule i; -1 when the set has no rule
 * i. */
static long long
acl_runtime_hits(struct adn_runtime *rt, unsigned int i)
{
	char reply[512], want[32];
	const char *at;
	long long hits;

	CU_ASSERT_EQUAL_FATAL(adn_runtime_control(rt, "x", "stats", reply,
						  sizeof(reply)), 0);
	snprintf(want, sizeof(want), "rule %u hits ", i);
	at = strstr(reply, want);
	if (at == NULL || sscanf(at + strlen(want), "%lld", &hits) != 1)
		return -1;
	return hits;
}

static void
test_acl_set_shared_by_swaps_rebuilt_by_new_rules(void)
{
	struct adn_errs errs = { 0 };
	struct adn_runtime *rt;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/adn-acl-rt-%d.cfg", (int)getpid());
	acl_runtime_config(path, "Acl",
			   "\"permit tcp 0.0.0.0/0 any 0.0.0.0/0 80\"", "");
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	acl_runtime_push(rt, 20);
	CU_ASSERT_EQUAL(acl_runtime_hits(rt, 0), 20);
	/* A swap keeps the rules: the new version counts on in the set. */
	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, "scalar", &errs), 0);
	adn_runtime_sync(rt);
	acl_runtime_push(rt, 5);
	CU_ASSERT_EQUAL(acl_runtime_hits(rt, 0), 25);
	/* New rules: a new set, the new rule first. */
	acl_runtime_config(path, "Acl",
			   "\"deny udp 0.0.0.0/0 any 0.0.0.0/0 any\", "
			   "\"permit tcp 0.0.0.0/0 any 0.0.0.0/0 80\"", "");
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, path, &errs), 0);
	adn_runtime_sync(rt);
	acl_runtime_push(rt, 3);
	CU_ASSERT_EQUAL(acl_runtime_hits(rt, 0), 0);
	CU_ASSERT_EQUAL(acl_runtime_hits(rt, 1), 3);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_runtime_free(rt);
	unlink(path);
}

/* ReflexiveAcl: a new max_flows gives new tracked flows (a reset of
 * `flows`), and leaves the compiled set and its counters as they were. */
static void
test_reflexive_acl_set_survives_a_new_flow_table(void)
{
	const char *rule = "\"permit tcp 0.0.0.0/0 any 0.0.0.0/0 80\"";
	struct adn_swap_stats before, after;
	struct adn_errs errs = { 0 };
	struct adn_runtime *rt;
	char path[64];

	snprintf(path, sizeof(path), "/tmp/adn-racl-rt-%d.cfg", (int)getpid());
	acl_runtime_config(path, "ReflexiveAcl", rule, "max_flows = 64;");
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	acl_runtime_push(rt, 20);
	adn_runtime_swap_stats(rt, &before);
	acl_runtime_config(path, "ReflexiveAcl", rule, "max_flows = 128;");
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, path, &errs), 0);
	adn_runtime_sync(rt);
	acl_runtime_push(rt, 5);
	CU_ASSERT_EQUAL(acl_runtime_hits(rt, 0), 25);
	adn_runtime_swap_stats(rt, &after);
	CU_ASSERT_EQUAL(after.state_resets, before.state_resets + 1);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_runtime_free(rt);
	unlink(path);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("acl");

	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_acl_matches_linear_first_match);
	CU_ADD_TEST(s, test_acl_rule_syntax);
	CU_ADD_TEST(s, test_acl_element_follows_rules_and_file);
	CU_ADD_TEST(s, test_acl_config_errors_name_the_key);
	CU_ADD_TEST(s, test_acl_drops_bad_frames_without_leaks);
	CU_ADD_TEST(s, test_reflexive_acl_lets_replies_in);
	CU_ADD_TEST(s, test_reflect_flows_expire_on_virtual_clock);
	CU_ADD_TEST(s, test_acl_set_shared_by_swaps_rebuilt_by_new_rules);
	CU_ADD_TEST(s, test_reflexive_acl_set_survives_a_new_flow_table);
	return adn_test_main();
}
