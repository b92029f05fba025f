/*
 * harness up --peer openvpn|fastd|quicktun: another project's tunnel on
 * both ends instead of ours, so that the benchmark can put our figures
 * next to theirs on the same machine.  Each program makes its own tun0;
 * the harness gives it addresses, MTU and routes over netlink, as it does
 * for wireguard-go.  Keys, certificates and configuration files live in
 * the lab's directory, recorded, so that down removes them.
 *
 * Each runs as the benchmark's peer list describes it: OpenVPN with
 * AES-256-GCM and certificates pinned by fingerprint, fastd with
 * salsa2012+umac, quicktun raw (no encryption).
 */
#include "up.h"
#include "cert.h"
#include "spawn.h"
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Both ends' keys, or what identifies them to each other. */
struct other_keys {
	char secret[2][80]; /* fastd */
	char pub[2][80];
	char fingerprint[2][CERT_FINGERPRINT_LEN]; /* openvpn */
};

enum { SIDE_SERVER, SIDE_LAPTOP };

/* The node each side runs on: the lab's server and client. */
static int side_node(const struct up *u, int side)
{
	return lab_role(&u->lab, side == SIDE_SERVER ? ROLE_SERVER : ROLE_CLIENT);
}

const struct other *other_find(const char *name)
{
	static const struct other others[] = {
	    {OTHER_OPENVPN, "openvpn", "openvpn", 1440, "AES-256-GCM"},
	    {OTHER_FASTD, "fastd", "fastd", 1440, "salsa2012+umac"},
	    {OTHER_QUICKTUN, "quicktun", "quicktun", 1472, "raw, no encryption"},
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!strcmp(name, others[i].name))
			return &others[i];
	return NULL;
}

static void file_in_lab(const struct up *u, int side, const char *ext, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s.%s", u->lab.dir, lab_name(&u->lab, side_node(u, side)), ext);
}

/* Runs a program outside the lab (key tools only) and keeps its first line of output. */
static int first_line_of(struct up *u, char *const argv[], char *out, size_t cap)
{
	int fd[2], status;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0)
		goto fail;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close_from(3);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	if (pid > 0)
		n = read(fd[0], out, cap - 1);
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || n <= 0)
		goto fail;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
fail:
	snprintf(u->err, sizeof(u->err), "%s could not make a key", argv[0]);
	return -1;
}

/* ---- fastd ---- */

static int fastd_keys(struct up *u, const char *prog, struct other_keys *k)
{
	char *gen[] = {(char *)prog, "--generate-key", "--machine-readable", NULL};
	char path[PATH_MAX], text[128];
	char *show[] = {(char *)prog, "--show-key", "--machine-readable", "--config", path, NULL};

	for (int s = 0; s < 2; s++) {
		if (first_line_of(u, gen, k->secret[s], sizeof(k->secret[s])))
			return -1;
		file_in_lab(u, s, "fastd-secret", path, sizeof(path));
		snprintf(text, sizeof(text), "secret \"%s\";\n", k->secret[s]);
		if (up_write_file(u, path, text) ||
		    first_line_of(u, show, k->pub[s], sizeof(k->pub[s])))
			return -1;
	}
	return 0;
}

static int fastd_conf(struct up *u, int s, const struct other_keys *k, char *out, size_t cap)
{
	int other = !s;
	char bind[80] = "bind any", remote[80] = "";

	if (s == SIDE_SERVER)
		snprintf(bind, sizeof(bind), "bind %s:%d", u->lab.at.server_public4,
			 u->lab.at.port);
	else
		snprintf(remote, sizeof(remote), "\tremote %s:%d;\n", u->lab.at.server_public4,
			 u->lab.at.port);
	return snprintf(out, cap,
			"# %s: fastd, for the benchmark of lab '%s'\n"
			"log level warn;\ninterface \"tun0\";\nmode tun;\n"
			"method \"salsa2012+umac\";\n%s;\nmtu %d;\nsecret \"%s\";\n"
			"peer \"%s\" {\n\tkey \"%s\";\n%s}\n",
			lab_name(&u->lab, side_node(u, s)), u->lab.name, bind, u->other->mtu,
			k->secret[s], lab_name(&u->lab, side_node(u, other)), k->pub[other],
			remote) >= (int)cap
		   ? -1
		   : 0;
}

