/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config and graph validation: every error names the file, the line, the
 * element and the key, and all errors are reported before failing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "adn_runtime.h"
#include "adn_test.h"

/* Build `text`; expect failure with a message holding "FILE:LINE:" and
 * each of the needles. */
static void
expect_error(const char *tag, const char *text, unsigned int line,
	     const char *n1, const char *n2)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_build(tag, text, &errs);
	char where[300];
	int i;

	CU_ASSERT_PTR_NULL(p);
	adn_test_free(p);
	CU_ASSERT(errs.n >= 1);
	snprintf(where, sizeof(where), "%s:%u: ", adn_test_last_path(), line);
	i = adn_errs_find(&errs, where);
	if (i < 0)
		adn_errs_print(&errs, stdout);
	CU_ASSERT_FATAL(i >= 0);
	if (n1 != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[i], n1));
	if (n2 != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(errs.msg[i], n2));
	adn_errs_clear(&errs);
}

static void
test_config_valid_pipeline_builds_in_topological_order(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_build("valid",
		"elements = (\n"
		"  { name = \"out\"; type = \"TestSink\"; },\n"
		"  { name = \"c\"; type = \"Counter\"; },\n"
		"  { name = \"src\"; type = \"TestSource\"; }\n"
		");\n"
		"links = ( \"src -> c -> out\" );\n", &errs);

	adn_errs_print(&errs, stdout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(errs.n, 0);
	CU_ASSERT_STRING_EQUAL(adn_pipeline_elem(p, 0)->name, "src");
	CU_ASSERT_STRING_EQUAL(adn_pipeline_elem(p, 1)->name, "c");
	CU_ASSERT_STRING_EQUAL(adn_pipeline_elem(p, 2)->name, "out");
	CU_ASSERT_EQUAL(adn_pipeline_elem(p, 0)->next[0], 1);
	CU_ASSERT_EQUAL(adn_pipeline_elem(p, 1)->next[0], 2);
	adn_test_free(p);
}

static void
test_config_rejects_unknown_element_type(void)
{
	expect_error("type",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"NoSuchThing\"; }\n"
		");\n"
		"links = ( \"src -> x\" );\n",
		3, "element 'x'", "unknown element type 'NoSuchThing'");
}

static void
test_config_rejects_unknown_element_in_link(void)
{
	expect_error("linkname",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = (\n"
		"  \"ghost -> out\",\n"
		"  \"src -> out\"\n"
		");\n",
		6, "key 'links'", "unknown element 'ghost'");
}

static void
test_config_rejects_duplicate_name(void)
{
	expect_error("dup",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; },\n"
		"  { name = \"out\"; type = \"Discard\"; }\n"
		");\n"
		"links = ( \"src -> out\" );\n",
		4, "element 'out'", "duplicate element name (first defined at line 3)");
}

static void
test_config_rejects_output_port_out_of_range(void)
{
	expect_error("port",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"c\"; type = \"Counter\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> c\",\n"
		"          \"c[3] -> out\" );\n",
		7, "element 'c'", "output port 3 out of range");
}

static void
test_config_rejects_unconnected_output(void)
{
	expect_error("unconnected",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; }, { } ); },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> cls -> out\" );\n",
		3, "element 'cls'", "output 1 left unconnected");
}

static void
test_config_rejects_cycle(void)
{
	expect_error("cycle",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; }, { } ); },\n"
		"  { name = \"a\"; type = \"Counter\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> cls -> out\",\n"
		"          \"cls[1] -> a -> cls\" );\n",
		9, "cycle: cls -> a -> cls", NULL);
	/* Only the cycle, in link order, from any element on it: not what
	 * it feeds (tx) nor what feeds it. */
	expect_error("cycle3",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"tx\"; type = \"TestSink\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; }, { } ); },\n"
		"  { name = \"b\"; type = \"Counter\"; },\n"
		"  { name = \"a\"; type = \"Counter\"; }\n"
		");\n"
		"links = ( \"src -> a -> cls -> tx\",\n"
		"          \"cls[1] -> b\",\n"
		"          \"b -> a\" );\n",
		9, "cycle: cls -> b -> a -> cls (a pipeline", NULL);
}

