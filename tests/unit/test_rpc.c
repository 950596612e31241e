/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rpc: the ADN RPC header codec (round trips, one case per reject
 * reason, random mutations), the head lookups views use, views over both
 * carriers (selectors, number/text conversions, config errors), and
 * RpcAcl's rules against a plain model on random rules and messages.
 * DPDK-free: it links rpc_codec_dep only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "adn_http.h"
#include "adn_rand.h"
#include "adn_rpc_acl.h"
#include "adn_rpc_msg.h"
#include "adn_rpc_view.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* --- codec ---------------------------------------------------------- */

static void
test_codec_round_trips(void)
{
	struct adn_rand r;
	uint8_t buf[ADN_RPC_MAX_HDR + 64];

	adn_rand_seed(&r, 7);
	for (unsigned int t = 0; t < 2000; t++) {
		struct adn_rpc_field_val f[ADN_RPC_MAX_FIELDS];
		char vals[ADN_RPC_MAX_FIELDS][40];
		const unsigned int n = (unsigned int)adn_rand_below(&r, 9);
		const uint32_t id = (uint32_t)adn_rand_u64(&r);
		const uint8_t type = (uint8_t)adn_rand_below(&r, 2);
		const uint8_t flags = (uint8_t)adn_rand_below(&r, 4);
		const uint32_t pl = (uint32_t)adn_rand_below(&r, 32);
		unsigned int fid = 0;
		struct adn_rpc_hdr h;
		int len;

		for (unsigned int i = 0; i < n; i++) {
			fid += 1 + (unsigned int)adn_rand_below(&r, 20);
			f[i].id = (uint8_t)fid;
			f[i].type = (uint8_t)(1 + adn_rand_below(&r, 3));
			f[i].u64 = adn_rand_u64(&r);
			snprintf(vals[i], sizeof(vals[i]), "v%" PRIu64,
				 adn_rand_below(&r, 1000000));
			f[i].val = vals[i];
			f[i].len = (uint16_t)strlen(vals[i]);
		}
		len = adn_rpc_encode(buf, sizeof(buf), type, flags, id, 3, 4,
				     pl, f, n);
		CU_ASSERT_FATAL(len > 0);
		CU_ASSERT_EQUAL((size_t)len, adn_rpc_hdr_size(f, n));
		memset(buf + len, 0xab, pl);
		CU_ASSERT_EQUAL_FATAL(adn_rpc_decode(buf, (size_t)len + pl, &h),
				      len);
		CU_ASSERT_EQUAL(h.type, type);
		CU_ASSERT_EQUAL(h.flags, flags);
		CU_ASSERT_EQUAL(h.req_id, id);
		CU_ASSERT_EQUAL(h.service, 3);
		CU_ASSERT_EQUAL(h.method, 4);
		CU_ASSERT_EQUAL(h.payload_len, pl);
		CU_ASSERT_EQUAL_FATAL(h.n_fields, n);
		for (unsigned int i = 0; i < n; i++) {
			CU_ASSERT_EQUAL(h.f[i].id, f[i].id);
			CU_ASSERT_EQUAL(h.f[i].type, f[i].type);
			if (f[i].type == ADN_RPC_FT_U64) {
				CU_ASSERT_EQUAL(h.f[i].u64, f[i].u64);
			} else {
				CU_ASSERT_EQUAL(h.f[i].len, f[i].len);
				CU_ASSERT(memcmp(buf + h.f[i].off, vals[i],
						 f[i].len) == 0);
			}
			CU_ASSERT_PTR_EQUAL(adn_rpc_field_find(&h, f[i].id),
					    &h.f[i]);
		}
		/* the first u64 field sits at the documented offset */
		if (n > 0 && f[0].type == ADN_RPC_FT_U64)
			CU_ASSERT_EQUAL(h.f[0].off, ADN_RPC_FIXED_LEN +
					ADN_RPC_ENTRY_LEN);
	}
}

/* A valid message: one u64 field 1, one string field 2 ("alice"), 4
 * payload bytes. */
