/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rpc: the ADN RPC decoder, views and RpcAcl's rules. Input: parts
 * split at ADN_FUZZ_SEP — an ADN RPC message, an HTTP request head, view
 * lines (`FIELD=SEL[,SEL]...`), rules. Checks: a decoded header lies
 * within the message and encodes back to the same bytes (the wire form
 * is canonical); every view read on both carriers lies within its
 * message (or the value's own digits); the rules either build or give a
 * line and a reason, and a match names a rule or none. ASan checks the
 * reads. No DPDK: lib/rpc's codec is DPDK-free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_fuzz.h"
#include "adn_http.h"
#include "adn_rpc_acl.h"
#include "adn_rpc_msg.h"
#include "adn_rpc_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TEXT 8192

static void
check_val(const struct adn_rpc_msg *m, const struct adn_rpc_val *v,
	  const void *lo, size_t len)
{
	const uint8_t *b = lo;

	/* numbers, and the method's name (a static string: each file
	 * including adn_http_chars.h has its own copy, so compare text) */
	if (v->type == ADN_RPC_VT_U64 ||
	    (m->carrier == ADN_RPC_CARRIER_HTTP &&
	     v->len == strlen(adn_http_method_str(m->method)) &&
	     memcmp(v->p, adn_http_method_str(m->method), v->len) == 0))
		return;
	if (v->p == (const uint8_t *)v->num) {
		if (v->len > sizeof(v->num))
			abort();
		return;
	}
	if (v->len > 0 && (v->p < b || v->p + v->len > b + len))
		abort();
}

/* Decode; when valid, the spans are inside and encoding gives it back. */
static int
decode(const struct adn_fuzz_part *p, struct adn_rpc_msg *m)
{
	struct adn_rpc_field_val f[ADN_RPC_MAX_FIELDS];
	uint8_t again[ADN_RPC_MAX_HDR];
	int rc = adn_rpc_msg_from_wire(m, p->data, p->len, 0);

	if (rc < 0) {
		if (-rc >= ADN_RPC_E_MAX)
			abort();
		return rc;
	}
	if ((size_t)rc + m->payload_len != p->len)
		abort();
	for (unsigned int i = 0; i < m->hdr.n_fields; i++) {
		const struct adn_rpc_field *x = &m->hdr.f[i];

		if (x->off + x->len > rc)
			abort();
		f[i] = (struct adn_rpc_field_val){ .id = x->id,
			.type = x->type, .len = x->len,
			.val = p->data + x->off, .u64 = x->u64 };
	}
	if (adn_rpc_encode(again, sizeof(again), m->hdr.type, m->hdr.flags,
			   m->req_id, m->service, m->method, m->payload_len,
			   f, m->hdr.n_fields) != rc ||
	    memcmp(again, p->data, (size_t)rc) != 0)
		abort();
	return rc;
}

static bool
http(const struct adn_fuzz_part *p, struct adn_rpc_msg *m)
{
	static const struct adn_http_limits lim = { 4096, 64 };
	struct adn_http_msg h;
	int rc = adn_http_parse(p->data, p->len, false, &lim, NULL, &h);

	if (rc <= 0)
		return false;
	memset(m, 0, sizeof(*m));
	m->carrier = ADN_RPC_CARRIER_HTTP;
	m->kind = ADN_RPC_T_REQUEST;
	m->method = h.method;
	m->head = (const char *)p->data;
	m->head_len = (uint32_t)rc;
	m->path = m->head + h.path.off;
	m->path_len = h.path.len;
	m->query = m->head + h.query.off;
	m->query_len = h.query.len;
	m->payload = p->data + rc;
	m->payload_len = (uint32_t)(p->len - (size_t)rc);
	return true;
}

/* View lines "FIELD=SEL[,SEL]..." into an open view. */
static void
view(const struct adn_fuzz_part *p, struct adn_rpc_view *v)
{
	char *text = adn_fuzz_str(p, MAX_TEXT), *save = NULL, *line;
	char why[512];

	adn_rpc_view_init(v, NULL);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *s2 = NULL, *sel;
		const char *sels[ADN_RPC_VIEW_ALT + 1];
		unsigned int n = 0;

		if (eq == NULL)
			continue;
		*eq = '\0';
		for (sel = strtok_r(eq + 1, ",", &s2);
		     sel != NULL && n <= ADN_RPC_VIEW_ALT;
		     sel = strtok_r(NULL, ",", &s2))
			sels[n++] = sel;
		if (adn_rpc_view_map(v, true, line, sels, n, why,
				     sizeof(why)) == 0 &&
		    adn_rpc_view_find(v, line) < 0)
			abort();
	}
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adn_fuzz_part p[4] = { 0 };
	unsigned int np = adn_fuzz_split(data, size, p, 4);
	struct adn_rpc_msg msgs[2];
	const void *base[2];
	size_t blen[2];
	unsigned int nm = 0;
	struct adn_rpc_view v;
	struct adn_rpc_acl *acl = NULL;
	unsigned int line;
	char why[512];

	if (np > 0 && decode(&p[0], &msgs[nm]) >= 0) {
		base[nm] = p[0].data;
		blen[nm++] = p[0].len;
	}
	if (np > 1 && http(&p[1], &msgs[nm])) {
		base[nm] = p[1].data;
		blen[nm++] = p[1].len;
	}
	if (np > 2)
		view(&p[2], &v);
	else
		adn_rpc_view_init(&v, NULL);
	if (np > 3) {
		char *rules = adn_fuzz_str(&p[3], MAX_TEXT);

		if (adn_rpc_acl_build(rules, &v, 1, &acl, &line, why,
				      sizeof(why)) < 0) {
			if (why[0] == '\0' || acl != NULL)
				abort();
			acl = NULL;
		}
		free(rules);
	}
	for (unsigned int k = 0; k < nm; k++) {
		struct adn_rpc_val vals[ADN_RPC_VIEW_MAX];
		uint32_t present = 0;

		for (unsigned int i = 0; i < v.n; i++)
			if (adn_rpc_view_get(&msgs[k], &v, i, &vals[i])) {
				check_val(&msgs[k], &vals[i], base[k],
					  blen[k]);
				present |= 1u << i;
			}
		if (acl != NULL) {
			int r = adn_rpc_acl_match(acl, vals, present);

			if (r >= (int)adn_rpc_acl_rules(acl) || r < -1)
				abort();
			adn_rpc_acl_count(acl, 0, r);
		}
	}
	adn_rpc_acl_free(acl);
	return 0;
}
