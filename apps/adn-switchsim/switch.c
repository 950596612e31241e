/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-switchsim: ports, the switch loop, the report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "adn_port.h"
#include "sim.h"

static int
port_setup(struct sim *s, struct sim_port *p, const char *name)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	p->name = name;
	rc = rte_eth_dev_get_port_by_name(name, &p->id);
	if (rc < 0) {
		fprintf(stderr, "error: port '%s' not found (give its --vdev)\n",
			name);
		return rc;
	}
	rc = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(p->id, 0, SIM_RING,
					    rte_eth_dev_socket_id(p->id), NULL,
					    s->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(p->id, 0, SIM_RING,
					    rte_eth_dev_socket_id(p->id), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(p->id);
	if (rc < 0)
		fprintf(stderr, "error: port '%s': set-up failed: %s\n", name,
			rte_strerror(-rc));
	return rc;
}

/* Send what is queued on p; keep the rest for the next round. */
static uint16_t
port_flush(struct sim_port *p)
{
	uint16_t sent;

	if (p->n_q == 0)
		return 0;
	sent = rte_eth_tx_burst(p->id, 0, p->q,
				(uint16_t)RTE_MIN(p->n_q, 512u));
	p->tx += sent;
	p->n_q -= sent;
	memmove(p->q, p->q + sent, p->n_q * sizeof(p->q[0]));
	return sent;
}

/* Queue m on p; the callers keep n_q below SIM_QUEUE by reading at most
 * one burst per round and flushing every round. */
static void
port_queue(struct sim *s, struct sim_port *p, struct rte_mbuf *m)
{
	if (p->n_q == SIM_QUEUE) {
		port_flush(p);
		if (p->n_q == SIM_QUEUE) {
			s->drops[SIM_DROP_QUEUE_FULL]++;
			rte_pktmbuf_free(m);
			return;
		}
	}
	p->q[p->n_q++] = m;
}

static void
sim_drop(struct sim *s, struct rte_mbuf *m, enum sim_drop why)
{
	s->drops[why]++;
	rte_pktmbuf_free(m);
}

/* Let the interrupt thread run its due callbacks while this thread is
 * out of every burst. Returns once it is parked again (or on a signal:
 * the loop then stops polling anyway). */
static void
gate_window(struct sim *s)
{
	while (adn_intr_gate_window(s->gate, SIM_GATE_WAIT_MS) == -ETIMEDOUT)
		if (sim_signalled) {
			fprintf(stderr, "warning: interrupt thread still busy at exit\n");
			return;
		}
}

/* The original flow of a response, read from the packet behind the
 * header (the switch rewrites it when applying the result). */
static int
inner_key(const uint8_t *frame, size_t len, struct adn_flow_key *k)
{
	const uint8_t *ip = frame + ADN_ETHER_HDR_LEN + ADN_CLIP_HDR_LEN;
	size_t ihl;

	if (len < ADN_ETHER_HDR_LEN + ADN_CLIP_HDR_LEN + 20)
		return -EINVAL;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || (size_t)(ip - frame) + ihl + 4 > len)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	memcpy(&k->src_ip, ip + 12, 4);
	memcpy(&k->dst_ip, ip + 16, 4);
	k->proto = ip[9];
	memcpy(&k->src_port, ip + ihl, 2);
	memcpy(&k->dst_port, ip + ihl + 2, 2);
	return 0;
}

/* Remember what a server answered: its mirrored table as the
 * controller needs it. */
void
learn(struct sim *s, const uint8_t *frame, size_t len)
{
	struct adn_clip_entry e;
	struct adn_clip_hdr h;

	if (adn_clip_frame_decode(frame, len, &h, NULL) < 0 ||
	    h.type != ADN_CLIP_MSG_RESPONSE || h.status != ADN_CLIP_ST_OK ||
	    h.app_id != ADN_CLIP_APP_SNAT ||
	    h.server_id >= s->n_servers || inner_key(frame, len, &e.key) < 0)
		return;
	e.server = h.server_id;
	e.result_len = h.result_len;
	memcpy(e.result, h.result, sizeof(e.result));
	if (adn_clip_table_find(s->mirror[h.server_id], &e.key) == NULL &&
	    adn_clip_table_add(s->mirror[h.server_id], &e) < 0)
		s->mirror_full++;
}

