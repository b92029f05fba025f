/*
 * The default lab, the one labs/home-office.yml describes, built without
 * reading the file.
 */
#ifndef TUNLAB_HARNESS_TOPO_DEFAULT_H
#define TUNLAB_HARNESS_TOPO_DEFAULT_H

#include "topo.h"

/* Fills t (topo_free releases it); 0, or -1 when memory ran out. */
int topo_home_office(struct topo *t);

#endif
