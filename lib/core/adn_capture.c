/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture at an element output (adn_capture.h): the workers' copy
 * into a ring, the writer thread, and attaching and detaching the taps
 * of the versions under the runtime's control lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_time.h>

#include "adn_capture.h"
#include "adn_capture_priv.h"
#include "adn_pcapng.h"
#include "adn_runtime_priv.h"

/* Records in flight: mbufs of the capture's pool, a 2 KiB segment each
 * (a long frame takes several), about 9 MiB; a writer that falls behind
 * costs capture drops, not memory. */
#define CAP_POOL 4095
#define CAP_RING 4096
#define CAP_CACHE 32
#define CAP_DATA RTE_MBUF_DEFAULT_DATAROOM
#define CAP_SEGS_MAX (ADN_CAPTURE_SNAPLEN / CAP_DATA + 1)
#define CAP_BURST 64
#define CAP_MIN_BYTES 4096
#define WRITER_IDLE_US 1000

/* What a record carries beside the copied bytes (its mbuf's private
 * area). */
struct cap_meta {
	uint64_t tsc;
	uint32_t orig_len;
	int16_t out;
};

struct adn_capture {
	/* Read by the workers. */
	struct rte_mempool *pool;
	struct rte_ring *ring;
	uint64_t count;
	uint32_t snaplen;
	uint32_t done;		/* set: workers copy no more */
	/* Slots of `count` taken: a packet is copied only with a slot, so
	 * the file holds exactly `count` when nothing was dropped. */
	uint64_t reserved __rte_cache_aligned;
	uint64_t captured, dropped;

	/* The writer's; written and bytes are read by status. */
	struct adn_pcapng *w __rte_cache_aligned;
	uint64_t written, bytes;
	/* Set, with stop_reason, by the control thread once no worker can
	 * queue a record: write what is queued, then finish. */
	uint32_t stop;
	uint32_t finished;	/* the file is closed, reason final */
	char reason[ADN_CAPTURE_REASON_MAX];

	/* The control thread's. */
	char stop_reason[ADN_CAPTURE_REASON_MAX];
	pthread_t thread;
	bool released;		/* writer joined, ring and pool freed */
	char elem[ADN_NAME_MAX];
	int port;		/* -1: every output */
	bool all_outputs;	/* several outputs: label packets with theirs */
	char target[ADN_NAME_MAX + 8];
	char file[PATH_MAX];
	uint64_t max_bytes;
	uint64_t start_ns, start_tsc, hz;
};

/* --- data path --------------------------------------------------------- */

static inline bool
tapped(const struct adn_exec_tap *tap, int16_t o)
{
	return o >= 0 && o < ADN_MAX_OUTPUTS && (tap->outputs >> o & 1);
}

