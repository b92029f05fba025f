/* How the walkthrough shows a hop: in the terminal, and as one HTML page. */
#include "walkthrough.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	const struct layer *l = layer_find(&h->layers, "inner IPv4");

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

void walk_changes(struct walk *w)
{
	for (int i = 0; i < HOPS; i++) {
		struct hop_view *h = &w->hops[i];
		const struct hop_view *p = i ? &w->hops[i - 1] : NULL;
		const struct layer *in = inner_ip(h), *pin = p ? inner_ip(p) : NULL;

		h->nchanges = 0;
		if (!h->seen || !p || !p->seen)
			continue;
		if (h->layers.tunnel && !p->layers.tunnel)
			change(h,
			       "encapsulation added: the whole packet is now the payload of a UDP "
			       "datagram%s",
			       w->pi ? ", behind the 4-byte PI header" : "");
		if (!h->layers.tunnel && p->layers.tunnel)
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
	if (!strcmp(name, "PI header"))
		return C_YELLOW;
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

static void hexdump(const struct term *t, const struct hop_view *h, FILE *f)
{
	for (size_t row = 0; row < h->len; row += 16) {
		fprintf(f, "    %04zx ", row);
		for (size_t i = row; i < row + 16 && i < h->len; i++) {
			int k = layer_at(&h->layers, i);
			enum term_color c = k < 0 ? C_RESET : layer_color(h->layers.layer[k].name);
			fprintf(f, " %s%02x%s", term_c(t, c), h->pkt[i], term_c(t, C_RESET));
		}
		fprintf(f, "%*s  ", (int)(3 * (16 - (h->len - row < 16 ? h->len - row : 16))), "");
		for (size_t i = row; i < row + 16 && i < h->len; i++)
			fputc(h->pkt[i] >= 32 && h->pkt[i] < 127 ? h->pkt[i] : '.', f);
		fputc('\n', f);
	}
}

static void arithmetic(const struct walk *w, const struct hop_view *h, FILE *f)
{
	const struct layer *in = inner_ip(h);
	const char *inner_len = field_value(in, "total length");

	if (!h->layers.tunnel || !inner_len) {
		fprintf(f, "  size: %zu bytes, the ping as it was sent\n", h->len);
		return;
	}
	fprintf(f,
		"  size: %s (the ping) + %s8 (UDP) + 20 (outer IPv4) = %zu bytes: the tunnel "
		"costs %d\n",
		inner_len, w->pi ? "4 (PI header) + " : "", h->len, w->pi ? 32 : 28);
}

/* Words to lines of at most width columns, each indented. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
	int col = 0;

	while (*text) {
		int word = (int)strcspn(text, " ");

		if (col && col + 1 + word > width) {
			fputc('\n', f);
			col = 0;
		}
		if (!col)
			col = fprintf(f, "%*s", indent, "");
		else
			col += fprintf(f, " ");
		col += fprintf(f, "%.*s", word, text);
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void walk_print_hop(const struct walk *w, int i, FILE *f)
{
	const struct term *t = &w->lab.term;
	const struct hop_view *h = &w->hops[i];

	fprintf(f, "\n%s-- hop %d of %d: %s %s\n", term_c(t, C_BOLD), i + 1, HOPS, h->point,
		term_c(t, C_RESET));
	wrap(f, h->story, 2, 78);
	if (!h->seen) {
		fprintf(f, "  %s(the ping was not seen here)%s\n", term_c(t, C_RED),
			term_c(t, C_RESET));
		return;
	}
	for (int c = 0; c < h->nchanges; c++)
		fprintf(f, "  %s* %s%s\n", term_c(t, C_YELLOW), h->changes[c], term_c(t, C_RESET));
	fprintf(f, "  %s%-9s %-22s %s%s\n", term_c(t, C_DIM), "offset", "field", "value",
		term_c(t, C_RESET));
	for (int k = 0; k < h->layers.n; k++) {
		const struct layer *y = &h->layers.layer[k];
		enum term_color c = layer_color(y->name);

		fprintf(f, "  %s%3zu-%-5zu %s (%zu bytes)%s\n", term_c(t, c), y->offset,
			y->offset + y->len - 1, y->name, y->len, term_c(t, C_RESET));
		for (int n = 0; n < y->nfields; n++)
			fprintf(f, "  %5zu     %-22s %s\n", y->fields[n].offset, y->fields[n].name,
				y->fields[n].value);
	}
	hexdump(t, h, f);
	arithmetic(w, h, f);
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
	if (strstr(name, "IPv"))
		return "inner";
	if (!strcmp(name, "payload"))
		return "payload";
	return "icmp";
}

static void html_hop(FILE *f, const struct walk *w, int i)
{
	const struct hop_view *h = &w->hops[i];

	fprintf(f, "<section><h2>Hop %d of %d: <code>%s</code></h2>\n<p>", i + 1, HOPS, h->point);
	html_escape(f, h->story);
	fputs("</p>\n<ul class=changes>", f);
	for (int c = 0; c < h->nchanges; c++) {
		fputs("<li>", f);
		html_escape(f, h->changes[c]);
		fputs("</li>", f);
	}
	fputs("</ul>\n<div class=stack>", f);
	for (int k = 0; k < h->layers.n; k++) {
		const struct layer *y = &h->layers.layer[k];

		fprintf(f,
			"<div class='layer %s'><b>%s</b> <small>bytes %zu&ndash;%zu</small><table>",
			html_class(y->name), y->name, y->offset, y->offset + y->len - 1);
		for (int n = 0; n < y->nfields; n++) {
			fprintf(f, "<tr><td class=off>%zu</td><td>", y->fields[n].offset);
			html_escape(f, y->fields[n].name);
			fputs("</td><td>", f);
			html_escape(f, y->fields[n].value);
			fputs("</td></tr>", f);
		}
		fputs("</table></div>", f);
	}
	fputs("</div>\n<pre class=hex>", f);
	for (size_t row = 0; row < h->len; row += 16) {
		fprintf(f, "%04zx ", row);
		for (size_t b = row; b < row + 16 && b < h->len; b++) {
			int k = layer_at(&h->layers, b);

			fprintf(f, " <span class=%s>%02x</span>",
				k < 0 ? "payload" : html_class(h->layers.layer[k].name), h->pkt[b]);
		}
		fputc('\n', f);
	}
	fprintf(f, "</pre><p class=size>%zu bytes on this link</p></section>\n", h->len);
}

int walk_html(const struct walk *w, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fputs(
	    "<!doctype html><html><head><meta charset=utf-8><title>tunlab: one ping, hop by "
	    "hop</title><style>\n"
	    "body{font:15px/1.4 sans-serif;max-width:60em;margin:2em auto;color:#222}\n"
	    "code,pre,td{font-family:monospace}section{border-top:2px solid #ddd;margin-top:2em}\n"
	    ".stack{display:flex;flex-wrap:wrap;gap:.4em}.layer{border-radius:6px;padding:.4em "
	    ".6em}\n"
	    ".layer table{border-collapse:collapse}.layer td{padding:0 .5em 0 0}.off{color:#666}\n"
	    ".outer{background:#cfe0ff}.udp{background:#f3d1f7}.pi{background:#fff1a8}\n"
	    ".inner{background:#c9f1f1}.icmp{background:#d3f5cf}.payload{background:#eee}\n"
	    "pre.hex span{padding:0 1px}.changes li{color:#8a5a00}.size{color:#555}\n"
	    "</style></head><body>\n<h1>One ping, hop by hop</h1>\n",
	    f);
	fprintf(f,
		"<p>home-laptop (172.31.255.7) pings office-host (172.31.9.200) through the "
		"tunnel, in <b>%s</b> mode. Colours: <span class='layer outer'>outer IP</span> "
		"<span class='layer udp'>UDP</span> <span class='layer pi'>PI header</span> "
		"<span class='layer inner'>inner IP</span> <span class='layer icmp'>ICMP</span> "
		"<span class='layer payload'>payload</span></p>\n",
		w->pi ? "pi" : "plaintext");
	for (int i = 0; i < HOPS; i++)
		html_hop(f, w, i);
	fputs("</body></html>\n", f);
	return fclose(f);
}
