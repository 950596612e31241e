/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "adn_dpi_rules.h"
#include "adn_lines.h"
#include "adn_parse.h"

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The quoted literal at *s; advances *s past it. */
static int
literal(const char **s, struct adn_dpi_rule *r, char *why, size_t wl)
{
	const char *p = *s + 1;

	r->len = 0;
	for (;;) {
		char c = *p++;

		if (c == '\0' || c == '\n' || c == '\r') {
			snprintf(why, wl, "unterminated \"literal\"");
			return -EINVAL;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			c = *p++;
			if (c == 'x') {
				int h = hexv(p[0]), l = h < 0 ? -1 : hexv(p[1]);

				if (l < 0) {
					snprintf(why, wl, "bad \\x escape");
					return -EINVAL;
				}
				c = (char)(h * 16 + l);
				p += 2;
			} else if (c != '"' && c != '\\') {
				snprintf(why, wl, "bad escape (\\\", \\\\, \\xHH)");
				return -EINVAL;
			}
		}
		if (r->len + 1 >= ADN_DPI_MAX_PATTERN) {
			snprintf(why, wl, "pattern longer than %d bytes",
				 ADN_DPI_MAX_PATTERN - 1);
			return -EINVAL;
		}
		r->pattern[r->len++] = c;
	}
	if (r->len == 0) {
		snprintf(why, wl, "empty literal");
		return -EINVAL;
	}
	r->literal = true;
	*s = p;
	return 0;
}

/* The /regex/flags at *s. */
static int
regex(const char **s, struct adn_dpi_rule *r, char *why, size_t wl)
{
	const char *p = *s + 1, *end = strrchr(p, '/');

	/* the last '/' of the token ends the regex */
	const char *tok_end = p + strcspn(p, " \t\r\n");

	while (end != NULL && end >= tok_end)
		end = memrchr(p, '/', (size_t)(end - p));
	if (end == NULL || end == p) {
		snprintf(why, wl, "want /regex/flags");
		return -EINVAL;
	}
	if ((size_t)(end - p) >= ADN_DPI_MAX_PATTERN) {
		snprintf(why, wl, "pattern longer than %d bytes",
			 ADN_DPI_MAX_PATTERN - 1);
		return -EINVAL;
	}
	r->len = (size_t)(end - p);
	memcpy(r->pattern, p, r->len);
	r->pattern[r->len] = '\0';
	for (p = end + 1; p < tok_end; p++) {
		if (*p == 'i')
			r->flags |= HS_FLAG_CASELESS;
		else if (*p == 's')
			r->flags |= HS_FLAG_DOTALL;
		else if (*p == 'm')
			r->flags |= HS_FLAG_MULTILINE;
		else {
			snprintf(why, wl, "regex flag '%c' (i, s, m)", *p);
			return -EINVAL;
		}
	}
	*s = tok_end;
	return 0;
}

