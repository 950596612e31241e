/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The export path of CLIP promotion outside the Snat element: the
 * mapping text format (adn_clip_snat_entry_*) and the telemetry client
 * (adn_clip_tel) against a scripted telemetry v2 server on a unix
 * SEQPACKET socket: a round trip, the element's error code, protocol
 * errors, and a server that never answers (a bounded error, no hang).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <CUnit/Basic.h>

#include "adn_clip_snat.h"
#include "adn_clip_tel.h"

static void
test_entry_format_parses_back(void)
{
	struct adn_clip_entry e, f;
	char line[ADN_CLIP_SNAT_LINE_MAX];
	int n;

	memset(&e, 0, sizeof(e));
	e.key.src_ip = htonl(0xfffffffe);
	e.key.dst_ip = htonl(0x01020304);
	e.key.src_port = htons(65535);
	e.key.dst_port = htons(0);
	e.key.proto = 6;
	e.server = 65535;
	e.result_len = ADN_CLIP_SNAT_RESULT_LEN;
	adn_clip_snat_result(e.result, 0xfffffffe, 65535);
	n = adn_clip_snat_entry_format(&e, line, sizeof(line));
	/* the longest line fits one telemetry string (127 bytes) */
	CU_ASSERT(n > 0 && n < ADN_CLIP_SNAT_LINE_MAX && n < 127);
	CU_ASSERT_STRING_EQUAL(line,
		"255.255.255.254:65535 1.2.3.4:0 tcp -> 255.255.255.254:65535 server 65535");
	CU_ASSERT(adn_clip_snat_entry_parse(line, &f) == 0);
	CU_ASSERT(memcmp(&f.key, &e.key, sizeof(e.key)) == 0);
	CU_ASSERT(f.server == e.server && f.result_len == e.result_len &&
		  memcmp(f.result, e.result, e.result_len) == 0);
	/* not a SNAT result: refused, not printed wrong */
	e.result_len = 4;
	CU_ASSERT(adn_clip_snat_entry_format(&e, line, sizeof(line)) ==
		  -EINVAL);
}

static void
test_entry_parse_rejects_malformed_lines(void)
{
	static const char *const bad[] = {
		"",
		"no entry for 10.0.0.1:1 10.0.0.2:2 udp",
		"10.0.0.1:1 10.0.0.2:2 udp",
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5",
		"10.0.0.1:1 10.0.0.2:2 udp => 100.64.0.1:5 server 1",
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1 server 1",
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server",
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server 65536",
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server 1x",
		"10.0.0.1:1 10.0.0.2:2 sctp -> 100.64.0.1:5 server 1",
	};
	struct adn_clip_entry e;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(adn_clip_snat_entry_parse(bad[i], &e) == -EINVAL);
		if (adn_clip_snat_entry_parse(bad[i], &e) != -EINVAL)
			printf("\naccepted '%s'\n", bad[i]);
	}
	CU_ASSERT(adn_clip_snat_entry_parse(
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server 1\nmore",
		&e) == 0);
}

/* --- a scripted telemetry server ---------------------------------------- */

enum fake_mode {
	FAKE_ANSWER,	/* greeting, then answer each query with `answer` */
	FAKE_SILENT,	/* greeting, then never answer */
	FAKE_MUTE,	/* accept, never greet */
};

struct fake {
	char path[108];
	int lfd;
	enum fake_mode mode;
	const char *answer;
	char got[512];		/* last query received */
	pthread_t thread;
};

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	char buf[512];
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (f->mode != FAKE_MUTE)
		send(fd, "{\"version\": \"DPDK 22.11\", \"pid\": 1, \"max_output_len\": 16384}",
		     60, MSG_NOSIGNAL);
	/* until the client closes */
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		memcpy(f->got, buf, (size_t)n + 1);
		if (f->mode == FAKE_ANSWER)
			send(fd, f->answer, strlen(f->answer), MSG_NOSIGNAL);
	}
	close(fd);
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode, const char *answer)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/adn-clip-tel-%d.sock",
		 (int)getpid());
	unlink(f->path);
	f->mode = mode;
	f->answer = answer;
	f->lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CU_ASSERT_FATAL(f->lfd >= 0);
	memcpy(a.sun_path, f->path, strlen(f->path) + 1);
	CU_ASSERT_FATAL(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(f->lfd, 1) == 0);
	CU_ASSERT_FATAL(pthread_create(&f->thread, NULL, fake_main, f) == 0);
}

/* After the client is freed (its close ends the server's loop). */
static void
fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_tel_control_round_trip(void)
{
	struct adn_clip_tel *t;
	struct fake f;
	char reply[128];
	int rc = 1;

	fake_start(&f, FAKE_ANSWER,
		   "{\"/adn/control\":{\"element\":\"snat\",\"ok\":1,\"rc\":0,"
		   "\"reply\":\"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server 1\"}}");
	CU_ASSERT_FATAL(adn_clip_tel_create(f.path, 1000, &t) == 0);
	CU_ASSERT(adn_clip_tel_control(t, "snat",
				       "lookup 10.0.0.1:1 10.0.0.2:2 udp", &rc,
				       reply, sizeof(reply)) == 0);
	CU_ASSERT(rc == 0);
	CU_ASSERT_STRING_EQUAL(reply,
		"10.0.0.1:1 10.0.0.2:2 udp -> 100.64.0.1:5 server 1");
	CU_ASSERT_STRING_EQUAL(f.got,
		"/adn/control,snat lookup 10.0.0.1:1 10.0.0.2:2 udp");
	/* the connection stays up for the next query */
	CU_ASSERT(adn_clip_tel_control(t, "snat", "stats", &rc, reply,
				       sizeof(reply)) == 0);
	CU_ASSERT_STRING_EQUAL(f.got, "/adn/control,snat stats");
	/* a reply longer than the caller's buffer is refused, not cut */
	CU_ASSERT(adn_clip_tel_query(t, "/adn/control", "snat stats", reply,
				     16) == -EMSGSIZE);
	adn_clip_tel_free(t);
	fake_stop(&f);
}

