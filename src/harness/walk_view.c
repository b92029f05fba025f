/* How the walkthrough shows a hop: in the terminal, and as one HTML page. */
#include "walkthrough.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void change(struct hop_view *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void change(struct hop_view *h, const char *fmt, ...)
{
	va_list ap;

	if (h->nchanges == 6)
		return;
	va_start(ap, fmt);
	vsnprintf(h->changes[h->nchanges++], sizeof(h->changes[0]), fmt, ap);
	va_end(ap);
}

/* The packet the user sent: the inner one in a tunnel datagram, else the only one. */
static const struct layer *inner_ip(const struct hop_view *h)
{
	const struct layer *l = h->inner_len ? layer_find(&h->inner_layers, "IPv4")
					     : layer_find(&h->layers, "inner IPv4");

	return l ? l : layer_find(&h->layers, "IPv4");
}

static bool differs(const struct layer *a, const struct layer *b, const char *field)
{
	const char *x = field_value(a, field), *y = field_value(b, field);

	return x && y && strcmp(x, y);
}

static void outer_changes(struct hop_view *h, const struct hop_view *p)
{
	const struct layer *a = layer_find(&p->layers, "outer IPv4"),
			   *b = layer_find(&h->layers, "outer IPv4"),
			   *ua = layer_find(&p->layers, "UDP"), *ub = layer_find(&h->layers, "UDP");

	if (differs(a, b, "source") || differs(ua, ub, "source port"))
		change(h, "NAT rewrote the outer source: %s port %s -> %s port %s",
		       field_value(a, "source"), field_value(ua, "source port"),
		       field_value(b, "source"), field_value(ub, "source port"));
	if (differs(a, b, "ttl"))
		change(h, "outer TTL %s -> %s: a router forwarded the datagram",
		       field_value(a, "ttl"), field_value(b, "ttl"));
}

/* Marks each field of a whose value differs from the same field of the same layer in b. */
static void mark(struct layers *a, const struct layers *b)
{
	for (int k = 0; k < a->n; k++) {
		struct layer *y = &a->layer[k];
		const struct layer *x = layer_find(b, y->name);

		for (int n = 0; x && n < y->nfields; n++) {
			const char *was = field_value(x, y->fields[n].name);

			y->fields[n].changed = was && strcmp(was, y->fields[n].value);
		}
	}
}

static void sealing(struct walk *w, struct hop_view *h, const struct hop_view *p)
{
	if (h->layers.tunnel && !p->layers.tunnel)
		change(h, "sealed: the whole packet is now ciphertext, padded, with a 16-byte tag, "
			  "behind a 16-byte WireGuard header in a UDP datagram");
	if (!h->layers.tunnel && p->layers.tunnel)
		change(h, "opened: the outer IP and UDP headers, the WireGuard header, the padding "
			  "and the tag are gone");
	(void)w;
}

void walk_changes(struct walk *w)
{
	for (int i = 0; i < HOPS; i++) {
		struct hop_view *h = &w->hops[i];
		const struct hop_view *p = i ? &w->hops[i - 1] : NULL;
		const struct layer *in = inner_ip(h), *pin = p ? inner_ip(p) : NULL;

		h->nchanges = 0;
		if (!h->seen || !p || !p->seen)
			continue;
		mark(&h->layers, &p->layers);
		/* The packet inside, opened or not, against the one the hop before saw. */
		mark(h->inner_len ? &h->inner_layers : &h->layers,
		     p->inner_len ? &p->inner_layers : &p->layers);
		if (w->encrypted)
			sealing(w, h, p);
		else if (h->layers.tunnel && !p->layers.tunnel)
			change(h,
			       "encapsulation added: the whole packet is now the payload of a UDP "
			       "datagram%s",
			       w->pi ? ", behind the 4-byte PI header" : "");
		if (!w->encrypted && !h->layers.tunnel && p->layers.tunnel)
			change(h, "encapsulation removed: the outer IP and UDP headers%s are gone",
			       w->pi ? " and the PI header" : "");
		if (h->layers.tunnel && p->layers.tunnel)
			outer_changes(h, p);
		if (differs(pin, in, "ttl"))
			change(h,
			       "inner TTL %s -> %s: office-server routed the packet itself, so its "
			       "checksum changed too",
			       field_value(pin, "ttl"), field_value(in, "ttl"));
		if (differs(pin, in, "source") || differs(pin, in, "destination"))
			change(h, "the inner addresses changed (they should not!)");
		if (!h->nchanges)
			change(h, "nothing in the packet changed on this stretch");
	}
}