static size_t
valid_msg(uint8_t *buf, size_t cap)
{
	const struct adn_rpc_field_val f[] = {
		{ .id = 1, .type = ADN_RPC_FT_U64, .u64 = 42 },
		{ .id = 2, .type = ADN_RPC_FT_STRING, .val = "alice", .len = 5 },
	};
	int len = adn_rpc_encode(buf, cap, ADN_RPC_T_REQUEST, 0, 9, 1, 2, 4,
				 f, 2);

	CU_ASSERT_FATAL(len > 0);
	memcpy(buf + len, "body", 4);
	return (size_t)len + 4;
}

static void
test_decoder_rejects_each_malformation(void)
{
	uint8_t b[256];
	struct adn_rpc_hdr h;
	size_t n = valid_msg(b, sizeof(b));
	const size_t f1 = ADN_RPC_FIXED_LEN;		/* entry of field 1 */
	const size_t f2 = f1 + ADN_RPC_ENTRY_LEN + 8;	/* of field 2 */
	struct {
		size_t off;
		uint8_t val;
		size_t len;	/* 0: n */
		enum adn_rpc_err want;
	} cases[] = {
		{ 0, 0, ADN_RPC_FIXED_LEN - 1, ADN_RPC_E_SHORT },
		{ ADN_RPC_OFF_MAGIC, 0xAE, 0, ADN_RPC_E_MAGIC },
		{ ADN_RPC_OFF_VERSION, 2, 0, ADN_RPC_E_VERSION },
		{ ADN_RPC_OFF_TYPE, 2, 0, ADN_RPC_E_TYPE },
		{ ADN_RPC_OFF_FLAGS, 0x80, 0, ADN_RPC_E_FLAGS },
		{ ADN_RPC_OFF_HDR_LEN + 1, 10, 0, ADN_RPC_E_HDR_LEN },
		{ ADN_RPC_OFF_HDR_LEN, 0x10, 0, ADN_RPC_E_HDR_LEN },
		{ ADN_RPC_OFF_N_FIELDS, ADN_RPC_MAX_FIELDS + 1, 0,
		  ADN_RPC_E_TOO_MANY_FIELDS },
		{ ADN_RPC_OFF_N_FIELDS, 3, 0, ADN_RPC_E_FIELD_TRUNC },
		{ f2, 1, 0, ADN_RPC_E_FIELD_ID },	/* 1 after 1 */
		{ f1, 0, 0, ADN_RPC_E_FIELD_ID },	/* id 0 */
		{ f2 + 1, 9, 0, ADN_RPC_E_FIELD_TYPE },
		{ f1 + 3, 4, 0, ADN_RPC_E_FIELD_LEN },	/* u64 of 4 bytes */
		{ f2 + 4 + 2, 0, 0, ADN_RPC_E_FIELD_LEN },/* NUL in a string */
		{ f2 + 3, 9, 0, ADN_RPC_E_FIELD_TRUNC },
		{ ADN_RPC_OFF_N_FIELDS, 1, 0, ADN_RPC_E_TABLE_LEN },
		{ ADN_RPC_OFF_PAYLOAD_LEN + 3, 5, 0, ADN_RPC_E_PAYLOAD_LEN },
		{ 0, 0, 0, ADN_RPC_E_PAYLOAD_LEN },	/* one byte short */
	};

	CU_ASSERT_EQUAL(adn_rpc_decode(b, n, &h), (int)(n - 4));
	for (unsigned int i = 0; i < DIM(cases); i++) {
		uint8_t c[256];
		size_t len = cases[i].len ? cases[i].len : n;
		int rc;

		memcpy(c, b, n);
		if (i == DIM(cases) - 1)
			len = n - 1;
		else if (cases[i].len == 0)
			c[cases[i].off] = cases[i].val;
		rc = adn_rpc_decode(c, len, &h);
		if (rc != -(int)cases[i].want)
			printf("\ncase %u: %d (%s), want %s\n", i, rc,
			       rc < 0 ? adn_rpc_err_str(-rc) : "ok",
			       adn_rpc_err_str(cases[i].want));
		CU_ASSERT_EQUAL(rc, -(int)cases[i].want);
	}
	/* every reason has a name for counters */
	for (int e = 1; e < ADN_RPC_E_MAX; e++)
		CU_ASSERT(strcmp(adn_rpc_err_str(e), "unknown") != 0);
	/* the encoder refuses what the decoder would reject */
	const struct adn_rpc_field_val bad[] = {
		{ .id = 2, .type = ADN_RPC_FT_U64 },
		{ .id = 2, .type = ADN_RPC_FT_U64 },
	};
	const struct adn_rpc_field_val nul = { .id = 1,
		.type = ADN_RPC_FT_STRING, .val = "a\0b", .len = 3 };
	CU_ASSERT_EQUAL(adn_rpc_encode(b, ADN_RPC_FIXED_LEN - 1, 0, 0, 0, 0, 0,
				       0, NULL, 0), -E2BIG);
	CU_ASSERT_EQUAL(adn_rpc_encode(b, sizeof(b), 0, 0, 0, 0, 0, 0, bad, 2),
			-EINVAL);
	CU_ASSERT_EQUAL(adn_rpc_encode(b, sizeof(b), 0, 0, 0, 0, 0, 0, &nul, 1),
			-EINVAL);
	CU_ASSERT_EQUAL(adn_rpc_encode(b, sizeof(b), 0, 0x40, 0, 0, 0, 0, NULL,
				       0), -EINVAL);
}

