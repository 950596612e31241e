/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RpcLb — balances RPC requests over backends by consistent hashing of a
 * view field (ADN §3: load balancing on the object id): Maglev (lib/nf/
 * adn_maglev.h, the table MaglevLb uses) over the hash of the field's
 * bytes, so a key keeps its backend while the set does not change and
 * only about 1/N of the keys move when one of N backends goes. The
 * destination address (and port, when the backend names one) is
 * rewritten in place with RFC 1624 checksum updates (adn_nat_rewrite).
 *
 * It reads the RPC record RpcParse left (lib/rpc/adn_rpc_msg.h); ADN RPC
 * and HTTP requests alike. An HTTP stream remembers its request's
 * backend (the L7 record's ADN_L7_ANNO_BACKEND word), so the later
 * segments of the stream that reach RpcLb (bodies, with an L7 record but
 * no RPC record) follow it. The handshake is not balanced: an L7 balancer
 * that does not terminate TCP cannot do better (docs/l7.md).
 *
 * Keys:
 *   backends   (list of strings, required, s) "A.B.C.D[:PORT] [WEIGHT]",
 *              WEIGHT 1-65535 (default 1), PORT 0 or absent: keep the
 *              packet's; at most 64 backends (removed ones included)
 *   view       (group, required) { key = "SELECTOR"; } the field hashed
 *              (docs/adn-rpc.md: rpc:N, header:NAME, query:NAME, ...)
 *   table_size (int, prime, 2-4194301, default 65537, s) Maglev M
 * Outputs: 0 — a request sent to a backend (rewritten); 1 — passed
 *          untouched: no RPC record, a response, no key in the request,
 *          a stream whose backend was removed.
 * Drops: no-backend (no backend takes requests), unsupported (not an
 *   IPv4 TCP/UDP packet whose L4 header is in the first segment).
 * Extra counters: balanced, passed, no_key, stale, then be<i>_packets
 *   per backend slot.
 * Control: add IP[:PORT] [WEIGHT] (a new backend, or back in with that
 *   weight), remove IP[:PORT] (out of the table; its streams are stale),
 *   drain IP[:PORT] (out of the table; its HTTP streams stay),
 *   weight IP[:PORT] W, lookup KEY (the backend KEY's bytes go to),
 *   stats (per backend).
 * State (kept across plan swaps while the (s) keys keep their values,
 *   so control changes survive them): backends, table, counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "adn_elem.h"
#include "adn_hash.h"
#include "adn_l7_meta.h"
#include "adn_maglev.h"
#include "adn_nat.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"
#include "adn_rpc_meta.h"
#include "adn_rpc_view_conf.h"

enum { RPC_LB_OUT_BACKEND, RPC_LB_OUT_PASS, RPC_LB_N_OUT };

enum { RPC_LB_DROP_NO_BACKEND, RPC_LB_DROP_UNSUPPORTED };

static const char *const rpc_lb_drops[] = {
	[RPC_LB_DROP_NO_BACKEND] = "no-backend",
	[RPC_LB_DROP_UNSUPPORTED] = "unsupported",
	NULL,
};

#define RPC_LB_MAX_BE 64
#define RPC_LB_SEED 0x5a17c0deu

enum rpc_lb_be_state { RPC_LB_BE_REMOVED, RPC_LB_BE_ACTIVE, RPC_LB_BE_DRAINING };

static const char *const rpc_lb_state_names[] = {
	"removed", "active", "draining",
};

/* A slot keeps its backend for good (a re-add of the same address comes
 * back to it), so a worker on an old table never reaches another
 * backend through a reused slot. */
struct rpc_lb_be {
	uint32_t ip;		/* host order */
	uint16_t port;		/* host order; 0: keep the packet's */
	uint8_t state;		/* enum rpc_lb_be_state */
	uint32_t weight;
};

struct rpc_lb_ctr {
	uint64_t balanced, passed, no_key, stale;
	uint64_t be[RPC_LB_MAX_BE];
} __rte_cache_aligned;

/* State (adn_state.h): survives plan swaps. */
struct rpc_lb_state {
	uint32_t m;
	uint16_t *table;	/* [m], published by one pointer store */
	unsigned int n_be;	/* slots used */
	struct rpc_lb_be be[RPC_LB_MAX_BE];
	struct rpc_lb_ctr ctr[ADN_MAX_WORKERS];
};

struct rpc_lb {
	struct rpc_lb_state *st;
	struct adn_rpc_view view;
};

enum { RPC_LB_VIEW_KEY };

static const struct adn_rpc_view_decl rpc_lb_view[] = {
	[RPC_LB_VIEW_KEY] = { .name = "key", .type = ADN_RPC_VT_ANY,
			      .required = true,
			      .help = "the field hashed to a backend" },
	{ .name = NULL },
};

static const struct adn_arg_spec rpc_lb_args[] = {
	{ .name = "backends", .type = ADN_ARG_LIST, .required = true,
	  .help = "\"A.B.C.D[:PORT] [WEIGHT]\" ...", .shapes_state = true },
	{ .name = "view", .type = ADN_ARG_GROUP, .required = true,
	  .help = "{ key = \"SELECTOR\"; }" },
	{ .name = "table_size", .type = ADN_ARG_INT, .min = 2,
	  .max = 4194301, .def_int = 65537, .help = "Maglev M (prime)",
	  .shapes_state = true },
	{ .name = NULL },
};

static void
rpc_lb_state_destroy(void *data)
{
	struct rpc_lb_state *st = data;

	rte_free(st->table);
}

static void
rpc_lb_table_free(void *p)
{
	rte_free(p);
}

/* Build a table of the active backends and publish it; the old one in
 * *old. Control thread. 0 or -ENOMEM. */
static int
rpc_lb_rebuild(struct rpc_lb_state *st, uint16_t **old)
{
	uint64_t keys[RPC_LB_MAX_BE];
	uint32_t w[RPC_LB_MAX_BE], next[RPC_LB_MAX_BE];
	uint16_t *t = rte_malloc("adn_rpc_lb", sizeof(*t) * st->m, 0);

	if (t == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < st->n_be; i++) {
		keys[i] = adn_maglev_backend_key(st->be[i].ip, st->be[i].port);
		w[i] = st->be[i].state == RPC_LB_BE_ACTIVE ?
			st->be[i].weight : 0;
	}
	adn_maglev_populate(t, st->m, keys, w, st->n_be, next);
	*old = st->table;
	/* release: the entries are written before workers see the table */
	__atomic_store_n(&st->table, t, __ATOMIC_RELEASE);
	return 0;
}

static int
rpc_lb_slot(const struct rpc_lb_state *st, uint32_t ip, uint16_t port)
{
	for (unsigned int i = 0; i < st->n_be; i++)
		if (st->be[i].ip == ip && st->be[i].port == port)
			return (int)i;
	return -1;
}

static int
rpc_lb_configure(struct adn_elem *e, struct adn_build *b)
{
	struct rpc_lb *x = adn_elem_priv(e);
	const config_setting_t *bl = adn_elem_arg(e, "backends");
	struct adn_state_ref ref;
	uint16_t *old;
	int rc;

	rc = adn_rpc_view_conf(b, e, "view", rpc_lb_view, &x->view);
	if (adn_elem_state(e, b, "backends", sizeof(*x->st),
			   rpc_lb_state_destroy, 0, &ref) < 0)
		return -ENOMEM;
	x->st = ref.data;
	if (ref.reused)
		return rc;
	x->st->m = (uint32_t)adn_elem_arg_int(e, "table_size");
	if (!adn_maglev_is_prime(x->st->m))
		rc = adn_build_error(b, e, "table_size", "%u is not prime "
				     "(65537, 4099 and 251 are)", x->st->m);
	for (int i = 0; bl != NULL && i < config_setting_length(bl); i++) {
		const config_setting_t *s = config_setting_get_elem(bl, i);
		const char *str = config_setting_get_string(s);
		uint32_t ip, w;
		uint16_t port;

		if (str == NULL ||
		    adn_maglev_backend_parse(str, &ip, &port, &w, false) < 0) {
			rc = adn_build_error_at(b, e, s, "backends",
				"entry %d: want \"A.B.C.D[:PORT] [WEIGHT]\", "
				"WEIGHT 1-65535", i);
			continue;
		}
		if (rpc_lb_slot(x->st, ip, port) >= 0) {
			rc = adn_build_error_at(b, e, s, "backends",
				"'%s' is listed twice", str);
			continue;
		}
		if (x->st->n_be == RPC_LB_MAX_BE) {
			rc = adn_build_error_at(b, e, s, "backends",
				"at most %d backends", RPC_LB_MAX_BE);
			break;
		}
		x->st->be[x->st->n_be++] = (struct rpc_lb_be){
			.ip = ip, .port = port, .weight = w,
			.state = RPC_LB_BE_ACTIVE,
		};
	}
	if (rc < 0)
		return rc;
	if (rpc_lb_rebuild(x->st, &old) < 0)
		return adn_build_error(b, e, "table_size", "cannot allocate "
				       "a table of %u entries", x->st->m);
	return 0;
}

/* The backend slot the key's bytes go to with table t, or
 * ADN_MAGLEV_NONE. The data path and `lookup` share it. */
static unsigned int
rpc_lb_choose(const struct rpc_lb_state *st, const uint16_t *t,
	      const uint8_t *key, size_t len)
{
	return t[adn_murmur3_32(key, len, RPC_LB_SEED) % st->m];
}

/* Rewrite m's destination to backend slot i. */
static int
rpc_lb_send(struct rpc_lb_state *st, struct rpc_lb_ctr *c, unsigned int i,
	    struct rte_mbuf *m)
{
	const struct rpc_lb_be *be = &st->be[i];
	struct rte_ipv4_hdr *ip = adn_pkt_ipv4(m);
	size_t need = ip ? adn_nat_l4_need(ip->next_proto_id) : 0;
	uint8_t *l4;
	uint16_t port;

	if (need == 0 || (ip->next_proto_id != IPPROTO_TCP &&
			  ip->next_proto_id != IPPROTO_UDP) ||
	    (l4 = adn_pkt_l4(m, ip, (uint16_t)need)) == NULL)
		return adn_drop(RPC_LB_DROP_UNSUPPORTED);
	/* TCP and UDP both keep the destination port at offset 2 */
	memcpy(&port, l4 + 2, sizeof(port));
	if (be->port != 0)
		port = rte_cpu_to_be_16(be->port);
	if (adn_nat_rewrite((uint8_t *)ip, l4, need, ADN_NAT_DST,
			    rte_cpu_to_be_32(be->ip), port) < 0)
		return adn_drop(RPC_LB_DROP_UNSUPPORTED);
	c->be[i]++;
	return RPC_LB_OUT_BACKEND;
}

static int
rpc_lb_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	const struct rpc_lb *x = adn_elem_priv(e);
	struct rpc_lb_state *st = x->st;
	struct rpc_lb_ctr *c = &st->ctr[adn_worker_index()];
	const struct adn_rpc_msg *r = adn_rpc_msg(m);
	struct adn_l7_rec *l7 = adn_l7_rec(m);
	const uint16_t *t;
	struct adn_rpc_val key;
	unsigned int i;
	int out;

	if (r == NULL || r->kind != ADN_RPC_T_REQUEST) {
		/* a later segment of a balanced HTTP stream follows it */
		if (r == NULL && l7 != NULL && l7->kind == ADN_L7_NONE &&
		    l7->anno[ADN_L7_ANNO_BACKEND] != 0) {
			i = l7->anno[ADN_L7_ANNO_BACKEND] - 1;
			if (__atomic_load_n(&st->be[i].state,
					    __ATOMIC_RELAXED) !=
			    RPC_LB_BE_REMOVED)
				return rpc_lb_send(st, c, i, m);
			c->stale++;
		}
		c->passed++;
		return RPC_LB_OUT_PASS;
	}
	if (!adn_rpc_view_get(r, &x->view, RPC_LB_VIEW_KEY, &key)) {
		c->no_key++;
		return RPC_LB_OUT_PASS;
	}
	t = __atomic_load_n(&st->table, __ATOMIC_ACQUIRE);
	i = rpc_lb_choose(st, t, key.p, key.len);
	if (i == ADN_MAGLEV_NONE)
		return adn_drop(RPC_LB_DROP_NO_BACKEND);
	out = rpc_lb_send(st, c, i, m);
	if (out == RPC_LB_OUT_BACKEND) {
		c->balanced++;
		if (l7 != NULL)
			l7->anno[ADN_L7_ANNO_BACKEND] = i + 1;
	}
	return out;
}

/* --- control ------------------------------------------------------------ */

static void
rpc_lb_be_str(const struct rpc_lb_be *be, char *out, size_t len)
{
	struct in_addr a = { .s_addr = htonl(be->ip) };
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(out, len, "%s:%u", ip, be->port);
}

static uint64_t
rpc_lb_be_packets(const struct rpc_lb_state *st, unsigned int i)
{
	uint64_t n = 0;

	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++)
		n += st->ctr[w].be[i];
	return n;
}

