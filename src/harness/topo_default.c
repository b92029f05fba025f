#include "topo_default.h"
#include "default_lab.h"

/*
 * The default lab, labs/home-office.yml, as the harness has it built in:
 * one source, the file, for the lab and for the tests of what is found
 * from it (the walkthrough's points, the addresses the commands name).
 */
int topo_home_office(struct topo *t)
{
	struct topo_errors e;
	int rc;

	topo_init(t);
	topo_errors_init(&e);
	rc = default_lab_load(t, &e);
	topo_errors_free(&e);
	return rc;
}
