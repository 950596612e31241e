/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening the files a config names (route, rule and dictionary files,
 * traces, included configs) for reading. Only regular files are taken:
 * a FIFO without a writer would hold the build, or a reload's control
 * thread, for good (an open that blocks survives SIGTERM), a device such
 * as /dev/zero never ends, and libconfig exits the process on a
 * directory.
 */
#ifndef _ADN_FILE_H_
#define _ADN_FILE_H_

#include <stdio.h>
#include <sys/stat.h>

/* What a file of mode `m` is, as "a FIFO"; NULL for a regular file. */
const char *adn_file_irregular(mode_t m);

/*
 * fopen(path, mode) for reading ("r" or "rb") when `path` is a regular
 * file. Otherwise NULL with errno set and the reason in `why`, as the end
 * of a message: strerror(errno) of the open, or "not a regular file (a
 * FIFO)" (errno EINVAL). The open does not block, whatever the file is.
 */
FILE *adn_file_open(const char *path, const char *mode, char *why,
		    size_t why_len);

/*
 * The whole of `path` as adn_file_open takes it, NUL-terminated, its
 * length in *len (it may hold NULs of its own); the caller frees it.
 * NULL with errno set and `why` as adn_file_open, or for a read error or
 * ENOMEM.
 */
char *adn_file_read(const char *path, size_t *len, char *why,
		    size_t why_len);

#endif /* _ADN_FILE_H_ */
