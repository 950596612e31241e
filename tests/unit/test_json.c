/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/util adn_json, the reader adn-ctl parses telemetry replies with:
 * values of every type, 64-bit counters exact, escapes and surrogate
 * pairs to UTF-8, documents order kept, and malformed or hostile text
 * refused with the offset (never a crash, never a deep recursion).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "adn_json.h"

static struct adn_json *
parse_ok(const char *text)
{
	struct adn_json *j = NULL;
	char err[128];

	CU_ASSERT_EQUAL(adn_json_parse(text, strlen(text), &j, err,
				       sizeof(err)), 0);
	if (j == NULL)
		printf("\n'%s': %s\n", text, err);
	return j;
}

static void
parse_bad(const char *text, const char *why)
{
	struct adn_json *j = (struct adn_json *)1;
	char err[128];

	CU_ASSERT_EQUAL(adn_json_parse(text, strlen(text), &j, err,
				       sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NULL(j);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	if (strstr(err, why) == NULL)
		printf("\n'%s': '%s', want '%s'\n", text, err, why);
}

static void
test_telemetry_reply(void)
{
	struct adn_json *j = parse_ok(
		"{\"/adn/stats\": {\"received\": 18446744073709551615, "
		"\"dropped\": 0, \"rate\": -2.5e3, \"ok\": true, \"no\": false, "
		"\"none\": null, \"rx\": [1, 2, 3, 4], \"e\": {}, \"a\": []}}");
	const struct adn_json *v, *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->type, ADN_JSON_OBJECT);
	CU_ASSERT_EQUAL(j->n, 1);
	v = adn_json_get(j, "/adn/stats");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(adn_json_u64(adn_json_get(v, "received")),
			UINT64_MAX);
	CU_ASSERT_EQUAL(adn_json_num(adn_json_get(v, "rate")), -2500);
	CU_ASSERT_EQUAL(adn_json_u64(adn_json_get(v, "rate")), 0);
	CU_ASSERT(adn_json_get(v, "ok")->b);
	CU_ASSERT(!adn_json_get(v, "no")->b);
	CU_ASSERT_EQUAL(adn_json_get(v, "none")->type, ADN_JSON_NULL);
	a = adn_json_get(v, "rx");
	CU_ASSERT_EQUAL(a->n, 4);
	CU_ASSERT_EQUAL(adn_json_u64(a->child->next->next->next), 4);
	CU_ASSERT_EQUAL(adn_json_get(v, "e")->n, 0);
	CU_ASSERT_PTR_NULL(adn_json_get(v, "absent"));
	CU_ASSERT_PTR_NULL(adn_json_get(a, "rx"));	/* not an object */
	/* Members in document order. */
	CU_ASSERT_STRING_EQUAL(v->child->key, "received");
	CU_ASSERT_STRING_EQUAL(v->child->next->key, "dropped");
	adn_json_free(j);
}

static void
test_strings_and_escapes(void)
{
	struct adn_json *j = parse_ok(
		"[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20ac\", "
		"\"\\ud83d\\ude00\", \"\"]");
	const struct adn_json *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	s = j->child;
	CU_ASSERT_STRING_EQUAL(adn_json_str(s), "a\"b\\c/d\b\f\n\r\t");
	CU_ASSERT_STRING_EQUAL(adn_json_str(s->next), "\xc3\xa9\xe2\x82\xac");
	CU_ASSERT_STRING_EQUAL(adn_json_str(s->next->next),
			       "\xf0\x9f\x98\x80");
	CU_ASSERT_STRING_EQUAL(adn_json_str(s->next->next->next), "");
	CU_ASSERT_STRING_EQUAL(adn_json_str(j), "");	/* not a string */
	adn_json_free(j);
}

static void
test_write_round_trip(void)
{
	/* Control characters come back as \\u escapes. */
	const char *text = "{\"k\": [1, \"x\\\"y\\u000a\", {\"a\": null}], "
		"\"t\": true}";
	struct adn_json *j = parse_ok(text), *back;
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	adn_json_write(f, j, 0);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(out, text);
	back = parse_ok(out);
	CU_ASSERT_PTR_NOT_NULL(back);
	adn_json_free(back);
	adn_json_free(j);
	free(out);
}

static void
test_malformed(void)
{
	char deep[2 * ADN_JSON_MAX_DEPTH + 8];

	parse_bad("", "unexpected end");
	parse_bad("{\"a\": 1", "expected ',' or '}'");
	parse_bad("{\"a\" 1}", "expected ':'");
	parse_bad("{1: 2}", "expected a member name");
	parse_bad("[1, 2,]", "unexpected character ']'");
	parse_bad("\"abc", "unterminated string");
	parse_bad("\"a\\qb\"", "bad escape");
	parse_bad("\"\\u12\"", "truncated \\u escape");
	parse_bad("\"\\u12G4\"", "bad hex digit");
	parse_bad("\"\\ud83d\"", "unpaired surrogate");
	parse_bad("\"\\ude00\"", "unpaired surrogate");
	parse_bad("\"a\nb\"", "control character");
	parse_bad("1.2.3", "bad number");
	parse_bad("-", "unexpected character");
	parse_bad("nul", "unexpected character");
	parse_bad("{} {}", "text after the value");
	/* Nesting past the limit is refused, not recursed into. */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	parse_bad(deep, "nested deeper than");
	/* A NUL inside the text ends nothing early: it is an error. */
	{
		struct adn_json *j;
		char err[64];

		CU_ASSERT_EQUAL(adn_json_parse("12\0" "3", 4, &j, err,
					       sizeof(err)), -EINVAL);
	}
}

int
main(void)
{
	CU_pSuite s;
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("json", NULL, NULL);
	CU_add_test(s, "telemetry reply", test_telemetry_reply);
	CU_add_test(s, "strings and escapes", test_strings_and_escapes);
	CU_add_test(s, "write round trip", test_write_round_trip);
	CU_add_test(s, "malformed", test_malformed);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
