#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "mem.h"

/* ---- expression parser ------------------------------------------------ */

struct defname {
	char name[32];
	int node;
};

/*
 * Limits that keep hostile or broken rules files from crashing or hanging the
 * kiosk: parentheses and 'not' recurse in the parser (RULES_MAX_DEPTH), and
 * a [define] is a shared subtree that rules_eval walks once per use, so
 * "D2 = D1 and D1", "D3 = D2 and D2", ... doubles the work per line: a
 * condition's size with definitions expanded is capped at RULES_MAX_NODES.
 * Real rules stay far below both.
 */
#define RULES_MAX_DEPTH 100

struct pstate {
	struct rules *r;
	const char *p, *end;
	struct diag *d;
	unsigned line;
	const char *what; /* key being parsed, for messages */
	struct defname *defs;
	int ndefs;
	int failed;
	int depth;    /* open '(' and 'not' */
	int *size;    /* per node: nodes rules_eval visits at most (definitions expanded) */
};

static int fail(struct pstate *s, const char *fmt, const char *tok, size_t n)
{
	if (!s->failed) {
		char m[160];
		snprintf(m, sizeof m, fmt, utf8_prefix(tok, n, 40), tok);
		diag_set(s->d, "line %u: in '%s': %s", s->line, s->what, m);
	}
	s->failed = 1;
	return -1;
}

static int new_node(struct pstate *s, struct rule_node n)
{
	struct rules *r = s->r;
	if (r->nnodes >= RULES_MAX_NODES)
		return fail(s, "too many conditions%.*s", "", 0);
	int size = 1;
	if (n.op == N_NOT || n.op == N_AND || n.op == N_OR)
		size += s->size[n.a];
	if (n.op == N_AND || n.op == N_OR)
		size += s->size[n.b];
	if (size > RULES_MAX_NODES)
		return fail(s, "condition too large once definitions are expanded%.*s", "", 0);
	r->nodes = xrealloc(r->nodes, sizeof *r->nodes * (size_t)(r->nnodes + 1));
	r->nodes[r->nnodes] = n;
	s->size = xrealloc(s->size, sizeof *s->size * (size_t)(r->nnodes + 1));
	s->size[r->nnodes] = size;
	return r->nnodes++;
}