/* One frame through one switch model; queue or drop it. */
static void
switch_frame(struct sim *s, struct adn_clip_switch *sw, struct rte_mbuf *m)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct adn_clip_out out;

	adn_clip_switch_process(sw, frame, len, rte_pktmbuf_headroom(m), &out);
	switch (out.verdict) {
	case ADN_CLIP_V_FLIGHT:
		if (out.server >= s->n_servers) {
			sim_drop(s, m, SIM_DROP_BAD_SERVER);
			return;
		}
		if (rte_pktmbuf_prepend(m, (uint16_t)-out.data_off) == NULL) {
			sim_drop(s, m, SIM_DROP_NO_HEADROOM);
			return;
		}
		port_queue(s, &s->server[out.server], m);
		return;
	case ADN_CLIP_V_RESPONSE:
		rte_pktmbuf_adj(m, (uint16_t)out.data_off);
		/* fall through */
	case ADN_CLIP_V_PASS:
	case ADN_CLIP_V_FAST:
		port_queue(s, &s->client, m);
		return;
	case ADN_CLIP_V_DROP:
	default:
		s->model_drops++;
		rte_pktmbuf_free(m);
		return;
	}
}

/* The last stage a packet goes through: SNAT when on, else out. */
static void
last_stage(struct sim *s, struct rte_mbuf *m)
{
	if (s->snat_on)
		switch_frame(s, s->sw, m);
	else
		port_queue(s, &s->client, m);
}

/* A TRD response: keep the register's news, then the packet moves on to
 * the next stage. */
static void
trd_response(struct sim *s, struct rte_mbuf *m, const struct adn_clip_hdr *h)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct adn_clip_trd_result r;
	struct adn_clip_hdr dh;
	struct adn_clip_out out;

	if (h->status != ADN_CLIP_ST_OK) {
		/* The model drops error responses (right for SNAT, whose
		 * packet cannot go on untranslated); a measurement that
		 * failed must not cost the packet. */
		if (adn_clip_decap(frame, len, &dh, NULL) < 0) {
			s->model_drops++;
			rte_pktmbuf_free(m);
			return;
		}
		rte_pktmbuf_adj(m, ADN_CLIP_HDR_LEN);
		s->trd.errors++;
		last_stage(s, m);
		return;
	}
	adn_clip_switch_process(s->sw_trd, frame, len,
				rte_pktmbuf_headroom(m), &out);
	if (out.verdict != ADN_CLIP_V_RESPONSE ||
	    adn_clip_trd_result_decode(h->result, h->result_len, &r) < 0) {
		s->model_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	s->trd.responses++;
	s->trd.retrans += !!(r.flags & ADN_CLIP_TRD_F_RETRANS);
	s->trd.released += !!(r.flags & ADN_CLIP_TRD_F_RELEASED);
	s->trd.untracked += !!(r.flags & ADN_CLIP_TRD_F_UNTRACKED);
	rte_pktmbuf_adj(m, (uint16_t)out.data_off);
	last_stage(s, m);
}

static bool
is_tcp(const uint8_t *frame, size_t len)
{
	struct adn_clip_pkt_info pi;

	return adn_clip_parse(frame, len, &pi, NULL) == 0 &&
	       pi.key.proto == 6;
}

/* One frame from a port: responses go back to the model of their app,
 * client frames to the first stage they need. */
static void
sim_frame(struct sim *s, struct rte_mbuf *m, bool from_server)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct adn_clip_hdr h;

	if (m->nb_segs != 1) {
		sim_drop(s, m, SIM_DROP_MULTI_SEG);
		return;
	}
	if (from_server && adn_clip_frame_decode(frame, len, &h, NULL) == 0 &&
	    h.type == ADN_CLIP_MSG_RESPONSE) {
		if (h.app_id == ADN_CLIP_APP_TRD && s->sw_trd != NULL) {
			trd_response(s, m, &h);
			return;
		}
		/* Decode before processing: post-processing strips the
		 * header. */
		learn(s, frame, len);
	}
	if (!from_server && s->sw_trd != NULL && is_tcp(frame, len)) {
		switch_frame(s, s->sw_trd, m);
		return;
	}
	if (from_server)	/* responses and junk: the model sorts them */
		switch_frame(s, s->snat_on ? s->sw : s->sw_trd, m);
	else
		last_stage(s, m);
}