static inline bool
reserve(struct adn_capture *c)
{
	uint64_t k = __atomic_load_n(&c->reserved, __ATOMIC_RELAXED);

	do {
		if (k >= c->count)
			return false;
	} while (!__atomic_compare_exchange_n(&c->reserved, &k, k + 1, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* A record lost after its slot was taken: the slot goes back, so the
 * count bound is met by packets that reach the file. */
static void
lost(struct adn_capture *c, unsigned int n)
{
	__atomic_fetch_sub(&c->reserved, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->dropped, n, __ATOMIC_RELAXED);
}

static inline void
take(struct adn_capture *c, struct rte_mbuf *m, int16_t o, uint64_t tsc,
     struct rte_mbuf **recs, unsigned int *n)
{
	struct rte_mbuf *r;
	struct cap_meta *meta;

	if (!reserve(c))
		return;
	r = rte_pktmbuf_copy(m, c->pool, 0, c->snaplen);
	if (r == NULL) {
		lost(c, 1);
		return;
	}
	meta = rte_mbuf_to_priv(r);
	meta->tsc = tsc;
	meta->orig_len = m->pkt_len;
	meta->out = o;
	recs[(*n)++] = r;
}

static void
queue(struct adn_capture *c, struct rte_mbuf **recs, unsigned int n)
{
	unsigned int k;

	if (n == 0)
		return;
	k = rte_ring_mp_enqueue_burst(c->ring, (void **)recs, n, NULL);
	if (k < n) {
		rte_pktmbuf_free_bulk(recs + k, n - k);
		lost(c, n - k);
	}
	__atomic_fetch_add(&c->captured, k, __ATOMIC_RELAXED);
}

void
adn_capture_pkts(const struct adn_exec_tap *tap, const struct adn_elem *e,
		 struct rte_mbuf *const *pkts, const int16_t *out, uint16_t n)
{
	struct adn_capture *c = tap->cap;
	struct rte_mbuf *recs[ADN_BATCH_MAX];
	unsigned int k = 0;
	uint64_t tsc;

	if (e->index != tap->elem || __atomic_load_n(&c->done,
						     __ATOMIC_RELAXED))
		return;
	tsc = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++)
		if (tapped(tap, out[i]))
			take(c, pkts[i], out[i], tsc, recs, &k);
	queue(c, recs, k);
}

void
adn_capture_exits(const struct adn_exec_tap *tap,
		  struct adn_elem *const *chain, const uint8_t *at,
		  const struct adn_batch *b)
{
	struct adn_capture *c = tap->cap;
	struct rte_mbuf *recs[ADN_BATCH_MAX];
	unsigned int k = 0;
	uint64_t tsc;

	if (__atomic_load_n(&c->done, __ATOMIC_RELAXED))
		return;
	tsc = rte_rdtsc();
	for (uint16_t i = 0; i < b->n; i++)
		if (chain[at[i]]->index == tap->elem &&
		    tapped(tap, b->out[i]))
			take(c, b->pkts[i], b->out[i], tsc, recs, &k);
	queue(c, recs, k);
}

/* --- writer ------------------------------------------------------------ */

/* Wall clock of a TSC reading: CLOCK_REALTIME at the start plus the TSC
 * since (one clock read per capture, none per packet). */
static uint64_t
tsc_ns(const struct adn_capture *c, uint64_t tsc)
{
	uint64_t d = tsc > c->start_tsc ? tsc - c->start_tsc : 0;

	return c->start_ns + d / c->hz * NS_PER_S + d % c->hz * NS_PER_S / c->hz;
}

/* Writer: the capture ends with the first reason given. */
static void
cap_end(struct adn_capture *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cap_end(struct adn_capture *c, const char *fmt, ...)
{
	va_list ap;

	if (c->reason[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELAXED);
}

static void
write_rec(struct adn_capture *c, const struct rte_mbuf *r)
{
	const struct cap_meta *meta = rte_mbuf_to_priv((struct rte_mbuf *)r);
	struct iovec iov[CAP_SEGS_MAX];
	unsigned int n = 0;
	char label[24];
	const char *comment = NULL;
	uint64_t written;
	int rc;

	if (c->all_outputs) {
		snprintf(label, sizeof(label), "output %d", meta->out);
		comment = label;
	}
	if (adn_pcapng_bytes(c->w) + adn_pcapng_packet_size(r->pkt_len,
							     comment) +
	    adn_pcapng_if_stats_size() > c->max_bytes) {
		cap_end(c, "bytes");
		return;
	}
	for (const struct rte_mbuf *s = r; s != NULL; s = s->next) {
		iov[n].iov_base = rte_pktmbuf_mtod(s, void *);
		iov[n++].iov_len = s->data_len;
	}
	rc = adn_pcapng_packet(c->w, 0, tsc_ns(c, meta->tsc), iov, n,
			       meta->orig_len, comment);
	if (rc < 0) {
		cap_end(c, "error: writing the file: %s", strerror(-rc));
		return;
	}
	written = c->written + 1;
	__atomic_store_n(&c->written, written, __ATOMIC_RELAXED);
	__atomic_store_n(&c->bytes, adn_pcapng_bytes(c->w), __ATOMIC_RELAXED);
	if (written == c->count)
		cap_end(c, "count");
}

/* The statistics block, then close: the file is complete. */
static void
cap_close(struct adn_capture *c)
{
	const uint64_t now = tsc_ns(c, rte_rdtsc());
	struct adn_pcapng_if_stats st = {
		.start_ns = c->start_ns, .end_ns = now,
		.dropped = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED),
		.delivered = c->written,
	};
	bool failed = strncmp(c->reason, "error:", 6) == 0;
	int rc;

	st.received = __atomic_load_n(&c->captured, __ATOMIC_RELAXED) +
		st.dropped;
	if (!failed)
		adn_pcapng_if_stats(c->w, 0, now, &st);
	__atomic_store_n(&c->bytes, adn_pcapng_bytes(c->w), __ATOMIC_RELAXED);
	rc = adn_pcapng_close(c->w);
	c->w = NULL;
	if (rc < 0 && !failed)
		snprintf(c->reason, sizeof(c->reason), "error: writing the file: %s",
			 strerror(-rc));
	/* Release: the reason and counters are final before status sees
	 * the capture finished. */
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
}

static void *
writer_main(void *arg)
{
	struct adn_capture *c = arg;
	struct rte_mbuf *recs[CAP_BURST];

	while (c->reason[0] == '\0') {
		unsigned int n = rte_ring_sc_dequeue_burst(c->ring,
							   (void **)recs,
							   CAP_BURST, NULL);
		int rc;

		for (unsigned int i = 0; i < n; i++) {
			if (c->reason[0] == '\0')
				write_rec(c, recs[i]);
			rte_pktmbuf_free(recs[i]);
		}
		if (n > 0)
			continue;
		/* Acquire pairs with the control's release: the ring was
		 * complete when stop was set, and it is empty now. */
		if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
			cap_end(c, "%s", c->stop_reason);
			break;
		}
		/* Idle: what status reports is in the file. */
		rc = adn_pcapng_flush(c->w);
		if (rc < 0)
			cap_end(c, "error: writing the file: %s",
				strerror(-rc));
		else
			usleep(WRITER_IDLE_US);
	}
	cap_close(c);
	return NULL;
}

/* --- control ----------------------------------------------------------- */

/* The tap of `c` on version `v`: 0, or -ENOENT (no such element), -ERANGE
 * (no such output; *bad the output), -EBUSY (output *bad runs inside the
 * chain from *head). */
static int
tap_resolve(struct adn_capture *c, const struct adn_version *v,
	    struct adn_exec_tap *tap, int *bad, const struct adn_elem **head)
{
	const struct adn_elem *e = adn_pipeline_find(v->pipe, c->elem);
	uint32_t mask;

	*bad = c->port;
	if (e == NULL)
		return -ENOENT;
	if (e->n_outputs == 0 || c->port >= (int)e->n_outputs)
		return -ERANGE;
	mask = c->port < 0 ? (1u << e->n_outputs) - 1 : 1u << c->port;
	for (uint16_t o = 0; o < e->n_outputs; o++) {
		if (!(mask >> o & 1))
			continue;
		*head = adn_exec_fused_edge(v->x[0], e, o);
		if (*head != NULL) {
			*bad = o;
			return -EBUSY;
		}
	}
	tap->cap = c;
	tap->elem = e->index;
	tap->outputs = mask;
	return 0;
}

/* Before `v` is live, or while no worker reads the slots. */
static void
tap_set(const struct adn_runtime *rt, struct adn_version *v,
	const struct adn_exec_tap *tap)
{
	for (unsigned int w = 0; w < rt->n_workers; w++) {
		struct adn_exec *x = v->x[w];

		x->tap_slot = *tap;
		/* Release: the slot is filled before a worker sees it. */
		__atomic_store_n(&x->tap, &x->tap_slot, __ATOMIC_RELEASE);
	}
}

/* Clear every alive version's taps and wait until no worker can be in a
 * batch that saw one. */
static void
taps_clear(struct adn_runtime *rt)
{
	for (struct adn_version *v = rt->alive; v != NULL; v = v->next)
		for (unsigned int w = 0; w < rt->n_workers; w++)
			if (v->x[w] != NULL)
				__atomic_store_n(&v->x[w]->tap, NULL,
						 __ATOMIC_RELAXED);
	if (rt->qsbr != NULL)
		rte_rcu_qsbr_synchronize(rt->qsbr, RTE_QSBR_THRID_INVALID);
}

static void
cap_resources_free(struct adn_capture *c)
{
	struct rte_mbuf *m;

	while (c->ring != NULL && rte_ring_dequeue(c->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(c->ring);
	rte_mempool_free(c->pool);
	c->ring = NULL;
	c->pool = NULL;
	c->released = true;
}

/* Under the lock: detach, let the writer write what was queued and close
 * the file (`reason` unless it ended already), then free the buffers. */
static void
cap_end_locked(struct adn_runtime *rt, const char *reason)
{
	struct adn_capture *c = rt->capture;

	taps_clear(rt);
	if (c->stop_reason[0] == '\0')
		snprintf(c->stop_reason, sizeof(c->stop_reason), "%s", reason);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	pthread_join(c->thread, NULL);
	cap_resources_free(c);
}

static bool
cap_running(const struct adn_capture *c)
{
	return c != NULL && !c->released;
}

void
adn_capture_reap(struct adn_runtime *rt)
{
	struct adn_capture *c = rt->capture;

	if (cap_running(c) && (__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE) ||
			       c->stop_reason[0] != '\0'))
		cap_end_locked(rt, c->stop_reason);
}

void
adn_capture_follow(struct adn_runtime *rt, struct adn_version *v)
{
	struct adn_capture *c = rt->capture;
	const struct adn_elem *head = NULL;
	struct adn_exec_tap tap;
	int rc, bad;

	if (!cap_running(c) || c->stop_reason[0] != '\0' ||
	    __atomic_load_n(&c->finished, __ATOMIC_ACQUIRE))
		return;
	rc = tap_resolve(c, v, &tap, &bad, &head);
	if (rc == 0) {
		tap_set(rt, v, &tap);
		return;
	}
	if (rc == -ENOENT)
		snprintf(c->stop_reason, sizeof(c->stop_reason),
			 "element removed");
	else if (rc == -ERANGE && bad < 0)
		snprintf(c->stop_reason, sizeof(c->stop_reason),
			 "outputs removed");
	else if (rc == -ERANGE)
		snprintf(c->stop_reason, sizeof(c->stop_reason),
			 "output %d removed", bad);
	else
		snprintf(c->stop_reason, sizeof(c->stop_reason),
			 "output %d fused into the chain from '%s' by the new plan",
			 bad, head->name);
	/* The old version's workers copy no more; the next reap (reclaim,
	 * status, stop) ends it. */
	__atomic_store_n(&c->done, 1, __ATOMIC_RELAXED);
}

/* A positive number parameter `what` of /adn/capture into *out. */
static void
args_num(const char *s, const char *what, uint64_t max, uint64_t *out,
	 struct adn_errs *errs)
{
	char *end;

	errno = 0;
	*out = s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
	if (*out == 0 || *end != '\0' || errno != 0 || *out > max)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "%s '%s': need a whole number in [1, %" PRIu64 "]",
			     what, s, max);
}

#define CAP_USAGE \
	"usage: /adn/capture,TARGET FILE [COUNT [SNAPLEN [MAX_BYTES]]] (TARGET: ELEMENT or ELEMENT:OUTPUT, FILE absolute)"

int
adn_capture_args_parse(const char *params, struct adn_capture_args *a,
		       struct adn_errs *errs)
{
	const unsigned int first_err = errs->n;
	char *arg[6], *save = NULL;
	unsigned int n = 0;
	uint64_t snaplen = 0;

	memset(&a->lim, 0, sizeof(a->lim));
	a->target = NULL;
	a->file = NULL;
	snprintf(a->buf, sizeof(a->buf), "%s", params ? params : "");
	for (char *t = strtok_r(a->buf, " \t", &save); t != NULL && n < 6;
	     t = strtok_r(NULL, " \t", &save))
		arg[n++] = t;
	if (n < 2 || n > 5) {
		adn_errs_add(errs, NULL, NULL, NULL, CAP_USAGE);
		return -EINVAL;
	}
	a->target = arg[0];
	a->file = arg[1];
	if (n > 2)
		args_num(arg[2], "COUNT", UINT64_MAX, &a->lim.count, errs);
	if (n > 3)
		args_num(arg[3], "SNAPLEN", ADN_CAPTURE_SNAPLEN, &snaplen,
			 errs);
	if (n > 4)
		args_num(arg[4], "MAX_BYTES", UINT64_MAX, &a->lim.max_bytes,
			 errs);
	a->lim.snaplen = (uint32_t)snaplen;
	return errs->n == first_err ? 0 : -EINVAL;
}

/* "E" or "E:P" into c->elem and c->port. */
static void
parse_target(struct adn_capture *c, const char *target, struct adn_errs *errs)
{
	const char *colon = target ? strchr(target, ':') : NULL;
	size_t n = target == NULL ? 0 : colon ? (size_t)(colon - target) :
		strlen(target);
	char *end;
	long port;

	c->port = -1;
	if (n == 0 || n >= sizeof(c->elem)) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture target '%s': give ELEMENT or ELEMENT:OUTPUT (an element name of the live pipeline)",
			     target ? target : "");
		return;
	}
	memcpy(c->elem, target, n);
	c->elem[n] = '\0';
	snprintf(c->target, sizeof(c->target), "%s", target);
	if (colon == NULL)
		return;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    port >= ADN_MAX_OUTPUTS)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture target '%s': output '%s' is not an output number (0-%d)",
			     target, colon + 1, ADN_MAX_OUTPUTS - 1);
	else
		c->port = (int)port;
}

