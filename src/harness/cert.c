#include "cert.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <string.h>

/* A memory BIO's contents into buf, NUL-terminated; -1 if they do not fit. */
static int drain(BIO *bio, char *buf, size_t cap)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	if (len < 0 || (size_t)len >= cap)
		return -1;
	memcpy(buf, data, (size_t)len);
	buf[len] = '\0';
	return 0;
}

static X509 *self_signed(EVP_PKEY *pkey, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) || !X509_set_pubkey(x, pkey) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					0) ||
	    !X509_set_issuer_name(x, name) || !X509_sign(x, pkey, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void fingerprint_of(X509 *x, char out[CERT_FINGERPRINT_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	out[0] = '\0';
	if (!X509_digest(x, EVP_sha256(), md, &len) || len != 32)
		return;
	/* AA:BB:...: three characters a byte, the last one's colon becoming the NUL. */
	for (unsigned int i = 0; i < len; i++)
		snprintf(out + 3 * i, CERT_FINGERPRINT_LEN - 3 * i, "%02X%s", md[i],
			 i + 1 < len ? ":" : "");
}

int cert_make(const char *cn, char *key, size_t keycap, char *cert, size_t certcap,
	      char fingerprint[CERT_FINGERPRINT_LEN], char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = pkey ? self_signed(pkey, cn) : NULL;
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	int rc = -1;

	if (!x || !kb || !cb)
		snprintf(err, errlen, "cannot make a certificate for %s", cn);
	else if (!PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) ||
		 !PEM_write_bio_X509(cb, x) || drain(kb, key, keycap) || drain(cb, cert, certcap))
		snprintf(err, errlen, "cannot write the certificate for %s", cn);
	else
		rc = 0;
	if (!rc)
		fingerprint_of(x, fingerprint);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return rc;
}
