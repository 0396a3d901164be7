/*
 * vt-ptrace: traces a child of its own, so nothing else is touched:
 *   attach [REQUEST...]   fork a sleeping child, PTRACE_ATTACH to it, then make the requests
 *   seize [REQUEST...]    the same with PTRACE_SEIZE (and PTRACE_INTERRUPT to stop it)
 *   traceme [REQUEST...]  fork a child that calls PTRACE_TRACEME and stops; the parent makes the requests
 * REQUEST: peekdata, peektext, peekuser, poketext, pokedata, pokeuser, getregs, setregs, setregset, cont,
 * detach. The pokes and sets write back the value just read, so the child's state does not change.
 * The child is killed at the end.
 */
#include "vt.h"
#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

static const char USAGE[] =
	"attach|seize|traceme [peekdata|peektext|peekuser|poketext|pokedata|pokeuser|getregs|setregs|setregset|cont|detach...]";

static long word = 0x5654;

static long call(const char *name, int request, pid_t pid, void *addr, void *data)
{
	char text[128];
	errno = 0;
	long ret = ptrace(request, pid, addr, data);
	snprintf(text, sizeof(text), "ptrace(%s, %d)", name, pid);
	/* PEEK requests return the word read; -1 with errno 0 is a word, not an error. */
	return vt_report(text, ret == -1 && errno == 0 ? 0 : ret);
}

static void request(const char *name, pid_t pid)
{
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };
	long value;
	void *user_addr = (void *)offsetof(struct user, regs.r15);
	if (strcmp(name, "peekdata") == 0 || strcmp(name, "peektext") == 0)
		call(name, name[4] == 'd' ? PTRACE_PEEKDATA : PTRACE_PEEKTEXT, pid, &word, NULL);
	else if (strcmp(name, "peekuser") == 0)
		call(name, PTRACE_PEEKUSER, pid, user_addr, NULL);
	else if (strcmp(name, "poketext") == 0 || strcmp(name, "pokedata") == 0) {
		value = ptrace(PTRACE_PEEKDATA, pid, &word, NULL);
		call(name, name[4] == 't' ? PTRACE_POKETEXT : PTRACE_POKEDATA, pid, &word, (void *)value);
	} else if (strcmp(name, "pokeuser") == 0) {
		value = ptrace(PTRACE_PEEKUSER, pid, user_addr, NULL);
		call(name, PTRACE_POKEUSER, pid, user_addr, (void *)value);
	} else if (strcmp(name, "getregs") == 0)
		call(name, PTRACE_GETREGS, pid, NULL, &regs);
	else if (strcmp(name, "setregs") == 0) {
		ptrace(PTRACE_GETREGS, pid, NULL, &regs);
		call(name, PTRACE_SETREGS, pid, NULL, &regs);
	} else if (strcmp(name, "setregset") == 0) {
		ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov);
		call(name, PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov);
	} else if (strcmp(name, "cont") == 0)
		call(name, PTRACE_CONT, pid, NULL, NULL);
	else if (strcmp(name, "detach") == 0)
		call(name, PTRACE_DETACH, pid, NULL, NULL);
	else
		vt_usage(USAGE);
}

int main(int argc, char **argv)
{
	vt_name = "vt-ptrace";
	if (argc < 2)
		vt_usage(USAGE);
	const char *mode = argv[1];
	int traceme = strcmp(mode, "traceme") == 0;
	if (!traceme && strcmp(mode, "attach") != 0 && strcmp(mode, "seize") != 0)
		vt_usage(USAGE);
	pid_t pid = fork();
	if (pid < 0)
		vt_prepare_failed("fork");
	if (pid == 0) {
		if (traceme) {
			vt_report("ptrace(PTRACE_TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
			raise(SIGSTOP);
		}
		sleep(5);
		_exit(0);
	}
	if (strcmp(mode, "attach") == 0) {
		call("PTRACE_ATTACH", PTRACE_ATTACH, pid, NULL, NULL);
	} else if (strcmp(mode, "seize") == 0) {
		if (call("PTRACE_SEIZE", PTRACE_SEIZE, pid, NULL, NULL) == 0)
			ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
	}
	int status;
	if (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status))
		for (int i = 2; i < argc; i++)
			request(argv[i], pid);
	else if (argc > 2)
		fprintf(stderr, "%s: the child did not stop; requests not made\n", vt_name);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return vt_status;
}