static void
test_config_rejects_unknown_key(void)
{
	expect_error("key",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\";\n"
		"    verify_cheksum = false; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> chk -> out\" );\n",
		4, "key 'verify_cheksum'", "unknown key for CheckIPv4 (allowed: verify_checksum, non_ipv4)");
}

static void
test_config_rejects_missing_required_key(void)
{
	expect_error("required",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> cls -> out\" );\n",
		3, "key 'rules'", "missing required key");
}

static void
test_config_rejects_wrong_type(void)
{
	expect_error("wrongtype",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\";\n"
		"    verify_checksum = \"yes\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> chk -> out\" );\n",
		4, "key 'verify_checksum'", "must be a boolean");
}

static void
test_config_rejects_out_of_range_value(void)
{
	expect_error("range",
		"ports = ( { name = \"p\"; device = \"net_null0\"; } );\n"
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"tx\"; type = \"ToPort\"; port = \"p\";\n"
		"    retries = 1000; }\n"
		");\n"
		"links = ( \"src -> tx\" );\n",
		5, "key 'retries'", "value 1000 out of range [0, 64]");
}

/* libconfig reads 99999999999999999999999 as -1 and 3000000000 as
 * -1294967296: the literal is what the operator wrote, and too large. */
static void
test_config_says_integer_too_large(void)
{
	const char *fmt =
		"ports = ( { name = \"p\"; device = \"net_null0\"; } );\n"
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"tx\"; type = \"ToPort\"; port = \"p\";\n"
		"    retries = %s; }\n"
		");\n"
		"links = ( \"src -> tx\" );\n";
	const char *const bad[] = {
		"99999999999999999999999", "3000000000", "0x1ffffffff",
		"99999999999999999999999L",
	};
	char text[512], want[64];

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		snprintf(text, sizeof(text), fmt, bad[i]);
		snprintf(want, sizeof(want), "integer %s is too large", bad[i]);
		expect_error("huge", text, 5, "key 'retries'", want);
	}
	expect_error("small", "x = [ 1, -99999999999999999999 ];\n", 1,
		     "key 'x'", "integer -99999999999999999999 is too small");
}

static void
test_config_rejects_bad_classifier_rule(void)
{
	expect_error("rule",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; },\n"
		"              { dst_port = [90, 80]; } ); },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> cls -> out\", \"cls[1] -> out\" );\n",
		5, "key 'dst_port'", "range [90, 80] invalid");
}

static void
test_config_rejects_rx_queue_claimed_twice(void)
{
	expect_error("rxq",
		"ports = ( { name = \"p\"; device = \"net_null0\"; rxq = 2; } );\n"
		"elements = (\n"
		"  { name = \"a\"; type = \"FromPort\"; port = \"p\"; queue = 1; },\n"
		"  { name = \"b\"; type = \"FromPort\"; port = \"p\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"a -> out\", \"b -> out\" );\n",
		4, "element 'b'", "already claimed");
}

static void
test_config_rejects_tx_port_claimed_twice(void)
{
	expect_error("txq",
		"ports = ( { name = \"p\"; device = \"net_null0\"; } );\n"
		"elements = (\n"
		"  { name = \"a\"; type = \"FromPort\"; port = \"p\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; }, { } ); },\n"
		"  { name = \"t1\"; type = \"ToPort\"; port = \"p\"; },\n"
		"  { name = \"t2\"; type = \"ToPort\"; port = \"p\"; }\n"
		");\n"
		"links = ( \"a -> cls -> t1\", \"cls[1] -> t2\" );\n",
		7, "element 't2'", "already claimed for tx");
}

static void
test_config_rejects_unknown_port(void)
{
	expect_error("noport",
		"elements = (\n"
		"  { name = \"a\"; type = \"FromPort\";\n"
		"    port = \"eth9\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"a -> out\" );\n",
		3, "key 'port'", "no port named 'eth9'");
}

static void
test_config_rejects_device_used_by_two_ports(void)
{
	expect_error("samedev",
		"ports = ( { name = \"a\"; device = \"net_null0\"; },\n"
		"          { name = \"b\";\n"
		"            device = \"net_null0\"; } );\n"
		"elements = (\n"
		"  { name = \"rx\"; type = \"FromPort\"; port = \"a\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"rx -> out\" );\n",
		3, "key 'device'", "already used by port 'a'");
}

