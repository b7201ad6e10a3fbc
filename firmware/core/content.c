#include "content.h"
#include "contentpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "mem.h"
#include "screen.h"
#include "utf8.h"

struct catalog {
	size_t n;
	char **keys;
	char **values;
};

int catalog_parse(const char *text, size_t len, struct catalog **out, struct diag *d)
{
	struct catalog *c = xcalloc(1, sizeof *c);
	struct kv_reader r;
	struct kv_item it;
	int rc;
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, d)) > 0) {
		for (size_t i = 0; i < c->n; i++)
			if (kv_eq(it.key, it.key_len, c->keys[i])) {
				diag_set(d, "line %u: duplicate key '%s'", it.line, c->keys[i]);
				rc = ERR_PARSE;
				goto fail;
			}
		if (it.value_len == 0 || it.value_len > CONTENT_MAX_STRING) {
			diag_set(d, "line %u: %s text for '%.*s' (at most %d bytes)", it.line, it.value_len ? "too long a" : "empty",
				 utf8_prefix(it.key, it.key_len, 60), it.key, CONTENT_MAX_STRING);
			rc = ERR_PARSE;
			goto fail;
		}
		c->keys = xrealloc(c->keys, sizeof *c->keys * (c->n + 1));
		c->values = xrealloc(c->values, sizeof *c->values * (c->n + 1));
		c->keys[c->n] = xstrndup(it.key, it.key_len);
		c->values[c->n] = xstrndup(it.value, it.value_len);
		c->n++;
	}
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	catalog_destroy(c);
	*out = NULL;
	return rc;
}

void catalog_destroy(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->values[i]);
	}
	free(c->keys);
	free(c->values);
	free(c);
}

const char *catalog_get(const struct catalog *c, const char *key)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->keys[i], key))
			return c->values[i];
	return NULL;
}

size_t catalog_count(const struct catalog *c)
{
	return c ? c->n : 0;
}

const char *catalog_key(const struct catalog *c, size_t i)
{
	return c->keys[i];
}

const char *catalog_value(const struct catalog *c, size_t i)
{
	return c->values[i];
}

const char *const content_answer_symbol[ANSWER_SYMBOLS] = {"answer_yes", "answer_no", "answer_unknown"};

static int copy_field(char *dst, size_t n, const struct kv_item *it, struct diag *d)
{
	if (it->value_len == 0 || it->value_len >= n) {
		diag_set(d, "line %u: '%.*s' must be 1 to %zu characters", it->line, (int)it->key_len, it->key, n - 1);
		return ERR_PARSE;
	}
	memcpy(dst, it->value, it->value_len);
	dst[it->value_len] = '\0';
	return 0;
}

/* A gate's "no" not given yet (FACT_UNKNOWN is a legal "no"). */
#define GATE_NO_MISSING (-2)

/*
 * Resolve what each answer opens: the question exists, comes later in the file, asks the same fact,
 * and only one answer opens it. Then no fact may be asked by two sequences.
 */
static int link_questions(struct content *c, struct diag *d)
{
	for (int i = 0; i < c->nquestions; i++) {
		struct question *q = &c->q[i];
		for (int j = 0; j < q->nchoice; j++) {
			struct question_choice *ch = &q->choice[j];
			if (ch->value >= 0)
				continue;
			int t = -1;
			for (int k = 0; k < c->nquestions; k++)
				if (!strcmp(c->q[k].id, ch->opens_id))
					t = k;
			if (t < 0) {
				diag_set(d, "line %u: [question %s] opens '%s', which is not a question", q->line, q->id, ch->opens_id);
				return ERR_PARSE;
			}
			struct question *sub = &c->q[t];
			if (t <= i || sub->fact != q->fact || sub->parent >= 0) {
				diag_set(d, "line %u: [question %s] opens [question %s]: it must come later, ask the same fact and be "
					 "opened by one answer only", q->line, q->id, sub->id);
				return ERR_PARSE;
			}
			sub->parent = i;
			ch->opens = t;
		}
	}
	for (int i = 0; i < c->nquestions; i++)
		for (int j = i + 1; j < c->nquestions; j++)
			if (c->q[i].fact == c->q[j].fact && content_root(c, i) != content_root(c, j)) {
				diag_set(d, "line %u: [question %s] asks again what line %u asks", c->q[j].line, c->q[j].id,
					 c->q[i].line);
				return ERR_PARSE;
			}
	return 0;
}

