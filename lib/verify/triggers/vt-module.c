/*
 * vt-module: asks the kernel to load a module, as insmod does:
 *   finit FILE   finit_module(2) on the open FILE (with MODULE_INIT_COMPRESSED_FILE when its content is xz, gzip
 *                or zstd); the kernel reads it through security_kernel_read_file (id READING_MODULE)
 *   init FILE    read FILE into memory and call init_module(2) with it; the kernel checks the copy through
 *                security_kernel_load_data (id LOADING_MODULE)
 *   kexec FILE   kexec_file_load(2) of FILE as a kernel image (no initramfs): the kernel reads it through
 *                security_kernel_read_file with id READING_KEXEC_IMAGE, then refuses what is not a kernel
 * With --zeros, a missing FILE is first created with 4096 zero bytes. The hooks run before the content is
 * parsed, so such a file reaches them and is then refused (ENOEXEC) without loading anything.
 */
#include "vt.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static const char USAGE[] = "[--zeros] finit|init|kexec FILE";

#ifndef KEXEC_FILE_NO_INITRAMFS
#define KEXEC_FILE_NO_INITRAMFS 0x00000004
#endif

/* Whether the file starts like an xz, gzip or zstd stream (Debian compresses modules from 6.x on). */
static int compressed(int fd)
{
	unsigned char magic[6] = { 0 };
	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	return n >= 4 && ((magic[0] == 0xfd && memcmp(magic + 1, "7zXZ", 4) == 0) || (magic[0] == 0x1f && magic[1] == 0x8b) ||
			  (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd));
}

static void write_zeros(const char *path)
{
	static const char zeros[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return;
	if (fd < 0 || write(fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros))
		vt_prepare_failed(path);
	close(fd);
}

int main(int argc, char **argv)
{
	char text[4200];
	vt_name = "vt-module";
	if (argc == 4 && strcmp(argv[1], "--zeros") == 0) {
		write_zeros(argv[3]);
		argc--;
		argv++;
	}
	if (argc != 3)
		vt_usage(USAGE);
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		vt_prepare_failed(argv[2]);
	if (strcmp(argv[1], "finit") == 0) {
		int flags = compressed(fd) ? MODULE_INIT_COMPRESSED_FILE : 0;
		snprintf(text, sizeof(text), "finit_module(%d <%s>, \"\", %d)", fd, argv[2], flags);
		vt_report(text, syscall(SYS_finit_module, fd, "", flags));
	} else if (strcmp(argv[1], "init") == 0) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			vt_prepare_failed(argv[2]);
		char *image = malloc((size_t)st.st_size + 1);
		if (!image || read(fd, image, (size_t)st.st_size) != st.st_size)
			vt_prepare_failed(argv[2]);
		snprintf(text, sizeof(text), "init_module(<%lld bytes of %s>, \"\")", (long long)st.st_size, argv[2]);
		vt_report(text, syscall(SYS_init_module, image, (unsigned long)st.st_size, ""));
	} else if (strcmp(argv[1], "kexec") == 0) {
		snprintf(text, sizeof(text), "kexec_file_load(%d <%s>, -1, 1, \"\", KEXEC_FILE_NO_INITRAMFS)", fd, argv[2]);
		vt_report(text, syscall(SYS_kexec_file_load, fd, -1, 1UL, "", KEXEC_FILE_NO_INITRAMFS));
	} else {
		vt_usage(USAGE);
	}
	return vt_status;
}
