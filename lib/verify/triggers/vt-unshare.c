/*
 * vt-unshare: creates namespaces with unshare(2) or clone(2), or joins one with setns(2). The flags are those
 * of the kernel's CLONE_NEW* (and CLONE_FILES/CLONE_FS) constants, by name or as a number, so the call the
 * kernel sees is exactly the one a scenario describes: "unshare user" is `unshare -U` without the id mapping,
 * "setns /proc/1/ns/mnt mnt" is the core of `nsenter -t 1 -m`. A clone's child exits at once.
 */
#include "vt.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char USAGE[] =
	"unshare FLAGS | clone FLAGS | setns PATH [TYPE]\n"
	"  FLAGS joins names with ',' (user, mnt, cgroup, uts, ipc, pid, net, time, files, fs) or is a number;\n"
	"  TYPE is one of those names or a number (0: any namespace type)";

static const struct {
	const char *name;
	long flag;
} FLAGS[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "cgroup", CLONE_NEWCGROUP }, { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },	  { "time", CLONE_NEWTIME },
	{ "files", CLONE_FILES },  { "fs", CLONE_FS },
};

static long parse_flags(const char *text)
{
	long flags = 0;
	if (*text >= '0' && *text <= '9')
		return (long)vt_number(text, USAGE);
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, ",");
		int found = 0;
		for (size_t f = 0; f < sizeof(FLAGS) / sizeof(FLAGS[0]); f++) {
			if (strlen(FLAGS[f].name) == len && strncmp(FLAGS[f].name, p, len) == 0) {
				flags |= FLAGS[f].flag;
				found = 1;
			}
		}
		if (!found)
			vt_usage(USAGE);
		p += len;
		if (*p == ',')
			p++;
	}
	return flags;
}

int main(int argc, char **argv)
{
	char text[256];
	vt_name = "vt-unshare";
	if (argc < 3)
		vt_usage(USAGE);
	if (strcmp(argv[1], "unshare") == 0 && argc == 3) {
		long flags = parse_flags(argv[2]);
		snprintf(text, sizeof(text), "unshare(%#lx)", flags);
		vt_report(text, syscall(SYS_unshare, flags));
	} else if (strcmp(argv[1], "clone") == 0 && argc == 3) {
		long flags = parse_flags(argv[2]);
		snprintf(text, sizeof(text), "clone(%#lx|SIGCHLD)", flags);
		long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			_exit(0);
		if (vt_report(text, pid) > 0)
			waitpid((pid_t)pid, NULL, 0);
	} else if (strcmp(argv[1], "setns") == 0 && (argc == 3 || argc == 4)) {
		long type = argc == 4 ? parse_flags(argv[3]) : 0;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			vt_prepare_failed(argv[2]);
		snprintf(text, sizeof(text), "setns(%d <%s>, %#lx)", fd, argv[2], type);
		vt_report(text, syscall(SYS_setns, fd, type));
	} else {
		vt_usage(USAGE);
	}
	return vt_status;
}
