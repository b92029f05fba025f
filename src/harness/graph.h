/*
 * The map of a lab, drawn from its topology: text for the terminal
 * (graph.c) and an SVG laid out by Graphviz (graph_svg.c).
 */
#ifndef TUNLAB_HARNESS_GRAPH_H
#define TUNLAB_HARNESS_GRAPH_H

#include "lib/term.h"
#include "topo.h"

#include <stddef.h>
#include <stdio.h>

/*
 * The map as text.  A chain (every node joined to the next by one link)
 * is drawn as a row of nodes joined by ───, each link's subnets, MTU and
 * impairments named above it, each node's interfaces and addresses
 * beneath it, and every tunnel as a ═══ line between its two ends.  Any
 * other shape is drawn as a tree from the first node, one branch a link.
 * Colour only through term.  0, or -1 (errno EINVAL) when the topology's
 * indexes do not hold together, before anything is written.
 */
int graph_ascii(const struct topo *t, const struct term *term, FILE *out);

/*
 * The map as an SVG file at path, laid out by Graphviz.  The file is
 * written whole under a temporary name in the same directory and then
 * renamed, so a reader never sees half of it; a symbolic link (or
 * anything but a regular file) at path is refused, never written through.
 * 0, or -1 with one line in err.
 */
int graph_svg(const struct topo *t, const char *path, char *err, size_t errlen);

/* The topology as JSON, one object and a newline. */
void graph_json(const struct topo *t, FILE *out);

/* Whether every index in t (link ends, tunnel members, roles) is in range. */
bool graph_sane(const struct topo *t);

/*
 * What a link carries besides its ends: "mtu 1492", "delay 20ms",
 * "loss 1%", "rate 10mbit", "reorder 5%", "block-icmp", those that are set,
 * into notes[max][32]; returns how many.
 */
int graph_link_notes(const struct topo_link *l, char (*notes)[32], int max);

/* "192.168.1.0/24" for "192.168.1.192/24"; -1 if cidr is not a prefix. */
int graph_subnet(const char *cidr, char *out, size_t cap);

/* "vpn: UDP 1234, encrypted". */
void graph_tunnel_text(const struct topo_tunnel *tu, char *out, size_t cap);

/*
 * The topology graph draws: the lab file at file, or with file NULL the
 * default lab.  0, or -1 with one line in err; t is freed by topo_free
 * either way.
 */
int graph_load(const char *file, struct topo *t, char *err, size_t errlen);

#endif
