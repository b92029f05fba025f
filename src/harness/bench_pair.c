/*
 * harness bench --topology pair: the tunnels' own cost, without the NAT
 * and the routers.  Two nodes that share one link already exist in every
 * lab: internet (203.0.113.1) and office-server (203.0.113.10).  A second
 * pair of our tunnels runs between them for each mode, on ports and
 * devices of its own, recorded in the lab like everything else it starts.
 */
#include "bench.h"
#include "spawn.h"
#include "state.h"
#include "lib/clock.h"
#include "lib/control_proto.h"
#include "lib/keys.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

struct pair_mode {
	enum path_id kind;
	const char *dev;
	int port;
	const char *client_addr, *server_addr; /* inside the pair's tunnel */
};

static const struct pair_mode pair_modes[] = {
    {PATH_PLAINTEXT, "tunp", 2234, "10.98.0.1", "10.98.0.2"},
    {PATH_ENCRYPTED, "tune", 2235, "10.97.0.1", "10.97.0.2"},
};

static int record_file(struct bench *b, const struct lab *lab, const char *path)
{
	struct record r = {.kind = REC_FILE};

	snprintf(r.name, sizeof(r.name), "%s", path);
	if (state_add(lab, &r)) {
		snprintf(b->err, sizeof(b->err), "cannot record %s", path);
		return -1;
	}
	return 0;
}

/* A wg configuration for one end; the other end's public key is its only peer. */
static int write_conf(struct bench *b, const struct lab *lab, const char *path,
		      const uint8_t priv[KEY_LEN], const uint8_t peer[KEY_LEN], const char *addr,
		      const struct pair_mode *m, bool server)
{
	char k1[KEY_B64_LEN + 1], k2[KEY_B64_LEN + 1];
	FILE *f;

	if (record_file(b, lab, path))
		return -1;
	f = fopen(path, "we");
	if (!f || fchmod(fileno(f), 0600)) {
		snprintf(b->err, sizeof(b->err), "cannot write %s", path);
		if (f)
			fclose(f);
		return -1;
	}
	key_to_base64(k1, priv);
	key_to_base64(k2, peer);
	fprintf(f, "[Interface]\nPrivateKey = %s\nAddress = %s/24\n", k1, addr);
	if (server)
		fprintf(f, "ListenPort = %d\n", m->port);
	fprintf(f, "\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32\n", k2,
		server ? m->client_addr : m->server_addr);
	if (!server)
		fprintf(f, "Endpoint = %s:%d\n", lab->at.server_public4, m->port);
	return fclose(f) ? -1 : 0;
}

/* Starts one end and returns its PID once its control socket answers. */
static pid_t start_end(struct bench *b, const struct lab *lab, int node, const struct pair_mode *m,
		       char **args)
{
	char tunnel[PATH_MAX], log[PATH_MAX], ctl[PATH_MAX];
	char *argv[24] = {tunnel};
	int n = 1;
	pid_t pid;

	if (sibling_path("tunnel", tunnel, sizeof(tunnel)))
		return -1;
	snprintf(log, sizeof(log), "%s/%s-%s.log", lab->dir, lab_name(lab, node), m->dev);
	ctl_path(lab->dir, lab_name(lab, node), m->dev, ctl, sizeof(ctl));
	while (*args)
		argv[n++] = *args++;
	argv[n++] = "--control";
	argv[n++] = ctl;
	argv[n] = NULL;
	pid = spawn_in_node(lab, node, "tunnel", argv, log, b->err, sizeof(b->err));
	for (int waited = 0; pid > 0 && waited < 5000; waited += 20) {
		if (access(ctl, F_OK) == 0)
			return pid;
		clock_sleep_ms(20);
	}
	if (pid > 0)
		snprintf(b->err, sizeof(b->err), "the pair's tunnel on %s did not come up (see %s)",
			 lab_name(lab, node), log);
	return -1;
}