int
adn_dpi_rule_parse(const char *line, struct adn_dpi_rule *r, char *why,
		   size_t wl)
{
	const char *s = line + strspn(line, " \t\r\n");
	char act[16];
	int n = 0, rc;

	memset(r, 0, sizeof(*r));
	if (*s == '\0' || *s == '#')
		return 0;
	if (sscanf(s, "%15s%n", act, &n) != 1)
		return -EINVAL;
	if (strcmp(act, "drop") == 0) {
		r->action = ADN_DPI_DROP;
	} else if (strcmp(act, "alert") == 0) {
		r->action = ADN_DPI_ALERT;
	} else if (strncmp(act, "mark=", 5) == 0) {
		uint64_t b;

		if (adn_parse_u64(act + 5, 1, 31, &b) < 0) {
			snprintf(why, wl, "'%s': mark=N with N 1-31", act);
			return -EINVAL;
		}
		r->action = ADN_DPI_MARK;
		r->mark_bit = (uint8_t)b;
	} else {
		snprintf(why, wl, "action '%s' (drop, alert, mark=N)", act);
		return -EINVAL;
	}
	s += n;
	s += strspn(s, " \t");
	if (*s == '"')
		rc = literal(&s, r, why, wl);
	else if (*s == '/')
		rc = regex(&s, r, why, wl);
	else {
		snprintf(why, wl, "want \"literal\" or /regex/flags");
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	for (;;) {
		char opt[64];
		uint64_t v;

		s += strspn(s, " \t\r\n");
		if (*s == '\0' || *s == '#')
			break;
		if (sscanf(s, "%63s%n", opt, &n) != 1)
			break;
		s += n;
		if (strncmp(opt, "offset=", 7) == 0 &&
		    adn_parse_u64(opt + 7, 0, 1ULL << 40, &v) == 0) {
			r->offset = v;
		} else if (strncmp(opt, "depth=", 6) == 0 &&
			   adn_parse_u64(opt + 6, 1, 1ULL << 40, &v) == 0) {
			r->depth = v;
		} else {
			snprintf(why, wl, "option '%s' (offset=N, depth=N)",
				 opt);
			return -EINVAL;
		}
	}
	if (r->depth && r->depth < r->offset) {
		snprintf(why, wl, "depth below offset");
		return -EINVAL;
	}
	return 1;
}

struct dpi_load {
	struct adn_dpi_rule *rules;
	unsigned int n, cap;
};

static int
dpi_line(char *line, unsigned int lineno, void *arg, char *why, size_t wl)
{
	struct dpi_load *l = arg;
	int k;

	(void)lineno;
	k = adn_array_reserve((void **)&l->rules, l->n, &l->cap,
			      sizeof(*l->rules), ADN_DPI_MAX_RULES);
	if (k == -E2BIG)
		snprintf(why, wl, "more than %d rules", ADN_DPI_MAX_RULES);
	else if (k < 0)
		snprintf(why, wl, "out of memory");
	if (k < 0)
		return k;
	k = adn_dpi_rule_parse(line, &l->rules[l->n], why, wl);
	l->n += k > 0;
	return k < 0 ? k : 0;
}

int
adn_dpi_rules_load(const char *path, struct adn_dpi_rule **rules,
		   unsigned int *n_out, char *why, size_t wl)
{
	struct dpi_load l = { 0 };
	int rc;

	rc = adn_lines_each(path, ADN_DPI_MAX_PATTERN * 4 + 128, dpi_line, &l,
			    why, wl);
	if (rc < 0) {
		free(l.rules);
		return rc;
	}
	*rules = l.rules;
	*n_out = l.n;
	return 0;
}

int
adn_dpi_compile(const struct adn_dpi_rule *rules, unsigned int n,
		struct hs_database **db, char *why, size_t wl)
{
	const char **expr = calloc(n + 1, sizeof(*expr));
	unsigned int *flags = calloc(n + 1, sizeof(*flags));
	unsigned int *ids = calloc(n + 1, sizeof(*ids));
	hs_expr_ext_t *ext = calloc(n + 1, sizeof(*ext));
	const hs_expr_ext_t **extp = calloc(n + 1, sizeof(*extp));
	char **bufs = calloc(n + 1, sizeof(*bufs));
	hs_compile_error_t *ce = NULL;
	int rc = -ENOMEM;

	if (!expr || !flags || !ids || !ext || !extp || !bufs)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		const struct adn_dpi_rule *r = &rules[i];

		bufs[i] = malloc(r->len * 4 + 1);
		if (bufs[i] == NULL)
			goto out;
		if (r->literal) {
			/* hs_compile_lit_multi takes no ext; a literal is a
			 * regex of \xHH escapes, so one database holds all */
			for (size_t k = 0; k < r->len; k++)
				sprintf(bufs[i] + 4 * k, "\\x%02x",
					(unsigned char)r->pattern[k]);
			bufs[i][r->len * 4] = '\0';
		} else {
			memcpy(bufs[i], r->pattern, r->len + 1);
		}
		expr[i] = bufs[i];
		flags[i] = r->flags | HS_FLAG_SINGLEMATCH;
		ids[i] = i;
		if (r->offset || r->depth) {
			if (r->offset) {
				ext[i].flags |= HS_EXT_FLAG_MIN_OFFSET;
				ext[i].min_offset = r->offset;
			}
			if (r->depth) {
				ext[i].flags |= HS_EXT_FLAG_MAX_OFFSET;
				ext[i].max_offset = r->depth;
			}
			extp[i] = &ext[i];
		}
	}
	if (n == 0) {
		snprintf(why, wl, "no rules");
		rc = -EINVAL;
		goto out;
	}
	if (hs_compile_ext_multi(expr, flags, ids, extp, n, HS_MODE_STREAM,
				 NULL, db, &ce) != HS_SUCCESS) {
		snprintf(why, wl, "rule %d: %s",
			 ce->expression >= 0 ? ce->expression + 1 : 0,
			 ce->message);
		hs_free_compile_error(ce);
		rc = -EINVAL;
		goto out;
	}
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(why, wl, "out of memory");
	for (unsigned int i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(expr);
	free(flags);
	free(ids);
	free(ext);
	free(extp);
	return rc;
}