/* ---- set-up, loop, report ---- */

int
sim_init(struct sim *s)
{
	struct adn_clip_switch_conf sc;
	struct adn_clip_ctrl_conf cc = { .push_on_change = s->push,
					 .topn = s->topn };
	const char *field = NULL;
	int rc;

	s->pool = adn_pktmbuf_pool_create("sim_pool",
					  (s->n_servers + 1) * (SIM_RING * 2 +
					  SIM_QUEUE) + 2048, 256,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id(), true);
	if (s->pool == NULL) {
		fprintf(stderr, "error: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	adn_clip_switch_conf_default(&sc);
	sc.app = &adn_clip_app_snat;
	sc.lb_mode = s->mode;
	sc.table_capacity = s->table;
	sc.topn = RTE_MAX(sc.topn, s->topn);
	rc = adn_clip_switch_create(&sc, &s->sw, &field);
	if (rc < 0) {
		fprintf(stderr, "error: switch model: bad %s\n",
			field ? field : "conf");
		return rc;
	}
	rc = adn_clip_ctrl_create(s->sw, &cc, &s->ctrl);
	for (unsigned int i = 0; rc == 0 && i < s->n_servers; i++) {
		rc = adn_clip_table_create(1u << 16, (uint32_t)i,
					   &s->mirror[i]);
		if (rc == 0)
			rc = adn_clip_ctrl_add_mirror(s->ctrl, (uint16_t)i,
						      &adn_clip_mirror_table_ops,
						      s->mirror[i]);
	}
	if (rc == 0)
		rc = adn_clip_ctrl_set_group(s->ctrl, s->group, s->n_group,
					     NULL);
	if (rc < 0) {
		fprintf(stderr, "error: controller set-up: %s\n",
			strerror(-rc));
		return rc;
	}
	if (s->trd_on) {
		/* Same filters and groups; a one-entry table that the
		 * controller never fills: no TRD fast path. */
		sc.app = &adn_clip_app_trd;
		sc.table_capacity = 1;
		rc = adn_clip_switch_create(&sc, &s->sw_trd, &field);
		if (rc == 0)
			rc = adn_clip_switch_change(s->sw_trd, s->group,
						    s->n_group);
		if (rc < 0) {
			fprintf(stderr, "error: TRD switch model: %s\n",
				field ? field : strerror(-rc));
			return rc;
		}
	}
	/* Clients only: a server's socket may appear later (they start
	 * after this app, which owns the memif sockets). */
	for (unsigned int i = 0; i < s->n_servers; i++) {
		if (s->tel_path[i] == NULL)
			continue;
		rc = adn_clip_tel_create(s->tel_path[i], s->tel_timeout_ms,
					 &s->tel[i]);
		if (rc < 0) {
			fprintf(stderr, "error: --server-telemetry %u=%s: %s\n",
				i, s->tel_path[i],
				rc == -EINVAL ? "path too long for a unix socket" :
				strerror(-rc));
			return rc;
		}
	}
	rc = port_setup(s, &s->client, s->client_name);
	for (unsigned int i = 0; rc == 0 && i < s->n_servers; i++)
		rc = port_setup(s, &s->server[i], s->server_name[i]);
	return rc;
}

/* Wait until every server link is up, so the trace does not start into
 * a disconnected memif. Returns 0 or -ETIMEDOUT. */
int
wait_links(struct sim *s)
{
	uint64_t end = rte_get_timer_cycles() +
		(uint64_t)(s->link_wait * rte_get_timer_hz());
	struct rte_eth_link l;

	for (;;) {
		unsigned int up = 0;

		for (unsigned int i = 0; i < s->n_servers; i++)
			if (rte_eth_link_get_nowait(s->server[i].id, &l) == 0 &&
			    l.link_status == RTE_ETH_LINK_UP)
				up++;
		if (up == s->n_servers)
			return 0;
		if (sim_signalled || rte_get_timer_cycles() > end) {
			fprintf(stderr, "error: %u of %u server links up after %.1f s\n",
				up, s->n_servers, s->link_wait);
			return -ETIMEDOUT;
		}
		mailbox_serve(s);
		gate_window(s);
		rte_delay_ms(10);
	}
}

static void
scheduled(struct sim *s)
{
	for (unsigned int i = 0; i < s->n_changes; i++) {
		struct sim_change *ch = &s->change[i];

		if (ch->done || s->client_pkts < ch->at)
			continue;
		ch->done = true;
		if (act_set_group(s, ch->servers, ch->n) < 0)
			fprintf(stderr, "warning: change %u failed\n", i);
		else
			printf("change at %" PRIu64 ": version %u, pinned %u, kept %u, pin failed %u\n",
			       s->client_pkts, adn_clip_switch_version(s->sw),
			       s->last_change.pinned, s->last_change.kept,
			       s->last_change.pin_failed);
	}
	if (s->period > 0 && s->client_pkts >= s->next_period) {
		s->next_period = s->client_pkts + s->period;
		if (act_promote(s) < 0)
			fprintf(stderr, "warning: promotion failed\n");
	}
}

/* Client packets to read now: one burst, cut at the next scheduled
 * change or period so they apply at the exact packet count. */
static uint16_t
client_budget(const struct sim *s)
{
	uint64_t lim = SIM_BURST;

	for (unsigned int i = 0; i < s->n_changes; i++)
		if (!s->change[i].done)
			lim = RTE_MIN(lim, s->change[i].at - s->client_pkts);
	if (s->period > 0)
		lim = RTE_MIN(lim, s->next_period - s->client_pkts);
	/* room for one burst on every queue it may land on */
	if (s->client.n_q > SIM_QUEUE - SIM_BURST)
		return 0;
	for (unsigned int i = 0; i < s->n_servers; i++) {
		const struct sim_port *p = &s->server[i];

		if (p->n_q > SIM_QUEUE - SIM_BURST ||
		    p->n_q + p->tx - p->rx > SIM_WINDOW - SIM_BURST)
			return 0;
	}
	return (uint16_t)lim;
}

/* Requests sent to servers and not answered yet, plus frames queued. A
 * server answers every request it does not drop, so 0 means no server
 * holds anything of ours. */
static uint64_t
in_flight(const struct sim *s)
{
	uint64_t n = s->client.n_q;

	for (unsigned int i = 0; i < s->n_servers; i++) {
		const struct sim_port *p = &s->server[i];

		n += p->n_q + (p->tx > p->rx ? p->tx - p->rx : 0);
	}
	return n;
}

static bool
room_on_servers(const struct sim *s)
{
	for (unsigned int i = 0; i < s->n_servers; i++)
		if (s->server[i].n_q > SIM_QUEUE - SIM_BURST)
			return false;
	return true;
}

void
sim_loop(struct sim *s)
{
	struct rte_mbuf *pkts[SIM_BURST];
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t last_move = start;
	uint16_t n;

	s->next_period = s->period;
	while (!sim_signalled) {
		uint64_t now = rte_get_timer_cycles();
		bool moved = false;

		scheduled(s);
		/* A promotion may have waited on servers' telemetry: that
		 * time is not idle time. */
		now = rte_get_timer_cycles();
		n = client_budget(s);
		if (n > 0) {
			n = rte_eth_rx_burst(s->client.id, 0, pkts, n);
			s->client.rx += n;
			s->client_pkts += n;
			for (uint16_t i = 0; i < n; i++)
				sim_frame(s, pkts[i], false);
			moved |= n > 0;
		}
		for (unsigned int j = 0; j < s->n_servers; j++) {
			struct sim_port *p = &s->server[j];

			/* room for a burst on the client queue, and on
			 * any server queue a TRD response may go on to */
			if (s->client.n_q > SIM_QUEUE - SIM_BURST ||
			    (s->sw_trd != NULL &&
			     !room_on_servers(s)))
				break;
			n = rte_eth_rx_burst(p->id, 0, pkts, SIM_BURST);
			p->rx += n;
			for (uint16_t i = 0; i < n; i++)
				sim_frame(s, pkts[i], true);
			moved |= n > 0;
		}
		moved |= port_flush(&s->client) > 0;
		for (unsigned int j = 0; j < s->n_servers; j++)
			moved |= port_flush(&s->server[j]) > 0;
		mailbox_serve(s);
		if (now >= s->next_gate) {
			gate_window(s);
			s->next_gate = now + SIM_GATE_PERIOD_MS * hz / 1000;
		}
		if (moved)
			last_move = now;
		/* Idle alone is not done: on a loaded machine a server can
		 * stall for seconds with our requests in its ring, and
		 * stopping then would lose them. */
		if (s->idle_exit > 0 && now - last_move > s->idle_exit * hz &&
		    (in_flight(s) == 0 ||
		     now - last_move > RTE_MAX(s->drain_wait, s->idle_exit) * hz))
			break;
		if (s->duration > 0 && now - start > s->duration * hz)
			break;
	}
}

void
drain_queue(struct sim *s, struct sim_port *p)
{
	while (p->n_q > 0) {
		s->drops[SIM_DROP_SHUTDOWN]++;
		rte_pktmbuf_free(p->q[--p->n_q]);
	}
}

static unsigned int
n_tel_servers(const struct sim *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_servers; i++)
		n += s->tel[i] != NULL;
	return n;
}

static int
write_json(struct sim *s, uint64_t rx, uint64_t tx, uint64_t dropped)
{
	struct adn_clip_switch_stats st;
	FILE *f = fopen(s->stats_json, "w");

	if (f == NULL) {
		fprintf(stderr, "error: %s: %s\n", s->stats_json,
			strerror(errno));
		return -errno;
	}
	adn_clip_switch_stats_get(s->sw, &st);
	fprintf(f, "{\n  \"received\": %" PRIu64 ",\n  \"transmitted\": %" PRIu64
		",\n  \"dropped\": %" PRIu64 ",\n", rx, tx, dropped);
	fprintf(f, "  \"client\": {\"rx\": %" PRIu64 ", \"tx\": %" PRIu64 "},\n",
		s->client.rx, s->client.tx);
	fprintf(f, "  \"unanswered\": %" PRIu64 ",\n", in_flight(s));
	fprintf(f, "  \"apps\": [%s%s%s],\n", s->snat_on ? "\"snat\"" : "",
		s->snat_on && s->trd_on ? ", " : "", s->trd_on ? "\"trd\"" : "");
	if (s->sw_trd != NULL) {
		struct adn_clip_switch_stats ts;

		adn_clip_switch_stats_get(s->sw_trd, &ts);
		fprintf(f, "  \"trd\": {\"flight\": %" PRIu64
			", \"responses\": %" PRIu64 ", \"retransmissions\": %"
			PRIu64 ", \"released\": %" PRIu64 ", \"untracked\": %"
			PRIu64 ", \"errors\": %" PRIu64 ", \"model_drop\": %"
			PRIu64 "},\n", ts.flight, s->trd.responses,
			s->trd.retrans, s->trd.released, s->trd.untracked,
			s->trd.errors, ts.drop);
	}
	fprintf(f, "  \"servers\": [");
	for (unsigned int i = 0; i < s->n_servers; i++)
		fprintf(f, "%s{\"rx\": %" PRIu64 ", \"tx\": %" PRIu64
			", \"mirror\": %u}", i ? ", " : "", s->server[i].rx,
			s->server[i].tx, adn_clip_table_count(s->mirror[i]));
	fprintf(f, "],\n  \"drops\": {\"model\": %" PRIu64, s->model_drops);
	for (unsigned int i = 0; i < SIM_DROP_MAX; i++)
		fprintf(f, ", \"%s\": %" PRIu64, sim_drop_names[i], s->drops[i]);
	fprintf(f, "},\n  \"model_reasons\": {");
	for (unsigned int r = 1, k = 0; r < ADN_CLIP_R_MAX; r++)
		if (st.reason[r] > 0)
			fprintf(f, "%s\"%s\": %" PRIu64, k++ ? ", " : "",
				adn_clip_reason_str(r), st.reason[r]);
	fprintf(f, "},\n  \"switch\": {\"rx\": %" PRIu64 ", \"pass\": %" PRIu64
		", \"fast\": %" PRIu64 ", \"flight\": %" PRIu64
		", \"response\": %" PRIu64 ", \"drop\": %" PRIu64
		", \"flight_pin\": %" PRIu64 ", \"flight_prev\": %" PRIu64
		", \"flight_cur\": %" PRIu64 ", \"changes\": %" PRIu64 "},\n",
		st.rx, st.pass, st.fast, st.flight, st.response, st.drop,
		st.flight_path[ADN_CLIP_P_PIN], st.flight_path[ADN_CLIP_P_PREV],
		st.flight_path[ADN_CLIP_P_CUR], st.changes);
	fprintf(f, "  \"mode\": \"%s\",\n  \"version\": %u,\n  \"periods\": %" PRIu64
		",\n  \"promoted\": %" PRIu64 ",\n  \"table\": %u,\n"
		"  \"pins\": %u,\n  \"mirror_full\": %" PRIu64 ",\n"
		"  \"promoted_by_export\": %" PRIu64 ",\n"
		"  \"promoted_by_learned\": %" PRIu64 ",\n"
		"  \"export\": {\"servers\": %u, \"lookups\": %" PRIu64
		", \"found\": %" PRIu64 ", \"not_found\": %" PRIu64
		", \"failures\": %" PRIu64 ", \"mismatches\": %" PRIu64
		", \"fresher\": %" PRIu64 "},\n"
		"  \"last_change\": {\"checked\": %u, \"kept\": %u, \"pinned\": %u, "
		"\"unpinned\": %u, \"pin_failed\": %u}\n}\n",
		s->mode == ADN_CLIP_LB_BF ? "bf" : "ecmp",
		adn_clip_switch_version(s->sw), s->periods, s->promoted,
		adn_clip_table_count(adn_clip_switch_table(s->sw)),
		adn_clip_table_count(adn_clip_switch_pins(s->sw)),
		s->mirror_full, s->promoted_export, s->promoted_learned,
		n_tel_servers(s), s->exp.lookups, s->exp.found,
		s->exp.not_found, s->exp.failures, s->exp.mismatches,
		s->exp.fresher, s->last_change.checked, s->last_change.kept,
		s->last_change.pinned, s->last_change.unpinned,
		s->last_change.pin_failed);
	return fclose(f) == 0 ? 0 : -EIO;
}

int
sim_report(struct sim *s)
{
	uint64_t rx = s->client.rx, tx = s->client.tx, dropped = s->model_drops;

	for (unsigned int i = 0; i < s->n_servers; i++) {
		rx += s->server[i].rx;
		tx += s->server[i].tx;
	}
	for (unsigned int i = 0; i < SIM_DROP_MAX; i++)
		dropped += s->drops[i];
	printf("\nreceived %" PRIu64 "  transmitted %" PRIu64 "  dropped %" PRIu64
	       "  unaccounted %" PRId64 "\n", rx, tx, dropped,
	       (int64_t)(rx - tx - dropped));
	printf("client rx %" PRIu64 " tx %" PRIu64 ", requests unanswered %" PRIu64
	       "\n", s->client.rx, s->client.tx, in_flight(s));
	for (unsigned int i = 0; i < s->n_servers; i++)
		printf("server %u (%s) rx %" PRIu64 " tx %" PRIu64
		       " mirror %u\n", i, s->server[i].name, s->server[i].rx,
		       s->server[i].tx, adn_clip_table_count(s->mirror[i]));
	if (s->sw_trd != NULL)
		printf("trd: responses %" PRIu64 ", retransmissions %" PRIu64
		       ", released %" PRIu64 ", untracked %" PRIu64
		       ", errors %" PRIu64 "\n", s->trd.responses,
		       s->trd.retrans, s->trd.released, s->trd.untracked,
		       s->trd.errors);
	printf("promoted %" PRIu64 " in %" PRIu64 " periods (by export %" PRIu64
	       ", by learned entries %" PRIu64 "), version %u\n",
	       s->promoted, s->periods, s->promoted_export,
	       s->promoted_learned, adn_clip_switch_version(s->sw));
	if (n_tel_servers(s) > 0)
		printf("export: %u server(s), lookups %" PRIu64 ", found %" PRIu64
		       ", not found %" PRIu64 ", failures %" PRIu64
		       ", mismatches %" PRIu64 ", ahead of responses %" PRIu64
		       "\n", n_tel_servers(s), s->exp.lookups, s->exp.found,
		       s->exp.not_found, s->exp.failures, s->exp.mismatches,
		       s->exp.fresher);
	return s->stats_json ? write_json(s, rx, tx, dropped) : 0;
}

