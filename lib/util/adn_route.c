/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_lines.h"
#include "adn_route.h"

/* Strict dotted quad: four decimal octets, nothing else. */
static int
parse_quad(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -EINVAL;
		a = (a << 8) | v;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = a;
	return 0;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end != '\0' || *out > max)
		return -EINVAL;
	return 0;
}

#define ROUTE_BLANKS " \t\r\n"

/* Split `buf` (modified) into blank-separated fields: how many, or max + 1
 * when there are more than `max`. */
static int
split(char *buf, char **tok, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *p = strtok_r(buf, ROUTE_BLANKS, &save); p != NULL;
	     p = strtok_r(NULL, ROUTE_BLANKS, &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = p;
	}
	return n;
}

/* Copy `s` into `buf` for splitting; -EINVAL when it does not fit. */
static int
copy_line(const char *s, char *buf, size_t len, char *err, size_t err_len)
{
	if (strlen(s) >= len) {
		snprintf(err, err_len, "longer than %zu characters", len - 1);
		return -EINVAL;
	}
	strcpy(buf, s);
	return 0;
}

/* One `a.b.c.d/len` field (modified while parsing, restored). */
static int
parse_prefix_tok(char *tok, uint32_t *prefix, uint8_t *len, char *err,
		 size_t err_len)
{
	char *slash = strchr(tok, '/');
	unsigned long l;
	uint32_t addr;

	if (slash == NULL) {
		snprintf(err, err_len, "prefix '%s' has no /len", tok);
		return -EINVAL;
	}
	*slash = '\0';
	if (parse_quad(tok, &addr) < 0) {
		snprintf(err, err_len, "bad IPv4 address '%s'", tok);
		return -EINVAL;
	}
	if (parse_uint(slash + 1, 32, &l) < 0) {
		snprintf(err, err_len,
			 "bad prefix length '%s' (allowed 0-32)", slash + 1);
		return -EINVAL;
	}
	*slash = '/';
	if (addr & ~adn_route_mask((unsigned int)l)) {
		snprintf(err, err_len, "host bits set in '%s'", tok);
		return -EINVAL;
	}
	*prefix = addr;
	*len = (uint8_t)l;
	return 0;
}

/* The n > 0 fields of one route line. */
static int
parse_route_toks(char **tok, int n, uint32_t min_hop, uint32_t max_hop,
		 struct adn_route *r, char *err, size_t err_len)
{
	unsigned long hop;
	int rc;

	if (n != 2) {
		snprintf(err, err_len,
			 "expected `a.b.c.d/len next_hop`, got %s",
			 n == 1 ? "one field" : "more than two fields");
		return -EINVAL;
	}
	rc = parse_prefix_tok(tok[0], &r->prefix, &r->len, err, err_len);
	if (rc < 0)
		return rc;
	if (parse_uint(tok[1], max_hop, &hop) < 0 || hop < min_hop) {
		snprintf(err, err_len, "bad next hop '%.20s' (allowed %u-%u)",
			 tok[1], min_hop, max_hop);
		return -EINVAL;
	}
	r->hop = (uint32_t)hop;
	r->line = 0;
	return 0;
}

int
adn_route_parse(const char *s, uint32_t min_hop, uint32_t max_hop,
		struct adn_route *r, char *err, size_t err_len)
{
	char buf[512], *tok[2];
	int n, rc;

	rc = copy_line(s, buf, sizeof(buf), err, err_len);
	if (rc < 0)
		return rc;
	n = split(buf, tok, 2);
	if (n == 0) {
		snprintf(err, err_len,
			 "expected `a.b.c.d/len next_hop`, got nothing");
		return -EINVAL;
	}
	return parse_route_toks(tok, n, min_hop, max_hop, r, err, err_len);
}

/* The single token of `s` into buf (*tok points into it); `what` names
 * the token for the error. */
static int
one_token(const char *s, char *buf, size_t len, char **tok, const char *what,
	  char *err, size_t err_len)
{
	int rc = copy_line(s, buf, len, err, err_len);

	if (rc < 0)
		return rc;
	if (split(buf, tok, 1) != 1) {
		snprintf(err, err_len, "expected one %s", what);
		return -EINVAL;
	}
	return 0;
}

