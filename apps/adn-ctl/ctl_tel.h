/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A client of DPDK's telemetry socket (the v2 protocol dpdk-telemetry.py
 * speaks): a SOCK_SEQPACKET socket in the EAL runtime directory of a
 * --file-prefix; the server greets with its version, pid and the largest
 * reply it sends, then answers one JSON object per "COMMAND,PARAMS" line.
 */
#ifndef _CTL_TEL_H_
#define _CTL_TEL_H_

#include <stddef.h>

#include "adn_json.h"

struct ctl_tel {
	int fd;
	char path[108];		/* sun_path */
	char version[64];	/* the server's DPDK version */
	long pid;
	char *buf;
	size_t buf_len;
};

/* The socket path of file prefix `prefix`, as the EAL places it. */
void ctl_tel_path(const char *prefix, char *out, size_t len);

/* Connect and read the greeting. On failure returns a negative errno and
 * writes an operator's explanation to `err`. */
int ctl_tel_open(struct ctl_tel *t, const char *path, char *err,
		 size_t err_len);
void ctl_tel_close(struct ctl_tel *t);

/* Send `cmd` (with ",PARAMS" if any) and parse the reply. *value is the
 * reply's value for the command (NULL when the server answered null: an
 * unknown command or a handler's error); *tree owns it (free with
 * adn_json_free). *raw is the reply text, valid until the next call.
 * Returns 0 or a negative errno with the reason in `err`. */
int ctl_tel_request(struct ctl_tel *t, const char *cmd,
		    struct adn_json **tree, const struct adn_json **value,
		    const char **raw, char *err, size_t err_len);

#endif /* _CTL_TEL_H_ */