static void
parse_limits(struct adn_capture *c, const struct adn_capture_limits *lim,
	     struct adn_errs *errs)
{
	const struct adn_capture_limits none = { 0 };

	if (lim == NULL)
		lim = &none;
	c->count = lim->count ? lim->count : ADN_CAPTURE_COUNT;
	c->snaplen = lim->snaplen ? lim->snaplen : ADN_CAPTURE_SNAPLEN;
	c->max_bytes = lim->max_bytes ? lim->max_bytes : ADN_CAPTURE_MAX_BYTES;
	if (c->snaplen > ADN_CAPTURE_SNAPLEN)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture snaplen %u out of range [1, %u]",
			     c->snaplen, ADN_CAPTURE_SNAPLEN);
	if (c->max_bytes < CAP_MIN_BYTES)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture max_bytes %" PRIu64 " too small: at least %u (the file's headers need some)",
			     c->max_bytes, CAP_MIN_BYTES);
}

static void
parse_path(struct adn_capture *c, const char *path, struct adn_errs *errs)
{
	if (path == NULL || path[0] != '/')
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture file '%s': give an absolute path (adn-nf opens it, in its own working directory)",
			     path ? path : "");
	else if (strlen(path) >= sizeof(c->file))
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture file: path longer than %zu bytes",
			     sizeof(c->file) - 1);
	else
		snprintf(c->file, sizeof(c->file), "%s", path);
}