int content_root(const struct content *c, int q)
{
	for (int n = 0; q >= 0 && q < c->nquestions && c->q[q].parent >= 0 && n < CONTENT_MAX_QUESTIONS; n++)
		q = c->q[q].parent;
	return q;
}

static int finish_question(struct content *c, struct question *q, int have_fact, int have_kind, int have_text,
			   struct diag *d)
{
	if (!have_fact || !have_kind || !have_text) {
		diag_set(d, "line %u: [question %s] needs fact, kind and text", q->line, q->id);
		return ERR_PARSE;
	}
	const struct fact_def *fd = fact_def(q->fact);
	int ok = (q->kind == Q_DATE && fd->kind == FK_DATE) || (q->kind == Q_NUMBER && fd->kind == FK_INT) ||
		 (q->kind == Q_YESNO && fd->kind == FK_ENUM && fd->nvalues == 2 && !strcmp(fd->values[0], "yes")) ||
		 (q->kind == Q_CHOICE && fd->kind == FK_ENUM) || (q->kind == Q_GATE && fd->kind != FK_DATE) ||
		 (q->kind == Q_DEADLINE && fd->kind == FK_INT);
	if (!ok) {
		diag_set(d, "line %u: [question %s] kind does not fit fact %s", q->line, q->id, fd->key);
		return ERR_PARSE;
	}
	if (q->fact == F_REQUEST_DATE) {
		diag_set(d, "line %u: request_date is the kiosk's date, not a question", q->line);
		return ERR_PARSE;
	}
	if (q->kind == Q_CHOICE && !q->nchoice) {
		diag_set(d, "line %u: [question %s] needs choices", q->line, q->id);
		return ERR_PARSE;
	}
	if (q->kind != Q_CHOICE && q->kind != Q_GATE && q->nchoice) {
		diag_set(d, "line %u: [question %s]: only choice questions have choices", q->line, q->id);
		return ERR_PARSE;
	}
	if (q->kind == Q_GATE && (q->nchoice != 1 || q->gate_no == GATE_NO_MISSING)) {
		diag_set(d, "line %u: [question %s] is a gate: it needs yes = >ID and no = VALUE or unknown", q->line, q->id);
		return ERR_PARSE;
	}
	for (int i = 0; i < c->nquestions; i++)
		if (!strcmp(c->q[i].id, q->id)) {
			diag_set(d, "line %u: [question %s] is defined again (line %u)", q->line, q->id, c->q[i].line);
			return ERR_PARSE;
		}
	/* A picture tells one question (or one answer) from the others: a shared one would say two things at once. */
	for (int a = 0; q->icon[0] && a < ANSWER_SYMBOLS; a++)
		if (!strcmp(q->icon, content_answer_symbol[a])) {
			diag_set(d, "line %u: [question %s] shows %s, an answer button's symbol; a question has its own picture",
				 q->line, q->id, q->icon);
			return ERR_PARSE;
		}
	for (int i = 0; q->icon[0] && i < c->nquestions; i++)
		if (!strcmp(c->q[i].icon, q->icon)) {
			diag_set(d, "line %u: [question %s] shows the picture %s of [question %s] (line %u); each question has its own",
				 q->line, q->id, q->icon, c->q[i].id, c->q[i].line);
			return ERR_PARSE;
		}
	if (c->nquestions == CONTENT_MAX_QUESTIONS) {
		diag_set(d, "line %u: more than %d questions", q->line, CONTENT_MAX_QUESTIONS);
		return ERR_PARSE;
	}
	c->q[c->nquestions++] = *q;
	return 0;
}

