/* core/content: the kiosk's content pack as data: string catalogs, the questions, the commune list, the holidays and the opening hours. Pure. */
#ifndef SPEAN_CORE_CONTENT_H
#define SPEAN_CORE_CONTENT_H

#include <stddef.h>

#include "err.h"
#include "facts.h"
#include "holidays.h"
#include "hours.h"
#include "rules.h"

/* A translation catalog: "key = text" lines (base/kv format). */
struct catalog;
int catalog_parse(const char *text, size_t len, struct catalog **out, struct diag *d);
void catalog_destroy(struct catalog *c);
/* The text for key, or NULL. */
const char *catalog_get(const struct catalog *c, const char *key);
size_t catalog_count(const struct catalog *c);
const char *catalog_key(const struct catalog *c, size_t i);
const char *catalog_value(const struct catalog *c, size_t i);

enum question_kind {
	Q_YESNO,    /* yes / no / I don't know */
	Q_CHOICE,   /* one of the fact's values, or a step to another question / I don't know */
	Q_DATE,     /* a date (year, month, day; year alone or year and month too) / I don't know */
	Q_NUMBER,   /* a whole number / none or I don't know */
	Q_GATE,     /* yes (opens another question) / no (sets a value) / I don't know: "is there ...?" */
	Q_DEADLINE, /* a date ahead, which the kiosk turns into working days left / I don't know the date */
};

/*
 * At most five answers on a screen, "I don't know" included: a choice question offers at most
 * four. A longer list of the engine's values is asked as a short sequence of questions instead
 * (a choice that opens another question).
 */
#define QUESTION_MAX_CHOICES 4

struct question_choice {
	int value;          /* the fact's value index, or -1: this choice opens question `opens` */
	int opens;          /* index into content->q when value < 0 */
	char opens_id[32];
};

#define CONTENT_MAX_QUESTIONS 64
/* Bytes of one text: a catalog entry, a commune name, version, center_phone (the longest Khmer text is ~720). */
#define CONTENT_MAX_STRING 2048

struct question {
	char id[32];
	enum fact_id fact;
	enum question_kind kind;
	char text_key[48];  /* catalog key of the question text */
	char icon[32];      /* icon name (content/kiosk/icons/NAME.bmp), may be empty */
	unsigned choices;   /* Q_CHOICE: bit i = the fact's value i is offered (by this question itself) */
	int nchoice;        /* Q_CHOICE: the choices in the order written; Q_GATE: [0] = what yes opens */
	struct question_choice choice[QUESTION_MAX_CHOICES];
	int gate_no;        /* Q_GATE: the fact's value "no" sets, or FACT_UNKNOWN */
	int parent;         /* -1: asked in the sequence; else the question one of whose answers opens it */
	unsigned line;
};

/*
 * The answer buttons' symbols: icons/NAME.bmp in every pack (the content
 * check refuses a pack without one), the kiosk's Yes, No and "I don't know";
 * no question shows one as its picture.
 */
enum answer_symbol { ANSWER_SYMBOL_YES, ANSWER_SYMBOL_NO, ANSWER_SYMBOL_UNKNOWN, ANSWER_SYMBOLS };
extern const char *const content_answer_symbol[ANSWER_SYMBOLS]; /* "answer_yes", "answer_no", "answer_unknown" */

struct commune {
	char code[6];
	char *name;    /* Vietnamese (the official name) */
	char *name_km; /* Khmer, or NULL when the list gives none (show the Vietnamese) */
};

struct content {
	char *version;
	char *center_phone;
	int nquestions;
	struct question q[CONTENT_MAX_QUESTIONS];
	int ncommunes;
	struct commune *communes;
	/*
	 * holidays.txt (holidays_parse): the kiosk counts the working days to a
	 * hearing with it (holidays_workdays_between). Empty (first_year 0: every
	 * count ERR_NOTFOUND) for a pack signed before packs carried it.
	 */
	struct holidays holidays;
	/*
	 * hours.txt (hours_parse): the office's opening hours; the kiosk turns
	 * its screen off outside them. Unset (always open) when the pack has none.
	 */
	struct hours hours;
};

/*
 * Parse questions.conf: top keys version, center_phone; then one
 * [question ID] section per question with fact, kind, text, icon, choices
 * (a value of the fact, or ">ID": this answer opens question ID), and for a
 * gate: yes = >ID, no = VALUE|unknown. Checked: facts exist and match the
 * kind, choices are the fact's values, at most QUESTION_MAX_CHOICES, what an
 * answer opens exists, comes later, asks the same fact and is opened once;
 * no fact asked by two sequences; no picture shown by two questions or by a
 * question and an answer button. ERR_PARSE with "line N: reason".
 */
int content_parse_questions(const char *text, size_t len, struct content *c, struct diag *d);
/* The question at the head of q's sequence (q itself unless another question opens it). */
int content_root(const struct content *c, int q);
/*
 * Parse communes.txt: "CODE = Vietnamese name" or "CODE = Vietnamese name |
 * Khmer name" lines, CODE 5 digits, unique. Strict about the Khmer part: an
 * empty name on either side of '|', a second '|', or a Khmer part without a
 * Khmer letter is ERR_PARSE with "line N: reason".
 */
int content_parse_communes(const char *text, size_t len, struct content *c, struct diag *d);
void content_finish(struct content *c);

/*
 * Every catalog key the content and the rules need (question texts, choice
 * labels "TEXT.VALUE", group.ID, doc.CODE) must be in cat: 0, or ERR_PARSE
 * naming the first missing key. lang names the catalog in the message.
 */
int content_check_catalog(const struct content *c, const struct rules *r, const struct catalog *cat,
			  const char *lang, struct diag *d);

/*
 * Ask only what matters: could any answer to `fact` change the outcome or
 * the urgent flag, given the facts so far (three-valued screening of each
 * candidate answer)? Dates and numbers are probed at the thresholds the
 * rules compare them with.
 */
int content_question_matters(const struct rules *r, const struct facts *f, enum fact_id fact, struct date today);

#endif
