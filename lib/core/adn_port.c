/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "adn_elem.h"
#include "adn_file.h"
#include "adn_log.h"
#include "adn_port.h"

#define DEFAULT_DESC 1024
#define DEFAULT_MBUF_CACHE 256
/* Beyond rings, batches and caches, for PMDs that hold a few more. */
#define MBUF_HEADROOM 1024

static const char *const port_keys[] = {
	"name", "device", "args", "rxq", "rx_desc", "tx_desc", "promisc", NULL,
};

/* Expand ${VAR} from the environment, so one config serves many traces. */
static int
expand_env(const char *in, char *out, size_t len, char *missing,
	   size_t mlen)
{
	size_t o = 0;

	for (const char *p = in; *p; p++) {
		if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p + 2, '}');
			char var[128];
			const char *val;

			if (end == NULL || (size_t)(end - p - 2) >= sizeof(var))
				return -EINVAL;
			memcpy(var, p + 2, end - p - 2);
			var[end - p - 2] = '\0';
			val = getenv(var);
			if (val == NULL) {
				snprintf(missing, mlen, "%s", var);
				return -ENOENT;
			}
			for (; *val; val++) {
				if (o + 1 >= len)
					return -ENAMETOOLONG;
				out[o++] = *val;
			}
			p = end;
			continue;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		out[o++] = *p;
	}
	out[o] = '\0';
	return 0;
}

static struct adn_port *
port_by_device(struct adn_ports *ports, const char *dev)
{
	for (unsigned int i = 0; i < ports->n; i++)
		if (strcmp(ports->port[i].device, dev) == 0)
			return &ports->port[i];
	return NULL;
}

static bool
lookup_u16(const config_setting_t *s, const char *key, uint16_t def,
	   unsigned int lo, unsigned int hi, uint16_t *out,
	   struct adn_errs *errs, const char *pname)
{
	const config_setting_t *v = config_setting_get_member(s, key);
	long long x;

	*out = def;
	if (v == NULL)
		return true;
	if (config_setting_type(v) != CONFIG_TYPE_INT &&
	    config_setting_type(v) != CONFIG_TYPE_INT64) {
		adn_errs_add(errs, v, NULL, key,
			     "port '%s': wrong type: must be an integer",
			     pname);
		return false;
	}
	x = config_setting_get_int64(v);
	if (x < lo || x > hi) {
		adn_errs_add(errs, v, NULL, key,
			     "port '%s': value %lld out of range [%u, %u]",
			     pname, x, lo, hi);
		return false;
	}
	*out = (uint16_t)x;
	return true;
}

/* `mbufs` and `mbuf_cache`: the pool's size (checked against what the
 * ports need once they are known) and its per-lcore cache. */
static void
pool_keys(const config_t *cfg, struct adn_ports *ports,
	  struct adn_errs *errs)
{
	static const struct {
		const char *key;
		long long lo, hi;
	} keys[] = {
		{ "mbufs", 1024, 1ll << 30 },
		{ "mbuf_cache", 0, RTE_MEMPOOL_CACHE_MAX_SIZE },
	};

	for (unsigned int i = 0; i < RTE_DIM(keys); i++) {
		const config_setting_t *v = config_lookup(cfg, keys[i].key);
		long long x;

		if (v == NULL)
			continue;
		if (config_setting_type(v) != CONFIG_TYPE_INT &&
		    config_setting_type(v) != CONFIG_TYPE_INT64) {
			adn_errs_add(errs, v, NULL, keys[i].key,
				     "wrong type: must be an integer");
			continue;
		}
		x = config_setting_get_int64(v);
		if (x < keys[i].lo || x > keys[i].hi) {
			adn_errs_add(errs, v, NULL, keys[i].key,
				     "value %lld out of range [%lld, %lld]", x,
				     keys[i].lo, keys[i].hi);
			continue;
		}
		if (i == 0) {
			ports->mbufs = (unsigned int)x;
			ports->mbufs_where = v;
		} else {
			ports->mbuf_cache = (unsigned int)x;
		}
	}
	/* rte_mempool_create's own rule, said in the config's terms. */
	if (ports->mbufs && ports->mbuf_cache * 3 / 2 > ports->mbufs)
		adn_errs_add(errs, config_lookup(cfg, "mbuf_cache"), NULL,
			     "mbuf_cache",
			     "%u is too large for a pool of %u mbufs (at most mbufs / 1.5)",
			     ports->mbuf_cache, ports->mbufs);
}

