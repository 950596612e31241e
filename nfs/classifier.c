/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifier — sends each packet to the output of the first rule it
 * matches (Click's Classifier / IPClassifier, on the fields below).
 *
 * Keys:
 *   rules (list of groups, required, 1-16 entries): rule i feeds output i.
 *     A rule matches when every field it names matches; `{ }` matches all.
 *     ether_type (int 0-65535)          EtherType (after one VLAN tag)
 *     proto      (int 0-255 or "tcp", "udp", "icmp")   IPv4 protocol
 *     src_port, dst_port (int 0-65535, or [lo, hi])    TCP/UDP ports
 * Outputs: one per rule.
 * Drops: no-match — no rule matched.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { CLASSIFIER_DROP_NO_MATCH };

static const char *const classifier_drops[] = {
	[CLASSIFIER_DROP_NO_MATCH] = "no-match", NULL,
};

struct cls_rule {
	int32_t ether_type;	/* -1: any */
	int16_t proto;		/* -1: any */
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	bool ports;		/* a port range is set: needs TCP/UDP */
};

struct classifier {
	unsigned int n_rules;
	struct cls_rule rule[ADN_MAX_OUTPUTS];
};

static const struct adn_arg_spec classifier_args[] = {
	{ .name = "rules", .type = ADN_ARG_LIST, .required = true,
	  .help = "a list of rule groups, one per output" },
	{ .name = NULL },
};

static int
parse_range(struct adn_build *b, struct adn_elem *e,
	    const config_setting_t *s, uint16_t *lo, uint16_t *hi)
{
	long long a, z;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		a = z = config_setting_get_int64(s);
	} else if (config_setting_is_aggregate(s) &&
		   config_setting_length(s) == 2) {
		a = config_setting_get_int64_elem(s, 0);
		z = config_setting_get_int64_elem(s, 1);
	} else {
		return adn_build_error_at(b, e, s, config_setting_name(s),
					  "must be a port or [lo, hi]");
	}
	if (a < 0 || z > 65535 || a > z)
		return adn_build_error_at(b, e, s, config_setting_name(s),
					  "range [%lld, %lld] invalid: need 0 <= lo <= hi <= 65535",
					  a, z);
	*lo = (uint16_t)a;
	*hi = (uint16_t)z;
	return 0;
}

static const struct adn_name_value ip_protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { NULL, 0 },
};

static int
parse_rule(struct adn_build *b, struct adn_elem *e,
	   const config_setting_t *g, struct cls_rule *r)
{
	int rc = 0;

	*r = (struct cls_rule){ .ether_type = -1, .proto = -1,
				.sport_hi = UINT16_MAX,
				.dport_hi = UINT16_MAX };
	if (!config_setting_is_group(g))
		return adn_build_error_at(b, e, g, "rules",
					  "each rule must be a group like { proto = \"tcp\"; }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *key = config_setting_name(s);

		if (strcmp(key, "ether_type") == 0) {
			long long v = config_setting_get_int64(s);

			if ((config_setting_type(s) != CONFIG_TYPE_INT &&
			     config_setting_type(s) != CONFIG_TYPE_INT64) ||
			    v < 0 || v > 65535)
				rc = adn_build_error_at(b, e, s, key,
							"must be an integer 0-65535");
			else
				r->ether_type = (int32_t)v;
		} else if (strcmp(key, "proto") == 0) {
			int64_t v;

			if (adn_build_name_or_int(b, e, s, key, ip_protos, 0,
						  255, &v) < 0)
				rc = -EINVAL;
			else
				r->proto = (int16_t)v;
		} else if (strcmp(key, "src_port") == 0) {
			if (parse_range(b, e, s, &r->sport_lo, &r->sport_hi) < 0)
				rc = -EINVAL;
			r->ports = true;
		} else if (strcmp(key, "dst_port") == 0) {
			if (parse_range(b, e, s, &r->dport_lo, &r->dport_hi) < 0)
				rc = -EINVAL;
			r->ports = true;
		} else {
			rc = adn_build_error_at(b, e, s, key,
						"unknown rule key (allowed: ether_type, proto, src_port, dst_port)");
		}
	}
	/* Protocol or ports imply IPv4. */
	if (rc == 0 && (r->proto >= 0 || r->ports)) {
		if (r->ether_type >= 0 && r->ether_type != RTE_ETHER_TYPE_IPV4)
			rc = adn_build_error_at(b, e, g, "ether_type",
						"proto/ports need IPv4 (0x0800)");
		r->ether_type = RTE_ETHER_TYPE_IPV4;
	}
	if (rc == 0 && r->ports && r->proto >= 0 && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		rc = adn_build_error_at(b, e, g, "proto",
					"port ranges need proto tcp or udp");
	return rc;
}

static int
classifier_configure(struct adn_elem *e, struct adn_build *b)
{
	struct classifier *c = adn_elem_priv(e);
	const config_setting_t *rules = adn_elem_arg(e, "rules");
	int n = config_setting_length(rules), rc = 0;

	if (n < 1 || n > ADN_MAX_OUTPUTS)
		return adn_build_error(b, e, "rules",
				       "%d rules: need 1 to %d", n,
				       ADN_MAX_OUTPUTS);
	for (int i = 0; i < n; i++)
		if (parse_rule(b, e, config_setting_get_elem(rules, i),
			       &c->rule[i]) < 0)
			rc = -EINVAL;
	c->n_rules = (unsigned int)n;
	e->n_outputs = (uint16_t)n;
	return rc;
}

static bool
rule_match(const struct cls_rule *r, uint16_t type,
	   const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *l4)
{
	if (r->ether_type >= 0 && r->ether_type != type)
		return false;
	if (r->proto >= 0 && (ip == NULL || r->proto != ip->next_proto_id))
		return false;
	if (r->ports) {
		uint16_t sp, dp;

		if (l4 == NULL)
			return false;
		sp = rte_be_to_cpu_16(l4->src_port);
		dp = rte_be_to_cpu_16(l4->dst_port);
		if (sp < r->sport_lo || sp > r->sport_hi ||
		    dp < r->dport_lo || dp > r->dport_hi)
			return false;
	}
	return true;
}

static int
classifier_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct classifier *c = adn_elem_priv(e);
	const struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	const struct rte_udp_hdr *l4 = NULL;
	uint16_t type;

	if (ip != NULL)
		type = RTE_ETHER_TYPE_IPV4;
	else	/* 0 for a frame too short for Ethernet */
		type = m->packet_type != 0 ? adn_pkt_ether_type(m) : 0;
	if (ip != NULL && (ip->next_proto_id == IPPROTO_TCP ||
			   ip->next_proto_id == IPPROTO_UDP))
		l4 = adn_pkt_l4(m, ip, 4);	/* the two ports */
	for (unsigned int i = 0; i < c->n_rules; i++)
		if (rule_match(&c->rule[i], type, ip, l4))
			return (int)i;
	return adn_drop(CLASSIFIER_DROP_NO_MATCH);
}

static const struct adn_elem_desc classifier_desc = {
	.name = "Classifier",
	.help = "first-match rules on EtherType, IPv4 protocol, L4 port ranges",
	.priv_size = sizeof(struct classifier),
	.n_outputs = 1,
	.drop_reasons = classifier_drops,
	.args = classifier_args,
	.configure = classifier_configure,
	ADN_ELEM_EXEC_STAGE(classifier),
};

ADN_ELEM_REGISTER(classifier_desc);
