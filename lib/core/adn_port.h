/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the `ports` section of the config, bound to DPDK ethdevs. Any PMD
 * works; a device whose name starts with "net_" is created as a vdev with
 * the given args (net_pcap, net_ring, net_memif, net_tap, ...), anything
 * else is looked up by name (a PCI address or an EAL --vdev).
 *
 * Every worker owns one tx queue per port (txq == workers) and the rx queues
 * q with q % workers == worker index.
 */
#ifndef _ADN_PORT_H_
#define _ADN_PORT_H_

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>
#include <rte_mempool.h>

#include "adn_errs.h"

#define ADN_MAX_PORTS 32
#define ADN_PORT_MAX_QUEUES 64

struct adn_port {
	char name[32];
	char device[128];
	char args[1024];		/* ${VAR} already expanded */
	uint16_t rxq, txq;
	uint16_t rx_desc, tx_desc;
	bool promisc;
	const config_setting_t *setting;
	/* Filled by adn_ports_start(). */
	uint32_t held_mbufs;		/* kept by the PMD (net_pcap infinite_rx) */
	uint16_t port_id;
	bool started;
};

struct adn_ports {
	unsigned int n;
	struct adn_port port[ADN_MAX_PORTS];
	struct rte_mempool *pool;
	unsigned int n_workers;
	/* Top-level keys `mbufs` (0: as many as the ports need) and
	 * `mbuf_cache`. */
	unsigned int mbufs, mbuf_cache;
	const config_setting_t *mbufs_where;
};

/*
 * rte_pktmbuf_pool_create() with its mbufs packed: a pool of IO-contiguous
 * objects keeps each one within a page, and without hugepages (--no-huge)
 * that starts every mbuf on a 4 KiB page of its own, so that all their
 * headers fall in one L1 set (a batch of 32 evicts itself) and each takes
 * 4 KiB. Packed unless a device may DMA into them (`dma`) by physical
 * address: with IOVA as VA an object across pages is IO-contiguous still.
 * NULL with rte_errno set on failure.
 */
struct rte_mempool *adn_pktmbuf_pool_create(const char *name, unsigned int n,
					    unsigned int cache,
					    uint16_t data_room, int socket,
					    bool dma);

/*
 * Parse `ports`, `mbufs` and `mbuf_cache` from the config (may be absent: a pipeline of generators).
 * Reports every problem to `errs`; returns 0 or -EINVAL.
 */
int adn_ports_parse(const config_t *cfg, unsigned int n_workers,
		    struct adn_ports *ports, struct adn_errs *errs);

struct adn_port *adn_ports_find(struct adn_ports *ports, const char *name);

/* Create/find devices, size the mempool, configure queues, start. EAL must
 * be up. Reports to `errs`; returns 0 or a negative errno. */
int adn_ports_start(struct adn_ports *ports, unsigned int burst,
		    struct adn_errs *errs);

/* True when a started port's PMD runs its connection handling on the EAL
 * interrupt thread in a way that races the data path (net_memif unmaps
 * its rings there when the peer goes away): the runtime then keeps that
 * thread behind an interrupt gate (adn_intr_gate.h) while workers poll. */
bool adn_ports_need_intr_gate(const struct adn_ports *ports);

/* Stop and close every started port (flushes pcap writers). */
void adn_ports_stop(struct adn_ports *ports);

#endif /* _ADN_PORT_H_ */
