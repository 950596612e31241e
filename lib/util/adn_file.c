/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adn_file.h"

const char *
adn_file_irregular(mode_t m)
{
	if (S_ISREG(m))
		return NULL;
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
		S_ISCHR(m) ? "a character device" :
		S_ISBLK(m) ? "a block device" :
		S_ISSOCK(m) ? "a socket" : "a special file";
}

FILE *
adn_file_open(const char *path, const char *mode, char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	const char *kind;
	struct stat st;
	FILE *f = NULL;
	int err;

	if (fd < 0 || fstat(fd, &st) != 0)
		goto fail;
	kind = adn_file_irregular(st.st_mode);
	if (kind != NULL) {
		close(fd);
		snprintf(why, why_len, "not a regular file (%s)", kind);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, mode);
	if (f != NULL)
		return f;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	snprintf(why, why_len, "%s", strerror(err));
	errno = err;
	return NULL;
}

char *
adn_file_read(const char *path, size_t *len, char *why, size_t why_len)
{
	FILE *f = adn_file_open(path, "r", why, why_len);
	size_t cap = 4096, n = 0, got;
	char *buf, *more;
	int err = ENOMEM;

	if (f == NULL)
		return NULL;
	buf = malloc(cap + 1);
	while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n < cap)
			continue;
		more = realloc(buf, 2 * cap + 1);
		if (more == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = more;
		cap *= 2;
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
		err = EIO;
	}
	fclose(f);
	if (buf == NULL) {
		snprintf(why, why_len, "%s", strerror(err));
		errno = err;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
