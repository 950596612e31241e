/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture (lib/core/adn_capture.h) and its pcapng writer
 * (lib/util/adn_pcapng.h). Files are read back with a pcapng reader of
 * this test's own, block by block.
 *
 * The writer: blocks parsed back byte for byte, a write error kept.
 * In-process captures on a runtime that is built but not started (the
 * test runs the live executor itself, so every packet is known):
 *
 *   src -> chk (CheckIPv4) -> cls (Classifier: tcp, udp, other)
 *   cls[0] -> ct (Counter) -> dt (Discard); cls[1] -> du; cls[2] -> dx
 *
 * Under fused8 the chain chk+cls+ct+dt takes cls[0] inside, and cls[1],
 * cls[2] are chain exits. The file must hold exactly the packets counted
 * on the captured output, in order, under batch, fused8 (mixed exits and
 * all-one-way batches) and scalar; the count bound is exact; the capture
 * follows plan swaps and ends when a reload removes the element. Last, a
 * runtime with workers: a capture bounded by count, one stopped, one
 * ended by adn_runtime_stop, with plan swaps meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "adn_capture.h"
#include "adn_pcapng.h"
#include "adn_runtime.h"
#include "adn_test.h"

/* --- a pcapng reader ---------------------------------------------------- */

#define MAX_SENT 8192

struct epb {
	uint32_t ifid, caplen, origlen;
	uint64_t ts;
	const uint8_t *data;
	char comment[64];
};

struct pcapng {
	uint8_t *buf;
	size_t len;
	char os[128], appl[64];
	unsigned int n_idb;
	char if_name[4][128], if_desc[4][256];
	uint32_t snaplen[4];
	uint8_t tsresol[4];
	unsigned int n_epb;
	struct epb *epb;
	unsigned int n_isb;
	uint64_t isb_recv, isb_drop, isb_deliv;
};

/* A host-order field of 2, 4 or 8 bytes. */
static uint64_t
rd(const uint8_t *p, unsigned int size)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	if (size == 2) {
		memcpy(&v16, p, 2);
		return v16;
	}
	if (size == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v64, p, 8);
	return v64;
}

/* Options from `p` to `end`: fn(code, value, length) for each until
 * opt_endofopt; false when one runs past the block. */
static bool
opts(const uint8_t *p, const uint8_t *end,
     void (*fn)(struct pcapng *f, void *arg, uint16_t code, const uint8_t *v,
		uint16_t len), struct pcapng *f, void *arg)
{
	while (p + 4 <= end) {
		uint16_t code = rd(p, 2), len = rd(p + 2, 2);

		if (code == 0)
			return len == 0;
		if (p + 4 + ((len + 3u) & ~3u) > end)
			return false;
		fn(f, arg, code, p + 4, len);
		p += 4 + ((len + 3u) & ~3u);
	}
	return p == end;
}

static void
opt_str(char *out, size_t size, const uint8_t *v, uint16_t len)
{
	snprintf(out, size, "%.*s", (int)len, (const char *)v);
}

static void
shb_opt(struct pcapng *f, void *arg, uint16_t code, const uint8_t *v,
	uint16_t len)
{
	if (code == 3)
		opt_str(f->os, sizeof(f->os), v, len);
	else if (code == 4)
		opt_str(f->appl, sizeof(f->appl), v, len);
}

static void
idb_opt(struct pcapng *f, void *arg, uint16_t code, const uint8_t *v,
	uint16_t len)
{
	unsigned int i = f->n_idb;

	if (code == 2)
		opt_str(f->if_name[i], sizeof(f->if_name[i]), v, len);
	else if (code == 3)
		opt_str(f->if_desc[i], sizeof(f->if_desc[i]), v, len);
	else if (code == 9 && len == 1)
		f->tsresol[i] = v[0];
}

static void
epb_opt(struct pcapng *f, void *arg, uint16_t code, const uint8_t *v,
	uint16_t len)
{
	struct epb *p = arg;

	if (code == 1)
		opt_str(p->comment, sizeof(p->comment), v, len);
}

static void
isb_opt(struct pcapng *f, void *arg, uint16_t code, const uint8_t *v,
	uint16_t len)
{
	if (len != 8)
		return;
	if (code == 4)
		f->isb_recv = rd(v, 8);
	else if (code == 5)
		f->isb_drop = rd(v, 8);
	else if (code == 8)
		f->isb_deliv = rd(v, 8);
}

/* Read `path` into `f`; fails the case (with the offset) on any
 * malformed block. */
