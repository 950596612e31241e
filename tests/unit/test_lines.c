/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/util adn_lines, the line reader behind the route, ACL, URL and DPI
 * rule files: newlines and CRs removed, a line over the limit refused
 * (never read as two lines), errors named "PATH:LINE: why", and the
 * growing array's bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "adn_lines.h"

static char path[] = "/tmp/adn_lines_XXXXXX";

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

struct seen {
	unsigned int n;
	unsigned int lineno[8];
	char line[8][32];
	unsigned int fail_at;	/* 0: never */
};

static int
record(char *line, unsigned int lineno, void *arg, char *why, size_t wl)
{
	struct seen *s = arg;

	if (lineno == s->fail_at) {
		snprintf(why, wl, "bad '%s'", line);
		return -EINVAL;
	}
	if (s->n < 8) {
		s->lineno[s->n] = lineno;
		snprintf(s->line[s->n], sizeof(s->line[0]), "%s", line);
	}
	s->n++;
	return 0;
}

static void
test_lines(void)
{
	struct seen s = { 0 };
	char why[256];

	write_file("a b\r\n\nlast-no-newline");
	CU_ASSERT_EQUAL(adn_lines_each(path, 20, record, &s, why,
				       sizeof(why)), 0);
	CU_ASSERT_EQUAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.line[0], "a b");
	CU_ASSERT_STRING_EQUAL(s.line[1], "");
	CU_ASSERT_STRING_EQUAL(s.line[2], "last-no-newline");
	CU_ASSERT_EQUAL(s.lineno[2], 3);

	/* exactly the limit passes, one more is an error, not two lines */
	write_file("12345\n123456\nx\n");
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(adn_lines_each(path, 5, record, &s, why,
				       sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":2: line longer than 5"));

	/* the callback's error stops the read and is named with the line */
	write_file("ok\nnope\nnever\n");
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	CU_ASSERT_EQUAL(adn_lines_each(path, 20, record, &s, why,
				       sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, ":2: bad 'nope'"));

	CU_ASSERT_EQUAL(adn_lines_each("/nonexistent/x", 20, record, &s, why,
				       sizeof(why)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "cannot open /nonexistent/x"));
}

static void
test_array(void)
{
	unsigned int cap = 0, n;
	int *v = NULL;

	for (n = 0; n < 100; n++) {
		CU_ASSERT_EQUAL_FATAL(adn_array_reserve((void **)&v, n, &cap,
							sizeof(*v), 100), 0);
		v[n] = (int)n;
	}
	CU_ASSERT_EQUAL(cap, 100);	/* doubling stops at the bound */
	CU_ASSERT_EQUAL(adn_array_reserve((void **)&v, n, &cap, sizeof(*v),
					  100), -E2BIG);
	CU_ASSERT_EQUAL(v[99], 99);
	free(v);
}

int
main(void)
{
	CU_pSuite s;
	unsigned int failed;
	int fd = mkstemp(path);

	if (fd < 0 || CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	close(fd);
	s = CU_add_suite("lines", NULL, NULL);
	CU_add_test(s, "line reader", test_lines);
	CU_add_test(s, "growing array", test_array);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	unlink(path);
	return failed ? 1 : 0;
}