/* Random cuts and byte flips of valid messages: the decoder answers a
 * reason or a header whose every span is inside the message. */
static void
test_decoder_survives_mutations(void)
{
	struct adn_rand r;
	unsigned int ok = 0, rej[ADN_RPC_E_MAX] = { 0 };

	adn_rand_seed(&r, 11);
	for (unsigned int t = 0; t < 200000; t++) {
		uint8_t b[256];
		size_t n = valid_msg(b, sizeof(b));
		struct adn_rpc_hdr h;
		int rc;

		for (unsigned int k = adn_rand_below(&r, 3) + 1; k > 0; k--)
			b[adn_rand_below(&r, n)] = (uint8_t)adn_rand_u64(&r);
		if (adn_rand_below(&r, 4) == 0)
			n = (size_t)adn_rand_below(&r, n + 1);
		rc = adn_rpc_decode(b, n, &h);
		if (rc < 0) {
			CU_ASSERT_FATAL(-rc > 0 && -rc < ADN_RPC_E_MAX);
			rej[-rc]++;
			continue;
		}
		ok++;
		CU_ASSERT(rc == h.hdr_len && h.hdr_len + h.payload_len == n);
		for (unsigned int i = 0; i < h.n_fields; i++)
			CU_ASSERT(h.f[i].off + h.f[i].len <= h.hdr_len);
	}
	CU_ASSERT(ok > 0);
	/* most reasons come up */
	unsigned int seen = 0;

	for (int e = 1; e < ADN_RPC_E_MAX; e++)
		seen += rej[e] > 0;
	CU_ASSERT(seen >= ADN_RPC_E_MAX - 3);
}

/* --- head lookups ---------------------------------------------------- */

