/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry v2 client. Contract in adn_clip_tel.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "adn_clip_tel.h"

struct adn_clip_tel {
	struct sockaddr_un addr;
	struct timeval timeout;
	int fd;
};

int
adn_clip_tel_create(const char *path, unsigned int timeout_ms,
		    struct adn_clip_tel **out)
{
	struct adn_clip_tel *t;

	if (path == NULL || out == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(t->addr.sun_path) || timeout_ms == 0 ||
	    timeout_ms > 60000)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->addr.sun_family = AF_UNIX;
	memcpy(t->addr.sun_path, path, strlen(path) + 1);
	t->timeout.tv_sec = timeout_ms / 1000;
	t->timeout.tv_usec = (timeout_ms % 1000) * 1000;
	t->fd = -1;
	*out = t;
	return 0;
}

static void
tel_disconnect(struct adn_clip_tel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

void
adn_clip_tel_free(struct adn_clip_tel *t)
{
	if (t == NULL)
		return;
	tel_disconnect(t);
	free(t);
}

/* errno of a failed socket call as this API reports it: a timed-out
 * SO_RCVTIMEO/SO_SNDTIMEO call (and a unix connect whose listener kept
 * its backlog full) fails with EAGAIN. */
static int
tel_errno(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
}

/* One message into buf; MSG_TRUNC makes a SEQPACKET recv report the
 * message's real length, so a cut reply is seen, not parsed. */
static int
tel_recv(struct adn_clip_tel *t, char *buf, size_t len)
{
	ssize_t n = recv(t->fd, buf, len - 1, MSG_TRUNC);

	if (n < 0)
		return tel_errno();
	if (n == 0)
		return -ECONNRESET;	/* closed: e.g. too many clients */
	if ((size_t)n >= len)
		return -EMSGSIZE;
	buf[n] = '\0';
	return (int)n;
}

static int
tel_connect(struct adn_clip_tel *t)
{
	char greeting[1024];
	int rc;

	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return -errno;
	/* Both timeouts before connect: Linux bounds a blocking unix
	 * connect by the send timeout. */
	if (setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &t->timeout,
		       sizeof(t->timeout)) < 0 ||
	    setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &t->timeout,
		       sizeof(t->timeout)) < 0 ||
	    connect(t->fd, (const struct sockaddr *)&t->addr,
		    sizeof(t->addr)) < 0) {
		rc = tel_errno();
		tel_disconnect(t);
		return rc;
	}
	rc = tel_recv(t, greeting, sizeof(greeting));
	if (rc >= 0 && greeting[0] != '{')
		rc = -EPROTO;
	if (rc < 0) {
		tel_disconnect(t);
		return rc == -ECONNRESET ? -EPROTO : rc;
	}
	return 0;
}

int
adn_clip_tel_query(struct adn_clip_tel *t, const char *cmd,
		   const char *params, char *buf, size_t len)
{
	char msg[1024];
	int n, rc;

	if (t == NULL || cmd == NULL || buf == NULL || len < 2)
		return -EINVAL;
	n = snprintf(msg, sizeof(msg), "%s%s%s", cmd, params ? "," : "",
		     params ? params : "");
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EINVAL;
	if (t->fd < 0) {
		rc = tel_connect(t);
		if (rc < 0)
			return rc;
	}
	if (send(t->fd, msg, (size_t)n, MSG_NOSIGNAL) < 0) {
		rc = tel_errno();
		tel_disconnect(t);
		return rc;
	}
	rc = tel_recv(t, buf, len);
	if (rc < 0)
		tel_disconnect(t);
	return rc;
}

/* Position just past `"key":` (blanks allowed around the colon) in
 * json, or NULL. Keys and strings of /adn/control carry no quotes. */
static const char *
json_value(const char *json, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (p == NULL)
		return NULL;
	p += strlen(pat);
	p += strspn(p, " ");
	if (*p != ':')
		return NULL;
	p++;
	return p + strspn(p, " ");
}

int
adn_clip_tel_control(struct adn_clip_tel *t, const char *elem,
		     const char *command, int *rc, char *reply, size_t len)
{
	char params[512], json[16384];
	const char *v, *q;
	char *end;
	long code;
	int n;

	if (elem == NULL || command == NULL || rc == NULL || reply == NULL ||
	    len == 0)
		return -EINVAL;
	n = snprintf(params, sizeof(params), "%s %s", elem, command);
	if (n < 0 || (size_t)n >= sizeof(params))
		return -EINVAL;
	n = adn_clip_tel_query(t, "/adn/control", params, json, sizeof(json));
	if (n < 0)
		return n;
	/* {"/adn/control":{"element":E,"ok":0|1,"rc":N,"reply":"..."}};
	 * an unknown command is answered {"/adn/control": null}. */
	if (strncmp(json, "{\"/adn/control\":{", 17) != 0)
		return -EPROTO;
	v = json_value(json, "rc");
	if (v == NULL)
		return -EPROTO;
	errno = 0;
	code = strtol(v, &end, 10);
	if (end == v || errno != 0 || code > 0 || code < -4095)
		return -EPROTO;
	v = json_value(json, "reply");
	if (v == NULL || *v != '"' || (q = strchr(v + 1, '"')) == NULL)
		return -EPROTO;
	snprintf(reply, len, "%.*s", (int)(q - v - 1), v + 1);
	*rc = (int)code;
	return 0;
}
