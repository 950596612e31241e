/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLIP switch behavioral model. Contract in adn_clip_switch.h; p4/README.md
 * maps every table, register and digest of p4/clip.p4 to the function here
 * that mirrors it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adn_be.h"
#include "adn_bloom.h"
#include "adn_cms.h"
#include "adn_clip_switch.h"

_Static_assert((ADN_CLIP_ECMP_BUCKETS & (ADN_CLIP_ECMP_BUCKETS - 1)) == 0,
	       "ECMP bucket count must be a power of two");

struct clip_group {
	uint16_t n;
	uint16_t members[ADN_CLIP_GROUP_MAX];
	/* bucket -> member: the P4 ecmp_select table contents */
	uint16_t bucket[ADN_CLIP_ECMP_BUCKETS];
};

/* enum adn_clip_hash -> CRC and P4 instance. Distinct polynomials within
 * each group whose indexes must be independent: the two count-min rows, the
 * three Bloom partitions, the two flow id halves (equal polynomials there
 * would make them differ by a constant, i.e. collide alike). */
static const struct {
	const char *p4;
	const struct adn_crc_param *crc;
} clip_hashes[ADN_CLIP_H_MAX] = {
	[ADN_CLIP_H_CMS0] = { "h_cms0", &adn_crc32_iso_hdlc },
	[ADN_CLIP_H_CMS1] = { "h_cms1", &adn_crc32_iscsi },
	[ADN_CLIP_H_BF0] = { "h_bf0", &adn_crc32_base91_d },
	[ADN_CLIP_H_BF1] = { "h_bf1", &adn_crc32_autosar },
	[ADN_CLIP_H_BF2] = { "h_bf2", &adn_crc32_aixm },
	/* TNA's predefined CRC16: the usual ECMP hash, and a 16-bit result
	 * is all an 8-bit bucket needs */
	[ADN_CLIP_H_ECMP] = { "h_ecmp", &adn_crc16_arc },
	[ADN_CLIP_H_FID_HI] = { "h_fid_hi", &adn_crc32_bzip2 },
	[ADN_CLIP_H_FID_LO] = { "h_fid_lo", &adn_crc32_mef },
};

struct adn_clip_switch {
	const struct adn_clip_app *app;
	enum adn_clip_lb_mode mode;
	uint32_t digest_threshold;
	struct adn_crc ecmp_crc;	/* h_ecmp */
	struct adn_crc fid_crc[2];	/* h_fid_hi, h_fid_lo */
	uint8_t cur;			/* the `cur` register */
	uint16_t version;		/* membership epoch; bit 0 == cur */
	struct clip_group group[2];	/* G0, G1 (ECMP mode uses [cur]) */
	struct adn_bloom *bf[2];	/* BF0, BF1 (NULL in ECMP mode) */
	struct adn_cms *cms;
	struct adn_clip_table *table;	/* pre-processing (fast path) */
	struct adn_clip_table *pins;	/* <flow, server> */
	struct adn_clip_switch_stats st;
};

static const char *const reason_str[ADN_CLIP_R_MAX] = {
	[ADN_CLIP_R_NONE] = "none",
	[ADN_CLIP_R_TRUNCATED] = "truncated frame",
	[ADN_CLIP_R_NOT_IPV4] = "not IPv4",
	[ADN_CLIP_R_NOT_TCP_UDP] = "not TCP/UDP",
	[ADN_CLIP_R_FRAGMENT] = "IPv4 fragment",
	[ADN_CLIP_R_BAD_IPV4] = "malformed IPv4 header",
	[ADN_CLIP_R_BAD_CLIP_HDR] = "malformed CLIP header",
	[ADN_CLIP_R_UNEXPECTED_REQUEST] = "CLIP request at switch ingress",
	[ADN_CLIP_R_WRONG_APP] = "response for another app",
	[ADN_CLIP_R_HANDLER_STATUS] = "handler returned an error status",
	[ADN_CLIP_R_APPLY_FAILED] = "result could not be applied",
	[ADN_CLIP_R_NO_SERVER] = "server group empty",
	[ADN_CLIP_R_NO_HEADROOM] = "no headroom for the request header",
};