static enum term_color layer_color(const char *name)
{
	if (strstr(name, "outer"))
		return C_BLUE;
	if (!strcmp(name, "UDP"))
		return C_MAGENTA;
	if (!strcmp(name, "PI header") || strstr(name, "WireGuard"))
		return C_YELLOW;
	if (!strcmp(name, "encrypted packet") || !strcmp(name, "padding"))
		return C_DIM;
	if (!strcmp(name, "tag"))
		return C_RED;
	if (strstr(name, "IPv"))
		return C_CYAN;
	if (!strcmp(name, "payload"))
		return C_DIM;
	return C_GREEN;
}

static int layer_at(const struct layers *l, size_t off)
{
	for (int i = l->n - 1; i >= 0; i--)
		if (off >= l->layer[i].offset && off < l->layer[i].offset + l->layer[i].len)
			return i;
	return -1;
}

static void hexdump(const struct term *t, const uint8_t *pkt, size_t len, const struct layers *l,
		    FILE *f)
{
	for (size_t row = 0; row < len; row += 16) {
		fprintf(f, "    %04zx ", row);
		for (size_t i = row; i < row + 16 && i < len; i++) {
			int k = layer_at(l, i);
			enum term_color c = k < 0 ? C_RESET : layer_color(l->layer[k].name);
			fprintf(f, " %s%02x%s", term_c(t, c), pkt[i], term_c(t, C_RESET));
		}
		fprintf(f, "%*s  ", (int)(3 * (16 - (len - row < 16 ? len - row : 16))), "");
		for (size_t i = row; i < row + 16 && i < len; i++)
			fputc(pkt[i] >= 32 && pkt[i] < 127 ? pkt[i] : '.', f);
		fputc('\n', f);
	}
}

/* The sizes a sealed hop is made of, all read from the packet itself. */
struct sealed_sizes {
	size_t inner, padded, header, tag, message, udp, ip, total;
};

static bool sealed_sizes(const struct walk *w, const struct hop_view *h, struct sealed_sizes *z)
{
	const struct layer *wg = layer_find(&h->layers, "WireGuard transport"),
			   *tag = layer_find(&h->layers, "tag"),
			   *udp = layer_find(&h->layers, "UDP"), *ip = &h->layers.layer[0];

	if (!wg || !tag || !udp)
		return false;
	/* The ping's own length: opened here, or as tun0 saw it. */
	z->inner = h->inner_len ? h->inner_len : w->hops[0].seen ? w->hops[0].len : 0;
	z->header = wg->len;
	z->tag = tag->len;
	z->message = h->len - wg->offset;
	z->padded = z->message - z->header - z->tag;
	z->udp = udp->len;
	z->ip = ip->len;
	z->total = h->len;
	return z->inner > 0;
}

static void arithmetic(const struct walk *w, const struct hop_view *h, FILE *f)
{
	const struct layer *in = inner_ip(h);
	const char *inner_len = field_value(in, "total length");
	struct sealed_sizes z;

	if (h->layers.wireguard && sealed_sizes(w, h, &z)) {
		fprintf(f,
			"  size: %zu (the ping) -> %zu (padded) + %zu + %zu = %zu, + %zu + %zu = "
			"%zu bytes: the tunnel costs %zu\n",
			z.inner, z.padded, z.header, z.tag, z.message, z.udp, z.ip, z.total,
			z.total - z.inner);
		fprintf(f,
			"        padded to a multiple of 16 (%zu bytes of padding); %zu: type,\n"
			"        reserved, receiver, counter; %zu: the tag; %zu: UDP; %zu: outer "
			"IPv4\n",
			z.padded - z.inner, z.header, z.tag, z.udp, z.ip);
		return;
	}
	if (!h->layers.tunnel || !inner_len) {
		fprintf(f, "  size: %zu bytes, the inner packet alone: no tunnel headers\n",
			h->len);
		return;
	}
	fprintf(f,
		"  size: %s (the ping) + %s8 (UDP) + 20 (outer IPv4) = %zu bytes: the tunnel "
		"costs %d\n",
		inner_len, w->pi ? "4 (PI header) + " : "", h->len, w->pi ? 32 : 28);
}

/*
 * Words to lines of at most width columns: the first goes on from column
 * col, where the caller left the line; the others start indent columns in.
 */
static void wrap_from(FILE *f, const char *text, int col, int indent, int width)
{
	bool fresh = true;

	while (*text) {
		int word = (int)strcspn(text, " ");

		if (!fresh && col + 1 + word > width) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
			fresh = true;
		}
		if (!fresh)
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", word, text);
		fresh = false;
		text += word;
		text += strspn(text, " ");
	}
}

