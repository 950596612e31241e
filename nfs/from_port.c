/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FromPort — packets enter the pipeline from a port (Click's FromDevice).
 *
 * Keys:
 *   port  (string, required)  a name from the config's `ports`
 *   queue (int, default -1)   one rx queue, or -1 for all of them; rx queue
 *                             q is polled by worker q % workers
 *   parse (bool, default false)  parse each packet's headers on receive
 *                             (adn_pkt_parse: packet_type, l2/l3/l4_len);
 *                             without it packets leave with packet_type 0
 *                             (what a PMD wrote there is cleared) and the
 *                             first element that needs headers parses them
 * Outputs: 0 — every packet received.
 * Counters: the generic ones (its `in` is the pipeline's received count).
 */
#include <errno.h>

#include <rte_ethdev.h>

#include "adn_elem.h"
#include "adn_pipeline.h"
#include "adn_pkt.h"

enum { FROM_PORT_OUT, FROM_PORT_N_OUT };

struct from_port {
	const struct adn_port *port;
	bool parse;
};

static const struct adn_arg_spec from_port_args[] = {
	{ .name = "port", .type = ADN_ARG_STRING, .required = true,
	  .help = "a port name from `ports`" },
	{ .name = "queue", .type = ADN_ARG_INT, .min = -1,
	  .max = ADN_PORT_MAX_QUEUES - 1, .def_int = -1,
	  .help = "rx queue, -1 for all" },
	{ .name = "parse", .type = ADN_ARG_BOOL, .def_int = 0,
	  .help = "parse headers on receive" },
	{ .name = NULL },
};

static int
from_port_configure(struct adn_elem *e, struct adn_build *b)
{
	struct from_port *fp = adn_elem_priv(e);

	fp->port = adn_build_claim_rx(b, e, "port", adn_elem_arg_str(e, "port"),
				      (int)adn_elem_arg_int(e, "queue"));
	fp->parse = adn_elem_arg_bool(e, "parse");
	return fp->port ? 0 : -EINVAL;
}

static uint16_t
from_port_rx(struct adn_elem *e, uint16_t queue, struct rte_mbuf **pkts,
	     uint16_t max)
{
	const struct from_port *fp = adn_elem_priv(e);
	const uint16_t n = rte_eth_rx_burst(fp->port->port_id, queue, pkts,
					    max);

	/* packet_type 0 is "not parsed yet" (adn_pkt.h); a PMD's value would
	 * pass for a parse that never filled l2/l3/l4_len. */
	if (!fp->parse) {
		adn_pkt_unparsed(pkts, n);
		return n;
	}
	for (uint16_t i = 0; i < n; i++)
		adn_pkt_parse(pkts[i]);
	return n;
}

/* Batch form: every packet to output 0 in one pass (no call per packet). */
static void
from_port_process(struct adn_elem *e, struct adn_batch *b)
{
	RTE_SET_USED(e);
	adn_batch_out_all(b, FROM_PORT_OUT);
}

static const struct adn_elem_desc from_port_desc = {
	.name = "FromPort",
	.help = "receive from a port (rx queues polled by the workers)",
	.flags = ADN_ELEM_SOURCE,
	.priv_size = sizeof(struct from_port),
	.n_outputs = FROM_PORT_N_OUT,
	.args = from_port_args,
	.configure = from_port_configure,
	.rx = from_port_rx,
	.process = from_port_process,
};

ADN_ELEM_REGISTER(from_port_desc);