int content_parse_questions(const char *text, size_t len, struct content *c, struct diag *d)
{
	struct kv_reader r;
	struct kv_item it;
	struct question q;
	int rc, in_q = 0, have_fact = 0, have_kind = 0, have_text = 0;
	memset(&q, 0, sizeof q);
	kv_reader_init(&r, text, len, KV_SECTIONS);
	while ((rc = kv_next(&r, &it, d)) > 0) {
		if (it.is_section) {
			if (in_q && (rc = finish_question(c, &q, have_fact, have_kind, have_text, d)))
				return rc;
			if (it.key_len < 10 || memcmp(it.key, "question ", 9) || it.key_len - 9 >= sizeof q.id) {
				diag_set(d, "line %u: sections are [question ID]", it.line);
				return ERR_PARSE;
			}
			memset(&q, 0, sizeof q);
			q.gate_no = GATE_NO_MISSING;
			q.parent = -1;
			memcpy(q.id, it.key + 9, it.key_len - 9);
			q.line = it.line;
			in_q = 1;
			have_fact = have_kind = have_text = 0;
			continue;
		}
		if (!in_q) {
			char **slot = kv_eq(it.key, it.key_len, "version") ? &c->version
				      : kv_eq(it.key, it.key_len, "center_phone") ? &c->center_phone : NULL;
			if (!slot) {
				diag_set(d, "line %u: unknown key '%.*s' (want version, center_phone)", it.line,
					 utf8_prefix(it.key, it.key_len, 40), it.key);
				return ERR_PARSE;
			}
			if (*slot || !it.value_len || it.value_len > CONTENT_MAX_STRING) {
				diag_set(d, "line %u: '%.*s' is empty, repeated or over %d bytes", it.line, (int)it.key_len, it.key,
					 CONTENT_MAX_STRING);
				return ERR_PARSE;
			}
			*slot = xstrndup(it.value, it.value_len);
			continue;
		}
		if (kv_eq(it.key, it.key_len, "fact")) {
			int f = fact_find(it.value, it.value_len);
			if (have_fact++ || f < 0) {
				diag_set(d, "line %u: unknown or repeated fact", it.line);
				return ERR_PARSE;
			}
			q.fact = (enum fact_id)f;
		} else if (kv_eq(it.key, it.key_len, "kind")) {
			static const char *const kinds[] = {"yesno", "choice", "date", "number", "gate", "deadline"};
			int k = -1;
			for (int i = 0; i < 6; i++)
				if (kv_eq(it.value, it.value_len, kinds[i]))
					k = i;
			if (have_kind++ || k < 0) {
				diag_set(d, "line %u: kind is yesno, choice, date, number, gate or deadline", it.line);
				return ERR_PARSE;
			}
			q.kind = (enum question_kind)k;
		} else if (kv_eq(it.key, it.key_len, "text") || kv_eq(it.key, it.key_len, "icon")) {
			int is_text = it.key[0] == 't';
			if (is_text ? have_text++ : q.icon[0] != '\0') {
				diag_set(d, "line %u: '%s' repeated", it.line, is_text ? "text" : "icon");
				return ERR_PARSE;
			}
			if ((rc = is_text ? copy_field(q.text_key, sizeof q.text_key, &it, d)
					  : copy_field(q.icon, sizeof q.icon, &it, d)))
				return rc;
			/* The picture is the file icons/NAME.bmp: a name that could leave the pack is refused here. */
			if (!is_text && !content_key_ok(it.value, it.value_len)) {
				diag_set(d, "line %u: icon is one name of A-Z a-z 0-9 . _ - (not a path)", it.line);
				return ERR_PARSE;
			}
		} else if (kv_eq(it.key, it.key_len, "choices") || kv_eq(it.key, it.key_len, "yes") ||
			   kv_eq(it.key, it.key_len, "no")) {
			if (!have_fact) {
				diag_set(d, "line %u: put 'fact' before '%.*s'", it.line, (int)it.key_len, it.key);
				return ERR_PARSE;
			}
			int is_no = kv_eq(it.key, it.key_len, "no"), is_yes = kv_eq(it.key, it.key_len, "yes");
			if (is_no) {
				int unknown = kv_eq(it.value, it.value_len, "unknown");
				int v = unknown ? FACT_UNKNOWN : fact_value_find(q.fact, it.value, it.value_len);
				if (q.gate_no != GATE_NO_MISSING || (v < 0 && !unknown)) {
					diag_set(d, "line %u: no is one value of %s or unknown, once", it.line, fact_def(q.fact)->key);
					return ERR_PARSE;
				}
				q.gate_no = v;
				continue;
			}
			if (q.nchoice) {
				diag_set(d, "line %u: '%.*s' repeated", it.line, (int)it.key_len, it.key);
				return ERR_PARSE;
			}
			const char *p = it.value, *e = p + it.value_len;
			while (p < e) {
				const char *cm = memchr(p, ',', (size_t)(e - p));
				const char *b = p, *q2 = cm ? cm : e;
				while (b < q2 && *b == ' ')
					b++;
				while (q2 > b && q2[-1] == ' ')
					q2--;
				if (q.nchoice == QUESTION_MAX_CHOICES || (is_yes && q.nchoice == 1)) {
					diag_set(d, "line %u: at most %d choices on a screen (with \"I don't know\": five); ask the rest "
						 "as another question (>ID)", it.line, is_yes ? 1 : QUESTION_MAX_CHOICES);
					return ERR_PARSE;
				}
				struct question_choice *ch = &q.choice[q.nchoice];
				if (b < q2 && *b == '>') {
					size_t n = (size_t)(q2 - b - 1);
					if (n == 0 || n >= sizeof ch->opens_id) {
						diag_set(d, "line %u: '>' names the question an answer opens", it.line);
						return ERR_PARSE;
					}
					ch->value = -1;
					memcpy(ch->opens_id, b + 1, n);
					ch->opens_id[n] = '\0';
				} else if (is_yes) {
					diag_set(d, "line %u: yes = >ID: the question a yes opens", it.line);
					return ERR_PARSE;
				} else {
					int v = fact_value_find(q.fact, b, (size_t)(q2 - b));
					if (v < 0 || (q.choices >> v & 1)) {
						diag_set(d, "line %u: '%.*s' is not a value of %s, or is listed twice", it.line,
							 utf8_prefix(b, (size_t)(q2 - b), 40), b, fact_def(q.fact)->key);
						return ERR_PARSE;
					}
					ch->value = v;
					q.choices |= 1u << v;
				}
				q.nchoice++;
				p = cm ? cm + 1 : e;
			}
		} else {
			diag_set(d, "line %u: unknown key '%.*s' in a question (want fact, kind, text, icon, choices, yes, no)", it.line,
				 utf8_prefix(it.key, it.key_len, 40), it.key);
			return ERR_PARSE;
		}
	}
	if (rc < 0)
		return rc;
	if (in_q && (rc = finish_question(c, &q, have_fact, have_kind, have_text, d)))
		return rc;
	if ((rc = link_questions(c, d)))
		return rc;
	if (!c->version || !c->center_phone || c->nquestions == 0) {
		diag_set(d, "line %u: the questions file needs version, center_phone and at least one question", r.line);
		return ERR_PARSE;
	}
	return 0;
}

