/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
fail(char *err, size_t len, const char *path, unsigned int line,
     const char *fmt, const char *what)
{
	int n = snprintf(err, len, "%s:%u: ", path, line);

	if (n > 0 && (size_t)n < len)
		snprintf(err + n, len - n, fmt, what);
	return -EINVAL;
}

int
adn_route_file_read(const char *path, uint32_t min_hop, uint32_t max_hop,
		    struct adn_route_table *t, char *err, size_t err_len)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	unsigned int line = 0, cap = 0;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (f == NULL) {
		rc = -errno;
		snprintf(err, err_len, "%s: cannot read: %s", path,
			 strerror(errno));
		return rc;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *tok[3], *save = NULL, *slash, *hash;
		unsigned long len, hop;
		uint32_t addr;
		int n = 0;

		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			rc = fail(err, err_len, path, line,
				  "line longer than %s characters", "510");
			break;
		}
		hash = strchr(buf, '#');
		if (hash != NULL)
			*hash = '\0';
		for (char *p = strtok_r(buf, " \t\r\n", &save); p != NULL;
		     p = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == 3)
				break;
			tok[n++] = p;
		}
		if (n == 0)
			continue;
		if (n != 2) {
			rc = fail(err, err_len, path, line,
				  "expected `a.b.c.d/len next_hop`, got %s",
				  n == 1 ? "one field" : "more than two fields");
			break;
		}
		slash = strchr(tok[0], '/');
		if (slash == NULL) {
			rc = fail(err, err_len, path, line,
				  "prefix '%s' has no /len", tok[0]);
			break;
		}
		*slash = '\0';
		if (parse_quad(tok[0], &addr) < 0) {
			rc = fail(err, err_len, path, line,
				  "bad IPv4 address '%s'", tok[0]);
			break;
		}
		if (parse_uint(slash + 1, 32, &len) < 0) {
			rc = fail(err, err_len, path, line,
				  "bad prefix length '%s' (allowed 0-32)",
				  slash + 1);
			break;
		}
		if (addr & ~adn_route_mask((unsigned int)len)) {
			*slash = '/';
			rc = fail(err, err_len, path, line,
				  "host bits set in '%s'", tok[0]);
			break;
		}
		if (parse_uint(tok[1], max_hop, &hop) < 0 || hop < min_hop) {
			char what[64];

			snprintf(what, sizeof(what), "%.20s' (allowed %u-%u",
				 tok[1], min_hop, max_hop);
			rc = fail(err, err_len, path, line,
				  "bad next hop '%s)", what);
			break;
		}
		if (t->n == cap) {
			unsigned int c = cap ? cap * 2 : 1024;
			struct adn_route *r = realloc(t->r, sizeof(*r) * c);

			if (r == NULL) {
				rc = -ENOMEM;
				snprintf(err, err_len, "%s: out of memory",
					 path);
				break;
			}
			t->r = r;
			cap = c;
		}
		t->r[t->n].prefix = addr;
		t->r[t->n].len = (uint8_t)len;
		t->r[t->n].hop = (uint32_t)hop;
		t->r[t->n].line = line;
		t->n++;
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		snprintf(err, err_len, "%s: read error", path);
	}
	fclose(f);
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