const char *
adn_clip_reason_str(enum adn_clip_reason r)
{
	if ((unsigned int)r >= ADN_CLIP_R_MAX)
		return "unknown reason";
	return reason_str[r];
}

static inline int
parse_fail(enum adn_clip_reason *why, enum adn_clip_reason r, int err)
{
	if (why != NULL)
		*why = r;
	return err;
}

int
adn_clip_parse(const uint8_t *frame, size_t len,
	       struct adn_clip_pkt_info *pi, enum adn_clip_reason *why)
{
	const uint8_t *ip, *l4;
	uint16_t ihl, tot, frag, l4len;

	if (frame == NULL || pi == NULL)
		return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EINVAL);
	if (len < ADN_ETHER_HDR_LEN)
		return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EMSGSIZE);
	if (adn_be16_get(frame + 12) != ADN_ETHERTYPE_IPV4)
		return parse_fail(why, ADN_CLIP_R_NOT_IPV4, -ENOTSUP);
	if (len < ADN_ETHER_HDR_LEN + 20)
		return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EMSGSIZE);
	ip = frame + ADN_ETHER_HDR_LEN;
	ihl = (uint16_t)((ip[0] & 0x0f) * 4);
	tot = adn_be16_get(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl)
		return parse_fail(why, ADN_CLIP_R_BAD_IPV4, -EINVAL);
	if ((size_t)tot > len - ADN_ETHER_HDR_LEN)
		return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EMSGSIZE);
	frag = adn_be16_get(ip + 6);
	/* Non-first fragments carry no ports; first fragments (MF set)
	 * would key on ports the later ones lack, so neither is keyed. */
	if ((frag & 0x3fff) != 0)
		return parse_fail(why, ADN_CLIP_R_FRAGMENT, -ENOTSUP);
	l4 = ip + ihl;
	l4len = (uint16_t)(tot - ihl);
	switch (ip[9]) {
	case 6:
		if (l4len < 20)
			return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EMSGSIZE);
		pi->l4_hdr_len = (uint16_t)((l4[12] >> 4) * 4);
		if (pi->l4_hdr_len < 20 || pi->l4_hdr_len > l4len)
			return parse_fail(why, ADN_CLIP_R_BAD_IPV4, -EINVAL);
		break;
	case 17:
		if (l4len < 8)
			return parse_fail(why, ADN_CLIP_R_TRUNCATED, -EMSGSIZE);
		pi->l4_hdr_len = 8;
		break;
	default:
		return parse_fail(why, ADN_CLIP_R_NOT_TCP_UDP, -ENOTSUP);
	}
	memset(&pi->key, 0, sizeof(pi->key));
	memcpy(&pi->key.src_ip, ip + 12, 4);
	memcpy(&pi->key.dst_ip, ip + 16, 4);
	memcpy(&pi->key.src_port, l4, 2);
	memcpy(&pi->key.dst_port, l4 + 2, 2);
	pi->key.proto = ip[9];
	pi->l3_off = ADN_ETHER_HDR_LEN;
	pi->l4_off = (uint16_t)(ADN_ETHER_HDR_LEN + ihl);
	pi->parsed_len = (uint16_t)(ihl + pi->l4_hdr_len);
	return parse_fail(why, ADN_CLIP_R_NONE, 0);
}

const struct adn_crc_param *
adn_clip_hash_crc(enum adn_clip_hash h)
{
	if ((unsigned int)h >= ADN_CLIP_H_MAX)
		return NULL;
	return clip_hashes[h].crc;
}

