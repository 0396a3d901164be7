/*
 * vt-capset: sets the capability sets with capset(2), once per argument and in order, so a run can drop a
 * capability from the effective set and raise it again ("all-SYS_ADMIN/all all/all"), or shed everything
 * ("none/none"). The inheritable set is kept as it is. Each call reaches security_capset, which sees the old
 * and the requested sets, whatever the outcome. "all" means the permitted set held when the argument is read.
 */
#include "vt.h"
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>

static const char USAGE[] =
	"EFFECTIVE/PERMITTED [EFFECTIVE/PERMITTED...] | show\n"
	"  each set is 'none', capability names joined by ',' (SYS_ADMIN or CAP_SYS_ADMIN), 'all' (every\n"
	"  capability the process holds when the argument is read) or 'all-NAME,...' (all but those)";

static const char *const NAMES[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(NAMES) / sizeof(NAMES[0])))

static void get_caps(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	if (syscall(SYS_capget, &header, data) < 0)
		vt_prepare_failed("capget");
}

/* 'all': every capability the process holds now (its permitted set), the most capset can ask for. */
static uint64_t all_caps(void)
{
	struct __user_cap_data_struct data[2];
	get_caps(data);
	return (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
}

static uint64_t parse_set(const char *text)
{
	uint64_t set = 0;
	const char *p = text;
	if (strcmp(text, "none") == 0)
		return 0;
	if (strncmp(text, "all", 3) == 0 && (text[3] == '\0' || text[3] == '-')) {
		if (text[3] == '\0')
			return all_caps();
		return all_caps() & ~parse_set(text + 4);
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *name = strncmp(p, "CAP_", 4) == 0 ? p + 4 : p;
		size_t nlen = len - (size_t)(name - p);
		int found = -1;
		for (int c = 0; c < NCAPS; c++)
			if (strlen(NAMES[c]) == nlen && strncmp(NAMES[c], name, nlen) == 0)
				found = c;
		if (found < 0) {
			fprintf(stderr, "%s: unknown capability in '%s'\n", vt_name, text);
			vt_usage(USAGE);
		}
		set |= 1ULL << found;
		p += len;
		if (*p == ',')
			p++;
	}
	return set;
}

int main(int argc, char **argv)
{
	vt_name = "vt-capset";
	if (argc < 2)
		vt_usage(USAGE);
	if (strcmp(argv[1], "show") == 0) {
		struct __user_cap_data_struct data[2];
		get_caps(data);
		printf("effective=%#llx permitted=%#llx inheritable=%#llx\n",
		       (unsigned long long)data[0].effective | (unsigned long long)data[1].effective << 32,
		       (unsigned long long)data[0].permitted | (unsigned long long)data[1].permitted << 32,
		       (unsigned long long)data[0].inheritable | (unsigned long long)data[1].inheritable << 32);
		return VT_OK;
	}
	for (int i = 1; i < argc; i++) {
		char *slash = strchr(argv[i], '/');
		if (!slash)
			vt_usage(USAGE);
		*slash = '\0';
		uint64_t effective = parse_set(argv[i]);
		uint64_t permitted = parse_set(slash + 1);
		struct __user_cap_data_struct data[2];
		get_caps(data);
		struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
		data[0].effective = (uint32_t)effective;
		data[1].effective = (uint32_t)(effective >> 32);
		data[0].permitted = (uint32_t)permitted;
		data[1].permitted = (uint32_t)(permitted >> 32);
		char text[96];
		snprintf(text, sizeof(text), "capset(effective=%#llx, permitted=%#llx)", (unsigned long long)effective,
			 (unsigned long long)permitted);
		vt_report(text, syscall(SYS_capset, &header, data));
	}
	return vt_status;
}