static struct pcapng *
pcapng_read(const char *path)
{
	struct pcapng *f = calloc(1, sizeof(*f));
	FILE *fp = fopen(path, "rb");
	size_t off = 0;
	long size;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL_FATAL(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	rewind(fp);
	/* An EPB takes at least 32 bytes. */
	f->buf = malloc((size_t)size + 1);
	f->epb = calloc((size_t)size / 32 + 1, sizeof(*f->epb));
	CU_ASSERT_FATAL(f->buf != NULL && f->epb != NULL);
	f->len = fread(f->buf, 1, (size_t)size, fp);
	fclose(fp);
	while (off + 12 <= f->len) {
		const uint8_t *b = f->buf + off;
		uint32_t type = rd(b, 4), len = rd(b + 4, 4);
		bool ok = len >= 12 && len % 4 == 0 && off + len <= f->len &&
			rd(b + len - 4, 4) == len;

		if (ok && off == 0)
			ok = type == 0x0A0D0D0A && rd(b + 8, 4) == 0x1A2B3C4D &&
				rd(b + 12, 2) == 1 && rd(b + 14, 2) == 0 &&
				rd(b + 16, 8) == UINT64_MAX &&
				opts(b + 24, b + len - 4, shb_opt, f, NULL);
		else if (ok && type == 1) {
			ok = f->n_idb < 4 && rd(b + 8, 2) == 1 &&
				opts(b + 16, b + len - 4, idb_opt, f, NULL);
			if (ok)
				f->snaplen[f->n_idb++] = (uint32_t)rd(b + 12, 4);
		} else if (ok && type == 6) {
			struct epb *p = &f->epb[f->n_epb];

			ok = len >= 32;
			if (ok) {
				p->ifid = rd(b + 8, 4);
				p->ts = (uint64_t)rd(b + 12, 4) << 32 |
					rd(b + 16, 4);
				p->caplen = rd(b + 20, 4);
				p->origlen = rd(b + 24, 4);
				p->data = b + 28;
				ok = 28 + ((p->caplen + 3u) & ~3u) + 4 <= len &&
					p->ifid < f->n_idb &&
					p->caplen <= p->origlen &&
					opts(b + 28 + ((p->caplen + 3u) & ~3u),
					     b + len - 4, epb_opt, f, p);
				for (uint32_t k = p->caplen;
				     ok && k % 4 != 0; k++)
					ok = p->data[k] == 0;	/* padding */
				f->n_epb++;
			}
		} else if (ok && type == 5) {
			ok = rd(b + 8, 4) < f->n_idb &&
				opts(b + 20, b + len - 4, isb_opt, f, NULL);
			f->n_isb++;
		} else if (ok) {
			ok = false;
		}
		if (!ok) {
			printf("\n  %s: bad block type %#x at offset %zu\n", path,
			       type, off);
			CU_FAIL("malformed pcapng block");
			break;
		}
		off += len;
	}
	CU_ASSERT_EQUAL(off, f->len);
	return f;
}

static void
pcapng_free(struct pcapng *f)
{
	free(f->buf);
	free(f->epb);
	free(f);
}

/* --- the writer ------------------------------------------------------- */

static char path_buf[8][128];

/* A fresh temp file name (not created). */
static const char *
tmp_path(const char *tag)
{
	static unsigned int k;
	char *p = path_buf[k++ % RTE_DIM(path_buf)];

	snprintf(p, sizeof(path_buf[0]), "/tmp/adn-cap-%d-%s.pcapng",
		 (int)getpid(), tag);
	unlink(p);
	return p;
}

static void
test_pcapng_blocks_parse_back(void)
{
	const char *path = tmp_path("writer");
	const uint64_t ts = UINT64_C(1700000000123456789);
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)"abcde", .iov_len = 5 },
		{ .iov_base = (void *)(uintptr_t)"fg", .iov_len = 2 },
	};
	struct adn_pcapng_if_stats st = {
		.start_ns = ts - 5, .end_ns = ts + 9, .received = 7,
		.dropped = 3, .delivered = 4,
	};
	/* The first packet's block, assembled by hand. */
	uint32_t want[10] = { 6, 40, 0, (uint32_t)(ts >> 32), (uint32_t)ts, 7,
			      100, 0, 0, 40 };
	struct adn_pcapng *w;
	struct pcapng *f;
	size_t shb, idb;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	memcpy(&want[7], "abcdefg", 7);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(adn_pcapng_open(fd, "TestOS 1.2", "adn-nf", &w),
			      0);
	shb = adn_pcapng_bytes(w);
	CU_ASSERT_EQUAL(shb, 32 + 16 + 12);	/* shb_os 10 -> 12 bytes */
	CU_ASSERT_EQUAL(adn_pcapng_add_interface(w, "cls:1",
		"Classifier 'cls', output 1 to 'du'", 262144), 0);
	idb = adn_pcapng_bytes(w) - shb;
	CU_ASSERT_EQUAL(adn_pcapng_add_interface(w, "x", NULL, 64), 1);
	CU_ASSERT_EQUAL(adn_pcapng_packet(w, 0, ts, iov, 2, 100, NULL), 0);
	CU_ASSERT_EQUAL(adn_pcapng_packet(w, 1, ts + 1, iov, 1, 5,
					  "output 2"), 0);
	CU_ASSERT_EQUAL(adn_pcapng_packet(w, 2, ts, iov, 1, 5, NULL),
			-EINVAL);	/* no such interface */
	CU_ASSERT_EQUAL(adn_pcapng_if_stats(w, 0, ts + 9, &st), 0);
	CU_ASSERT_EQUAL(adn_pcapng_packet_size(7, NULL), 40);
	CU_ASSERT_EQUAL(adn_pcapng_packet_size(5, "output 2"), 56);
	CU_ASSERT_EQUAL(adn_pcapng_if_stats_size(), 88);
	CU_ASSERT_EQUAL(adn_pcapng_close(w), 0);

	f = pcapng_read(path);
	CU_ASSERT_EQUAL(f->len, shb + idb + 40 + 40 + 56 + 88);
	/* Byte for byte, at the offset after the SHB and both IDBs. */
	CU_ASSERT(memcmp(f->buf + shb + idb + 40, want, sizeof(want)) == 0);
	CU_ASSERT_STRING_EQUAL(f->os, "TestOS 1.2");
	CU_ASSERT_STRING_EQUAL(f->appl, "adn-nf");
	CU_ASSERT_EQUAL(f->n_idb, 2);
	CU_ASSERT_STRING_EQUAL(f->if_name[0], "cls:1");
	CU_ASSERT_STRING_EQUAL(f->if_desc[0],
			       "Classifier 'cls', output 1 to 'du'");
	CU_ASSERT_EQUAL(f->tsresol[0], 9);
	CU_ASSERT_EQUAL(f->snaplen[0], 262144);
	CU_ASSERT_STRING_EQUAL(f->if_name[1], "x");
	CU_ASSERT_STRING_EQUAL(f->if_desc[1], "");
	CU_ASSERT_EQUAL(f->snaplen[1], 64);
	CU_ASSERT_EQUAL_FATAL(f->n_epb, 2);
	CU_ASSERT_EQUAL(f->epb[0].ts, ts);
	CU_ASSERT_EQUAL(f->epb[0].caplen, 7);
	CU_ASSERT_EQUAL(f->epb[0].origlen, 100);
	CU_ASSERT(memcmp(f->epb[0].data, "abcdefg", 7) == 0);
	CU_ASSERT_EQUAL(f->epb[1].ifid, 1);
	CU_ASSERT_EQUAL(f->epb[1].ts, ts + 1);
	CU_ASSERT_STRING_EQUAL(f->epb[1].comment, "output 2");
	CU_ASSERT_EQUAL(f->n_isb, 1);
	CU_ASSERT_EQUAL(f->isb_recv, 7);
	CU_ASSERT_EQUAL(f->isb_drop, 3);
	CU_ASSERT_EQUAL(f->isb_deliv, 4);
	pcapng_free(f);
	unlink(path);
}