static void
test_config_rejects_unknown_port_key(void)
{
	expect_error("portkey",
		"ports = ( { name = \"p\"; device = \"net_null0\";\n"
		"            rx_queues = 2; } );\n"
		"elements = (\n"
		"  { name = \"a\"; type = \"FromPort\"; port = \"p\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"a -> out\" );\n",
		2, "key 'rx_queues'", "unknown key");
}

static void
test_config_reports_every_error_before_failing(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_build("many",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"x\"; type = \"Bogus\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\"; colour = 1; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> out\", \"src[2] -> out\", \"y -> out\" );\n",
		&errs);

	CU_ASSERT_PTR_NULL(p);
	/* chk's missing input is not reported: chk failed its key check
	 * already, and one error per element is enough to act on. */
	CU_ASSERT(adn_errs_find(&errs, "unknown element type 'Bogus'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "key 'colour'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "output port 2 out of range") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "unknown element 'y'") >= 0);
	CU_ASSERT_EQUAL(errs.n, 4);
	adn_errs_clear(&errs);
}

/* Errors in different keys of one element are independent: a range
 * error does not hide a missing file or a size that is not a power of
 * two, and each is reported once. */
static void
test_config_reports_independent_errors_of_one_element(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_build("indep",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"r\"; type = \"LpmRoute\";\n"
		"    routes = \"/nonexistent/routes.txt\"; spare_routes = -5; },\n"
		"  { name = \"f\"; type = \"FlowCounter\"; size = 1000; top = 99999; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> r -> f -> out\", \"r[1] -> out\" );\n",
		&errs);

	CU_ASSERT_PTR_NULL(p);
	adn_errs_print(&errs, stdout);
	CU_ASSERT(adn_errs_find(&errs, "key 'spare_routes': value -5") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "/nonexistent/routes.txt") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "key 'top': value 99999") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "1000 is not a power of two") >= 0);
	CU_ASSERT_EQUAL(errs.n, 4);
	adn_errs_clear(&errs);
}

/* An element that failed its configuration, or a link in error, is
 * reported once: what it links to is not "without input", what links to
 * it is not "unconnected". */
