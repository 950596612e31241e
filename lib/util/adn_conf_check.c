/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adn_conf_check.h"
#include "adn_file.h"

/* libconfig 1.5's include depth; and files read at most, so that a file
 * including itself twice is not read 2^10 times. */
#define CONF_DEPTH_MAX 10
#define CONF_FILES_MAX 64

struct conf_walk {
	const char *include_dir;
	unsigned int files;
	char *err;
	size_t errlen;
};

/* What `path` is when not a regular file ("a directory"); NULL for a
 * regular file or one that cannot be looked at (libconfig reports it). */
static const char *
irregular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? adn_file_irregular(st.st_mode) : NULL;
}

/* The NAME of a line `@include "NAME"` into name; false for other lines
 * (or a NAME that does not end on its line). */
static bool
include_name(const char *line, char *name, size_t len)
{
	const char *p = line + strspn(line, " \t");
	size_t n = 0;

	if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
		return false;
	p += 8;
	p += strspn(p, " \t");
	if (*p++ != '"')
		return false;
	for (; *p != '\0' && *p != '"'; p++) {
		if (p[0] == '\\' && (p[1] == '\\' || p[1] == '"'))
			p++;
		if (n + 1 < len)
			name[n++] = *p;
	}
	name[n] = '\0';
	return *p == '"';
}

static int
walk(struct conf_walk *w, const char *path, unsigned int depth)
{
	char *line = NULL, name[PATH_MAX], inc[2 * PATH_MAX], why[128];
	const char *kind;
	unsigned int lineno = 0;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	if (depth > CONF_DEPTH_MAX || w->files++ >= CONF_FILES_MAX)
		return 0;
	/* Not blocking: a FIFO put there since the check is refused too. */
	f = adn_file_open(path, "r", why, sizeof(why));
	if (f == NULL) {
		if (errno != EINVAL)
			return 0;
		snprintf(w->err, w->errlen, "%s: %s", path, why);
		return -EINVAL;
	}
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		lineno++;
		if (!include_name(line, name, sizeof(name)))
			continue;
		if (w->include_dir != NULL)
			snprintf(inc, sizeof(inc), "%s/%s", w->include_dir,
				 name);
		else
			snprintf(inc, sizeof(inc), "%s", name);
		kind = irregular(inc);
		if (kind != NULL) {
			snprintf(w->err, w->errlen,
				 "%s:%u: @include \"%s\": %s is %s, not a regular file",
				 path, lineno, name, inc, kind);
			rc = -EINVAL;
		} else {
			rc = walk(w, inc, depth + 1);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int
adn_conf_check_files(const char *path, const char *include_dir, char *err,
		     size_t errlen)
{
	struct conf_walk w = { .include_dir = include_dir, .err = err,
			       .errlen = errlen };
	const char *kind = irregular(path);

	if (kind != NULL) {
		snprintf(err, errlen, "%s is %s, not a regular file", path,
			 kind);
		return -EINVAL;
	}
	return walk(&w, path, 0);
}
