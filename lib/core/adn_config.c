/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_config.h"
#include "adn_file.h"

/* Config sources read so far (a config and its @include files). */
#define MAX_SOURCES 16

struct source {
	const char *path;	/* libconfig's, lives as long as cfg */
	char *text;		/* NULL: unreadable */
};

struct check {
	struct source src[MAX_SOURCES];
	unsigned int n_src;
	struct adn_errs *errs;
	unsigned int before;
};

/* Line `line` (1-based) of s's source file, as a pointer and a length;
 * NULL when the source is not a file or cannot be read. */
static const char *
source_line(struct check *c, const config_setting_t *s, size_t *len)
{
	const char *path = config_setting_source_file(s);
	unsigned int line = config_setting_source_line(s), i;
	const char *p;
	size_t text_len;
	char why[128];

	if (path == NULL || line == 0)
		return NULL;
	for (i = 0; i < c->n_src; i++)
		if (strcmp(c->src[i].path, path) == 0)
			break;
	if (i == c->n_src) {
		if (i == MAX_SOURCES)
			return NULL;
		c->src[i].path = path;
		/* Text as read; errors shown without it when it cannot be. */
		c->src[i].text = adn_file_read(path, &text_len, why,
					       sizeof(why));
		c->n_src++;
	}
	p = c->src[i].text;
	for (unsigned int l = 1; p != NULL && l < line; l++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return NULL;
	*len = strcspn(p, "\n");
	return p;
}

static bool
ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' ||
		ch == '*' || ch == '.';
}

/* The integer literal at t[0..], if one starts there: its length (with
 * sign and suffix), else 0. */
static size_t
int_literal(const char *t, size_t len, bool *hex, bool *wide)
{
	size_t i = 0, d;

	if (i < len && (t[i] == '-' || t[i] == '+'))
		i++;
	*hex = i + 1 < len && t[i] == '0' && (t[i + 1] == 'x' ||
					      t[i + 1] == 'X');
	if (*hex)
		i += 2;
	d = i;
	while (i < len && (*hex ? isxdigit((unsigned char)t[i]) :
			   isdigit((unsigned char)t[i])))
		i++;
	if (i == d)
		return 0;
	if (!*hex && i < len && (t[i] == '.' || t[i] == 'e' || t[i] == 'E'))
		return 0;	/* a float */
	*wide = i < len && t[i] == 'L';
	if (*wide)
		i++;
	if (i < len && *wide && t[i] == 'L')
		i++;
	return i;
}

/* Report the literal at t if libconfig cannot hold its value. */
static void
check_literal(struct check *c, const config_setting_t *where,
	      const char *key, const char *t, size_t n, bool hex, bool wide)
{
	char text[128], *end;
	bool bad;

	if (n >= sizeof(text)) {
		bad = true;
		n = sizeof(text) - 1;
	} else {
		memcpy(text, t, n);
		text[n] = '\0';
		errno = 0;
		if (hex) {
			unsigned long long u = strtoull(text, &end, 16);

			bad = errno == ERANGE || (!wide && u > UINT32_MAX);
		} else {
			long long v = strtoll(text, &end, 10);

			bad = errno == ERANGE ||
				(!wide && (v > INT32_MAX || v < INT32_MIN));
		}
	}
	if (!bad)
		return;
	memcpy(text, t, n);
	text[n] = '\0';
	if (text[0] == '-')
		adn_errs_add(c->errs, where, NULL, key,
			     "integer %s is too small: at least %" PRId32 ", or %" PRId64 " with an L suffix",
			     text, INT32_MIN, INT64_MIN);
	else
		adn_errs_add(c->errs, where, NULL, key,
			     "integer %s is too large: at most %" PRId32 " (0xffffffff in hex), or %" PRId64 " with an L suffix",
			     text, INT32_MAX, INT64_MAX);
}

/* Every integer literal on the line (strings and comments skipped). */
static void
check_line(struct check *c, const config_setting_t *where, const char *key,
	   const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		bool hex, wide;
		size_t n;

		if (t[i] == '"') {
			for (i++; i < len && t[i] != '"'; i++)
				if (t[i] == '\\')
					i++;
			continue;
		}
		if (t[i] == '#' || (t[i] == '/' && i + 1 < len &&
				    t[i + 1] == '/'))
			return;
		if (i > 0 && ident_char(t[i - 1]))
			continue;
		n = int_literal(t + i, len - i, &hex, &wide);
		if (n == 0)
			continue;
		check_literal(c, where, key, t + i, n, hex, wide);
		i += n - 1;
	}
}

/* The literal of a named integer setting: after "name =" or "name:". */
static void
check_named(struct check *c, const config_setting_t *s, const char *t,
	    size_t len)
{
	const char *name = config_setting_name(s);
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		size_t j = i + nl;
		bool hex, wide;
		size_t n;

		if (memcmp(t + i, name, nl) != 0 ||
		    (i > 0 && ident_char(t[i - 1])))
			continue;
		while (j < len && isspace((unsigned char)t[j]))
			j++;
		if (j == len || (t[j] != '=' && t[j] != ':'))
			continue;
		j++;
		while (j < len && isspace((unsigned char)t[j]))
			j++;
		n = int_literal(t + j, len - j, &hex, &wide);
		if (n != 0)
			check_literal(c, s, name, t + j, n, hex, wide);
		return;
	}
}

static void
walk(struct check *c, const config_setting_t *s)
{
	int type = config_setting_type(s);
	unsigned int last_line = 0;

	if (!config_setting_is_aggregate(s))
		return;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, i);
		int t = config_setting_type(m);
		const char *line;
		size_t len;

		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
			walk(c, m);
			continue;
		}
		line = source_line(c, m, &len);
		if (line == NULL)
			continue;
		if (type == CONFIG_TYPE_GROUP) {
			check_named(c, m, line, len);
		} else if (config_setting_source_line(m) != last_line) {
			/* List and array members have no name: every
			 * literal of their lines, once per line. */
			last_line = config_setting_source_line(m);
			check_line(c, m, config_setting_name(s), line, len);
		}
	}
}

int
adn_config_check_ints(const config_t *cfg, struct adn_errs *errs)
{
	struct check c = { .errs = errs, .before = errs->n };

	walk(&c, config_root_setting(cfg));
	for (unsigned int i = 0; i < c.n_src; i++)
		free(c.src[i].text);
	return errs->n == c.before ? 0 : -EINVAL;
}
