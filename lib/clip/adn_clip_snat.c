/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP SNAT: switch-side params/apply and the server-side handler.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_clip_snat.h"

static int
snat_make_params(const uint8_t *frame, const struct adn_clip_pkt_info *pi,
		 uint8_t *params, uint8_t *plen)
{
	(void)frame;
	memcpy(params, &pi->key.src_ip, 4);
	memcpy(params + 4, &pi->key.dst_ip, 4);
	memcpy(params + 8, &pi->key.src_port, 2);
	memcpy(params + 10, &pi->key.dst_port, 2);
	params[12] = pi->key.proto;
	*plen = ADN_CLIP_SNAT_PARAM_LEN;
	return 0;
}

static int
snat_apply(uint8_t *frame, size_t len, const struct adn_clip_pkt_info *pi,
	   const uint8_t *result, uint8_t rlen)
{
	uint32_t ip;
	uint16_t port;

	if (rlen != ADN_CLIP_SNAT_RESULT_LEN ||
	    (size_t)pi->l4_off + pi->l4_hdr_len > len ||
	    (pi->key.proto != 6 && pi->key.proto != 17))
		return -EINVAL;
	memcpy(&ip, result, 4);
	memcpy(&port, result + 4, 2);
	return adn_nat_rewrite(frame + pi->l3_off, frame + pi->l4_off,
			       len - pi->l4_off, ADN_NAT_SRC, ip, port);
}

const struct adn_clip_app adn_clip_app_snat = {
	.name = "snat",
	.app_id = ADN_CLIP_APP_SNAT,
	.make_params = snat_make_params,
	.apply = snat_apply,
};

void
adn_clip_snat_result(uint8_t result[ADN_CLIP_SNAT_RESULT_LEN], uint32_t ip,
		     uint16_t port)
{
	result[0] = (uint8_t)(ip >> 24);
	result[1] = (uint8_t)(ip >> 16);
	result[2] = (uint8_t)(ip >> 8);
	result[3] = (uint8_t)ip;
	adn_nat_st16(result + 4, port);
}

int
adn_clip_snat_handle(struct adn_clip_table *mirror, uint16_t server_id,
		     struct adn_nat_pool *pool, uint8_t *frame,
		     size_t len, bool *created)
{
	const struct adn_clip_entry *e;
	struct adn_clip_entry ne;
	struct adn_clip_hdr h;
	enum adn_clip_hdr_err why;
	uint32_t ip;
	uint16_t port;
	int rc;

	if (created != NULL)
		*created = false;
	if (mirror == NULL || pool == NULL)
		return -EINVAL;
	rc = adn_clip_frame_decode(frame, len, &h, &why);
	if (rc < 0)
		return rc;
	if (h.type != ADN_CLIP_MSG_REQUEST)
		return -EINVAL;
	if (h.app_id != ADN_CLIP_APP_SNAT)
		return adn_clip_respond(frame, len, ADN_CLIP_ST_NO_HANDLER,
					NULL, 0, &why);
	if (h.param_len != ADN_CLIP_SNAT_PARAM_LEN ||
	    (h.params[12] != 6 && h.params[12] != 17))
		return adn_clip_respond(frame, len, ADN_CLIP_ST_BAD_REQUEST,
					NULL, 0, &why);
	memset(&ne, 0, sizeof(ne));
	memcpy(&ne.key.src_ip, h.params, 4);
	memcpy(&ne.key.dst_ip, h.params + 4, 4);
	memcpy(&ne.key.src_port, h.params + 8, 2);
	memcpy(&ne.key.dst_port, h.params + 10, 2);
	ne.key.proto = h.params[12];
	e = adn_clip_table_hit(mirror, &ne.key);
	if (e == NULL) {
		ne.server = server_id;
		ne.result_len = ADN_CLIP_SNAT_RESULT_LEN;
		/* Check room first: a pair taken for a flow that cannot be
		 * remembered would be lost to the pool. */
		if (adn_clip_table_count(mirror) >=
		    adn_clip_table_capacity(mirror) ||
		    adn_nat_pool_alloc(pool, 0, &ip, &port) < 0)
			return adn_clip_respond(frame, len,
						ADN_CLIP_ST_NO_RESOURCE,
						NULL, 0, &why);
		adn_clip_snat_result(ne.result, ip, port);
		if (adn_clip_table_add(mirror, &ne) < 0) {
			adn_nat_pool_release(pool, ip, port);
			return adn_clip_respond(frame, len,
						ADN_CLIP_ST_NO_RESOURCE,
						NULL, 0, &why);
		}
		e = adn_clip_table_hit(mirror, &ne.key);
		if (created != NULL)
			*created = true;
	}
	return adn_clip_respond(frame, len, ADN_CLIP_ST_OK, e->result,
				e->result_len, &why);
}

