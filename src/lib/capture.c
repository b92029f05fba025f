#include "capture.h"
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SNAPLEN 65535

/* libpcap opens its sockets and files without close-on-exec; nothing we start may inherit them. */
static void cloexec(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

struct open_job {
	const char *ifname;
	int snaplen;
	struct pcap *pcap;
	char err[PCAP_ERRBUF_SIZE];
};

static int open_here(void *arg)
{
	struct open_job *j = arg;

	j->pcap = pcap_create(j->ifname, j->err);
	if (!j->pcap)
		return 1;
	pcap_set_snaplen(j->pcap, j->snaplen ? j->snaplen : SNAPLEN);
	pcap_set_buffer_size(j->pcap, CAPTURE_RING);
	pcap_set_immediate_mode(j->pcap, 1);
	pcap_set_timeout(j->pcap, 10);
	if (pcap_activate(j->pcap) < 0) {
		snprintf(j->err, sizeof(j->err), "%s", pcap_geterr(j->pcap));
		pcap_close(j->pcap);
		j->pcap = NULL;
		return 1; /* positive: failed here, with j->err set */
	}
	cloexec(pcap_get_selectable_fd(j->pcap));
	return 0;
}

int capture_open(struct capture *c, const char *ns, const char *ifname, const char *filter,
		 int snaplen, const char *name, char *err, size_t errlen)
{
	struct open_job j = {.ifname = ifname, .snaplen = snaplen};
	struct bpf_program prog;
	char perr[PCAP_ERRBUF_SIZE];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	/* The capture socket belongs to the namespace it was opened in. */
	if (netns_call_name(ns, open_here, &j) < 0) {
		snprintf(err, errlen, "cannot enter namespace %s to capture", ns);
		return -1;
	}
	if (!j.pcap) {
		snprintf(err, errlen, "cannot capture on %s: %s", name, j.err);
		return -1;
	}
	c->pcap = j.pcap;
	c->link_type = pcap_datalink(c->pcap);
	if (filter && (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) ||
		       pcap_setfilter(c->pcap, &prog))) {
		snprintf(err, errlen, "bad capture filter '%s': %s", filter, pcap_geterr(c->pcap));
		capture_close(c);
		return -1;
	}
	if (filter)
		pcap_freecode(&prog);
	pcap_setnonblock(c->pcap, 1, perr);
	return 0;
}

const uint8_t *capture_ip(int link_type, const uint8_t *frame, size_t caplen, size_t *len)
{
	uint16_t type;

	switch (link_type) {
	case DLT_EN10MB:
		if (caplen < 14)
			return NULL;
		type = (uint16_t)(frame[12] << 8 | frame[13]);
		if (type != 0x0800 && type != 0x86dd)
			return NULL;
		*len = caplen - 14;
		return frame + 14;
	case DLT_RAW:
	case 228: /* LINKTYPE_IPV4 */
	case 229: /* LINKTYPE_IPV6 */
		*len = caplen;
		return caplen ? frame : NULL;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return NULL;
		*len = caplen - 16;
		return frame + 16;
	}
	return NULL;
}

int capture_next(struct capture *c, const uint8_t **ip, size_t *len, struct timeval *ts)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	while (c->pcap && pcap_next_ex(c->pcap, &h, &data) == 1) {
		*ip = capture_ip(c->link_type, data, h->caplen, len);
		if (*ip && c->skip && c->skip(*ip, *len)) {
			c->skipped++;
			continue;
		}
		c->packets++;
		if (c->dump)
			pcap_dump((u_char *)c->dump, h, data);
		if (!*ip) {
			c->other++;
			continue;
		}
		if (ts)
			*ts = h->ts;
		return 1;
	}
	return 0;
}

int capture_write(struct capture *c, const char *path, char *err, size_t errlen)
{
	/* We run as root: a symbolic link planted where the file goes must not
	 * send the capture over a file it points to. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");

	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 errno == ELOOP ? "it is a symbolic link, which is not followed"
					: strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c->dump = pcap_dump_fopen(c->pcap, f);
	if (!c->dump) {
		snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(c->pcap));
		fclose(f);
		return -1;
	}
	cloexec(fileno(pcap_dump_file(c->dump)));
	return 0;
}

int capture_fd(const struct capture *c)
{
	return c->pcap ? pcap_get_selectable_fd(c->pcap) : -1;
}

int capture_open_file(struct capture *c, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", path);
	c->pcap = pcap_open_offline(path, perr);
	if (!c->pcap) {
		snprintf(err, errlen, "%s: not a capture file libpcap can read (%s)", path, perr);
		return -1;
	}
	cloexec(fileno(pcap_file(c->pcap)));
	c->link_type = pcap_datalink(c->pcap);
	if (!capture_ip(c->link_type, (const uint8_t *)"\x45", 1, &(size_t){0}) &&
	    c->link_type != DLT_EN10MB && c->link_type != DLT_LINUX_SLL) {
		snprintf(err, errlen, "%s: link type %d is not Ethernet or raw IP", path,
			 c->link_type);
		capture_close(c);
		return -1;
	}
	return 0;
}

void capture_close(struct capture *c)
{
	if (c->dump)
		pcap_dump_close(c->dump);
	c->dump = NULL;
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
}