/* Create the file: never an existing one, never through a symlink. */
static int
cap_open(const struct adn_capture *c, struct adn_errs *errs)
{
	int fd = open(c->file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		      O_CLOEXEC, 0600);
	int rc = -errno;

	if (fd >= 0)
		return fd;
	if (rc == -EEXIST)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture file '%s' exists: captures never overwrite a file or follow a symlink",
			     c->file);
	else
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture file '%s': cannot create it: %s", c->file,
			     strerror(-rc));
	return rc;
}

/* The refusal of a target the live version cannot tap. */
static void
tap_error(const struct adn_runtime *rt, const struct adn_capture *c, int rc,
	  int bad, const struct adn_elem *head, struct adn_errs *errs)
{
	const struct adn_version *v = rt->live;
	const struct adn_elem *e = adn_pipeline_find(v->pipe, c->elem);
	const struct adn_elem *next;

	if (rc == -ENOENT) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture: no element '%s' in the live pipeline",
			     c->elem);
		return;
	}
	if (rc == -ERANGE && e->n_outputs == 0) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture: '%s' (%s) has no outputs: no packet leaves it",
			     c->elem, e->desc->name);
		return;
	}
	if (rc == -ERANGE) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture: '%s' (%s) has outputs 0-%u, not %d",
			     c->elem, e->desc->name, e->n_outputs - 1u, bad);
		return;
	}
	next = v->pipe->elems[e->next[bad]];
	adn_errs_add(errs, NULL, NULL, NULL,
		     "capture: output %d of '%s' runs inside the fused chain from '%s', where no packet crosses it",
		     bad, c->elem, head->name);
	/* An element with a template of its own leaves automatic chains;
	 * an explicit chain must be split by the operator. */
	if (v->plan->n_chains == 0)
		adn_errs_add(errs, NULL, NULL, NULL,
			     "leave it unfused, e.g. /adn/plan/set,%s,%s=batch",
			     v->plan->text, next->name);
	else
		adn_errs_add(errs, NULL, NULL, NULL,
			     "leave it unfused: a plan without the chain through '%s' and '%s'",
			     c->elem, next->name);
}