static void skip_ws(struct pstate *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Next identifier or number; returns length (0 if none). */
static size_t word(struct pstate *s, const char **w)
{
	skip_ws(s);
	*w = s->p;
	while (s->p < s->end && is_ident(*s->p))
		s->p++;
	return (size_t)(s->p - *w);
}

static int peek_word(struct pstate *s, const char *kw)
{
	skip_ws(s);
	size_t n = strlen(kw);
	return (size_t)(s->end - s->p) >= n && !memcmp(s->p, kw, n) &&
	       (s->p + n == s->end || !is_ident(s->p[n]));
}

static int accept(struct pstate *s, const char *tok)
{
	skip_ws(s);
	size_t n = strlen(tok);
	if ((size_t)(s->end - s->p) >= n && !memcmp(s->p, tok, n)) {
		s->p += n;
		return 1;
	}
	return 0;
}

static int parse_or(struct pstate *s);

static int parse_number(struct pstate *s, int *out)
{
	const char *w;
	size_t n = word(s, &w);
	if (n == 0 || n > 6)
		return fail(s, "expected a number near '%.*s'", w, (size_t)(s->end - w));
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return fail(s, "expected a number, got '%.*s'", w, n);
		v = v * 10 + (w[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_cmp_op(struct pstate *s, int *op)
{
	if (accept(s, "<="))
		*op = CMP_LE;
	else if (accept(s, ">="))
		*op = CMP_GE;
	else if (accept(s, "!="))
		*op = CMP_NE;
	else if (accept(s, "<"))
		*op = CMP_LT;
	else if (accept(s, ">"))
		*op = CMP_GT;
	else if (accept(s, "="))
		*op = CMP_EQ;
	else
		return fail(s, "expected a comparison (<, <=, >, >=, =, !=) near '%.*s'", s->p,
			    (size_t)(s->end - s->p));
	return 0;
}

static int parse_value_mask(struct pstate *s, int fact, unsigned *mask)
{
	const char *w;
	size_t n = word(s, &w);
	int v = n ? fact_value_find((enum fact_id)fact, w, n) : -1;
	if (v < 0)
		return fail(s, "'%.*s' is not a value of this fact", w, n);
	*mask |= 1u << v;
	return 0;
}

static int parse_atom(struct pstate *s)
{
	if (s->failed)
		return -1;
	if (accept(s, "(")) {
		if (s->depth >= RULES_MAX_DEPTH)
			return fail(s, "nested more than 100 deep%.*s", "", 0);
		s->depth++;
		int n = parse_or(s);
		s->depth--;
		if (n < 0)
			return -1;
		if (!accept(s, ")"))
			return fail(s, "expected ')' near '%.*s'", s->p, (size_t)(s->end - s->p));
		return n;
	}
	const char *w;
	size_t n = word(s, &w);
	if (n == 0 && w == s->end)
		return fail(s, "expected a condition at the end of the line%.*s", "", 0);
	if (n == 0)
		return fail(s, "expected a condition near '%.*s'", w, (size_t)(s->end - w));
	if (kv_eq(w, n, "undecided"))
		return new_node(s, (struct rule_node){.op = N_CONST, .value = TRI_MAYBE});
	if (kv_eq(w, n, "age")) {
		int op, v;
		if (parse_cmp_op(s, &op) || parse_number(s, &v))
			return -1;
		return new_node(s, (struct rule_node){.op = N_CMP, .cmp = (unsigned char)op, .fact = NODE_AGE, .value = v});
	}
	for (int i = 0; i < s->ndefs; i++)
		if (kv_eq(w, n, s->defs[i].name))
			return s->defs[i].node;
	int fact = fact_find(w, n);
	if (fact < 0)
		return fail(s, "unknown fact or definition '%.*s'", w, n);
	const struct fact_def *fd = fact_def((enum fact_id)fact);
	if (fd->kind == FK_DATE)
		return fail(s, "'%.*s' is a date: compare 'age' instead", w, n);
	if (fd->kind == FK_INT) {
		int op, v;
		if (parse_cmp_op(s, &op) || parse_number(s, &v))
			return -1;
		return new_node(s, (struct rule_node){.op = N_CMP, .cmp = (unsigned char)op, .fact = (short)fact, .value = v});
	}
	unsigned mask = 0;
	int negate = 0;
	if (peek_word(s, "in")) {
		s->p += 2;
		if (!accept(s, "{"))
			return fail(s, "expected '{' after 'in'%.*s", "", 0);
		do {
			if (parse_value_mask(s, fact, &mask))
				return -1;
		} while (accept(s, ","));
		if (!accept(s, "}"))
			return fail(s, "expected '}' near '%.*s'", s->p, (size_t)(s->end - s->p));
	} else if (accept(s, "!=")) {
		negate = 1;
		if (parse_value_mask(s, fact, &mask))
			return -1;
	} else if (accept(s, "=")) {
		if (parse_value_mask(s, fact, &mask))
			return -1;
	} else {
		/* A bare yes/no fact means "= yes". */
		int yes = fact_value_find((enum fact_id)fact, "yes", 3);
		if (yes < 0)
			return fail(s, "'%.*s' is not a yes/no fact: use '= value' or 'in {...}'", w, n);
		mask = 1u << yes;
	}
	if (negate)
		mask = ~mask & ((1u << fd->nvalues) - 1);
	return new_node(s, (struct rule_node){.op = N_IN, .fact = (short)fact, .mask = mask});
}

static int parse_not(struct pstate *s)
{
	if (peek_word(s, "not")) {
		s->p += 3;
		if (s->depth >= RULES_MAX_DEPTH)
			return fail(s, "nested more than 100 deep%.*s", "", 0);
		s->depth++;
		int a = parse_not(s);
		s->depth--;
		if (a < 0)
			return -1;
		return new_node(s, (struct rule_node){.op = N_NOT, .a = a});
	}
	return parse_atom(s);
}

static int parse_and(struct pstate *s)
{
	int a = parse_not(s);
	while (a >= 0 && peek_word(s, "and")) {
		s->p += 3;
		int b = parse_not(s);
		if (b < 0)
			return -1;
		a = new_node(s, (struct rule_node){.op = N_AND, .a = a, .b = b});
	}
	return a;
}

static int parse_or(struct pstate *s)
{
	int a = parse_and(s);
	while (a >= 0 && peek_word(s, "or")) {
		s->p += 2;
		int b = parse_and(s);
		if (b < 0)
			return -1;
		a = new_node(s, (struct rule_node){.op = N_OR, .a = a, .b = b});
	}
	return a;
}

static int parse_expr(struct pstate *s, const char *v, size_t n, unsigned line, const char *what)
{
	s->p = v;
	s->end = v + n;
	s->line = line;
	s->what = what;
	int root = parse_or(s);
	if (root < 0)
		return -1;
	skip_ws(s);
	if (s->p != s->end)
		return fail(s, "unexpected '%.*s'", s->p, (size_t)(s->end - s->p));
	return root;
}

/* ---- evaluation (Kleene logic) ------------------------------------------ */

static enum tri cmp_int(int a, int op, int b)
{
	int r = 0;
	switch (op) {
	case CMP_LT: r = a < b; break;
	case CMP_LE: r = a <= b; break;
	case CMP_GT: r = a > b; break;
	case CMP_GE: r = a >= b; break;
	case CMP_EQ: r = a == b; break;
	case CMP_NE: r = a != b; break;
	}
	return r ? TRI_YES : TRI_NO;
}

enum tri rules_eval(const struct rules *r, int node, const struct facts *f, struct date on)
{
	const struct rule_node *n = &r->nodes[node];
	switch ((enum node_op)n->op) {
	case N_CONST:
		return (enum tri)n->value;
	case N_IN: {
		if (!facts_known(f, (enum fact_id)n->fact)) {
			unsigned all = (1u << fact_def((enum fact_id)n->fact)->nvalues) - 1;
			if (n->mask == 0)
				return TRI_NO;
			return (n->mask & all) == all ? TRI_YES : TRI_MAYBE;
		}
		return (n->mask >> f->val[n->fact]) & 1 ? TRI_YES : TRI_NO;
	}
	case N_CMP:
		if (n->fact == NODE_AGE) {
			if (!facts_known(f, F_BIRTH_DATE))
				return TRI_MAYBE;
			/* A partial birth date allows a range of ages: yes if the comparison holds for every one. */
			int lo, hi, holds = 0;
			if (date_age_range(f->birth_date, on, &lo, &hi))
				return TRI_MAYBE;
			for (int a = lo; a <= hi; a++)
				holds += cmp_int(a, n->cmp, n->value) == TRI_YES;
			return holds == 0 ? TRI_NO : holds == hi - lo + 1 ? TRI_YES : TRI_MAYBE;
		}
		if (!facts_known(f, (enum fact_id)n->fact))
			return TRI_MAYBE;
		return cmp_int(f->val[n->fact], n->cmp, n->value);
	case N_NOT:
		return (enum tri)(TRI_YES - rules_eval(r, n->a, f, on));
	case N_AND: {
		enum tri a = rules_eval(r, n->a, f, on);
		if (a == TRI_NO)
			return TRI_NO;
		enum tri b = rules_eval(r, n->b, f, on);
		return a < b ? a : b;
	}
	case N_OR: {
		enum tri a = rules_eval(r, n->a, f, on);
		if (a == TRI_YES)
			return TRI_YES;
		enum tri b = rules_eval(r, n->b, f, on);
		return a > b ? a : b;
	}
	}
	return TRI_MAYBE;
}

/* ---- file parser --------------------------------------------------------- */

enum section { SEC_TOP, SEC_DEFINE, SEC_SCOPE, SEC_URGENT, SEC_GROUP };

struct field {
	const char *key;
	int required;
	const char *v;
	size_t n;
	unsigned line;
};

static const char *const section_keys[][6] = {
	[SEC_TOP] = {"version", NULL},
	[SEC_DEFINE] = {"when", "cite", NULL},
	[SEC_SCOPE] = {"out_when", "cite", NULL},
	[SEC_URGENT] = {"when", "cite", NULL},
	[SEC_GROUP] = {"name", "cite", "when", "valid_from", "valid_to", "documents"},
};
static const int section_required[][6] = {
	[SEC_TOP] = {1},
	[SEC_DEFINE] = {1, 1},
	[SEC_SCOPE] = {1, 1},
	[SEC_URGENT] = {1, 1},
	[SEC_GROUP] = {1, 1, 1, 0, 0, 1},
};

struct section_state {
	enum section kind;
	unsigned line;
	char arg[32];
	struct field f[6];
	int nkeys;
};

static const char *section_name(enum section k)
{
	static const char *n[] = {"top of file", "define", "scope", "urgent", "group"};
	return n[k];
}

static int valid_group_id(const char *s, size_t n)
{
	if (n == 0 || n >= 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static char *dupfield(const struct field *f)
{
	return xstrndup(f->v, f->n);
}

static int finish_section(struct pstate *s, struct section_state *sec, int *seen_scope,
			  int *seen_urgent)
{
	struct rules *r = s->r;
	for (int i = 0; i < sec->nkeys; i++) {
		if (section_required[sec->kind][i] && !sec->f[i].v) {
			if (sec->kind == SEC_TOP)
				diag_set(s->d, "line %u: missing '%s' before the first section", sec->line ? sec->line : 1,
					 sec->f[i].key);
			else
				diag_set(s->d, "line %u: [%s%s%s] is missing '%s'", sec->line, section_name(sec->kind),
					 sec->arg[0] ? " " : "", sec->arg, sec->f[i].key);
			return ERR_PARSE;
		}
		if (sec->f[i].v && sec->f[i].n == 0 && sec->kind != SEC_TOP) {
			diag_set(s->d, "line %u: '%s' is empty", sec->f[i].line, sec->f[i].key);
			return ERR_PARSE;
		}
	}
	switch (sec->kind) {
	case SEC_TOP:
		if (sec->f[0].n == 0 || sec->f[0].n > 64) {
			diag_set(s->d, "line %u: 'version' must be 1 to 64 characters", sec->f[0].line);
			return ERR_PARSE;
		}
		r->version = dupfield(&sec->f[0]);
		return 0;
	case SEC_DEFINE: {
		int node = parse_expr(s, sec->f[0].v, sec->f[0].n, sec->f[0].line, "when");
		if (node < 0)
			return ERR_PARSE;
		s->defs = xrealloc(s->defs, sizeof *s->defs * (size_t)(s->ndefs + 1));
		snprintf(s->defs[s->ndefs].name, sizeof s->defs[0].name, "%s", sec->arg);
		s->defs[s->ndefs++].node = node;
		return 0;
	}
	case SEC_SCOPE:
		if ((*seen_scope)++) {
			diag_set(s->d, "line %u: a second [scope] section", sec->line);
			return ERR_PARSE;
		}
		r->scope_out = parse_expr(s, sec->f[0].v, sec->f[0].n, sec->f[0].line, "out_when");
		if (r->scope_out < 0)
			return ERR_PARSE;
		r->scope_cite = dupfield(&sec->f[1]);
		return 0;
	case SEC_URGENT:
		if ((*seen_urgent)++) {
			diag_set(s->d, "line %u: a second [urgent] section", sec->line);
			return ERR_PARSE;
		}
		r->urgent = parse_expr(s, sec->f[0].v, sec->f[0].n, sec->f[0].line, "when");
		return r->urgent < 0 ? ERR_PARSE : 0;
	case SEC_GROUP: {
		struct rule_group g;
		memset(&g, 0, sizeof g);
		snprintf(g.id, sizeof g.id, "%.15s", sec->arg);
		g.line = sec->line;
		g.when = parse_expr(s, sec->f[2].v, sec->f[2].n, sec->f[2].line, "when");
		if (g.when < 0)
			return ERR_PARSE;
		for (int k = 3; k <= 4; k++) {
			if (!sec->f[k].v)
				continue;
			struct date *dt = k == 3 ? &g.valid_from : &g.valid_to;
			if (date_parse(sec->f[k].v, sec->f[k].n, dt)) {
				diag_set(s->d, "line %u: bad date in '%s' (want YYYY-MM-DD)", sec->f[k].line, sec->f[k].key);
				return ERR_PARSE;
			}
			*(k == 3 ? &g.has_from : &g.has_to) = 1;
		}
		if (g.has_from && g.has_to && date_cmp(g.valid_from, g.valid_to) > 0) {
			diag_set(s->d, "line %u: valid_from is after valid_to", sec->f[3].line);
			return ERR_PARSE;
		}
		/* documents: comma-separated DOC_ codes */
		const char *p = sec->f[5].v, *e = p + sec->f[5].n;
		while (p < e) {
			const char *c = memchr(p, ',', (size_t)(e - p));
			const char *q = c ? c : e, *b = p;
			while (b < q && (*b == ' ' || *b == '\t'))
				b++;
			while (q > b && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			int ok = q - b >= 5 && q - b < 48 && !memcmp(b, "DOC_", 4);
			for (const char *t = b; ok && t < q; t++)
				ok = (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') || *t == '_';
			if (!ok) {
				diag_set(s->d, "line %u: document codes look like DOC_NAME (A-Z, 0-9, _), got '%.*s'",
					 sec->f[5].line, (int)(q - b > 40 ? 40 : q - b), b);
				goto docfail;
			}
			if (g.ndocs == RULES_MAX_DOCS) {
				diag_set(s->d, "line %u: more than %d documents", sec->f[5].line, RULES_MAX_DOCS);
				goto docfail;
			}
			g.docs[g.ndocs++] = xstrndup(b, (size_t)(q - b));
			p = c ? c + 1 : e;
		}
		/* Same id again: a dated variant; windows must not overlap. */
		g.slot = -1;
		for (int i = 0; i < r->ngroups; i++) {
			const struct rule_group *o = &r->groups[i];
			if (strcmp(o->id, g.id))
				continue;
			g.slot = o->slot;
			int before = g.has_to && o->has_from && date_cmp(g.valid_to, o->valid_from) < 0;
			int after = g.has_from && o->has_to && date_cmp(g.valid_from, o->valid_to) > 0;
			if (!before && !after) {
				diag_set(s->d, "line %u: [group %s] overlaps the validity of the one on line %u", sec->line,
					 g.id, o->line);
				goto docfail;
			}
		}
		if (g.slot < 0) {
			if (r->nslots == RULES_MAX_GROUPS) {
				diag_set(s->d, "line %u: more than %d groups", sec->line, RULES_MAX_GROUPS);
				goto docfail;
			}
			g.slot = r->nslots++;
		}
		g.name = dupfield(&sec->f[0]);
		g.cite = dupfield(&sec->f[1]);
		r->groups = xrealloc(r->groups, sizeof *r->groups * (size_t)(r->ngroups + 1));
		r->groups[r->ngroups++] = g;
		r->slot_id[g.slot] = r->groups[r->ngroups - 1].id;
		/* slot_id points into groups[], which moves on realloc: refresh all. */
		for (int i = 0; i < r->ngroups; i++)
			r->slot_id[r->groups[i].slot] = r->groups[i].id;
		return 0;
	docfail:
		for (int i = 0; i < g.ndocs; i++)
			free(g.docs[i]);
		return ERR_PARSE;
	}
	}
	return 0;
}

static void start_section(struct section_state *sec, enum section kind, unsigned line)
{
	memset(sec, 0, sizeof *sec);
	sec->kind = kind;
	sec->line = line;
	for (int i = 0; i < 6 && section_keys[kind][i]; i++) {
		sec->f[i].key = section_keys[kind][i];
		sec->nkeys = i + 1;
	}
}

int rules_parse(const char *text, size_t len, struct rules **out, struct diag *d)
{
	struct rules *r = xcalloc(1, sizeof *r);
	struct pstate s = {.r = r, .d = d};
	struct section_state sec;
	struct kv_reader rd;
	struct kv_item it;
	int rc, seen_scope = 0, seen_urgent = 0;
	r->scope_out = r->urgent = -1;
	start_section(&sec, SEC_TOP, 0);
	kv_reader_init(&rd, text, len, KV_SECTIONS);
	while ((rc = kv_next(&rd, &it, d)) > 0) {
		if (it.is_section) {
			if ((rc = finish_section(&s, &sec, &seen_scope, &seen_urgent)))
				goto fail;
			const char *sp = memchr(it.key, ' ', it.key_len);
			size_t wn = sp ? (size_t)(sp - it.key) : it.key_len;
			const char *arg = sp ? sp + 1 : it.key + it.key_len;
			size_t an = (size_t)(it.key + it.key_len - arg);
			while (an && *arg == ' ')
				arg++, an--;
			enum section k;
			if (kv_eq(it.key, wn, "group"))
				k = SEC_GROUP;
			else if (kv_eq(it.key, wn, "define"))
				k = SEC_DEFINE;
			else if (kv_eq(it.key, wn, "scope"))
				k = SEC_SCOPE;
			else if (kv_eq(it.key, wn, "urgent"))
				k = SEC_URGENT;
			else {
				diag_set(d, "line %u: unknown section '[%.*s]' (want group, define, scope or urgent)", it.line,
					 (int)(wn > 40 ? 40 : wn), it.key);
				rc = ERR_PARSE;
				goto fail;
			}
			if ((k == SEC_GROUP || k == SEC_DEFINE) != (an > 0)) {
				diag_set(d, "line %u: [%s] %s", it.line, section_name(k),
					 an ? "takes no name" : "needs a name, e.g. [group R01]");
				rc = ERR_PARSE;
				goto fail;
			}
			if (k == SEC_GROUP && !valid_group_id(arg, an)) {
				diag_set(d, "line %u: group ids use A-Z, 0-9 and _ (at most 15)", it.line);
				rc = ERR_PARSE;
				goto fail;
			}
			if (k == SEC_DEFINE) {
				int ok = an > 0 && an < 32 && !(arg[0] >= '0' && arg[0] <= '9');
				for (size_t i = 0; ok && i < an; i++)
					ok = (arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= '0' && arg[i] <= '9') || arg[i] == '_';
				if (!ok || fact_find(arg, an) >= 0) {
					diag_set(d, "line %u: definition names use A-Z, 0-9 and _ (e.g. FD)", it.line);
					rc = ERR_PARSE;
					goto fail;
				}
				for (int i = 0; i < s.ndefs; i++)
					if (kv_eq(arg, an, s.defs[i].name)) {
						diag_set(d, "line %u: '%s' is defined twice", it.line, s.defs[i].name);
						rc = ERR_PARSE;
						goto fail;
					}
			}
			start_section(&sec, k, it.line);
			snprintf(sec.arg, sizeof sec.arg, "%.*s", (int)(an > 31 ? 31 : an), arg);
			continue;
		}
		int idx = -1;
		for (int i = 0; i < sec.nkeys; i++)
			if (kv_eq(it.key, it.key_len, sec.f[i].key))
				idx = i;
		if (idx < 0) {
			struct buf allowed;
			buf_init(&allowed);
			for (int i = 0; i < sec.nkeys; i++)
				buf_printf(&allowed, "%s%s", i ? ", " : "", sec.f[i].key);
			diag_set(d, "line %u: unknown key '%.*s' in %s (allowed: %s)", it.line,
				 (int)(it.key_len > 40 ? 40 : it.key_len), it.key, section_name(sec.kind), allowed.data);
			buf_finish(&allowed);
			rc = ERR_PARSE;
			goto fail;
		}
		if (sec.f[idx].v) {
			diag_set(d, "line %u: duplicate key '%s' (first on line %u)", it.line, sec.f[idx].key,
				 sec.f[idx].line);
			rc = ERR_PARSE;
			goto fail;
		}
		sec.f[idx].v = it.value;
		sec.f[idx].n = it.value_len;
		sec.f[idx].line = it.line;
	}
	if (rc < 0)
		goto fail;
	if ((rc = finish_section(&s, &sec, &seen_scope, &seen_urgent)))
		goto fail;
	if (!r->version) {
		diag_set(d, "line 1: missing 'version' before the first section");
		rc = ERR_PARSE;
		goto fail;
	}
	if (r->scope_out < 0 || r->urgent < 0 || r->ngroups == 0) {
		diag_set(d, "line %u: the rules need a [scope], an [urgent] and at least one [group] section",
			 rd.line);
		rc = ERR_PARSE;
		goto fail;
	}
	free(s.defs);
	free(s.size);
	*out = r;
	return 0;
fail:
	free(s.defs);
	free(s.size);
	rules_destroy(r);
	*out = NULL;
	return rc ? rc : ERR_PARSE;
}

void rules_destroy(struct rules *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ngroups; i++) {
		free(r->groups[i].name);
		free(r->groups[i].cite);
		for (int k = 0; k < r->groups[i].ndocs; k++)
			free(r->groups[i].docs[k]);
	}
	free(r->groups);
	free(r->nodes);
	free(r->version);
	free(r->scope_cite);
	free(r);
}
