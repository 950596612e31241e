/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-switchsim — the CLIP switch behavioral model (lib/clip) as a DPDK
 * app: a client-side port (e.g. net_pcap: trace in, trace out) and one
 * port per server (net_memif, this app the memif server side, so it owns
 * the sockets and adn-nf servers may start, stop and reconnect at any
 * time), driven by the switch model and the controller.
 *
 *   adn-switchsim --client PORT --server PORT [--server PORT ...] [options]
 *                 -- EAL arguments (the --vdev of every port)
 *
 * Server i is the i-th --server port (server id i). The controller sees a
 * server's mirrored table through the responses: every response the switch
 * post-processes carries the server id and the result it applied, so the
 * app keeps a copy of each server's mirror from them (a mapping a server
 * created always travels back in a response) and hands it to
 * adn_clip_ctrl as adn_clip_mirror_table_ops. No side channel to the
 * server processes is needed, and the copy is exact for SNAT, whose
 * mappings never change once created.
 *
 * With --server-telemetry IDX=PATH, promotion asks server IDX itself: each
 * top-N candidate not on the switch yet is looked up in the servers'
 * mirrored tables through their Snat element's export (/adn/control,NAME
 * lookup FLOW over the DPDK telemetry socket, lib/clip/adn_clip_tel.h),
 * which also knows the flows whose responses are still on their way. The
 * answer goes into the copy (a disagreement with a learned entry is
 * counted: it would be a bug) and the controller promotes from there.
 * Servers without a socket, or one that fails or does not answer within
 * --telemetry-timeout (it is then skipped for the rest of that period, so
 * a dead server costs one timeout per period, never a hang), leave the
 * candidate to the learned copy. Promotions are counted by source.
 *
 * Applications (--apps): SNAT (default) and TCP retransmission detection
 * (TRD, CLIP §IV), each with its own switch model instance over the same
 * servers and groups. With both on, a TCP segment flies first to TRD,
 * carrying the packet; the response's result (register index, flags,
 * retransmissions so far) is what the switch's register would take, and
 * the app counts the segments flagged as retransmissions; the packet,
 * unchanged, then goes through SNAT as if it had just arrived. A TRD
 * error status (no free register, ...) is a failed measurement, not a
 * failed packet: it is counted and the packet goes on. TRD keeps no
 * entries on the switch (every segment must reach the server's sequence
 * tracking) and has no push: a connection keeps its server across one
 * membership change through the BF versioning alone.
 *
 * One lcore runs everything: the model is single-threaded, so telemetry
 * commands (/adn/clip/...) are posted to the loop, run between bursts,
 * and answered from there.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_telemetry.h>

#include "adn_clip_ctrl.h"
#include "adn_clip_snat.h"
#include "adn_clip_switch.h"
#include "adn_clip_tel.h"
#include "adn_clip_trd.h"
#include "adn_intr_gate.h"
#include "adn_parse.h"

#define SIM_MAX_SERVERS		16
#define SIM_BURST		32
#define SIM_QUEUE		2048	/* pending tx per port */
#define SIM_RING		1024
#define SIM_MAX_CHANGES		8
/* Requests in flight per server at most: below the memif ring size, so a
 * server's responses always fit the ring back (no tx drop on its side). */
#define SIM_WINDOW		512
/* How often the loop lets the EAL interrupt thread run (memif connect
 * and disconnect), and how long it waits for it to park again. */
#define SIM_GATE_PERIOD_MS	5
#define SIM_GATE_WAIT_MS	100

/* Why the app itself dropped a packet (the model's reasons come on top). */
enum sim_drop {
	SIM_DROP_MULTI_SEG,	/* frame not in one segment */
	SIM_DROP_BAD_SERVER,	/* flight to a server id with no port */
	SIM_DROP_NO_HEADROOM,	/* prepend failed */
	SIM_DROP_QUEUE_FULL,	/* a port accepted nothing for a full queue */
	SIM_DROP_SHUTDOWN,	/* still queued when stopping */
	SIM_DROP_MAX
};