/* "A.B.C.D:PORT" at *s; *s moves past it. Network order out. */
static int
parse_endpoint(const char **s, uint32_t *ip, uint16_t *port,
	       const char *what, char *why, size_t why_len)
{
	const char *p = *s + strspn(*s, " \t");
	size_t n = strcspn(p, " \t:");
	char addr[16];
	struct in_addr a;
	unsigned long v;
	char *end;

	if (n == 0 || n >= sizeof(addr) || p[n] != ':') {
		snprintf(why, why_len, "%s: want A.B.C.D:PORT, got '%.*s'",
			 what, (int)strcspn(p, " \t"), p);
		return -EINVAL;
	}
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1) {
		snprintf(why, why_len, "%s: '%s' is not a dotted IPv4 address",
			 what, addr);
		return -EINVAL;
	}
	p += n + 1;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (end == p || *p == '-' || *p == '+' || errno != 0 || v > 65535 ||
	    (*end != '\0' && *end != ' ' && *end != '\t')) {
		snprintf(why, why_len, "%s: port '%.*s' is not 0-65535", what,
			 (int)strcspn(p, " \t"), p);
		return -EINVAL;
	}
	memcpy(ip, &a.s_addr, 4);
	*port = htons((uint16_t)v);
	*s = end;
	return 0;
}

int
adn_clip_snat_flow_parse(const char *s, struct adn_flow_key *key,
			 const char **end, char *why, size_t why_len)
{
	static const struct { const char *name; uint8_t proto; } protos[] = {
		{ "tcp", 6 }, { "6", 6 }, { "udp", 17 }, { "17", 17 },
	};
	uint32_t sip, dip;
	uint16_t sport, dport;
	char dummy[1];
	size_t n;

	if (why == NULL) {
		why = dummy;
		why_len = sizeof(dummy);
	}
	if (s == NULL || key == NULL) {
		snprintf(why, why_len, "no flow");
		return -EINVAL;
	}
	/* Locals: the key is packed, its fields may be unaligned. */
	if (parse_endpoint(&s, &sip, &sport, "source", why, why_len) < 0 ||
	    parse_endpoint(&s, &dip, &dport, "destination", why,
			   why_len) < 0)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	key->src_ip = sip;
	key->dst_ip = dip;
	key->src_port = sport;
	key->dst_port = dport;
	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	for (unsigned int i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strlen(protos[i].name) == n &&
		    strncmp(s, protos[i].name, n) == 0) {
			key->proto = protos[i].proto;
			if (end != NULL)
				*end = s + n;
			return 0;
		}
	/* SNAT translates TCP and UDP only (the handler refuses the rest). */
	snprintf(why, why_len, "protocol '%.*s': tcp, udp, 6 or 17",
		 (int)n, s);
	return -EINVAL;
}

int
adn_clip_snat_flow_format(const struct adn_flow_key *key, char *buf,
			  size_t len)
{
	const uint8_t *a = (const uint8_t *)&key->src_ip;
	const uint8_t *b = (const uint8_t *)&key->dst_ip;
	char proto[4];

	if (key->proto == 6 || key->proto == 17)
		snprintf(proto, sizeof(proto), "%s",
			 key->proto == 6 ? "tcp" : "udp");
	else
		snprintf(proto, sizeof(proto), "%u", key->proto);
	return snprintf(buf, len, "%u.%u.%u.%u:%u %u.%u.%u.%u:%u %s",
			a[0], a[1], a[2], a[3], ntohs(key->src_port),
			b[0], b[1], b[2], b[3], ntohs(key->dst_port), proto);
}

int
adn_clip_snat_entry_format(const struct adn_clip_entry *e, char *buf,
			   size_t len)
{
	const uint8_t *r = e->result;
	char flow[64];

	if (e->result_len != ADN_CLIP_SNAT_RESULT_LEN)
		return -EINVAL;
	adn_clip_snat_flow_format(&e->key, flow, sizeof(flow));
	return snprintf(buf, len, "%s -> %u.%u.%u.%u:%u server %u", flow,
			r[0], r[1], r[2], r[3], adn_nat_ld16(r + 4), e->server);
}

int
adn_clip_snat_entry_parse(const char *s, struct adn_clip_entry *e)
{
	uint32_t ip;
	uint16_t port;
	unsigned long id;
	char why[1];
	char *end;

	if (s == NULL || e == NULL)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	if (adn_clip_snat_flow_parse(s, &e->key, &s, why, sizeof(why)) < 0)
		return -EINVAL;
	s += strspn(s, " \t");
	if (strncmp(s, "->", 2) != 0)
		return -EINVAL;
	s += 2;
	if (parse_endpoint(&s, &ip, &port, "result", why, sizeof(why)) < 0)
		return -EINVAL;
	s += strspn(s, " \t");
	if (strncmp(s, "server", 6) != 0)
		return -EINVAL;
	s += 6;
	if (*s != ' ' && *s != '\t')
		return -EINVAL;
	s += strspn(s, " \t");
	errno = 0;
	id = strtoul(s, &end, 10);
	if (end == s || *s == '-' || errno != 0 || id > UINT16_MAX ||
	    (*end != '\0' && *end != ' ' && *end != '\t' &&
	     *end != '\n'))
		return -EINVAL;
	e->server = (uint16_t)id;
	e->result_len = ADN_CLIP_SNAT_RESULT_LEN;
	adn_clip_snat_result(e->result, ntohl(ip), ntohs(port));
	return 0;
}
