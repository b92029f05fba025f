/*
 * Where harness graph gets the topology it draws: a lab file, read and
 * checked as "up" and "validate" read it, or the default lab built into
 * the harness.
 */
#include "default_lab.h"
#include "graph.h"
#include "labfile.h"

#include <stdio.h>

int graph_load(const char *file, struct topo *t, char *err, size_t errlen)
{
	struct topo_errors e;
	int rc;

	topo_init(t);
	topo_errors_init(&e);
	rc = file ? labfile_load(file, t, &e) : default_lab_load(t, &e);
	/* Every fault on its own line, file:line:column first, as validate gives them. */
	if (rc) {
		for (size_t i = 0; i < e.n; i++)
			fprintf(stderr, "%s\n", e.v[i].line);
		if (e.dropped)
			fprintf(stderr, "%s: %zu more errors not shown\n",
				file ? file : DEFAULT_LAB_FILE, e.dropped);
	}
	if (errlen)
		err[0] = '\0'; /* said already */
	topo_errors_free(&e);
	return rc ? -1 : 0;
}