static void
test_http_lookups_find_fields(void)
{
	static const char head[] = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n"
		"X-User:  bob \r\nx-user: eve\r\nX-Empty:\r\n\r\n";
	static const char q[] = "a=1&bb=&c&user=al%20ice&a=2";
	struct adn_http_span v;
	const uint8_t *h = (const uint8_t *)head;

	CU_ASSERT_EQUAL(adn_http_header_find(h, strlen(head), "x-user", 6, &v),
			1);
	CU_ASSERT(v.len == 3 && memcmp(head + v.off, "bob", 3) == 0);
	CU_ASSERT_EQUAL(adn_http_header_find(h, strlen(head), "x-empty", 7,
					     &v), 1);
	CU_ASSERT_EQUAL(v.len, 0);
	CU_ASSERT_EQUAL(adn_http_header_find(h, strlen(head), "x-use", 5, &v),
			0);
	CU_ASSERT_EQUAL(adn_http_header_find(h, strlen(head), "get /a?x", 8,
					     &v), 0);
	/* a cut head answers within its bytes */
	for (size_t k = 0; k < strlen(head); k++)
		if (adn_http_header_find(h, k, "x-user", 6, &v))
			CU_ASSERT(v.off + v.len <= k);
	CU_ASSERT_EQUAL(adn_http_query_find((const uint8_t *)q, strlen(q),
					    "a", 1, &v), 1);
	CU_ASSERT(v.len == 1 && q[v.off] == '1');
	CU_ASSERT_EQUAL(adn_http_query_find((const uint8_t *)q, strlen(q),
					    "bb", 2, &v), 1);
	CU_ASSERT_EQUAL(v.len, 0);
	CU_ASSERT_EQUAL(adn_http_query_find((const uint8_t *)q, strlen(q),
					    "c", 1, &v), 1);
	CU_ASSERT_EQUAL(v.len, 0);
	CU_ASSERT_EQUAL(adn_http_query_find((const uint8_t *)q, strlen(q),
					    "user", 4, &v), 1);
	CU_ASSERT(v.len == 8 && memcmp(q + v.off, "al%20ice", 8) == 0);
	CU_ASSERT_EQUAL(adn_http_query_find((const uint8_t *)q, strlen(q),
					    "d", 1, &v), 0);
}

/* --- views ------------------------------------------------------------ */

/* An ADN RPC record: field 1 u64 77, field 2 string "alice", field 3
 * bytes "123", payload "pay". */
static void
adn_record(uint8_t *buf, size_t cap, struct adn_rpc_msg *m)
{
	const struct adn_rpc_field_val f[] = {
		{ .id = 1, .type = ADN_RPC_FT_U64, .u64 = 77 },
		{ .id = 2, .type = ADN_RPC_FT_STRING, .val = "alice", .len = 5 },
		{ .id = 3, .type = ADN_RPC_FT_BYTES, .val = "123", .len = 3 },
	};
	int len = adn_rpc_encode(buf, cap, ADN_RPC_T_REQUEST, 0, 5, 6, 7, 3,
				 f, 3);

	CU_ASSERT_FATAL(len > 0);
	memcpy(buf + len, "pay", 3);
	memset(m, 0, sizeof(*m));
	CU_ASSERT_EQUAL_FATAL(adn_rpc_msg_from_wire(m, buf, (size_t)len + 3,
						    42), len);
	CU_ASSERT_EQUAL(m->rpc_off, 42);
}

/* An HTTP record as RpcParse builds it from HttpParse's: the head parsed
 * by the project's parser. */
static void
http_record(const char *head, struct adn_rpc_msg *m)
{
	static const struct adn_http_limits lim = { .max_head = 8192,
						    .max_headers = 100 };
	struct adn_http_msg h;
	int rc = adn_http_parse((const uint8_t *)head, strlen(head), false,
				&lim, NULL, &h);

	CU_ASSERT_FATAL(rc > 0);
	memset(m, 0, sizeof(*m));
	m->carrier = ADN_RPC_CARRIER_HTTP;
	m->kind = ADN_RPC_T_REQUEST;
	m->method = h.method;
	m->head = head;
	m->head_len = (uint32_t)rc;
	m->path = head + h.path.off;
	m->path_len = h.path.len;
	m->query = head + h.query.off;
	m->query_len = h.query.len;
	m->payload = (const uint8_t *)head + rc;
	m->payload_len = (uint32_t)(strlen(head) - (size_t)rc);
}

/* The value of selector `sel` as text ("-" absent; numbers as "#N"). */
static void
sel_text(const struct adn_rpc_msg *m, const char *sel, enum adn_rpc_vtype t,
	 char *out, size_t len)
{
	struct adn_rpc_sel s;
	struct adn_rpc_val v;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(adn_rpc_sel_parse(sel, t, &s, why, sizeof(why)),
			      0);
	if (!adn_rpc_sel_get(m, &s, t, &v))
		snprintf(out, len, "-");
	else if (v.type == ADN_RPC_VT_U64)
		snprintf(out, len, "#%" PRIu64, v.u64);
	else
		snprintf(out, len, "%.*s", v.len, (const char *)v.p);
}