const char *
adn_clip_hash_name(enum adn_clip_hash h)
{
	if ((unsigned int)h >= ADN_CLIP_H_MAX)
		return NULL;
	return clip_hashes[h].p4;
}

/* The key bytes are the P4 field list: adn_flow_key is packed and holds
 * its fields in network byte order, in the P4 order. */
_Static_assert(sizeof(struct adn_flow_key) == 13,
	       "adn_flow_key must be the 13-byte P4 field list");

uint64_t
adn_clip_flow_id(const struct adn_clip_switch *sw,
		 const struct adn_flow_key *key)
{
	return ((uint64_t)adn_crc_compute(&sw->fid_crc[0], key,
					  sizeof(*key)) << 32) |
	       adn_crc_compute(&sw->fid_crc[1], key, sizeof(*key));
}

void
adn_clip_switch_conf_default(struct adn_clip_switch_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->lb_mode = ADN_CLIP_LB_BF;
	conf->table_capacity = 1024;
	conf->pin_capacity = 4096;
	conf->bf_bits = 3u << 16;	/* 3 partitions of 2^16: a bit slice in P4 */
	conf->bf_hashes = 3;
	conf->cms_depth = 2;
	conf->cms_width = 1024;
	conf->topn = 32;
	conf->digest_threshold = 8;
	conf->seed = 0x434c4950;	/* "CLIP" */
}

static int
conf_fail(const char **err_field, const char *f)
{
	if (err_field != NULL)
		*err_field = f;
	return -EINVAL;
}

int
adn_clip_switch_create(const struct adn_clip_switch_conf *conf,
		       struct adn_clip_switch **out, const char **err_field)
{
	struct adn_cms_conf cc;
	struct adn_clip_switch *sw;
	const char *cms_field = NULL;
	int rc, i;

	if (out == NULL || conf == NULL)
		return -EINVAL;
	*out = NULL;
	if (conf->app == NULL || conf->app->apply == NULL ||
	    conf->app->make_params == NULL)
		return conf_fail(err_field, "app");
	if (conf->lb_mode != ADN_CLIP_LB_BF && conf->lb_mode != ADN_CLIP_LB_ECMP)
		return conf_fail(err_field, "lb_mode");
	if (conf->table_capacity == 0)
		return conf_fail(err_field, "table_capacity");
	if (conf->pin_capacity == 0)
		return conf_fail(err_field, "pin_capacity");
	if (conf->topn == 0)
		return conf_fail(err_field, "topn");
	if (conf->digest_threshold == 0 ||
	    (conf->digest_threshold & (conf->digest_threshold - 1)) != 0)
		return conf_fail(err_field, "digest_threshold");
	if (conf->lb_mode == ADN_CLIP_LB_BF &&
	    (conf->bf_hashes == 0 || conf->bf_hashes > ADN_CLIP_BF_HASH_MAX))
		return conf_fail(err_field, "bf_hashes");
	if (conf->cms_depth > ADN_CLIP_CMS_DEPTH_MAX)
		return conf_fail(err_field, "cms_depth");
	if (conf->lb_mode == ADN_CLIP_LB_BF && conf->bf_bits < 64)
		return conf_fail(err_field, "bf_bits");

