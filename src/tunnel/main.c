/*
 * tunnel: a userspace VPN.  This file only turns the command line into a
 * struct config and hands it to the tunnel.
 */
#include "config.h"
#include "keytool.h"
#include "tunnel.h"
#include "lib/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* CAP_NET_ADMIN (bit 12) in the effective set, for tunnels run without root. */
static bool can_admin_net(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f;

	if (geteuid() == 0)
		return true;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << 12);
}

static int run(struct config *cfg)
{
	struct tunnel t;
	char err[256];
	int rc;

	if (tunnel_start(&t, cfg, err, sizeof(err))) {
		fprintf(stderr, "tunnel: %s\n", err);
		return 1;
	}
	rc = tunnel_run(&t);
	tunnel_summary(&t);
	tunnel_stop(&t);
	return rc ? 1 : 0;
}

/* The background tunnel's stdio, once its parent has gone: nowhere. */
static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/*
 * "tunnel IFNAME" goes into the background the way wg-quick expects of a
 * userspace implementation: the parent exits 0 once the device is up and
 * the wg socket answers, or 1 with the child's reason.
 */
static int run_background(struct config *cfg)
{
	struct tunnel t;
	char err[256] = "";
	int pipefd[2], rc;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "tunnel: cannot go into the background: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tunnel: cannot go into the background: %s\n", strerror(errno));
		return 1;
	}
	if (pid > 0) {
		close(pipefd[1]);
		while ((n = read(pipefd[0], err, sizeof(err) - 1)) < 0 && errno == EINTR)
			;
		close(pipefd[0]);
		if (n > 0 && !strncmp(err, "ok", 2))
			return 0;
		err[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "tunnel: %s\n", n > 0 ? err : "the tunnel stopped while starting");
		return 1;
	}
	close(pipefd[0]);
	setsid();
	if (tunnel_start(&t, cfg, err, sizeof(err))) {
		if (write(pipefd[1], err, strlen(err)) < 0)
			_exit(1);
		_exit(1);
	}
	detach_stdio();
	if (write(pipefd[1], "ok", 2) < 0)
		_exit(1);
	close(pipefd[1]);
	rc = tunnel_run(&t);
	tunnel_summary(&t);
	tunnel_stop(&t);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	char err[256];
	int rc;

	/* Before any crypto: it picks the fastest ChaCha20 and Poly1305 this CPU runs. */
	if (keys_init()) {
		fprintf(stderr, "tunnel: cannot initialise libsodium\n");
		return 1;
	}
	rc = keytool_main(argc, argv, stdin, stdout, stderr);
	if (rc >= 0)
		return rc;
	switch (config_parse(argc, argv, &cfg, err, sizeof(err))) {
	case CONFIG_HELP:
		config_usage(stdout);
		return 0;
	case CONFIG_ERROR:
		fprintf(stderr, "tunnel: %s (see tunnel --help)\n", err);
		return 2;
	case CONFIG_OK:
		break;
	}
	if (!can_admin_net()) {
		fprintf(stderr, "tunnel: must run as root (or with CAP_NET_ADMIN) to create %s\n",
			cfg.dev);
		return 1;
	}
	/* Lines, not blocks, so a log file follows the tunnel as it runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cfg.bare && !cfg.foreground)
		return run_background(&cfg);
	return run(&cfg);
}
