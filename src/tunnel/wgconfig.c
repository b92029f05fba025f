#include "wgconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIG_MAX (1 << 20)

enum section { NONE, INTERFACE, PEER };

struct parser {
	const char *file;
	int line;
	enum section section;
	bool seen_interface;
	struct wg_config *c;
	char *err;
	size_t errlen;
};

static int bad(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct parser *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->file, p->line, what);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int number(struct parser *p, const char *key, const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return bad(p, "%s '%s' is not a number from %ld to %ld", key, v, lo, hi);
	*out = (int)n;
	return 0;
}

static int key(struct parser *p, const char *name, const char *v, uint8_t out[KEY_LEN])
{
	if (key_from_base64(out, v))
		return bad(p, "%s is not a base64 key (44 characters)", name);
	return 0;
}

/* "a, b/24, c": each a prefix; a bare address is a host route. */
static int prefixes(struct parser *p, const char *name, char *v, struct prefix *out, int *n,
		    int max)
{
	char why[160], *save;

	for (char *item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = trim(item);
		if (*n == max)
			return bad(p, "%s: more than %d entries", name, max);
		if (prefix_parse(item, false, &out[*n], why, sizeof(why)))
			return bad(p, "%s: %s", name, why);
		(*n)++;
	}
	if (!*n)
		return bad(p, "%s is empty", name);
	return 0;
}

static int interface_key(struct parser *p, const char *k, char *v)
{
	struct wg_config *c = p->c;

	if (!strcasecmp(k, "PrivateKey")) {
		c->has_private_key = true;
		return key(p, "PrivateKey", v, c->private_key);
	}
	if (!strcasecmp(k, "ListenPort"))
		return number(p, "ListenPort", v, 1, 65535, &c->listen_port);
	if (!strcasecmp(k, "Address"))
		return prefixes(p, "Address", v, c->addrs, &c->naddrs, WG_MAX_ADDRS);
	if (!strcasecmp(k, "MTU"))
		return number(p, "MTU", v, 68, 65535, &c->mtu);
	return bad(p, "'%s' is not a key of [Interface] (PrivateKey, ListenPort, Address, MTU)", k);
}

static int peer_key(struct parser *p, const char *k, char *v)
{
	struct wg_peer_conf *peer = &p->c->peers[p->c->npeers - 1];
	char host[256], why[160];
	uint16_t port = 0;

	if (!strcasecmp(k, "PublicKey")) {
		peer->has_public_key = true;
		return key(p, "PublicKey", v, peer->public_key);
	}
	if (!strcasecmp(k, "PresharedKey")) {
		peer->has_preshared_key = true;
		return key(p, "PresharedKey", v, peer->preshared_key);
	}
	if (!strcasecmp(k, "Endpoint")) {
		if (hostport_split(v, host, sizeof(host), &port, why, sizeof(why)))
			return bad(p, "Endpoint: %s", why);
		if (!port)
			return bad(p, "Endpoint '%s' has no port (write HOST:PORT)", v);
		snprintf(peer->endpoint, sizeof(peer->endpoint), "%s", v);
		return 0;
	}
	if (!strcasecmp(k, "AllowedIPs"))
		return prefixes(p, "AllowedIPs", v, peer->allowed, &peer->nallowed, WG_MAX_ALLOWED);
	if (!strcasecmp(k, "PersistentKeepalive")) {
		if (!strcasecmp(v, "off")) {
			peer->keepalive = 0;
			return 0;
		}
		return number(p, "PersistentKeepalive", v, 0, 65535, &peer->keepalive);
	}
	return bad(p,
		   "'%s' is not a key of [Peer] (PublicKey, PresharedKey, Endpoint, AllowedIPs, "
		   "PersistentKeepalive)",
		   k);
}

static int section(struct parser *p, const char *name)
{
	struct wg_peer_conf *grown;

	if (!strcasecmp(name, "[Interface]")) {
		if (p->seen_interface)
			return bad(p, "a second [Interface]: there is one per file");
		p->seen_interface = true;
		p->section = INTERFACE;
		return 0;
	}
	if (strcasecmp(name, "[Peer]"))
		return bad(p, "unknown section %s (only [Interface] and [Peer])", name);
	if (p->c->npeers == WG_MAX_PEERS)
		return bad(p, "more than %d peers", WG_MAX_PEERS);
	grown = realloc(p->c->peers, (size_t)(p->c->npeers + 1) * sizeof(*grown));
	if (!grown)
		return bad(p, "out of memory");
	p->c->peers = grown;
	memset(&grown[p->c->npeers], 0, sizeof(*grown));
	grown[p->c->npeers++].line = p->line;
	p->section = PEER;
	return 0;
}