	sw = calloc(1, sizeof(*sw));
	if (sw == NULL)
		return -ENOMEM;
	sw->app = conf->app;
	sw->mode = conf->lb_mode;
	sw->digest_threshold = conf->digest_threshold;
	if (adn_crc_init(&sw->ecmp_crc, clip_hashes[ADN_CLIP_H_ECMP].crc) < 0 ||
	    adn_crc_init(&sw->fid_crc[0],
			 clip_hashes[ADN_CLIP_H_FID_HI].crc) < 0 ||
	    adn_crc_init(&sw->fid_crc[1],
			 clip_hashes[ADN_CLIP_H_FID_LO].crc) < 0) {
		rc = -EINVAL;	/* a broken catalogue entry */
		goto fail;
	}
	cc = (struct adn_cms_conf){
		.depth = conf->cms_depth, .width = conf->cms_width,
		.topn = conf->topn, .seed = conf->seed,
	};
	/* depth 0 means the default 2 in adn_cms: name both rows */
	for (i = 0; i < (int)(conf->cms_depth ? conf->cms_depth : 2); i++)
		cc.row_crc[i] = clip_hashes[ADN_CLIP_H_CMS0 + i].crc;
	rc = adn_cms_create(&cc, &sw->cms, &cms_field);
	if (rc == -EINVAL)
		rc = conf_fail(err_field, strcmp(cms_field, "depth") == 0 ?
			       "cms_depth" : strcmp(cms_field, "width") == 0 ?
			       "cms_width" : "topn");
	if (rc < 0)
		goto fail;
	rc = adn_clip_table_create(conf->table_capacity, conf->seed,
				   &sw->table);
	if (rc == -EINVAL)
		rc = conf_fail(err_field, "table_capacity");
	if (rc < 0)
		goto fail;
	rc = adn_clip_table_create(conf->pin_capacity, conf->seed ^ 1,
				   &sw->pins);
	if (rc == -EINVAL)
		rc = conf_fail(err_field, "pin_capacity");
	if (rc < 0)
		goto fail;
	if (sw->mode == ADN_CLIP_LB_BF) {
		const struct adn_crc_param *bfc[ADN_CLIP_BF_HASH_MAX] = {
			clip_hashes[ADN_CLIP_H_BF0].crc,
			clip_hashes[ADN_CLIP_H_BF1].crc,
			clip_hashes[ADN_CLIP_H_BF2].crc,
		};

		for (i = 0; i < 2; i++) {
			/* Both filters hash alike: a flow's bits are at the
			 * same places in BF0 and BF1, as in p4/ (one h_bf*
			 * result indexes bf0_p* and bf1_p*). */
			rc = adn_bloom_create_crc(conf->bf_bits,
						  conf->bf_hashes, bfc,
						  &sw->bf[i]);
			if (rc == -EINVAL)
				rc = conf_fail(err_field, "bf_bits");
			if (rc < 0)
				goto fail;
		}
	}
	*out = sw;
	return 0;
fail:
	adn_clip_switch_free(sw);
	return rc;
}

void
adn_clip_switch_free(struct adn_clip_switch *sw)
{
	if (sw == NULL)
		return;
	adn_bloom_free(sw->bf[0]);
	adn_bloom_free(sw->bf[1]);
	adn_cms_free(sw->cms);
	adn_clip_table_free(sw->table);
	adn_clip_table_free(sw->pins);
	free(sw);
}

static void
group_fill(struct clip_group *g, const uint16_t *servers, unsigned int n)
{
	unsigned int b;

	memset(g, 0, sizeof(*g));
	g->n = (uint16_t)n;
	if (n == 0)
		return;
	memcpy(g->members, servers, n * sizeof(*servers));
	for (b = 0; b < ADN_CLIP_ECMP_BUCKETS; b++)
		g->bucket[b] = servers[b % n];
}

/* Low bits of h_ecmp: ecmp_bucket = ecmp_hash[7:0] in p4/. */
static inline uint32_t
ecmp_bucket(const struct adn_clip_switch *sw, const struct adn_flow_key *key,
	    uint32_t *hash)
{
	uint32_t h = adn_crc_compute(&sw->ecmp_crc, key, sizeof(*key));

	if (hash != NULL)
		*hash = h;
	return h & (ADN_CLIP_ECMP_BUCKETS - 1);
}

static inline uint16_t
group_pick(const struct adn_clip_switch *sw, const struct clip_group *g,
	   const struct adn_flow_key *key)
{
	return g->bucket[ecmp_bucket(sw, key, NULL)];
}