static const char *
os_name(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		return NULL;
	snprintf(buf, len, "%s %s", u.sysname, u.release);
	return buf;
}

/* The capture's buffers, file headers and writer thread. */
static int
cap_setup(struct adn_capture *c, const struct adn_elem *e, int fd,
	  struct adn_errs *errs)
{
	char name[RTE_MEMPOOL_NAMESIZE], desc[2 * ADN_NAME_MAX + 64], os[160];
	struct timespec now;
	int rc;

	/* One capture at a time, the previous one's buffers freed: its
	 * address names them uniquely. */
	snprintf(name, sizeof(name), "adn_cap_%" PRIxPTR, (uintptr_t)c);
	c->pool = rte_pktmbuf_pool_create(name, CAP_POOL, CAP_CACHE,
		RTE_ALIGN(sizeof(struct cap_meta), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	c->ring = rte_ring_create(name, CAP_RING, SOCKET_ID_ANY,
				  RING_F_SC_DEQ);
	if (c->pool == NULL || c->ring == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture: no memory for its %u buffers: %s",
			     CAP_POOL, rte_strerror(rte_errno));
		close(fd);
		return -ENOMEM;
	}
	if (c->port < 0)
		snprintf(desc, sizeof(desc), "%s '%s', every output",
			 e->desc->name, e->name);
	else
		snprintf(desc, sizeof(desc), "%s '%s', output %d to '%s'",
			 e->desc->name, e->name, c->port,
			 e->pipe->elems[e->next[c->port]]->name);
	rc = adn_pcapng_open(fd, os_name(os, sizeof(os)), "adn-nf", &c->w);
	if (rc == 0)
		rc = adn_pcapng_add_interface(c->w, c->target, desc,
					      c->snaplen);
	if (rc == 0)
		rc = adn_pcapng_flush(c->w);
	if (rc < 0) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture file '%s': cannot write: %s", c->file,
			     strerror(-rc));
		return rc;
	}
	c->bytes = adn_pcapng_bytes(c->w);
	clock_gettime(CLOCK_REALTIME, &now);
	c->start_tsc = rte_rdtsc();
	c->hz = rte_get_tsc_hz();
	c->start_ns = (uint64_t)now.tv_sec * NS_PER_S + (uint64_t)now.tv_nsec;
	rc = rte_ctrl_thread_create(&c->thread, "adn-capture", NULL,
				    writer_main, c);
	if (rc != 0) {
		adn_errs_add(errs, NULL, NULL, NULL,
			     "capture: cannot start its writer thread: %s",
			     strerror(rc < 0 ? -rc : rc));
		return -EAGAIN;
	}
	return 0;
}

