/* Descriptors passed with SCM_RIGHTS over AF_UNIX sockets. */
#include <string.h>

#include "calls.h"
#include "pcap.h"

static void sw_each_passed_fd(const struct msghdr *msg, void (*fn)(int))
{
	struct msghdr m = *msg;

	if (m.msg_control == NULL || m.msg_controllen < sizeof(struct cmsghdr))
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			fn(fd);
		}
	}
}

/* With capture on, a received connection joins its capture at once: the
 * sender may close its copy right after sending it. */
static void sw_forget_and_adopt(int fd)
{
	sw_fd_clear(fd);
	(void)sw_sock_of(fd);
}

/* Received: the numbers are new to this process; adopt them lazily (with
 * capture on, at once). */
void sw_forget_passed_fds(const struct msghdr *msg)
{
	sw_each_passed_fd(msg, sw_pcap_on ? sw_forget_and_adopt : sw_fd_clear);
}

static void sw_pass(int fd, int delta)
{
	struct sw_sock *sock = sw_fd_get(fd);

	if (sock != NULL && sock->type == SOCK_STREAM)
		sw_pcap_tcp_passed(sock, delta);
}

static void sw_pass_one(int fd)
{
	sw_pass(fd, 1);
}

static void sw_unpass_one(int fd)
{
	sw_pass(fd, -1);
}

/* Captured connections about to be in flight, counted before the send:
 * the receiver may take them before sendmsg() returns to us. */
void sw_passing_fds(const struct msghdr *msg, bool sending)
{
	if (sw_pcap_on)
		sw_each_passed_fd(msg, sending ? sw_pass_one : sw_unpass_one);
}

static void sw_disown(int fd)
{
	struct sw_sock *sock = sw_fd_get(fd);

	if (sock != NULL)
		sock->file_owner = 0;   /* the receiver may keep using the address */
}

void sw_disown_sent_fds(const struct msghdr *msg)
{
	sw_each_passed_fd(msg, sw_disown);
}
