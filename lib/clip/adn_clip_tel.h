/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small client of a DPDK 22.11 telemetry v2 socket
 * (/var/run/dpdk/PREFIX/dpdk_telemetry.v2): what adn-switchsim uses to
 * ask a server's Snat element for the entries it promotes (CLIP §III-D),
 * through the server's /adn/control command.
 *
 * Protocol: connect a SOCK_SEQPACKET socket, read the greeting JSON,
 * then per query send "CMD,PARAMS" and read one JSON reply.
 *
 * Every call is bounded by the client's timeout (connect, send, receive):
 * a server that is gone, stalled or not started yet is an error return,
 * never a hang. After any error the connection is closed, so a late
 * answer can never be taken for the reply of the next query; the next
 * query reconnects.
 *
 * Threading: one client per thread; no shared state.
 */
#ifndef _ADN_CLIP_TEL_H_
#define _ADN_CLIP_TEL_H_

#include <stddef.h>

struct adn_clip_tel;

/* A client of the socket at path (not connected yet: the first query
 * connects). timeout_ms bounds each step, 1..60000. Returns 0, -EINVAL
 * (path too long for a unix socket, bad timeout), -ENOMEM. */
int adn_clip_tel_create(const char *path, unsigned int timeout_ms,
			struct adn_clip_tel **out);
void adn_clip_tel_free(struct adn_clip_tel *t);

/*
 * Send "cmd" (with ",params" when params is not NULL) and read the JSON
 * reply into buf (NUL-terminated). Returns the reply length, or
 * -ETIMEDOUT (no answer in time), -ECONNREFUSED / -ENOENT (no server
 * listening), -EPIPE / -ECONNRESET (the server went away), -EMSGSIZE
 * (reply longer than buf), -EPROTO (no greeting or empty reply), or
 * another negative errno of the socket calls.
 */
int adn_clip_tel_query(struct adn_clip_tel *t, const char *cmd,
		       const char *params, char *buf, size_t len);

/*
 * Run "/adn/control,ELEM COMMAND" on an adn-nf process and return the
 * element's answer: *rc the handler's return (0 or a negative errno) and
 * its reply text in reply. Returns 0 when an answer came, a negative
 * errno of adn_clip_tel_query, or -EPROTO when the reply is not an
 * /adn/control answer.
 */
int adn_clip_tel_control(struct adn_clip_tel *t, const char *elem,
			 const char *command, int *rc, char *reply,
			 size_t len);

#endif /* _ADN_CLIP_TEL_H_ */
