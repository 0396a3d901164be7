/*
 * vt-connect: one outbound connection, or one accepted connection, the way a scenario says:
 *   tcp ADDR PORT        TCP connect, non-blocking, waiting up to a second: an IPv4 address uses an AF_INET
 *                        socket, anything with ':' an AF_INET6 one, so "::ffff:198.51.100.7" is the dual-stack
 *                        connect of an IPv6 socket to an IPv4 peer
 *   udp ADDR PORT        connect(2) of a UDP socket (no packet is sent)
 *   unix PATH            connect(2) of a Unix stream socket to PATH as written (it need not exist)
 *   serve PORT [CLIENT]  listen on 127.0.0.1:PORT, start CLIENT (a command, looked up in PATH) and accept one
 *                        connection within two seconds
 * Whether the peer answers does not matter: the hooks (security_socket_connect, tcp_connect, inet_csk_accept)
 * run when the call is made. tcp_connect needs a route to the destination.
 */
#include "vt.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static const char USAGE[] = "tcp ADDR PORT | udp ADDR PORT | unix PATH | serve PORT [CLIENT...]";
static char text[512];

static int inet_connect(int type, const char *addr, const char *port_text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int port = (int)vt_number(port_text, USAGE);
	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
			vt_usage(USAGE);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			vt_usage(USAGE);
		len = sizeof(*a);
	}
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		vt_prepare_failed("socket");
	snprintf(text, sizeof(text), "connect(%s %s, %s port %d)", ss.ss_family == AF_INET ? "AF_INET" : "AF_INET6",
		 type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM", addr, port);
	if (connect(fd, (struct sockaddr *)&ss, len) == 0 || errno != EINPROGRESS) {
		vt_report(text, errno == 0 ? 0 : -1);
		return fd;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t errlen = sizeof(err);
	if (poll(&p, 1, 1000) == 0) {
		printf("%s: %s = in progress after 1 s (SYN sent; the peer did not answer)\n", vt_name, text);
		return fd;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
	errno = err;
	vt_report(text, err ? -1 : 0);
	return fd;
}

static void serve(const char *port_text, char **client)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)vt_number(port_text, USAGE)) };
	int one = 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0)
		vt_prepare_failed("listen");
	pid_t pid = 0;
	if (client[0] && (pid = fork()) == 0) {
		execvp(client[0], client);
		_exit(127);
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	snprintf(text, sizeof(text), "accept(127.0.0.1 port %s)", port_text);
	if (poll(&p, 1, 2000) == 0) {
		errno = ETIMEDOUT;
		vt_report(text, -1);
	} else {
		int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		vt_report(text, conn);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	vt_name = "vt-connect";
	if (argc < 3)
		vt_usage(USAGE);
	if ((strcmp(argv[1], "tcp") == 0 || strcmp(argv[1], "udp") == 0) && argc == 4) {
		inet_connect(argv[1][0] == 't' ? SOCK_STREAM : SOCK_DGRAM, argv[2], argv[3]);
	} else if (strcmp(argv[1], "unix") == 0 && argc == 3) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		if (strlen(argv[2]) >= sizeof(a.sun_path))
			vt_usage(USAGE);
		strcpy(a.sun_path, argv[2]);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			vt_prepare_failed("socket");
		snprintf(text, sizeof(text), "connect(AF_UNIX, \"%s\")", argv[2]);
		vt_report(text, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	} else if (strcmp(argv[1], "serve") == 0) {
		serve(argv[2], argv + 3);
	} else {
		vt_usage(USAGE);
	}
	return vt_status;
}