/* ---- openvpn ---- */

static int openvpn_keys(struct up *u, struct other_keys *k)
{
	char key[1024], cert[2048], path[PATH_MAX];

	for (int s = 0; s < 2; s++) {
		if (cert_make(lab_name(&u->lab, side_node(u, s)), key, sizeof(key), cert,
			      sizeof(cert), k->fingerprint[s], u->err, sizeof(u->err)))
			return -1;
		file_in_lab(u, s, "openvpn-key.pem", path, sizeof(path));
		if (up_write_file(u, path, key))
			return -1;
		file_in_lab(u, s, "openvpn-cert.pem", path, sizeof(path));
		if (up_write_file(u, path, cert))
			return -1;
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}

static int openvpn_conf(struct up *u, int s, const struct other_keys *k, char *out, size_t cap)
{
	char key[PATH_MAX], cert[PATH_MAX], where[160];

	if (s == SIDE_SERVER)
		snprintf(where, sizeof(where), "local %s\nport %d\nfloat\ntls-server\ndh none",
			 u->lab.at.server_public4, u->lab.at.port);
	else
		snprintf(where, sizeof(where), "remote %s %d\nnobind\ntls-client",
			 u->lab.at.server_public4, u->lab.at.port);
	file_in_lab(u, s, "openvpn-key.pem", key, sizeof(key));
	file_in_lab(u, s, "openvpn-cert.pem", cert, sizeof(cert));
	/* Point to point, TLS, each side pinning the other's certificate: no CA to make. */
	return snprintf(out, cap,
			"# %s: OpenVPN, for the benchmark of lab '%s'\n"
			"dev tun0\ndev-type tun\nproto udp\n%s\n"
			"cert %s\nkey %s\npeer-fingerprint %s\n"
			"data-ciphers AES-256-GCM\ntun-mtu %d\nverb 1\n",
			lab_name(&u->lab, side_node(u, s)), u->lab.name, where, cert, key,
			k->fingerprint[!s], u->other->mtu) >= (int)cap
		   ? -1
		   : 0;
}

/* ---- quicktun: configured by its environment, each name prefixed IF_QT_ ---- */

static void quicktun_env(const struct up *u, int s, bool set)
{
	char port[16];
	const char *const common[][2] = {
	    {"IF_QT_INTERFACE", "tun0"}, {"IF_QT_TUN_MODE", "1"},    {"IF_QT_USE_PI", "0"},
	    {"IF_QT_PROTOCOL", "raw"},	 {"IF_QT_LOCAL_PORT", port},
	};
	const char *const server[][2] = {
	    {"IF_QT_LOCAL_ADDRESS", u->lab.at.server_public4},
	    {"IF_QT_REMOTE_FLOAT", "1"},
	};
	const char *const laptop[][2] = {
	    {"IF_QT_REMOTE_ADDRESS", u->lab.at.server_public4},
	    {"IF_QT_REMOTE_PORT", port},
	};
	const char *const(*side)[2] = s == SIDE_SERVER ? server : laptop;

	snprintf(port, sizeof(port), "%d", u->lab.at.port);

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		set ? setenv(common[i][0], common[i][1], 1) : unsetenv(common[i][0]);
	for (size_t i = 0; i < 2; i++)
		set ? setenv(side[i][0], side[i][1], 1) : unsetenv(side[i][0]);
}

/* ---- starting either side ---- */

static bool proc_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

static int start_side(struct up *u, const char *prog, int s, const struct other_keys *k)
{
	int n = side_node(u, s);
	char conf[PATH_MAX], log[PATH_MAX], text[4096], ns[64];
	char *argv[4] = {(char *)prog, NULL};
	pid_t pid;

	file_in_lab(u, s, "log", log, sizeof(log));
	file_in_lab(u, s, u->other->name, conf, sizeof(conf));
	if (u->other->kind == OTHER_FASTD || u->other->kind == OTHER_OPENVPN) {
		int rc = u->other->kind == OTHER_FASTD ? fastd_conf(u, s, k, text, sizeof(text))
						       : openvpn_conf(u, s, k, text, sizeof(text));

		if (rc || up_write_file(u, conf, text))
			return rc ? (snprintf(u->err, sizeof(u->err), "configuration too long"), -1)
				  : -1;
		argv[1] = "--config";
		argv[2] = conf;
		argv[3] = NULL;
	}
	if (u->other->kind == OTHER_QUICKTUN)
		quicktun_env(u, s, true);
	lab_explain(&u->lab, "ip netns exec %s %s%s%s > %s &", lab_ns(&u->lab, n, ns, sizeof(ns)),
		    prog, argv[1] ? " --config " : "", argv[1] ? conf : "", log);
	pid = spawn_in_node(&u->lab, n, u->other->name, argv, log, u->err, sizeof(u->err));
	if (u->other->kind == OTHER_QUICKTUN)
		quicktun_env(u, s, false);
	if (pid < 0)
		return -1;
	if (up_configure_tun(u, n, "tun0", s == SIDE_LAPTOP, u->other->mtu)) {
		char last[256];

		/* A program that died says why in its log; one that runs left err as it is. */
		last_log_line(log, last, sizeof(last));
		if (!proc_alive(pid) && last[0])
			snprintf(u->err, sizeof(u->err), "%s on %s did not start: %s",
				 u->other->name, lab_name(&u->lab, n), last);
		return -1;
	}
	return 0;
}

/*
 * The lab is up only once the tunnel carries packets, or the first ping of
 * the map's "Try:" is lost: OpenVPN's TLS handshake takes most of a second,
 * and fastd has one too.  So the laptop pings the server's VPN address
 * until it answers, as bench does before it measures.
 */
static int await_reply(struct up *u)
{
	char ns[64], err[160];

	if (!u->lab.at.server_vpn4[0])
		return 0; /* nothing to ask: an IPv6-only tunnel is taken on trust */
	lab_ns(&u->lab, side_node(u, SIDE_LAPTOP), ns, sizeof(ns));
	if (ping_until_answered(ns, u->lab.at.server_vpn4, 15, err, sizeof(err)) == 0)
		return 0;
	snprintf(u->err, sizeof(u->err), "%s carried no ping to %s in 15 tries", u->other->name,
		 u->lab.at.server_vpn4);
	return -1;
}

int up_others(struct up *u)
{
	struct other_keys k = {0};
	char prog[PATH_MAX];
	int rc = -1;

	if (find_program(u->other->program, prog, sizeof(prog))) {
		snprintf(u->err, sizeof(u->err),
			 "%s is not installed (apt-get install --no-install-recommends %s)",
			 u->other->name, u->other->program);
		return -1;
	}
	if (u->other->kind == OTHER_FASTD && fastd_keys(u, prog, &k))
		goto out;
	if (u->other->kind == OTHER_OPENVPN && openvpn_keys(u, &k))
		goto out;
	if (start_side(u, prog, SIDE_SERVER, &k))
		goto out;
	step(u, "%s on %s (%s), UDP %d", u->other->name,
	     lab_name(&u->lab, side_node(u, SIDE_SERVER)), u->other->cipher, u->lab.at.port);
	if (start_side(u, prog, SIDE_LAPTOP, &k))
		goto out;
	step(u, "%s on %s, to %s", u->other->name, lab_name(&u->lab, side_node(u, SIDE_LAPTOP)),
	     lab_name(&u->lab, side_node(u, SIDE_SERVER)));
	if (await_reply(u))
		goto out;
	rc = 0;
out:
	sodium_memzero(&k, sizeof(k));
	return rc;
}
