/* SPDX-License-Identifier: BSD-3-Clause */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adn_jit.h"
#include "adn_log.h"

/* Set by meson: where the sources are, the include flags the element
 * sources need, and the build root their __FILE__ is relative to. */
#ifndef ADN_JIT_SOURCE_ROOT
#error "ADN_JIT_SOURCE_ROOT must name the source tree"
#endif

#define JIT_SRC_MAX (64 * 1024)

/* Chains compiled by this process, by source hash. */
struct jit_entry {
	uint64_t hash;
	adn_chain_fn fn;
};

static struct jit_entry jit_cache[64];
static unsigned int jit_n;

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

/* An element's source as the compiler of the jit sees it: __FILE__ is
 * relative to the build directory when meson compiled it. */
static void
stage_path(const char *file, char *out, size_t len)
{
	if (file[0] == '/')
		snprintf(out, len, "%s", file);
	else
		snprintf(out, len, "%s/%s", ADN_JIT_BUILD_ROOT, file);
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

static int
read_file(const char *path, char *buf, size_t *off)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -errno;
	n = fread(buf + *off, 1, JIT_SRC_MAX - 1 - *off, f);
	fclose(f);
	if (*off + n >= JIT_SRC_MAX - 1)
		return -EFBIG;
	*off += n;
	buf[*off] = '\0';
	return 0;
}

/* The chain's C source: a header of constants, then the template. */
static int
generate(const struct adn_chain *c, char *src, char *status, size_t len)
{
	char path[4096];
	size_t off = 0;
	bool ok = true;
	int rc;

	ok &= put(src, &off, "/* adn-nf jit: %u-element chain from '%s', group %u */\n#define ADN_JIT 1\n",
		  c->n, c->e[0]->name, c->group);
	for (unsigned int m = 0; m < c->n; m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;
		bool seen = false;

		if (d->stage_file == NULL || d->stage_prefix == NULL) {
			snprintf(status, len,
				 "element '%s' (%s) does not name its stage source (ADN_ELEM_STAGES)",
				 c->e[m]->name, d->name);
			return -ENOTSUP;
		}
		for (unsigned int k = 0; k < m; k++)
			seen |= c->e[k]->desc == d;
		if (seen)
			continue;
		stage_path(d->stage_file, path, sizeof(path));
		if (access(path, R_OK) != 0) {
			snprintf(status, len, "cannot read %s: %s", path,
				 strerror(errno));
			return -ENOENT;
		}
		ok &= put(src, &off, "#include \"%s\"\n", path);
	}
	ok &= put(src, &off, "#define ADN_JIT_N %u\n#define ADN_JIT_GROUP %u\n#define ADN_JIT_STAGES(X) \\\n",
		  c->n, c->group);
	for (unsigned int m = 0; m < c->n; m++) {
		const struct adn_elem_desc *d = c->e[m]->desc;
		char prep[80];

		if (d->prep != NULL)
			snprintf(prep, sizeof(prep), "%s_prep",
				 d->stage_prefix);
		else
			snprintf(prep, sizeof(prep), "NULL");
		ok &= put(src, &off,
			  "\tX(%u, %s, %s_exec, ((struct adn_elem *)(uintptr_t)0x%" PRIxPTR "ULL), 0x%x, 0x%x) \\\n",
			  m, prep, d->stage_prefix, (uintptr_t)c->e[m],
			  m + 1 < c->n ? c->cont[m] : 0, c->role[m]);
	}
	ok &= put(src, &off, "\n");
	if (!ok) {
		snprintf(status, len, "generated source too long");
		return -EFBIG;
	}
	snprintf(path, sizeof(path), "%s/templates/adn_jit_chain.c.in",
		 ADN_JIT_SOURCE_ROOT);
	rc = read_file(path, src, &off);
	if (rc < 0)
		snprintf(status, len, "cannot read the template %s: %s", path,
			 strerror(-rc));
	return rc;
}

static const char *
jit_dir(char *buf, size_t len)
{
	const char *d = getenv("ADN_JIT_DIR");

	if (d != NULL && d[0] != '\0')
		return d;
	snprintf(buf, len, "/tmp/adn-jit-%u", (unsigned int)getuid());
	return buf;
}