static int
rpc_lb_change(struct adn_elem *e, const char *verb, const char *arg,
	      char *reply, size_t len)
{
	const struct rpc_lb *x = adn_elem_priv(e);
	struct rpc_lb_state *st = x->st;
	const bool add = strcmp(verb, "add") == 0;
	const bool weight = strcmp(verb, "weight") == 0;
	struct rpc_lb_be *be;
	uint16_t port, *old;
	uint32_t ip, w;
	char name[32];
	int i, rc;

	if (add || weight ?
	    adn_maglev_backend_parse(arg, &ip, &port, &w, weight) < 0 :
	    strpbrk(arg, " \t") != NULL ||
	    adn_maglev_endpoint_parse(arg, false, &ip, &port) < 0) {
		snprintf(reply, len, "%s: want %s", verb, add ?
			 "IP[:PORT] [WEIGHT]" : weight ? "IP[:PORT] WEIGHT" :
			 "IP[:PORT]");
		return -EINVAL;
	}
	i = rpc_lb_slot(st, ip, port);
	if (i < 0 && !add) {
		snprintf(reply, len, "no backend %s", arg);
		return -ENOENT;
	}
	if (i < 0) {
		if (st->n_be == RPC_LB_MAX_BE) {
			snprintf(reply, len, "no slot left (%d backends, "
				 "removed ones included)", RPC_LB_MAX_BE);
			return -ENOSPC;
		}
		i = (int)st->n_be;
		st->be[i] = (struct rpc_lb_be){ .ip = ip, .port = port,
						.state = RPC_LB_BE_REMOVED };
		/* workers read slots below n_be only through a table that
		 * names them, published after this */
		st->n_be++;
	}
	be = &st->be[i];
	if (add && be->state == RPC_LB_BE_ACTIVE) {
		snprintf(reply, len, "%s is a backend already", arg);
		return -EEXIST;
	}
	if (weight && be->state != RPC_LB_BE_ACTIVE) {
		snprintf(reply, len, "%s is not active", arg);
		return -ENOENT;
	}
	if (add || weight) {
		be->weight = w;
		__atomic_store_n(&be->state, RPC_LB_BE_ACTIVE,
				 __ATOMIC_RELAXED);
	} else
		__atomic_store_n(&be->state, strcmp(verb, "drain") == 0 ?
				 RPC_LB_BE_DRAINING : RPC_LB_BE_REMOVED,
				 __ATOMIC_RELAXED);
	rc = rpc_lb_rebuild(st, &old);
	if (rc < 0) {
		snprintf(reply, len, "cannot allocate a table");
		return rc;
	}
	adn_elem_defer_free(e, rpc_lb_table_free, old);
	rpc_lb_be_str(be, name, sizeof(name));
	snprintf(reply, len, "%s %s (weight %u)", name,
		 rpc_lb_state_names[be->state], be->weight);
	return 1;
}