/* Under the lock, with the live version: tap it, or say why not. */
static int
cap_begin(struct adn_runtime *rt, struct adn_capture *c,
	  struct adn_errs *errs)
{
	const struct adn_elem *head = NULL, *e;
	struct adn_exec_tap tap;
	int rc, bad, fd;

	rc = tap_resolve(c, rt->live, &tap, &bad, &head);
	if (rc < 0) {
		tap_error(rt, c, rc, bad, head, errs);
		return -EINVAL;
	}
	fd = cap_open(c, errs);
	if (fd < 0)
		return fd;
	e = rt->live->pipe->elems[tap.elem];
	c->all_outputs = c->port < 0 && e->n_outputs > 1;
	rc = cap_setup(c, e, fd, errs);
	if (rc < 0) {
		adn_pcapng_close(c->w);
		c->w = NULL;
		cap_resources_free(c);
		/* Created by us a moment ago: an empty file helps no one. */
		unlink(c->file);
		return rc;
	}
	tap_set(rt, rt->live, &tap);
	return 0;
}

int
adn_runtime_capture_start(struct adn_runtime *rt, const char *target,
			  const char *path,
			  const struct adn_capture_limits *lim,
			  struct adn_errs *errs)
{
	struct adn_capture *c = calloc(1, sizeof(*c));
	unsigned int first_err = errs->n;
	int rc = -EINVAL;

