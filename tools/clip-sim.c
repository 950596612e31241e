/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clip-sim: drive the CLIP switch model, SNAT servers and controller with a
 * Zipf trace, DPDK-free, and report
 *  1. packets reaching the servers without promotion, with random
 *     promotion and with count-min top-N promotion (CLIP §V-B, Fig. 6);
 *  2. flow-state mismatches across server-group membership changes with
 *     plain ECMP rehash, BF versioning alone, BF versioning + the
 *     controller's push (CLIP §III-D), and ECMP + push.
 *
 * Every packet is a real 64-byte TCP frame: the switch model encapsulates
 * it, the owning server's SNAT handler answers in place, and the switch
 * post-processes the response, exactly as adn-switchsim will do on mbufs.
 *
 * A "mismatch" is a packet delivered to a server other than the one that
 * created the flow's state on its first packet (the SNAT mapping would
 * change mid-flow). Flow popularity follows Zipf(alpha) (lib/util/adn_zipf).
 *
 * Usage: clip-sim [--alpha a,b,..] [--flows N] [--packets N] [--servers N]
 *                 [--table N] [--topn N] [--period N] [--pins N]
 *                 [--cms-width N] [--seed N]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adn_parse.h"
#include "adn_rand.h"
#include "adn_zipf.h"
#include "adn_clip_ctrl.h"
#include "adn_clip_snat.h"
#include "adn_clip_switch.h"

#define MAX_ALPHAS	16
#define MAX_SERVERS	8
#define HEADROOM	128
#define FRAME_LEN	64

struct sim_conf {
	double alpha[MAX_ALPHAS];
	unsigned int n_alpha;
	uint64_t flows;
	uint64_t packets;
	unsigned int servers;
	uint32_t table;
	uint32_t topn;
	uint64_t period;
	uint32_t pins;
	uint32_t cms_width;
	uint64_t seed;
};

enum promo { PROMO_NONE, PROMO_RANDOM, PROMO_CMS };

struct sim {
	const struct sim_conf *c;
	struct adn_clip_switch *sw;
	struct adn_clip_ctrl *ctrl;
	unsigned int n_srv;
	struct adn_clip_table *mirror[MAX_SERVERS];
	struct adn_nat_pool pool[MAX_SERVERS];
	int16_t *owner;		/* per flow id: first server, -1 none */
	uint8_t *mismatched;	/* per flow id */
	uint8_t *seen;
	/* counters */
	uint64_t srv_pkts[MAX_SERVERS];
	uint64_t server_pkts;
	uint64_t fast_pkts;
	uint64_t mismatch_pkts;
	uint64_t mismatch_flows;
	uint64_t flows_seen;
	uint64_t errors;
};

static void
flow_key(uint64_t id, struct adn_flow_key *k)
{
	uint32_t sip = 0x0a000000u | (uint32_t)(id & 0xffffff);
	uint32_t dip = 0xc6336401u + (uint32_t)(id >> 24);	/* 198.51.100.1 */
	uint16_t sp = (uint16_t)(1024 + adn_mix64(id) % 60000);
	uint16_t dp = 80;

	k->src_ip = __builtin_bswap32(sip);
	k->dst_ip = __builtin_bswap32(dip);
	k->src_port = __builtin_bswap16(sp);
	k->dst_port = __builtin_bswap16(dp);
	k->proto = 6;
}

static void
build_frame(uint8_t *f, const struct adn_flow_key *k)
{
	static const uint8_t eth[14] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	};
	uint8_t *ip = f + 14, *tcp = f + 34;
	uint16_t cs;

	memset(f, 0, FRAME_LEN);
	memcpy(f, eth, sizeof(eth));
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &k->src_ip, 4);
	memcpy(ip + 16, &k->dst_ip, 4);
	cs = adn_nat_csum(ip, 20, 0);
	ip[10] = (uint8_t)(cs >> 8);
	ip[11] = (uint8_t)cs;
	memcpy(tcp, &k->src_port, 2);
	memcpy(tcp + 2, &k->dst_port, 2);
	tcp[12] = 0x50;
	tcp[13] = 0x10;
}