/* A full disk: the error is returned, kept, and nothing crashes. */
static void
test_pcapng_write_error_is_kept(void)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)"abcd",
			     .iov_len = 4 };
	struct adn_pcapng *w;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(adn_pcapng_open(fd, NULL, "adn-nf", &w), 0);
	CU_ASSERT_EQUAL(adn_pcapng_add_interface(w, "a", NULL, 64), 0);
	CU_ASSERT_EQUAL(adn_pcapng_flush(w), -ENOSPC);
	CU_ASSERT_EQUAL(adn_pcapng_packet(w, 0, 1, &iov, 1, 4, NULL), -ENOSPC);
	CU_ASSERT_EQUAL(adn_pcapng_close(w), -ENOSPC);
}

/* --- captures on an executor run by the test ------------------------- */

static struct adn_runtime *rt;
static char cfg_path[128];

#define CFG_HEAD \
	"elements = (\n" \
	"  { name = \"src\"; type = \"TestSource\"; },\n" \
	"  { name = \"chk\"; type = \"CheckIPv4\"; },\n"
static const char cls_cfg[] = CFG_HEAD
	"  { name = \"cls\"; type = \"Classifier\";\n"
	"    rules = ( { proto = \"tcp\"; }, { proto = \"udp\"; }, { } ); },\n"
	"  { name = \"ct\"; type = \"Counter\"; },\n"
	"  { name = \"dt\"; type = \"Discard\"; },\n"
	"  { name = \"du\"; type = \"Discard\"; },\n"
	"  { name = \"dx\"; type = \"Discard\"; } );\n"
	"links = ( \"src -> chk -> cls\", \"cls[0] -> ct -> dt\",\n"
	"  \"cls[1] -> du\", \"cls[2] -> dx\" );\n";