int
adn_route_parse_prefix(const char *s, uint32_t *prefix, uint8_t *len,
		       char *err, size_t err_len)
{
	char buf[128], *tok[1];
	int rc = one_token(s, buf, sizeof(buf), tok, "`a.b.c.d/len`", err,
			   err_len);

	if (rc < 0)
		return rc;
	return parse_prefix_tok(tok[0], prefix, len, err, err_len);
}

int
adn_route_parse_addr(const char *s, uint32_t *addr, char *err,
		     size_t err_len)
{
	char buf[128], *tok[1];
	int rc = one_token(s, buf, sizeof(buf), tok, "address `a.b.c.d`", err,
			   err_len);

	if (rc < 0)
		return rc;
	if (parse_quad(tok[0], addr) < 0) {
		snprintf(err, err_len, "bad IPv4 address '%s'", tok[0]);
		return -EINVAL;
	}
	return 0;
}

static int
cmp_prefix(const void *a, const void *b)
{
	const struct adn_route *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->line < y->line ? -1 : 1;
}

struct route_load {
	struct adn_route_table *t;
	unsigned int cap;
	uint32_t min_hop, max_hop;
};

static int
route_line(char *line, unsigned int lineno, void *arg, char *why, size_t wl)
{
	struct route_load *l = arg;
	struct adn_route_table *t = l->t;
	char *tok[2], *hash = strchr(line, '#');
	struct adn_route r;
	int n, rc;

	if (hash != NULL)
		*hash = '\0';
	n = split(line, tok, 2);
	if (n == 0)
		return 0;
	rc = parse_route_toks(tok, n, l->min_hop, l->max_hop, &r, why, wl);
	if (rc < 0)
		return rc;
	r.line = lineno;
	rc = adn_array_reserve((void **)&t->r, t->n, &l->cap, sizeof(r),
			       UINT32_MAX / sizeof(r));
	if (rc < 0) {
		snprintf(why, wl, "out of memory");
		return rc;
	}
	t->r[t->n++] = r;
	return 0;
}

int
adn_route_file_read(const char *path, uint32_t min_hop, uint32_t max_hop,
		    struct adn_route_table *t, char *err, size_t err_len)
{
	struct route_load l = { .t = t, .min_hop = min_hop,
				.max_hop = max_hop };
	int rc;

	memset(t, 0, sizeof(*t));
	rc = adn_lines_each(path, 510, route_line, &l, err, err_len);
	if (rc == 0 && t->n == 0) {
		snprintf(err, err_len, "%s: no routes", path);
		rc = -EINVAL;
	}
	if (rc == 0) {
		/* Duplicates: sort a copy so the message names both lines. */
		struct adn_route *s = malloc(sizeof(*s) * t->n);

		if (s == NULL) {
			snprintf(err, err_len, "%s: out of memory", path);
			rc = -ENOMEM;
		} else {
			memcpy(s, t->r, sizeof(*s) * t->n);
			qsort(s, t->n, sizeof(*s), cmp_prefix);
			for (unsigned int i = 1; i < t->n; i++)
				if (s[i].len == s[i - 1].len &&
				    s[i].prefix == s[i - 1].prefix) {
					snprintf(err, err_len,
						 "%s:%u: duplicate prefix (first at line %u)",
						 path, s[i].line, s[i - 1].line);
					rc = -EINVAL;
					break;
				}
			free(s);
		}
	}
	if (rc < 0)
		adn_route_table_free(t);
	return rc;
}

void
adn_route_table_free(struct adn_route_table *t)
{
	free(t->r);
	memset(t, 0, sizeof(*t));
}

uint32_t
adn_route_table_scan(const struct adn_route_table *t, uint32_t addr)
{
	uint32_t hop = UINT32_MAX;
	int best = -1;

	for (unsigned int i = 0; i < t->n; i++) {
		const struct adn_route *r = &t->r[i];

		if ((addr & adn_route_mask(r->len)) == r->prefix &&
		    (int)r->len > best) {
			best = r->len;
			hop = r->hop;
		}
	}
	return hop;
}
