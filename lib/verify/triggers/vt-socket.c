/*
 * vt-socket: creates one socket with socket(2) and closes it. security_socket_create sees the family, type and
 * protocol before the address family checks the caller's capabilities, so a packet socket from a process
 * without CAP_NET_RAW still reaches the hook (and then fails with EPERM).
 */
#include "vt.h"
#include <sys/socket.h>

static const char USAGE[] =
	"FAMILY TYPE [PROTOCOL]\n"
	"  FAMILY: packet|inet|inet6|unix|netlink or a number; TYPE: raw|dgram|stream or a number;\n"
	"  PROTOCOL: a number as socket(2) takes it, or eth-all (htons(ETH_P_ALL) = 768)";

static const struct {
	const char *name;
	long value;
} NAMES[] = {
	{ "packet", AF_PACKET }, { "inet", AF_INET },	 { "inet6", AF_INET6 },	   { "unix", AF_UNIX },
	{ "netlink", AF_NETLINK }, { "raw", SOCK_RAW }, { "dgram", SOCK_DGRAM }, { "stream", SOCK_STREAM },
	{ "eth-all", 768 },
};

static long parse(const char *text)
{
	for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
		if (strcmp(NAMES[i].name, text) == 0)
			return NAMES[i].value;
	return (long)vt_number(text, USAGE);
}

int main(int argc, char **argv)
{
	char text[128];
	vt_name = "vt-socket";
	if (argc != 3 && argc != 4)
		vt_usage(USAGE);
	long family = parse(argv[1]), type = parse(argv[2]), protocol = argc == 4 ? parse(argv[3]) : 0;
	snprintf(text, sizeof(text), "socket(%ld, %ld, %ld)", family, type, protocol);
	long fd = vt_report(text, socket((int)family, (int)type, (int)protocol));
	if (fd >= 0)
		close((int)fd);
	return vt_status;
}