static const char no_cls_cfg[] = CFG_HEAD
	"  { name = \"dt\"; type = \"Discard\"; } );\n"
	"links = ( \"src -> chk -> dt\" );\n";

/* What the test sent since the last sent_reset: packet index and
 * protocol, to rebuild the frames a file must hold. */
static unsigned int n_sent, sent_idx[MAX_SENT];
static uint8_t sent_proto[MAX_SENT];

static uint8_t
proto_of(unsigned int i, bool mixed)
{
	static const uint8_t p[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	return mixed ? p[i % 3] : IPPROTO_UDP;
}

static struct rte_mbuf *
pkt(unsigned int i, uint8_t proto)
{
	struct rte_mbuf *m = adn_test_ipv4(proto, (uint16_t)(1000 + i), 80,
					   64, (uint16_t)(60 + i % 200));

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

/* Packets [first, first + n) through the live version's executor of
 * worker 0, `burst` at a time. */
static void
push(unsigned int first, unsigned int n, bool mixed, unsigned int burst)
{
	struct adn_version *v = adn_runtime_live(rt);
	struct adn_elem *src = adn_pipeline_find(adn_version_pipeline(v), "src");

	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	while (n > 0) {
		struct adn_batch *b = adn_exec_source_batch(adn_version_exec(v, 0), src);
		unsigned int k = RTE_MIN(n, burst);

		for (unsigned int j = 0; j < k; j++) {
			uint8_t p = proto_of(first + j, mixed);

			b->pkts[j] = pkt(first + j, p);
			if (n_sent < MAX_SENT) {
				sent_idx[n_sent] = first + j;
				sent_proto[n_sent++] = p;
			}
		}
		b->n = (uint16_t)k;
		adn_exec_run(adn_version_exec(v, 0), src->index);
		first += k;
		n -= k;
	}
}

static uint64_t
out_count(const char *elem, unsigned int o)
{
	struct adn_elem_totals t;

	CU_ASSERT_EQUAL_FATAL(adn_runtime_elem_totals(rt, elem, &t), 0);
	return t.out[o];
}

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void
rt_start(const char *cfg)
{
	struct adn_errs errs = { 0 };

	adn_test_write_file(cfg_path, cfg);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(cfg_path, &errs, &rt), 0);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_build(rt, &errs), 0);
	adn_errs_clear(&errs);
}

static void
set_plan(const char *plan)
{
	struct adn_errs errs = { 0 };

	CU_ASSERT_EQUAL(adn_runtime_set_plan(rt, plan, &errs), 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	adn_runtime_sync(rt);
}

static void
capture(const char *target, const char *path, uint64_t count,
	uint32_t snaplen)
{
	struct adn_capture_limits lim = { .count = count, .snaplen = snaplen };
	struct adn_errs errs = { 0 };

	CU_ASSERT_EQUAL_FATAL(adn_runtime_capture_start(rt, target, path,
							&lim, &errs), 0);
	adn_errs_clear(&errs);
	n_sent = 0;
}

/* Wait (bounded, not timed) until the capture is no longer active. */
static void
wait_finished(struct adn_capture_status *st)
{
	for (int i = 0; i < 20000; i++) {
		adn_runtime_capture_status(rt, st);
		if (!st->active)
			return;
		usleep(1000);
	}
	CU_FAIL("the capture did not finish");
}

/* The file at `path` holds exactly the sent packets of protocol `proto`
 * (0: all), in order, whole, with sane timestamps; returns how many. */
static unsigned int
check_file(const char *path, uint8_t proto, const char *if_name,
	   uint64_t t0, uint32_t snaplen)
{
	struct pcapng *f = pcapng_read(path);
	uint64_t prev = 0;
	unsigned int k = 0, n;

	CU_ASSERT_EQUAL(f->n_idb, 1);
	CU_ASSERT_STRING_EQUAL(f->if_name[0], if_name);
	CU_ASSERT_STRING_EQUAL(f->appl, "adn-nf");
	CU_ASSERT_EQUAL(f->tsresol[0], 9);
	CU_ASSERT_EQUAL(f->n_isb, 1);
	CU_ASSERT_EQUAL(f->isb_deliv, f->n_epb);
	for (unsigned int i = 0; i < n_sent && k <= f->n_epb; i++) {
		const struct epb *p = &f->epb[k];
		struct rte_mbuf *m;

		if (proto != 0 && sent_proto[i] != proto)
			continue;
		if (k == f->n_epb) {
			k++;	/* one more sent than captured */
			break;
		}
		m = pkt(sent_idx[i], sent_proto[i]);
		CU_ASSERT_EQUAL(p->origlen, m->pkt_len);
		CU_ASSERT_EQUAL(p->caplen, RTE_MIN(m->pkt_len, snaplen));
		CU_ASSERT(memcmp(p->data, rte_pktmbuf_mtod(m, void *),
				 p->caplen) == 0);
		CU_ASSERT(p->ts >= prev && p->ts + 1000000000u >= t0 &&
			  p->ts <= now_ns() + 1000000000u);
		prev = p->ts;
		rte_pktmbuf_free(m);
		k++;
	}
	n = f->n_epb;
	CU_ASSERT_EQUAL(k, n);
	pcapng_free(f);
	unlink(path);
	return n;
}

static void
test_start_runtime(void)
{
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/adn-cap-%d.cfg",
		 (int)getpid());
	rt_start(cls_cfg);
}

