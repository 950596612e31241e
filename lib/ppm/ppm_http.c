/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.x parser PPM. Written as a one-byte-per-step state machine on
 * purpose: fpga/rtl/ppm_http_parser.v is the same machine, state for state,
 * so the place and order in which each check fires (and thus every field of
 * the metadata) agree bit for bit. Keep the two in step.
 *
 * Accepted: METHOD SP origin-form-target SP HTTP/1.0|1.1 CRLF, header lines
 * "name: value" CRLF, CRLF, then Content-Length bytes of body. Host and
 * Content-Length are recognised case-insensitively; other headers are only
 * validated. No chunked bodies, no obs-fold, no bare LF (all are errors).
 */
#include <string.h>

#include "adn_http_chars.h"
#include "ppm_priv.h"

/* The method field is the shared enum's value (the RTL encodes the same
 * order), so a method means the same to this model and to HttpParse. */
_Static_assert((int)ADN_PPM_M_GET == (int)ADN_HTTP_M_GET &&
	       (int)ADN_PPM_M_PATCH == (int)ADN_HTTP_M_PATCH &&
	       (int)ADN_PPM_M_MAX == (int)ADN_HTTP_M_MAX,
	       "PPM methods follow lib/l7/adn_http_chars.h");

enum hp_state {
	HP_METHOD,
	HP_TARGET,
	HP_PATH,
	HP_QUERY,
	HP_VERSION,
	HP_HNAME_START,
	HP_HNAME,
	HP_HVAL_OWS,
	HP_HVAL,
	HP_HVAL_LF,
	HP_EOH_LF,
	HP_BODY,
	HP_DONE,
	HP_ERROR,
};

struct hp {
	enum hp_state st;
	uint8_t mlen;
	uint8_t mbuf[7];
	uint8_t vidx;
	uint8_t nidx;       /* header name length, saturating at 15 */
	uint8_t host_m, cl_m; /* name so far is a prefix of host/content-length */
	uint8_t in_host, in_cl;
	uint8_t cl_ws;      /* whitespace seen after Content-Length digits */
	uint32_t cl_val;
	uint32_t hrun;      /* host hash including trailing whitespace */
	uint32_t body_left;
};

static const char host_name[] = "host";
static const char cl_name[] = "content-length";
static const char version_str[] = "HTTP/1.";

#define is_ctl adn_http_is_ctl
#define is_ows adn_http_is_ows

enum adn_ppm_method
adn_ppm_method_parse(const char *s, size_t len)
{
	return (enum adn_ppm_method)adn_http_method_parse(s, len);
}

static void
hp_fail(struct hp *p, struct adn_ppm_meta *m, enum adn_ppm_reason r)
{
	p->st = HP_ERROR;
	m->reason = r;
}

/* Header-name byte: advance the two recognisers. */
static void
hp_name_byte(struct hp *p, uint8_t c)
{
	uint8_t l = adn_ppm_lower(c);

	p->host_m = p->host_m && p->nidx < 4 && l == (uint8_t)host_name[p->nidx];
	p->cl_m = p->cl_m && p->nidx < 14 && l == (uint8_t)cl_name[p->nidx];
	if (p->nidx < 15)
		p->nidx++;
}

/* Value byte of a recognised header (c is not CR/LF/CTL). */
static void
hp_value_byte(struct hp *p, struct adn_ppm_meta *m, uint8_t c)
{
	if (p->in_host) {
		/* hrun hashes every byte; host_hash only moves on a non-OWS
		 * byte, so trailing whitespace never reaches it. */
		p->hrun = adn_ppm_fnv_step(p->hrun, adn_ppm_lower(c));
		if (!is_ows(c))
			m->host_hash = p->hrun;
	}
	if (p->in_cl) {
		if (is_ows(c)) {
			p->cl_ws = 1;
		} else if (c >= '0' && c <= '9' && !p->cl_ws) {
			p->cl_val = p->cl_val * 10 + (c - '0');
			if (p->cl_val > ADN_PPM_MAX_BODY)
				hp_fail(p, m, ADN_PPM_R_BODY_TOO_LONG);
		} else {
			hp_fail(p, m, ADN_PPM_R_BAD_CL);
		}
	}
}

