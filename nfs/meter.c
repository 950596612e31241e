/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Meter — colours packets with rte_meter token buckets, srTCM (RFC 2697:
 * cir, cbs, ebs) or trTCM (RFC 2698: cir, pir, cbs, pbs), colour-blind,
 * and sends them out by colour or drops red. Per class: one bucket for
 * every packet through the element (place one Meter behind each output of
 * a Classifier for per-class profiles); per flow: `buckets` buckets
 * indexed by Murmur3 of the 5-tuple (colliding flows share one). Bytes
 * are the frame's (rte_pktmbuf_pkt_len). Buckets are shared by the workers
 * (STATEFUL_SHARED, a lock per bucket) and are state: kept across swaps
 * and reloads unless a key marked (s) changes.
 *
 * Keys:
 *   kind     ("srtcm" default, or "trtcm", s)
 *   cir      (int bytes/s 1-2^40, required, s) committed rate
 *   cbs      (int bytes 1-2^32, required, s) committed burst
 *   ebs      (int bytes 0-2^32, default cbs, s) srTCM excess burst
 *   pir      (int bytes/s, trtcm: required, >= cir, s) peak rate
 *   pbs      (int bytes, trtcm: required, s) peak burst
 *   per      ("class" default, or "flow", s)
 *   buckets  (int, power of two 1-2^24, default 65536, s) flow buckets
 *   drop_red (bool, default false) drop red packets instead of output 2
 * Outputs: 0 — green; 1 — yellow; 2 — red (absent with drop_red).
 * Drops: not-ipv4 (per flow: nothing to hash); red (drop_red).
 * Extra counters: green/yellow/red packets and bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_meter.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { METER_OUT_GREEN, METER_OUT_YELLOW, METER_OUT_RED, METER_N_OUT };

enum { METER_DROP_NOT_IPV4, METER_DROP_RED };

static const char *const meter_drops[] = {
	[METER_DROP_NOT_IPV4] = "not-ipv4",
	[METER_DROP_RED] = "red",
	NULL,
};

static const char *const meter_kinds[] = { "srtcm", "trtcm", NULL };
static const char *const meter_pers[] = { "class", "flow", NULL };

struct meter_state {
	struct adn_meter *m;
};

struct meter {
	struct adn_meter *m;	/* the state's */
	bool per_flow;
	bool drop_red;
};

static const struct adn_arg_spec meter_args[] = {
	{ .name = "kind", .type = ADN_ARG_STRING, .choices = meter_kinds,
	  .def_str = "srtcm", .help = "srtcm or trtcm", .shapes_state = true },
	{ .name = "cir", .type = ADN_ARG_INT, .required = true, .min = 1,
	  .max = 1ll << 40, .help = "committed rate, bytes/s",
	  .shapes_state = true },
	{ .name = "cbs", .type = ADN_ARG_INT, .required = true, .min = 1,
	  .max = 1ll << 32, .help = "committed burst, bytes",
	  .shapes_state = true },
	{ .name = "ebs", .type = ADN_ARG_INT, .min = 0, .max = 1ll << 32,
	  .def_int = -1, .help = "srtcm excess burst, bytes (default cbs)",
	  .shapes_state = true },
	{ .name = "pir", .type = ADN_ARG_INT, .min = 1, .max = 1ll << 40,
	  .def_int = 0, .help = "trtcm peak rate, bytes/s",
	  .shapes_state = true },
	{ .name = "pbs", .type = ADN_ARG_INT, .min = 1, .max = 1ll << 32,
	  .def_int = 0, .help = "trtcm peak burst, bytes",
	  .shapes_state = true },
	{ .name = "per", .type = ADN_ARG_STRING, .choices = meter_pers,
	  .def_str = "class", .help = "class (one bucket) or flow",
	  .shapes_state = true },
	{ .name = "buckets", .type = ADN_ARG_INT, .min = 1, .max = 1 << 24,
	  .def_int = 65536, .help = "flow buckets, power of two",
	  .shapes_state = true },
	{ .name = "drop_red", .type = ADN_ARG_BOOL,
	  .help = "drop red packets" },
	{ .name = NULL },
};

static void
meter_state_destroy(void *data)
{
	struct meter_state *st = data;

	adn_meter_free(st->m);
}

