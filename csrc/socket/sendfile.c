/*
 * sendfile() and splice() into an emulated TCP socket.  The kernel moves
 * these bytes without the shim seeing them, so without capture the calls
 * go straight to libc (the AF_UNIX socket takes them as it is).  With
 * capture, the bytes are looked at first — read at the file offset with
 * pread(), or copied from the pipe with tee() — recorded, and then moved
 * by the real call, at most one chunk per call (both calls may move less
 * than asked; callers loop).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "calls.h"
#include "pcap.h"

#define SW_SF_CHUNK (256 * 1024)

static struct sw_sock *sw_captured_stream(int fd)
{
	struct sw_sock *sock;

	if (__builtin_expect(!sw_pcap_on, 1))
		return NULL;
	sock = sw_fd_get(fd);
	if (sock == NULL || sock->type != SOCK_STREAM || !sw_pcap_tcp_captured(sock) ||
	    atomic_load(&sock->peer_gone))
		return NULL;
	return sock;
}

static ssize_t sw_sendfile_captured(struct sw_sock *sock, int out, int in, off_t *offset,
				    size_t count)
{
	off_t pos = offset ? *offset : lseek(in, 0, SEEK_CUR);
	uint8_t *buf;
	ssize_t got, n;

	if (pos < 0)
		return REAL(sendfile64)(out, in, offset, count);
	if (count > SW_SF_CHUNK)
		count = SW_SF_CHUNK;
	buf = malloc(count ? count : 1);
	if (buf == NULL)
		return REAL(sendfile64)(out, in, offset, count);
	got = pread(in, buf, count, pos);
	if (got < 0) {
		free(buf);
		return REAL(sendfile64)(out, in, offset, count);
	}
	sw_pcap_tcp_ahead(sock, buf, (size_t)got);
	free(buf);
	n = REAL(sendfile64)(out, in, offset, (size_t)got);
	sw_pcap_tcp_sent(sock, n, errno);
	return n;
}

CW_EXPORT ssize_t sendfile64(int out, int in, off_t *offset, size_t count)
{
	struct sw_sock *sock = sw_captured_stream(out);

	if (sock == NULL)
		return REAL(sendfile64)(out, in, offset, count);
	return sw_sendfile_captured(sock, out, in, offset, count);
}

CW_EXPORT ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	return sendfile64(out, in, offset, count);
}

CW_EXPORT ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out, size_t len,
			 unsigned int flags)
{
	struct sw_sock *sock = sw_captured_stream(out);
	struct sw_sock *from = sw_pcap_on ? sw_fd_get(in) : NULL;
	int p[2];
	uint8_t *buf;
	ssize_t t, n;

	if (sock == NULL || off_in != NULL) {
		n = REAL(splice)(in, off_in, out, off_out, len, flags);
		if (from != NULL && from->type == SOCK_STREAM)
			sw_pcap_tcp_received(from, n);
		return n;
	}
	/* From a pipe: copy what is there without consuming it, then move
	 * no more than that. */
	if (len > SW_SF_CHUNK)
		len = SW_SF_CHUNK;
	if (pipe2(p, O_CLOEXEC) != 0)
		return REAL(splice)(in, off_in, out, off_out, len, flags);
	t = tee(in, p[1], len, flags & SPLICE_F_NONBLOCK);
	if (t <= 0) {
		close(p[0]);
		close(p[1]);
		if (t < 0 && errno == EINVAL)   /* not a pipe */
			return REAL(splice)(in, off_in, out, off_out, len, flags);
		return t;
	}
	buf = malloc((size_t)t);
	if (buf != NULL && REAL(read)(p[0], buf, (size_t)t) == t)
		sw_pcap_tcp_ahead(sock, buf, (size_t)t);
	free(buf);
	close(p[0]);
	close(p[1]);
	n = REAL(splice)(in, off_in, out, off_out, (size_t)t, flags);
	sw_pcap_tcp_sent(sock, n, errno);
	return n;
}