/* batch, fused8 (cls[1] a chain exit) and scalar: the file holds every
 * packet counted on cls[1]. */
static void
test_capture_equals_output_count(void)
{
	static const char *const plans[] = { "batch", "fused8", "scalar" };

	for (unsigned int i = 0; i < RTE_DIM(plans); i++) {
		const char *path = tmp_path(plans[i]);
		struct adn_capture_status st;
		uint64_t before, t0 = now_ns();
		unsigned int n;

		set_plan(plans[i]);
		before = out_count("cls", 1);
		capture("cls:1", path, 100000, 0);
		push(0, 600, true, 32);		/* exits mixed */
		push(600, 100, false, 32);	/* all one way */
		CU_ASSERT_EQUAL(adn_runtime_capture_stop(rt), 0);
		adn_runtime_capture_status(rt, &st);
		CU_ASSERT(!st.active);
		CU_ASSERT_STRING_EQUAL(st.reason, "stopped");
		CU_ASSERT_STRING_EQUAL(st.target, "cls:1");
		CU_ASSERT_EQUAL(st.dropped, 0);
		n = check_file(path, IPPROTO_UDP, "cls:1", t0,
			       ADN_CAPTURE_SNAPLEN);
		printf("\n  %s: %u packets", plans[i], n);
		CU_ASSERT_EQUAL(n, 300);
		CU_ASSERT_EQUAL(n, out_count("cls", 1) - before);
		CU_ASSERT_EQUAL(st.written, n);
		CU_ASSERT_EQUAL(st.captured, n);
	}
}

/* Every output of cls: each packet labelled with the output it took. */
static void
test_capture_every_output(void)
{
	const char *path = tmp_path("all");
	struct pcapng *f;

	set_plan("batch");
	capture("cls", path, 100000, 0);
	push(0, 90, true, 64);
	CU_ASSERT_EQUAL(adn_runtime_capture_stop(rt), 0);
	f = pcapng_read(path);
	CU_ASSERT_STRING_EQUAL(f->if_name[0], "cls");
	CU_ASSERT(strstr(f->if_desc[0], "every output") != NULL);
	CU_ASSERT_EQUAL_FATAL(f->n_epb, 90);
	for (unsigned int i = 0; i < 90; i++) {
		char want[16];

		snprintf(want, sizeof(want), "output %u", i % 3);
		CU_ASSERT_STRING_EQUAL(f->epb[i].comment, want);
	}
	pcapng_free(f);
	unlink(path);
}

/* count = 37 of 200 matching packets: exactly 37, the first ones. */
static void
test_count_bound_is_exact(void)
{
	const char *path = tmp_path("count");
	struct adn_capture_status st;

	set_plan("batch");
	capture("cls:1", path, 37, 0);
	push(0, 200, false, 32);
	wait_finished(&st);
	CU_ASSERT_STRING_EQUAL(st.reason, "count");
	CU_ASSERT_EQUAL(st.captured, 37);
	CU_ASSERT_EQUAL(st.written, 37);
	CU_ASSERT_EQUAL(st.count, 37);
	n_sent = 37;
	CU_ASSERT_EQUAL(check_file(path, IPPROTO_UDP, "cls:1", 0,
				   ADN_CAPTURE_SNAPLEN), 37);
	CU_ASSERT_EQUAL(adn_runtime_capture_stop(rt), -ENOENT);
}

/* A frame in two segments: snaplen cuts across them; without it the
 * whole frame is kept. */
