/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * adn_runtime_control with workers running: a real runtime (config file,
 * EAL on two lcores, one worker) pushes GenSource traffic through LpmRoute
 * and a ParkProbe element while the main lcore issues control commands.
 * Control no longer parks the workers: ParkProbe's handler waits and
 * checks that batches kept running meanwhile; LpmRoute churn that grows
 * the radix trie under running workers is what the sanitizer build would
 * flag if the element's copy-on-write or the grace period broke.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "adn_elem.h"
#include "adn_runtime.h"
#include "adn_test.h"

/* --- ParkProbe: marks the time it spends inside a batch ---------------- */

struct park_probe {
	uint32_t inside;	/* 1 while process() runs */
	uint64_t batches;
	/* Control calls, and those during which batches ran on. */
	unsigned int controls, in_batch;
};

static void
park_probe_process(struct adn_elem *e, struct adn_batch *b)
{
	struct park_probe *p = adn_elem_priv(e);

	__atomic_store_n(&p->inside, 1, __ATOMIC_SEQ_CST);
	/* Long enough that a control call not waiting for the batch
	 * boundary lands inside one most of the time. */
	rte_delay_us_block(20);
	__atomic_fetch_add(&p->batches, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->inside, 0, __ATOMIC_SEQ_CST);
	for (uint16_t i = 0; i < b->n; i++)
		b->out[i] = 0;
}

static int
park_probe_control(struct adn_elem *e, const char *cmd, char *reply,
		   size_t len)
{
	struct park_probe *p = adn_elem_priv(e);
	uint64_t before = __atomic_load_n(&p->batches, __ATOMIC_RELAXED);

	p->controls++;
	/* Workers run on while a handler runs: batches go on meanwhile
	 * (each takes 20 us; give them up to 200 ms). */
	for (int i = 0; i < 2000 && __atomic_load_n(&p->batches,
			__ATOMIC_RELAXED) < before + 2; i++)
		usleep(100);
	if (__atomic_load_n(&p->batches, __ATOMIC_RELAXED) >= before + 2)
		p->in_batch++;
	snprintf(reply, len, "poked");
	return 0;
}

static const char *const park_probe_help[] = {
	"poke: check batches run on while the handler runs", NULL,
};

static const struct adn_elem_desc park_probe_desc = {
	.name = "ParkProbe",
	.priv_size = sizeof(struct park_probe),
	.n_outputs = 1,
	.process = park_probe_process,
	.control = park_probe_control,
	.control_help = park_probe_help,
};

ADN_ELEM_REGISTER(park_probe_desc);

/* --- the runtime ------------------------------------------------------ */

static struct adn_runtime *rt;
static char cfg_path[128], routes_path[128];

static uint64_t
received(void)
{
	struct adn_totals t;

	adn_runtime_totals(rt, &t);
	return t.received;
}

/* Wait (up to 30 s on a loaded machine) until traffic moves past `n`. */
static bool
traffic_past(uint64_t n)
{
	for (int i = 0; i < 30000; i++) {
		if (received() > n)
			return true;
		usleep(1000);
	}
	return false;
}

/* Element `name` of the live version. */
static struct adn_elem *
live_elem(const char *name)
{
	return adn_pipeline_find(adn_version_pipeline(adn_runtime_live(rt)),
				 name);
}

static struct park_probe *
probe(void)
{
	return adn_elem_priv(live_elem("probe"));
}

static void
test_start_runtime(void)
{
	struct adn_errs errs = { 0 };
	char reply[256];
	FILE *f;

	snprintf(routes_path, sizeof(routes_path),
		 "/tmp/adn-test-%d-rtctl-routes.txt", (int)getpid());
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/adn-test-%d-rtctl.cfg",
		 (int)getpid());
	f = fopen(routes_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "10.0.0.0/8 1\n192.168.0.0/16 2\n");
	fclose(f);
	f = fopen(cfg_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"workers = 1;\n"
		"elements = (\n"
		"  { name = \"gen\"; type = \"GenSource\"; flows = 1000; seq = 4096;\n"
		"    pool = 4095; routes = \"%s\"; },\n"
		"  { name = \"route\"; type = \"LpmRoute\"; routes = \"%s\"; },\n"
		"  { name = \"probe\"; type = \"ParkProbe\"; },\n"
		"  { name = \"sink\"; type = \"Recycle\"; } );\n"
		"links = ( \"gen -> route\", \"route[0] -> probe\",\n"
		"  \"route[1] -> probe\", \"route[2] -> probe\",\n"
		"  \"probe -> sink\" );\n", routes_path, routes_path);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(adn_runtime_load(cfg_path, &errs, &rt), 0);
	/* Before the build: no pipeline to run a command on. */
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "lookup 10.1.2.3",
					    reply, sizeof(reply)), -ENODEV);
	CU_ASSERT_EQUAL(adn_runtime_build(rt, &errs), 0);
	adn_errs_print(&errs, stdout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(adn_version_pipeline(adn_runtime_live(rt)));
	/* Before start: applied directly. */
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "lookup 10.1.2.3",
					    reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "10.1.2.3 -> 1");
	CU_ASSERT_EQUAL_FATAL(adn_runtime_start(rt, &errs), 0);
	adn_errs_print(&errs, stdout);
	adn_errs_clear(&errs);
	CU_ASSERT_FATAL(traffic_past(0));
}

