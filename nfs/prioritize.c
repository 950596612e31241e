/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prioritize — classifies RPC requests at ingress (the service mesh
 * paper's §4: classify once, carry the class with the request across
 * layers), after RpcParse. A request gets the class of the first rule its
 * view fields match, else `default_class`; the class is written into the
 * packet where every later hop can read it without L7 state:
 *   - the IPv4 DSCP (`dscp[class]`; header checksum updated) — what
 *     PrioSched schedules on;
 *   - ADN RPC: the URGENT flag (set for class 0, cleared otherwise) and,
 *     when the message carries u64 field `class_field`, its value; both in
 *     place (the header's length never changes), UDP checksum updated
 *     when set;
 *   - HTTP: the value of header `header` (x-priority) when the request
 *     has it, overwritten in place by the class digit and spaces (so the
 *     segment keeps its length and TCP sequence numbers stay right; a
 *     request without it is not given one), TCP checksum updated.
 * The request id (view field `request_id`, default the ADN request id,
 * else the x-request-id header) is remembered with the class, so the
 * responses carrying that id and the downstream requests a service makes
 * with the same x-request-id get the same class (whatever the rules say
 * about them). The table is shared by the workers, bounded (`ids`
 * entries, one id per slot: a new id takes the slot of an old one), lock
 * free, and state: it survives plan swaps and reloads.
 *
 * Keys:
 *   view    (group) logical fields the rules name, and `request_id`
 *           (default ["rpc:id", "header:x-request-id"]); docs/adn-rpc.md
 *   rules   (list of groups, default none) { field = "NAME"; value =
 *           "TEXT"; class = N; prefix = false; } in order, first match
 *           wins; numbers match as decimal text
 *   dscp    (int array, required, 1-8 entries of 0-63) DSCP per class;
 *           the number of classes
 *   default_class (int, default the last class)
 *   class_field   (int 0-255, default 0: none) ADN u64 field given the class
 *   header  (string, default "x-priority") HTTP header rewritten in place
 *   ids     (int, power of two 1024-2^24, default 65536, s) id table slots
 * Outputs: 0 — every packet (unchanged when it has no RPC record, or is a
 *   response whose request was not seen).
 * Extra counters: class-N (packets given class N), by-rule, by-default,
 *   inherited (requests with a known id), responses, responses-unknown,
 *   no-rpc, field-written, header-written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_http.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_rpc_meta.h"
#include "adn_rpc_view_conf.h"

#define PRIO_MAX_CLASSES 8
#define PRIO_MAX_RULES 64
#define PRIO_VALUE_MAX 64

enum { PRIORITIZE_OUT, PRIORITIZE_N_OUT };

enum prio_ctr {
	PRIO_C_BY_RULE = PRIO_MAX_CLASSES,
	PRIO_C_BY_DEFAULT,
	PRIO_C_INHERITED,
	PRIO_C_RESPONSES,
	PRIO_C_RESP_UNKNOWN,
	PRIO_C_NO_RPC,
	PRIO_C_FIELD,
	PRIO_C_HEADER,
	PRIO_C_N,
};

static const char *const prio_ctr_names[PRIO_C_N] = {
	[PRIO_C_BY_RULE] = "by-rule",
	[PRIO_C_BY_DEFAULT] = "by-default",
	[PRIO_C_INHERITED] = "inherited",
	[PRIO_C_RESPONSES] = "responses",
	[PRIO_C_RESP_UNKNOWN] = "responses-unknown",
	[PRIO_C_NO_RPC] = "no-rpc",
	[PRIO_C_FIELD] = "field-written",
	[PRIO_C_HEADER] = "header-written",
};

struct prio_rule {
	uint8_t field;		/* view index */
	uint8_t cls;
	bool prefix;
	uint8_t len;
	uint8_t value[PRIO_VALUE_MAX];
};

/* The id table (state): slot = (tag << 4) | (class + 1), 0 empty. */
struct prio_ids {
	uint64_t *slot;
	uint32_t mask;
};

struct prio_worker {
	uint64_t ctr[PRIO_C_N];
} __rte_cache_aligned;

struct prioritize {
	struct adn_rpc_view view;
	int id_field;			/* view index of request_id */
	unsigned int n_rules, n_classes;
	struct prio_rule rule[PRIO_MAX_RULES];
	uint8_t dscp[PRIO_MAX_CLASSES];
	uint8_t default_class;
	uint8_t class_field;
	char header[ADN_RPC_SEL_NAME];
	struct prio_ids *ids;		/* the state's */
	struct prio_worker w[ADN_MAX_WORKERS];
};

static const struct adn_arg_spec prioritize_args[] = {
	{ .name = "view", .type = ADN_ARG_GROUP,
	  .help = "{ NAME = \"SELECTOR\"; ... } fields the rules name" },
	{ .name = "rules", .type = ADN_ARG_LIST,
	  .help = "( { field = \"NAME\"; value = \"TEXT\"; class = N; }, ... )" },
	{ .name = "dscp", .type = ADN_ARG_LIST, .required = true,
	  .help = "DSCP per class, e.g. [46, 0]" },
	{ .name = "default_class", .type = ADN_ARG_INT, .min = -1,
	  .max = PRIO_MAX_CLASSES - 1, .def_int = -1,
	  .help = "class when no rule matches (default the last)" },
	{ .name = "class_field", .type = ADN_ARG_INT, .min = 0, .max = 255,
	  .def_int = 0, .help = "ADN u64 field given the class (0: none)" },
	{ .name = "header", .type = ADN_ARG_STRING, .def_str = "x-priority",
	  .help = "HTTP header whose value is rewritten in place" },
	{ .name = "ids", .type = ADN_ARG_INT, .min = 1024, .max = 1 << 24,
	  .def_int = 65536, .help = "request id table slots, power of two",
	  .shapes_state = true },
	{ .name = NULL },
};

static void
prio_ids_destroy(void *data)
{
	struct prio_ids *t = data;

	rte_free(t->slot);
}

static int
prioritize_dscp(struct adn_elem *e, struct adn_build *b, struct prioritize *x)
{
	const config_setting_t *l = adn_elem_arg(e, "dscp");
	const int n = l ? config_setting_length(l) : 0;

	if (l == NULL)
		return -EINVAL;	/* reported by the core */
	if (n < 1 || n > PRIO_MAX_CLASSES)
		return adn_build_error(b, e, "dscp",
				       "%d entries: want one DSCP per class, 1-%d classes",
				       n, PRIO_MAX_CLASSES);
	for (int c = 0; c < n; c++) {
		const config_setting_t *v = config_setting_get_elem(l, c);
		const int d = config_setting_get_int(v);

		if (config_setting_type(v) != CONFIG_TYPE_INT || d < 0 ||
		    d > 63)
			return adn_build_error_at(b, e, v, "dscp",
						  "class %d: want a DSCP 0-63",
						  c);
		x->dscp[c] = (uint8_t)d;
	}
	x->n_classes = (unsigned int)n;
	return 0;
}

static int
prioritize_rules(struct adn_elem *e, struct adn_build *b, struct prioritize *x)
{
	const config_setting_t *l = adn_elem_arg(e, "rules");
	const int n = l ? config_setting_length(l) : 0;
	int rc = 0;

	if (n > PRIO_MAX_RULES)
		return adn_build_error(b, e, "rules", "%d rules, at most %d",
				       n, PRIO_MAX_RULES);
	for (int i = 0; i < n; i++) {
		const config_setting_t *r = config_setting_get_elem(l, i);
		struct prio_rule *pr = &x->rule[x->n_rules];
		const char *field = NULL, *value = NULL;
		int cls = -1, prefix = 0, fi;

		if (!config_setting_is_group(r) ||
		    !config_setting_lookup_string(r, "field", &field) ||
		    !config_setting_lookup_string(r, "value", &value) ||
		    !config_setting_lookup_int(r, "class", &cls)) {
			rc = adn_build_error_at(b, e, r, "rules",
						"rule %d: want { field = \"NAME\"; value = \"TEXT\"; class = N; }",
						i);
			continue;
		}
		config_setting_lookup_bool(r, "prefix", &prefix);
		fi = adn_rpc_view_find(&x->view, field);
		if (fi < 0) {
			rc = adn_build_error_at(b, e, r, "rules",
						"rule %d: field '%s' is not in `view` (map it, e.g. %s = \"header:x-%s\")",
						i, field, field, field);
			continue;
		}
		if (cls < 0 || cls >= (int)x->n_classes) {
			rc = adn_build_error_at(b, e, r, "rules",
						"rule %d: class %d, want 0-%u (one per `dscp` entry)",
						i, cls, x->n_classes - 1);
			continue;
		}
		if (strlen(value) >= PRIO_VALUE_MAX) {
			rc = adn_build_error_at(b, e, r, "rules",
						"rule %d: value longer than %d bytes",
						i, PRIO_VALUE_MAX - 1);
			continue;
		}
		pr->field = (uint8_t)fi;
		pr->cls = (uint8_t)cls;
		pr->prefix = prefix;
		pr->len = (uint8_t)strlen(value);
		memcpy(pr->value, value, pr->len);
		x->n_rules++;
	}
	return rc;
}

static int
prioritize_configure(struct adn_elem *e, struct adn_build *b)
{
	static const char *const id_sel[] = { "rpc:id", "header:x-request-id" };
	struct prioritize *x = adn_elem_priv(e);
	const uint32_t n_ids = (uint32_t)adn_elem_arg_int(e, "ids");
	const int64_t dc = adn_elem_arg_int(e, "default_class");
	struct adn_state_ref ref;
	char why[256];
	int rc;

	if (adn_rpc_meta_register() < 0)
		return adn_build_error(b, e, NULL,
				       "cannot register the RPC record's mbuf field");
	rc = adn_rpc_view_conf(b, e, "view", NULL, &x->view);
	if (rc == 0 && adn_rpc_view_find(&x->view, "request_id") < 0 &&
	    adn_rpc_view_map(&x->view, true, "request_id", id_sel, 2, why,
			     sizeof(why)) < 0)
		rc = adn_build_error(b, e, "view", "%s", why);
	if (rc < 0)
		return rc;
	x->id_field = adn_rpc_view_find(&x->view, "request_id");
	rc = prioritize_dscp(e, b, x);
	if (rc == 0)
		rc = prioritize_rules(e, b, x);
	if (rc < 0)
		return rc;
	if (dc >= (int64_t)x->n_classes)
		return adn_build_error(b, e, "default_class",
				       "%" PRId64 ": want 0-%u (one per `dscp` entry)",
				       dc, x->n_classes - 1);
	x->default_class = (uint8_t)(dc < 0 ? x->n_classes - 1 : (unsigned)dc);
	x->class_field = (uint8_t)adn_elem_arg_int(e, "class_field");
	snprintf(x->header, sizeof(x->header), "%s",
		 adn_elem_arg_str(e, "header"));
	if (!rte_is_power_of_2(n_ids))
		return adn_build_error(b, e, "ids", "%u is not a power of two",
				       n_ids);
	rc = adn_elem_state(e, b, "ids", sizeof(struct prio_ids),
			    prio_ids_destroy, 0, &ref);
	if (rc < 0)
		return rc;
	x->ids = ref.data;
	if (!ref.reused) {
		x->ids->slot = rte_zmalloc("prio_ids", sizeof(uint64_t) * n_ids,
					   RTE_CACHE_LINE_SIZE);
		if (x->ids->slot == NULL)
			return adn_build_error(b, e, "ids",
					       "cannot allocate %u slots", n_ids);
		x->ids->mask = n_ids - 1;
	}
	return 0;
}

/* The id's 64-bit hash; 0 when the message carries none. */
static uint64_t
prioritize_id(const struct prioritize *x, const struct adn_rpc_msg *msg)
{
	struct adn_rpc_val v;
	uint64_t h;

	if (!adn_rpc_view_get(msg, &x->view, (unsigned int)x->id_field, &v) ||
	    v.len == 0)
		return 0;
	h = (uint64_t)adn_murmur3_32(v.p, v.len, 1) << 32 |
		adn_murmur3_32(v.p, v.len, 2);
	return h ? h : 1;
}

/* The class remembered for id hash h, or -1. Any lcore: slots are read
 * and written whole with relaxed atomics (a slot is only a cache; a lost
 * race loses one entry, never tears one). */
static int
prioritize_ids_get(const struct prio_ids *t, uint64_t h)
{
	const uint64_t s = __atomic_load_n(&t->slot[h & t->mask],
					   __ATOMIC_RELAXED);

	if (s == 0 || s >> 4 != h >> 4)
		return -1;
	return (int)(s & 0xf) - 1;
}

static void
prioritize_ids_put(struct prio_ids *t, uint64_t h, unsigned int cls)
{
	__atomic_store_n(&t->slot[h & t->mask], (h >> 4) << 4 | (cls + 1),
			 __ATOMIC_RELAXED);
}

/* The class of the first rule that matches, or -1. */
static int
prioritize_match(const struct prioritize *x, const struct adn_rpc_msg *msg)
{
	for (unsigned int i = 0; i < x->n_rules; i++) {
		const struct prio_rule *r = &x->rule[i];
		struct adn_rpc_val v;

		if (!adn_rpc_view_get(msg, &x->view, r->field, &v))
			continue;
		if ((r->prefix ? v.len >= r->len : v.len == r->len) &&
		    memcmp(v.p, r->value, r->len) == 0)
			return r->cls;
	}
	return -1;
}

/* ADN: URGENT flag and the class field, in place. */
static void
prioritize_adn(const struct prioritize *x, struct prio_worker *w,
	       struct rte_mbuf *m, struct adn_rpc_msg *msg,
	       struct rte_ipv4_hdr *ip, unsigned int cls)
{
	uint8_t *rpc = rte_pktmbuf_mtod_offset(m, uint8_t *, msg->rpc_off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(rpc - sizeof(*udp));
	const struct adn_rpc_field *f = x->class_field ?
		adn_rpc_field_find(&msg->hdr, x->class_field) : NULL;
	uint8_t flags = (uint8_t)((msg->hdr.flags & ~ADN_RPC_F_URGENT) |
				  (cls == 0 ? ADN_RPC_F_URGENT : 0));

	if (ip->next_proto_id != IPPROTO_UDP ||
	    msg->rpc_off + ADN_RPC_FIXED_LEN > m->data_len)
		return;
	rpc[ADN_RPC_OFF_FLAGS] = flags;
	msg->hdr.flags = msg->flags = flags;
	if (f != NULL && f->type == ADN_RPC_FT_U64 && f->len == 8 &&
	    msg->rpc_off + f->off + 8u <= m->data_len) {
		const uint64_t be = rte_cpu_to_be_64(cls);

		memcpy(rpc + f->off, &be, 8);
		msg->hdr.f[f - msg->hdr.f].u64 = cls;
		w->ctr[PRIO_C_FIELD]++;
	}
	if (udp->dgram_cksum != 0) {
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
}

/* HTTP: the class header's existing value, in place. */
static void
prioritize_http(const struct prioritize *x, struct prio_worker *w,
		struct rte_mbuf *m, const struct adn_rpc_msg *msg,
		struct rte_ipv4_hdr *ip, unsigned int cls)
{
	struct rte_tcp_hdr *tcp;
	struct adn_http_span v;
	uint32_t off;
	uint8_t *p;

	if (msg->head == NULL || ip->next_proto_id != IPPROTO_TCP ||
	    !adn_http_header_find((const uint8_t *)msg->head, msg->head_len,
				  x->header, strlen(x->header), &v) ||
	    v.len == 0 ||
	    (tcp = adn_pkt_l4(m, ip, sizeof(*tcp))) == NULL)
		return;
	off = m->l2_len + m->l3_len + (uint32_t)((tcp->data_off >> 4) * 4);
	/* the head must be this segment's own bytes */
	if (off + msg->head_len > m->data_len ||
	    memcmp(rte_pktmbuf_mtod_offset(m, void *, off), msg->head,
		   msg->head_len) != 0)
		return;
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, off + v.off);
	p[0] = (uint8_t)('0' + cls);
	memset(p + 1, ' ', v.len - 1u);	/* trailing OWS */
	tcp->cksum = 0;
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	w->ctr[PRIO_C_HEADER]++;
}

static int
prioritize_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct prioritize *x = adn_elem_priv(e);
	struct prio_worker *w = (struct prio_worker *)&x->w[adn_worker_index()];
	struct adn_rpc_msg *msg = adn_rpc_msg(m);
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	uint64_t id;
	int cls;

	if (msg == NULL || ip == NULL) {
		w->ctr[PRIO_C_NO_RPC]++;
		return PRIORITIZE_OUT;
	}
	id = prioritize_id(x, msg);
	cls = id ? prioritize_ids_get(x->ids, id) : -1;
	if (msg->kind == ADN_RPC_T_RESPONSE) {
		w->ctr[cls < 0 ? PRIO_C_RESP_UNKNOWN : PRIO_C_RESPONSES]++;
		if (cls < 0)
			return PRIORITIZE_OUT;
	} else if (cls >= 0) {
		w->ctr[PRIO_C_INHERITED]++;
	} else {
		cls = prioritize_match(x, msg);
		w->ctr[cls < 0 ? PRIO_C_BY_DEFAULT : PRIO_C_BY_RULE]++;
		if (cls < 0)
			cls = x->default_class;
		if (id)
			prioritize_ids_put(x->ids, id, (unsigned int)cls);
	}
	w->ctr[cls]++;
	ip->type_of_service = (uint8_t)(x->dscp[cls] << 2 |
					(ip->type_of_service & 3));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (msg->carrier == ADN_RPC_CARRIER_ADN)
		prioritize_adn(x, w, m, msg, ip, (unsigned int)cls);
	else if (msg->carrier == ADN_RPC_CARRIER_HTTP &&
		 msg->kind != ADN_RPC_T_RESPONSE)
		prioritize_http(x, w, m, msg, ip, (unsigned int)cls);
	return PRIORITIZE_OUT;
}

static unsigned int
prioritize_xstats(const struct adn_elem *e, struct adn_xstat *out,
		  unsigned int max)
{
	const struct prioritize *x = adn_elem_priv(e);
	unsigned int n = 0;

	for (unsigned int c = 0; c < PRIO_C_N && n < max; c++) {
		uint64_t v = 0;

		if (c >= x->n_classes && c < PRIO_MAX_CLASSES)
			continue;
		for (unsigned int w = 0; w < e->n_workers; w++)
			v += x->w[w].ctr[c];
		if (c < PRIO_MAX_CLASSES)
			snprintf(out[n].name, sizeof(out[n].name), "class-%u",
				 c);
		else
			snprintf(out[n].name, sizeof(out[n].name), "%s",
				 prio_ctr_names[c]);
		out[n++].value = v;
	}
	return n;
}

static const struct adn_elem_desc prioritize_desc = {
	.name = "Prioritize",
	.help = "classify RPC requests by view rules; class into DSCP, the RPC, and its responses",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct prioritize),
	.n_outputs = PRIORITIZE_N_OUT,
	.args = prioritize_args,
	.configure = prioritize_configure,
	ADN_ELEM_EXEC_STAGE(prioritize),
	.xstats = prioritize_xstats,
};

ADN_ELEM_REGISTER(prioritize_desc);