static void
test_multi_segment_and_snaplen(void)
{
	const uint32_t cut[] = { 120, 0 };

	set_plan("batch");
	for (unsigned int i = 0; i < RTE_DIM(cut); i++) {
		const char *path = tmp_path("segs");
		struct adn_version *v = adn_runtime_live(rt);
		struct adn_elem *src = adn_pipeline_find(adn_version_pipeline(v), "src");
		struct rte_mbuf *m = pkt(1, IPPROTO_UDP), *tail;
		struct adn_capture_status st;
		struct adn_batch *b;
		uint8_t whole[200];
		struct pcapng *f;

		tail = rte_pktmbuf_alloc(adn_test_pool());
		CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
		memset(rte_pktmbuf_append(tail, 60), 0xab, 60);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, tail), 0);
		CU_ASSERT_EQUAL(m->pkt_len, 121);
		/* Across the segments: a copy into `whole`. */
		CU_ASSERT(rte_pktmbuf_read(m, 0, m->pkt_len, whole) == whole);
		capture("cls:1", path, 1, cut[i]);
		b = adn_exec_source_batch(adn_version_exec(v, 0), src);
		b->pkts[0] = m;
		b->n = 1;
		adn_exec_run(adn_version_exec(v, 0), src->index);
		wait_finished(&st);
		CU_ASSERT_STRING_EQUAL(st.reason, "count");
		f = pcapng_read(path);
		CU_ASSERT_EQUAL_FATAL(f->n_epb, 1);
		CU_ASSERT_EQUAL(f->snaplen[0], cut[i] ? cut[i] :
				ADN_CAPTURE_SNAPLEN);
		CU_ASSERT_EQUAL(f->epb[0].origlen, 121);
		CU_ASSERT_EQUAL(f->epb[0].caplen, cut[i] ? cut[i] : 121);
		CU_ASSERT(memcmp(f->epb[0].data, whole,
				 f->epb[0].caplen) == 0);
		pcapng_free(f);
		unlink(path);
	}
}

static void
start_fails(const char *target, const char *path, uint32_t snaplen,
	    uint64_t max_bytes, const char *want)
{
	struct adn_capture_limits lim = { .snaplen = snaplen,
					  .max_bytes = max_bytes };
	struct adn_errs errs = { 0 };

	CU_ASSERT(adn_runtime_capture_start(rt, target, path, &lim,
					    &errs) < 0);
	if (adn_errs_find(&errs, want) < 0) {
		printf("\n  %s %s: no '%s' in:\n", target, path, want);
		adn_errs_print(&errs, stdout);
		CU_FAIL("the error does not say what is wrong");
	}
	adn_errs_clear(&errs);
}

static void
test_bad_requests_are_refused(void)
{
	const char *path = tmp_path("bad"), *link = tmp_path("link");
	struct adn_capture_status st;

	set_plan("batch");
	start_fails("nosuch:1", path, 0, 0, "no element 'nosuch' in the live pipeline");
	start_fails("cls:3", path, 0, 0, "'cls' (Classifier) has outputs 0-2, not 3");
	start_fails("cls:x", path, 0, 0, "output 'x' is not an output number");
	start_fails("cls:", path, 0, 0, "is not an output number");
	start_fails(":1", path, 0, 0, "give ELEMENT or ELEMENT:OUTPUT");
	start_fails("dt", path, 0, 0, "'dt' (Discard) has no outputs");
	start_fails("cls:1", "x.pcapng", 0, 0, "give an absolute path");
	start_fails("cls:1", path, 300000, 0, "snaplen 300000 out of range");
	start_fails("cls:1", path, 0, 100, "max_bytes 100 too small");
	start_fails("cls:1", "/nonexistent-dir/x.pcapng", 0, 0,
		    "cannot create it: No such file or directory");
	CU_ASSERT(access(path, F_OK) < 0);	/* no file left behind */
	/* An existing file, and a symlink (to a file that does not exist
	 * yet), are never written. */
	adn_test_write_file(path, "keep");
	start_fails("cls:1", path, 0, 0, "exists: captures never overwrite a file");
	CU_ASSERT_EQUAL(symlink("/tmp/adn-cap-never-created", link), 0);
	start_fails("cls:1", link, 0, 0, "exists");
	CU_ASSERT(access("/tmp/adn-cap-never-created", F_OK) < 0);
	unlink(link);
	unlink(path);
	capture("cls:1", path, 0, 0);
	start_fails("cls:2", tmp_path("second"), 0, 0,
		    "a capture is already running (cls:1 to");
	CU_ASSERT_EQUAL(adn_runtime_capture_stop(rt), 0);
	adn_runtime_capture_status(rt, &st);
	CU_ASSERT_EQUAL(st.count, ADN_CAPTURE_COUNT);
	CU_ASSERT_EQUAL(st.snaplen, ADN_CAPTURE_SNAPLEN);
	CU_ASSERT_EQUAL(st.max_bytes, ADN_CAPTURE_MAX_BYTES);
	n_sent = 0;
	CU_ASSERT_EQUAL(check_file(path, 0, "cls:1", 0, 0), 0);
}

