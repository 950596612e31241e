/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The jit template's hardening (templates/adn_jit.h): where it compiles
 * and which directories it refuses, the compiler's time limit, what a
 * failure leaves behind, and the process-wide cache of loaded chains —
 * one compile per chain shape, shared across pipelines and threads, the
 * object unloaded with its last user.
 *
 * Every case compiles in a directory of its own (ADN_JIT_DIR) so what is
 * left there, and what is mapped from there, is its own doing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adn_jit.h"
#include "adn_pipeline.h"
#include "adn_test.h"

/* CheckIPv4 -> DecTTL -> Counter: a 3-element chain from 'chk' under
 * jit4, whose last element counts what reaches it. */
static const char cfg[] =
	"elements = ( { name = \"src\"; type = \"TestSource\"; },\n"
	"  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
	"  { name = \"ttl\"; type = \"DecTTL\"; },\n"
	"  { name = \"cnt\"; type = \"Counter\"; },\n"
	"  { name = \"out\"; type = \"TestSink\"; } );\n"
	"links = ( \"src -> chk -> ttl -> cnt -> out\" );\n";

static const char *const jit_env[] = {
	"ADN_JIT_DIR", "ADN_JIT_CC", "ADN_JIT_TIMEOUT", "ADN_JIT_SRC",
};

/* The time limit the suite was given (a loaded machine needs more than
 * the default), restored for every case. */
static char *timeout_given;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(flag);
	RTE_SET_USED(ftw);
	return remove(path);
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory for one case, as ADN_JIT_DIR; the other variables
 * cleared. */
static void
env_reset(void)
{
	for (unsigned int i = 0; i < RTE_DIM(jit_env); i++)
		unsetenv(jit_env[i]);
	if (timeout_given != NULL)
		setenv("ADN_JIT_TIMEOUT", timeout_given, 1);
}

static void
case_dir(char *dir, size_t len, const char *tag)
{
	env_reset();
	snprintf(dir, len, "/tmp/adn-test-jit-%s-XXXXXX", tag);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(setenv("ADN_JIT_DIR", dir, 1), 0);
}

static void
case_end(const char *dir)
{
	env_reset();
	rm_tree(dir);
}

static unsigned int
dir_entries(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, NULL);
	unsigned int k = 0;

	for (int i = 0; i < n; i++) {
		k += strcmp(names[i]->d_name, ".") != 0 &&
			strcmp(names[i]->d_name, "..") != 0;
		free(names[i]);
	}
	free(names);
	return k;
}

/* Whether a chain object is mapped in this process (loaded from its
 * memfd; `dir`, where it was compiled, is gone by then). */
static bool
mapped(const char *dir)
{
	(void)dir;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	bool any = false;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL)
		any |= strstr(line, "memfd:adn-jit-chain") != NULL;
	fclose(f);
	return any;
}

/* An executor of `p` under jit4; `what` is how it runs the chain's last
 * element (adn_exec_describe). */