int
adn_ports_parse(const config_t *cfg, unsigned int n_workers,
		struct adn_ports *ports, struct adn_errs *errs)
{
	const config_setting_t *list = config_lookup(cfg, "ports");
	unsigned int first_err = errs->n;

	memset(ports, 0, sizeof(*ports));
	ports->n_workers = n_workers;
	ports->mbuf_cache = DEFAULT_MBUF_CACHE;
	pool_keys(cfg, ports, errs);
	if (list == NULL)
		return errs->n == first_err ? 0 : -EINVAL;
	if (!config_setting_is_list(list)) {
		adn_errs_add(errs, list, NULL, "ports",
			     "must be a list of groups ( { name = ...; device = ...; }, ... )");
		return -EINVAL;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *s = config_setting_get_elem(list, i);
		struct adn_port *port;
		const char *name, *dev, *args = "";
		char missing[128];
		int rc;

		if (!config_setting_is_group(s)) {
			adn_errs_add(errs, s, NULL, "ports",
				     "entry %d must be a group", i);
			continue;
		}
		if (!config_setting_lookup_string(s, "name", &name) ||
		    *name == '\0' || strlen(name) >= sizeof(port->name)) {
			adn_errs_add(errs, s, NULL, "name",
				     "port needs a string name of 1 to %zu characters",
				     sizeof(port->name) - 1);
			continue;
		}
		for (int k = 0; k < config_setting_length(s); k++) {
			const char *key = config_setting_name(
				config_setting_get_elem(s, k));
			const char *const *a;

			for (a = port_keys; *a; a++)
				if (strcmp(*a, key) == 0)
					break;
			if (*a == NULL)
				adn_errs_add(errs, config_setting_get_elem(s, k),
					     NULL, key,
					     "port '%s': unknown key (allowed: name, device, args, rxq, rx_desc, tx_desc, promisc)",
					     name);
		}
		if (adn_ports_find(ports, name) != NULL) {
			adn_errs_add(errs, s, NULL, "name",
				     "duplicate port name '%s'", name);
			continue;
		}
		if (ports->n == ADN_MAX_PORTS) {
			adn_errs_add(errs, s, NULL, "ports",
				     "more than %d ports", ADN_MAX_PORTS);
			break;
		}
		port = &ports->port[ports->n];
		snprintf(port->name, sizeof(port->name), "%s", name);
		port->setting = s;
		if (!config_setting_lookup_string(s, "device", &dev)) {
			adn_errs_add(errs, s, NULL, "device",
				     "port '%s': missing required key (a PMD device name such as \"net_pcap0\" or a PCI address)",
				     name);
			continue;
		}
		if (strlen(dev) >= sizeof(port->device)) {
			adn_errs_add(errs, config_setting_get_member(s, "device"),
				     NULL, "device", "port '%s': name too long",
				     name);
			continue;
		}
		snprintf(port->device, sizeof(port->device), "%s", dev);
		if (port_by_device(ports, dev) != NULL) {
			adn_errs_add(errs, config_setting_get_member(s, "device"),
				     NULL, "device",
				     "port '%s': device %s already used by port '%s'",
				     name, dev, port_by_device(ports, dev)->name);
			continue;
		}
		if (config_setting_get_member(s, "args") != NULL &&
		    !config_setting_lookup_string(s, "args", &args)) {
			adn_errs_add(errs, config_setting_get_member(s, "args"),
				     NULL, "args",
				     "port '%s': wrong type: must be a string",
				     name);
			continue;
		}
		rc = expand_env(args, port->args, sizeof(port->args), missing,
				sizeof(missing));
		if (rc == -ENOENT)
			adn_errs_add(errs, config_setting_get_member(s, "args"),
				     NULL, "args",
				     "port '%s': environment variable '%s' is not set",
				     name, missing);
		else if (rc < 0)
			adn_errs_add(errs, config_setting_get_member(s, "args"),
				     NULL, "args",
				     "port '%s': malformed ${VAR} or value too long",
				     name);
		if (!lookup_u16(s, "rxq", 1, 1, ADN_PORT_MAX_QUEUES, &port->rxq,
				errs, name) ||
		    !lookup_u16(s, "rx_desc", DEFAULT_DESC, 32, 16384,
				&port->rx_desc, errs, name) ||
		    !lookup_u16(s, "tx_desc", DEFAULT_DESC, 32, 16384,
				&port->tx_desc, errs, name))
			continue;
		port->txq = (uint16_t)n_workers;
		port->promisc = true;
		if (config_setting_get_member(s, "promisc") != NULL) {
			int on;

			if (!config_setting_lookup_bool(s, "promisc", &on))
				adn_errs_add(errs,
					     config_setting_get_member(s, "promisc"),
					     NULL, "promisc",
					     "port '%s': wrong type: must be a boolean",
					     name);
			else
				port->promisc = on;
		}
		ports->n++;
	}
	return errs->n == first_err ? 0 : -EINVAL;
}