static void
hp_step(struct hp *p, struct adn_ppm_meta *m, uint16_t pos, uint8_t c)
{
	if (p->st < HP_BODY && pos >= ADN_PPM_MAX_HDR) {
		hp_fail(p, m, ADN_PPM_R_HDR_TOO_LONG);
		return;
	}

	switch (p->st) {
	case HP_METHOD:
		if (c == ' ') {
			m->method = p->mlen ?
				adn_ppm_method_parse((const char *)p->mbuf,
						     p->mlen) : ADN_PPM_M_NONE;
			if (m->method == ADN_PPM_M_NONE)
				hp_fail(p, m, ADN_PPM_R_BAD_METHOD);
			else
				p->st = HP_TARGET;
		} else if (p->mlen == 7 || c < 'A' || c > 'Z') {
			hp_fail(p, m, ADN_PPM_R_BAD_METHOD);
		} else {
			p->mbuf[p->mlen++] = c;
		}
		break;
	case HP_TARGET:
		if (c != '/') {
			hp_fail(p, m, ADN_PPM_R_BAD_TARGET);
			break;
		}
		m->target_off = pos;
		m->path_hash = adn_ppm_fnv_step(ADN_PPM_FNV_BASIS, c);
		m->path_len = 1;
		m->seg_hash[0] = m->path_hash;
		m->n_segs = 1;
		p->st = HP_PATH;
		break;
	case HP_PATH:
	case HP_QUERY:
		if (c == ' ') {
			p->vidx = 0;
			p->st = HP_VERSION;
		} else if (is_ctl(c)) {
			hp_fail(p, m, ADN_PPM_R_BAD_TARGET);
		} else if (p->st == HP_QUERY) {
			break;
		} else if (c == '?') {
			m->flags |= ADN_PPM_F_QUERY;
			p->st = HP_QUERY;
		} else {
			m->path_hash = adn_ppm_fnv_step(m->path_hash, c);
			m->path_len++;
			if (c == '/' && m->n_segs < ADN_PPM_MAX_SEGS)
				m->seg_hash[m->n_segs++] = m->path_hash;
		}
		break;
	case HP_VERSION:
		if (p->vidx < 7) {
			if (c != (uint8_t)version_str[p->vidx])
				hp_fail(p, m, ADN_PPM_R_BAD_VERSION);
		} else if (p->vidx == 7) {
			if (c == '1')
				m->flags |= ADN_PPM_F_HTTP11;
			else if (c != '0')
				hp_fail(p, m, ADN_PPM_R_BAD_VERSION);
		} else if (p->vidx == 8) {
			if (c != '\r')
				hp_fail(p, m, ADN_PPM_R_BAD_VERSION);
		} else {
			if (c != '\n') {
				hp_fail(p, m, ADN_PPM_R_BAD_LINE);
			} else {
				m->hdr_off = pos + 1;
				p->st = HP_HNAME_START;
			}
		}
		p->vidx++;
		break;
	case HP_HNAME_START:
		if (c == '\r') {
			p->st = HP_EOH_LF;
		} else if (c == '\n') {
			hp_fail(p, m, ADN_PPM_R_BAD_LINE);
		} else if (c == ':' || is_ows(c) || is_ctl(c)) {
			hp_fail(p, m, ADN_PPM_R_BAD_HEADER);
		} else {
			p->nidx = 0;
			p->host_m = 1;
			p->cl_m = 1;
			hp_name_byte(p, c);
			p->st = HP_HNAME;
		}
		break;
	case HP_HNAME:
		if (c == ':') {
			p->in_host = p->host_m && p->nidx == 4;
			p->in_cl = p->cl_m && p->nidx == 14;
			if (p->in_host) {
				if (m->flags & ADN_PPM_F_HAS_HOST) {
					hp_fail(p, m, ADN_PPM_R_DUP_HOST);
					break;
				}
				m->flags |= ADN_PPM_F_HAS_HOST;
				p->hrun = ADN_PPM_FNV_BASIS;
				m->host_hash = ADN_PPM_FNV_BASIS;
			}
			if (p->in_cl) {
				if (m->flags & ADN_PPM_F_HAS_BODY) {
					hp_fail(p, m, ADN_PPM_R_BAD_CL);
					break;
				}
				m->flags |= ADN_PPM_F_HAS_BODY;
				p->cl_val = 0;
				p->cl_ws = 0;
			}
			p->st = HP_HVAL_OWS;
		} else if (is_ows(c) || is_ctl(c)) {
			hp_fail(p, m, ADN_PPM_R_BAD_HEADER);
		} else {
			hp_name_byte(p, c);
		}
		break;
	case HP_HVAL_OWS:
		if (is_ows(c))
			break;
		if (p->in_host)
			m->host_off = pos;
		if (c == '\r') {
			if (p->in_cl)
				hp_fail(p, m, ADN_PPM_R_BAD_CL);
			else
				p->st = HP_HVAL_LF;
		} else if (c == '\n') {
			hp_fail(p, m, ADN_PPM_R_BAD_LINE);
		} else if (is_ctl(c)) {
			hp_fail(p, m, ADN_PPM_R_BAD_HEADER);
		} else {
			p->st = HP_HVAL;
			hp_value_byte(p, m, c);
		}
		break;
	case HP_HVAL:
		if (c == '\r') {
			if (p->in_cl)
				m->body_len = (uint16_t)p->cl_val;
			p->st = HP_HVAL_LF;
		} else if (c == '\n') {
			hp_fail(p, m, ADN_PPM_R_BAD_LINE);
		} else if (is_ctl(c) && c != '\t') {
			hp_fail(p, m, ADN_PPM_R_BAD_HEADER);
		} else {
			hp_value_byte(p, m, c);
		}
		break;
	case HP_HVAL_LF:
		if (c != '\n')
			hp_fail(p, m, ADN_PPM_R_BAD_LINE);
		else
			p->st = HP_HNAME_START;
		break;
	case HP_EOH_LF:
		if (c != '\n') {
			hp_fail(p, m, ADN_PPM_R_BAD_LINE);
		} else if ((m->flags & ADN_PPM_F_HTTP11) &&
			   !(m->flags & ADN_PPM_F_HAS_HOST)) {
			hp_fail(p, m, ADN_PPM_R_NO_HOST);
		} else {
			m->eoh = pos + 1;
			p->body_left = m->body_len;
			p->st = m->body_len ? HP_BODY : HP_DONE;
		}
		break;
	case HP_BODY:
		if (--p->body_left == 0)
			p->st = HP_DONE;
		break;
	case HP_DONE:
	case HP_ERROR:
		break;
	}
}

