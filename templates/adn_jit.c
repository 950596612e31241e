/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The jit template (adn_jit.h): generate a chain's source, find the jit
 * root, compile in a private directory without a shell, load, and share
 * loaded objects by source.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adn_jit.h"
#include "adn_log.h"

/* The build's cflags for the element sources, without include paths (the
 * root's are added here); set by lib/core/meson.build. */
#ifndef ADN_JIT_CFLAGS
#error "ADN_JIT_CFLAGS must hold the jit's cflags"
#endif

#define JIT_SRC_MAX (16 * 1024)
#define JIT_ARGV_MAX 256
#define JIT_TIMEOUT_DEFAULT 60
#define JIT_TIMEOUT_MAX 3600
#define JIT_ROOT_REL "share/adn-nf/jit"
#define JIT_ROOT_UP 3		/* directories above the binary's */
#define JIT_TEMPLATE "adn_jit_chain.c.in"
#define JIT_FAILED "; running fused"
/* Objects no version runs any more, kept (in memory) to be loaded again
 * without a compile when a plan comes back to them. */
#define JIT_KEEP_UNLOADED 64

extern char **environ;

struct adn_jit_lib {
	struct adn_jit_lib *next;
	uint64_t hash;
	char *src;		/* generated source: a hit must match it whole */
	void *handle;		/* NULL while unloaded (refs 0) */
	adn_chain_fn fn;
	/* The compiled object, in a sealed memfd: loaded from there, and
	 * again after an unload, so nothing stays on disk. */
	int fd;
	unsigned int refs;	/* chains using fn (and, while !ready, the
				 * thread compiling it) */
	bool ready;		/* built; else its compile is running */
	uint64_t unloaded_at;	/* order of unloading, for eviction */
};

/* The objects of this process, loaded or being compiled. jit_lock guards
 * the list, each entry's refs and ready, and jit_stats; jit_built is
 * broadcast when a compile ends, for threads waiting on the same source. */
static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jit_built = PTHREAD_COND_INITIALIZER;
static struct adn_jit_lib *jit_libs;
static struct adn_jit_stats jit_stats;
static uint64_t jit_unloads;

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

/* Set the status; returns rc, for `return fail(...)`. */
static int __attribute__((format(printf, 4, 5)))
fail(char *status, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* Append to buf; false when it is full. */
static bool __attribute__((format(printf, 3, 4)))
put(char *buf, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, JIT_SRC_MAX - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= JIT_SRC_MAX - *off)
		return false;
	*off += (size_t)n;
	return true;
}

/* The file name of an element's stage source: its __FILE__ as meson
 * compiled it (e.g. "../nfs/lpm_route.c") names nfs/lpm_route.c of the
 * jit root. */
static const char *
stage_name(const struct adn_elem_desc *d)
{
	const char *s = strrchr(d->stage_file, '/');

	return s != NULL ? s + 1 : d->stage_file;
}

/*
 * The chain's C source: the stage sources, the chain's shape as constants,
 * then the chain template, all included from the jit root. Nothing of one
 * pipeline (element pointers or names) goes in, so every chain of the same
 * shape gets the same source and shares its object.
 */
static int
generate(const struct adn_chain *c, char *src, char *status, size_t len)
{
	size_t off = 0;
	bool ok = true;

	ok &= put(src, &off, "/* adn-nf jit: a %u-element chain, group %u:",
		  c->n, c->group);
	for (unsigned int m = 0; m < c->n; m++)
		ok &= put(src, &off, " %s", c->e[m]->desc->name);
	ok &= put(src, &off, " */\n#define ADN_JIT 1\n");
	for (unsigned int m = 0; m < c->n; m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;
		bool seen = false;

		if (d->stage_file == NULL || d->stage_prefix == NULL)
			return fail(status, len, -ENOTSUP,
				    "element '%s' (%s) does not name its stage source (ADN_ELEM_STAGES)",
				    c->e[m]->name, d->name);
		for (unsigned int k = 0; k < m; k++)
			seen |= c->e[k]->desc == d;
		if (!seen)
			ok &= put(src, &off, "#include \"nfs/%s\"\n",
				  stage_name(d));
	}
	ok &= put(src, &off,
		  "#define ADN_JIT_N %u\n#define ADN_JIT_GROUP %u\n#define ADN_JIT_STAGES(X) \\\n",
		  c->n, c->group);
	for (unsigned int m = 0; m < c->n; m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;
		char prep[80], bulk[80];

		if (d->prep != NULL)
			snprintf(prep, sizeof(prep), "%s_prep",
				 d->stage_prefix);
		else
			snprintf(prep, sizeof(prep), "NULL");
		if (adn_elem_has_bulk(c->e[m]))
			snprintf(bulk, sizeof(bulk), "%s_bulk",
				 d->stage_prefix);
		else
			snprintf(bulk, sizeof(bulk), "NULL");
		ok &= put(src, &off, "\tX(%u, %s, %s, %s_exec, c->e[%u], 0x%x, 0x%x) \\\n",
			  m, prep, bulk, d->stage_prefix, m,
			  m + 1 < c->n ? c->cont[m] : 0, c->role[m]);
	}
	ok &= put(src, &off, "\n#include \"" JIT_TEMPLATE "\"\n");
	if (!ok)
		return fail(status, len, -EFBIG, "generated source too long");
	return 0;
}

