/*
 * vt-setid: switches user and group ids through the raw set*id system calls (no libc wrapper logic), in the
 * order given, so one run can be "setgid 101 setuid 101" (a daemon dropping privileges) or "setuid 0".
 * Each call reaches the kernel's __sys_set*id function whatever its outcome.
 */
#include "vt.h"
#include <sys/syscall.h>

static const char USAGE[] =
	"CALL IDS... [CALL IDS...]\n"
	"  CALL is setuid|setgid|setfsuid|setfsgid ID, setreuid|setregid RUID EUID, setresuid|setresgid RUID EUID SUID;\n"
	"  an id of -1 leaves that id unchanged";

struct setid_call {
	const char *name;
	long nr;
	int ids;
};

static const struct setid_call CALLS[] = {
	{ "setuid", SYS_setuid, 1 },	   { "setgid", SYS_setgid, 1 },	    { "setfsuid", SYS_setfsuid, 1 },
	{ "setfsgid", SYS_setfsgid, 1 },   { "setreuid", SYS_setreuid, 2 }, { "setregid", SYS_setregid, 2 },
	{ "setresuid", SYS_setresuid, 3 }, { "setresgid", SYS_setresgid, 3 },
};

int main(int argc, char **argv)
{
	vt_name = "vt-setid";
	if (argc < 3)
		vt_usage(USAGE);
	for (int i = 1; i < argc;) {
		const struct setid_call *call = NULL;
		for (size_t c = 0; c < sizeof(CALLS) / sizeof(CALLS[0]); c++)
			if (strcmp(argv[i], CALLS[c].name) == 0)
				call = &CALLS[c];
		if (!call || i + call->ids >= argc)
			vt_usage(USAGE);
		long ids[3] = { 0, 0, 0 };
		char text[96];
		int len = snprintf(text, sizeof(text), "%s(", call->name);
		for (int k = 0; k < call->ids; k++) {
			ids[k] = (long)vt_number(argv[i + 1 + k], USAGE);
			len += snprintf(text + len, sizeof(text) - len, "%s%ld", k ? ", " : "", ids[k]);
		}
		snprintf(text + len, sizeof(text) - len, ")");
		/* setfsuid/setfsgid return the previous id and never fail with errno. */
		vt_report(text, syscall(call->nr, ids[0], ids[1], ids[2]));
		i += 1 + call->ids;
	}
	return vt_status;
}