/* Words to lines of at most width columns, each indented. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
	wrap_from(f, text, fprintf(f, "%*s", indent, ""), indent, width);
	fputc('\n', f);
}

static void print_layers(const struct term *t, const struct layers *l, FILE *f)
{
	for (int k = 0; k < l->n; k++) {
		const struct layer *y = &l->layer[k];
		enum term_color c = layer_color(y->name);

		fprintf(f, "  %s%3zu-%-5zu %s (%zu bytes)%s\n", term_c(t, c), y->offset,
			y->offset + y->len - 1, y->name, y->len, term_c(t, C_RESET));
		for (int n = 0; n < y->nfields; n++) {
			const struct field *x = &y->fields[n];

			fprintf(f, "  %5zu %s%c%s   %-22s %s\n", x->offset, term_c(t, C_YELLOW),
				x->changed ? '*' : ' ', term_c(t, C_RESET), x->name, x->value);
			if (x->why)
				wrap(f, x->why, 16, 78);
		}
	}
}

static void print_opened(const struct walk *w, const struct hop_view *h, FILE *f)
{
	const struct term *t = &w->lab.term;

	if (!h->layers.wireguard || !layer_find(&h->layers, "WireGuard transport"))
		return;
	if (!h->inner_len) {
		fprintf(f, "  %sThe packet inside cannot be shown: %s.%s\n", term_c(t, C_RED),
			w->sealed_why[0] ? w->sealed_why : "no session key opens it",
			term_c(t, C_RESET));
		return;
	}
	fprintf(f,
		"  %sOpened with the session's key%s: the %zu bytes of ciphertext are this "
		"packet, offsets from its own start:\n",
		term_c(t, C_BOLD), term_c(t, C_RESET), h->inner_len);
	print_layers(t, &h->inner_layers, f);
	hexdump(t, h->inner, h->inner_len, &h->inner_layers, f);
}

void walk_print_hop(const struct walk *w, int i, FILE *f)
{
	const struct term *t = &w->lab.term;
	const struct hop_view *h = &w->hops[i];

	fprintf(f, "\n%s-- hop %d of %d: %s%s\n", term_c(t, C_BOLD), i + 1, HOPS, h->point,
		term_c(t, C_RESET));
	wrap(f, h->story, 2, 78);
	if (!h->seen) {
		fprintf(f, "  %s(the ping was not seen here)%s\n", term_c(t, C_RED),
			term_c(t, C_RESET));
		return;
	}
	for (int c = 0; c < h->nchanges; c++) {
		fprintf(f, "  %s* ", term_c(t, C_YELLOW));
		wrap_from(f, h->changes[c], 4, 4, 78);
		fprintf(f, "%s\n", term_c(t, C_RESET));
	}
	fprintf(f, "  %s%-9s %-22s %s%s\n", term_c(t, C_DIM), "offset", "  field", "value",
		term_c(t, C_RESET));
	print_layers(t, &h->layers, f);
	hexdump(t, h->pkt, h->len, &h->layers, f);
	arithmetic(w, h, f);
	print_opened(w, h, f);
}

void walk_print_handshake(const struct walk *w, FILE *f)
{
	const struct term *t = &w->lab.term;

	const char *client = lab_name(&w->lab, w->lab.path[0].node),
		   *server = lab_name(&w->lab, w->lab.path[4].node);

	fprintf(f, "\n%sFirst, the handshake%s, as %s saw it.\n", term_c(t, C_BOLD),
		term_c(t, C_RESET), w->lab.path[1].name);
	for (int i = 0; i < 2; i++) {
		const struct hop_view *h = &w->hs[i];
		const struct layer *m = h->seen ? &h->layers.layer[2] : NULL;

		fprintf(f, "\n%s-- handshake %s (%s to %s)%s\n", term_c(t, C_BOLD),
			i ? "response" : "initiation", i ? server : client, i ? client : server,
			term_c(t, C_RESET));
		wrap(f, h->story, 2, 78);
		if (!m) {
			fprintf(f, "  %s(not seen)%s\n", term_c(t, C_RED), term_c(t, C_RESET));
			continue;
		}
		print_layers(t, &h->layers, f);
		hexdump(t, h->pkt, h->len, &h->layers, f);
		fprintf(f, "  size: %zu (%s) + %zu (UDP) + %zu (outer IPv4) = %zu bytes\n", m->len,
			m->name, h->layers.layer[1].len, h->layers.layer[0].len, h->len);
	}
}

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static const char *html_class(const char *name)
{
	if (strstr(name, "outer"))
		return "outer";
	if (!strcmp(name, "UDP"))
		return "udp";
	if (!strcmp(name, "PI header"))
		return "pi";
	if (strstr(name, "WireGuard"))
		return "wg";
	if (!strcmp(name, "encrypted packet"))
		return "sealed";
	if (!strcmp(name, "padding"))
		return "padding";
	if (!strcmp(name, "tag"))
		return "tag";
	if (strstr(name, "IPv"))
		return "inner";
	if (!strcmp(name, "payload"))
		return "payload";
	return "icmp";
}

static void html_layers(FILE *f, const struct layers *l)
{
	fputs("<div class=stack>", f);
	for (int k = 0; k < l->n; k++) {
		const struct layer *y = &l->layer[k];

		fprintf(f,
			"<div class='layer %s'><b>%s</b> <small>bytes %zu&ndash;%zu</small><table>",
			html_class(y->name), y->name, y->offset, y->offset + y->len - 1);
		for (int n = 0; n < y->nfields; n++) {
			const struct field *x = &y->fields[n];

			fprintf(f, "<tr%s><td class=off>%zu</td><td>",
				x->changed ? " class=changed" : "", x->offset);
			html_escape(f, x->name);
			fputs("</td><td>", f);
			html_escape(f, x->value);
			if (x->why) {
				fputs("<div class=why>", f);
				html_escape(f, x->why);
				fputs("</div>", f);
			}
			fputs("</td></tr>", f);
		}
		fputs("</table></div>", f);
	}
	fputs("</div>\n", f);
}

static void html_hex(FILE *f, const uint8_t *pkt, size_t len, const struct layers *l)
{
	fputs("<pre class=hex>", f);
	for (size_t row = 0; row < len; row += 16) {
		size_t end = row + 16 < len ? row + 16 : len;

		fprintf(f, "%04zx ", row);
		for (size_t b = row; b < end; b++) {
			int k = layer_at(l, b);

			fprintf(f, " <span class=%s>%02x</span>",
				k < 0 ? "payload" : html_class(l->layer[k].name), pkt[b]);
		}
		fprintf(f, "%*s  <span class=ascii>", (int)(3 * (row + 16 - end)), "");
		for (size_t b = row; b < end; b++) {
			char c[2] = {pkt[b] >= 32 && pkt[b] < 127 ? (char)pkt[b] : '.', 0};

			html_escape(f, c);
		}
		fputs("</span>\n", f);
	}
	fputs("</pre>", f);
}

static void html_packet(FILE *f, const struct walk *w, const struct hop_view *h)
{
	struct sealed_sizes z;

	html_layers(f, &h->layers);
	html_hex(f, h->pkt, h->len, &h->layers);
	if (h->layers.wireguard && sealed_sizes(w, h, &z))
		fprintf(f,
			"<p class=size>%zu (the ping) &rarr; %zu (padded) + %zu + %zu = %zu, + %zu "
			"+ %zu = %zu bytes on this link</p>\n",
			z.inner, z.padded, z.header, z.tag, z.message, z.udp, z.ip, z.total);
	else
		fprintf(f, "<p class=size>%zu bytes on this link</p>\n", h->len);
}

static void html_hop(FILE *f, const struct walk *w, const struct hop_view *h, const char *title)
{
	fprintf(f, "<section class=hop><h2>%s: <code>%s</code></h2>\n<p>", title, h->point);
	html_escape(f, h->story);
	fputs("</p>\n<ul class=changes>", f);
	for (int c = 0; c < h->nchanges; c++) {
		fputs("<li>", f);
		html_escape(f, h->changes[c]);
		fputs("</li>", f);
	}
	fputs("</ul>\n", f);
	if (!h->seen) {
		fputs("<p class=missing>(not seen here)</p></section>\n", f);
		return;
	}
	if (!layer_find(&h->layers, "WireGuard transport")) {
		html_packet(f, w, h);
		fputs("</section>\n", f);
		return;
	}
	/* The ciphertext, and beside it what it opens to. */
	fputs("<div class=pair><div class=wire><h3>On the wire</h3>", f);
	html_packet(f, w, h);
	fputs("</div><div class=opened><h3>Opened with the session key</h3>", f);
	if (h->inner_len) {
		html_layers(f, &h->inner_layers);
		html_hex(f, h->inner, h->inner_len, &h->inner_layers);
	} else {
		fputs("<p class=missing>The packet inside cannot be shown: ", f);
		html_escape(f, w->sealed_why[0] ? w->sealed_why : "no session key opens it");
		fputs(".</p>", f);
	}
	fputs("</div></div></section>\n", f);
}