/* s[0..n) without the blanks around it. */
static void trim_blanks(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/*
 * Does s[0..n) hold a Khmer letter (a consonant or an independent vowel,
 * U+1780-U+17B3)? Signs, digits or a Latin name after '|' are a mistake (a
 * name put on the wrong side, a copy of the Vietnamese), not a Khmer name.
 */
static int has_khmer_letter(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		unsigned long cp = 0;
		if (!(k = utf8_next(s + i, n - i, &cp)))
			return 0; /* kv_next refuses invalid UTF-8 before this */
		if (cp >= 0x1780 && cp <= 0x17B3)
			return 1;
	}
	return 0;
}

int content_parse_communes(const char *text, size_t len, struct content *c, struct diag *d)
{
	struct kv_reader r;
	struct kv_item it;
	int rc;
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, d)) > 0) {
		int ok = it.key_len == 5 && it.value_len > 0 && it.value_len <= CONTENT_MAX_STRING;
		for (size_t i = 0; ok && i < 5; i++)
			ok = it.key[i] >= '0' && it.key[i] <= '9';
		if (!ok) {
			diag_set(d, "line %u: want 'CODE = name' or 'CODE = name | Khmer name' with a 5-digit code and at most %d bytes",
				 it.line, CONTENT_MAX_STRING);
			return ERR_PARSE;
		}
		for (int i = 0; i < c->ncommunes; i++)
			if (!memcmp(c->communes[i].code, it.key, 5)) {
				diag_set(d, "line %u: commune code %.5s listed twice", it.line, it.key);
				return ERR_PARSE;
			}
		const char *vi = it.value, *km = NULL, *bar = memchr(it.value, '|', it.value_len);
		size_t vi_len = it.value_len, km_len = 0;
		if (bar) {
			km = bar + 1;
			km_len = it.value_len - (size_t)(km - it.value);
			vi_len = (size_t)(bar - vi);
			trim_blanks(&vi, &vi_len);
			trim_blanks(&km, &km_len);
			if (memchr(km, '|', km_len)) {
				diag_set(d, "line %u: a second '|' (want 'CODE = Vietnamese name | Khmer name')", it.line);
				return ERR_PARSE;
			}
			if (!vi_len || !km_len) {
				diag_set(d, "line %u: the %s name %s '|' is empty (leave out '|' when there is no Khmer name)", it.line,
					 vi_len ? "Khmer" : "Vietnamese", vi_len ? "after" : "before");
				return ERR_PARSE;
			}
			if (!has_khmer_letter(km, km_len)) {
				diag_set(d, "line %u: the name after '|' has no Khmer letter (want 'CODE = Vietnamese name | Khmer name')",
					 it.line);
				return ERR_PARSE;
			}
		}
		c->communes = xrealloc(c->communes, sizeof *c->communes * (size_t)(c->ncommunes + 1));
		struct commune *m = &c->communes[c->ncommunes++];
		memcpy(m->code, it.key, 5);
		m->code[5] = '\0';
		m->name = xstrndup(vi, vi_len);
		m->name_km = km ? xstrndup(km, km_len) : NULL;
	}
	if (rc == 0 && c->ncommunes == 0) {
		diag_set(d, "the commune list is empty");
		return ERR_PARSE;
	}
	return rc;
}