static const char *const sim_drop_names[SIM_DROP_MAX] = {
	"multi-seg", "bad-server", "no-headroom", "queue-full", "shutdown",
};

struct sim_change {
	uint64_t at;		/* client packets before the change */
	unsigned int n;
	uint16_t servers[SIM_MAX_SERVERS];
	bool done;
};

struct sim_port {
	uint16_t id;
	const char *name;
	uint64_t rx, tx;
	unsigned int n_q;
	struct rte_mbuf *q[SIM_QUEUE];
};

/* A telemetry command waiting for the loop. */
struct sim_mailbox {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	int pending;		/* read by the loop without the lock */
	const char *cmd;
	const char *params;
	struct rte_tel_data *d;
	int rc;
	bool done;
};

struct sim {
	/* options */
	const char *client_name;
	unsigned int n_servers;
	const char *server_name[SIM_MAX_SERVERS];
	unsigned int n_group;
	uint16_t group[SIM_MAX_SERVERS];
	enum adn_clip_lb_mode mode;
	bool push;
	uint32_t table;
	uint32_t topn;
	uint64_t period;	/* client packets per controller period; 0 off */
	double idle_exit, duration, link_wait, drain_wait;
	const char *stats_json;
	const char *tel_path[SIM_MAX_SERVERS];	/* NULL: learned copy only */
	const char *snat_elem;
	unsigned int tel_timeout_ms;
	bool snat_on, trd_on;
	unsigned int n_changes;
	struct sim_change change[SIM_MAX_CHANGES];
	/* state */
	struct rte_mempool *pool;
	struct adn_clip_switch *sw;
	struct adn_clip_switch *sw_trd;	/* NULL unless --apps has trd */
	struct adn_clip_ctrl *ctrl;
	struct adn_clip_table *mirror[SIM_MAX_SERVERS];
	struct sim_port client;
	struct sim_port server[SIM_MAX_SERVERS];
	uint64_t client_pkts;	/* client packets processed (schedule) */
	uint64_t next_period;
	uint64_t drops[SIM_DROP_MAX];
	uint64_t model_drops;	/* frames the model returned DROP for */
	uint64_t mirror_full;
	uint64_t periods, promoted;
	uint64_t promoted_export;	/* entry from the owner's export */
	uint64_t promoted_learned;	/* entry from the responses' copy */
	struct adn_clip_tel *tel[SIM_MAX_SERVERS];
	struct {
		uint64_t lookups;	/* telemetry lookups sent */
		uint64_t found;
		uint64_t not_found;
		uint64_t failures;	/* no answer in time, refused, junk */
		uint64_t mismatches;	/* export and learned copy disagree */
		uint64_t fresher;	/* exported before its response came */
	} exp;
	struct {
		uint64_t responses;	/* applied (status ok) */
		uint64_t retrans;	/* segments flagged as retransmission */
		uint64_t released;
		uint64_t untracked;
		uint64_t errors;	/* error status: forwarded unmeasured */
	} trd;
	struct adn_clip_change_report last_change;
	unsigned int n_top;
	struct adn_clip_hitter top[64];
	struct sim_mailbox mb;
	/* The memif ports' control runs on the EAL interrupt thread and
	 * unmaps the rings when a server goes away; this loop polls them,
	 * so that thread runs only in gate windows (adn_intr_gate.h). */
	struct adn_intr_gate *gate;
	uint64_t next_gate;
};

static volatile sig_atomic_t signalled;
static struct sim *tel_sim;