static int
sim_init(struct sim *s, const struct sim_conf *c, enum adn_clip_lb_mode mode,
	 bool push, unsigned int n_srv)
{
	struct adn_clip_switch_conf sc;
	struct adn_clip_ctrl_conf cc = { .push_on_change = push };
	const char *field = NULL;
	unsigned int i;
	int rc;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->n_srv = n_srv;
	adn_clip_switch_conf_default(&sc);
	sc.app = &adn_clip_app_snat;
	sc.lb_mode = mode;
	sc.table_capacity = c->table;
	sc.topn = c->topn;
	sc.pin_capacity = c->pins;
	sc.cms_width = c->cms_width;
	sc.seed = (uint32_t)c->seed;
	rc = adn_clip_switch_create(&sc, &s->sw, &field);
	if (rc < 0) {
		fprintf(stderr, "clip-sim: switch: %s (field %s)\n",
			strerror(-rc), field ? field : "-");
		return rc;
	}
	cc.topn = c->topn;
	rc = adn_clip_ctrl_create(s->sw, &cc, &s->ctrl);
	if (rc < 0)
		return rc;
	for (i = 0; i < n_srv; i++) {
		uint32_t cap = (uint32_t)(c->flows < (1u << 23) ?
					  c->flows * 2 + 16 : (1u << 24));

		rc = adn_clip_table_create(cap, 0x5e5e + i, &s->mirror[i]);
		if (rc < 0)
			return rc;
		/* 203.0.113.0/24 split among servers, full port range */
		rc = adn_nat_pool_init(&s->pool[i],
					     0xcb007100u + i * 32, 32,
					     1024, 65535);
		if (rc < 0)
			return rc;
		rc = adn_clip_ctrl_add_mirror(s->ctrl, (uint16_t)i,
					      &adn_clip_mirror_table_ops,
					      s->mirror[i]);
		if (rc < 0)
			return rc;
	}
	s->owner = malloc(c->flows * 2 * sizeof(*s->owner));
	s->mismatched = calloc(c->flows * 2, 1);
	s->seen = calloc(c->flows * 2, 1);
	if (s->owner == NULL || s->mismatched == NULL || s->seen == NULL)
		return -ENOMEM;
	memset(s->owner, 0xff, c->flows * 2 * sizeof(*s->owner));
	return 0;
}

static void
sim_fini(struct sim *s)
{
	unsigned int i;

	adn_clip_ctrl_free(s->ctrl);
	adn_clip_switch_free(s->sw);
	for (i = 0; i < MAX_SERVERS; i++) {
		adn_clip_table_free(s->mirror[i]);
		adn_nat_pool_fini(&s->pool[i]);
	}
	free(s->owner);
	free(s->mismatched);
	free(s->seen);
}

/* One packet of flow `id` through switch -> server -> switch. */
static void
sim_packet(struct sim *s, uint64_t id)
{
	uint8_t buf[HEADROOM + FRAME_LEN + 64];
	uint8_t *f = buf + HEADROOM;
	struct adn_flow_key k;
	struct adn_clip_out o;
	bool created;
	uint16_t srv;

	flow_key(id, &k);
	build_frame(f, &k);
	if (!s->seen[id]) {
		s->seen[id] = 1;
		s->flows_seen++;
	}
	adn_clip_switch_process(s->sw, f, FRAME_LEN, HEADROOM, &o);
	if (o.verdict == ADN_CLIP_V_FAST) {
		s->fast_pkts++;
		return;
	}
	if (o.verdict != ADN_CLIP_V_FLIGHT || o.server >= s->n_srv) {
		s->errors++;
		return;
	}
	srv = o.server;
	s->server_pkts++;
	s->srv_pkts[srv]++;
	if (s->owner[id] < 0) {
		s->owner[id] = (int16_t)srv;
	} else if (s->owner[id] != srv) {
		s->mismatch_pkts++;
		if (!s->mismatched[id]) {
			s->mismatched[id] = 1;
			s->mismatch_flows++;
		}
	}
	f += o.data_off;
	if (adn_clip_snat_handle(s->mirror[srv], srv, &s->pool[srv], f,
				 o.len, &created) < 0) {
		s->errors++;
		return;
	}
	adn_clip_switch_process(s->sw, f, o.len, (size_t)(f - buf), &o);
	if (o.verdict != ADN_CLIP_V_RESPONSE)
		s->errors++;
}