void content_finish(struct content *c)
{
	for (int i = 0; i < c->ncommunes; i++) {
		free(c->communes[i].name);
		free(c->communes[i].name_km);
	}
	free(c->communes);
	free(c->version);
	free(c->center_phone);
	memset(c, 0, sizeof *c);
}

static int need(const struct catalog *cat, const char *key, const char *lang, struct diag *d)
{
	if (catalog_get(cat, key))
		return 0;
	diag_set(d, "the %s catalog has no text for '%s'", lang, key);
	return ERR_PARSE;
}

int content_check_catalog(const struct content *c, const struct rules *r, const struct catalog *cat,
			  const char *lang, struct diag *d)
{
	char key[96];
	for (int i = 0; i < c->nquestions; i++) {
		const struct question *q = &c->q[i];
		if (need(cat, q->text_key, lang, d))
			return ERR_PARSE;
		const struct fact_def *fd = fact_def(q->fact);
		for (int j = 0; q->kind == Q_CHOICE && j < q->nchoice; j++) {
			const struct question_choice *ch = &q->choice[j];
			snprintf(key, sizeof key, "%s.%s", q->text_key, ch->value >= 0 ? fd->values[ch->value] : ch->opens_id);
			if (need(cat, key, lang, d))
				return ERR_PARSE;
		}
	}
	for (int s = 0; s < r->nslots; s++) {
		snprintf(key, sizeof key, "group.%s", r->slot_id[s]);
		if (need(cat, key, lang, d))
			return ERR_PARSE;
	}
	for (int g = 0; g < r->ngroups; g++)
		for (int k = 0; k < r->groups[g].ndocs; k++) {
			snprintf(key, sizeof key, "doc.%s", r->groups[g].docs[k]);
			if (need(cat, key, lang, d))
				return ERR_PARSE;
		}
	return 0;
}

