/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The character classes and method table of HTTP/1.1 (RFC 9110/9112) that
 * every HTTP parser of the project shares: the data-path parser
 * (adn_http.h) and the PPM model's byte-step machine (lib/ppm/ppm_http.c),
 * so both accept the same bytes and name methods alike. Header-only and
 * DPDK-free, so the PPM model (and fpga/'s vector generator) keeps
 * building without DPDK.
 */
#ifndef _ADN_HTTP_CHARS_H_
#define _ADN_HTTP_CHARS_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Methods, in the order of the PPM metadata record's method field (the
 * RTL encodes them so): do not reorder. */
enum adn_http_method {
	ADN_HTTP_M_NONE = 0,
	ADN_HTTP_M_GET,
	ADN_HTTP_M_HEAD,
	ADN_HTTP_M_POST,
	ADN_HTTP_M_PUT,
	ADN_HTTP_M_DELETE,
	ADN_HTTP_M_CONNECT,
	ADN_HTTP_M_OPTIONS,
	ADN_HTTP_M_TRACE,
	ADN_HTTP_M_PATCH,
	ADN_HTTP_M_MAX,
};

#define ADN_HTTP_METHOD_MAXLEN 7	/* "CONNECT", "OPTIONS" */

static inline const char *
adn_http_method_str(unsigned int m)
{
	static const char *const n[ADN_HTTP_M_MAX] = {
		"", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
		"OPTIONS", "TRACE", "PATCH",
	};

	return m < ADN_HTTP_M_MAX ? n[m] : "";
}

/* Method by its exact (case-sensitive, RFC 9110 §9.1) name; NONE when
 * unknown. */
static inline enum adn_http_method
adn_http_method_parse(const char *s, size_t len)
{
	for (unsigned int m = ADN_HTTP_M_GET; m < ADN_HTTP_M_MAX; m++) {
		const char *n = adn_http_method_str(m);

		if (strlen(n) == len && memcmp(n, s, len) == 0)
			return (enum adn_http_method)m;
	}
	return ADN_HTTP_M_NONE;
}

/* CTL: the C0 controls and DEL. */
static inline int
adn_http_is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/* OWS bytes: SP and HTAB. */
static inline int
adn_http_is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline uint8_t
adn_http_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/* tchar of RFC 9110 §5.6.2: what a method or a field name is made of. */
static inline int
adn_http_is_tchar(uint8_t c)
{
	/* bit c of the 128-bit set, as two words: ALPHA DIGIT and
	 * "!#$%&'*+-.^_`|~" */
	static const uint64_t set[2] = {
		0x03ff6cfa00000000ULL, 0x57ffffffc7fffffeULL,
	};

	return c < 128 && ((set[c >> 6] >> (c & 63)) & 1);
}

#endif /* _ADN_HTTP_CHARS_H_ */