/* cls[0] runs inside the chain from chk under fused8: refused, with a
 * plan that works. */
static void
test_fused_edge_is_refused(void)
{
	const char *path = tmp_path("fused");
	struct adn_capture_status st;
	struct adn_errs errs = { 0 };

	set_plan("fused8");
	CU_ASSERT_EQUAL(adn_runtime_capture_start(rt, "cls:0", path, NULL,
						  &errs), -EINVAL);
	adn_errs_print(&errs, stdout);
	CU_ASSERT(adn_errs_find(&errs, "capture: output 0 of 'cls' runs inside the fused chain from 'chk'") >= 0);
	CU_ASSERT(adn_errs_find(&errs, "e.g. /adn/plan/set,fused8,ct=batch") >= 0);
	adn_errs_clear(&errs);
	CU_ASSERT(access(path, F_OK) < 0);
	/* Every output of cls includes cls[0]: refused too. */
	start_fails("cls", path, 0, 0, "output 0 of 'cls' runs inside");
	/* The suggested plan leaves it unfused. */
	set_plan("fused8,ct=batch");
	capture("cls:0", path, 100000, 0);
	push(0, 90, true, 32);
	/* A swap to a plan that fuses it ends the capture. */
	set_plan("fused8");
	adn_runtime_capture_status(rt, &st);
	CU_ASSERT(!st.active);
	CU_ASSERT_STRING_EQUAL(st.reason, "output 0 fused into the chain from 'chk' by the new plan");
	CU_ASSERT_EQUAL(check_file(path, IPPROTO_TCP, "cls:0", 0,
				   ADN_CAPTURE_SNAPLEN), 30);
}

/* The capture follows swaps, and ends when a reload removes cls. */
static void
test_capture_follows_swaps(void)
{
	static const char *const plans[] = { "scalar", "fused4", "group4",
					     "batch" };
	const char *path = tmp_path("swaps");
	struct adn_capture_status st;
	struct adn_errs errs = { 0 };
	uint64_t before;
	unsigned int first = 0;

	set_plan("batch");
	before = out_count("cls", 1);
	capture("cls:1", path, 100000, 0);
	for (unsigned int i = 0; i < RTE_DIM(plans); i++) {
		push(first, 99, true, 16);
		first += 99;
		set_plan(plans[i]);
		adn_runtime_capture_status(rt, &st);
		CU_ASSERT(st.active);
	}
	push(first, 99, true, 16);
	adn_test_write_file(cfg_path, no_cls_cfg);
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, cfg_path, &errs), 0);
	adn_errs_clear(&errs);
	adn_runtime_capture_status(rt, &st);
	CU_ASSERT(!st.active);
	CU_ASSERT_STRING_EQUAL(st.reason, "element removed");
	CU_ASSERT_EQUAL(st.written, 165);
	CU_ASSERT_EQUAL(out_count("cls", 1) - before, 165);
	CU_ASSERT_EQUAL(check_file(path, IPPROTO_UDP, "cls:1", 0,
				   ADN_CAPTURE_SNAPLEN), 165);
	adn_test_write_file(cfg_path, cls_cfg);
	CU_ASSERT_EQUAL(adn_runtime_reload(rt, cfg_path, &errs), 0);
	adn_errs_clear(&errs);
}

/* A file that cannot grow (RLIMIT_FSIZE): the capture ends with the
 * error in its status, the process lives on. */
static void
test_write_error_ends_capture(void)
{
	const char *path = tmp_path("efbig");
	struct adn_capture_status st;
	struct rlimit old, lim;

	set_plan("batch");
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	capture("cls:1", path, 100000, 0);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (unsigned int i = 0; i < 40; i++) {
		push(i * 30, 30, false, 30);
		usleep(2000);
	}
	wait_finished(&st);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	printf("\n  reason: %s", st.reason);
	CU_ASSERT_STRING_EQUAL(st.reason, "error: writing the file: File too large");
	CU_ASSERT(st.written < 1200);
	unlink(path);
}

static void
test_stop_runtime(void)
{
	adn_runtime_free(rt);
	unlink(cfg_path);
}

/* --- with workers ------------------------------------------------------ */