static void
on_signal(int sig)
{
	signalled = sig;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s --client PORT --server PORT [--server PORT ...] [options] -- EAL args\n"
		"Run the CLIP switch model between a client port and server ports.\n\n"
		"  -c, --client PORT        client-side ethdev name (e.g. net_pcap0)\n"
		"  -s, --server PORT        a server's ethdev name; i-th is server id i\n"
		"  -g, --group LIST         initial group, e.g. 0,1 (default: all servers)\n"
		"  -C, --change-at N:LIST   after N client packets set the group to LIST\n"
		"                           (LIST may be empty: drain); up to %d times\n"
		"  -a, --apps LIST          applications on: snat, trd or snat,trd (default snat);\n"
		"                           with trd, TCP segments get a TRD request first\n"
		"  -m, --mode bf|ecmp       server choice: CLIP Bloom filters (default) or plain ECMP\n"
		"  -P, --no-push            do not pin flows that would lose their server\n"
		"  -t, --table N            switch pre-processing table entries (default 1024)\n"
		"  -n, --topn N             top-N candidates per period (default 32)\n"
		"  -p, --period N           controller period (promotion) every N client packets\n"
		"  -i, --idle-exit S        stop once no packet moved for S seconds and every\n"
		"                           request sent to a server was answered\n"
		"  -D, --drain-wait S       with requests unanswered, stop after S idle seconds\n"
		"                           anyway (a server lost them; default 30)\n"
		"  -d, --duration S         stop after S seconds\n"
		"  -w, --link-wait S        wait up to S seconds for server links (default 10)\n"
		"  -j, --stats-json FILE    write the final counters as JSON\n"
		"  -T, --server-telemetry IDX=PATH\n"
		"                           server IDX's DPDK telemetry socket: promotion\n"
		"                           takes entries from its Snat export (default:\n"
		"                           from the responses seen)\n"
		"  -E, --snat-element NAME  the servers' Snat element (default snat)\n"
		"  -W, --telemetry-timeout MS  per step of a telemetry query (default 1000)\n"
		"  -h, --help\n\n"
		"Telemetry: /adn/clip/groups, /adn/clip/stats, /adn/clip/top,\n"
		"/adn/clip/set_group,LIST (ids separated by '.'), /adn/clip/add_server,ID,\n"
		"/adn/clip/remove_server,ID, /adn/clip/promote.\n",
		prog, SIM_MAX_CHANGES);
}

/* "0,1,3" (or '.'-separated, for telemetry) -> ids < n_servers. */
static int
parse_list(const char *s, unsigned int n_servers, uint16_t *out,
	   unsigned int *n)
{
	char buf[256], *tok, *save = NULL;
	uint64_t v;

	*n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",.", &save); tok != NULL;
	     tok = strtok_r(NULL, ",.", &save)) {
		if (*n >= SIM_MAX_SERVERS ||
		    adn_parse_u64(tok, 0, n_servers - 1, &v) < 0)
			return -EINVAL;
		for (unsigned int i = 0; i < *n; i++)
			if (out[i] == v)
				return -EINVAL;
		out[(*n)++] = (uint16_t)v;
	}
	return 0;
}