static void
test_tel_control_returns_element_error(void)
{
	struct adn_clip_tel *t;
	struct fake f;
	char reply[128];
	int rc = 0;

	fake_start(&f, FAKE_ANSWER,
		   "{\"/adn/control\":{\"element\":\"snat\",\"ok\":0,\"rc\":-22,"
		   "\"reply\":\"lookup: protocol 'icmp': tcp, udp, 6 or 17\"}}");
	CU_ASSERT_FATAL(adn_clip_tel_create(f.path, 1000, &t) == 0);
	CU_ASSERT(adn_clip_tel_control(t, "snat", "lookup x", &rc, reply,
				       sizeof(reply)) == 0);
	CU_ASSERT(rc == -EINVAL);
	CU_ASSERT_STRING_EQUAL(reply,
			       "lookup: protocol 'icmp': tcp, udp, 6 or 17");
	adn_clip_tel_free(t);
	fake_stop(&f);
}

static void
test_tel_control_rejects_other_answers(void)
{
	static const char *const answers[] = {
		"{\"/adn/control\": null}",	/* command not registered */
		"{\"/adn/stats\":{\"rc\":0,\"reply\":\"x\"}}",
		"{\"/adn/control\":{\"element\":\"snat\",\"ok\":1,\"rc\":0}}",
		"{\"/adn/control\":{\"rc\":\"zero\",\"reply\":\"x\"}}",
		"{\"/adn/control\":{\"rc\":3,\"reply\":\"x\"}}",
	};

	for (unsigned int i = 0; i < sizeof(answers) / sizeof(answers[0]);
	     i++) {
		struct adn_clip_tel *t;
		struct fake f;
		char reply[128];
		int rc;

		fake_start(&f, FAKE_ANSWER, answers[i]);
		CU_ASSERT_FATAL(adn_clip_tel_create(f.path, 1000, &t) == 0);
		CU_ASSERT(adn_clip_tel_control(t, "snat", "stats", &rc, reply,
					       sizeof(reply)) == -EPROTO);
		adn_clip_tel_free(t);
		fake_stop(&f);
	}
}

/* A stalled server costs one timeout per step, then an error. */
static void
test_tel_times_out_on_a_silent_server(void)
{
	static const enum fake_mode modes[] = { FAKE_SILENT, FAKE_MUTE };

	for (unsigned int i = 0; i < 2; i++) {
		struct adn_clip_tel *t;
		struct fake f;
		char reply[128];
		double t0;
		int rc;

		fake_start(&f, modes[i], NULL);
		CU_ASSERT_FATAL(adn_clip_tel_create(f.path, 200, &t) == 0);
		t0 = now_s();
		CU_ASSERT(adn_clip_tel_control(t, "snat", "stats", &rc, reply,
					       sizeof(reply)) == -ETIMEDOUT);
		CU_ASSERT(now_s() - t0 >= 0.15 && now_s() - t0 < 2.0);
		adn_clip_tel_free(t);
		fake_stop(&f);
	}
}

static void
test_tel_reports_missing_server_and_bad_arguments(void)
{
	struct adn_clip_tel *t;
	char reply[64], longp[200];
	int rc;

	CU_ASSERT_FATAL(adn_clip_tel_create("/tmp/adn-clip-tel-none.sock", 100,
					    &t) == 0);
	CU_ASSERT(adn_clip_tel_control(t, "snat", "stats", &rc, reply,
				       sizeof(reply)) == -ENOENT);
	adn_clip_tel_free(t);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	CU_ASSERT(adn_clip_tel_create(longp, 100, &t) == -EINVAL);
	CU_ASSERT(adn_clip_tel_create("/tmp/x", 0, &t) == -EINVAL);
	CU_ASSERT(adn_clip_tel_create("", 100, &t) == -EINVAL);
}

int
main(void)
{
	CU_pSuite s;
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("clip_export", NULL, NULL);
	if (s == NULL)
		return 2;
	CU_ADD_TEST(s, test_entry_format_parses_back);
	CU_ADD_TEST(s, test_entry_parse_rejects_malformed_lines);
	CU_ADD_TEST(s, test_tel_control_round_trip);
	CU_ADD_TEST(s, test_tel_control_returns_element_error);
	CU_ADD_TEST(s, test_tel_control_rejects_other_answers);
	CU_ADD_TEST(s, test_tel_times_out_on_a_silent_server);
	CU_ADD_TEST(s, test_tel_reports_missing_server_and_bad_arguments);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
