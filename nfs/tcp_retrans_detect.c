/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TcpRetransDetect — CLIP's TCP retransmission-detection handler on a
 * server (app 2): gives a connection a switch register index on SYN,
 * takes it back on FIN or RST, follows the next expected sequence number
 * and flags a segment that starts before it as a retransmission, counting
 * retransmissions per connection. Answers in place; the result layout is
 * in lib/clip/adn_clip_trd.h.
 *
 * Place it after a ClipServer output for app "trd"; it still checks every
 * request itself.
 *
 * Keys:
 *   registers (int 1-65535, default 4096)  register indices to hand out
 * Outputs: 0 — the response (error statuses too, so the switch sees them).
 * Drops: malformed — not a valid CLIP request, or not app TRD.
 * Extra counters: requests, connections (live), allocated, released,
 *   exhausted (SYN with no free register), retransmissions, untracked
 *   (segments of connections whose SYN was not seen), bad-request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_spinlock.h>

#include "adn_clip_hdr.h"
#include "adn_clip_trd.h"
#include "adn_elem.h"
#include "adn_pipeline.h"

enum { TRD_OUT, TRD_N_OUT };

enum { TRD_DROP_MALFORMED };

static const char *const trd_drops[] = {
	[TRD_DROP_MALFORMED] = "malformed", NULL,
};

struct trd {
	rte_spinlock_t lock;	/* the handler state is one shared object */
	struct adn_clip_trd *t;
};

static const struct adn_arg_spec trd_args[] = {
	{ .name = "registers", .type = ADN_ARG_INT, .min = 1,
	  .max = ADN_CLIP_TRD_MAX_REGS, .def_int = 4096,
	  .help = "register indices to hand out",
	  .shapes_state = true },
	{ .name = NULL },
};

static int
trd_configure(struct adn_elem *e, struct adn_build *b)
{
	struct trd *d = adn_elem_priv(e);
	int rc;

	/* The connection registers are state: kept across swaps. */
	if (adn_elem_priv_reused(e))
		return 0;
	rte_spinlock_init(&d->lock);
	rc = adn_clip_trd_create((uint32_t)adn_elem_arg_int(e, "registers"),
				 0x7d, &d->t);
	if (rc < 0)
		return adn_build_error(b, e, "registers",
				       "cannot allocate the registers: %s",
				       strerror(-rc));
	return 0;
}

static void
trd_free(void *priv)
{
	struct trd *d = priv;

	adn_clip_trd_free(d->t);
}

static int
trd_exec(struct adn_elem *e, struct rte_mbuf *m, union adn_pkt_ctx *ctx)
{
	struct trd *d = adn_elem_priv(e);
	int rc;

	rte_spinlock_lock(&d->lock);
	rc = adn_clip_trd_handle(d->t, rte_pktmbuf_mtod(m, uint8_t *),
				 rte_pktmbuf_data_len(m), NULL);
	rte_spinlock_unlock(&d->lock);
	return rc == 0 ? TRD_OUT : adn_drop(TRD_DROP_MALFORMED);
}

static unsigned int
trd_xstats(const struct adn_elem *e, struct adn_xstat *out, unsigned int max)
{
	const struct trd *d = adn_elem_priv(e);
	struct adn_clip_trd_stats st = { 0 };
	unsigned int n = 0;

	if (d->t != NULL)
		adn_clip_trd_stats_get(d->t, &st);
	const struct { const char *name; uint64_t v; } v[] = {
		{ "requests", st.requests },
		{ "connections", d->t ? adn_clip_trd_in_use(d->t) : 0 },
		{ "allocated", st.allocated },
		{ "released", st.released },
		{ "exhausted", st.exhausted },
		{ "retransmissions", st.retrans },
		{ "untracked", st.untracked },
		{ "bad-request", st.bad_request },
	};

	for (; n < RTE_DIM(v) && n < max; n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", v[n].name);
		out[n].value = v[n].v;
	}
	return n;
}

static const struct adn_elem_desc trd_desc = {
	.name = "TcpRetransDetect",
	.help = "CLIP TCP retransmission detection: register per connection",
	.flags = ADN_ELEM_STATEFUL_SHARED,
	.priv_size = sizeof(struct trd),
	.priv_is_state = true,
	.priv_free = trd_free,
	.n_outputs = TRD_N_OUT,
	.drop_reasons = trd_drops,
	.args = trd_args,
	.configure = trd_configure,
	ADN_ELEM_EXEC_STAGE(trd),
	.xstats = trd_xstats,
};

ADN_ELEM_REGISTER(trd_desc);