int
adn_clip_switch_change(struct adn_clip_switch *sw, const uint16_t *servers,
		       unsigned int n)
{
	if (sw == NULL || n > ADN_CLIP_GROUP_MAX || (servers == NULL && n > 0))
		return -EINVAL;
	if (sw->mode == ADN_CLIP_LB_BF) {
		uint8_t next = sw->cur ^ 1;

		/* Clear before flipping: from the flip on, BF[next] must
		 * record only flows arriving in the new interval (App. B). */
		adn_bloom_clear(sw->bf[next]);
		group_fill(&sw->group[next], servers, n);
		sw->cur = next;
	} else {
		group_fill(&sw->group[sw->cur], servers, n);
	}
	sw->version++;
	sw->st.changes++;
	return 0;
}

/* Group logic of a miss, read-only. BF mode: prev if BF[1-cur] has the
 * flow and G_prev is not empty (a false positive against an empty
 * previous group must still find a server). */
static const struct clip_group *
choose_group(const struct adn_clip_switch *sw, const struct adn_flow_key *key,
	     enum adn_clip_path *path)
{
	const struct clip_group *prev = &sw->group[sw->cur ^ 1];

	if (sw->mode == ADN_CLIP_LB_BF && prev->n > 0 &&
	    adn_bloom_contains(sw->bf[sw->cur ^ 1], key, sizeof(*key))) {
		*path = ADN_CLIP_P_PREV;
		return prev;
	}
	*path = ADN_CLIP_P_CUR;
	return &sw->group[sw->cur];
}

int
adn_clip_switch_choose(const struct adn_clip_switch *sw,
		       const struct adn_flow_key *key, uint16_t *server,
		       enum adn_clip_path *path)
{
	const struct adn_clip_entry *pin;
	const struct clip_group *g;
	enum adn_clip_path p;

	if (sw == NULL || key == NULL || server == NULL)
		return -EINVAL;
	pin = adn_clip_table_find(sw->pins, key);
	if (pin != NULL) {
		*server = pin->server;
		p = ADN_CLIP_P_PIN;
	} else {
		g = choose_group(sw, key, &p);
		if (g->n == 0)
			return -ENOENT;
		*server = group_pick(sw, g, key);
	}
	if (path != NULL)
		*path = p;
	return 0;
}

int
adn_clip_switch_choose_after(const struct adn_clip_switch *sw,
			     const struct adn_flow_key *key,
			     const uint16_t *servers, unsigned int n,
			     uint16_t *server)
{
	struct clip_group next;

	if (sw == NULL || key == NULL || server == NULL ||
	    n > ADN_CLIP_GROUP_MAX || (servers == NULL && n > 0))
		return -EINVAL;
	/* After the change, today's BF[cur] is BF_prev and G[cur] is G_prev;
	 * a flow seen in this interval keeps the current group. */
	if (sw->mode == ADN_CLIP_LB_BF && sw->group[sw->cur].n > 0 &&
	    adn_bloom_contains(sw->bf[sw->cur], key, sizeof(*key))) {
		*server = group_pick(sw, &sw->group[sw->cur], key);
		return 0;
	}
	if (n == 0)
		return -ENOENT;
	group_fill(&next, servers, n);
	*server = group_pick(sw, &next, key);
	return 0;
}

static inline void
verdict(struct adn_clip_switch *sw, struct adn_clip_out *out,
	enum adn_clip_verdict v, enum adn_clip_reason r)
{
	out->verdict = v;
	out->reason = r;
	sw->st.reason[r]++;
	switch (v) {
	case ADN_CLIP_V_PASS:
		sw->st.pass++;
		break;
	case ADN_CLIP_V_FAST:
		sw->st.fast++;
		break;
	case ADN_CLIP_V_FLIGHT:
		sw->st.flight++;
		sw->st.flight_path[out->path]++;
		break;
	case ADN_CLIP_V_RESPONSE:
		sw->st.response++;
		break;
	case ADN_CLIP_V_DROP:
		sw->st.drop++;
		break;
	}
}