struct reservoir {
	struct adn_clip_hitter *out;
	uint32_t n, seen;
	struct adn_rand *r;
};

static int
reservoir_cb(const struct adn_clip_entry *e, void *arg)
{
	struct reservoir *rv = arg;
	uint64_t j;

	rv->seen++;
	if (rv->seen <= rv->n) {
		rv->out[rv->seen - 1].key = e->key;
		return 0;
	}
	j = adn_rand_below(rv->r, rv->seen);
	if (j < rv->n)
		rv->out[j].key = e->key;
	return 0;
}

/* "w/ R" of CLIP Fig. 6: promote topn flows drawn uniformly among the
 * flows the servers hold; they always replace the coldest entries. */
static void
promote_random(struct sim *s, struct adn_rand *r)
{
	struct adn_clip_hitter hh[1024];
	struct reservoir rv = { hh, s->c->topn, 0, r };
	unsigned int i;

	if (rv.n > 1024)
		rv.n = 1024;
	for (i = 0; i < s->n_srv; i++)
		adn_clip_table_walk(s->mirror[i], reservoir_cb, &rv);
	if (rv.seen < rv.n)
		rv.n = rv.seen;
	for (i = 0; i < rv.n; i++)
		hh[i].estimate = UINT32_MAX;
	adn_clip_ctrl_promote(s->ctrl, hh, rv.n, NULL);
	adn_clip_table_age(adn_clip_switch_table(s->sw));
	/* keep the sketch's period aligned with the other runs */
	adn_clip_switch_report(s->sw, NULL, 0);
}

static int
run_promotion(const struct sim_conf *c, double alpha, enum promo p,
	      uint64_t *server_pkts, uint64_t *max_srv, uint64_t *errors)
{
	uint16_t grp[MAX_SERVERS];
	struct adn_zipf z;
	struct adn_rand r, rp;
	struct sim s;
	uint64_t i;
	unsigned int k;
	int rc;

	rc = sim_init(&s, c, ADN_CLIP_LB_BF, true, c->servers);
	if (rc < 0)
		goto out;
	for (k = 0; k < c->servers; k++)
		grp[k] = (uint16_t)k;
	rc = adn_clip_ctrl_set_group(s.ctrl, grp, c->servers, NULL);
	if (rc < 0)
		goto out;
	rc = adn_zipf_init(&z, c->flows, alpha);
	if (rc < 0)
		goto out;
	/* Same trace for every scheme: same seed. */
	adn_rand_seed(&r, c->seed);
	adn_rand_seed(&rp, c->seed ^ 0x77);
	for (i = 0; i < c->packets; i++) {
		sim_packet(&s, adn_zipf_next(&z, &r));
		if ((i + 1) % c->period != 0)
			continue;
		if (p == PROMO_CMS)
			adn_clip_ctrl_period(s.ctrl, NULL);
		else if (p == PROMO_RANDOM)
			promote_random(&s, &rp);
		else
			adn_clip_switch_report(s.sw, NULL, 0);
	}
	*server_pkts = s.server_pkts;
	*max_srv = 0;
	for (k = 0; k < c->servers; k++)
		if (s.srv_pkts[k] > *max_srv)
			*max_srv = s.srv_pkts[k];
	*errors = s.errors;
out:
	sim_fini(&s);
	return rc;
}

/* Group sequence of the membership experiment: scale out twice, then
 * remove server 0 (it keeps serving the flows it owns). */
