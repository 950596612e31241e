/* SPDX-License-Identifier: BSD-3-Clause */
/* adn-ctl's parts: commands (main.c), the top view (top.c), formatting. */
#ifndef _CTL_H_
#define _CTL_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "adn_json.h"
#include "ctl_tel.h"

#define CTL_DIM(a) (sizeof(a) / sizeof((a)[0]))

struct ctl {
	struct ctl_tel tel;
	const char *prefix;
	bool json;		/* -j: JSON for scripts */
};

/* One request; on any failure prints why (with `cmd`) and returns NULL.
 * *tree must be freed by the caller (adn_json_free) when non-NULL. */
const struct adn_json *ctl_ask(struct ctl *c, const char *cmd,
			       struct adn_json **tree);

/* "1.23M", "45.6k", "789" in `len` bytes. */
void ctl_fmt_rate(double v, char *buf, size_t len);

/* `adn-ctl top`: returns the exit status. */
int ctl_top(struct ctl *c, int argc, char **argv);

#endif /* _CTL_H_ */