static void html_back(FILE *f, const struct walk *w)
{
	fputs("<section class=hop><h2>And back</h2><p>", f);
	html_escape(f, lab_name(&w->lab, w->lab.path[5].node));
	fputs(" answers, and the reply takes the same hops in reverse.</p><table class=back>", f);
	for (int i = HOPS - 1; i >= 0; i--) {
		fprintf(f, "<tr><td><code>%s</code></td><td>", w->lab.path[i].name);
		html_escape(f, w->reply[i][0] ? w->reply[i] : "(not seen)");
		fputs("</td></tr>", f);
	}
	fputs("</table></section>\n", f);
}

static const char style[] =
    "body{font:16px/1.4 sans-serif;max-width:110em;margin:2em auto;padding:0 1em;color:#111}\n"
    "code,pre,td{font-family:monospace}section{border-top:2px solid #ccc;margin-top:2em}\n"
    ".stack{display:flex;flex-wrap:wrap;gap:.4em}.layer{border-radius:6px;padding:.4em .6em;"
    "border:2px solid #0003}\n"
    ".layer table{border-collapse:collapse}.layer td{padding:0 .5em 0 0;vertical-align:top}"
    ".off{color:#444}\n"
    /* Outer and inner must differ on a washed-out projector: blue against orange. */
    ".outer{background:#6fa8ff}.udp{background:#c58cff}.pi{background:#ffe34d}"
    ".wg{background:#ff6b6b}\n"
    ".inner{background:#ffb347}.icmp{background:#7fdc7f}.payload{background:#e4e4e4}\n"
    ".sealed{background:#444;color:#fff}.padding{background:#777;color:#fff}"
    ".tag{background:#b00020;color:#fff}\n"
    ".sealed .off,.padding .off,.tag .off,.tag .why{color:#eee}\n"
    "tr.changed td{font-weight:bold;text-decoration:underline wavy #d00}"
    "tr.changed td.off::before{content:'\\2605 '}\n"
    ".why{font:13px sans-serif;color:#333;max-width:30em}\n"
    "pre.hex span{padding:0}pre.hex span.ascii{background:none;color:#333}\n"
    ".changes li{color:#8a3a00;font-weight:bold}.size{color:#333}.missing{color:#b00020}\n"
    ".pair{display:flex;gap:1.5em;flex-wrap:wrap}.pair>div{flex:1 1 0;min-width:min(100%,44em)}\n"
    "table.back td{padding:.2em .6em}\n"
    "@media print{body{max-width:none;margin:0}section.hop{break-after:page;"
    "page-break-after:always;border:0}}\n";

