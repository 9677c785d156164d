/* SPDX-License-Identifier: MIT */
/* files.c - file handling in the directory given as argv[1] (a preopen
 * under wasm): write, read back, seek, append, truncate, stat, readdir,
 * rename, symlink, unlink, rmdir.  Prints nothing host-specific, so the
 * output is the same native and on wasm. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;

static const char *at(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *name)
{
	DIR *d = opendir(at(name));
	char *names[64];
	int n = 0;
	if (!d) {
		printf("opendir %s failed\n", name);
		return;
	}
	for (struct dirent *e; (e = readdir(d)) && n < 64;) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp);
	printf("ls %s:", name);
	for (int i = 0; i < n; i++) {
		struct stat st;
		char rel[256];
		snprintf(rel, sizeof rel, "%s/%s", name, names[i]);
		if (lstat(at(rel), &st) == 0)
			printf(" %s%s", names[i], S_ISDIR(st.st_mode) ? "/" :
			       S_ISLNK(st.st_mode) ? "@" : "");
		free(names[i]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: files DIR\n");
		return 2;
	}
	dir = argv[1];

	FILE *f = fopen(at("hello.txt"), "w");
	if (!f) {
		perror("fopen");
		return 1;
	}
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %d: %s\n", i, i % 2 ? "odd" : "even");
	fclose(f);

	f = fopen(at("hello.txt"), "r");
	char line[128];
	int lines = 0;
	while (fgets(line, sizeof line, f))
		lines++;
	printf("read back %d lines, last: %s", lines, line);
	fseek(f, 0, SEEK_END);
	printf("size by ftell %ld\n", ftell(f));
	fseek(f, 10, SEEK_SET);
	size_t got = fread(line, 1, 8, f);
	line[got] = 0;
	printf("at 10: [%s]\n", line);
	fclose(f);

	f = fopen(at("hello.txt"), "a");
	fputs("appended\n", f);
	fclose(f);
	struct stat st;
	stat(at("hello.txt"), &st);
	printf("size after append %lld regular=%d\n", (long long)st.st_size,
	       S_ISREG(st.st_mode));

	int fd = open(at("data.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned char buf[256];
	for (int i = 0; i < 256; i++)
		buf[i] = (unsigned char)i;
	printf("write %zd\n", write(fd, buf, sizeof buf));
	printf("pwrite %zd\n", pwrite(fd, "XYZ", 3, 100));
	memset(buf, 0, sizeof buf);
	ssize_t n = pread(fd, buf, 4, 99);
	printf("pread %zd: %c%c%c %d\n", n, buf[1], buf[2], buf[3], buf[0]);
	printf("lseek %lld\n", (long long)lseek(fd, -6, SEEK_END));
	n = read(fd, buf, 100);
	printf("read %zd first %d\n", n, buf[0]);
	printf("ftruncate %d\n", ftruncate(fd, 50));
	fstat(fd, &st);
	printf("size after truncate %lld\n", (long long)st.st_size);
	close(fd);

	printf("mkdir %d\n", mkdir(at("sub"), 0755));
	int r = mkdir(at("sub"), 0755);
	printf("mkdir again %d eexist=%d\n", r, errno == EEXIST);
	printf("mkdir nested %d\n", mkdir(at("sub/deeper"), 0755));
	f = fopen(at("sub/deeper/x.txt"), "w");
	fputs("x\n", f);
	fclose(f);
	list(".");
	list("sub");

	printf("rename %d\n", rename(at("data.bin"), at("sub/moved.bin")));
	r = access(at("data.bin"), F_OK);
	printf("old gone %d\n", r != 0 && errno == ENOENT);
	printf("symlink %d\n", symlink("moved.bin", at("sub/link")));
	char target[64] = { 0 };
	ssize_t tl = readlink(at("sub/link"), target, sizeof target - 1);
	printf("readlink %zd [%s]\n", tl, target);
	stat(at("sub/link"), &st);
	printf("through link size %lld\n", (long long)st.st_size);
	list("sub");

	r = rmdir(at("sub"));
	printf("rmdir non-empty %d enotempty=%d\n", r, errno == ENOTEMPTY);
	const char *doomed[] = { "sub/link", "sub/moved.bin",
				 "sub/deeper/x.txt", "hello.txt" };
	for (int i = 0; i < 4; i++)
		printf("unlink %s %d\n", doomed[i], unlink(at(doomed[i])));
	r = rmdir(at("sub/deeper"));
	printf("rmdir deeper %d\n", r);
	r = rmdir(at("sub"));
	printf("rmdir sub %d\n", r);
	r = unlink(at("nope"));
	printf("unlink missing %d enoent=%d\n", r, errno == ENOENT);
	r = open(at("nope"), O_RDONLY);
	printf("open missing %d enoent=%d\n", r, errno == ENOENT);
	list(".");
	return 0;
}
