/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn-switchsim's parts (main.c says what the app does): the options
 * (args.c), the switch loop with its ports and report (switch.c), and the
 * control side, telemetry commands and the servers' telemetry (tel.c).
 * One lcore runs all of it; telemetry threads only post to the loop.
 */
#ifndef _SIM_H_
#define _SIM_H_

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

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

/* Set by SIGINT/SIGTERM (main.c): the loop stops. */
extern volatile sig_atomic_t sim_signalled;

/* args.c */
int parse_list(const char *s, unsigned int n_servers, uint16_t *out,
	       unsigned int *n);
int parse_args(struct sim *s, int argc, char **argv);

/* switch.c */
int sim_init(struct sim *s);
int wait_links(struct sim *s);
void sim_loop(struct sim *s);
void drain_queue(struct sim *s, struct sim_port *p);
int sim_report(struct sim *s);
void learn(struct sim *s, const uint8_t *frame, size_t len);

/* tel.c */
int register_telemetry(struct sim *s);
void mailbox_serve(struct sim *s);
int act_set_group(struct sim *s, const uint16_t *servers, unsigned int n);
int act_promote(struct sim *s);

#endif /* _SIM_H_ */