/*
 * The jit root: $ADN_JIT_SRC, else share/adn-nf/jit in the binary's
 * directory or one of the JIT_ROOT_UP above it. Walking up from the binary
 * finds PREFIX/share for PREFIX/bin/x and the build tree's staged copy for
 * BUILD/apps/x and BUILD/tests/unit/x alike, and never a root of another
 * build. `root` holds PATH_MAX bytes.
 */
static int
jit_root(char *root, char *status, size_t len)
{
	const char *env = getenv("ADN_JIT_SRC");
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		if (realpath(env, root) == NULL)
			return fail(status, len, -errno,
				    "jit root ADN_JIT_SRC=%s: %s", env,
				    strerror(errno));
		snprintf(path, sizeof(path), "%s/" JIT_TEMPLATE, root);
		if (access(path, R_OK) != 0)
			return fail(status, len, -ENOENT,
				    "jit root ADN_JIT_SRC=%s has no readable " JIT_TEMPLATE,
				    env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return fail(status, len, -errno,
			    "no jit root: /proc/self/exe: %s; set ADN_JIT_SRC",
			    strerror(errno));
	exe[n] = '\0';
	for (int up = 0; up <= JIT_ROOT_UP; up++) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL)
			break;
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/" JIT_ROOT_REL "/" JIT_TEMPLATE,
			 exe);
		if (access(path, R_OK) == 0 &&
		    snprintf(root, PATH_MAX, "%s/" JIT_ROOT_REL, exe) <
		    PATH_MAX)
			return 0;
	}
	exe[n] = '\0';
	return fail(status, len, -ENOENT,
		    "no jit root: no " JIT_ROOT_REL " up to %d directories above the binary; set ADN_JIT_SRC",
		    JIT_ROOT_UP);
}

/* Every stage source of the chain is in the root: say which is not before
 * the compiler does. */
static int
root_has_stages(const struct adn_chain *c, const char *root, char *status,
		size_t len)
{
	char path[PATH_MAX + 64];

	for (unsigned int m = 0; m < c->n; m++) {
		snprintf(path, sizeof(path), "%s/nfs/%s", root,
			 stage_name(c->e[m]->desc));
		if (access(path, R_OK) != 0)
			return fail(status, len, -ENOENT,
				    "cannot read %s: %s", path,
				    strerror(errno));
	}
	return 0;
}

/*
 * The directory to make compile directories in, checked: each compile
 * directory is private (mkdtemp, 0700) but its name is only safe from
 * others when they cannot move or replace entries of its parent. Refused:
 * a symlink (it may point anywhere), a directory another user owns (root
 * is trusted, as it could change anything anyway), and one writable by
 * group or others without the sticky bit. /tmp (sticky) passes. A missing
 * $ADN_JIT_DIR is created, private.
 */