/* Thresholds the rules compare `fact` (or age) with. */
static int thresholds(const struct rules *r, int fact, int *out, int max)
{
	int n = 0;
	for (int i = 0; i < r->nnodes && n + 2 <= max; i++) {
		const struct rule_node *nd = &r->nodes[i];
		if (nd->op != N_CMP || nd->fact != fact)
			continue;
		out[n++] = nd->value - 1 < 0 ? 0 : nd->value - 1;
		out[n++] = nd->value;
		if (n + 1 <= max)
			out[n++] = nd->value + 1;
	}
	return n;
}

/*
 * The conditions still open: those whose value could still change the
 * outcome or the urgent flag. The outcome is settled when the matter is out
 * of scope, when it is in scope and a group is yes, or when every group is
 * no; then only urgency can still change.
 */
static int open_conditions(const struct rules *r, const struct facts *f, struct date on, int *nodes)
{
	struct screen_result res;
	int n = 0, any_yes = 0, all_no = 1;
	screen(r, f, on, &res);
	for (int s = 0; s < res.nslots; s++) {
		any_yes |= res.slot[s] == TRI_YES;
		all_no &= res.slot[s] == TRI_NO;
	}
	int settled = res.scope_out == TRI_YES || (res.scope_out == TRI_NO && any_yes) || all_no;
	if (!settled) {
		if (res.scope_out == TRI_MAYBE)
			nodes[n++] = r->scope_out;
		if (!any_yes)
			for (int g = 0; g < r->ngroups; g++)
				if (rules_in_force(&r->groups[g], on) && res.slot[r->groups[g].slot] == TRI_MAYBE)
					nodes[n++] = r->groups[g].when;
	}
	if (rules_eval(r, r->urgent, f, on) == TRI_MAYBE)
		nodes[n++] = r->urgent;
	return n;
}

/* Does giving `fact` the value in t change any open condition? */
static int changes(const struct rules *r, const int *nodes, int n, const struct facts *f, const struct facts *t,
		   struct date on)
{
	for (int i = 0; i < n; i++)
		if (rules_eval(r, nodes[i], f, on) != rules_eval(r, nodes[i], t, on))
			return 1;
	return 0;
}

int content_question_matters(const struct rules *r, const struct facts *f, enum fact_id fact, struct date today)
{
	if (facts_known(f, fact))
		return 0;
	struct date on = facts_known(f, F_REQUEST_DATE) ? f->request_date : today;
	int nodes[RULES_MAX_GROUPS + 2];
	int n = open_conditions(r, f, on, nodes);
	if (n == 0)
		return 0;
	struct facts t = *f;
	const struct fact_def *fd = fact_def(fact);
	t.set[fact] = 1;
	if (fd->kind == FK_ENUM) {
		for (int v = 0; v < fd->nvalues; v++) {
			t.val[fact] = v;
			if (changes(r, nodes, n, f, &t, on))
				return 1;
		}
		return 0;
	}
	int vals[64];
	int nv = thresholds(r, fact == F_BIRTH_DATE ? NODE_AGE : (int)fact, vals, 62);
	vals[nv++] = 0;
	vals[nv++] = fact == F_BIRTH_DATE ? 100 : FACT_INT_MAX;
	for (int i = 0; i < nv; i++) {
		t.val[fact] = 0;
		if (fact == F_BIRTH_DATE) {
			/* Born `vals[i]` years before `on`: exactly that age on `on`. */
			t.birth_date = (struct date){on.y - vals[i], on.m, on.d};
			if (!date_valid(t.birth_date))
				t.birth_date.d = date_days_in_month(t.birth_date.y, t.birth_date.m);
			if (!date_valid(t.birth_date))
				continue;
		} else {
			t.val[fact] = vals[i];
		}
		if (changes(r, nodes, n, f, &t, on))
			return 1;
	}
	return 0;
}
