/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ToPort — transmit on a port (Click's ToDevice). Each worker sends on its
 * own tx queue, so workers never share a queue.
 *
 * Keys:
 *   port    (string, required)   a name from the config's `ports`
 *   retries (int, default 2, 0-64) extra tx attempts for what a full ring
 *                                refused, before dropping it
 * Outputs: none (a sink).
 * Drops: tx-full — the tx ring stayed full.
 */
#include <errno.h>

#include <rte_ethdev.h>

#include "adn_elem.h"
#include "adn_pipeline.h"

enum { TO_PORT_DROP_TX_FULL };

static const char *const to_port_drops[] = {
	[TO_PORT_DROP_TX_FULL] = "tx-full", NULL,
};

struct to_port {
	const struct adn_port *port;
	unsigned int retries;
};

static const struct adn_arg_spec to_port_args[] = {
	{ .name = "port", .type = ADN_ARG_STRING, .required = true,
	  .help = "a port name from `ports`" },
	{ .name = "retries", .type = ADN_ARG_INT, .min = 0, .max = 64,
	  .def_int = 2 },
	{ .name = NULL },
};

static int
to_port_configure(struct adn_elem *e, struct adn_build *b)
{
	struct to_port *tp = adn_elem_priv(e);

	tp->port = adn_build_claim_tx(b, e, "port",
				      adn_elem_arg_str(e, "port"));
	tp->retries = (unsigned int)adn_elem_arg_int(e, "retries");
	return tp->port ? 0 : -EINVAL;
}

static void
to_port_process(struct adn_elem *e, struct adn_batch *b)
{
	const struct to_port *tp = adn_elem_priv(e);
	uint16_t queue = (uint16_t)adn_worker_index();
	uint16_t sent = 0, i;

	for (unsigned int try = 0; sent < b->n && try <= tp->retries; try++)
		sent += rte_eth_tx_burst(tp->port->port_id, queue,
					 b->pkts + sent, b->n - sent);
	for (i = 0; i < sent; i++)
		b->out[i] = ADN_CONSUMED;
	for (; i < b->n; i++)
		b->out[i] = (int16_t)adn_drop(TO_PORT_DROP_TX_FULL);
}

static const struct adn_elem_desc to_port_desc = {
	.name = "ToPort",
	.help = "transmit on a port (one tx queue per worker)",
	.flags = ADN_ELEM_EXTERNAL,
	.priv_size = sizeof(struct to_port),
	.n_outputs = 0,
	.drop_reasons = to_port_drops,
	.args = to_port_args,
	.configure = to_port_configure,
	.process = to_port_process,
};

ADN_ELEM_REGISTER(to_port_desc);
