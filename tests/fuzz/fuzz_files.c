/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every file format an element reads. Byte 0 picks the format, the rest is
 * the file:
 *   0  route file (LpmRoute, GenSource: "a.b.c.d/len hop" lines), read
 *      and checked against its own linear scan; each line also as the
 *      single-route syntax of the `add` command;
 *   1  PPM rules (PpmChain: a libconfig file with a `ppm` group), loaded
 *      into a chain that then takes one request;
 *   2  ACL rules (Acl, ReflexiveAcl `rules_file`: one rule a line), each
 *      line parsed and a parsed rule checked for sane ranges;
 *   3  UrlRoute rules, loaded and compiled, then one URL matched (the
 *      winner must name a rule and an output in range);
 *   4  Dpi rules, loaded; small sets (8 rules of 64 bytes at most: the
 *      fuzzer's time goes to parsing, not to Hyperscan's compiler) are
 *      compiled too;
 *   5  a telemetry reply as adn-ctl reads it (lib/util adn_json): what
 *      parses is written back and must parse to the same text again;
 *   6  a Compress / Decompress `dictionary` (lib/rpc adn_rpc_compress)
 *      for deflate, 7 the same for zstd (raw bytes, or a zstd dictionary
 *      with its header and entropy tables): read by Compress in a
 *      TestSource -> Compress -> Discard pipeline built around it (the
 *      keys and reader Decompress shares), then a codec with it must
 *      give back a message it compressed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#include <libconfig.h>

#include "adn_acl.h"
#include "adn_codec.h"
#include "adn_dpi_rules.h"
#include "adn_fuzz.h"
#include "adn_json.h"
#include "adn_pipeline.h"
#include "adn_port.h"
#include "adn_ppm.h"
#include "adn_ppm_conf.h"
#include "adn_route.h"
#include "adn_url_rules.h"

#define FILE_MAX 65536

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* EAL for the codec elements' per-worker contexts (rte_zmalloc). */
	adn_fuzz_eal("fuzz_files");
	adn_fuzz_dir();
	return 0;
}

static void
routes(const char *path, const uint8_t *data, size_t size)
{
	struct adn_route_table t;
	char err[512], line[256];
	const char *p = (const char *)data, *end = p + size;

	if (adn_route_file_read(path, 1, 255, &t, err, sizeof(err)) == 0) {
		for (unsigned int i = 0; i < t.n; i++)
			if (t.r[i].hop < 1 || t.r[i].hop > 255 ||
			    t.r[i].len > 32 ||
			    (t.r[i].prefix & ~adn_route_mask(t.r[i].len))) {
				fprintf(stderr, "route %u accepted out of range\n", i);
				abort();
			}
		adn_route_table_free(&t);
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct adn_route r;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		adn_route_parse(line, 1, 255, &r, err, sizeof(err));
		p += len + 1;
	}
}

static void
ppm_rules(const char *path)
{
	static const char req[] =
		"GET /api/v1 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct adn_ppm_req_in in = {
		.data = (const uint8_t *)req, .len = sizeof(req) - 1,
	};
	struct adn_ppm_chain *c;
	struct adn_ppm_out out;
	char err[4096];

	if (adn_ppm_chain_create(&c) < 0)
		abort();
	if (adn_ppm_conf_load_file(c, path, err, sizeof(err)) == 0)
		adn_ppm_chain_process(c, &in, &out);
	adn_ppm_chain_free(c);
}

static void
acl_rules(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char line[512], why[256];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct adn_acl_rule r;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (adn_acl_rule_parse(line, &r, why, sizeof(why)) == 0 &&
			    (r.src_len > 32 || r.dst_len > 32 ||
			     r.sport_lo > r.sport_hi || r.dport_lo > r.dport_hi))
				abort();
		}
		p += len + 1;
	}
}

static void
url_rules(const char *path)
{
	struct adn_url_db *db;
	char why[4096];
	int rule;

	if (adn_url_db_load(path, false, 1, &db, why, sizeof(why)) < 0)
		return;
	rule = adn_url_db_match(db, 0, "a.example.com", 13, "/static/x", 9);
	if (rule >= (int)adn_url_db_rules(db) ||
	    adn_url_db_out(db, rule) > 15)
		abort();
	adn_url_db_free(db);
}