static const uint16_t churn_groups[][4] = {
	{ 0, 1 }, { 0, 1, 2 }, { 0, 1, 2, 3 }, { 1, 2, 3 },
};
static const unsigned int churn_sizes[] = { 2, 3, 4, 3 };
#define CHURN_PHASES 4

struct churn_result {
	uint64_t mismatch_pkts, mismatch_flows, flows, server_pkts;
	uint32_t pins_peak, pins_final, pin_failed, pinned_total;
	uint64_t expired;
	uint64_t errors;
};

struct expire_walk {
	struct sim *s;
	struct adn_flow_key *keys;
	size_t n, cap;
};

static int
expire_cb(const struct adn_clip_entry *e, void *arg)
{
	struct expire_walk *w = arg;

	if (e->period_hits != 0)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		struct adn_flow_key *k = realloc(w->keys, cap * sizeof(*k));

		if (k == NULL)
			return -ENOMEM;
		w->keys = k;
		w->cap = cap;
	}
	w->keys[w->n++] = e->key;
	return 0;
}

/* Server idle timeout of one phase: a flow without packets during the
 * whole last phase has ended; its state, switch entry and pin go (CLIP
 * §III-D pins only unexpired flows). The same 5-tuple later is a new
 * flow, so its owner is forgotten too. */
static int
expire_idle(struct sim *s, uint64_t *expired)
{
	struct expire_walk w = { s, NULL, 0, 0 };
	unsigned int i;
	size_t k;
	int rc = 0;

	for (i = 0; i < s->n_srv && rc == 0; i++) {
		w.n = 0;
		rc = adn_clip_table_walk(s->mirror[i], expire_cb, &w);
		for (k = 0; rc == 0 && k < w.n; k++) {
			uint64_t id = __builtin_bswap32(w.keys[k].src_ip) &
				      0xffffff;

			adn_clip_table_del(s->mirror[i], &w.keys[k]);
			(void)adn_clip_ctrl_flow_expired(s->ctrl, &w.keys[k]);
			if (s->owner[id] == (int16_t)i)
				s->owner[id] = -1;
			(*expired)++;
		}
		adn_clip_table_age(s->mirror[i]);
	}
	free(w.keys);
	return rc;
}

static int
run_churn(const struct sim_conf *c, double alpha, enum adn_clip_lb_mode mode,
	  bool push, struct churn_result *res)
{
	struct adn_clip_change_report rep;
	struct adn_zipf z;
	struct adn_rand r;
	struct sim s;
	uint64_t i, per_phase, shift;
	unsigned int ph;
	uint32_t pins;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = sim_init(&s, c, mode, push, MAX_SERVERS);
	if (rc < 0)
		goto out;
	rc = adn_zipf_init(&z, c->flows, alpha);
	if (rc < 0)
		goto out;
	adn_rand_seed(&r, c->seed);
	per_phase = c->packets / CHURN_PHASES;
	/* Phase k draws flow ids k*shift + rank: consecutive phases share
	 * 3/4 of their flows, so flows live across up to three changes. */
	shift = c->flows / 4;
	for (ph = 0; ph < CHURN_PHASES; ph++) {
		if (ph > 0) {
			rc = expire_idle(&s, &res->expired);
			if (rc < 0)
				goto out;
		}
		rc = adn_clip_ctrl_set_group(s.ctrl, churn_groups[ph],
					     churn_sizes[ph], &rep);
		if (rc < 0)
			goto out;
		res->pin_failed += rep.pin_failed;
		res->pinned_total += rep.pinned;
		pins = adn_clip_table_count(adn_clip_switch_pins(s.sw));
		if (pins > res->pins_peak)
			res->pins_peak = pins;
		for (i = 0; i < per_phase; i++)
			sim_packet(&s, ph * shift + adn_zipf_next(&z, &r));
	}
	res->pins_final = adn_clip_table_count(adn_clip_switch_pins(s.sw));
	res->mismatch_pkts = s.mismatch_pkts;
	res->mismatch_flows = s.mismatch_flows;
	res->flows = s.flows_seen;
	res->server_pkts = s.server_pkts;
	res->errors = s.errors;
out:
	sim_fini(&s);
	return rc;
}

