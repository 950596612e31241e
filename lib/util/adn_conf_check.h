/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guard for libconfig 1.5 (Debian 12): its scanner ends the process
 * (flex's YY_FATAL_ERROR, exit(2), "input in flex scanner failed") when a
 * file it reads is a directory — the config itself, or a file named by
 * `@include` (`@include ""` names the include directory). A config given
 * to /adn/reload, or a PpmChain rules file, must not be able to stop the
 * daemon: check with adn_conf_check_files before config_read_file.
 */
#ifndef _ADN_CONF_CHECK_H_
#define _ADN_CONF_CHECK_H_

#include <stddef.h>

/*
 * Refuse `path` when it, or any file it includes (recursively, as deep as
 * libconfig goes), is not a regular file: a directory (the exit above),
 * a FIFO (a read that waits for a writer for good) or a device (a read
 * without end, /dev/zero). Includes are resolved as libconfig 1.5 does:
 * `include_dir` "/" NAME, or NAME as given when include_dir is NULL.
 * `@include "NAME"` is read as its scanner reads it: at the start of any
 * line, the NAME across lines, \\ and \" escaped, another backslash
 * dropped, cut at a NUL. Files that cannot be opened are left to
 * libconfig to report. Returns 0, or -EINVAL with
 * the file, what it is (and the @include's line) in `err`. Any thread.
 */
int adn_conf_check_files(const char *path, const char *include_dir,
			 char *err, size_t errlen);

#endif /* _ADN_CONF_CHECK_H_ */