static void
test_control_does_not_park_workers(void)
{
	struct park_probe *p = probe();
	uint64_t before;
	char reply[64];

	for (unsigned int i = 0; i < 30; i++)
		CU_ASSERT_EQUAL(adn_runtime_control(rt, "probe", "poke", reply,
						    sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "poked");
	CU_ASSERT_EQUAL(p->controls, 30);
	CU_ASSERT_EQUAL(p->in_batch, 30);
	/* Workers were released: traffic keeps flowing. */
	before = received();
	CU_ASSERT(traffic_past(before));
	CU_ASSERT(__atomic_load_n(&p->batches, __ATOMIC_RELAXED) > 0);
}

static void
test_control_changes_routes_while_running(void)
{
	struct adn_elem *e = live_elem("route");
	uint32_t gen = adn_elem_state_gen(e);
	char cmd[64], reply[256];
	unsigned int failed = 0;

	/* 600 distinct /32s grow the radix node array well past its
	 * first allocation (realloc moves it under the workers' feet if
	 * they were not parked). */
	for (unsigned int i = 0; i < 600; i++) {
		snprintf(cmd, sizeof(cmd), "add 172.%u.%u.%u/32 2", 16 + i / 256,
			 (i * 7) & 255, i & 255);
		failed += adn_runtime_control(rt, "route", cmd, reply,
					      sizeof(reply)) != 0;
	}
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "lookup 172.17.7.1",
					    reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "172.17.7.1 -> 2");
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route",
					    "add 10.0.0.0/8 2", reply,
					    sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "replaced 10.0.0.0/8 -> 2 (was 1)");
	for (unsigned int i = 0; i < 600; i++) {
		snprintf(cmd, sizeof(cmd), "remove 172.%u.%u.%u/32",
			 16 + i / 256, (i * 7) & 255, i & 255);
		failed += adn_runtime_control(rt, "route", cmd, reply,
					      sizeof(reply)) != 0;
	}
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "lookup 172.17.7.1",
					    reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "172.17.7.1 -> 0 (no route)");
	/* Every successful change bumped the generation once; the two
	 * lookups did not. */
	CU_ASSERT_EQUAL(adn_elem_state_gen(e) - gen, 1201);
	/* Errors are replies, not crashes, and change nothing. */
	gen = adn_elem_state_gen(e);
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "add 1.0.0.0/8 9",
					    reply, sizeof(reply)), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "takes hops 1-2"));
	CU_ASSERT_EQUAL(adn_elem_state_gen(e), gen);
	CU_ASSERT(traffic_past(received()));
}

static void
test_control_errors_and_help(void)
{
	char reply[256];

	CU_ASSERT_EQUAL(adn_runtime_control(rt, "nope", "help", reply,
					    sizeof(reply)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(reply, "no element named 'nope'");
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "sink", "help", reply,
					    sizeof(reply)), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "takes no control commands"));
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", " help ", reply,
					    sizeof(reply)), 0);
	CU_ASSERT(strncmp(reply, "add A.B.C.D/LEN HOP", 19) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nremove A.B.C.D/LEN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nlookup A.B.C.D"));
}

static volatile bool hammer_done;

static void *
hammer(void *arg)
{
	unsigned int *n = arg;
	char reply[64];

	while (!__atomic_load_n(&hammer_done, __ATOMIC_RELAXED))
		if (adn_runtime_control(rt, "probe", "poke", reply,
					sizeof(reply)) == 0)
			(*n)++;
	return NULL;
}

/* Control calls racing adn_runtime_stop neither hang nor fail; after
 * stop they still apply. */
static void
test_control_survives_stop(void)
{
	unsigned int n = 0, before;
	pthread_t t;
	char reply[64];

	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, hammer, &n), 0);
	usleep(20000);
	adn_runtime_stop(rt);
	__atomic_store_n(&hammer_done, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CU_ASSERT(n > 0);
	before = probe()->controls;
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "probe", "poke", reply,
					    sizeof(reply)), 0);
	CU_ASSERT_EQUAL(probe()->controls, before + 1);
	CU_ASSERT_EQUAL(adn_runtime_control(rt, "route", "lookup 10.1.1.1",
					    reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "10.1.1.1 -> 2");
	adn_runtime_free(rt);
	unlink(cfg_path);
	unlink(routes_path);
}

int
main(void)
{
	CU_pSuite s;

	if (adn_test_eal_init_lcores("runtime_control", "0-1") < 0 ||
	    CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("runtime_control", NULL, NULL);
	CU_ADD_TEST(s, test_start_runtime);
	CU_ADD_TEST(s, test_control_does_not_park_workers);
	CU_ADD_TEST(s, test_control_changes_routes_while_running);
	CU_ADD_TEST(s, test_control_errors_and_help);
	CU_ADD_TEST(s, test_control_survives_stop);
	return adn_test_main();
}
