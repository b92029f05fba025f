/* The default lab, labs/home-office.yml, read from the copy built into the harness. */
#ifndef TUNLAB_HARNESS_TOPO_DEFAULT_H
#define TUNLAB_HARNESS_TOPO_DEFAULT_H

#include "topo.h"

/* Fills t (topo_free releases it); 0, or -1 if it does not read. */
int topo_home_office(struct topo *t);

#endif