/* Post-processing of a response: strip, check, apply. */
static void
process_response(struct adn_clip_switch *sw, uint8_t *frame, size_t len,
		 struct adn_clip_out *out)
{
	struct adn_clip_pkt_info pi;
	struct adn_clip_hdr h;
	enum adn_clip_reason why;
	uint8_t *inner;
	size_t ilen;

	if (adn_clip_frame_decode(frame, len, &h, &out->hdr_err) < 0)
		return verdict(sw, out, ADN_CLIP_V_DROP,
			       ADN_CLIP_R_BAD_CLIP_HDR);
	if (h.type != ADN_CLIP_MSG_RESPONSE)
		return verdict(sw, out, ADN_CLIP_V_DROP,
			       ADN_CLIP_R_UNEXPECTED_REQUEST);
	if (h.app_id != sw->app->app_id)
		return verdict(sw, out, ADN_CLIP_V_DROP, ADN_CLIP_R_WRONG_APP);
	if (h.status != ADN_CLIP_ST_OK)
		return verdict(sw, out, ADN_CLIP_V_DROP,
			       ADN_CLIP_R_HANDLER_STATUS);
	/* Parse the inner frame before touching anything, so a malformed
	 * response leaves the buffer as it came. */
	inner = frame + ADN_CLIP_HDR_LEN;
	ilen = len - ADN_CLIP_HDR_LEN;
	{
		uint8_t eth[ADN_ETHER_HDR_LEN];
		int rc;

		memcpy(eth, inner, sizeof(eth));
		memcpy(inner, frame, 12);
		inner[12] = (uint8_t)(h.load_type >> 8);
		inner[13] = (uint8_t)h.load_type;
		rc = adn_clip_parse(inner, ilen, &pi, &why);
		if (rc < 0) {
			memcpy(inner, eth, sizeof(eth));
			return verdict(sw, out, ADN_CLIP_V_DROP,
				       rc == -ENOTSUP ?
				       ADN_CLIP_R_APPLY_FAILED : why);
		}
		if (sw->app->apply(inner, ilen, &pi, h.result,
				   h.result_len) < 0) {
			memcpy(inner, eth, sizeof(eth));
			return verdict(sw, out, ADN_CLIP_V_DROP,
				       ADN_CLIP_R_APPLY_FAILED);
		}
	}
	out->data_off = ADN_CLIP_HDR_LEN;
	out->len = ilen;
	out->flow_id = h.flow_id;
	verdict(sw, out, ADN_CLIP_V_RESPONSE, ADN_CLIP_R_NONE);
}