static int line(struct parser *p, char *s)
{
	char *hash = strchr(s, '#'), *eq, *k, *v;

	if (hash)
		*hash = '\0';
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[')
		return section(p, s);
	eq = strchr(s, '=');
	if (!eq)
		return bad(p, "expected 'Key = Value' or a [Section]");
	*eq = '\0';
	k = trim(s);
	v = trim(eq + 1);
	if (!*k)
		return bad(p, "a value without a key");
	if (!*v)
		return bad(p, "%s has no value", k);
	if (p->section == NONE)
		return bad(p, "%s comes before any [Interface] or [Peer]", k);
	return p->section == INTERFACE ? interface_key(p, k, v) : peer_key(p, k, v);
}

/* What can only be judged once the whole file is read. */
static int finish(struct parser *p)
{
	struct wg_config *c = p->c;

	if (!p->seen_interface) {
		p->line = 1;
		return bad(p, "no [Interface] section");
	}
	if (!c->has_private_key) {
		p->line = 1;
		return bad(p, "[Interface] has no PrivateKey");
	}
	for (int i = 0; i < c->npeers; i++) {
		p->line = c->peers[i].line;
		if (!c->peers[i].has_public_key)
			return bad(p, "this [Peer] has no PublicKey");
		for (int j = 0; j < i; j++)
			if (!memcmp(c->peers[i].public_key, c->peers[j].public_key, KEY_LEN))
				return bad(
				    p, "this [Peer] repeats the PublicKey of the one on line %d",
				    c->peers[j].line);
	}
	return 0;
}

int wg_config_parse(const char *text, size_t len, const char *file, struct wg_config *c, char *err,
		    size_t errlen)
{
	struct parser p = {.file = file, .c = c, .err = err, .errlen = errlen};
	char buf[1024] = "";
	size_t at = 0;

	memset(c, 0, sizeof(*c));
	while (at < len) {
		size_t n = 0;

		p.line++;
		while (at < len && text[at] != '\n') {
			if (text[at] == '\0' || n == sizeof(buf) - 1) {
				bad(&p,
				    text[at] ? "line longer than %zu characters"
					     : "a NUL byte: this is not a text file",
				    sizeof(buf) - 1);
				goto fail;
			}
			buf[n++] = text[at++];
		}
		at++;
		buf[n] = '\0';
		if (line(&p, buf))
			goto fail;
	}
	key_wipe(buf, sizeof(buf));
	if (finish(&p) == 0)
		return 0;
fail:
	key_wipe(buf, sizeof(buf));
	wg_config_free(c);
	return -1;
}

/*
 * The whole file, in memory that grows as it fills: a configuration is a
 * few hundred bytes, so the limit is not taken up front.  What held part
 * of the file is wiped before it is freed, as the file holds the private
 * key.  Returns the bytes read, CONFIG_MAX + 1 for a file larger than any
 * configuration; *text is NULL when memory ran out.
 */
static size_t read_whole(FILE *f, char **text)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t grown = cap * 2 > CONFIG_MAX + 1 ? CONFIG_MAX + 1 : cap * 2;
		char *more;

		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap == CONFIG_MAX + 1)
			break;
		more = malloc(grown);
		if (more)
			memcpy(more, buf, n);
		key_wipe(buf, n);
		free(buf);
		buf = more;
		cap = grown;
	}
	*text = buf;
	return n;
}

int wg_config_load(const char *path, struct wg_config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read_whole(f, &text);
	fclose(f);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (n > CONFIG_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes: not a configuration", path,
			 CONFIG_MAX);
		rc = -1;
	} else {
		rc = wg_config_parse(text, n, path, c, err, errlen);
	}
	key_wipe(text, n);
	free(text);
	return rc;
}

void wg_config_free(struct wg_config *c)
{
	if (c->peers) {
		key_wipe(c->peers, (size_t)c->npeers * sizeof(*c->peers));
		free(c->peers);
	}
	key_wipe(c, sizeof(*c));
}
