/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adn_json.h"

struct reader {
	const char *s, *end;
	const char *start;
	char *err;
	size_t err_len;
	int rc;
};

static int
fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->rc != 0)
		return r->rc;
	r->rc = -EINVAL;
	n = snprintf(r->err, r->err_len, "at byte %zu: ",
		     (size_t)(r->s - r->start));
	if (n >= 0 && (size_t)n < r->err_len) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return r->rc;
}

static void
skip_ws(struct reader *r)
{
	while (r->s < r->end && (*r->s == ' ' || *r->s == '\t' ||
				 *r->s == '\n' || *r->s == '\r'))
		r->s++;
}

static bool
take(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->s) < n || memcmp(r->s, word, n) != 0)
		return false;
	r->s += n;
	return true;
}

static int
hex4(struct reader *r, uint32_t *out)
{
	*out = 0;
	if (r->end - r->s < 4)
		return fail(r, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *r->s++;
		unsigned int v;

		if (c >= '0' && c <= '9')
			v = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = (unsigned int)(c - 'A' + 10);
		else
			return fail(r, "bad hex digit in \\u escape");
		*out = *out << 4 | v;
	}
	return 0;
}

static size_t
utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The escape after a backslash, as UTF-8 into `o`; its length or -1. */
static int
escape(struct reader *r, char *o)
{
	uint32_t cp, lo;
	char c;

	if (r->s >= r->end)
		return fail(r, "truncated escape"), -1;
	c = *r->s++;
	switch (c) {
	case '"': case '\\': case '/':
		o[0] = c;
		return 1;
	case 'b': o[0] = '\b'; return 1;
	case 'f': o[0] = '\f'; return 1;
	case 'n': o[0] = '\n'; return 1;
	case 'r': o[0] = '\r'; return 1;
	case 't': o[0] = '\t'; return 1;
	case 'u':
		if (hex4(r, &cp) < 0)
			return -1;
		if (cp >= 0xd800 && cp < 0xdc00) {
			if (!take(r, "\\u") || hex4(r, &lo) < 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return fail(r, "unpaired surrogate"), -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp < 0xe000) {
			return fail(r, "unpaired surrogate"), -1;
		}
		return (int)utf8(cp, o);
	default:
		r->s--;
		return fail(r, "bad escape '\\%c'", c), -1;
	}
}

/* A string after its opening quote; malloc'd, NUL-terminated. Escapes
 * never grow the text (\uXXXX is 6 bytes for at most 4), so its raw
 * length bounds the result. */
static char *
string(struct reader *r)
{
	const char *q = r->s;
	char *out, *o;

	while (q < r->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	if (q >= r->end) {
		fail(r, "unterminated string");
		return NULL;
	}
	out = o = malloc((size_t)(q - r->s) + 1);
	if (out == NULL) {
		r->rc = -ENOMEM;
		return NULL;
	}
	while (*r->s != '"') {
		unsigned char c = (unsigned char)*r->s;
		int n;

		if (c < 0x20) {
			fail(r, "control character in string");
			goto bad;
		}
		r->s++;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		n = escape(r, o);
		if (n < 0)
			goto bad;
		o += n;
	}
	r->s++;
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int
number(struct reader *r, struct adn_json *j)
{
	const char *p = r->s;
	char *endp;

	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end || *p < '0' || *p > '9')
		return fail(r, "unexpected character '%c'", *r->s);
	while (p < r->end && *p != '\0' &&
	       strchr("0123456789+-.eE", *p) != NULL)
		p++;
	j->str = strndup(r->s, (size_t)(p - r->s));
	if (j->str == NULL)
		return r->rc = -ENOMEM;
	j->num = strtod(j->str, &endp);
	if (*endp != '\0')
		return fail(r, "bad number '%s'", j->str);
	j->type = ADN_JSON_NUMBER;
	r->s = p;
	return 0;
}

static int value(struct reader *r, struct adn_json *j, int depth);

/* The members or elements of an object or array after its bracket. */
static int
members(struct reader *r, struct adn_json *j, char close, int depth)
{
	struct adn_json **tail = &j->child;

	skip_ws(r);
	if (r->s < r->end && *r->s == close) {
		r->s++;
		return 0;
	}
	for (;;) {
		struct adn_json *c = calloc(1, sizeof(*c));

		if (c == NULL)
			return r->rc = -ENOMEM;
		*tail = c;
		tail = &c->next;
		j->n++;
		skip_ws(r);
		if (j->type == ADN_JSON_OBJECT) {
			if (r->s >= r->end || *r->s != '"')
				return fail(r, "expected a member name");
			r->s++;
			c->key = string(r);
			if (c->key == NULL)
				return r->rc;
			skip_ws(r);
			if (r->s >= r->end || *r->s != ':')
				return fail(r, "expected ':'");
			r->s++;
		}
		if (value(r, c, depth + 1) < 0)
			return r->rc;
		skip_ws(r);
		if (r->s < r->end && *r->s == ',') {
			r->s++;
			continue;
		}
		if (r->s < r->end && *r->s == close) {
			r->s++;
			return 0;
		}
		return fail(r, "expected ',' or '%c'", close);
	}
}

static int
value(struct reader *r, struct adn_json *j, int depth)
{
	if (depth > ADN_JSON_MAX_DEPTH)
		return fail(r, "nested deeper than %d", ADN_JSON_MAX_DEPTH);
	skip_ws(r);
	if (r->s >= r->end)
		return fail(r, "unexpected end");
	switch (*r->s) {
	case '{':
	case '[':
		j->type = *r->s == '{' ? ADN_JSON_OBJECT : ADN_JSON_ARRAY;
		r->s++;
		return members(r, j, j->type == ADN_JSON_OBJECT ? '}' : ']',
			       depth);
	case '"':
		r->s++;
		j->type = ADN_JSON_STRING;
		j->str = string(r);
		return j->str == NULL ? r->rc : 0;
	default:
		break;
	}
	if (take(r, "null")) {
		j->type = ADN_JSON_NULL;
		return 0;
	}
	if (take(r, "true") || take(r, "false")) {
		j->type = ADN_JSON_BOOL;
		j->b = r->s[-2] == 'u';	/* "true" ends in "ue", "false" "se" */
		return 0;
	}
	return number(r, j);
}

int
adn_json_parse(const char *text, size_t len, struct adn_json **out,
	       char *err, size_t err_len)
{
	struct reader r = { .s = text, .end = text + len, .start = text,
			    .err = err, .err_len = err_len };
	struct adn_json *j = calloc(1, sizeof(*j));

	*out = NULL;
	if (err_len > 0)
		err[0] = '\0';
	if (j == NULL)
		return -ENOMEM;
	if (value(&r, j, 0) == 0) {
		skip_ws(&r);
		if (r.s != r.end)
			fail(&r, "text after the value");
	}
	if (r.rc != 0) {
		adn_json_free(j);
		return r.rc;
	}
	*out = j;
	return 0;
}

void
adn_json_free(struct adn_json *j)
{
	/* Siblings iteratively, children recursively: the depth is bounded
	 * by the parser, a long array is not. */
	while (j != NULL) {
		struct adn_json *next = j->next;

		adn_json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

const struct adn_json *
adn_json_get(const struct adn_json *j, const char *key)
{
	if (j == NULL || j->type != ADN_JSON_OBJECT)
		return NULL;
	for (const struct adn_json *c = j->child; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

uint64_t
adn_json_u64(const struct adn_json *j)
{
	if (j == NULL || j->type != ADN_JSON_NUMBER)
		return 0;
	if (j->str[0] != '-' && strpbrk(j->str, ".eE") == NULL)
		return strtoull(j->str, NULL, 10);
	return j->num > 0 ? (uint64_t)j->num : 0;
}

double
adn_json_num(const struct adn_json *j)
{
	return j != NULL && j->type == ADN_JSON_NUMBER ? j->num : 0;
}

const char *
adn_json_str(const struct adn_json *j)
{
	return j != NULL && j->type == ADN_JSON_STRING ? j->str : "";
}

static void
write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
write_value(FILE *f, const struct adn_json *j, int indent, int level)
{
	const char open = j->type == ADN_JSON_OBJECT ? '{' : '[';

	switch (j->type) {
	case ADN_JSON_NULL:
		fputs("null", f);
		return;
	case ADN_JSON_BOOL:
		fputs(j->b ? "true" : "false", f);
		return;
	case ADN_JSON_NUMBER:
		fputs(j->str, f);
		return;
	case ADN_JSON_STRING:
		write_string(f, j->str);
		return;
	case ADN_JSON_ARRAY:
	case ADN_JSON_OBJECT:
		break;
	}
	fputc(open, f);
	for (const struct adn_json *c = j->child; c != NULL; c = c->next) {
		if (indent > 0)
			fprintf(f, "\n%*s", indent * (level + 1), "");
		if (c->key != NULL) {
			write_string(f, c->key);
			fputs(": ", f);
		}
		write_value(f, c, indent, level + 1);
		if (c->next != NULL)
			fputs(indent > 0 ? "," : ", ", f);
	}
	if (indent > 0 && j->child != NULL)
		fprintf(f, "\n%*s", indent * level, "");
	fputc(open == '{' ? '}' : ']', f);
}

void
adn_json_write(FILE *f, const struct adn_json *j, int indent)
{
	write_value(f, j, indent, 0);
}
