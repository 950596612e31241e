/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adn_fuzz.h"
#include "adn_plan.h"
#include "adn_test.h"

static char dir[PATH_MAX];

void
adn_fuzz_eal(const char *name)
{
	/* No compiler for jit chains: the sources are "missing", so a jit
	 * plan runs its chain through `fused`, as without a compiler. */
	setenv("ADN_JIT_SRC", "/nonexistent/adn-fuzz", 1);
	if (adn_test_eal_init(name) < 0) {
		fprintf(stderr, "%s: EAL initialisation failed\n", name);
		abort();
	}
}

static void
dir_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX + 256];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

const char *
adn_fuzz_dir(void)
{
	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/adn-fuzz-XXXXXX",
			 tmp ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror(dir);
			abort();
		}
		atexit(dir_remove);
	}
	return dir;
}

void
adn_fuzz_file(const char *name, const void *data, size_t len, char *path,
	      size_t plen)
{
	/* open/write, not stdio: no FILE and buffer allocated and freed per
	 * file (under ASan, a fifth of a small harness's time). */
	int fd;

	snprintf(path, plen, "%s/%s", adn_fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror(path);
			abort();
		}
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		perror(path);
		abort();
	}
}

unsigned int
adn_fuzz_split(const uint8_t *data, size_t size, struct adn_fuzz_part *parts,
	       unsigned int max)
{
	const size_t sl = strlen(ADN_FUZZ_SEP);
	unsigned int n = 0;

	while (n + 1 < max) {
		const uint8_t *sep = memmem(data, size, ADN_FUZZ_SEP, sl);

		if (sep == NULL)
			break;
		parts[n].data = data;
		parts[n++].len = (size_t)(sep - data);
		size -= (size_t)(sep - data) + sl;
		data = sep + sl;
	}
	parts[n].data = data;
	parts[n++].len = size;
	return n;
}

char *
adn_fuzz_str(const struct adn_fuzz_part *p, size_t max)
{
	size_t len = p->len < max ? p->len : max;
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, p->data, len);
	s[len] = '\0';
	return s;
}

const char adn_fuzz_ppm_rules[] =
	"ppm = {\n"
	"  listeners = ( { name = \"web\"; ip = \"10.0.0.1\"; port = 80; } );\n"
	"  clusters = ( { name = \"api\"; endpoints = (\n"
	"    { ip = \"10.1.0.1\"; port = 8080; }, { ip = \"10.1.0.2\"; port = 8080; } ); } );\n"
	"  routes = ( { listener = \"web\"; prefix = \"/api/\"; cluster = \"api\"; } );\n"
	"  filters = ( { methods = [ \"DELETE\" ]; action = \"deny\"; },\n"
	"              { exact = \"/health\"; action = \"control\"; } );\n"
	"};\n";

