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

/*
 * The NAME of an `@include "NAME"` starting at text[at] (a line start)
 * into name, as libconfig 1.5's scanner reads it: the opening is
 * ^[ \t]*@include[ \t]+" and the NAME runs to the next unescaped quote,
 * across lines; \\ and \" are escapes, another backslash is dropped
 * (flex's default rule echoes it), and each run between escapes is
 * appended as a C string (cut at its first NUL). False when there is no
 * include here, or no closing quote (libconfig opens nothing then).
 */
static bool
include_at(const char *text, size_t len, size_t at, char *name,
	   size_t name_len)
{
	size_t i = at, n = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (len - i < 9 || memcmp(text + i, "@include", 8) != 0 ||
	    (text[i + 8] != ' ' && text[i + 8] != '\t'))
		return false;
	i += 8;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i >= len || text[i++] != '"')
		return false;
	while (i < len && text[i] != '"') {
		if (text[i] == '\\') {
			if (i + 1 < len && (text[i + 1] == '\\' ||
					    text[i + 1] == '"')) {
				if (n + 1 < name_len)
					name[n++] = text[i + 1];
				i++;
			}
			i++;
			continue;
		}
		/* A run of [^"\\]: appended up to its first NUL. */
		for (bool cut = false; i < len && text[i] != '"' &&
		     text[i] != '\\'; i++) {
			cut |= text[i] == '\0';
			if (!cut && n + 1 < name_len)
				name[n++] = text[i];
		}
	}
	name[n] = '\0';
	return i < len;
}

/* Every include the scanner can reach starts a line (flex's ^), so every
 * line start is tried: inside a string or a comment one is found that
 * libconfig would not open, never the other way round. */
static int
walk(struct conf_walk *w, const char *path, unsigned int depth)
{
	char name[PATH_MAX], inc[2 * PATH_MAX], why[128], *text;
	unsigned int lineno = 1;
	const char *kind;
	size_t len, next;
	int rc = 0;

	if (depth > CONF_DEPTH_MAX || w->files++ >= CONF_FILES_MAX)
		return 0;
	/* Not blocking: a FIFO put there since the check is refused too;
	 * what cannot be read otherwise is libconfig's to report. */
	text = adn_file_read(path, &len, why, sizeof(why));
	if (text == NULL) {
		if (errno != EINVAL)
			return 0;
		snprintf(w->err, w->errlen, "%s: %s", path, why);
		return -EINVAL;
	}
	for (size_t at = 0; rc == 0 && at < len; at = next, lineno++) {
		const char *nl = memchr(text + at, '\n', len - at);

		next = nl != NULL ? (size_t)(nl - text) + 1 : len;
		if (!include_at(text, len, at, name, sizeof(name)))
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
	free(text);
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
