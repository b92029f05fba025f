#include "keylog.h"
#include "lib/keys.h"

/*
 * The analyser matches a handshake by its ephemeral key and derives
 * everything else; one block of four lines per handshake we make.
 */
void keylog_handshake(FILE *f, const struct noise_static *s, const struct handshake *hs)
{
	char b64[KEY_B64_LEN + 1];

	if (!f)
		return;
	key_to_base64(b64, s->private_key);
	fprintf(f, "LOCAL_STATIC_PRIVATE_KEY = %s\n", b64);
	key_to_base64(b64, hs->remote_static);
	fprintf(f, "REMOTE_STATIC_PUBLIC_KEY = %s\n", b64);
	key_to_base64(b64, hs->ephemeral_private);
	fprintf(f, "LOCAL_EPHEMERAL_PRIVATE_KEY = %s\n", b64);
	key_to_base64(b64, hs->preshared_key);
	fprintf(f, "PRESHARED_KEY = %s\n", b64);
	key_wipe(b64, sizeof(b64));
	fflush(f);
}