int walk_html(const struct walk *w, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	char title[64];

	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f,
		"<!doctype html><html><head><meta charset=utf-8><title>tunlab: one ping, hop by "
		"hop</title><style>\n%s</style></head><body>\n<h1>One ping, hop by hop</h1>\n",
		style);
	fprintf(f,
		"<p>%s (%s) pings %s (%s) through the "
		"tunnel, in <b>%s</b> mode, %zu bytes. Colours: <span class='layer outer'>outer "
		"IP</span> <span class='layer udp'>UDP</span> %s<span class='layer inner'>inner "
		"IP</span> <span class='layer icmp'>ICMP</span> <span class='layer "
		"payload'>payload</span>. A starred, underlined field changed since the hop "
		"before.</p>\n",
		lab_name(&w->lab, w->lab.path[0].node), w->lab.at.client_vpn4,
		lab_name(&w->lab, w->lab.path[5].node), w->lab.at.target4, walk_mode(w), w->size,
		w->encrypted ? "<span class='layer wg'>WireGuard</span> <span class='layer "
			       "sealed'>ciphertext</span> <span class='layer "
			       "padding'>padding</span> <span class='layer tag'>tag</span> "
		: w->pi	     ? "<span class='layer pi'>PI header</span> "
			     : "");
	for (int i = 0; w->handshake && i < 2; i++)
		html_hop(f, w, &w->hs[i], i ? "Handshake response" : "Handshake initiation");
	for (int i = 0; i < HOPS; i++) {
		snprintf(title, sizeof(title), "Hop %d of %d", i + 1, HOPS);
		html_hop(f, w, &w->hops[i], title);
	}
	html_back(f, w);
	fputs("</body></html>\n", f);
	return fclose(f);
}