struct adn_port *
adn_ports_find(struct adn_ports *ports, const char *name)
{
	for (unsigned int i = 0; i < ports->n; i++)
		if (strcmp(ports->port[i].name, name) == 0)
			return &ports->port[i];
	return NULL;
}

/* Classic pcap: magic in either byte order, micro- or nanoseconds. */
static bool
pcap_magic(uint32_t magic, bool *swap)
{
	*swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	return *swap || magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
}

static uint32_t
pcap_u32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

/* What the pcap PMD would get wrong silently in the trace `path`: it reads
 * every link type as Ethernet (refused here) and drops a last record cut
 * short without a word (warned here). Other formats (pcapng) are left to
 * the PMD. The number of records it will read (and in *max_caplen the
 * largest one's length, if larger), or -EINVAL (error added). */
static int64_t
pcap_check(const struct adn_port *port, const char *path,
	   uint32_t *max_caplen, struct adn_errs *errs)
{
	unsigned char hdr[24], rec[16];
	struct stat st;
	uint64_t n = 0;
	uint32_t linktype;
	char why[128];
	FILE *f = adn_file_open(path, "rb", why, sizeof(why));
	bool swap;
	size_t got;

	if (f == NULL) {
		adn_errs_add(errs, port->setting, NULL, "args",
			     "port '%s': rx_pcap %s: %s%s", port->name, path,
			     why, errno == EINVAL ?
			     ": the trace is read from its start more than once; give a file" :
			     "");
		return -EINVAL;
	}
	if (fstat(fileno(f), &st) != 0)
		st.st_size = 0;
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    !pcap_magic(pcap_u32(hdr, false), &swap)) {
		fclose(f);
		return 0;
	}
	linktype = pcap_u32(hdr + 20, swap) & 0xffff;
	if (linktype != 1) {
		fclose(f);
		adn_errs_add(errs, port->setting, NULL, "args",
			     "port '%s': rx_pcap %s: link type %u%s is not Ethernet (1), and the pcap PMD reads every frame as Ethernet; give it a trace with Ethernet headers",
			     port->name, path, linktype,
			     linktype == 101 || linktype == 12 ? " (raw IP)" :
			     "");
		return -EINVAL;
	}
	while ((got = fread(rec, 1, sizeof(rec), f)) == sizeof(rec)) {
		uint32_t caplen = pcap_u32(rec + 8, swap);
		long here = ftell(f);

		if (st.st_size - here < (long)caplen) {
			ADN_LOG(WARNING, "port '%s': rx_pcap %s: record %" PRIu64 " is cut short (%ld of %u bytes): the pcap PMD drops it, %" PRIu64 " records are read\n",
				port->name, path, n + 1,
				(long)st.st_size - here, caplen, n);
			break;
		}
		if (fseek(f, here + (long)caplen, SEEK_SET) != 0)
			break;
		*max_caplen = RTE_MAX(*max_caplen, caplen);
		n++;
	}
	if (got > 0 && got < sizeof(rec))
		ADN_LOG(WARNING, "port '%s': rx_pcap %s: ends in a cut record header (%zu of 16 bytes) after %" PRIu64 " records: ignored\n",
			port->name, path, got, n);
	fclose(f);
	return (int64_t)n;
}

