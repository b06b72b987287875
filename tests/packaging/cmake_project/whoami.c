/* Prints the uid; with a port argument, binds 127.0.0.10:PORT. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	printf("uid=%u \n", (unsigned)getuid());
	if (argc < 2)
		return 0;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.10", &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("bind");
		return 1;
	}
	printf("bound 127.0.0.10:%s\n", argv[1]);
	return 0;
}