static void
test_view_reads_both_carriers(void)
{
	static const char head[] = "POST /users/al/items?id=9&k=v HTTP/1.1\r\n"
		"Host: h\r\nX-User: alice\r\nX-Object-Id: 123\r\n"
		"Content-Length: 4\r\n\r\nbody";
	struct {
		const char *sel;
		enum adn_rpc_vtype t;
		const char *adn, *http;
	} cases[] = {
		{ "rpc:1", ADN_RPC_VT_U64, "#77", "-" },
		{ "rpc:1", ADN_RPC_VT_ANY, "77", "-" },
		{ "rpc:2", ADN_RPC_VT_BYTES, "alice", "-" },
		{ "rpc:2", ADN_RPC_VT_U64, "-", "-" },
		{ "rpc:3", ADN_RPC_VT_U64, "#123", "-" },
		{ "rpc:4", ADN_RPC_VT_ANY, "-", "-" },
		{ "rpc:id", ADN_RPC_VT_U64, "#5", "-" },
		{ "rpc:service", ADN_RPC_VT_ANY, "6", "-" },
		{ "rpc:method", ADN_RPC_VT_U64, "#7", "-" },
		{ "header:x-user", ADN_RPC_VT_BYTES, "-", "alice" },
		{ "header:X-OBJECT-ID", ADN_RPC_VT_U64, "-", "#123" },
		{ "header:x-none", ADN_RPC_VT_ANY, "-", "-" },
		{ "query:id", ADN_RPC_VT_U64, "-", "#9" },
		{ "query:k", ADN_RPC_VT_BYTES, "-", "v" },
		{ "path", ADN_RPC_VT_BYTES, "-", "/users/al/items" },
		{ "path:0", ADN_RPC_VT_BYTES, "-", "users" },
		{ "path:2", ADN_RPC_VT_ANY, "-", "items" },
		{ "path:3", ADN_RPC_VT_ANY, "-", "-" },
		{ "method", ADN_RPC_VT_BYTES, "-", "POST" },
		{ "body", ADN_RPC_VT_BYTES, "pay", "body" },
	};
	uint8_t buf[256];
	struct adn_rpc_msg a, h;

	adn_record(buf, sizeof(buf), &a);
	http_record(head, &h);
	for (unsigned int i = 0; i < DIM(cases); i++) {
		char va[64], vh[64];

		sel_text(&a, cases[i].sel, cases[i].t, va, sizeof(va));
		sel_text(&h, cases[i].sel, cases[i].t, vh, sizeof(vh));
		if (strcmp(va, cases[i].adn) || strcmp(vh, cases[i].http))
			printf("\n%s (%s): adn '%s' http '%s'\n", cases[i].sel,
			       adn_rpc_vtype_str(cases[i].t), va, vh);
		CU_ASSERT_STRING_EQUAL(va, cases[i].adn);
		CU_ASSERT_STRING_EQUAL(vh, cases[i].http);
	}
}