/* Checks of a net_pcap device's rx_pcap traces (in its device `args`)
 * before the PMD opens them. With infinite_rx=1 the PMD copies each trace
 * into mbufs of the pool and keeps them: port->held_mbufs counts those.
 * A queue setup of that mode that fails (too few mbufs, a record larger
 * than one mbuf) leaves the PMD to free its trace ring a second time when
 * the device closes (DPDK 22.11), a crash at exit: such a start is
 * refused here instead, before the PMD sees it. */
static int
pcap_args_check(struct adn_port *port, const char *dev_args,
		struct adn_errs *errs)
{
	char args[sizeof(port->args)], *save = NULL;
	uint64_t records = 0;
	uint32_t max_caplen = 0;
	bool infinite = false;
	int rc = 0;

	if (strncmp(port->device, "net_pcap", 8) != 0)
		return 0;
	snprintf(args, sizeof(args), "%s", dev_args);
	for (char *kv = strtok_r(args, ",", &save); kv != NULL;
	     kv = strtok_r(NULL, ",", &save)) {
		int64_t n;

		if (strcmp(kv, "infinite_rx=1") == 0)
			infinite = true;
		if (strncmp(kv, "rx_pcap=", 8) != 0)
			continue;
		n = pcap_check(port, kv + 8, &max_caplen, errs);
		if (n < 0)
			rc = -EINVAL;
		else
			records += (uint64_t)n;
	}
	if (infinite && max_caplen > RTE_MBUF_DEFAULT_DATAROOM) {
		adn_errs_add(errs, port->setting, NULL, "args",
			     "port '%s': with infinite_rx=1 the pcap PMD needs every record in one mbuf: a record of %u bytes is larger than the %u bytes of data an mbuf holds",
			     port->name, max_caplen,
			     RTE_MBUF_DEFAULT_DATAROOM);
		rc = -EINVAL;
	}
	port->held_mbufs = infinite ? (uint32_t)RTE_MIN(records, UINT32_MAX) :
		0;
	return rc;
}

/* The args an ethdev was created with ("" when it has none). */
static const char *
ethdev_args(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	const struct rte_devargs *da;

	if (rte_eth_dev_info_get(port_id, &info) != 0 || info.device == NULL)
		return "";
	da = rte_dev_devargs(info.device);
	return da != NULL && da->args != NULL ? da->args : "";
}

/* rte_vdev_init, with what the driver logs about a failure kept for the
 * error message: most drivers fail with -1 and say why only in the log.
 * `why` gets the last line logged, or "". */