static int
parse_alphas(const char *arg, struct sim_conf *c)
{
	char *dup = strdup(arg), *tok, *save = NULL;

	if (dup == NULL)
		return -ENOMEM;
	c->n_alpha = 0;
	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		double a;

		/* adn_parse_double also refuses "nan", "inf" and "". */
		if (adn_parse_double(tok, 0, 100, &a) < 0 || a <= 0 ||
		    c->n_alpha == MAX_ALPHAS) {
			fprintf(stderr, "clip-sim: --alpha: bad value '%s' "
				"(positive numbers up to 100, at most %d)\n", tok,
				MAX_ALPHAS);
			free(dup);
			return -EINVAL;
		}
		c->alpha[c->n_alpha++] = a;
	}
	free(dup);
	return c->n_alpha > 0 ? 0 : -EINVAL;
}

static int
parse_u64(const char *name, const char *arg, uint64_t lo, uint64_t hi,
	  uint64_t *v)
{
	/* adn_parse_u64 also refuses "", "-1" (strtoull would wrap it)
	 * and trailing junk. */
	if (adn_parse_u64(arg, lo, hi, v) < 0) {
		fprintf(stderr, "clip-sim: --%s: bad value '%s' (allowed "
			"%" PRIu64 "..%" PRIu64 ")\n", name, arg, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: clip-sim [--alpha a,b,..] [--flows N] [--packets N]\n"
		"                [--servers N] [--table N] [--topn N]\n"
		"                [--period N] [--pins N] [--cms-width N]\n"
		"                [--seed N]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alpha", required_argument, NULL, 'a' },
		{ "flows", required_argument, NULL, 'f' },
		{ "packets", required_argument, NULL, 'p' },
		{ "servers", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "topn", required_argument, NULL, 'n' },
		{ "period", required_argument, NULL, 'P' },
		{ "pins", required_argument, NULL, 'i' },
		{ "cms-width", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_conf c = {
		.alpha = { 0.5, 0.8, 0.9, 1.1 }, .n_alpha = 4,
		.flows = 100000, .packets = 2000000, .servers = 2,
		.table = 1024, .topn = 32, .period = 20000, .pins = 1u << 20,
		.cms_width = 1024, .seed = 1,
	};
	static const char *const mode_name[4] = {
		"plain ECMP rehash", "BF versioning only",
		"BF versioning + push", "plain ECMP + push",
	};
	uint64_t v;
	unsigned int i, m;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		rc = 0;
		switch (opt) {
		case 'a':
			rc = parse_alphas(optarg, &c);
			break;
		case 'f':
			/* ids (< 2 x flows) live in 24 bits of the source */
			rc = parse_u64("flows", optarg, 16, 1u << 22, &c.flows);
			break;
		case 'p':
			rc = parse_u64("packets", optarg, 1, 1ULL << 34,
				       &c.packets);
			break;
		case 's':
			rc = parse_u64("servers", optarg, 1, MAX_SERVERS, &v);
			c.servers = (unsigned int)v;
			break;
		case 't':
			rc = parse_u64("table", optarg, 1, 1u << 20, &v);
			c.table = (uint32_t)v;
			break;
		case 'n':
			rc = parse_u64("topn", optarg, 1, 1024, &v);
			c.topn = (uint32_t)v;
			break;
		case 'P':
			rc = parse_u64("period", optarg, 1, 1ULL << 34,
				       &c.period);
			break;
		case 'i':
			rc = parse_u64("pins", optarg, 1, 1u << 24, &v);
			c.pins = (uint32_t)v;
			break;
		case 'w':
			rc = parse_u64("cms-width", optarg, 1, 1u << 24, &v);
			c.cms_width = (uint32_t)v;
			break;
		case 'S':
			rc = parse_u64("seed", optarg, 0, UINT64_MAX, &c.seed);
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
		if (rc < 0)
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "clip-sim: unexpected argument '%s'\n",
			argv[optind]);
		usage();
		return 2;
	}

	printf("clip-sim: flows=%" PRIu64 " packets=%" PRIu64 " servers=%u "
	       "table=%u topn=%u period=%" PRIu64 " cms=2x%u seed=%" PRIu64
	       " (Zipf: lib/util/adn_zipf)\n\n", c.flows, c.packets,
	       c.servers, c.table, c.topn, c.period, c.cms_width, c.seed);

	printf("[promotion] packets reaching the servers (SNAT, %u servers, "
	       "switch table %u entries)\n", c.servers, c.table);
	printf("%-6s %12s %12s %12s %12s %9s %9s %12s %12s\n", "alpha",
	       "none", "random", "count-min", "ideal", "none/cms",
	       "rand/cms", "max-srv none", "max-srv cms");
	for (i = 0; i < c.n_alpha; i++) {
		uint64_t sp[3], mx[3], err[3];

		for (m = 0; m < 3; m++) {
			rc = run_promotion(&c, c.alpha[i], (enum promo)m,
					   &sp[m], &mx[m], &err[m]);
			if (rc < 0) {
				fprintf(stderr, "clip-sim: run failed: %s\n",
					strerror(-rc));
				return 1;
			}
			if (err[m] != 0) {
				fprintf(stderr, "clip-sim: %" PRIu64
					" packets lost in the model\n", err[m]);
				return 1;
			}
		}
		/* ideal: the `table` most popular flows never reach a
		 * server (oracle placement, no warm-up) */
		printf("%-6.2f %12" PRIu64 " %12" PRIu64 " %12" PRIu64
		       " %12.0f %8.2fx %8.2fx %12" PRIu64 " %12" PRIu64 "\n",
		       c.alpha[i], sp[0], sp[1], sp[2],
		       (double)c.packets * (1.0 - adn_zipf_top_share(c.flows,
						c.alpha[i], c.table)),
		       (double)sp[0] / (double)(sp[2] ? sp[2] : 1),
		       (double)sp[1] / (double)(sp[2] ? sp[2] : 1),
		       mx[0], mx[2]);
	}

	printf("\n[membership] groups {0,1} -> {0,1,2} -> {0,1,2,3} -> "
	       "{1,2,3}; %" PRIu64 " packets per phase, no promotion;\n"
	       "flows idle for a whole phase expire at the change\n",
	       c.packets / CHURN_PHASES);
	printf("%-6s %-22s %14s %16s %9s %10s %10s %10s\n", "alpha", "mode",
	       "mismatch pkts", "mismatch flows", "flows", "pins peak",
	       "pins end", "pin fail");
	for (i = 0; i < c.n_alpha; i++) {
		for (m = 0; m < 4; m++) {
			struct churn_result cr;
			enum adn_clip_lb_mode mode = (m == 0 || m == 3) ?
				ADN_CLIP_LB_ECMP : ADN_CLIP_LB_BF;
			bool push = (m >= 2);

			rc = run_churn(&c, c.alpha[i], mode, push, &cr);
			if (rc < 0) {
				fprintf(stderr, "clip-sim: run failed: %s\n",
					strerror(-rc));
				return 1;
			}
			if (cr.errors != 0) {
				fprintf(stderr, "clip-sim: %" PRIu64
					" packets lost in the model\n",
					cr.errors);
				return 1;
			}
			printf("%-6.2f %-22s %14" PRIu64 " %16" PRIu64
			       " %9" PRIu64 " %10u %10u %10u\n", c.alpha[i],
			       mode_name[m], cr.mismatch_pkts,
			       cr.mismatch_flows, cr.flows, cr.pins_peak,
			       cr.pins_final, cr.pin_failed);
		}
	}
	return 0;
}
