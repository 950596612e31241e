/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The project's HTTP/1.1 parser (RFC 9112): request and response heads,
 * then bodies by Content-Length or chunked coding. DPDK-free; stateless
 * over the head (call it again with more bytes when it says "incomplete"),
 * incremental over bodies (adn_http_body_*).
 *
 * Strict on purpose: whatever two implementations may read differently
 * (request smuggling) is an error with a reason, never a guess —
 * whitespace before a field's colon, obs-fold, bare CR or LF, Content-Length
 * and Transfer-Encoding together, a repeated Content-Length or Host,
 * a transfer coding other than a final "chunked", an HTTP/1.0 message
 * with Transfer-Encoding.
 *
 * Scanning: the long runs (request target, field values) are scanned 16
 * bytes at a time with SSE4.2's PCMPESTRI range compare when the build
 * targets a CPU that has it (compile-time: __SSE4_2__, which -march=native
 * sets on such machines; -Dmachine=x86-64 gives the portable path). The
 * portable byte loop is always built too (adn_http_parse_portable), so
 * tests and the fuzzer check that both agree.
 *
 * Threads: none kept; any thread. Offsets in results are from the start of
 * the buffer handed in (the head is at most ADN_HTTP_MAX_HEAD bytes).
 */
#ifndef _ADN_HTTP_H_
#define _ADN_HTTP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adn_http_chars.h"

#define ADN_HTTP_MAX_HEAD 65535u	/* offsets are 16-bit */
#define ADN_HTTP_MAX_WANT 4		/* extra headers asked for by name */
#define ADN_HTTP_MAX_NAME 64		/* longest name one may ask for */

enum adn_http_err {
	ADN_HTTP_OK = 0,
	ADN_HTTP_E_BAD_METHOD,
	ADN_HTTP_E_BAD_TARGET,
	ADN_HTTP_E_BAD_VERSION,
	ADN_HTTP_E_BAD_STATUS,
	ADN_HTTP_E_BAD_LINE,	/* bare CR or LF */
	ADN_HTTP_E_BAD_HEADER,	/* bad name, SP before ':', obs-fold, CTL */
	ADN_HTTP_E_HEAD_TOO_LONG,
	ADN_HTTP_E_TOO_MANY_HEADERS,
	ADN_HTTP_E_NO_HOST,	/* HTTP/1.1 request without Host */
	ADN_HTTP_E_DUP_HOST,
	ADN_HTTP_E_BAD_CL,	/* not digits, too big, repeated */
	ADN_HTTP_E_BAD_TE,	/* not a final "chunked", or in HTTP/1.0 */
	ADN_HTTP_E_CL_TE,	/* Content-Length and Transfer-Encoding */
	ADN_HTTP_E_BAD_CHUNK,	/* chunk size line or chunk end */
	ADN_HTTP_E_MAX,
};

/* Its name for counters and messages ("bad-method"). */
const char *adn_http_err_str(enum adn_http_err e);

enum adn_http_flags {
	ADN_HTTP_F_RESPONSE = 1u << 0,
	ADN_HTTP_F_HAS_HOST = 1u << 1,
	ADN_HTTP_F_HAS_CL = 1u << 2,
	ADN_HTTP_F_CHUNKED = 1u << 3,
	ADN_HTTP_F_CLOSE = 1u << 4,	/* Connection: close (or 1.0 default) */
	ADN_HTTP_F_KEEP_ALIVE = 1u << 5,/* Connection: keep-alive */
	ADN_HTTP_F_QUERY = 1u << 6,	/* the target has a '?' */
	ADN_HTTP_F_UNTIL_CLOSE = 1u << 7,/* response body runs to the close */
};

/* A piece of the buffer: [off, off + len). */
struct adn_http_span {
	uint16_t off, len;
};

/* Extra headers to report, by name (case-insensitive). */
struct adn_http_want {
	unsigned int n;
	uint8_t len[ADN_HTTP_MAX_WANT];
	char name[ADN_HTTP_MAX_WANT][ADN_HTTP_MAX_NAME];	/* lower case */
};

/* Add `name` to *w; 0, -E2BIG (full) or -EINVAL (empty, too long, not a
 * token). */
int adn_http_want_add(struct adn_http_want *w, const char *name);

