/*
 * vt-bpf: the BPF and perf calls a BPF tool makes, each with the smallest valid input:
 *   prog-load    BPF_PROG_LOAD of a two-instruction socket filter ("return 0"), then close it
 *   map-create   BPF_MAP_CREATE of a one-entry array map, then close it
 *   perf-open    perf_event_open(2) of a software CPU clock counter on itself
 * Several commands may be given; they run in order.
 */
#include "vt.h"
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static const char USAGE[] = "prog-load|map-create|perf-open...";

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	vt_name = "vt-bpf";
	if (argc < 2)
		vt_usage(USAGE);
	/* Before 5.11 BPF memory counts against RLIMIT_MEMLOCK and bpf() fails with EPERM past it, as it did on 5.10
	 * with the guest's default limit; a loader raises it first (a process without the right keeps its limit). */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
	for (int i = 1; i < argc; i++) {
		long fd;
		if (strcmp(argv[i], "prog-load") == 0) {
			struct bpf_insn insns[] = {
				{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
				{ .code = BPF_JMP | BPF_EXIT },
			};
			union bpf_attr attr;
			memset(&attr, 0, sizeof(attr));
			attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
			attr.insn_cnt = 2;
			attr.insns = (unsigned long)insns;
			attr.license = (unsigned long)"GPL";
			fd = vt_report("bpf(BPF_PROG_LOAD, socket filter)", bpf(BPF_PROG_LOAD, &attr));
		} else if (strcmp(argv[i], "map-create") == 0) {
			union bpf_attr attr;
			memset(&attr, 0, sizeof(attr));
			attr.map_type = BPF_MAP_TYPE_ARRAY;
			attr.key_size = 4;
			attr.value_size = 4;
			attr.max_entries = 1;
			fd = vt_report("bpf(BPF_MAP_CREATE, array)", bpf(BPF_MAP_CREATE, &attr));
		} else if (strcmp(argv[i], "perf-open") == 0) {
			struct perf_event_attr attr;
			memset(&attr, 0, sizeof(attr));
			attr.size = sizeof(attr);
			attr.type = PERF_TYPE_SOFTWARE;
			attr.config = PERF_COUNT_SW_CPU_CLOCK;
			attr.disabled = 1;
			fd = vt_report("perf_event_open(software cpu-clock, self)", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
		} else {
			vt_usage(USAGE);
		}
		if (fd >= 0)
			close((int)fd);
	}
	return vt_status;
}