static int
meter_build(struct adn_elem *e, struct adn_build *b, struct meter_state *st,
	    bool per_flow)
{
	int64_t ebs = adn_elem_arg_int(e, "ebs");
	struct adn_meter_conf c = {
		.kind = strcmp(adn_elem_arg_str(e, "kind"), "trtcm") == 0 ?
			ADN_METER_TRTCM : ADN_METER_SRTCM,
		.cir = (uint64_t)adn_elem_arg_int(e, "cir"),
		.cbs = (uint64_t)adn_elem_arg_int(e, "cbs"),
		.pir = (uint64_t)adn_elem_arg_int(e, "pir"),
		.pbs = (uint64_t)adn_elem_arg_int(e, "pbs"),
		.n_buckets = per_flow ?
			(uint32_t)adn_elem_arg_int(e, "buckets") : 1,
		.socket = (int)rte_socket_id(),
	};
	int rc;

	c.ebs = ebs < 0 ? c.cbs : (uint64_t)ebs;
	if (!rte_is_power_of_2(c.n_buckets))
		return adn_build_error(b, e, "buckets",
				       "%u is not a power of two", c.n_buckets);
	if (c.kind == ADN_METER_TRTCM && (c.pir == 0 || c.pbs == 0))
		return adn_build_error(b, e, c.pir == 0 ? "pir" : "pbs",
				       "trtcm needs pir and pbs");
	if (c.kind == ADN_METER_TRTCM && c.pir < c.cir)
		return adn_build_error(b, e, "pir",
				       "pir %" PRIu64 " below cir %" PRIu64,
				       c.pir, c.cir);
	rc = adn_meter_create(&c, &st->m);
	if (rc == -EINVAL)
		return adn_build_error(b, e, "cir",
				       "rte_meter refuses the profile");
	if (rc < 0)
		return adn_build_error(b, e, "buckets",
				       "cannot allocate %u buckets", c.n_buckets);
	return 0;
}

static int
meter_configure(struct adn_elem *e, struct adn_build *b)
{
	struct meter *x = adn_elem_priv(e);
	struct adn_state_ref ref;
	struct meter_state *st;
	int rc;

	x->per_flow = strcmp(adn_elem_arg_str(e, "per"), "flow") == 0;
	x->drop_red = adn_elem_arg_bool(e, "drop_red");
	rc = adn_elem_state(e, b, "buckets", sizeof(*st), meter_state_destroy,
			    0, &ref);
	if (rc < 0)
		return rc;
	st = ref.data;
	if (!ref.reused) {
		rc = meter_build(e, b, st, x->per_flow);
		if (rc < 0)
			return rc;
	}
	x->m = st->m;
	/* Red is dropped: no output for it. */
	if (x->drop_red)
		e->n_outputs = METER_OUT_RED;
	return 0;
}

static int
meter_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct meter *x = adn_elem_priv(e);
	uint32_t bucket = 0;
	enum adn_meter_color c;

	if (x->per_flow) {
		struct adn_flow_key k;

		if (adn_pkt_flow_key(m, &k) < 0)
			return adn_drop(METER_DROP_NOT_IPV4);
		bucket = adn_flow_hash(&k, 0);
	}
	c = adn_meter_color(x->m, bucket, rte_pktmbuf_pkt_len(m),
			    rte_get_tsc_cycles());
	if (c == ADN_METER_RED && x->drop_red)
		return adn_drop(METER_DROP_RED);
	return (int)c;	/* green 0, yellow 1, red 2: the outputs */
}

static unsigned int
meter_xstats(const struct adn_elem *e, struct adn_xstat *out,
	     unsigned int max)
{
	static const char *const names[3] = { "green", "yellow", "red" };
	const struct meter *x = adn_elem_priv(e);
	uint64_t pkts[3], bytes[3];
	unsigned int n = 0;

	if (x->m == NULL)
		return 0;
	adn_meter_counts(x->m, pkts, bytes);
	for (int c = 0; c < 3 && n + 1 < max; c++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s-packets",
			 names[c]);
		out[n++].value = pkts[c];
		snprintf(out[n].name, sizeof(out[n].name), "%s-bytes",
			 names[c]);
		out[n++].value = bytes[c];
	}
	return n;
}

static const struct adn_elem_desc meter_desc = {
	.name = "Meter",
	.help = "rte_meter srTCM/trTCM per class or per flow, out by colour or drop red",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct meter),
	.n_outputs = METER_N_OUT,
	.drop_reasons = meter_drops,
	.args = meter_args,
	.configure = meter_configure,
	ADN_ELEM_EXEC_STAGE(meter),
	.xstats = meter_xstats,
};

ADN_ELEM_REGISTER(meter_desc);