static void
test_view_maps_fields_and_rejects_bad_ones(void)
{
	static const struct adn_rpc_view_decl decl[] = {
		{ .name = "key", .type = ADN_RPC_VT_ANY, .required = true },
		{ .name = "prio", .type = ADN_RPC_VT_U64 },
		{ .name = "user", .type = ADN_RPC_VT_BYTES },
		{ .name = NULL },
	};
	const char *alt[] = { "rpc:9", "header:x-object-id" };
	const char *one[1];
	struct adn_rpc_view v;
	struct adn_rpc_msg a, h;
	struct adn_rpc_val val;
	uint8_t buf[256];
	char why[512];
	struct {
		const char *field, *sel, *want;
	} bad[] = {
		{ "kee", "rpc:1", "no field 'kee'" },
		{ "key", "grpc:1", "unknown selector" },
		{ "key", "rpc:0", "rpc:N" },
		{ "key", "rpc:256", "rpc:N" },
		{ "key", "rpc:x", "rpc:N" },
		{ "key", "header:", "needs a name" },
		{ "key", "header:a b", "cannot be in" },
		{ "key", "query:a&b", "cannot be in" },
		{ "key", "path:x", "path:N" },
		{ "prio", "body", "never a number" },
		{ "prio", "method", "never a number" },
		{ "user", "rpc:id", "is a number" },
	};

	for (unsigned int i = 0; i < DIM(bad); i++) {
		CU_ASSERT_EQUAL_FATAL(adn_rpc_view_init(&v, decl), 0);
		one[0] = bad[i].sel;
		CU_ASSERT_EQUAL(adn_rpc_view_map(&v, false, bad[i].field, one,
						 1, why, sizeof(why)), -EINVAL);
		if (strstr(why, bad[i].want) == NULL)
			printf("\n%s = %s: '%s'\n", bad[i].field, bad[i].sel,
			       why);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i].want));
	}
	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_init(&v, decl), 0);
	CU_ASSERT_EQUAL(adn_rpc_view_map(&v, false, "key", alt, 2, why,
					 sizeof(why)), 0);
	CU_ASSERT_EQUAL(adn_rpc_view_map(&v, false, "key", alt, 1, why,
					 sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "twice"));
	/* the first selector present wins, on either carrier */
	adn_record(buf, sizeof(buf), &a);
	http_record("GET / HTTP/1.1\r\nHost: h\r\nX-Object-Id: 5\r\n\r\n", &h);
	CU_ASSERT_EQUAL(adn_rpc_view_get(&a, &v, 0, &val), 0);	/* no rpc:9 */
	CU_ASSERT_EQUAL(adn_rpc_view_get(&h, &v, 0, &val), 1);
	CU_ASSERT(val.len == 1 && val.p[0] == '5');
	/* an unmapped field is absent */
	CU_ASSERT_EQUAL(adn_rpc_view_get(&h, &v, 1, &val), 0);
	/* open views take any name, up to ADN_RPC_VIEW_MAX */
	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_init(&v, NULL), 0);
	for (unsigned int i = 0; i < ADN_RPC_VIEW_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%u", i);
		CU_ASSERT_EQUAL(adn_rpc_view_map(&v, true, name, alt, 1, why,
						 sizeof(why)), 0);
	}
	CU_ASSERT_EQUAL(adn_rpc_view_map(&v, true, "more", alt, 1, why,
					 sizeof(why)), -E2BIG);
	CU_ASSERT_EQUAL(adn_rpc_view_find(&v, "f3"), 3);
}

/* --- RpcAcl's rules against a model ----------------------------------- */

static const char *const acl_words[] = { "alice", "al", "bob", "b", "carol",
	"17", "170", "1", "250", "x9", "0" };

struct m_cond {
	unsigned int field, op, n;
	const char *v[4];
	uint64_t lo, hi;
};

struct m_rule {
	unsigned int n;
	struct m_cond c[3];
	bool deny;
};

static bool
m_holds(const struct m_cond *c, const char *val)
{
	char *end;
	unsigned long long x;

	switch (c->op) {
	case ADN_RPC_ACL_EXACT:
		return strcmp(val, c->v[0]) == 0;
	case ADN_RPC_ACL_PREFIX:
		return strncmp(val, c->v[0], strlen(c->v[0])) == 0;
	case ADN_RPC_ACL_IN:
		for (unsigned int i = 0; i < c->n; i++)
			if (strcmp(val, c->v[i]) == 0)
				return true;
		return false;
	default:
		if (val[0] < '0' || val[0] > '9')
			return false;
		x = strtoull(val, &end, 10);
		return *end == '\0' && x >= c->lo && x <= c->hi;
	}
}