struct adn_http_msg {
	uint16_t flags;		/* enum adn_http_flags */
	uint8_t method;		/* enum adn_http_method (requests) */
	uint8_t minor;		/* HTTP/1.minor: 0 or 1 */
	uint16_t status;	/* responses */
	uint16_t n_headers;
	uint32_t head_len;	/* start line + fields + the empty line */
	uint64_t content_length;/* ADN_HTTP_F_HAS_CL */
	struct adn_http_span target;	/* requests: all of it */
	struct adn_http_span path;	/* target before '?' */
	struct adn_http_span query;	/* after '?' (len 0 when none) */
	struct adn_http_span host;	/* value, OWS trimmed */
	struct adn_http_span want[ADN_HTTP_MAX_WANT];	/* len 0: absent */
};

struct adn_http_limits {
	uint32_t max_head;	/* bytes, at most ADN_HTTP_MAX_HEAD */
	uint16_t max_headers;	/* field lines */
};

/*
 * Parse the message head at `buf` (`len` bytes): a request unless
 * `response`. Returns the head's length (> 0) with *m filled, 0 when the
 * head is not complete yet (nothing in *m is meaningful; call again with
 * the same start and more bytes), or -enum adn_http_err. A head longer than
 * lim->max_head is HEAD_TOO_LONG as soon as that many bytes are seen
 * without its end. `want` may be NULL.
 */
int adn_http_parse(const uint8_t *buf, size_t len, bool response,
		   const struct adn_http_limits *lim,
		   const struct adn_http_want *want, struct adn_http_msg *m);
/* The same with the byte loop only (tests compare the two). */
int adn_http_parse_portable(const uint8_t *buf, size_t len, bool response,
			    const struct adn_http_limits *lim,
			    const struct adn_http_want *want,
			    struct adn_http_msg *m);
/* Whether adn_http_parse scans with SSE4.2. */
bool adn_http_simd(void);

/* --- lookups over a head adn_http_parse accepted ------------------------ */

/*
 * The value of the first field named `name` (`name_len` bytes, lower
 * case) in the message head at `head` (`len` bytes: start line, field
 * lines, empty line, each ending in CRLF as adn_http_parse requires):
 * 1 with *v set (offsets into head, OWS trimmed), 0 when absent. Any
 * bytes are safe (it reads within `len` and answers 0 where a line does
 * not have the shape a parsed head has), but only a parsed head gives
 * meaningful answers: this is a lookup, not a second parser.
 */
int adn_http_header_find(const uint8_t *head, size_t len, const char *name,
			 size_t name_len, struct adn_http_span *v);

/*
 * The value of the first parameter `name` (`name_len` bytes, exact case)
 * of query `q` (`len` bytes, after the '?': `a=1&b=2`; a parameter
 * without '=' has an empty value): 1 with *v set (offsets into q, raw:
 * not percent-decoded), 0 when absent.
 */
int adn_http_query_find(const uint8_t *q, size_t len, const char *name,
			size_t name_len, struct adn_http_span *v);

/* --- bodies ------------------------------------------------------------ */

enum adn_http_body_kind {
	ADN_HTTP_BODY_NONE,
	ADN_HTTP_BODY_LENGTH,
	ADN_HTTP_BODY_CHUNKED,
	ADN_HTTP_BODY_UNTIL_CLOSE,
};

/* Where a body decoder is; zero it, then adn_http_body_start. */
struct adn_http_body {
	uint8_t kind;		/* enum adn_http_body_kind */
	uint8_t st;		/* chunked: position in the framing */
	uint8_t digits;
	uint64_t left;		/* bytes of data left (length, this chunk) */
};

/* Set up the decoder for the body of message `m` (request_method: the
 * method of the request a response answers, for HEAD; 0 when unknown). */
void adn_http_body_start(struct adn_http_body *b,
			 const struct adn_http_msg *m,
			 unsigned int request_method);

/*
 * Take up to `len` body bytes. Returns how many belong to the body (all of
 * them while it goes on) and sets *done when the body ended within them,
 * or -ADN_HTTP_E_BAD_CHUNK. A body of kind NONE ends at once (returns 0,
 * *done set); UNTIL_CLOSE never ends.
 */
int adn_http_body_feed(struct adn_http_body *b, const uint8_t *p, size_t len,
		       bool *done);

#endif /* _ADN_HTTP_H_ */
