/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 message heads and bodies (adn_http.h). One parse function is
 * written once (http_parse) and instantiated twice, with and without the
 * SSE4.2 scanners, so the two cannot drift apart.
 */
#include <errno.h>
#include <string.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "adn_http.h"

static const char *const http_err_names[ADN_HTTP_E_MAX] = {
	[ADN_HTTP_OK] = "ok",
	[ADN_HTTP_E_BAD_METHOD] = "bad-method",
	[ADN_HTTP_E_BAD_TARGET] = "bad-target",
	[ADN_HTTP_E_BAD_VERSION] = "bad-version",
	[ADN_HTTP_E_BAD_STATUS] = "bad-status",
	[ADN_HTTP_E_BAD_LINE] = "bad-line",
	[ADN_HTTP_E_BAD_HEADER] = "bad-header",
	[ADN_HTTP_E_HEAD_TOO_LONG] = "head-too-long",
	[ADN_HTTP_E_TOO_MANY_HEADERS] = "too-many-headers",
	[ADN_HTTP_E_NO_HOST] = "no-host",
	[ADN_HTTP_E_DUP_HOST] = "dup-host",
	[ADN_HTTP_E_BAD_CL] = "bad-content-length",
	[ADN_HTTP_E_BAD_TE] = "bad-transfer-encoding",
	[ADN_HTTP_E_CL_TE] = "cl-and-te",
	[ADN_HTTP_E_BAD_CHUNK] = "bad-chunk",
};

const char *
adn_http_err_str(enum adn_http_err e)
{
	return (unsigned int)e < ADN_HTTP_E_MAX ? http_err_names[e] : "?";
}

bool
adn_http_simd(void)
{
#ifdef __SSE4_2__
	return true;
#else
	return false;
#endif
}

int
adn_http_want_add(struct adn_http_want *w, const char *name)
{
	size_t n = strlen(name);

	if (w->n == ADN_HTTP_MAX_WANT)
		return -E2BIG;
	if (n == 0 || n >= ADN_HTTP_MAX_NAME)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!adn_http_is_tchar((uint8_t)name[i]))
			return -EINVAL;
		w->name[w->n][i] = (char)adn_http_lower((uint8_t)name[i]);
	}
	w->name[w->n][n] = '\0';
	w->len[w->n++] = (uint8_t)n;
	return 0;
}

/* --- scanners: the first byte of [p, end) in the stop set --------------- */

/* Stop sets as PCMPESTRI ranges (pairs lo, hi) and as the same test byte
 * by byte. Path: CTL, SP, '?', non-ASCII. Query: the same without '?'.
 * Field value: CTL except HTAB (obs-text is allowed in values). */
static inline int
stop_path(uint8_t c)
{
	return c <= 0x20 || c == '?' || c >= 0x7f;
}

static inline int
stop_query(uint8_t c)
{
	return c <= 0x20 || c >= 0x7f;
}