static int
vdev_create(const struct adn_port *port, char *why, size_t len)
{
	FILE *saved = rte_log_get_stream(), *cap;
	char *text = NULL;
	size_t size = 0;
	int rc;

	why[0] = '\0';
	cap = open_memstream(&text, &size);
	if (cap != NULL)
		rte_openlog_stream(cap);
	rc = rte_vdev_init(port->device, port->args);
	if (cap == NULL)
		return rc;
	rte_openlog_stream(saved == stderr ? NULL : saved);
	fclose(cap);
	if (rc < 0 && text != NULL) {
		char *end = text + strlen(text);

		while (end > text && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		for (char *line = end; line >= text; line--)
			if (line == text || line[-1] == '\n') {
				snprintf(why, len, "%s", line);
				break;
			}
	} else if (text != NULL && size > 0) {
		fputs(text, saved);	/* success: its messages as usual */
	}
	free(text);
	return rc;
}

static int
port_resolve(struct adn_port *port, struct adn_errs *errs)
{
	const char *made_with;
	bool made = false;
	char why[256];
	int rc;

	if (strncmp(port->device, "net_", 4) == 0 &&
	    rte_eth_dev_get_port_by_name(port->device, &port->port_id) != 0) {
		made = true;
		if (pcap_args_check(port, port->args, errs) < 0)
			return -EINVAL;
		rc = vdev_create(port, why, sizeof(why));
		if (rc < 0) {
			if (why[0] != '\0')
				adn_errs_add(errs, port->setting, NULL, "device",
					     "port '%s': cannot create device %s with args \"%s\": the driver says: %s",
					     port->name, port->device,
					     port->args, why);
			else
				adn_errs_add(errs, port->setting, NULL, "device",
					     "port '%s': cannot create device %s with args \"%s\": this build has no driver for it (-Ddpdk_drivers, docs/operations.md), or it refused the args without a reason (run with --log-level=pmd:debug to see more)",
					     port->name, port->device,
					     port->args);
			return rc;
		}
	}
	if (rte_eth_dev_get_port_by_name(port->device, &port->port_id) != 0) {
		adn_errs_add(errs, port->setting, NULL, "device",
			     "port '%s': no device named '%s' (%u ethdevs present; bind the NIC to a DPDK driver or use a vdev such as net_pcap0)",
			     port->name, port->device,
			     rte_eth_dev_count_avail());
		return -ENODEV;
	}
	if (made)
		return 0;
	/* Made before us (the EAL's --vdev): its args are the ones that
	 * apply, and its traces are checked the same. */
	made_with = ethdev_args(port->port_id);
	if (port->args[0] != '\0' && strcmp(port->args, made_with) != 0)
		ADN_LOG(WARNING, "port '%s': device %s exists already (an EAL --vdev argument?) with args \"%s\": the config's args \"%s\" are not used\n",
			port->name, port->device, made_with, port->args);
	return pcap_args_check(port, made_with, errs) < 0 ? -EINVAL : 0;
}

static int
port_configure(struct adn_port *port, const struct adn_ports *ports,
	       struct adn_errs *errs)
{
	struct rte_mempool *pool = ports->pool;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t id = port->port_id, rxd = port->rx_desc, txd = port->tx_desc;
	int rc;

	rc = rte_eth_dev_info_get(id, &info);
	if (rc < 0)
		goto err;
	if (port->rxq > info.max_rx_queues || port->txq > info.max_tx_queues) {
		adn_errs_add(errs, port->setting, NULL,
			     port->rxq > info.max_rx_queues ? "rxq" : "device",
			     "port '%s' (%s): %u rx / %u tx queues requested (tx = one per worker), the device supports at most %u / %u",
			     port->name, port->device, port->rxq, port->txq,
			     info.max_rx_queues, info.max_tx_queues);
		return -ENOTSUP;
	}
	if (port->rxq > 1) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
			       RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;

		/* Without hash support (pcap, ring) each queue is its own
		 * source and the device decides what lands where. */
		if (hf != 0) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
		} else {
			ADN_LOG(INFO, "port '%s' (%s): no RSS support, %u rx queues used as they are\n",
				port->name, port->device, port->rxq);
		}
	}
	rc = rte_eth_dev_configure(id, port->rxq, port->txq, &conf);
	if (rc < 0)
		goto err;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd);
	if (rc < 0)
		goto err;
	for (uint16_t q = 0; q < port->rxq; q++) {
		rc = rte_eth_rx_queue_setup(id, q, rxd,
					    rte_eth_dev_socket_id(id), NULL,
					    pool);
		if (rc < 0)
			goto err;
	}
	for (uint16_t q = 0; q < port->txq; q++) {
		rc = rte_eth_tx_queue_setup(id, q, txd,
					    rte_eth_dev_socket_id(id), NULL);
		if (rc < 0)
			goto err;
	}
	rc = rte_eth_dev_start(id);
	if (rc < 0)
		goto err;
	port->started = true;
	if (port->promisc)
		rte_eth_promiscuous_enable(id);	/* not every PMD can */
	return 0;
err:
	/* An empty pool is the usual cause, and PMDs say "invalid
	 * argument" for it: name the key that sizes the pool. */
	adn_errs_add(errs, port->setting, NULL, NULL,
		     "port '%s' (%s): setup failed: %s (the pool has %u mbufs, %u free%s; a PMD that keeps mbufs of its own needs more: set the top-level key `mbufs`)",
		     port->name, port->device, rte_strerror(-rc),
		     pool->size, rte_mempool_avail_count(pool),
		     ports->mbufs ? ", as `mbufs` says" : "");
	return rc;
}