static struct adn_exec *
jit_exec(struct adn_pipeline *p, char *what, size_t len)
{
	struct adn_errs errs = { 0 };
	struct adn_exec *x = adn_exec_create(p, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* Each case starts from no kept object: it compiles (or refuses). */
	adn_jit_cache_drop();
	CU_ASSERT_EQUAL(adn_exec_set_plan(x, "jit4", &errs), 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_exec_describe(x, adn_pipeline_find(p, "cnt"), what, len);
	printf("\n  %s", what);
	return x;
}

/* `p` under jit4 expecting fallback with `why`; no compiler runs. */
static void
expect_refused(const char *tag, const char *why)
{
	struct adn_pipeline *p = adn_test_build(tag, cfg, NULL);
	struct adn_jit_stats s0, s1;
	char what[256], want[256];
	struct adn_exec *x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	adn_jit_stats_get(&s0);
	x = jit_exec(p, what, sizeof(what));
	snprintf(want, sizeof(want),
		 "jit4 (chain of 3 from 'chk', position 2: %s; running fused)",
		 why);
	CU_ASSERT_STRING_EQUAL(what, want);
	adn_jit_stats_get(&s1);
	CU_ASSERT_EQUAL(s1.compiles, s0.compiles);
	CU_ASSERT_EQUAL(s1.failures, s0.failures + 1);
	CU_ASSERT_EQUAL(s1.loaded, s0.loaded);
	adn_exec_free(x);
	adn_test_free(p);
}

/* A parent anyone may write in lets others swap a compile directory for
 * their own: refused, unless sticky as /tmp is. */
static void
test_world_writable_dir_refused_unless_sticky(void)
{
	struct adn_pipeline *p;
	struct adn_exec *x;
	char dir[128], why[256], what[256];

	case_dir(dir, sizeof(dir), "ww");
	CU_ASSERT_EQUAL_FATAL(chmod(dir, 0777), 0);
	snprintf(why, sizeof(why),
		 "jit dir %s is writable by others (mode 0777, not sticky)",
		 dir);
	expect_refused("jit_ww", why);
	CU_ASSERT_EQUAL(dir_entries(dir), 0);
	/* Sticky: compiled, and the compile directory gone once loaded. */
	CU_ASSERT_EQUAL_FATAL(chmod(dir, 01777), 0);
	p = adn_test_build("jit_sticky", cfg, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	x = jit_exec(p, what, sizeof(what));
	CU_ASSERT_STRING_EQUAL(what, "jit4 (chain of 3 from 'chk', position 2: compiled)");
	CU_ASSERT_EQUAL(dir_entries(dir), 0);
	adn_exec_free(x);
	adn_test_free(p);
	case_end(dir);
}

static void
test_dir_of_another_user_refused(void)
{
	char dir[128], why[256];

	if (geteuid() != 0) {
		printf("\n  skipped: chown to another uid needs root");
		return;
	}
	case_dir(dir, sizeof(dir), "uid");
	CU_ASSERT_EQUAL_FATAL(chown(dir, 65534, 65534), 0);
	snprintf(why, sizeof(why),
		 "jit dir %s is owned by uid 65534, not by this process (uid 0)",
		 dir);
	expect_refused("jit_uid", why);
	CU_ASSERT_EQUAL(dir_entries(dir), 0);
	case_end(dir);
}

static void
test_symlink_dir_refused(void)
{
	char dir[128], link[160], why[256];

	case_dir(dir, sizeof(dir), "link");
	snprintf(link, sizeof(link), "%s.link", dir);
	CU_ASSERT_EQUAL_FATAL(symlink(dir, link), 0);
	CU_ASSERT_EQUAL(setenv("ADN_JIT_DIR", link, 1), 0);
	snprintf(why, sizeof(why), "jit dir %s is a symlink", link);
	expect_refused("jit_link", why);
	CU_ASSERT_EQUAL(dir_entries(dir), 0);
	unlink(link);
	case_end(dir);
}

/* Bad settings and a root without the sources: each named, no compile. */
static void
test_bad_settings_named(void)
{
	char dir[128], why[256];

	case_dir(dir, sizeof(dir), "env");
	setenv("ADN_JIT_TIMEOUT", "soon", 1);
	expect_refused("jit_env1",
		       "ADN_JIT_TIMEOUT='soon': want whole seconds, 1..3600");
	env_reset();
	setenv("ADN_JIT_DIR", dir, 1);
	setenv("ADN_JIT_SRC", "/nonexistent/adn-jit-root", 1);
	expect_refused("jit_env2",
		       "jit root ADN_JIT_SRC=/nonexistent/adn-jit-root: No such file or directory");
	/* A directory that is not a jit root. */
	setenv("ADN_JIT_SRC", dir, 1);
	snprintf(why, sizeof(why),
		 "jit root ADN_JIT_SRC=%s has no readable adn_jit_chain.c.in",
		 dir);
	expect_refused("jit_env3", why);
	case_end(dir);
}

/* Two pipelines built apart, same chain shape: one compile, the second a
 * cache hit. The shared code reads each pipeline's own elements: packets
 * of the second count in its Counter only. */
static void
test_same_chain_shape_compiled_once(void)
{
	struct adn_pipeline *p[2];
	struct adn_exec *x[2];
	struct adn_jit_stats s0, s1, s2;
	char dir[128], what[256];

	case_dir(dir, sizeof(dir), "hit");
	adn_jit_stats_get(&s0);
	for (unsigned int k = 0; k < 2; k++) {
		p[k] = adn_test_build(k ? "jit_hit1" : "jit_hit0", cfg, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[k]);
		x[k] = jit_exec(p[k], what, sizeof(what));
		CU_ASSERT_STRING_EQUAL(what, "jit4 (chain of 3 from 'chk', position 2: compiled)");
		adn_jit_stats_get(k ? &s2 : &s1);
	}
	CU_ASSERT_EQUAL(s1.compiles, s0.compiles + 1);
	CU_ASSERT_EQUAL(s1.cache_hits, s0.cache_hits);
	CU_ASSERT_EQUAL(s1.loaded, s0.loaded + 1);
	CU_ASSERT_EQUAL(s2.compiles, s1.compiles);
	CU_ASSERT_EQUAL(s2.cache_hits, s1.cache_hits + 1);
	CU_ASSERT_EQUAL(s2.loaded, s1.loaded);
	CU_ASSERT(mapped(dir));

	struct adn_elem *src = adn_pipeline_find(p[1], "src");
	struct adn_batch *b = adn_exec_source_batch(x[1], src);

	b->n = 0;
	for (unsigned int i = 0; i < 20; i++)
		b->pkts[b->n++] = adn_test_ipv4(IPPROTO_UDP, 1000, 53, 64, 100);
	adn_exec_run(x[1], src->index);
	CU_ASSERT_EQUAL(adn_test_xstat(p[1], "cnt", "packets"), 20);
	CU_ASSERT_EQUAL(adn_test_xstat(p[0], "cnt", "packets"), 0);
	CU_ASSERT_EQUAL(adn_test_sink(p[1], "out")->n, 20);
	for (unsigned int k = 0; k < 2; k++) {
		adn_exec_free(x[k]);
		adn_test_free(p[k]);
	}
	case_end(dir);
}

/* The object stays while any chain uses it and is unmapped with the last:
 * a pipeline swap does not leak one object per plan. */
static void
test_object_unloaded_with_last_user(void)
{
	struct adn_pipeline *p[2];
	struct adn_exec *x[2];
	struct adn_jit_stats s0, s;
	char dir[128], what[256];

	case_dir(dir, sizeof(dir), "unload");
	adn_jit_stats_get(&s0);
	for (unsigned int k = 0; k < 2; k++) {
		p[k] = adn_test_build(k ? "jit_un1" : "jit_un0", cfg, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[k]);
		x[k] = jit_exec(p[k], what, sizeof(what));
	}
	adn_jit_stats_get(&s);
	CU_ASSERT_EQUAL(s.loaded, s0.loaded + 1);
	CU_ASSERT(mapped(dir));
	/* A new plan on the same executor drops its reference. */
	struct adn_errs errs = { 0 };

	CU_ASSERT_EQUAL(adn_exec_set_plan(x[0], "fused4", &errs), 0);
	adn_exec_free(x[1]);
	adn_jit_stats_get(&s);
	CU_ASSERT_EQUAL(s.loaded, s0.loaded);
	CU_ASSERT(!mapped(dir));
	/* Back to the plan already seen: loaded again, no compile. */
	CU_ASSERT_EQUAL(adn_exec_set_plan(x[0], "jit4", &errs), 0);
	adn_jit_stats_get(&s0);
	CU_ASSERT_EQUAL(s0.loaded, s.loaded + 1);
	CU_ASSERT_EQUAL(s0.compiles, s.compiles);
	CU_ASSERT_EQUAL(s0.cache_hits, s.cache_hits + 1);
	CU_ASSERT(mapped(dir));
	adn_exec_free(x[0]);
	for (unsigned int k = 0; k < 2; k++)
		adn_test_free(p[k]);
	case_end(dir);
}

struct plan_thread {
	struct adn_pipeline *p;
	struct adn_exec *x;
	char what[256];
};

static void *
plan_thread_run(void *arg)
{
	struct plan_thread *t = arg;
	struct adn_errs errs = { 0 };

	if (adn_exec_set_plan(t->x, "jit4", &errs) == 0)
		adn_exec_describe(t->x, adn_pipeline_find(t->p, "cnt"),
				  t->what, sizeof(t->what));
	adn_errs_clear(&errs);
	return NULL;
}

/* Two control threads asking for one chain at once: one compiles, the
 * other waits for it and shares the object. */
static void
test_concurrent_requests_compile_once(void)
{
	struct plan_thread t[2];
	pthread_t tid[2];
	struct adn_jit_stats s0, s;
	char dir[128];

	case_dir(dir, sizeof(dir), "mt");
	memset(t, 0, sizeof(t));
	for (unsigned int k = 0; k < 2; k++) {
		t[k].p = adn_test_build(k ? "jit_mt1" : "jit_mt0", cfg, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[k].p);
		t[k].x = adn_exec_create(t[k].p, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[k].x);
	}
	adn_jit_cache_drop();
	adn_jit_stats_get(&s0);
	for (unsigned int k = 0; k < 2; k++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[k], NULL,
						     plan_thread_run, &t[k]), 0);
	for (unsigned int k = 0; k < 2; k++)
		pthread_join(tid[k], NULL);
	adn_jit_stats_get(&s);
	for (unsigned int k = 0; k < 2; k++) {
		printf("\n  %s", t[k].what);
		CU_ASSERT_STRING_EQUAL(t[k].what, "jit4 (chain of 3 from 'chk', position 2: compiled)");
	}
	CU_ASSERT_EQUAL(s.compiles, s0.compiles + 1);
	CU_ASSERT_EQUAL(s.cache_hits, s0.cache_hits + 1);
	CU_ASSERT_EQUAL(s.loaded, s0.loaded + 1);
	for (unsigned int k = 0; k < 2; k++) {
		adn_exec_free(t[k].x);
		adn_test_free(t[k].p);
	}
	CU_ASSERT(!mapped(dir));
	case_end(dir);
}

/* The compile directory named by the status ("... log DIR/chain.log)"). */
static bool
kept_dir(const char *what, char *dir, size_t len)
{
	const char *s = strstr(what, "log "), *e;

	if (s == NULL || (e = strstr(s, "/chain.log")) == NULL ||
	    (size_t)(e - s - 4) >= len)
		return false;
	snprintf(dir, len, "%.*s", (int)(e - s - 4), s + 4);
	return true;
}

static bool
exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, R_OK) == 0;
}