static void
test_acl_matches_model(void)
{
	static const char *const ops[] = { "exact", "prefix", "in", "range" };
	static const char *const names[] = { "user", "object", "region" };
	static struct m_rule rules[200];
	static char text[65536];
	struct adn_rpc_view v;
	struct adn_rpc_acl *acl;
	struct adn_rand r;
	unsigned int line, hit = 0, miss = 0;
	size_t o = 0;
	char why[256];
	const char *sel[1];

	adn_rand_seed(&r, 5);
	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_init(&v, NULL), 0);
	for (unsigned int f = 0; f < 3; f++) {
		char s[16];

		snprintf(s, sizeof(s), "rpc:%u", f + 1);
		sel[0] = s;
		CU_ASSERT_EQUAL_FATAL(adn_rpc_view_map(&v, true, names[f], sel,
						       1, why, sizeof(why)), 0);
	}
	for (unsigned int i = 0; i < DIM(rules); i++) {
		struct m_rule *ru = &rules[i];

		ru->n = 1 + (unsigned int)adn_rand_below(&r, 3);
		ru->deny = adn_rand_below(&r, 2);
		for (unsigned int k = 0; k < ru->n; k++) {
			struct m_cond *c = &ru->c[k];

			c->field = (unsigned int)adn_rand_below(&r, 3);
			c->op = (unsigned int)adn_rand_below(&r, 4);
			c->n = c->op == ADN_RPC_ACL_IN ?
				1 + (unsigned int)adn_rand_below(&r, 4) : 1;
			for (unsigned int j = 0; j < c->n; j++)
				c->v[j] = acl_words[adn_rand_below(&r,
							DIM(acl_words))];
			c->lo = adn_rand_below(&r, 200);
			c->hi = c->lo + adn_rand_below(&r, 100);
			o += (size_t)snprintf(text + o, sizeof(text) - o,
					      "%s %s ", names[c->field],
					      ops[c->op]);
			if (c->op == ADN_RPC_ACL_RANGE)
				o += (size_t)snprintf(text + o, sizeof(text) - o,
					"%" PRIu64 "-%" PRIu64 " ", c->lo,
					c->hi);
			else if (c->op == ADN_RPC_ACL_IN) {
				text[o++] = '{';
				for (unsigned int j = 0; j < c->n; j++)
					o += (size_t)snprintf(text + o,
						sizeof(text) - o, "%s%s",
						j ? "," : "", c->v[j]);
				o += (size_t)snprintf(text + o,
						      sizeof(text) - o, "} ");
			} else
				o += (size_t)snprintf(text + o, sizeof(text) - o,
						      "%s ", c->v[0]);
		}
		o += (size_t)snprintf(text + o, sizeof(text) - o, "-> %s%s\n",
				      ru->deny ? "deny" : "permit",
				      i % 7 == 0 ? "  # a comment" : "");
		if (i % 50 == 0)
			o += (size_t)snprintf(text + o, sizeof(text) - o,
					      "\n# blank and comment lines\n");
	}
	CU_ASSERT_EQUAL_FATAL(adn_rpc_acl_build(text, &v, 2, &acl, &line, why,
						sizeof(why)), 0);
	CU_ASSERT_EQUAL(adn_rpc_acl_rules(acl), DIM(rules));
	for (unsigned int t = 0; t < 20000; t++) {
		struct adn_rpc_val vals[3];
		const char *val[3];
		uint32_t present = 0;
		int want = -1, got;

		for (unsigned int f = 0; f < 3; f++) {
			val[f] = acl_words[adn_rand_below(&r, DIM(acl_words))];
			if (adn_rand_below(&r, 8) == 0)
				continue;	/* absent */
			present |= 1u << f;
			vals[f].type = ADN_RPC_VT_BYTES;
			vals[f].p = (const uint8_t *)val[f];
			vals[f].len = (uint16_t)strlen(val[f]);
		}
		for (unsigned int i = 0; i < DIM(rules) && want < 0; i++) {
			unsigned int k;

			for (k = 0; k < rules[i].n; k++)
				if (!(present & (1u << rules[i].c[k].field)) ||
				    !m_holds(&rules[i].c[k],
					     val[rules[i].c[k].field]))
					break;
			if (k == rules[i].n)
				want = (int)i;
		}
		got = adn_rpc_acl_match(acl, vals, present);
		CU_ASSERT_EQUAL(got, want);
		if (got >= 0)
			CU_ASSERT_EQUAL(adn_rpc_acl_action(acl, got),
					rules[got].deny ? ADN_RPC_ACL_DENY :
					ADN_RPC_ACL_PERMIT);
		adn_rpc_acl_count(acl, t % 2, got);
		if (got >= 0)
			hit++;
		else
			miss++;
	}
	/* the workload reaches rules and the default */
	CU_ASSERT(hit > 1000 && miss > 100);
	uint64_t sum = adn_rpc_acl_hits(acl, -1);

	for (unsigned int i = 0; i < DIM(rules); i++)
		sum += adn_rpc_acl_hits(acl, (int)i);
	CU_ASSERT_EQUAL(sum, 20000);
	CU_ASSERT_EQUAL(adn_rpc_acl_hits(acl, -1), miss);
	adn_rpc_acl_free(acl);
}