static int
jit_parent(char *dir, size_t dir_len, char *status, size_t len)
{
	const char *d = getenv("ADN_JIT_DIR");
	bool own = d != NULL && d[0] != '\0';
	struct stat st;

	if (!own)
		d = getenv("XDG_RUNTIME_DIR");
	if (d == NULL || d[0] == '\0')
		d = "/tmp";
	if ((size_t)snprintf(dir, dir_len, "%s", d) >= dir_len)
		return fail(status, len, -ENAMETOOLONG, "jit dir %.64s...: name too long", d);
	if (lstat(dir, &st) < 0 && errno == ENOENT && own &&
	    mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(status, len, -errno, "cannot create jit dir %s: %s",
			    dir, strerror(errno));
	if (lstat(dir, &st) < 0)
		return fail(status, len, -errno, "jit dir %s: %s", dir,
			    strerror(errno));
	if (S_ISLNK(st.st_mode))
		return fail(status, len, -EPERM, "jit dir %s is a symlink",
			    dir);
	if (!S_ISDIR(st.st_mode))
		return fail(status, len, -ENOTDIR,
			    "jit dir %s is not a directory", dir);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return fail(status, len, -EPERM,
			    "jit dir %s is owned by uid %u, not by this process (uid %u)",
			    dir, (unsigned int)st.st_uid,
			    (unsigned int)geteuid());
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return fail(status, len, -EPERM,
			    "jit dir %s is writable by others (mode %04o, not sticky)",
			    dir, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* $ADN_JIT_TIMEOUT in seconds, or the default. */
static int
jit_timeout(unsigned int *sec, char *status, size_t len)
{
	const char *s = getenv("ADN_JIT_TIMEOUT");
	unsigned long v;
	char *end;

	*sec = JIT_TIMEOUT_DEFAULT;
	if (s == NULL || s[0] == '\0')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '-' || v < 1 ||
	    v > JIT_TIMEOUT_MAX)
		return fail(status, len, -EINVAL,
			    "ADN_JIT_TIMEOUT='%s': want whole seconds, 1..%d",
			    s, JIT_TIMEOUT_MAX);
	*sec = (unsigned int)v;
	return 0;
}

/* Split `s` in place at spaces and tabs into argv[*argc...]. */
static int
split_words(char *s, char **argv, unsigned int *argc)
{
	for (char *sp, *w = strtok_r(s, " \t", &sp); w != NULL;
	     w = strtok_r(NULL, " \t", &sp)) {
		if (*argc + 1 >= JIT_ARGV_MAX)
			return -E2BIG;
		argv[(*argc)++] = w;
	}
	return 0;
}

/* First line of the compiler's complaints, for the status. */
static void
first_error(const char *log, char *out, size_t len)
{
	FILE *f = fopen(log, "re");
	char line[512];

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '#' && strstr(line, "error") != NULL) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, ": %.200s", line);
			break;
		}
	fclose(f);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Run argv with its output to `log`, at most `timeout` s. The compiler
 * gets its own process group, so a timeout kills what it started too (cc1,
 * as, a wrapper's children), and it is reaped here before returning: no
 * zombie is left. *ran tells whether it was started at all.
 */
static int
run_compiler(char *const argv[], const char *log, unsigned int timeout,
	     bool *ran, char *status, size_t len)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, all;
	double deadline;
	pid_t pid, w;
	int rc, ws;

	*ran = false;
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_init(&fa) != 0)
		return fail(status, len, -ENOMEM, "out of memory");
	if (posix_spawnattr_init(&sa) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return fail(status, len, -ENOMEM, "out of memory");
	}
	rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					      O_RDONLY, 0);
	rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
							log,
							O_WRONLY | O_APPEND,
							0);
	rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
							STDERR_FILENO);
	/* Default signals, none blocked: not whatever the calling (EAL or
	 * control) thread set up. */
	rc = rc ? rc : posix_spawnattr_setsigmask(&sa, &none);
	rc = rc ? rc : posix_spawnattr_setsigdefault(&sa, &all);
	rc = rc ? rc : posix_spawnattr_setpgroup(&sa, 0);
	rc = rc ? rc : posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	rc = rc ? rc : posix_spawnp(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	if (rc == ENOENT)
		return fail(status, len, -ENOENT,
			    "no C compiler: '%s' not found (set ADN_JIT_CC)",
			    argv[0]);
	if (rc != 0)
		return fail(status, len, -rc, "cannot run '%s': %s", argv[0],
			    strerror(rc));
	*ran = true;
	deadline = now_s() + timeout;
	for (;;) {
		w = waitpid(pid, &ws, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			/* SIGCHLD ignored by the application: the kernel
			 * reaped it, and its exit status is lost. */
			return fail(status, len, -errno,
				    "lost the compiler '%s': %s", argv[0],
				    strerror(errno));
		if (now_s() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
				;
			return fail(status, len, -ETIMEDOUT,
				    "compiler timed out after %u s (log %s)",
				    timeout, log);
		}
		nanosleep(&tick, NULL);
	}
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return 0;
	char why[256];

	first_error(log, why, sizeof(why));
	if (WIFSIGNALED(ws))
		return fail(status, len, -ECHILD,
			    "'%s' killed by signal %d (log %s)%s", argv[0],
			    WTERMSIG(ws), log, why);
	return fail(status, len, -ENOEXEC, "'%s' failed (exit %d, log %s)%s",
		    argv[0], WEXITSTATUS(ws), log, why);
}

/* Write `text` to a new file `path` (mode 0600). */
static int
write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0600);
	size_t n = strlen(text), off = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* The compile directory's files, by name. */