static const char gen_cfg[] =
	"workers = 2;\n"
	"elements = (\n"
	"  { name = \"gen\"; type = \"GenSource\"; flows = 100; seq = 1024; pool = 1023; },\n"
	"  { name = \"cnt\"; type = \"Counter\"; },\n"
	"  { name = \"sink\"; type = \"Recycle\"; } );\n"
	"links = ( \"gen -> cnt -> sink\" );\n";

/* Every EPB a TCP/IPv4 frame GenSource made. */
static unsigned int
check_gen_file(const char *path)
{
	struct pcapng *f = pcapng_read(path);
	unsigned int n = f->n_epb;

	CU_ASSERT_STRING_EQUAL(f->if_name[0], "cnt:0");
	for (unsigned int i = 0; i < n; i++) {
		const struct epb *p = &f->epb[i];

		CU_ASSERT(p->caplen == p->origlen && p->caplen >= 54 &&
			  p->data[12] == 0x08 && p->data[13] == 0x00 &&
			  p->data[23] == IPPROTO_TCP);
	}
	CU_ASSERT_EQUAL(f->isb_deliv, n);
	pcapng_free(f);
	unlink(path);
	return n;
}

/* Unbounded in practice: only a stop ends it. */
static void
capture_big(const char *target, const char *path)
{
	struct adn_capture_limits lim = { .count = UINT64_MAX,
					  .max_bytes = 1ull << 40 };
	struct adn_errs errs = { 0 };

	CU_ASSERT_EQUAL_FATAL(adn_runtime_capture_start(rt, target, path,
							&lim, &errs), 0);
}

/* Wait (bounded, not timed) until `n` packets are in the file. */
static void
wait_written(uint64_t n)
{
	struct adn_capture_status st;

	for (int i = 0; i < 20000; i++) {
		adn_runtime_capture_status(rt, &st);
		if (st.written >= n)
			return;
		usleep(1000);
	}
	CU_FAIL("the capture writes nothing");
}

static void
test_capture_with_workers(void)
{
	static const char *const plans[] = { "scalar", "group4", "batch" };
	struct adn_capture_status st;
	struct adn_errs errs = { 0 };
	const char *path = tmp_path("w-count");

	rt_start(gen_cfg);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_start(rt, &errs), 0);
	/* Bounded by count, with swaps meanwhile. */
	capture("cnt:0", path, 500, 0);
	for (unsigned int i = 0; i < RTE_DIM(plans); i++)
		set_plan(plans[i]);
	wait_finished(&st);
	CU_ASSERT_STRING_EQUAL(st.reason, "count");
	CU_ASSERT_EQUAL(st.written, 500);
	CU_ASSERT_EQUAL(check_gen_file(path), 500);
	/* Stopped mid-way: what was copied is in a complete file. */
	path = tmp_path("w-stop");
	capture_big("cnt:0", path);
	wait_written(100);
	CU_ASSERT_EQUAL(adn_runtime_capture_stop(rt), 0);
	adn_runtime_capture_status(rt, &st);
	CU_ASSERT_STRING_EQUAL(st.reason, "stopped");
	CU_ASSERT_EQUAL(st.written, st.captured);
	CU_ASSERT_EQUAL(check_gen_file(path), st.written);
	/* Ended by the runtime's stop. */
	path = tmp_path("w-rtstop");
	capture_big("cnt:0", path);
	wait_written(10);
	adn_runtime_stop(rt);
	adn_runtime_capture_status(rt, &st);
	CU_ASSERT(!st.active);
	CU_ASSERT_STRING_EQUAL(st.reason, "stopped");
	CU_ASSERT_EQUAL(check_gen_file(path), st.written);
	adn_runtime_free(rt);
	adn_errs_clear(&errs);
	unlink(cfg_path);
}

int
main(void)
{
	/* Two workers on the machine's two CPUs for the last case. */
	CU_pSuite s = adn_test_suite_lcores("capture", "(0-2)@(0-1)");

	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_pcapng_blocks_parse_back);
	CU_ADD_TEST(s, test_pcapng_write_error_is_kept);
	CU_ADD_TEST(s, test_start_runtime);
	CU_ADD_TEST(s, test_capture_equals_output_count);
	CU_ADD_TEST(s, test_capture_every_output);
	CU_ADD_TEST(s, test_count_bound_is_exact);
	CU_ADD_TEST(s, test_multi_segment_and_snaplen);
	CU_ADD_TEST(s, test_bad_requests_are_refused);
	CU_ADD_TEST(s, test_fused_edge_is_refused);
	CU_ADD_TEST(s, test_capture_follows_swaps);
	CU_ADD_TEST(s, test_write_error_ends_capture);
	CU_ADD_TEST(s, test_stop_runtime);
	CU_ADD_TEST(s, test_capture_with_workers);
	return adn_test_main();
}
