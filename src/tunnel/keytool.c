#include "keytool.h"
#include "lib/keys.h"

#include <ctype.h>
#include <string.h>

static int genkey(FILE *out, int psk)
{
	uint8_t key[KEY_LEN];
	char b64[KEY_B64_LEN + 1];

	if (psk)
		key_generate_preshared(key);
	else
		key_generate_private(key);
	key_to_base64(b64, key);
	fprintf(out, "%s\n", b64);
	key_wipe(key, sizeof(key));
	key_wipe(b64, sizeof(b64));
	return 0;
}

/* Reads a private key from in, as "wg genkey | wg pubkey" pipes it. */
static int pubkey(FILE *in, FILE *out, FILE *err)
{
	uint8_t priv[KEY_LEN], pub[KEY_LEN];
	char line[128], b64[KEY_B64_LEN + 1];
	size_t n;
	int rc = 1;

	if (!fgets(line, sizeof(line), in)) {
		fprintf(err, "tunnel pubkey: no private key on standard input\n");
		return 1;
	}
	n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (key_from_base64(priv, line)) {
		fprintf(err, "tunnel pubkey: standard input is not a base64 key (44 characters)\n");
	} else if (key_public(pub, priv)) {
		fprintf(err, "tunnel pubkey: that private key has no usable public key\n");
	} else {
		key_to_base64(b64, pub);
		fprintf(out, "%s\n", b64);
		rc = 0;
	}
	key_wipe(priv, sizeof(priv));
	key_wipe(line, sizeof(line));
	return rc;
}

int keytool_main(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "genkey") && strcmp(cmd, "genpsk") && strcmp(cmd, "pubkey"))
		return -1;
	if (argc > 2) {
		fprintf(err, "tunnel %s: takes no arguments (unexpected '%s')\n", cmd, argv[2]);
		return 2;
	}
	if (keys_init()) {
		fprintf(err, "tunnel %s: libsodium failed to start\n", cmd);
		return 1;
	}
	if (!strcmp(cmd, "pubkey"))
		return pubkey(in, out, err);
	return genkey(out, !strcmp(cmd, "genpsk"));
}