static int start_plaintext(struct bench *b, const struct lab *lab, const struct pair_mode *m,
			   struct path *p)
{
	char port[16], server[64], saddr[32], caddr[32];
	char *srv[] = {"--listen", "--port", port, "--dev", (char *)m->dev, "--addr", saddr, NULL};
	char *cli[] = {"--server", server, "--dev", (char *)m->dev, "--addr", caddr, NULL};

	snprintf(port, sizeof(port), "%d", m->port);
	snprintf(server, sizeof(server), "%s:%d", lab->at.server_public4, m->port);
	snprintf(saddr, sizeof(saddr), "%s/24", m->server_addr);
	snprintf(caddr, sizeof(caddr), "%s/24", m->client_addr);
	p->tunnels[0] = start_end(b, lab, lab_role(lab, ROLE_SERVER), m, srv);
	p->tunnels[1] =
	    p->tunnels[0] > 0 ? start_end(b, lab, lab_role(lab, ROLE_INTERNET), m, cli) : -1;
	return p->tunnels[1] > 0 ? 0 : -1;
}

static int start_encrypted(struct bench *b, const struct lab *lab, const struct pair_mode *m,
			   struct path *p)
{
	uint8_t spriv[KEY_LEN], spub[KEY_LEN], cpriv[KEY_LEN], cpub[KEY_LEN];
	char sconf[PATH_MAX], cconf[PATH_MAX];
	char *srv[] = {"-c", sconf, "--no-uapi", "--dev", (char *)m->dev, NULL};
	char *cli[] = {"-c", cconf, "--no-uapi", "--dev", (char *)m->dev, NULL};
	int rc;

	key_generate_private(spriv);
	key_generate_private(cpriv);
	key_public(spub, spriv);
	key_public(cpub, cpriv);
	snprintf(sconf, sizeof(sconf), "%s/pair-server.conf", lab->dir);
	snprintf(cconf, sizeof(cconf), "%s/pair-client.conf", lab->dir);
	rc = write_conf(b, lab, sconf, spriv, cpub, m->server_addr, m, true) ||
	     write_conf(b, lab, cconf, cpriv, spub, m->client_addr, m, false);
	sodium_memzero(spriv, sizeof(spriv));
	sodium_memzero(cpriv, sizeof(cpriv));
	if (rc)
		return -1;
	p->tunnels[0] = start_end(b, lab, lab_role(lab, ROLE_SERVER), m, srv);
	p->tunnels[1] =
	    p->tunnels[0] > 0 ? start_end(b, lab, lab_role(lab, ROLE_INTERNET), m, cli) : -1;
	return p->tunnels[1] > 0 ? 0 : -1;
}

/* The pair's tunnels, in the lab that path p rides on; p then measures across them. */
int pair_start(struct bench *b, struct path *p)
{
	struct lab lab;
	int rc = -1;

	p->ntunnels = 0;
	if (lab_init(&lab, p->lab, b->err, sizeof(b->err)))
		return -1;
	lab_ns(&lab, lab_role(&lab, ROLE_INTERNET), p->ns, sizeof(p->ns));
	if (p->kind == PATH_BARE) {
		snprintf(p->target, sizeof(p->target), "%s", lab.at.server_public4);
		lab_fini(&lab);
		return 0;
	}
	for (size_t i = 0; i < sizeof(pair_modes) / sizeof(pair_modes[0]); i++) {
		const struct pair_mode *m = &pair_modes[i];

		if (m->kind != p->kind)
			continue;
		snprintf(p->target, sizeof(p->target), "%s", m->server_addr);
		if (!state_lock(&lab, false, b->err, sizeof(b->err)))
			rc = m->kind == PATH_PLAINTEXT ? start_plaintext(b, &lab, m, p)
						       : start_encrypted(b, &lab, m, p);
		if (!rc)
			p->ntunnels = 2;
	}
	if (rc && !b->err[0])
		snprintf(b->err, sizeof(b->err), "--topology pair has no %s path",
			 bench_path_name(p->kind));
	lab_fini(&lab);
	return rc;
}
