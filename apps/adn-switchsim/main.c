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
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "adn_runtime.h"
#include "sim.h"

volatile sig_atomic_t sim_signalled;

static void
on_signal(int sig)
{
	sim_signalled = sig;
}

int
main(int argc, char **argv)
{
	static struct sim sim;
	struct sim *s = &sim;
	struct adn_errs errs = { 0 };
	int eal_argc, rc, status = 1;
	uint16_t pid;

	pthread_mutex_init(&s->mb.lock, NULL);
	pthread_cond_init(&s->mb.done_cv, NULL);
	/* Telemetry commands must exist before rte_eal_init starts the
	 * telemetry socket. */
	if (register_telemetry(s) < 0) {
		fprintf(stderr, "error: cannot register telemetry commands\n");
		return 1;
	}
	if (adn_eal_args_check(argc, argv, &errs) < 0) {
		adn_errs_print(&errs, stderr);
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
	rc = parse_args(s, argc, argv);
	if (rc != 0) {
		rte_eal_cleanup();
		return rc > 0 ? 0 : 2;
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