static int
rpc_lb_control(struct adn_elem *e, const char *cmd, char *reply, size_t len)
{
	const struct rpc_lb *x = adn_elem_priv(e);
	const struct rpc_lb_state *st = x->st;
	char verb[16];
	int n = 0;

	cmd += strspn(cmd, " \t");
	if (sscanf(cmd, "%15s %n", verb, &n) < 1)
		verb[0] = '\0';
	if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0 ||
	    strcmp(verb, "drain") == 0 || strcmp(verb, "weight") == 0)
		return rpc_lb_change(e, verb, cmd + n, reply, len);
	if (strcmp(verb, "lookup") == 0 && cmd[n] != '\0') {
		const uint16_t *t = __atomic_load_n(&st->table,
						    __ATOMIC_ACQUIRE);
		unsigned int i = rpc_lb_choose(st, t, (const uint8_t *)cmd + n,
					       strlen(cmd + n));
		char name[32];

		if (i == ADN_MAGLEV_NONE) {
			snprintf(reply, len, "no backend");
			return 0;
		}
		rpc_lb_be_str(&st->be[i], name, sizeof(name));
		snprintf(reply, len, "%u %s", i, name);
		return 0;
	}
	if (strcmp(cmd, "stats") == 0) {
		size_t o = 0;

		reply[0] = '\0';
		for (unsigned int i = 0; i < st->n_be && o + 1 < len; i++) {
			char name[32];

			rpc_lb_be_str(&st->be[i], name, sizeof(name));
			o += (size_t)snprintf(reply + o, len - o,
				"%u %s %s weight %u packets %" PRIu64 "\n", i,
				name, rpc_lb_state_names[st->be[i].state],
				st->be[i].weight, rpc_lb_be_packets(st, i));
		}
		return 0;
	}
	snprintf(reply, len, "unknown command '%s' (add, remove, drain, "
		 "weight, lookup KEY, stats)", cmd);
	return -EINVAL;
}