void
adn_fuzz_pipeline_cfg(char *path, size_t len)
{
	static const char routes[] = "0.0.0.0/0 1\n10.0.0.0/8 2\n";
	char cfg[8192 + 4 * PATH_MAX], routes_path[PATH_MAX];
	char rules_path[PATH_MAX], url_path[PATH_MAX], dpi_path[PATH_MAX];
	static const char url[] = "host exact a.example.com 1\n"
		"path prefix /static/ 2\npath regex ^/u/[0-9]+$ 1\n";
	static const char dpi[] = "drop \"DROPME\"\nalert /evil/i\n"
		"mark=2 \"mark\" depth=64\n";

	adn_fuzz_file("routes.txt", routes, strlen(routes), routes_path,
		      sizeof(routes_path));
	adn_fuzz_file("url.txt", url, strlen(url), url_path, sizeof(url_path));
	adn_fuzz_file("dpi.rules", dpi, strlen(dpi), dpi_path,
		      sizeof(dpi_path));
	adn_fuzz_file("rules.cfg", adn_fuzz_ppm_rules,
		      strlen(adn_fuzz_ppm_rules), rules_path,
		      sizeof(rules_path));
	snprintf(cfg, sizeof(cfg),
		"elements = (\n"
		"  { name = \"src\"; type = \"TestSource\"; },\n"
		"  { name = \"chk\"; type = \"CheckIPv4\"; non_ipv4 = true; },\n"
		"  { name = \"ttl\"; type = \"DecTTL\"; },\n"
		"  { name = \"cls\"; type = \"Classifier\";\n"
		"    rules = ( { proto = \"tcp\"; }, { proto = \"udp\"; }, { } ); },\n"
		"  { name = \"clip\"; type = \"ClipServer\"; apps = ( \"snat\", \"trd\" ); },\n"
		"  { name = \"nat\"; type = \"Snat\"; server_id = 1; ip_base = \"100.64.0.1\";\n"
		"    n_ips = 2; port_lo = 1000; port_hi = 1063; capacity = 256; },\n"
		"  { name = \"swap\"; type = \"EtherSwap\"; },\n"
		"  { name = \"trd\"; type = \"TcpRetransDetect\"; registers = 64; },\n"
		"  { name = \"ppm\"; type = \"PpmChain\"; rules = \"%s\"; },\n"
		"  { name = \"csum\"; type = \"TcpChecksum\"; },\n"
		"  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		"  { name = \"route8\"; type = \"LpmRoute\"; routes = \"%s\";\n"
		"    table = \"dir24_8\"; },\n"
		"  { name = \"flow\"; type = \"FlowCounter\"; size = 1024; },\n"
		"  { name = \"cnt\"; type = \"Counter\"; },\n"
		"  { name = \"http\"; type = \"HttpParse\"; max_flows = 64;\n"
		"    buffers = 16; max_bytes = 2048; max_head = 1024; },\n"
		"  { name = \"dpi\"; type = \"Dpi\"; rules = \"%s\"; max_flows = 64;\n"
		"    buffers = 16; max_bytes = 2048; },\n"
		"  { name = \"url\"; type = \"UrlRoute\"; rules = \"%s\"; },\n"
		"  { name = \"acl\"; type = \"Acl\"; default = \"permit\";\n"
		"    rules = ( \"deny udp 0.0.0.0/0 any 0.0.0.0/0 53\" ); },\n"
		"  { name = \"meter\"; type = \"Meter\"; cir = 100000; cbs = 3000;\n"
		"    per = \"flow\"; buckets = 64; },\n"
		"  { name = \"nat44\"; type = \"Nat44\"; ip_base = \"100.65.0.1\";\n"
		"    max_sessions = 256; },\n"
		"  { name = \"lb\"; type = \"MaglevLb\"; table_size = 251;\n"
		"    max_flows = 256; vips = ( { vip = \"tcp 10.1.0.1:0\";\n"
		"    backends = ( \"10.2.0.1\", \"10.2.0.2 2\" ); } ); },\n"
		"  { name = \"rpcp\"; type = \"RpcParse\"; },\n"
		"  { name = \"prio\"; type = \"Prioritize\";\n"
		"    view = { cls = [ \"rpc:3\", \"header:x-class\" ]; };\n"
		"    rules = ( { field = \"cls\"; value = \"0\"; class = 0; } );\n"
		"    dscp = [ 46, 0 ]; },\n"
		"  { name = \"racl\"; type = \"RpcAcl\"; default = \"permit\";\n"
		"    view = { user = [ \"rpc:1\", \"header:x-user\" ]; };\n"
		"    rules = ( \"user prefix bad -> deny\" ); },\n"
		"  { name = \"rlb\"; type = \"RpcLb\"; table_size = 251;\n"
		"    view = { key = [ \"rpc:2\", \"header:x-object-id\" ]; };\n"
		"    backends = ( \"10.0.1.1\", \"10.0.1.2\" ); },\n"
		"  { name = \"comp\"; type = \"Compress\"; min_size = 16; },\n"
		"  { name = \"dec\"; type = \"Decompress\"; },\n"
		"  { name = \"sched\"; type = \"PrioSched\";\n"
		"    classes = ( [ 46 ], [ 0 ], [ 10, 12 ] ); weights = [ 0, 2, 1 ];\n"
		"    queue = 64; pps = 100000; burst = 4; },\n"
		"  { name = \"out\"; type = \"Discard\"; }\n"
		");\n"
		"links = ( \"src -> chk -> ttl -> cls\", \"chk[1] -> clip\",\n"
		"  \"clip[0] -> nat -> swap -> out\", \"clip[1] -> trd -> out\",\n"
		"  \"cls[0] -> ppm -> csum -> route\", \"ppm[1] -> out\", \"ppm[2] -> out\",\n"
		"  \"cls[1] -> route8\", \"cls[2] -> cnt -> out\",\n"
		"  \"route[0] -> out\", \"route8[0] -> out\", \"route8[1] -> cnt\",\n"
		"  \"route8[2] -> cnt\",\n"
		"  \"route[1] -> flow -> sched -> acl -> meter -> nat44 -> lb -> out\",\n"
		"  \"meter[1] -> out\", \"meter[2] -> out\", \"nat44[1] -> out\",\n"
		"  \"lb[1] -> out\", \"lb[2] -> out\",\n"
		"  \"route[2] -> http -> dpi -> url -> rpcp -> prio -> racl -> rlb\",\n"
		"  \"rlb -> comp -> dec -> out\", \"http[1] -> out\",\n"
		"  \"http[2] -> out\", \"dpi[1] -> out\", \"url[1] -> out\",\n"
		"  \"url[2] -> out\", \"rpcp[1] -> out\", \"rlb[1] -> out\" );\n",
		rules_path, routes_path, routes_path, dpi_path, url_path);
	adn_fuzz_file("pipeline.cfg", cfg, strlen(cfg), path, len);
}

void
adn_fuzz_release_all(struct adn_pipeline *p, struct adn_exec *x)
{
	adn_exec_release_all(x);
	adn_pipeline_flush(p);
}

/* What adn_fuzz_pipeline built, for release() at exit. */
static struct adn_pipeline *ref_pipe;
static struct adn_exec **ref_execs;
static unsigned int ref_n;

static void
release(void)
{
	for (unsigned int i = 0; i < ref_n; i++)
		adn_exec_free(ref_execs[i]);
	adn_test_free(ref_pipe);
}

struct adn_pipeline *
adn_fuzz_pipeline(const char *tag, const char *const *plans, unsigned int n,
		  struct adn_exec **execs, uint16_t *bursts)
{
	struct adn_errs errs = { 0 };
	char path[PATH_MAX], text[16384];
	FILE *f;
	size_t len;

	adn_fuzz_pipeline_cfg(path, sizeof(path));
	f = fopen(path, "r");
	len = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f != NULL)
		fclose(f);
	text[len] = '\0';
	ref_pipe = adn_test_build(tag, text, &errs);
	if (ref_pipe == NULL) {
		adn_errs_print(&errs, stderr);
		abort();
	}
	ref_execs = execs;
	for (unsigned int i = 0; i < n; i++) {
		struct adn_plan plan;

		execs[i] = adn_exec_create(ref_pipe, 0);
		ref_n = i + 1;
		if (execs[i] == NULL ||
		    adn_plan_parse(plans[i], &plan, &errs) != 0 ||
		    adn_exec_apply_plan(execs[i], &plan, &errs) != 0) {
			adn_errs_print(&errs, stderr);
			fprintf(stderr, "%s: plan %s refused\n", tag, plans[i]);
			abort();
		}
		if (bursts != NULL)
			bursts[i] = (uint16_t)(plan.burst ? plan.burst : 32);
	}
	atexit(release);
	return ref_pipe;
}