static int
parse_args(struct sim *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "change-at", required_argument, NULL, 'C' },
		{ "mode", required_argument, NULL, 'm' },
		{ "apps", required_argument, NULL, 'a' },
		{ "no-push", no_argument, NULL, 'P' },
		{ "table", required_argument, NULL, 't' },
		{ "topn", required_argument, NULL, 'n' },
		{ "period", required_argument, NULL, 'p' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "link-wait", required_argument, NULL, 'w' },
		{ "drain-wait", required_argument, NULL, 'D' },
		{ "stats-json", required_argument, NULL, 'j' },
		{ "server-telemetry", required_argument, NULL, 'T' },
		{ "snat-element", required_argument, NULL, 'E' },
		{ "telemetry-timeout", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *group = NULL, *apps = "snat", *changes[SIM_MAX_CHANGES];
	const char *tels[SIM_MAX_SERVERS];
	unsigned int n_ch = 0, n_tel = 0;
	uint64_t v;
	int c;

	s->push = true;
	s->table = 1024;
	s->topn = 32;
	s->link_wait = 10;
	s->drain_wait = 30;
	s->snat_elem = "snat";
	s->tel_timeout_ms = 1000;
	while ((c = getopt_long(argc, argv,
				"c:s:g:C:m:a:Pt:n:p:i:d:w:D:j:T:E:W:h",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			s->client_name = optarg;
			break;
		case 's':
			if (s->n_servers == SIM_MAX_SERVERS) {
				fprintf(stderr, "error: at most %d servers\n",
					SIM_MAX_SERVERS);
				return -EINVAL;
			}
			s->server_name[s->n_servers++] = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'C':
			if (n_ch == SIM_MAX_CHANGES) {
				fprintf(stderr, "error: at most %d --change-at\n",
					SIM_MAX_CHANGES);
				return -EINVAL;
			}
			changes[n_ch++] = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "bf") == 0) {
				s->mode = ADN_CLIP_LB_BF;
			} else if (strcmp(optarg, "ecmp") == 0) {
				s->mode = ADN_CLIP_LB_ECMP;
			} else {
				fprintf(stderr, "error: --mode: '%s' (bf or ecmp)\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'a':
			apps = optarg;
			break;
		case 'P':
			s->push = false;
			break;
		case 't':
		case 'n':
		case 'p':
			if (adn_parse_u64(optarg, c == 'p' ? 0 : 1,
					  c == 'n' ? 64 : 1u << 24, &v) < 0) {
				fprintf(stderr, "error: -%c: '%s' out of range\n",
					c, optarg);
				return -EINVAL;
			}
			if (c == 't')
				s->table = (uint32_t)v;
			else if (c == 'n')
				s->topn = (uint32_t)v;
			else
				s->period = v;
			break;
		case 'i':
		case 'd':
		case 'w':
		case 'D': {
			double *d = c == 'i' ? &s->idle_exit :
				c == 'd' ? &s->duration :
				c == 'D' ? &s->drain_wait : &s->link_wait;

			if (adn_parse_double(optarg, 0, 1e9, d) < 0) {
				fprintf(stderr, "error: -%c: '%s' is not seconds >= 0\n",
					c, optarg);
				return -EINVAL;
			}
			break;
		}
		case 'j':
			s->stats_json = optarg;
			break;
		case 'T':
			if (n_tel == SIM_MAX_SERVERS) {
				fprintf(stderr, "error: at most %d --server-telemetry\n",
					SIM_MAX_SERVERS);
				return -EINVAL;
			}
			tels[n_tel++] = optarg;
			break;
		case 'E':
			if (*optarg == '\0' || strpbrk(optarg, " \t,") != NULL) {
				fprintf(stderr, "error: --snat-element: '%s' is not an element name\n",
					optarg);
				return -EINVAL;
			}
			s->snat_elem = optarg;
			break;
		case 'W':
			if (adn_parse_u64(optarg, 1, 60000, &v) < 0) {
				fprintf(stderr, "error: --telemetry-timeout: '%s' is not 1-60000 ms\n",
					optarg);
				return -EINVAL;
			}
			s->tel_timeout_ms = (unsigned int)v;
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			usage(stderr, argv[0]);
			return -EINVAL;
		}
	}
	if (strcmp(apps, "snat") == 0) {
		s->snat_on = true;
	} else if (strcmp(apps, "trd") == 0) {
		s->trd_on = true;
	} else if (strcmp(apps, "snat,trd") == 0 ||
		   strcmp(apps, "trd,snat") == 0) {
		s->snat_on = s->trd_on = true;
	} else {
		fprintf(stderr, "error: --apps: '%s' (snat, trd or snat,trd)\n",
			apps);
		return -EINVAL;
	}
	if (s->client_name == NULL || s->n_servers == 0) {
		fprintf(stderr, "error: need --client and at least one --server\n");
		return -EINVAL;
	}
	if (group == NULL) {
		for (unsigned int i = 0; i < s->n_servers; i++)
			s->group[i] = (uint16_t)i;
		s->n_group = s->n_servers;
	} else if (parse_list(group, s->n_servers, s->group, &s->n_group)) {
		fprintf(stderr, "error: --group '%s': server ids 0-%u, no repeats\n",
			group, s->n_servers - 1);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n_ch; i++) {
		struct sim_change *ch = &s->change[i];
		const char *colon = strchr(changes[i], ':');
		char num[32];

		if (colon == NULL || (size_t)(colon - changes[i]) >= sizeof(num))
			goto bad_change;
		memcpy(num, changes[i], colon - changes[i]);
		num[colon - changes[i]] = '\0';
		if (adn_parse_u64(num, 0, UINT64_MAX, &ch->at) < 0 ||
		    parse_list(colon + 1, s->n_servers, ch->servers, &ch->n))
			goto bad_change;
		if (i > 0 && ch->at < s->change[i - 1].at)
			goto bad_change;
	}
	s->n_changes = n_ch;
	/* After the loop: ids are checked against the --server count. */
	for (unsigned int i = 0; i < n_tel; i++) {
		const char *eq = strchr(tels[i], '=');
		char num[8];

		if (eq == NULL || eq == tels[i] || eq[1] == '\0' ||
		    (size_t)(eq - tels[i]) >= sizeof(num)) {
			fprintf(stderr, "error: --server-telemetry '%s': want IDX=PATH\n",
				tels[i]);
			return -EINVAL;
		}
		memcpy(num, tels[i], eq - tels[i]);
		num[eq - tels[i]] = '\0';
		if (adn_parse_u64(num, 0, s->n_servers - 1, &v) < 0) {
			fprintf(stderr, "error: --server-telemetry '%s': IDX is a server id 0-%u\n",
				tels[i], s->n_servers - 1);
			return -EINVAL;
		}
		if (s->tel_path[v] != NULL) {
			fprintf(stderr, "error: --server-telemetry: server %" PRIu64
				" given twice\n", v);
			return -EINVAL;
		}
		s->tel_path[v] = eq + 1;
	}
	return 0;
bad_change:
	fprintf(stderr, "error: --change-at: want N:LIST with ids 0-%u, N not decreasing\n",
		s->n_servers - 1);
	return -EINVAL;
}

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
		if (signalled) {
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
static void
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

/* ---- control actions, on the loop's thread ---- */

static int
act_set_group(struct sim *s, const uint16_t *servers, unsigned int n)
{
	int rc = adn_clip_ctrl_set_group(s->ctrl, servers, n,
					 &s->last_change);

	/* TRD follows the same membership, without push (see the top). */
	if (rc == 0 && s->sw_trd != NULL)
		rc = adn_clip_switch_change(s->sw_trd, servers, n);
	if (rc == 0) {
		memcpy(s->group, servers, n * sizeof(*servers));
		s->n_group = n;
	}
	return rc;
}

/* Ask the servers with a telemetry socket for key's entry (one owns
 * it) and put the answer into that server's copy. Returns true when a
 * server exported it. A server that fails is marked in skip[] for the
 * rest of the period. */
static bool
export_entry(struct sim *s, const struct adn_flow_key *key, bool *skip)
{
	char cmd[96], reply[256];
	struct adn_clip_entry e;
	const struct adn_clip_entry *known;
	int rc, erc;

	memcpy(cmd, "lookup ", 7);
	adn_clip_snat_flow_format(key, cmd + 7, sizeof(cmd) - 7);
	for (unsigned int j = 0; j < s->n_servers; j++) {
		if (s->tel[j] == NULL || skip[j])
			continue;
		s->exp.lookups++;
		rc = adn_clip_tel_control(s->tel[j], s->snat_elem, cmd, &erc,
					  reply, sizeof(reply));
		if (rc == 0 && erc == 0 && strncmp(reply, "no entry", 8) == 0) {
			s->exp.not_found++;
			continue;
		}
		if (rc < 0 || erc < 0 ||
		    adn_clip_snat_entry_parse(reply, &e) < 0 ||
		    memcmp(&e.key, key, sizeof(*key)) != 0 || e.server != j) {
			if (s->exp.failures++ == 0)
				fprintf(stderr, "warning: export from server %u: %s%s%s (counted; the learned copy serves until the next period)\n",
					j, rc < 0 ? strerror(-rc) : "",
					rc < 0 ? "" : "answered: ",
					rc < 0 ? "" : reply);
			skip[j] = true;
			continue;
		}
		s->exp.found++;
		known = adn_clip_table_find(s->mirror[j], key);
		if (known == NULL)
			s->exp.fresher++;
		else if (known->result_len != e.result_len ||
			 memcmp(known->result, e.result, e.result_len) != 0)
			s->exp.mismatches++;
		/* The owner's word wins; a full copy leaves the candidate
		 * unpromoted (counted like a learned overflow). */
		if (adn_clip_table_add(s->mirror[j], &e) < 0) {
			s->mirror_full++;
			return false;
		}
		return true;
	}
	return false;
}

static int
act_promote(struct sim *s)
{
	struct adn_clip_table *t = adn_clip_switch_table(s->sw);
	struct adn_clip_promote_report r;
	struct adn_clip_hitter top[64];
	unsigned int n = RTE_MIN(s->topn, RTE_DIM(top));
	bool before[64], by_export[64], skip[SIM_MAX_SERVERS] = { false };
	int rc;

	/* adn_clip_ctrl_period() in its three steps, so the candidates stay
	 * visible to /adn/clip/top. */
	rc = adn_clip_switch_report(s->sw, top, n);
	if (rc < 0)
		return rc;
	s->n_top = (unsigned int)rc;
	memcpy(s->top, top, s->n_top * sizeof(top[0]));
	/* A candidate is promoted this period iff it is in the table after
	 * and was not before: promotion never evicts an entry it added in
	 * the same round. */
	for (unsigned int i = 0; i < s->n_top; i++) {
		before[i] = adn_clip_table_find(t, &top[i].key) != NULL;
		by_export[i] = !before[i] &&
			export_entry(s, &top[i].key, skip);
	}
	rc = adn_clip_ctrl_promote(s->ctrl, top, s->n_top, &r);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < s->n_top; i++) {
		if (before[i] || adn_clip_table_find(t, &top[i].key) == NULL)
			continue;
		if (by_export[i])
			s->promoted_export++;
		else
			s->promoted_learned++;
	}
	adn_clip_table_age(t);
	s->periods++;
	s->promoted += r.promoted;
	return 0;
}

static void
tel_groups(struct sim *s, struct rte_tel_data *d)
{
	struct rte_tel_data *g = rte_tel_data_alloc();
	uint16_t m[ADN_CLIP_GROUP_MAX];
	unsigned int n = adn_clip_switch_group(s->sw, m, RTE_DIM(m));

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode",
		adn_clip_switch_mode(s->sw) == ADN_CLIP_LB_BF ? "bf" : "ecmp");
	rte_tel_data_add_dict_u64(d, "version", adn_clip_switch_version(s->sw));
	rte_tel_data_add_dict_u64(d, "cur", adn_clip_switch_cur(s->sw));
	if (g != NULL) {
		rte_tel_data_start_array(g, RTE_TEL_U64_VAL);
		for (unsigned int i = 0; i < n; i++)
			rte_tel_data_add_array_u64(g, m[i]);
		rte_tel_data_add_dict_container(d, "group", g, 0);
	}
	rte_tel_data_add_dict_u64(d, "pins",
		adn_clip_table_count(adn_clip_switch_pins(s->sw)));
	rte_tel_data_add_dict_u64(d, "last_change_pinned",
				  s->last_change.pinned);
	rte_tel_data_add_dict_u64(d, "last_change_kept", s->last_change.kept);
	rte_tel_data_add_dict_u64(d, "last_change_pin_failed",
				  s->last_change.pin_failed);
}