static unsigned int
rpc_lb_xstats(const struct adn_elem *e, struct adn_xstat *out,
	      unsigned int max)
{
	const struct rpc_lb *x = adn_elem_priv(e);
	const struct rpc_lb_state *st = x->st;
	uint64_t v[4] = { 0 };
	static const char *const names[4] = {
		"balanced", "passed", "no_key", "stale",
	};
	unsigned int n = 0;

	if (st == NULL)
		return 0;
	for (unsigned int w = 0; w < ADN_MAX_WORKERS; w++) {
		v[0] += st->ctr[w].balanced;
		v[1] += st->ctr[w].passed;
		v[2] += st->ctr[w].no_key;
		v[3] += st->ctr[w].stale;
	}
	for (; n < 4 && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", names[n]);
		out[n].value = v[n];
	}
	for (unsigned int i = 0; i < st->n_be && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "be%u_packets", i);
		out[n].value = rpc_lb_be_packets(st, i);
	}
	return n;
}

static const char *const rpc_lb_control_help[] = {
	"add IP[:PORT] [WEIGHT]: a new backend, or one back in",
	"remove IP[:PORT]: out of the table; its HTTP streams are stale",
	"drain IP[:PORT]: out of the table; its HTTP streams stay",
	"weight IP[:PORT] W: a new weight of an active backend",
	"lookup KEY: the backend KEY's bytes go to",
	"stats: per backend: slot, address, state, weight, packets",
	NULL,
};

static const struct adn_elem_desc rpc_lb_desc = {
	.name = "RpcLb",
	.help = "balance RPC requests by Maglev hashing of a view field",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct rpc_lb),
	.n_outputs = RPC_LB_N_OUT,
	.drop_reasons = rpc_lb_drops,
	.args = rpc_lb_args,
	.configure = rpc_lb_configure,
	ADN_ELEM_EXEC_STAGE(rpc_lb),
	.xstats = rpc_lb_xstats,
	.control = rpc_lb_control,
	.control_help = rpc_lb_control_help,
};

ADN_ELEM_REGISTER(rpc_lb_desc);
