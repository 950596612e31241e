/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Views: selector parsing and field reads (adn_rpc_view.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_http.h"
#include "adn_rpc_view.h"

#define SEL_MAX_SEGMENT 255

const char *
adn_rpc_vtype_str(enum adn_rpc_vtype t)
{
	switch (t) {
	case ADN_RPC_VT_ANY: return "any";
	case ADN_RPC_VT_BYTES: return "bytes";
	case ADN_RPC_VT_U64: return "u64";
	}
	return "?";
}

/* Whether a selector of this kind yields a number (else text). */
static bool
sel_is_number(enum adn_rpc_sel_kind k)
{
	return k == ADN_RPC_SEL_REQ_ID || k == ADN_RPC_SEL_SERVICE ||
		k == ADN_RPC_SEL_METHOD_ID;
}

/* Whether text of this kind may be read as a number (decimal text). */
static bool
sel_may_be_number(enum adn_rpc_sel_kind k)
{
	return k != ADN_RPC_SEL_PATH && k != ADN_RPC_SEL_HTTP_METHOD &&
		k != ADN_RPC_SEL_BODY;
}

/* Decimal "0"-"MAX" of at most 10 digits into *v; false otherwise. */
static bool
parse_small(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 10)
		return false;
	*v = strtoul(s, &end, 10);
	return *end == '\0' && *v <= max;
}

static bool
query_name_ok(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '&' && c != '=' && c != '#';
}

int
adn_rpc_sel_parse(const char *text, enum adn_rpc_vtype type,
		  struct adn_rpc_sel *s, char *why, size_t why_len)
{
	const char *colon = strchr(text, ':');
	const size_t plen = colon ? (size_t)(colon - text) : strlen(text);
	const char *arg = colon ? colon + 1 : NULL;
	unsigned long n;

	memset(s, 0, sizeof(*s));
	if (plen == 3 && strncmp(text, "rpc", 3) == 0 && arg != NULL) {
		if (strcmp(arg, "id") == 0)
			s->kind = ADN_RPC_SEL_REQ_ID;
		else if (strcmp(arg, "service") == 0)
			s->kind = ADN_RPC_SEL_SERVICE;
		else if (strcmp(arg, "method") == 0)
			s->kind = ADN_RPC_SEL_METHOD_ID;
		else if (parse_small(arg, 255, &n) && n >= 1) {
			s->kind = ADN_RPC_SEL_FIELD;
			s->id = (uint8_t)n;
		} else {
			snprintf(why, why_len, "'%s': an ADN RPC selector is "
				 "rpc:N (field id 1-255), rpc:id, rpc:service "
				 "or rpc:method", text);
			return -EINVAL;
		}
	} else if ((plen == 6 && strncmp(text, "header", 6) == 0) ||
		   (plen == 5 && strncmp(text, "query", 5) == 0)) {
		const bool hdr = plen == 6;
		size_t len = arg ? strlen(arg) : 0;

		if (len == 0 || len >= ADN_RPC_SEL_NAME) {
			snprintf(why, why_len, "'%s': needs a name of 1-%d "
				 "characters (%s:NAME)", text,
				 ADN_RPC_SEL_NAME - 1, hdr ? "header" : "query");
			return -EINVAL;
		}
		for (size_t i = 0; i < len; i++) {
			const uint8_t c = (uint8_t)arg[i];

			if (hdr ? !adn_http_is_tchar(c) : !query_name_ok(c)) {
				snprintf(why, why_len, "'%s': '%c' cannot be in "
					 "a %s name", text, isprint(c) ? c : '?',
					 hdr ? "header field" : "query parameter");
				return -EINVAL;
			}
			s->name[i] = hdr ? (char)adn_http_lower(c) : (char)c;
		}
		s->name_len = (uint8_t)len;
		s->kind = hdr ? ADN_RPC_SEL_HEADER : ADN_RPC_SEL_QUERY;
	} else if (plen == 4 && strncmp(text, "path", 4) == 0) {
		if (arg == NULL)
			s->kind = ADN_RPC_SEL_PATH;
		else if (parse_small(arg, SEL_MAX_SEGMENT, &n)) {
			s->kind = ADN_RPC_SEL_SEGMENT;
			s->seg = (uint16_t)n;
		} else {
			snprintf(why, why_len, "'%s': a path segment is "
				 "path:N, N 0-%d (0: the first)", text,
				 SEL_MAX_SEGMENT);
			return -EINVAL;
		}
	} else if (strcmp(text, "method") == 0) {
		s->kind = ADN_RPC_SEL_HTTP_METHOD;
	} else if (strcmp(text, "body") == 0) {
		s->kind = ADN_RPC_SEL_BODY;
	} else {
		snprintf(why, why_len, "'%s': unknown selector (rpc:N, rpc:id, "
			 "rpc:service, rpc:method, header:NAME, query:NAME, "
			 "path, path:N, method, body)", text);
		return -EINVAL;
	}
	if (type == ADN_RPC_VT_BYTES && sel_is_number(s->kind)) {
		snprintf(why, why_len, "'%s' is a number; the field is bytes "
			 "(declare it u64 or any, or map it to text)", text);
		return -EINVAL;
	}
	if (type == ADN_RPC_VT_U64 && !sel_may_be_number(s->kind)) {
		snprintf(why, why_len, "'%s' is text, never a number; the "
			 "field is u64", text);
		return -EINVAL;
	}
	return 0;
}

