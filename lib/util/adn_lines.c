/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_file.h"
#include "adn_lines.h"

int
adn_lines_each(const char *path, size_t max_len, adn_line_fn fn, void *arg,
	       char *why, size_t why_len)
{
	char *buf = malloc(max_len + 2), line_why[256], open_why[128];
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	if (buf == NULL) {
		snprintf(why, why_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	f = adn_file_open(path, "r", open_why, sizeof(open_why));
	if (f == NULL) {
		rc = -errno;
		snprintf(why, why_len, "cannot open %s: %s", path, open_why);
		free(buf);
		return rc;
	}
	while (fgets(buf, (int)max_len + 2, f) != NULL) {
		size_t len = strlen(buf);

		lineno++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		else if (!feof(f)) {
			snprintf(why, why_len,
				 "%s:%u: line longer than %zu characters",
				 path, lineno, max_len);
			rc = -EINVAL;
			break;
		}
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		line_why[0] = '\0';
		rc = fn(buf, lineno, arg, line_why, sizeof(line_why));
		if (rc < 0) {
			snprintf(why, why_len, "%s:%u: %s", path, lineno,
				 line_why);
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(why, why_len, "%s: read error", path);
		rc = -EIO;
	}
	fclose(f);
	free(buf);
	return rc;
}

int
adn_array_reserve(void **v, unsigned int n, unsigned int *cap, size_t size,
		  unsigned int max)
{
	unsigned int c;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max)
		return -E2BIG;
	c = *cap ? *cap * 2 : 64;
	if (c > max)
		c = max;
	p = realloc(*v, (size_t)c * size);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}