struct jit_files {
	char dir[PATH_MAX];
	char c[PATH_MAX + 16], log[PATH_MAX + 16], so[PATH_MAX + 16];
	char inc[2][PATH_MAX + 16];
};

/* Remove a compile directory: after a load, nothing in it is needed. */
static void
jit_files_remove(const struct jit_files *f)
{
	unlink(f->c);
	unlink(f->log);
	unlink(f->so);
	rmdir(f->dir);
}

/* argv of the compiler: $ADN_JIT_CC's words (in `cc`), the build's cflags
 * (in `cflags`), then the fixed flags, the root's include dirs and the
 * files. */
static int
compiler_argv(char **argv, char *cc, char *cflags, char inc[2][PATH_MAX + 16],
	      const struct jit_files *f, const char *root)
{
	/* Each stage is inlined twice (the chain steps' loops for whole and
	 * thinned groups, templates/adn_fused.h); gcc's default limit for a
	 * function not declared inline would then call the larger ones. */
	static const char *const opt[] = {
		"-O3", "-fPIC", "-shared", "-w",
		"--param=max-inline-insns-auto=1000",
	};
	unsigned int argc = 0;

	if (split_words(cc, argv, &argc) < 0 || argc == 0 ||
	    split_words(cflags, argv, &argc) < 0 ||
	    argc + RTE_DIM(opt) + 6 > JIT_ARGV_MAX)
		return -E2BIG;
	for (unsigned int i = 0; i < RTE_DIM(opt); i++)
		argv[argc++] = (char *)(uintptr_t)opt[i];
	snprintf(inc[0], sizeof(inc[0]), "-I%s", root);
	snprintf(inc[1], sizeof(inc[1]), "-I%s/include", root);
	argv[argc++] = inc[0];
	argv[argc++] = inc[1];
	argv[argc++] = (char *)(uintptr_t)"-o";
	argv[argc++] = (char *)(uintptr_t)f->so;
	argv[argc++] = (char *)(uintptr_t)f->c;
	argv[argc] = NULL;
	return (int)argc;
}

/* The log starts with the command, so a kept failure can be rerun by
 * hand. */
static int
write_log_header(const char *log, char *const argv[], int argc)
{
	char hdr[2048] = "#";
	size_t off = 1;

	for (int i = 0; i < argc && off < sizeof(hdr) - 2; i++)
		off += (size_t)snprintf(hdr + off, sizeof(hdr) - 2 - off,
					" %s", argv[i]);
	off = RTE_MIN(off, sizeof(hdr) - 2);
	hdr[off] = '\n';
	hdr[off + 1] = '\0';
	return write_new(log, hdr);
}

/*
 * Compile `src` of chain `c` in a new directory under the checked parent
 * and load it. A failure after the compiler started keeps the directory,
 * with the source and the log, and the status names it; before, it is
 * removed (a missing compiler would otherwise leave one per chain).
 */
