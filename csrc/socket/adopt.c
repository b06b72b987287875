/*
 * Recognising emulated sockets this process did not create: inherited
 * across exec (inetd-style servers, sshd's re-exec) or received with
 * SCM_RIGHTS.  The AF_UNIX socket's own names say it all: a socket file of
 * ours in the socket directory gives family, type, fake host and port.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "calls.h"
#include "pcap.h"

static bool sw_unix_name(int fd, bool peer, struct sw_endpoint *ep)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char path[SW_SUN_PATH];
	int rc;

	memset(&sun, 0, sizeof(sun));
	rc = peer ? REAL(getpeername)(fd, (struct sockaddr *)&sun, &len)
		  : REAL(getsockname)(fd, (struct sockaddr *)&sun, &len);
	if (rc != 0 || sun.sun_family != AF_UNIX)
		return false;
	sw_sun_path(&sun, len, path, sizeof(path));
	return sw_path_endpoint(path, ep);
}

static struct sw_sock *sw_adopt(int fd)
{
	struct sw_endpoint local, peer;
	bool has_local = sw_unix_name(fd, false, &local);
	bool has_peer = sw_unix_name(fd, true, &peer);
	const struct sw_endpoint *ref = has_local ? &local : &peer;
	int listening = 0;
	socklen_t len = sizeof(listening);
	struct sw_sock *sock;
	int family, type;

	if (!has_local && !has_peer)
		return NULL;
	type = (ref->letter == 'T' || ref->letter == 'X') ? SOCK_STREAM : SOCK_DGRAM;
	family = (ref->letter == 'X' || ref->letter == 'Y') ? AF_INET6 : AF_INET;
	sock = sw_sock_new(family, type, type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
	if (sock == NULL)
		return NULL;
	if (has_local) {
		sock->bound = true;
		sock->local_len = sw_endpoint_sockaddr(&local, family, &sock->local);
	}
	if (has_peer) {
		sock->connected = true;
		sock->peer_len = sw_endpoint_sockaddr(&peer, family, &sock->peer);
	}
	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0)
		sock->listening = listening != 0;
	if (sw_fd_set(fd, sock) != 0) {
		sw_sock_unref(sock);
		return NULL;
	}
	if (__builtin_expect(sw_pcap_on, 0))
		sw_pcap_tcp_adopted(sock, fd);
	return sock;
}

struct sw_sock *sw_sock_of(int fd)
{
	struct sw_sock *sock = sw_fd_entry(fd);

	if (sock == SW_NOT_INET)
		return NULL;
	if (sock != NULL || sw_state() != SW_ON)
		return sock;
	sock = sw_adopt(fd);
	if (sock == NULL)
		sw_fd_mark_not_inet(fd);
	return sock;
}

/* With capture on, a program that inherited a connection (an inetd-style
 * child, a helper spawned with the socket as its stdin) may only ever
 * read() and write() it, and those do not look at descriptors they do not
 * know (that would cost every file read a check): such sockets are
 * recognised, and join their connection's capture, at start. */
void sw_adopt_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		struct stat st;

		if (e->d_name[0] == '.' || *end != '\0' || fd == dirfd(d))
			continue;
		if (fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode))
			(void)sw_sock_of((int)fd);
	}
	closedir(d);
}
