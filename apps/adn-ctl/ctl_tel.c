/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_tel.h"

/* Larger than any reply 22.11's server writes (16 KiB). */
#define CTL_TEL_BUF (64 * 1024)
/* A server that takes longer is stuck; say so instead of hanging. */
#define CTL_TEL_TIMEOUT_S 5
/* Connecting while others do: 2 s of retries at most. */
#define CTL_TEL_CONNECT_TRIES 100
#define CTL_TEL_CONNECT_WAIT_US 20000

void
ctl_tel_path(const char *prefix, char *out, size_t len)
{
	/* rte_eal_get_runtime_dir(): /var/run for root, else the XDG runtime
	 * directory or /tmp. */
	const char *base = "/var/run";

	if (getuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL || base[0] == '\0')
			base = "/tmp";
	}
	snprintf(out, len, "%s/dpdk/%s/dpdk_telemetry.v2", base, prefix);
}

/* DPDK's telemetry listens with a backlog of one: a client that comes
 * while another is being accepted is told to try again (EAGAIN). */
static int
ctl_connect(int fd, const struct sockaddr_un *sun)
{
	for (int i = 0; i < CTL_TEL_CONNECT_TRIES; i++) {
		if (connect(fd, (const struct sockaddr *)sun,
			    sizeof(*sun)) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
		usleep(CTL_TEL_CONNECT_WAIT_US);
	}
	return -1;
}

int
ctl_tel_open(struct ctl_tel *t, const char *path, char *err, size_t err_len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_TEL_TIMEOUT_S };
	struct adn_json *greet = NULL;
	char jerr[128];
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, err_len, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	t->buf = malloc(CTL_TEL_BUF);
	t->buf_len = CTL_TEL_BUF;
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->buf == NULL || t->fd < 0) {
		snprintf(err, err_len, "cannot create a socket: %s",
			 strerror(errno));
		goto fail;
	}
	setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (ctl_connect(t->fd, &sun) < 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, err_len,
				 "no adn-nf runs under this file prefix (no telemetry socket %s); pass its --file-prefix with -f",
				 path);
		else if (e == ECONNREFUSED)
			snprintf(err, err_len,
				 "%s refuses connections: the process that made it has exited (or its telemetry is off)",
				 path);
		else if (e == EACCES)
			snprintf(err, err_len,
				 "%s: permission denied: run as the user that runs adn-nf",
				 path);
		else
			snprintf(err, err_len, "cannot connect to %s: %s",
				 path, strerror(e));
		errno = e;
		goto fail;
	}
	n = recv(t->fd, t->buf, t->buf_len - 1, 0);
	if (n <= 0) {
		snprintf(err, err_len, "%s: no greeting from the server: %s",
			 path, n == 0 ? "connection closed (too many clients?)" :
			 strerror(errno));
		goto fail;
	}
	if (adn_json_parse(t->buf, (size_t)n, &greet, jerr,
			   sizeof(jerr)) < 0) {
		snprintf(err, err_len, "%s: not a DPDK telemetry socket (%s)",
			 path, jerr);
		errno = EPROTO;
		goto fail;
	}
	snprintf(t->version, sizeof(t->version), "%s",
		 adn_json_str(adn_json_get(greet, "version")));
	t->pid = (long)adn_json_u64(adn_json_get(greet, "pid"));
	adn_json_free(greet);
	return 0;
fail:
	n = errno ? -errno : -EIO;
	ctl_tel_close(t);
	return (int)n;
}

void
ctl_tel_close(struct ctl_tel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
}

int
ctl_tel_request(struct ctl_tel *t, const char *cmd, struct adn_json **tree,
		const struct adn_json **value, const char **raw, char *err,
		size_t err_len)
{
	char jerr[128];
	ssize_t n;

	*tree = NULL;
	*value = NULL;
	if (send(t->fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0) {
		snprintf(err, err_len, "sending '%s': %s", cmd,
			 strerror(errno));
		return -errno;
	}
	n = recv(t->fd, t->buf, t->buf_len - 1, 0);
	if (n <= 0) {
		snprintf(err, err_len, "no reply to '%s': %s", cmd,
			 n == 0 ? "adn-nf closed the connection" :
			 errno == EAGAIN ? "timed out" : strerror(errno));
		return n == 0 ? -ECONNRESET : -errno;
	}
	t->buf[n] = '\0';
	if (raw != NULL)
		*raw = t->buf;
	if (adn_json_parse(t->buf, (size_t)n, tree, jerr,
			   sizeof(jerr)) < 0 ||
	    (*tree)->type != ADN_JSON_OBJECT || (*tree)->n != 1) {
		snprintf(err, err_len, "malformed reply to '%s': %s", cmd,
			 *tree ? "not one {command: value}" : jerr);
		adn_json_free(*tree);
		*tree = NULL;
		return -EPROTO;
	}
	if ((*tree)->child->type != ADN_JSON_NULL)
		*value = (*tree)->child;
	return 0;
}