/* A sealed memfd holding the file at `path`; 0 or a negative errno. */
static int
memfd_of(const char *path, int *out)
{
	char buf[65536];
	int in = open(path, O_RDONLY | O_CLOEXEC), fd, rc = 0;
	ssize_t n;

	if (in < 0)
		return -errno;
	fd = memfd_create("adn-jit-chain", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 || write(fd, buf, (size_t)n) != n)
			rc = -EIO;
	}
	close(in);
	/* Nobody may change the code between two loads. */
	if (rc == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
			     F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/* Load the object in memfd `fd`; 0, or -ENOEXEC with the reason. */
static int
load_fd(int fd, void **handle, adn_chain_fn *fn, char *status, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* RTLD_NOW: an unresolved symbol fails here, not mid-batch. */
	*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (*handle == NULL)
		return fail(status, len, -ENOEXEC, "cannot load the chain: %s",
			    dlerror());
	*fn = (adn_chain_fn)(uintptr_t)dlsym(*handle, "adn_jit_chain_run");
	if (*fn == NULL) {
		dlclose(*handle);
		*handle = NULL;
		return fail(status, len, -ENOEXEC,
			    "the chain has no adn_jit_chain_run");
	}
	return 0;
}

static int
compile(const struct adn_chain *c, const char *src, void **handle,
	adn_chain_fn *fn, int *fd, bool *ran, char *status, size_t len)
{
	const char *cc_env = getenv("ADN_JIT_CC");
	char root[PATH_MAX], cflags[] = ADN_JIT_CFLAGS;
	char *argv[JIT_ARGV_MAX], *cc = NULL;
	struct jit_files *f = NULL;
	unsigned int timeout;
	bool made = false;
	double t0;
	int rc, argc;

	*ran = false;
	if (cc_env == NULL || cc_env[0] == '\0')
		cc_env = "cc";
	rc = jit_timeout(&timeout, status, len);
	rc = rc ? rc : jit_root(root, status, len);
	rc = rc ? rc : root_has_stages(c, root, status, len);
	if (rc < 0)
		return rc;
	f = malloc(sizeof(*f));
	cc = strdup(cc_env);
	if (f == NULL || cc == NULL) {
		rc = fail(status, len, -ENOMEM, "out of memory");
		goto out;
	}
	rc = jit_parent(f->dir, sizeof(f->dir) - 16, status, len);
	if (rc < 0)
		goto out;
	strcat(f->dir, "/adn-jit-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		rc = fail(status, len, -errno, "cannot create %s: %s", f->dir,
			  strerror(errno));
		goto out;
	}
	made = true;
	snprintf(f->c, sizeof(f->c), "%s/chain.c", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/chain.log", f->dir);
	snprintf(f->so, sizeof(f->so), "%s/chain.so", f->dir);
	argc = compiler_argv(argv, cc, cflags, f->inc, f, root);
	if (argc < 0) {
		rc = fail(status, len, argc,
			  "ADN_JIT_CC='%s': want a compiler and at most %d words",
			  cc_env, JIT_ARGV_MAX / 2);
		goto out;
	}
	rc = write_new(f->c, src);
	rc = rc ? rc : write_log_header(f->log, argv, argc);
	if (rc < 0) {
		fail(status, len, rc, "cannot write in %s: %s", f->dir,
		     strerror(-rc));
		goto out;
	}
	t0 = now_s();
	rc = run_compiler(argv, f->log, timeout, ran, status, len);
	if (rc < 0)
		goto out;
	rc = memfd_of(f->so, fd);
	if (rc < 0) {
		fail(status, len, rc, "cannot keep %s: %s", f->so,
		     strerror(-rc));
		goto out;
	}
	rc = load_fd(*fd, handle, fn, status, len);
	if (rc < 0) {
		close(*fd);
		*fd = -1;
		goto out;
	}
	ADN_LOG(INFO, "jit: compiled a %u-element chain from '%s' in %.1f s with '%s', sources from %s\n",
		c->n, c->e[0]->name, now_s() - t0, argv[0], root);
	jit_files_remove(f);	/* the mapping outlives the files */
	made = false;
	rc = 0;
out:
	if (made && !*ran)
		jit_files_remove(f);
	free(cc);
	free(f);
	return rc;
}

/* A loaded or compiling object of this source; called under jit_lock. */
static struct adn_jit_lib *
jit_find(uint64_t hash, const char *src)
{
	for (struct adn_jit_lib *l = jit_libs; l != NULL; l = l->next)
		if (l->hash == hash && strcmp(l->src, src) == 0)
			return l;
	return NULL;
}

static void
jit_unlink(struct adn_jit_lib *lib)
{
	for (struct adn_jit_lib **p = &jit_libs; *p != NULL; p = &(*p)->next)
		if (*p == lib) {
			*p = lib->next;
			return;
		}
}

adn_chain_fn
adn_jit_chain(const struct adn_chain *c, struct adn_jit_lib **lib,
	      char *status, size_t len)
{
	char *src = malloc(JIT_SRC_MAX);
	struct adn_jit_lib *l = NULL;
	void *handle = NULL;
	adn_chain_fn fn = NULL;
	uint64_t hash;
	bool ran = false;
	int rc, fd = -1;

	*lib = NULL;
	if (src == NULL) {
		rc = fail(status, len, -ENOMEM, "out of memory");
		goto failed;
	}
	rc = generate(c, src, status, len);
	if (rc < 0)
		goto failed;
	hash = fnv1a(src);
	pthread_mutex_lock(&jit_lock);
	for (;;) {
		l = jit_find(hash, src);
		if (l == NULL || l->ready)
			break;
		pthread_cond_wait(&jit_built, &jit_lock);
	}
	if (l != NULL && l->handle == NULL) {
		/* Unloaded since: load the kept object again, no compile. */
		rc = load_fd(l->fd, &l->handle, &l->fn, status, len);
		if (rc == 0)
			jit_stats.loaded++;
	}
	if (l != NULL && l->handle != NULL) {
		l->refs++;
		jit_stats.cache_hits++;
		pthread_mutex_unlock(&jit_lock);
		free(src);
		*lib = l;
		snprintf(status, len, "compiled");
		return l->fn;
	}
	if (l != NULL) {
		pthread_mutex_unlock(&jit_lock);
		goto failed;
	}
	/* Claim the source: a thread asking for it meanwhile waits for this
	 * compile instead of running its own. */
	l = calloc(1, sizeof(*l));
	if (l != NULL)
		l->src = strdup(src);
	if (l == NULL || l->src == NULL) {
		pthread_mutex_unlock(&jit_lock);
		if (l != NULL)
			free(l);
		rc = fail(status, len, -ENOMEM, "out of memory");
		goto failed;
	}
	l->hash = hash;
	l->refs = 1;
	l->next = jit_libs;
	jit_libs = l;
	pthread_mutex_unlock(&jit_lock);

	rc = compile(c, src, &handle, &fn, &fd, &ran, status, len);

	pthread_mutex_lock(&jit_lock);
	jit_stats.compiles += ran;
	if (rc == 0) {
		l->handle = handle;
		l->fn = fn;
		l->fd = fd;
		l->ready = true;
		jit_stats.loaded++;
	} else {
		jit_unlink(l);
	}
	pthread_cond_broadcast(&jit_built);
	pthread_mutex_unlock(&jit_lock);
	if (rc == 0) {
		free(src);
		*lib = l;
		snprintf(status, len, "compiled");
		return fn;
	}
	free(l->src);
	free(l);
failed:
	free(src);
	pthread_mutex_lock(&jit_lock);
	jit_stats.failures++;
	pthread_mutex_unlock(&jit_lock);
	/* The suffix always shows; a long reason loses its tail. */
	if (len >= sizeof(JIT_FAILED)) {
		size_t n = RTE_MIN(strlen(status), len - sizeof(JIT_FAILED));

		while (n > 0 && status[n - 1] == ' ')
			n--;
		status[n] = '\0';
		strcat(status, JIT_FAILED);
	}
	ADN_LOG(WARNING, "jit: chain from '%s': %s\n", c->e[0]->name, status);
	return NULL;
}

/* Free objects kept unloaded beyond JIT_KEEP_UNLOADED, oldest first;
 * under jit_lock. */
static void
jit_evict(void)
{
	for (;;) {
		struct adn_jit_lib *old = NULL;
		unsigned int n = 0;

		for (struct adn_jit_lib *l = jit_libs; l; l = l->next)
			if (l->ready && l->handle == NULL) {
				n++;
				if (old == NULL ||
				    l->unloaded_at < old->unloaded_at)
					old = l;
			}
		if (n <= JIT_KEEP_UNLOADED)
			return;
		jit_unlink(old);
		close(old->fd);
		free(old->src);
		free(old);
	}
}

void
adn_jit_cache_drop(void)
{
	pthread_mutex_lock(&jit_lock);
	for (struct adn_jit_lib **pp = &jit_libs; *pp != NULL;) {
		struct adn_jit_lib *l = *pp;

		if (!l->ready || l->handle != NULL) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		close(l->fd);
		free(l->src);
		free(l);
	}
	pthread_mutex_unlock(&jit_lock);
}

void
adn_jit_lib_put(struct adn_jit_lib *lib)
{
	void *handle = NULL;

	if (lib == NULL)
		return;
	pthread_mutex_lock(&jit_lock);
	if (--lib->refs == 0) {
		/* Unloaded with the last chain that runs it; its object stays
		 * (in memory) for a plan that comes back to it. */
		handle = lib->handle;
		lib->handle = NULL;
		lib->fn = NULL;
		lib->unloaded_at = ++jit_unloads;
		jit_stats.loaded--;
		if (handle != NULL)
			dlclose(handle);
		jit_evict();
	}
	pthread_mutex_unlock(&jit_lock);
}

void
adn_jit_stats_get(struct adn_jit_stats *st)
{
	pthread_mutex_lock(&jit_lock);
	*st = jit_stats;
	pthread_mutex_unlock(&jit_lock);
}