int
adn_clip_switch_process(struct adn_clip_switch *sw, uint8_t *frame,
			size_t len, size_t headroom, struct adn_clip_out *out)
{
	const struct adn_clip_entry *pin;
	struct adn_clip_entry *hit;
	const struct clip_group *g;
	struct adn_clip_pkt_info pi;
	enum adn_clip_reason why;
	struct adn_clip_hdr h;
	uint32_t est;
	int rc;

	if (sw == NULL || frame == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->len = len;
	sw->st.rx++;

	if (adn_clip_frame_is_clip(frame, len)) {
		process_response(sw, frame, len, out);
		return 0;
	}
	rc = adn_clip_parse(frame, len, &pi, &why);
	if (rc == -ENOTSUP) {
		verdict(sw, out, ADN_CLIP_V_PASS, why);
		return 0;
	}
	if (rc < 0) {
		verdict(sw, out, ADN_CLIP_V_DROP, why);
		return 0;
	}
	out->flow_id = adn_clip_flow_id(sw, &pi.key);

	/* Count every CLIP-candidate packet, fast path included: the
	 * top-N decides what stays on the switch too. */
	est = adn_cms_update(sw->cms, &pi.key, sizeof(pi.key), 1);
	if (est >= sw->digest_threshold &&
	    (est & (sw->digest_threshold - 1)) == 0) {
		(void)adn_cms_topn_offer(sw->cms, &pi.key, sizeof(pi.key), est);
		out->digest = true;
		sw->st.digests++;
	}

	hit = adn_clip_table_hit(sw->table, &pi.key);
	if (hit != NULL) {
		if (sw->app->apply(frame, len, &pi, hit->result,
				   hit->result_len) < 0) {
			verdict(sw, out, ADN_CLIP_V_DROP,
				ADN_CLIP_R_APPLY_FAILED);
			return 0;
		}
		verdict(sw, out, ADN_CLIP_V_FAST, ADN_CLIP_R_NONE);
		return 0;
	}

	/* Flight. */
	if (headroom < ADN_CLIP_HDR_LEN) {
		verdict(sw, out, ADN_CLIP_V_DROP, ADN_CLIP_R_NO_HEADROOM);
		return 0;
	}
	pin = adn_clip_table_hit(sw->pins, &pi.key);
	if (pin != NULL) {
		out->server = pin->server;
		out->path = ADN_CLIP_P_PIN;
		h.group_version = sw->version;
		/* As in §III-D, only a miss of the <flow, server> table reads
		 * `cur` and the filters: a pinned flow leaves BF[cur] alone,
		 * and the controller re-checks its pin at every change. */
	} else {
		if (sw->mode == ADN_CLIP_LB_BF)
			adn_bloom_add(sw->bf[sw->cur], &pi.key, sizeof(pi.key));
		g = choose_group(sw, &pi.key, &out->path);
		if (g->n == 0) {
			verdict(sw, out, ADN_CLIP_V_DROP, ADN_CLIP_R_NO_SERVER);
			return 0;
		}
		out->server = group_pick(sw, g, &pi.key);
		h.group_version = out->path == ADN_CLIP_P_PREV ?
				  (uint16_t)(sw->version - 1) : sw->version;
	}
	h.version = ADN_CLIP_VERSION;
	h.type = ADN_CLIP_MSG_REQUEST;
	h.app_id = sw->app->app_id;
	h.load_type = ADN_ETHERTYPE_IPV4;
	h.parsed_len = pi.parsed_len;
	h.server_id = out->server;
	h.status = ADN_CLIP_ST_OK;
	h.result_len = 0;
	h.flow_id = out->flow_id;
	memset(h.params, 0, sizeof(h.params));
	memset(h.result, 0, sizeof(h.result));
	if (sw->app->make_params(frame, &pi, h.params, &h.param_len) < 0) {
		verdict(sw, out, ADN_CLIP_V_DROP, ADN_CLIP_R_APPLY_FAILED);
		return 0;
	}
	rc = adn_clip_encap(frame - ADN_CLIP_HDR_LEN, len + ADN_CLIP_HDR_LEN,
			    &h, &out->hdr_err);
	if (rc < 0) {
		verdict(sw, out, ADN_CLIP_V_DROP, ADN_CLIP_R_BAD_CLIP_HDR);
		return 0;
	}
	out->data_off = -ADN_CLIP_HDR_LEN;
	out->len = len + ADN_CLIP_HDR_LEN;
	verdict(sw, out, ADN_CLIP_V_FLIGHT, ADN_CLIP_R_NONE);
	return 0;
}

int
adn_clip_switch_hash(const struct adn_clip_switch *sw, enum adn_clip_hash h,
		     const struct adn_flow_key *key, uint32_t *hash,
		     uint32_t *index)
{
	uint32_t v, idx, i;

	if (sw == NULL || key == NULL)
		return -EINVAL;
	switch (h) {
	case ADN_CLIP_H_CMS0:
	case ADN_CLIP_H_CMS1:
		i = (uint32_t)(h - ADN_CLIP_H_CMS0);
		if (i >= adn_cms_depth(sw->cms))
			return -EINVAL;
		v = adn_cms_hash(sw->cms, i, key, sizeof(*key));
		idx = adn_cms_index(sw->cms, i, key, sizeof(*key));
		break;
	case ADN_CLIP_H_BF0:
	case ADN_CLIP_H_BF1:
	case ADN_CLIP_H_BF2:
		i = (uint32_t)(h - ADN_CLIP_H_BF0);
		if (sw->bf[0] == NULL || i >= adn_bloom_nhash(sw->bf[0]))
			return -EINVAL;
		v = adn_bloom_hash(sw->bf[0], i, key, sizeof(*key));
		idx = (uint32_t)adn_bloom_index(sw->bf[0], i, key,
						sizeof(*key));
		break;
	case ADN_CLIP_H_ECMP:
		idx = ecmp_bucket(sw, key, &v);
		break;
	case ADN_CLIP_H_FID_HI:
	case ADN_CLIP_H_FID_LO:
		v = adn_crc_compute(&sw->fid_crc[h - ADN_CLIP_H_FID_HI], key,
				    sizeof(*key));
		idx = v;
		break;
	default:
		return -EINVAL;
	}
	if (hash != NULL)
		*hash = v;
	if (index != NULL)
		*index = idx;
	return 0;
}

uint8_t
adn_clip_switch_cur(const struct adn_clip_switch *sw)
{
	return sw->cur;
}

uint16_t
adn_clip_switch_version(const struct adn_clip_switch *sw)
{
	return sw->version;
}

enum adn_clip_lb_mode
adn_clip_switch_mode(const struct adn_clip_switch *sw)
{
	return sw->mode;
}

const struct adn_clip_app *
adn_clip_switch_app(const struct adn_clip_switch *sw)
{
	return sw->app;
}

unsigned int
adn_clip_switch_group(const struct adn_clip_switch *sw, uint16_t *servers,
		      unsigned int max)
{
	const struct clip_group *g = &sw->group[sw->cur];
	unsigned int n = g->n < max ? g->n : max;

	if (servers != NULL && n > 0)
		memcpy(servers, g->members, n * sizeof(*servers));
	return g->n;
}

struct adn_clip_table *
adn_clip_switch_table(struct adn_clip_switch *sw)
{
	return sw->table;
}

struct adn_clip_table *
adn_clip_switch_pins(struct adn_clip_switch *sw)
{
	return sw->pins;
}

int
adn_clip_switch_report(struct adn_clip_switch *sw,
		       struct adn_clip_hitter *out, unsigned int n)
{
	struct adn_cms_hitter *hh;
	unsigned int i, k = 0;
	int rc;

	if (sw == NULL || (out == NULL && n > 0))
		return -EINVAL;
	hh = calloc(n > 0 ? n : 1, sizeof(*hh));
	if (hh == NULL)
		return -ENOMEM;
	rc = adn_cms_report(sw->cms, hh, n, true);
	if (rc < 0) {
		free(hh);
		return rc;
	}
	for (i = 0; i < (unsigned int)rc; i++) {
		/* Only 5-tuples are ever offered; the check keeps a foreign
		 * key from being misread as one. */
		if (hh[i].key_len != sizeof(out[k].key))
			continue;
		memcpy(&out[k].key, hh[i].key, sizeof(out[k].key));
		out[k].estimate = hh[i].estimate;
		k++;
	}
	free(hh);
	return (int)k;
}

uint32_t
adn_clip_switch_estimate(const struct adn_clip_switch *sw,
			 const struct adn_flow_key *key)
{
	return adn_cms_query(sw->cms, key, sizeof(*key));
}

void
adn_clip_switch_stats_get(const struct adn_clip_switch *sw,
			  struct adn_clip_switch_stats *st)
{
	*st = sw->st;
}

void
adn_clip_switch_stats_reset(struct adn_clip_switch *sw)
{
	memset(&sw->st, 0, sizeof(sw->st));
}
