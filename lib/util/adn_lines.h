/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Line-oriented files (routes, ACL, URL and DPI rules). Every loader reads
 * them through here, so all agree on limits and on how errors are named:
 * "PATH:LINE: why".
 */
#ifndef _ADN_LINES_H_
#define _ADN_LINES_H_

#include <stddef.h>

/* One line, its newline (and a CR before it) removed. 0 goes on; < 0
 * stops the read with that error, `why` saying what was wrong. */
typedef int (*adn_line_fn)(char *line, unsigned int lineno, void *arg,
			   char *why, size_t why_len);

/*
 * Call fn on each line of `path` in order. A line of more than max_len
 * characters is an error rather than two lines. Returns 0, fn's error,
 * -EINVAL (a line too long), or -errno (cannot open, read error); on error
 * `why` names the file (and line).
 */
int adn_lines_each(const char *path, size_t max_len, adn_line_fn fn,
		   void *arg, char *why, size_t why_len);

/*
 * Room for element n of a growing array *v of *cap elements of `size`
 * bytes each, doubling from 64 up to `max` elements: 0, -E2BIG (n is
 * max), or -ENOMEM (*v unchanged).
 */
int adn_array_reserve(void **v, unsigned int n, unsigned int *cap,
		      size_t size, unsigned int max);

#endif /* _ADN_LINES_H_ */