static void
tel_stats(struct sim *s, struct rte_tel_data *d)
{
	struct adn_clip_switch_stats st;

	adn_clip_switch_stats_get(s->sw, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "client_rx", s->client.rx);
	rte_tel_data_add_dict_u64(d, "client_tx", s->client.tx);
	rte_tel_data_add_dict_u64(d, "pass", st.pass);
	rte_tel_data_add_dict_u64(d, "fast", st.fast);
	rte_tel_data_add_dict_u64(d, "flight", st.flight);
	rte_tel_data_add_dict_u64(d, "response", st.response);
	rte_tel_data_add_dict_u64(d, "model_drop", st.drop);
	rte_tel_data_add_dict_u64(d, "table",
		adn_clip_table_count(adn_clip_switch_table(s->sw)));
	rte_tel_data_add_dict_u64(d, "promoted", s->promoted);
	rte_tel_data_add_dict_u64(d, "promoted_by_export", s->promoted_export);
	rte_tel_data_add_dict_u64(d, "promoted_by_learned",
				  s->promoted_learned);
	rte_tel_data_add_dict_u64(d, "export_failures", s->exp.failures);
}

static void
tel_top(struct sim *s, struct rte_tel_data *d)
{
	char name[64];

	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < s->n_top; i++) {
		const struct adn_flow_key *k = &s->top[i].key;
		const uint8_t *a = (const uint8_t *)&k->src_ip;
		const uint8_t *b = (const uint8_t *)&k->dst_ip;

		snprintf(name, sizeof(name), "%u.%u.%u.%u:%u>%u.%u.%u.%u:%u/%u",
			 a[0], a[1], a[2], a[3], rte_be_to_cpu_16(k->src_port),
			 b[0], b[1], b[2], b[3], rte_be_to_cpu_16(k->dst_port),
			 k->proto);
		rte_tel_data_add_dict_u64(d, name, s->top[i].estimate);
	}
}