static void
test_acl_rejects_bad_lines(void)
{
	struct {
		const char *line, *want;
	} bad[] = {
		{ "user exact a", "'-> permit'" },
		{ "user exact a -> allow", "permit or deny" },
		{ "user exact a -> deny x", "nothing may follow" },
		{ "who exact a -> deny", "not a field" },
		{ "user like a -> deny", "unknown operator" },
		{ "user exact -> deny", "" },
		{ "user in {a, b} -> deny", "" },
		{ "user in a,b -> deny", "a set is" },
		{ "user in {a,,b} -> deny", "1-255 bytes" },
		{ "object range 5-1 -> deny", "LO <= HI" },
		{ "object range 5 -> deny", "a range is" },
		{ "object range a-9 -> deny", "a range is" },
		{ "-> deny", "needs a condition" },
		{ "user exact a user exact b user exact c user exact d "
		  "user exact e -> deny", "at most 4" },
	};
	const char *sel[] = { "header:x-user" };
	const char *sel2[] = { "query:id" };
	struct adn_rpc_view v;
	struct adn_rpc_acl *acl;
	unsigned int line;
	char why[256], text[256];

	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_init(&v, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_map(&v, true, "user", sel, 1, why,
					       sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(adn_rpc_view_map(&v, true, "object", sel2, 1,
					       why, sizeof(why)), 0);
	for (unsigned int i = 0; i < DIM(bad); i++) {
		snprintf(text, sizeof(text), "# c\nuser exact ok -> permit\n%s\n",
			 bad[i].line);
		CU_ASSERT(adn_rpc_acl_build(text, &v, 1, &acl, &line, why,
					    sizeof(why)) < 0);
		CU_ASSERT_EQUAL(line, 3);
		if (strstr(why, bad[i].want) == NULL)
			printf("\n'%s': %s\n", bad[i].line, why);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i].want));
	}
	CU_ASSERT_EQUAL(adn_rpc_acl_build("", &v, 1, &acl, &line, why,
					  sizeof(why)), 0);
	CU_ASSERT_EQUAL(adn_rpc_acl_rules(acl), 0);
	CU_ASSERT_EQUAL(adn_rpc_acl_fields(acl), 0);
	adn_rpc_acl_free(acl);
	CU_ASSERT_EQUAL(adn_rpc_acl_load("/nonexistent/acl", &v, 1, &acl, why,
					 sizeof(why)), -ENOENT);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("rpc", NULL, NULL);
	if (s == NULL)
		return 1;
	CU_ADD_TEST(s, test_codec_round_trips);
	CU_ADD_TEST(s, test_decoder_rejects_each_malformation);
	CU_ADD_TEST(s, test_decoder_survives_mutations);
	CU_ADD_TEST(s, test_http_lookups_find_fields);
	CU_ADD_TEST(s, test_view_reads_both_carriers);
	CU_ADD_TEST(s, test_view_maps_fields_and_rejects_bad_ones);
	CU_ADD_TEST(s, test_acl_matches_model);
	CU_ADD_TEST(s, test_acl_rejects_bad_lines);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned int fails = CU_get_number_of_failures();

	CU_cleanup_registry();
	return fails == 0 ? 0 : 1;
}
