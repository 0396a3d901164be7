/*
 * vt-exec: starts a program the way a scenario says, from a forked child, and reports the exec's result:
 *   execve PATH      execve(2) of PATH as given (a relative name, a symlink, a shell)
 *   execveat PATH    execveat(AT_FDCWD, PATH, ...)
 *   fexecve PATH     open PATH, then execveat(fd, "", AT_EMPTY_PATH): the kernel names it /dev/fd/N
 *   memfd SRC        copy SRC into memfd_create(2) memory and execveat the memfd (fileless execution)
 *   memfd-noexec SRC the same with the memfd's exec permission removed, so the kernel refuses it (EACCES)
 *   landlocked PATH  execve(2) under a Landlock ruleset that handles execution and allows none (the kernel
 *                    refuses it with EACCES, as for an exec an LSM denies)
 * Arguments after PATH or SRC are passed to the program. With -C DIR the child first changes to DIR, so a bare
 * name such as "sh" is looked up there by the kernel. The child's exec errno travels back over a pipe.
 */
#include "vt.h"
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char USAGE[] = "[-C DIR] execve|execveat|fexecve|landlocked PATH [ARG...] | [-C DIR] memfd|memfd-noexec SRC [ARG...]";

extern char **environ;

static int copy_into(int to, const char *from)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n)
			return -1;
	close(in);
	return n < 0 ? -1 : 0;
}

static int deny_all_execution(void)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE };
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
}

/* Runs in the child: prepares and makes the exec call; returns only on failure (errno set). */
static void do_exec(const char *mode, char **argv, char *text, size_t size)
{
	const char *path = argv[0];
	if (strcmp(mode, "execve") == 0) {
		snprintf(text, size, "execve(\"%s\")", path);
		execve(path, argv, environ);
	} else if (strcmp(mode, "execveat") == 0) {
		snprintf(text, size, "execveat(AT_FDCWD, \"%s\", 0)", path);
		syscall(SYS_execveat, AT_FDCWD, path, argv, environ, 0);
	} else if (strcmp(mode, "landlocked") == 0) {
		snprintf(text, size, "execve(\"%s\") under Landlock", path);
		if (deny_all_execution() < 0) {
			snprintf(text, size, "landlock_restrict_self (prepare)");
			return;
		}
		execve(path, argv, environ);
	} else {
		int fd;
		if (strcmp(mode, "fexecve") == 0) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
		} else {
			fd = (int)syscall(SYS_memfd_create, "vt-memfd", MFD_CLOEXEC);
			if (fd >= 0 && (copy_into(fd, path) < 0 || (strcmp(mode, "memfd-noexec") == 0 && fchmod(fd, 0644) < 0)))
				fd = -1;
		}
		if (fd < 0) {
			snprintf(text, size, "prepare %s of %s", mode, path);
			return;
		}
		snprintf(text, size, "execveat(%d, \"\", AT_EMPTY_PATH) of %s %s", fd, mode, path);
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	}
}

int main(int argc, char **argv)
{
	static const char *const MODES[] = { "execve", "execveat", "fexecve", "memfd", "memfd-noexec", "landlocked" };
	int known = 0;
	const char *dir = NULL;
	vt_name = "vt-exec";
	if (argc > 2 && strcmp(argv[1], "-C") == 0) {
		dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		vt_usage(USAGE);
	for (size_t m = 0; m < sizeof(MODES) / sizeof(MODES[0]); m++)
		known |= strcmp(argv[1], MODES[m]) == 0;
	if (!known)
		vt_usage(USAGE);

	/* The child sends "<errno> <call>" back if its exec fails; a successful exec closes the pipe silently. */
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		vt_prepare_failed("pipe");
	pid_t pid = fork();
	if (pid < 0)
		vt_prepare_failed("fork");
	if (pid == 0) {
		char text[512] = "";
		close(pipefd[0]);
		if (dir && chdir(dir) < 0) {
			dprintf(pipefd[1], "%d chdir %s (prepare)", errno, dir);
			_exit(127);
		}
		do_exec(argv[1], argv + 2, text, sizeof(text));
		dprintf(pipefd[1], "%d %s", errno, text);
		_exit(127);
	}
	close(pipefd[1]);
	char reply[600] = "";
	ssize_t n = read(pipefd[0], reply, sizeof(reply) - 1);
	int status = 0;
	waitpid(pid, &status, 0);
	if (n > 0) {
		reply[n] = '\0';
		char *call = strchr(reply, ' ');
		errno = atoi(reply);
		vt_report(call ? call + 1 : "exec", -1);
		return errno && strstr(reply, "(prepare)") ? VT_PREPARE : vt_status;
	}
	printf("%s: %s %s = 0 (the program exited with status %d)\n", vt_name, argv[1], argv[2],
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return VT_OK;
}