struct rte_mempool *
adn_pktmbuf_pool_create(const char *name, unsigned int n, unsigned int cache,
			uint16_t data_room, int socket, bool dma)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = data_room,
	};
	const unsigned int flags = !dma || rte_eal_iova_mode() == RTE_IOVA_VA ?
		RTE_MEMPOOL_F_NO_IOVA_CONTIG : 0;
	struct rte_mempool *mp;
	int rc;

	/* rte_pktmbuf_pool_create()'s steps, with `flags`. */
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
				      data_room, cache, sizeof(priv), socket,
				      flags);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
					NULL);
	if (rc == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		rc = rte_mempool_populate_default(mp);
	}
	if (rc < 0) {
		rte_mempool_free(mp);
		rte_errno = -rc;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

int
adn_ports_start(struct adn_ports *ports, unsigned int burst,
		struct adn_errs *errs)
{
	unsigned int need = 0, held = 0, n_mbufs;
	int rc = 0;

	if (ports->n == 0)
		return 0;
	for (unsigned int i = 0; i < ports->n; i++) {
		struct adn_port *port = &ports->port[i];

		rc = port_resolve(port, errs);
		if (rc < 0)
			return rc;
		need += port->rxq * port->rx_desc + port->txq * port->tx_desc;
		held += port->held_mbufs;
	}
	/* Rings full on every queue, a batch per worker in flight, and the
	 * per-lcore caches, with headroom; plus what PMDs keep. */
	need += ports->n_workers * (burst + ports->mbuf_cache) +
		rte_lcore_count() * ports->mbuf_cache + MBUF_HEADROOM + held;
	if (ports->mbufs != 0 && ports->mbufs < need) {
		adn_errs_add(errs, ports->mbufs_where, NULL, "mbufs",
			     "%u mbufs are fewer than the ports need: %u (%u of them held by net_pcap's infinite_rx copy of its trace); set mbufs = %u or more",
			     ports->mbufs, need, held, need);
		return -ENOMEM;
	}
	n_mbufs = ports->mbufs ? ports->mbufs : need;
	if (held > 0)
		ADN_LOG(INFO, "pool sized for %u trace packets net_pcap keeps (infinite_rx=1)\n",
			held);
	ports->pool = adn_pktmbuf_pool_create("adn_mbufs", n_mbufs,
					      ports->mbuf_cache,
					      RTE_MBUF_DEFAULT_BUF_SIZE,
					      (int)rte_socket_id(), true);
	if (ports->pool == NULL) {
		adn_errs_add(errs, ports->mbufs_where, NULL, "mbufs",
			     "cannot create a pool of %u mbufs: %s (give EAL more memory, -m or hugepages, or lower `mbufs` or the descriptors)",
			     n_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	ADN_LOG(INFO, "mempool of %u mbufs for %u port(s)\n", n_mbufs,
		ports->n);
	for (unsigned int i = 0; i < ports->n; i++) {
		rc = port_configure(&ports->port[i], ports, errs);
		if (rc < 0)
			return rc;
	}
	return 0;
}

bool
adn_ports_need_intr_gate(const struct adn_ports *ports)
{
	struct rte_eth_dev_info info;

	for (unsigned int i = 0; i < ports->n; i++) {
		const struct adn_port *port = &ports->port[i];

		if (port->started &&
		    rte_eth_dev_info_get(port->port_id, &info) == 0 &&
		    info.driver_name != NULL &&
		    strcmp(info.driver_name, "net_memif") == 0)
			return true;
	}
	return false;
}

void
adn_ports_stop(struct adn_ports *ports)
{
	for (unsigned int i = 0; i < ports->n; i++) {
		struct adn_port *port = &ports->port[i];

		if (!port->started)
			continue;
		rte_eth_dev_stop(port->port_id);
		rte_eth_dev_close(port->port_id);
		port->started = false;
	}
	rte_mempool_free(ports->pool);
	ports->pool = NULL;
}