static void
meta_reset_error(struct adn_ppm_meta *m)
{
	struct adn_ppm_tuple t = m->tuple;
	uint8_t reason = m->reason;

	memset(m, 0, sizeof(*m));
	m->tuple = t;
	m->decision = ADN_PPM_ERROR;
	m->reason = reason;
	m->filter_rule = ADN_PPM_NONE;
	m->listener = ADN_PPM_NONE;
	m->route = ADN_PPM_NONE;
	m->cluster = ADN_PPM_NONE;
	m->endpoint = ADN_PPM_NONE;
	m->queue = ADN_PPM_NO_QUEUE;
}

size_t
ppm_http_parse(const uint8_t *data, size_t len, struct adn_ppm_meta *m)
{
	struct hp p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.st = HP_METHOD;
	for (i = 0; i < len; i++) {
		/* offsets are 16-bit in the record, as in the RTL */
		hp_step(&p, m, (uint16_t)i, data[i]);
		if (p.st == HP_DONE) {
			m->msg_len = (uint16_t)(i + 1);
			return i + 1;
		}
		if (p.st == HP_ERROR)
			break;
	}
	/* Error or end of segment inside the request: the rest of the
	 * segment goes with it, like the RTL draining to tlast. */
	if (p.st != HP_ERROR)
		m->reason = ADN_PPM_R_TRUNCATED;
	meta_reset_error(m);
	m->msg_len = (uint16_t)len;
	return len;
}