/* Run the posted command; the telemetry thread waits for it. */
static int
run_command(struct sim *s, const char *cmd, const char *params,
	    struct rte_tel_data *d)
{
	uint16_t list[SIM_MAX_SERVERS];
	unsigned int n = 0;
	uint64_t id;
	int rc = 0;

	if (strcmp(cmd, "/adn/clip/groups") == 0) {
		tel_groups(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/stats") == 0) {
		tel_stats(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/top") == 0) {
		tel_top(s, d);
		return 0;
	}
	if (strcmp(cmd, "/adn/clip/promote") == 0) {
		rc = act_promote(s);
	} else if (strcmp(cmd, "/adn/clip/set_group") == 0) {
		if (parse_list(params, s->n_servers, list, &n) < 0)
			return -EINVAL;
		rc = act_set_group(s, list, n);
	} else if (strcmp(cmd, "/adn/clip/add_server") == 0 ||
		   strcmp(cmd, "/adn/clip/remove_server") == 0) {
		bool add = cmd[10] == 'a';
		bool member = false;

		if (params == NULL ||
		    adn_parse_u64(params, 0, s->n_servers - 1, &id) < 0)
			return -EINVAL;
		for (unsigned int i = 0; i < s->n_group; i++) {
			if (s->group[i] == id)
				member = true;
			else
				list[n++] = s->group[i];
		}
		if (add == member)
			return add ? -EEXIST : -ENOENT;
		if (add)
			list[n++] = (uint16_t)id;
		rc = act_set_group(s, list, n);
	} else {
		return -ENOENT;
	}
	if (rc == 0)
		tel_groups(s, d);
	return rc;
}

static int
tel_post(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sim_mailbox *mb = &tel_sim->mb;
	int rc;

	pthread_mutex_lock(&mb->lock);
	/* one command at a time: wait for a previous one to finish */
	while (mb->pending)
		pthread_cond_wait(&mb->done_cv, &mb->lock);
	mb->cmd = cmd;
	mb->params = params;
	mb->d = d;
	mb->done = false;
	__atomic_store_n(&mb->pending, 1, __ATOMIC_RELEASE);
	while (!mb->done)
		pthread_cond_wait(&mb->done_cv, &mb->lock);
	rc = mb->rc;
	mb->pending = 0;
	pthread_cond_broadcast(&mb->done_cv);
	pthread_mutex_unlock(&mb->lock);
	return rc;
}

static void
mailbox_serve(struct sim *s)
{
	struct sim_mailbox *mb = &s->mb;

	if (!__atomic_load_n(&mb->pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&mb->lock);
	if (mb->pending && !mb->done) {
		mb->rc = run_command(s, mb->cmd, mb->params, mb->d);
		mb->done = true;
		pthread_cond_broadcast(&mb->done_cv);
	}
	pthread_mutex_unlock(&mb->lock);
}

static int
register_telemetry(void)
{
	static const struct { const char *cmd, *help; } cmds[] = {
		{ "/adn/clip/groups", "Mode, version, cur, current group, pins" },
		{ "/adn/clip/stats", "Switch counters: pass, fast, flight, response, drops" },
		{ "/adn/clip/top", "Top-N candidates of the last controller period" },
		{ "/adn/clip/set_group", "Set the group. Parameter: ids separated by '.'" },
		{ "/adn/clip/add_server", "Add a server to the group. Parameter: id" },
		{ "/adn/clip/remove_server", "Remove a server from the group. Parameter: id" },
		{ "/adn/clip/promote", "Run a controller period now (top-N promotion)" },
	};

	for (unsigned int i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, tel_post,
					       cmds[i].help) < 0)
			return -EINVAL;
	return 0;
}

/* ---- set-up, loop, report ---- */

static int
sim_init(struct sim *s)
{
	struct adn_clip_switch_conf sc;
	struct adn_clip_ctrl_conf cc = { .push_on_change = s->push,
					 .topn = s->topn };
	const char *field = NULL;
	int rc;

	s->pool = rte_pktmbuf_pool_create("sim_pool",
					  (s->n_servers + 1) * (SIM_RING * 2 +
					  SIM_QUEUE) + 2048, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
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
static int
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
		if (signalled || rte_get_timer_cycles() > end) {
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

static void
sim_loop(struct sim *s)
{
	struct rte_mbuf *pkts[SIM_BURST];
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t last_move = start;
	uint16_t n;

	s->next_period = s->period;
	while (!signalled) {
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

static void
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

static int
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

int
main(int argc, char **argv)
{
	static struct sim sim;
	struct sim *s = &sim;
	int eal_argc, rc, status = 1;
	uint16_t pid;

	pthread_mutex_init(&s->mb.lock, NULL);
	pthread_cond_init(&s->mb.done_cv, NULL);
	tel_sim = s;
	/* Telemetry commands must exist before rte_eal_init starts the
	 * telemetry socket. */
	if (register_telemetry() < 0) {
		fprintf(stderr, "error: cannot register telemetry commands\n");
		return 1;
	}
	eal_argc = rte_eal_init(argc, argv);
	if (eal_argc < 0) {
		fprintf(stderr, "error: EAL init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= eal_argc;
	argv += eal_argc;
	/* getopt wants argv[0] to be the program */
	argv[0] = "adn-switchsim";
	if (parse_args(s, argc, argv) < 0) {
		rte_eal_cleanup();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = sim_init(s);
	if (rc == 0) {
		rc = adn_intr_gate_create(5000, &s->gate);
		if (rc < 0)
			fprintf(stderr, "error: interrupt gate: %s\n",
				strerror(-rc));
	}
	if (rc == 0) {
		/* A memif server answers a client's hello only once its port
		 * is started (before, it refuses the client, who does not try
		 * again): scripts start the servers after this line. */
		printf("adn-switchsim: ports started, waiting for %u server link(s)\n",
		       s->n_servers);
		fflush(stdout);
		rc = wait_links(s);
	}
	if (rc == 0) {
		printf("adn-switchsim: %u server(s), mode %s, push %s, group of %u\n",
		       s->n_servers, s->mode == ADN_CLIP_LB_BF ? "bf" : "ecmp",
		       s->push ? "on" : "off", s->n_group);
		fflush(stdout);
		sim_loop(s);
		drain_queue(s, &s->client);
		for (unsigned int i = 0; i < s->n_servers; i++)
			drain_queue(s, &s->server[i]);
		status = sim_report(s) == 0 ? 0 : 1;
	}
	RTE_ETH_FOREACH_DEV(pid) {
		rte_eth_dev_stop(pid);
		rte_eth_dev_close(pid);
	}
	/* After closing: a close racing a disconnect on the interrupt
	 * thread would free the memif regions twice. */
	adn_intr_gate_free(s->gate);
	adn_clip_ctrl_free(s->ctrl);
	adn_clip_switch_free(s->sw);
	adn_clip_switch_free(s->sw_trd);
	for (unsigned int i = 0; i < s->n_servers; i++) {
		adn_clip_table_free(s->mirror[i]);
		adn_clip_tel_free(s->tel[i]);
	}
	rte_eal_cleanup();
	return status;
}