static void
test_config_no_follow_on_errors(void)
{
	struct adn_errs errs = { 0 };
	struct adn_pipeline *p = adn_test_build("follow",
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\"; verify_checksum = 3; },\n"
		"  { name = \"r\"; type = \"LpmRoute\"; routes = \"/nonexistent\"; },\n"
		"  { name = \"a\"; type = \"Counter\"; },\n"
		"  { name = \"b\"; type = \"Counter\"; },\n"
		"  { name = \"src2\"; type = \"TestSource\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"src -> chk -> r -> a -> out\", \"r[1] -> out\",\n"
		"          \"src2 -> nosuch\", \"nosuch2 -> b -> out\" );\n",
		&errs);

	CU_ASSERT_PTR_NULL(p);
	adn_errs_print(&errs, stdout);
	CU_ASSERT(adn_errs_find(&errs, "key 'verify_checksum'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "/nonexistent") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "unknown element 'nosuch'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "unknown element 'nosuch2'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "has no input") < 0);
	CU_ASSERT(adn_errs_find(&errs, "unconnected") < 0);
	CU_ASSERT_EQUAL(errs.n, 4);
	adn_errs_clear(&errs);
}

static void
test_config_syntax_error_names_line(void)
{
	struct adn_runtime *rt;
	struct adn_errs errs = { 0 };
	char path[128], where[160];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/adn-test-%d-syntax.cfg",
		 (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("workers = 1;\nelements = ( { name = \"a\"; type = ; } );\n", f);
	fclose(f);
	CU_ASSERT(adn_runtime_load(path, &errs, &rt) < 0);
	CU_ASSERT_PTR_NULL(rt);
	snprintf(where, sizeof(where), "%s:2: syntax error", path);
	CU_ASSERT(adn_errs_find(&errs, where) >= 0);
	adn_errs_clear(&errs);
	unlink(path);
}

/* libconfig 1.5 exits the process on a directory; the loader refuses
 * it instead: a directory as the config, or @include'd (`@include ""`
 * names the include directory itself), however the scanner spells the
 * name: a backslash it drops, a NUL that ends the name early (found by
 * fuzz_files), a name across lines. */
static void
test_config_refuses_directory_without_exiting(void)
{
	static const struct {
		const char *text;
		size_t len;
	} includes[] = {
#define INC(s) { s, sizeof(s) - 1 }
		INC("@include \"\"\n"), INC("  @include \"sub\"\n"),
		INC("@include \"inc.cfg\"\n"), INC("@include \"\\/\"\n"),
		INC("@include \"s\\ub\"\n"), INC("@include \"sub\0junk\"\n"),
		INC("x = 1;\n@include \"two\nlines\"\n"),
#undef INC
	};
	struct adn_runtime *rt;
	struct adn_errs errs = { 0 };
	char dir[128], path[192], sub[192], inc[192], two[192];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/adn-test-%d-confdir", (int)getpid());
	snprintf(path, sizeof(path), "%s/adn.cfg", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(inc, sizeof(inc), "%s/inc.cfg", dir);
	snprintf(two, sizeof(two), "%s/two\nlines", dir);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 && mkdir(sub, 0700) == 0 &&
			mkdir(two, 0700) == 0);
	CU_ASSERT(adn_runtime_load(dir, &errs, &rt) < 0);
	CU_ASSERT(adn_errs_find(&errs, "is a directory") >= 0);
	adn_errs_clear(&errs);
	/* inc.cfg includes the directory: found one level down. */
	f = fopen(inc, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("workers = 1;\n@include \"sub\"\n", f);
	fclose(f);
	for (unsigned int i = 0; i < RTE_DIM(includes); i++) {
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs("burst = 32;\n", f);
		fwrite(includes[i].text, 1, includes[i].len, f);
		fclose(f);
		CU_ASSERT(adn_runtime_load(path, &errs, &rt) < 0);
		CU_ASSERT_PTR_NULL(rt);
		if (adn_errs_find(&errs, "is a directory") < 0) {
			adn_errs_print(&errs, stdout);
			CU_FAIL("no 'is a directory' error");
		}
		adn_errs_clear(&errs);
	}
	unlink(path);
	unlink(inc);
	rmdir(sub);
	rmdir(two);
	rmdir(dir);
}

/* A FIFO without a writer (as the config, @include'd, or as an element's
 * file) used to hold the build in its open for good, past SIGTERM; a
 * device such as /dev/zero is read without end. Refused at once. */
static void
test_config_refuses_fifo_and_devices_without_blocking(void)
{
	struct adn_runtime *rt;
	struct adn_errs errs = { 0 };
	char dir[128], path[192], fifo[192], text[512];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/adn-test-%d-fifo", (int)getpid());
	snprintf(path, sizeof(path), "%s/adn.cfg", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0 && mkfifo(fifo, 0600) == 0);
	CU_ASSERT(adn_runtime_load(fifo, &errs, &rt) < 0);
	CU_ASSERT(adn_errs_find(&errs, "is a FIFO, not a regular file") >= 0);
	adn_errs_clear(&errs);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("burst = 32;\n@include \"fifo\"\n", f);
	fclose(f);
	CU_ASSERT(adn_runtime_load(path, &errs, &rt) < 0);
	CU_ASSERT(adn_errs_find(&errs, "@include \"fifo\"") >= 0 &&
		  adn_errs_find(&errs, "is a FIFO, not a regular file") >= 0);
	adn_errs_clear(&errs);
	snprintf(text, sizeof(text),
		 "elements = (\n"
		 "  { name = \"a\"; type = \"TestSource\"; },\n"
		 "  { name = \"r\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		 "  { name = \"out\"; type = \"TestSink\"; }\n"
		 ");\n"
		 "links = ( \"a -> r\", \"r[0] -> out\", \"r[1] -> out\" );\n",
		 fifo);
	expect_error("fifo-routes", text, 3, "key 'routes'",
		     "not a regular file (a FIFO)");
	expect_error("zero-routes",
		     "elements = (\n"
		     "  { name = \"a\"; type = \"TestSource\"; },\n"
		     "  { name = \"r\"; type = \"LpmRoute\"; routes = \"/dev/zero\"; },\n"
		     "  { name = \"out\"; type = \"TestSink\"; }\n"
		     ");\n"
		     "links = ( \"a -> r\", \"r[0] -> out\", \"r[1] -> out\" );\n",
		     3, "key 'routes'", "not a regular file (a character device)");
	unlink(path);
	unlink(fifo);
	rmdir(dir);
}

static void
test_config_rejects_unset_env_in_port_args(void)
{
	expect_error("env",
		"ports = ( { name = \"p\"; device = \"net_pcap0\";\n"
		"            args = \"rx_pcap=${ADN_TEST_SURELY_UNSET}\"; } );\n"
		"elements = (\n"
		"  { name = \"a\"; type = \"FromPort\"; port = \"p\"; },\n"
		"  { name = \"out\"; type = \"TestSink\"; }\n"
		");\n"
		"links = ( \"a -> out\" );\n",
		2, "key 'args'", "'ADN_TEST_SURELY_UNSET' is not set");
}

/* The `eal` list: its strings in order; a list that is not one of
 * strings is an error that leaves nothing allocated (the ASan build's
 * leak check fails otherwise, as fuzz_config found). */
static void
test_config_eal_args(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "eal = [\"-l\", \"0-1\"];\n", NULL },
		{ "eal = (\"-l\", 5);\n", "entry 1 is not a string" },
		{ "eal = 3;\n", "must be a list of strings" },
	};
	char path[128];

	snprintf(path, sizeof(path), "/tmp/adn-test-%d-eal.cfg", (int)getpid());
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct adn_runtime *rt;
		struct adn_errs errs = { 0 };
		char **argv = (char **)&rt;
		int argc = -1;
		FILE *f = fopen(path, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(cases[i].text, f);
		fclose(f);
		CU_ASSERT_FATAL(adn_runtime_load(path, &errs, &rt) == 0);
		if (cases[i].msg == NULL) {
			CU_ASSERT_EQUAL(adn_runtime_eal_args(rt, &argc, &argv,
							     &errs), 0);
			CU_ASSERT_EQUAL(argc, 2);
			CU_ASSERT(argc == 2 && strcmp(argv[0], "-l") == 0 &&
				  strcmp(argv[1], "0-1") == 0 &&
				  argv[2] == NULL);
			free(argv);
		} else {
			CU_ASSERT_EQUAL(adn_runtime_eal_args(rt, &argc, &argv,
							     &errs), -EINVAL);
			CU_ASSERT_PTR_NULL(argv);
			CU_ASSERT_EQUAL(argc, 0);
			CU_ASSERT(adn_errs_find(&errs, cases[i].msg) >= 0);
		}
		adn_runtime_free(rt);
		adn_errs_clear(&errs);
	}
	unlink(path);
}

#ifdef ADN_DPDK_STATIC
/* EAL's own option table, in the archive this build links (not DPDK's
 * API: read here only, so a DPDK whose options change fails this test,
 * not the check at run time). */
extern const struct option eal_long_options[];

/* adn_eal_args_check reads every EAL option's value as EAL reads it: a
 * value that looks like -d is refused only where it is an option. */
static void
test_eal_args_check_follows_eal_options(void)
{
	char prog[] = "adn-nf", d[] = "-dlib.so", dx[] = "-d";
	char opt[64], eq[80];

	for (unsigned int k = 0; eal_long_options[k].name != NULL; k++) {
		const struct option *o = &eal_long_options[k];
		char *next[] = { prog, opt, d, NULL };
		char *inline_v[] = { prog, eq, d, NULL };
		struct adn_errs errs = { 0 };
		int rc;

		snprintf(opt, sizeof(opt), "--%s", o->name);
		snprintf(eq, sizeof(eq), "--%s=x", o->name);
		/* `--name -dlib.so`: -d's only when --name takes no value
		 * from the next argument. */
		rc = adn_eal_args_check(3, next, &errs);
		if ((rc == 0) != (o->has_arg == required_argument))
			printf("\n--%s (has_arg %d): check %d\n", o->name,
			       o->has_arg, rc);
		CU_ASSERT_EQUAL(rc == 0, o->has_arg == required_argument);
		/* An inline value never takes the next argument. */
		CU_ASSERT_EQUAL(adn_eal_args_check(3, inline_v, &errs),
				-EINVAL);
		adn_errs_clear(&errs);
	}
	/* getopt_long's abbreviations: one option's prefix is that option;
	 * a prefix of several is EAL's error, not a value taken. */
	{
		char fp[] = "--file-pre", tr[] = "--trace-", dd[] = "--";
		char *abbrev[] = { prog, fp, d, NULL };
		char *ambiguous[] = { prog, tr, d, NULL };
		char *after[] = { prog, dd, dx, NULL };
		struct adn_errs errs = { 0 };

		CU_ASSERT_EQUAL(adn_eal_args_check(3, abbrev, &errs), 0);
		CU_ASSERT_EQUAL(adn_eal_args_check(3, ambiguous, &errs),
				-EINVAL);
		CU_ASSERT(adn_errs_find(&errs, "EAL -dlib.so") >= 0);
		/* After "--" the arguments are the application's. */
		CU_ASSERT_EQUAL(adn_eal_args_check(3, after, &errs), 0);
		adn_errs_clear(&errs);
	}
}
#endif

/* After failed reallocs (out of memory) the count runs ahead of the
 * array: the next add that can grow it must grow it past the count, and
 * the lost messages print as lost (the ASan build catches a write past
 * the array). */
static void
test_errs_count_ahead_of_array(void)
{
	struct adn_errs errs = { .n = 20 };	/* 20 adds lost, nothing held */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	adn_errs_add(&errs, NULL, NULL, NULL, "the 21st");
	CU_ASSERT_EQUAL(errs.n, 21);
	CU_ASSERT(errs.cap >= 21);
	CU_ASSERT_EQUAL(adn_errs_find(&errs, "the 21st"), 20);
	adn_errs_print(&errs, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(message lost: out of memory)"));
	free(text);
	adn_errs_clear(&errs);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("config");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_config_valid_pipeline_builds_in_topological_order);
	CU_ADD_TEST(s, test_config_rejects_unknown_element_type);
	CU_ADD_TEST(s, test_config_rejects_unknown_element_in_link);
	CU_ADD_TEST(s, test_config_rejects_duplicate_name);
	CU_ADD_TEST(s, test_config_rejects_output_port_out_of_range);
	CU_ADD_TEST(s, test_config_rejects_unconnected_output);
	CU_ADD_TEST(s, test_config_rejects_cycle);
	CU_ADD_TEST(s, test_config_rejects_unknown_key);
	CU_ADD_TEST(s, test_config_rejects_missing_required_key);
	CU_ADD_TEST(s, test_config_rejects_wrong_type);
	CU_ADD_TEST(s, test_config_rejects_out_of_range_value);
	CU_ADD_TEST(s, test_config_says_integer_too_large);
	CU_ADD_TEST(s, test_config_rejects_bad_classifier_rule);
	CU_ADD_TEST(s, test_config_rejects_rx_queue_claimed_twice);
	CU_ADD_TEST(s, test_config_rejects_tx_port_claimed_twice);
	CU_ADD_TEST(s, test_config_rejects_unknown_port);
	CU_ADD_TEST(s, test_config_rejects_device_used_by_two_ports);
	CU_ADD_TEST(s, test_config_rejects_unknown_port_key);
	CU_ADD_TEST(s, test_config_rejects_unset_env_in_port_args);
	CU_ADD_TEST(s, test_config_reports_every_error_before_failing);
	CU_ADD_TEST(s, test_config_reports_independent_errors_of_one_element);
	CU_ADD_TEST(s, test_config_no_follow_on_errors);
	CU_ADD_TEST(s, test_config_syntax_error_names_line);
	CU_ADD_TEST(s, test_config_refuses_directory_without_exiting);
	CU_ADD_TEST(s, test_config_refuses_fifo_and_devices_without_blocking);
	CU_ADD_TEST(s, test_config_eal_args);
	CU_ADD_TEST(s, test_errs_count_ahead_of_array);
#ifdef ADN_DPDK_STATIC
	CU_ADD_TEST(s, test_eal_args_check_follows_eal_options);
#endif
	return adn_test_main();
}