/* First line of the compiler's complaints, for the status. */
static void
first_error(const char *log, char *out, size_t len)
{
	FILE *f = fopen(log, "r");
	char line[512];

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "error") != NULL) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%.200s", line);
			break;
		}
	fclose(f);
}

static int
compile(const char *src, uint64_t hash, char *so, size_t so_len,
	char *status, size_t len)
{
	const char *cc = getenv("ADN_JIT_CC");
	char dirbuf[256], c_path[4096], log[4096], tmp[4096], why[256];
	const char *dir = jit_dir(dirbuf, sizeof(dirbuf));
	char *cmd;
	FILE *f;
	int rc;

	if (cc == NULL || cc[0] == '\0')
		cc = "cc";
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(status, len, "cannot create %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	snprintf(c_path, sizeof(c_path), "%s/chain-%016" PRIx64 ".c", dir,
		 hash);
	snprintf(so, so_len, "%s/chain-%016" PRIx64 ".so", dir, hash);
	snprintf(log, sizeof(log), "%s/chain-%016" PRIx64 ".log", dir, hash);
	snprintf(tmp, sizeof(tmp), "%s/chain-%016" PRIx64 ".%d.so", dir, hash,
		 (int)getpid());
	f = fopen(c_path, "w");
	if (f == NULL || fputs(src, f) < 0 || fclose(f) != 0) {
		snprintf(status, len, "cannot write %s", c_path);
		return -EIO;
	}
	/* Build into a private name, then rename: a concurrent process
	 * compiling the same chain never loads a half-written object. */
	if (asprintf(&cmd,
		     "%s %s -O3 -march=native -fPIC -shared -w -o '%s' '%s' >'%s' 2>&1 && mv -f '%s' '%s'",
		     cc, ADN_JIT_CFLAGS, tmp, c_path, log, tmp, so) < 0)
		return -ENOMEM;
	rc = system(cmd);
	free(cmd);
	if (rc != 0) {
		int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;

		unlink(tmp);
		first_error(log, why, sizeof(why));
		if (code == 127)
			snprintf(status, len,
				 "no C compiler: '%s' not found (set ADN_JIT_CC)",
				 cc);
		else
			snprintf(status, len, "'%s' failed (exit %d, log %s)%s%s",
				 cc, code, log, why[0] ? ": " : "", why);
		return -ENOEXEC;
	}
	/* Built: the source and the log are only kept when it failed. */
	unlink(c_path);
	unlink(log);
	return 0;
}

adn_chain_fn
adn_jit_chain(const struct adn_chain *c, char *status, size_t len)
{
	char *src = malloc(JIT_SRC_MAX), so[4096];
	adn_chain_fn fn = NULL;
	uint64_t hash;
	void *h;

	if (src == NULL) {
		snprintf(status, len, "out of memory");
		return NULL;
	}
	if (generate(c, src, status, len) < 0)
		goto out;
	hash = fnv1a(src);
	for (unsigned int i = 0; i < jit_n; i++)
		if (jit_cache[i].hash == hash) {
			fn = jit_cache[i].fn;
			snprintf(status, len, "compiled");
			goto out;
		}
	if (compile(src, hash, so, sizeof(so), status, len) < 0)
		goto out;
	/* RTLD_NOW: an unresolved symbol fails here, not mid-batch. The
	 * mapping outlives the file, so /tmp does not fill up. */
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	unlink(so);
	if (h == NULL) {
		snprintf(status, len, "cannot load %s: %s", so, dlerror());
		goto out;
	}
	fn = (adn_chain_fn)(uintptr_t)dlsym(h, "adn_jit_chain_run");
	if (fn == NULL) {
		snprintf(status, len, "%s has no adn_jit_chain_run", so);
		dlclose(h);
		goto out;
	}
	if (jit_n < RTE_DIM(jit_cache))
		jit_cache[jit_n++] = (struct jit_entry){ hash, fn };
	snprintf(status, len, "compiled");
out:
	if (fn == NULL)
		ADN_LOG(WARNING, "jit: chain from '%s': %s; running it fused\n",
			c->e[0]->name, status);
	free(src);
	return fn;
}