/* A compile that fails keeps the source and the log, which starts with
 * the command; ADN_JIT_CC's words are split without a shell. */
static void
test_failed_compile_keeps_source_and_log(void)
{
	struct adn_pipeline *p = adn_test_build("jit_fail", cfg, NULL);
	char dir[128], what[256], kept[256], line[512];
	struct adn_exec *x;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	case_dir(dir, sizeof(dir), "fail");
	setenv("ADN_JIT_CC", "cc -include /nonexistent/adn.h", 1);
	x = jit_exec(p, what, sizeof(what));
	CU_ASSERT_PTR_NOT_NULL(strstr(what, "position 2: 'cc' failed (exit 1, log "));
	CU_ASSERT_PTR_NOT_NULL(strstr(what, "; running fused)"));
	CU_ASSERT_FATAL(kept_dir(what, kept, sizeof(kept)));
	CU_ASSERT_EQUAL(strncmp(kept, dir, strlen(dir)), 0);
	CU_ASSERT(exists(kept, "chain.c"));
	CU_ASSERT(!exists(kept, "chain.so"));
	snprintf(line, sizeof(line), "%s/chain.log", kept);
	f = fopen(line, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	CU_ASSERT_EQUAL(strncmp(line, "# cc -include /nonexistent/adn.h ", 33), 0);
	adn_exec_free(x);
	adn_test_free(p);
	case_end(dir);
}

/* A compiler past ADN_JIT_TIMEOUT is killed and reaped: the chain falls
 * back within about the limit and no process of it is left. */
static void
test_compiler_timeout_kills_and_reaps(void)
{
	struct adn_pipeline *p = adn_test_build("jit_slow", cfg, NULL);
	char dir[128], cc[160], pidfile[160], what[256], kept[256];
	struct timespec t0, t1;
	struct adn_exec *x;
	long pid = 0;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	case_dir(dir, sizeof(dir), "slow");
	snprintf(cc, sizeof(cc), "%s/slow-cc", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/slow-cc.pid", dir);
	f = fopen(cc, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\necho $$ > %s\nexec sleep 30\n", pidfile);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(chmod(cc, 0755), 0);
	setenv("ADN_JIT_CC", cc, 1);
	setenv("ADN_JIT_TIMEOUT", "1", 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	x = jit_exec(p, what, sizeof(what));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_PTR_NOT_NULL(strstr(what, "position 2: compiler timed out after 1 s (log "));
	CU_ASSERT(t1.tv_sec - t0.tv_sec < 10);
	/* Reaped: this process has no child left, zombie or not. */
	errno = 0;
	CU_ASSERT_EQUAL(waitpid(-1, NULL, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
	f = fopen(pidfile, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	CU_ASSERT(pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH);
	/* Kept for a look, as any failed compile. */
	CU_ASSERT(kept_dir(what, kept, sizeof(kept)) &&
		  exists(kept, "chain.c"));
	adn_exec_free(x);
	adn_test_free(p);
	case_end(dir);
}

int
main(void)
{
	CU_pSuite s = adn_test_suite("jit");

	if (s == NULL)
		return 1;
	if (getenv("ADN_JIT_TIMEOUT") != NULL)
		timeout_given = strdup(getenv("ADN_JIT_TIMEOUT"));
	CU_ADD_TEST(s, test_world_writable_dir_refused_unless_sticky);
	CU_ADD_TEST(s, test_dir_of_another_user_refused);
	CU_ADD_TEST(s, test_symlink_dir_refused);
	CU_ADD_TEST(s, test_bad_settings_named);
	CU_ADD_TEST(s, test_same_chain_shape_compiled_once);
	CU_ADD_TEST(s, test_object_unloaded_with_last_user);
	CU_ADD_TEST(s, test_concurrent_requests_compile_once);
	CU_ADD_TEST(s, test_failed_compile_keeps_source_and_log);
	CU_ADD_TEST(s, test_compiler_timeout_kills_and_reaps);
	int rc = adn_test_main();

	free(timeout_given);
	return rc;
}