static void
dpi_rules(const char *path)
{
	struct adn_dpi_rule *r;
	struct hs_database *db;
	unsigned int n;
	char why[4096];
	bool small = true;

	if (adn_dpi_rules_load(path, &r, &n, why, sizeof(why)) < 0)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (r[i].len == 0 || r[i].len >= ADN_DPI_MAX_PATTERN ||
		    (r[i].action == ADN_DPI_MARK &&
		     (r[i].mark_bit < 1 || r[i].mark_bit > 31)))
			abort();
		small &= r[i].len <= 64;
	}
	if (small && n <= 8 &&
	    adn_dpi_compile(r, n, &db, why, sizeof(why)) == 0)
		hs_free_database((hs_database_t *)db);
	free(r);
}

/* The text adn_json_write makes of `j`, malloc'd. */
static char *
json_text(const struct adn_json *j, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	adn_json_write(f, j, 1);
	fclose(f);
	return buf;
}

static void
json_reply(const uint8_t *data, size_t size)
{
	struct adn_json *a, *b;
	char err[128], *ta, *tb;
	size_t la, lb;

	if (adn_json_parse((const char *)data, size, &a, err,
			   sizeof(err)) < 0)
		return;
	ta = json_text(a, &la);
	if (adn_json_parse(ta, la, &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "written JSON does not parse: %s\n%s\n", err, ta);
		abort();
	}
	tb = json_text(b, &lb);
	if (la != lb || memcmp(ta, tb, la) != 0)
		abort();
	free(ta);
	free(tb);
	adn_json_free(a);
	adn_json_free(b);
}

/* Compress reading `path` as its dictionary (Decompress reads it through
 * the same adn_rpc_z_configure), then a round trip through a codec with
 * the same bytes. */
static void
dictionary(const char *path, const uint8_t *data, size_t size,
	   enum adn_codec_kind kind)
{
	static const char msg[] =
		"{\"user\":\"alice\",\"object_id\":\"0123456789\","
		"\"op\":\"get\",\"fields\":[\"name\",\"size\",\"owner\"]}";
	static struct adn_ports ports;	/* none; 39 KiB, not on the stack */
	const char *codec = adn_codec_name(kind);
	struct adn_codec_conf conf = { .kind = kind, .dict = data,
				       .dict_len = size };
	struct adn_pipeline *p = NULL;
	struct adn_errs errs = { 0 };
	uint8_t z[1024], back[sizeof(msg)];
	struct adn_codec *c;
	char text[8192];
	config_t cfg;
	ssize_t n, m;

	snprintf(text, sizeof(text),
		 "elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
		 "  { name = \"comp\"; type = \"Compress\"; codec = \"%s\";\n"
		 "    dictionary = \"%s\"; min_size = 0; },\n"
		 "  { name = \"out\"; type = \"Discard\"; } );\n"
		 "links = ( \"src -> comp -> out\" );\n",
		 codec, path);
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE)
		abort();
	if (adn_pipeline_build(&cfg, &ports, 1, &errs, &p) == 0)
		adn_pipeline_free(p);
	config_destroy(&cfg);
	if (getenv("ADN_FUZZ_VERBOSE") != NULL)
		adn_errs_print(&errs, stderr);
	adn_errs_clear(&errs);
	if (size == 0 || adn_codec_create(&conf, &c) < 0)
		return;
	n = adn_codec_compress(c, msg, sizeof(msg), z, sizeof(z));
	if (n < 0) {
		fprintf(stderr, "%s with a %zu-byte dictionary: compress failed: %zd\n",
			codec, size, n);
		abort();
	}
	m = adn_codec_decompress(c, z, (size_t)n, back, sizeof(back));
	if (m != (ssize_t)sizeof(msg) || memcmp(back, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s with a %zu-byte dictionary: round trip gave %zd bytes\n",
			codec, size, m);
		abort();
	}
	adn_codec_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];

	if (size < 1 || size > FILE_MAX)
		return -1;
	/* Only the formats read from a path need the file written. */
	if (data[0] % 8 != 2 && data[0] % 8 != 5)
		adn_fuzz_file("file", data + 1, size - 1, path, sizeof(path));
	switch (data[0] % 8) {
	case 0:
		routes(path, data + 1, size - 1);
		break;
	case 1:
		ppm_rules(path);
		break;
	case 2:
		acl_rules(data + 1, size - 1);
		break;
	case 3:
		url_rules(path);
		break;
	case 4:
		dpi_rules(path);
		break;
	case 5:
		json_reply(data + 1, size - 1);
		break;
	case 6:
	case 7:
		dictionary(path, data + 1, size - 1, data[0] % 8 == 6 ?
			   ADN_CODEC_DEFLATE : ADN_CODEC_ZSTD);
		break;
	}
	return 0;
}