static inline int
stop_value(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

enum scan_set { SCAN_PATH, SCAN_QUERY, SCAN_VALUE };

static inline int
stop_at(enum scan_set s, uint8_t c)
{
	return s == SCAN_PATH ? stop_path(c) :
		s == SCAN_QUERY ? stop_query(c) : stop_value(c);
}

static inline const uint8_t *
scan(const uint8_t *p, const uint8_t *end, enum scan_set s, const bool simd)
{
#ifdef __SSE4_2__
	if (simd) {
		static const char r_path[16] = "\x00\x20??\x7f\xff";
		static const char r_query[16] = "\x00\x20\x7f\xff";
		static const char r_value[16] = "\x00\x08\x0a\x1f\x7f\x7f";
		const char *rs = s == SCAN_PATH ? r_path :
			s == SCAN_QUERY ? r_query : r_value;
		const int rl = s == SCAN_QUERY ? 4 : 6;
		const __m128i ranges = _mm_loadu_si128((const __m128i *)rs);

		/* Whole 16-byte blocks only: never read past `end`. */
		while (end - p >= 16) {
			__m128i b = _mm_loadu_si128((const __m128i *)p);
			int i = _mm_cmpestri(ranges, rl, b, 16,
					     _SIDD_UBYTE_OPS |
					     _SIDD_CMP_RANGES |
					     _SIDD_LEAST_SIGNIFICANT);

			if (i != 16)
				return p + i;
			p += 16;
		}
	}
#endif
	while (p < end && !stop_at(s, *p))
		p++;
	return p;
}

/* --- the head -------------------------------------------------------- */

/* Case-insensitive compare of a field name against a lower-case one. */
static inline bool
name_is(const uint8_t *n, size_t len, const char *lc, size_t lclen)
{
	if (len != lclen)
		return false;
	for (size_t i = 0; i < len; i++)
		if (adn_http_lower(n[i]) != (uint8_t)lc[i])
			return false;
	return true;
}

/* Whether comma-separated list [v, v+len) holds `tok` (lower case). */
static bool
list_has(const uint8_t *v, size_t len, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < len) {
		size_t s, e;

		while (i < len && (adn_http_is_ows(v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (e > s && adn_http_is_ows(v[e - 1]))
			e--;
		if (name_is(v + s, e - s, tok, tl))
			return true;
	}
	return false;
}

static inline struct adn_http_span
span(const uint8_t *base, const uint8_t *s, const uint8_t *e)
{
	return (struct adn_http_span){ (uint16_t)(s - base),
				       (uint16_t)(e - s) };
}

/* One field line's value [v, ve): apply what it means to *m. */
static int
field(const uint8_t *buf, const uint8_t *n, size_t nl, const uint8_t *v,
      const uint8_t *ve, bool response, const struct adn_http_want *want,
      struct adn_http_msg *m)
{
	size_t vl = (size_t)(ve - v);

	if (want != NULL)
		for (unsigned int i = 0; i < want->n; i++)
			if (m->want[i].len == 0 && vl > 0 &&
			    name_is(n, nl, want->name[i], want->len[i]))
				m->want[i] = span(buf, v, ve);
	switch (nl) {
	case 4:
		if (response || !name_is(n, nl, "host", 4))
			return 0;
		if (m->flags & ADN_HTTP_F_HAS_HOST)
			return -ADN_HTTP_E_DUP_HOST;
		/* Whitespace inside a host is a smuggling vector (two
		 * readings of one value). */
		for (size_t i = 0; i < vl; i++)
			if (adn_http_is_ows(v[i]) || v[i] == '/' ||
			    v[i] == '@' || v[i] == '\\')
				return -ADN_HTTP_E_BAD_HEADER;
		m->flags |= ADN_HTTP_F_HAS_HOST;
		m->host = span(buf, v, ve);
		return 0;
	case 10:
		if (!name_is(n, nl, "connection", 10))
			return 0;
		if (list_has(v, vl, "close"))
			m->flags |= ADN_HTTP_F_CLOSE;
		if (list_has(v, vl, "keep-alive"))
			m->flags |= ADN_HTTP_F_KEEP_ALIVE;
		return 0;
	case 14: {
		uint64_t x = 0;

		if (!name_is(n, nl, "content-length", 14))
			return 0;
		if (m->flags & ADN_HTTP_F_HAS_CL)
			return -ADN_HTTP_E_BAD_CL;
		if (m->flags & ADN_HTTP_F_CHUNKED)
			return -ADN_HTTP_E_CL_TE;
		if (vl == 0 || vl > 18)
			return -ADN_HTTP_E_BAD_CL;
		for (size_t i = 0; i < vl; i++) {
			if (v[i] < '0' || v[i] > '9')
				return -ADN_HTTP_E_BAD_CL;
			x = x * 10 + (uint64_t)(v[i] - '0');
		}
		m->flags |= ADN_HTTP_F_HAS_CL;
		m->content_length = x;
		return 0;
	}
	case 17:
		if (!name_is(n, nl, "transfer-encoding", 17))
			return 0;
		/* Only one, exactly "chunked": a list ("gzip, chunked")
		 * is legal but no backend behind us is promised to read
		 * it the same way. */
		if ((m->flags & ADN_HTTP_F_CHUNKED) || m->minor == 0 ||
		    !name_is(v, vl, "chunked", 7))
			return -ADN_HTTP_E_BAD_TE;
		if (m->flags & ADN_HTTP_F_HAS_CL)
			return -ADN_HTTP_E_CL_TE;
		m->flags |= ADN_HTTP_F_CHUNKED;
		return 0;
	default:
		return 0;
	}
}

/* The version "HTTP/1.x" at p (8 bytes known to be there). */
static inline int
version(const uint8_t *p, struct adn_http_msg *m)
{
	if (memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
		return -1;
	m->minor = (uint8_t)(p[7] - '0');
	return 0;
}

/* The end of line at p: 1 when CRLF, 0 when cut short, -BAD_LINE. */
static inline int
crlf(const uint8_t *p, const uint8_t *end)
{
	if (p >= end)
		return 0;
	if (*p != '\r')
		return -ADN_HTTP_E_BAD_LINE;
	if (p + 1 >= end)
		return 0;
	return p[1] == '\n' ? 1 : -ADN_HTTP_E_BAD_LINE;
}

/* Out of bytes: incomplete, or too long when the limit cut the buffer. */
#define HTTP_MORE() return lim_len < len ? -ADN_HTTP_E_HEAD_TOO_LONG : 0
#define HTTP_MORE_IF(cond) do { if (cond) { HTTP_MORE(); } } while (0)

static inline int
http_parse(const uint8_t *buf, size_t len, bool response,
	   const struct adn_http_limits *lim, const struct adn_http_want *want,
	   struct adn_http_msg *m, const bool simd)
{
	size_t lim_len = len < lim->max_head ? len : lim->max_head;
	const uint8_t *p = buf, *end = buf + lim_len, *s;
	int rc;

	memset(m, 0, sizeof(*m));
	if (response) {
		m->flags = ADN_HTTP_F_RESPONSE;
		HTTP_MORE_IF(end - p < 13);
		if (version(p, m) < 0 || p[8] != ' ')
			return -ADN_HTTP_E_BAD_VERSION;
		p += 9;
		for (int i = 0; i < 3; i++, p++) {
			if (*p < '0' || *p > '9')
				return -ADN_HTTP_E_BAD_STATUS;
			m->status = (uint16_t)(m->status * 10 + (*p - '0'));
		}
		if (m->status < 100 || (*p != ' ' && *p != '\r'))
			return -ADN_HTTP_E_BAD_STATUS;
		if (*p == ' ')
			p = scan(p + 1, end, SCAN_VALUE, simd);
	} else {
		s = p;
		while (p < end && adn_http_is_tchar(*p) &&
		       p - s <= ADN_HTTP_METHOD_MAXLEN)
			p++;
		if (p - s > ADN_HTTP_METHOD_MAXLEN)
			return -ADN_HTTP_E_BAD_METHOD;
		HTTP_MORE_IF(p == end);
		if (*p != ' ' || p == s)
			return -ADN_HTTP_E_BAD_METHOD;
		m->method = adn_http_method_parse((const char *)s,
						  (size_t)(p - s));
		if (m->method == ADN_HTTP_M_NONE)
			return -ADN_HTTP_E_BAD_METHOD;
		s = ++p;
		HTTP_MORE_IF(p == end);
		if (*p == '*' && m->method == ADN_HTTP_M_OPTIONS) {
			p++;
			m->path = span(buf, s, p);
		} else if (*p == '/') {
			p = scan(p + 1, end, SCAN_PATH, simd);
			m->path = span(buf, s, p);
			if (p < end && *p == '?') {
				const uint8_t *q = ++p;

				m->flags |= ADN_HTTP_F_QUERY;
				p = scan(p, end, SCAN_QUERY, simd);
				m->query = span(buf, q, p);
			}
		} else {
			return -ADN_HTTP_E_BAD_TARGET;
		}
		HTTP_MORE_IF(p == end);
		if (*p != ' ')
			return -ADN_HTTP_E_BAD_TARGET;
		m->target = span(buf, s, p);
		p++;
		HTTP_MORE_IF(end - p < 8);
		if (version(p, m) < 0)
			return -ADN_HTTP_E_BAD_VERSION;
		p += 8;
		HTTP_MORE_IF(p == end);
		if (*p != '\r')
			return *p == '\n' ? -ADN_HTTP_E_BAD_LINE :
				-ADN_HTTP_E_BAD_VERSION;
	}
	/* p: the end of the start line */
	rc = crlf(p, end);
	if (rc <= 0) {
		if (rc < 0)
			return rc;
		HTTP_MORE();
	}
	p += 2;

	for (;;) {
		const uint8_t *n, *v, *ve;
		size_t nl;

		HTTP_MORE_IF(p == end);
		if (*p == '\r' || *p == '\n') {
			rc = crlf(p, end);
			if (rc < 0)
				return rc;
			HTTP_MORE_IF(rc == 0);
			p += 2;
			break;
		}
		n = p;
		while (p < end && adn_http_is_tchar(*p))
			p++;
		HTTP_MORE_IF(p == end);
		/* empty name, obs-fold (a line starting with OWS), SP
		 * before ':' */
		if (*p != ':' || p == n)
			return -ADN_HTTP_E_BAD_HEADER;
		nl = (size_t)(p - n);
		if (++m->n_headers > lim->max_headers)
			return -ADN_HTTP_E_TOO_MANY_HEADERS;
		p++;
		while (p < end && adn_http_is_ows(*p))
			p++;
		v = p;
		p = scan(p, end, SCAN_VALUE, simd);
		HTTP_MORE_IF(p == end);
		if (*p != '\r')
			return *p == '\n' ? -ADN_HTTP_E_BAD_LINE :
				-ADN_HTTP_E_BAD_HEADER;
		rc = crlf(p, end);
		if (rc < 0)
			return rc;
		HTTP_MORE_IF(rc == 0);
		ve = p;
		while (ve > v && adn_http_is_ows(ve[-1]))
			ve--;
		rc = field(buf, n, nl, v, ve, response, want, m);
		if (rc < 0)
			return rc;
		p += 2;
	}

	if (!response && m->minor == 1 && !(m->flags & ADN_HTTP_F_HAS_HOST))
		return -ADN_HTTP_E_NO_HOST;
	if (m->minor == 0 && !(m->flags & ADN_HTTP_F_KEEP_ALIVE))
		m->flags |= ADN_HTTP_F_CLOSE;
	if (response && !(m->flags & (ADN_HTTP_F_HAS_CL | ADN_HTTP_F_CHUNKED)) &&
	    m->status >= 200 && m->status != 204 && m->status != 304)
		m->flags |= ADN_HTTP_F_UNTIL_CLOSE;
	m->head_len = (uint32_t)(p - buf);
	return (int)m->head_len;
}

int
adn_http_parse(const uint8_t *buf, size_t len, bool response,
	       const struct adn_http_limits *lim,
	       const struct adn_http_want *want, struct adn_http_msg *m)
{
	return http_parse(buf, len, response, lim, want, m, true);
}

int
adn_http_parse_portable(const uint8_t *buf, size_t len, bool response,
			const struct adn_http_limits *lim,
			const struct adn_http_want *want,
			struct adn_http_msg *m)
{
	return http_parse(buf, len, response, lim, want, m, false);
}

/* --- bodies ------------------------------------------------------------ */

enum chunk_st {
	CH_SIZE,	/* hex digits of the size */
	CH_EXT,		/* ";ext" up to CR */
	CH_SIZE_LF,
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER,	/* at the start of a trailer line */
	CH_TRAILER_LINE,
	CH_TRAILER_LF,
	CH_FINAL_LF,
};

void
adn_http_body_start(struct adn_http_body *b, const struct adn_http_msg *m,
		    unsigned int request_method)
{
	memset(b, 0, sizeof(*b));
	if ((m->flags & ADN_HTTP_F_RESPONSE) &&
	    (request_method == ADN_HTTP_M_HEAD || m->status < 200 ||
	     m->status == 204 || m->status == 304))
		b->kind = ADN_HTTP_BODY_NONE;
	else if (m->flags & ADN_HTTP_F_CHUNKED)
		b->kind = ADN_HTTP_BODY_CHUNKED;
	else if ((m->flags & ADN_HTTP_F_HAS_CL) && m->content_length > 0)
		b->kind = ADN_HTTP_BODY_LENGTH;
	else if (m->flags & ADN_HTTP_F_UNTIL_CLOSE)
		b->kind = ADN_HTTP_BODY_UNTIL_CLOSE;
	else
		b->kind = ADN_HTTP_BODY_NONE;
	b->left = m->content_length;
	b->st = CH_SIZE;
}

static inline int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = adn_http_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
chunked_feed(struct adn_http_body *b, const uint8_t *p, size_t len,
	     bool *done)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		int h;

		switch (b->st) {
		case CH_SIZE:
			h = hexval(c);
			if (h >= 0) {
				/* 15 hex digits: far beyond any body, and
				 * no overflow */
				if (++b->digits > 15)
					return -ADN_HTTP_E_BAD_CHUNK;
				b->left = b->left * 16 + (uint64_t)h;
			} else if (b->digits == 0) {
				return -ADN_HTTP_E_BAD_CHUNK;
			} else if (c == ';') {
				b->st = CH_EXT;
			} else if (c == '\r') {
				b->st = CH_SIZE_LF;
			} else {
				return -ADN_HTTP_E_BAD_CHUNK;
			}
			i++;
			break;
		case CH_EXT:
			if (c == '\r')
				b->st = CH_SIZE_LF;
			else if (stop_value(c))
				return -ADN_HTTP_E_BAD_CHUNK;
			i++;
			break;
		case CH_SIZE_LF:
			if (c != '\n')
				return -ADN_HTTP_E_BAD_CHUNK;
			b->digits = 0;
			b->st = b->left ? CH_DATA : CH_TRAILER;
			i++;
			break;
		case CH_DATA: {
			size_t n = len - i < b->left ? len - i : b->left;

			b->left -= n;
			i += n;
			if (b->left == 0)
				b->st = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
		case CH_TRAILER_LF:
		case CH_FINAL_LF:
		case CH_DATA_LF:
			if (c != (b->st == CH_DATA_CR ? '\r' : '\n'))
				return -ADN_HTTP_E_BAD_CHUNK;
			i++;
			if (b->st == CH_FINAL_LF) {
				*done = true;
				return (int)i;
			}
			b->st = b->st == CH_DATA_CR ? CH_DATA_LF :
				b->st == CH_DATA_LF ? CH_SIZE : CH_TRAILER;
			break;
		case CH_TRAILER:
			b->st = c == '\r' ? CH_FINAL_LF : CH_TRAILER_LINE;
			if (c == '\n' || (c != '\r' && stop_value(c)))
				return -ADN_HTTP_E_BAD_CHUNK;
			i++;
			break;
		case CH_TRAILER_LINE:
			if (c == '\r')
				b->st = CH_TRAILER_LF;
			else if (stop_value(c))
				return -ADN_HTTP_E_BAD_CHUNK;
			i++;
			break;
		}
	}
	return (int)i;
}

int
adn_http_body_feed(struct adn_http_body *b, const uint8_t *p, size_t len,
		   bool *done)
{
	*done = false;
	switch (b->kind) {
	case ADN_HTTP_BODY_LENGTH: {
		size_t n = len < b->left ? len : (size_t)b->left;

		b->left -= n;
		*done = b->left == 0;
		return (int)n;
	}
	case ADN_HTTP_BODY_CHUNKED:
		return chunked_feed(b, p, len, done);
	case ADN_HTTP_BODY_UNTIL_CLOSE:
		return (int)len;
	default:
		*done = true;
		return 0;
	}
}

/* --- lookups over a parsed head ------------------------------------------ */

int
adn_http_header_find(const uint8_t *head, size_t len, const char *name,
		     size_t name_len, struct adn_http_span *v)
{
	const uint8_t *end = head + (len < ADN_HTTP_MAX_HEAD ? len :
				       ADN_HTTP_MAX_HEAD);
	const uint8_t *p = memchr(head, '\n', (size_t)(end - head));

	/* p: the LF ending the start line; each field line follows one */
	while (p != NULL && ++p < end && *p != '\r') {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *a, *b;
		size_t i;

		if (eol == NULL || eol - p < 2)
			return 0;
		for (i = 0; i < name_len && p + i < eol &&
		     adn_http_lower(p[i]) == (uint8_t)name[i]; i++)
			;
		if (i == name_len && p + i < eol && p[i] == ':') {
			a = p + i + 1;
			b = eol - 1;	/* the CR */
			while (a < b && adn_http_is_ows(*a))
				a++;
			while (b > a && adn_http_is_ows(b[-1]))
				b--;
			v->off = (uint16_t)(a - head);
			v->len = (uint16_t)(b - a);
			return 1;
		}
		p = eol;
	}
	return 0;
}

int
adn_http_query_find(const uint8_t *q, size_t len, const char *name,
		    size_t name_len, struct adn_http_span *v)
{
	size_t pos = 0;

	if (len > ADN_HTTP_MAX_HEAD)
		len = ADN_HTTP_MAX_HEAD;
	while (pos <= len) {
		const uint8_t *amp = memchr(q + pos, '&', len - pos);
		const size_t stop = amp ? (size_t)(amp - q) : len;
		const uint8_t *eq = memchr(q + pos, '=', stop - pos);
		const size_t klen = (eq ? (size_t)(eq - q) : stop) - pos;

		if (klen == name_len && memcmp(q + pos, name, name_len) == 0) {
			v->off = (uint16_t)(eq ? (size_t)(eq - q) + 1 : stop);
			v->len = (uint16_t)(stop - v->off);
			return 1;
		}
		pos = stop + 1;
	}
	return 0;
}
