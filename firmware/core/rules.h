/* core/rules: the eligibility rules as data (groups, conditions, validity, citations, documents). */
#ifndef SPEAN_CORE_RULES_H
#define SPEAN_CORE_RULES_H

#include <stddef.h>

#include "date.h"
#include "err.h"
#include "facts.h"

#define RULES_MAX_GROUPS 64
#define RULES_MAX_DOCS 8
#define RULES_MAX_NODES 4096

enum tri { TRI_NO = 0, TRI_MAYBE = 1, TRI_YES = 2 };

/* Expression node (the compiled form of a 'when' line). */
enum node_op {
	N_CONST, /* value = tri */
	N_IN,    /* fact's value in mask */
	N_CMP,   /* fact (FK_INT) or age compared with value */
	N_NOT,
	N_AND,
	N_OR,
};
enum cmp_op { CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_EQ, CMP_NE };
#define NODE_AGE (-2) /* pseudo-fact for N_CMP */

struct rule_node {
	unsigned char op;
	unsigned char cmp;
	short fact;
	int value;         /* N_CONST tri, N_CMP number */
	unsigned mask;     /* N_IN: bit i = value index i */
	int a, b;          /* children (node indices) */
};

/* One dated variant of a group (a group may change with the law: R05). */
struct rule_group {
	char id[16];
	char *name;
	char *cite;
	int when;                   /* root node */
	int has_from, has_to;
	struct date valid_from;     /* inclusive */
	struct date valid_to;       /* inclusive */
	int ndocs;
	char *docs[RULES_MAX_DOCS];
	int slot;                   /* index of the distinct group id (table order) */
	unsigned line;
};

struct rules {
	char *version;
	struct rule_node *nodes;
	int nnodes;
	struct rule_group *groups; /* variants in file order */
	int ngroups;
	int nslots;                /* distinct group ids */
	const char *slot_id[RULES_MAX_GROUPS];
	int scope_out;             /* root node */
	char *scope_cite;
	int urgent;                /* root node */
};

/*
 * Parse and validate a rules file. Errors: ERR_PARSE, d = "line N: reason".
 * The result is immutable and may be shared by threads.
 */
int rules_parse(const char *text, size_t len, struct rules **out, struct diag *d);
void rules_destroy(struct rules *r);

/* Is this dated variant in force on `on`? */
int rules_in_force(const struct rule_group *g, struct date on);

/* Evaluate one node under facts on date `on` (age computed from facts). */
enum tri rules_eval(const struct rules *r, int node, const struct facts *f, struct date on);

#endif