void
adn_rpc_sel_str(const struct adn_rpc_sel *s, char *out, size_t len)
{
	switch ((enum adn_rpc_sel_kind)s->kind) {
	case ADN_RPC_SEL_FIELD:
		snprintf(out, len, "rpc:%u", s->id);
		return;
	case ADN_RPC_SEL_REQ_ID:
		snprintf(out, len, "rpc:id");
		return;
	case ADN_RPC_SEL_SERVICE:
		snprintf(out, len, "rpc:service");
		return;
	case ADN_RPC_SEL_METHOD_ID:
		snprintf(out, len, "rpc:method");
		return;
	case ADN_RPC_SEL_HEADER:
	case ADN_RPC_SEL_QUERY:
		snprintf(out, len, "%s:%.*s",
			 s->kind == ADN_RPC_SEL_HEADER ? "header" : "query",
			 s->name_len, s->name);
		return;
	case ADN_RPC_SEL_PATH:
		snprintf(out, len, "path");
		return;
	case ADN_RPC_SEL_SEGMENT:
		snprintf(out, len, "path:%u", s->seg);
		return;
	case ADN_RPC_SEL_HTTP_METHOD:
		snprintf(out, len, "method");
		return;
	case ADN_RPC_SEL_BODY:
		snprintf(out, len, "body");
		return;
	}
	snprintf(out, len, "?");
}

int
adn_rpc_view_init(struct adn_rpc_view *v,
		  const struct adn_rpc_view_decl *decl)
{
	memset(v, 0, sizeof(*v));
	for (unsigned int i = 0; decl != NULL && decl[i].name != NULL; i++) {
		if (i == ADN_RPC_VIEW_MAX ||
		    strlen(decl[i].name) >= ADN_RPC_VIEW_NAME)
			return -E2BIG;
		snprintf(v->f[i].name, sizeof(v->f[i].name), "%s",
			 decl[i].name);
		v->f[i].type = decl[i].type;
		v->n = i + 1;
	}
	return 0;
}