	if (c == NULL) {
		adn_errs_add(errs, NULL, NULL, NULL, "out of memory");
		return -ENOMEM;
	}
	parse_target(c, target, errs);
	parse_limits(c, lim, errs);
	parse_path(c, path, errs);
	pthread_mutex_lock(&rt->ctl_lock);
	adn_capture_reap(rt);
	if (cap_running(rt->capture))
		adn_errs_add(errs, NULL, NULL, NULL,
			     "a capture is already running (%s to %s): /adn/capture/stop ends it",
			     rt->capture->target, rt->capture->file);
	else if (rt->live == NULL)
		adn_errs_add(errs, NULL, NULL, NULL, "no pipeline is built");
	else if (errs->n == first_err)
		rc = cap_begin(rt, c, errs);
	if (rc == 0) {
		free(rt->capture);
		rt->capture = c;
	}
	pthread_mutex_unlock(&rt->ctl_lock);
	if (rc < 0)
		free(c);
	return rc;
}

int
adn_runtime_capture_stop(struct adn_runtime *rt)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&rt->ctl_lock);
	adn_capture_reap(rt);
	if (cap_running(rt->capture)) {
		cap_end_locked(rt, "stopped");
		rc = 0;
	}
	pthread_mutex_unlock(&rt->ctl_lock);
	return rc;
}

void
adn_runtime_capture_status(struct adn_runtime *rt,
			   struct adn_capture_status *out)
{
	const struct adn_capture *c;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rt->ctl_lock);
	adn_capture_reap(rt);
	c = rt->capture;
	if (c != NULL) {
		out->active = cap_running(c);
		snprintf(out->target, sizeof(out->target), "%s", c->target);
		snprintf(out->file, sizeof(out->file), "%s", c->file);
		out->captured = __atomic_load_n(&c->captured,
						__ATOMIC_RELAXED);
		out->written = __atomic_load_n(&c->written, __ATOMIC_RELAXED);
		out->bytes = __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
		out->dropped = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);
		out->count = c->count;
		out->snaplen = c->snaplen;
		out->max_bytes = c->max_bytes;
		if (!out->active)
			snprintf(out->reason, sizeof(out->reason), "%s",
				 c->reason);
	}
	pthread_mutex_unlock(&rt->ctl_lock);
}

void
adn_capture_free(struct adn_runtime *rt)
{
	if (cap_running(rt->capture))
		cap_end_locked(rt, "stopped");
	free(rt->capture);
	rt->capture = NULL;
}