int
adn_rpc_view_find(const struct adn_rpc_view *v, const char *name)
{
	for (unsigned int i = 0; i < v->n; i++)
		if (strcmp(v->f[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
adn_rpc_view_map(struct adn_rpc_view *v, bool open, const char *name,
		 const char *const *texts, unsigned int n, char *why,
		 size_t why_len)
{
	int i = adn_rpc_view_find(v, name);
	struct adn_rpc_view_field *f;

	if (i < 0 && !open) {
		size_t o = (size_t)snprintf(why, why_len, "no field '%s' in "
					    "this element's view (it reads:",
					    name);

		for (unsigned int k = 0; k < v->n && o < why_len; k++)
			o += (size_t)snprintf(why + o, why_len - o, " %s",
					      v->f[k].name);
		if (o < why_len)
			snprintf(why + o, why_len - o, ")");
		return -EINVAL;
	}
	if (i < 0) {
		if (v->n == ADN_RPC_VIEW_MAX) {
			snprintf(why, why_len, "'%s': a view has at most %d "
				 "fields", name, ADN_RPC_VIEW_MAX);
			return -E2BIG;
		}
		if (name[0] == '\0' || strlen(name) >= ADN_RPC_VIEW_NAME) {
			snprintf(why, why_len, "'%s': a field name has 1-%d "
				 "characters", name, ADN_RPC_VIEW_NAME - 1);
			return -EINVAL;
		}
		i = (int)v->n++;
		snprintf(v->f[i].name, sizeof(v->f[i].name), "%s", name);
		v->f[i].type = ADN_RPC_VT_ANY;
	}
	f = &v->f[i];
	if (f->n_sel > 0) {
		snprintf(why, why_len, "field '%s' is mapped twice", name);
		return -EINVAL;
	}
	if (n == 0 || n > ADN_RPC_VIEW_ALT) {
		snprintf(why, why_len, "field '%s': give 1-%d selectors", name,
			 ADN_RPC_VIEW_ALT);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < n; k++) {
		char r[256];

		if (adn_rpc_sel_parse(texts[k], (enum adn_rpc_vtype)f->type,
				      &f->sel[k], r, sizeof(r)) < 0) {
			snprintf(why, why_len, "field '%s' (%s): %s", name,
				 adn_rpc_vtype_str(f->type), r);
			return -EINVAL;
		}
	}
	f->n_sel = (uint8_t)n;
	return 0;
}

/* --- reading ------------------------------------------------------------- */

static int
val_text(struct adn_rpc_val *out, const void *p, size_t len)
{
	out->type = ADN_RPC_VT_BYTES;
	out->p = p;
	out->len = (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len);
	out->u64 = 0;
	return 1;
}

static int
val_number(struct adn_rpc_val *out, uint64_t v)
{
	out->type = ADN_RPC_VT_U64;
	out->u64 = v;
	out->p = NULL;
	out->len = 0;
	return 1;
}

/* Path segment `seg` of path p (len bytes, "/a/b"): 1 with *out set. */
static int
path_segment(const char *p, size_t len, unsigned int seg,
	     struct adn_rpc_val *out)
{
	size_t pos = len > 0 && p[0] == '/' ? 1 : 0;

	for (unsigned int i = 0; pos <= len; i++) {
		const char *slash = memchr(p + pos, '/', len - pos);
		const size_t stop = slash ? (size_t)(slash - p) : len;

		if (i == seg)
			return val_text(out, p + pos, stop - pos);
		if (slash == NULL)
			return 0;
		pos = stop + 1;
	}
	return 0;
}

/* The selector's value as found: a number or text. */
static int
sel_raw(const struct adn_rpc_msg *m, const struct adn_rpc_sel *s,
	struct adn_rpc_val *out)
{
	const bool adn = m->carrier == ADN_RPC_CARRIER_ADN;
	const bool http = m->carrier == ADN_RPC_CARRIER_HTTP;
	struct adn_http_span sp;

	switch ((enum adn_rpc_sel_kind)s->kind) {
	case ADN_RPC_SEL_FIELD: {
		const struct adn_rpc_field *f;

		if (!adn || (f = adn_rpc_field_find(&m->hdr, s->id)) == NULL)
			return 0;
		if (f->type == ADN_RPC_FT_U64)
			return val_number(out, f->u64);
		return val_text(out, m->rpc + f->off, f->len);
	}
	case ADN_RPC_SEL_REQ_ID:
		return adn ? val_number(out, m->req_id) : 0;
	case ADN_RPC_SEL_SERVICE:
		return adn ? val_number(out, m->service) : 0;
	case ADN_RPC_SEL_METHOD_ID:
		return adn ? val_number(out, m->method) : 0;
	case ADN_RPC_SEL_HEADER:
		if (!http || m->head == NULL ||
		    !adn_http_header_find((const uint8_t *)m->head,
					  m->head_len, s->name, s->name_len,
					  &sp))
			return 0;
		return val_text(out, m->head + sp.off, sp.len);
	case ADN_RPC_SEL_QUERY:
		if (!http || m->query == NULL ||
		    !adn_http_query_find((const uint8_t *)m->query,
					 m->query_len, s->name, s->name_len,
					 &sp))
			return 0;
		return val_text(out, m->query + sp.off, sp.len);
	case ADN_RPC_SEL_PATH:
		if (!http || m->path == NULL)
			return 0;
		return val_text(out, m->path, m->path_len);
	case ADN_RPC_SEL_SEGMENT:
		if (!http || m->path == NULL)
			return 0;
		return path_segment(m->path, m->path_len, s->seg, out);
	case ADN_RPC_SEL_HTTP_METHOD: {
		const char *name;

		if (!http || m->kind != ADN_RPC_T_REQUEST)
			return 0;
		name = adn_http_method_str(m->method);
		return name[0] ? val_text(out, name, strlen(name)) : 0;
	}
	case ADN_RPC_SEL_BODY:
		if (m->payload == NULL)
			return 0;
		return val_text(out, m->payload, m->payload_len);
	}
	return 0;
}

int
adn_rpc_sel_get(const struct adn_rpc_msg *m, const struct adn_rpc_sel *s,
		enum adn_rpc_vtype type, struct adn_rpc_val *out)
{
	if (!sel_raw(m, s, out))
		return 0;
	if (type == ADN_RPC_VT_U64 && out->type == ADN_RPC_VT_BYTES) {
		/* decimal text: 1-20 digits, no overflow */
		uint64_t v = 0;

		if (out->len == 0 || out->len > 20)
			return 0;
		for (uint16_t i = 0; i < out->len; i++) {
			const unsigned int d = (unsigned int)(out->p[i] - '0');

			if (d > 9 || v > (UINT64_MAX - d) / 10)
				return 0;
			v = v * 10 + d;
		}
		return val_number(out, v);
	}
	if (type != ADN_RPC_VT_U64 && out->type == ADN_RPC_VT_U64) {
		/* a number read as bytes: its decimal text, so a u64 field
		 * and a header with the same digits give the same bytes */
		char tmp[20];
		uint64_t v = out->u64;
		unsigned int k = 0;

		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		for (unsigned int j = 0; j < k; j++)
			out->num[j] = tmp[k - 1 - j];
		out->type = ADN_RPC_VT_BYTES;
		out->p = (const uint8_t *)out->num;
		out->len = (uint16_t)k;
	}
	return 1;
}

int
adn_rpc_view_get(const struct adn_rpc_msg *m, const struct adn_rpc_view *v,
		 unsigned int i, struct adn_rpc_val *out)
{
	const struct adn_rpc_view_field *f = &v->f[i];

	for (unsigned int k = 0; k < f->n_sel; k++)
		if (adn_rpc_sel_get(m, &f->sel[k], (enum adn_rpc_vtype)f->type,
				    out))
			return 1;
	return 0;
}
