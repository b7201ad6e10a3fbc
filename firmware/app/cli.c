#define LOG_MODULE "cli"
#include "cli.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "client.h"
#include "autosync.h"
#include "device.h"
#include "pack.h"
#include "printer.h"
#include "provision.h"
#include "stick.h"
#include "fs.h"
#include "kv.h"
#include "log.h"
#include "record.h"
#include "rules.h"
#include "screen.h"
#include "store.h"
#include "submit.h"
#include "text.h"
#include "usbgadget.h"

#define MAX_INPUT (1u << 20)

static const char usage[] =
	"usage: spean [--data-dir DIR] COMMAND [ARGS]\n"
	"\n"
	"Spean kiosk: legal-aid screening and sealed requests.\n"
	"\n"
	"commands:\n"
	"  screen --facts FILE [--rules FILE]   print the screening outcome as JSON\n"
	"  rules check FILE                    validate a rules file\n"
	"  identity                            print this kiosk's public signing key (hex)\n"
	"  provision --center-key FILE [--force] [--center-url URL] [--retention SESSIONS] [--printer DEV [--paper 58|80]]\n"
	"                                      take the center's card (requests are sealed to it); a card of\n"
	"                                      another center is refused while requests sealed to the current\n"
	"                                      one are held (sync them first); --force takes it anyway and\n"
	"                                      keeps those held, never purged, until provisioned back; with\n"
	"                                      --center-url the kiosk syncs by itself; delivered requests\n"
	"                                      are kept SESSIONS more syncs (default 30); --printer: the\n"
	"                                      receipt printer: usb (the first USB printer, over libusb),\n"
	"                                      usb:VVVV:PPPP (by hex vendor:product id) or a usblp device\n"
	"                                      (/dev/usb/lp0); --paper: its width in mm (default 58)\n"
	"  provision --from DIR [--force]      the same from a stick mounted at DIR: DIR/spean/provision/center.pub\n"
	"                                      and DIR/spean/provision/settings (center_url = URL, retention = N,\n"
	"                                      printer = DEV, paper = 58|80; each optional, once)\n"
	"  requests add --facts FILE --contact FILE [--rules FILE] [--lang vi|km]\n"
	"                                      store a sealed request; prints its id once durable\n"
	"  requests status                     print 'held N' and 'delivered N' (and 'refused N' with the\n"
	"                                      center's reasons, for held requests it refused)\n"
	"  sync --export DIR | --import DIR     the USB stick: write held requests as bundles to DIR;\n"
	"                                      apply the center's receipts (and content pack) from DIR\n"
	"  sync --url URL [--pin sha256//KEY] [--retention SESSIONS]\n"
	"                                      deliver held requests to the center (urgent first); only\n"
	"                                      its signed receipts mark them delivered; delivered ones are\n"
	"                                      deleted after SESSIONS more syncs (default: provision's, 30)\n"
	"  sync --usb FFSDIR [--wait SECONDS] [--retention SESSIONS]\n"
	"                                      the same over the USB cable: FFSDIR is the kiosk's mounted\n"
	"                                      FunctionFS (board/usb-gadget.sh, /run/spean-ffs); waits up to\n"
	"                                      SECONDS (default 120) for the office PC's 'spean-center usb'\n"
	"  check                               full integrity check of the database\n"
	"  staff-pin                           set the staff PIN for assisted mode (read from stdin)\n"
	"  audit                               print the audit log (events, never personal data)\n"
	"  kiosk [--replay SCRIPT] [--shots DIR] [--size WxH] [--content DIR]\n"
	"                                      run the kiosk (see 'spean kiosk --help')\n"
	"  content check [--content DIR]       validate the kiosk's content pack; list missing prompts\n"
	"                                      and Khmer strings not yet reviewed by a native speaker\n"
	"  text measure --lang km|vi --size PX [--bold] STRING\n"
	"                                      width of STRING in pixels as the kiosk draws it\n"
	"\n"
	"The data dir is --data-dir, else $SPEAN_DATA_DIR, else " DEVICE_DEFAULT_DIR ".\n"
	"Exit status: 0 done, 1 failed (I/O or damaged data), 2 bad input, usage or refused, 3 (sync)\n"
	"the center refused some requests (conflicting id, or one it cannot open): they stay held here.\n";

struct opts {
	const char *data_dir;
	const char *facts;
	const char *contact;
	const char *rules;
	const char *center_key;
	const char *lang;
	const char *url;
	const char *pin;
	const char *retention;
	const char *export_dir;
	const char *import_dir;
	const char *printer;
	const char *paper;
	const char *usb;
	const char *wait;
	const char *from;
	int force;
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "spean: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(see 'spean --help')\n");
	return 2;
}

/* Every --name VALUE option and where it goes. */
static const struct {
	const char *name;
	size_t off;
} options[] = {
	{"--facts", offsetof(struct opts, facts)},
	{"--contact", offsetof(struct opts, contact)},
	{"--rules", offsetof(struct opts, rules)},
	{"--center-key", offsetof(struct opts, center_key)},
	{"--lang", offsetof(struct opts, lang)},
	{"--data-dir", offsetof(struct opts, data_dir)},
	{"--url", offsetof(struct opts, url)},
	{"--center-url", offsetof(struct opts, url)},
	{"--pin", offsetof(struct opts, pin)},
	{"--retention", offsetof(struct opts, retention)},
	{"--export", offsetof(struct opts, export_dir)},
	{"--import", offsetof(struct opts, import_dir)},
	{"--printer", offsetof(struct opts, printer)},
	{"--paper", offsetof(struct opts, paper)},
	{"--usb", offsetof(struct opts, usb)},
	{"--wait", offsetof(struct opts, wait)},
	{"--from", offsetof(struct opts, from)},
};

/* Parse --name VALUE options after the command words; returns 0 or exit code. */
static int parse_opts(int argc, char **argv, int i, struct opts *o, const char *allowed)
{
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--force") && strstr(allowed, "--force")) {
			o->force = 1;
			continue;
		}
		const char **slot = NULL;
		for (size_t k = 0; k < sizeof options / sizeof *options && !slot; k++)
			if (!strcmp(a, options[k].name))
				slot = (const char **)((char *)o + options[k].off);
		if (!slot || !strstr(allowed, a))
			return usage_error("unexpected argument '%s'", a);
		if (i + 1 >= argc)
			return usage_error("%s needs a value", a);
		*slot = argv[++i];
	}
	return 0;
}

/*
 * Print a parse error as "spean: FILE:LINE: reason" when the message
 * starts with "line N: ", else "spean: FILE: message".
 */
static void input_error(const char *path, const char *msg)
{
	unsigned line;
	int off = 0;
	if (sscanf(msg, "line %u: %n", &line, &off) == 1 && off > 0)
		fprintf(stderr, "spean: %s:%u: %s\n", path, line, msg + off);
	else
		fprintf(stderr, "spean: %s: %s\n", path, msg);
}

static int load_rules(const char *path, struct rules **out)
{
	struct diag d = {""};
	struct buf b;
	buf_init(&b);
	int rc;
	if (path) {
		rc = fs_read_file(path, MAX_INPUT, &b, &d);
		if (rc) {
			fprintf(stderr, "spean: %s\n", d.msg);
			buf_finish(&b);
			return 2;
		}
	} else {
		buf_append(&b, (const char *)spean_builtin_rules, spean_builtin_rules_len);
	}
	rc = rules_parse(b.data, b.len, out, &d);
	buf_finish(&b);
	if (rc) {
		input_error(path ? path : "(built-in rules)", d.msg);
		return 2;
	}
	return 0;
}

static struct date today(void)
{
	struct date t;
	clock_today(&t.y, &t.m, &t.d);
	return t;
}

/* Read and parse a facts file; prints "file:line: reason" and returns 2 on error. */
static int load_facts(const char *path, struct facts *f, struct date *on)
{
	struct diag d = {""};
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(path, MAX_INPUT, &b, &d);
	if (rc) {
		fprintf(stderr, "spean: %s\n", d.msg);
		buf_finish(&b);
		return 2;
	}
	rc = facts_parse(b.data, b.len, f, &d);
	buf_finish_wipe(&b);
	if (!rc) {
		*on = facts_known(f, F_REQUEST_DATE) ? f->request_date : today();
		rc = facts_check(f, *on, &d);
	}
	if (rc) {
		input_error(path, d.msg);
		return 2;
	}
	return 0;
}

static int cmd_screen(struct opts *o)
{
	if (!o->facts)
		return usage_error("screen needs --facts FILE%s", "");
	struct rules *rules;
	struct facts f;
	struct date on;
	int rc = load_rules(o->rules, &rules);
	if (rc)
		return rc;
	if ((rc = load_facts(o->facts, &f, &on))) {
		rules_destroy(rules);
		return rc;
	}
	struct screen_result res;
	struct buf out;
	buf_init(&out);
	screen(rules, &f, on, &res);
	screen_result_json(rules, &res, &out);
	printf("%s\n", out.data);
	buf_finish(&out);
	rules_destroy(rules);
	return 0;
}

static int cmd_rules_check(const char *path)
{
	struct rules *r;
	int rc = load_rules(path, &r);
	if (rc)
		return rc;
	printf("%s: ok, version %s, %d groups (%d dated variants)\n", path, r->version, r->nslots, r->ngroups);
	rules_destroy(r);
	return 0;
}

static int open_device(struct opts *o, struct device *dev)
{
	struct diag d = {""};
	int rc = device_open(device_data_dir(o->data_dir), dev, &d);
	if (rc) {
		fprintf(stderr, "spean: %s\n", d.msg);
		return rc == ERR_PARSE ? 2 : 1;
	}
	return 0;
}

static int open_store(struct device *dev, unsigned flags, struct store **st)
{
	struct diag d = {""};
	int rc = store_open(dev->dir, flags, st, &d);
	if (rc && rc != ERR_NOTFOUND)
		fprintf(stderr, "spean: %s\n", d.msg);
	return rc;
}

static int cmd_identity(struct opts *o)
{
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	char hex[2 * CRYPT_SIGN_PK + 1];
	hex_encode(dev.sign_pk, CRYPT_SIGN_PK, hex);
	printf("%s\n", hex);
	device_close(&dev);
	return 0;
}

/* What 'spean provision' did, for the technician (the same for options and --from). */
static void provision_report(const struct provision_result *r)
{
	printf("center key set\n");
	if (r->held)
		printf("%llu held requests stay sealed to the previous center: kept held, never purged; provision with that "
		       "center's card again to deliver them\n",
		       (unsigned long long)r->held);
	if (r->set.printer[0])
		printf("receipt printer set: %s, %s mm paper\n", r->set.printer, r->set.paper[0] ? r->set.paper : "58");
	if (r->set.retention)
		printf("delivered requests are kept for %lu more syncs\n", r->set.retention);
	if (r->set.url[0])
		printf("center address set: the kiosk syncs by itself\n");
}

static int cmd_provision(struct opts *o)
{
	if (!o->center_key == !o->from)
		return usage_error("provision needs --center-key FILE or --from DIR (a stick's mount point)%s", "");
	if (o->from && (o->url || o->retention || o->printer || o->paper))
		return usage_error("--from takes the settings from the stick's spean/provision/settings%s", "");
	/* The options, checked before anything is changed (the rules of the stick's settings file). */
	struct provision_settings set;
	struct diag d = {""};
	memset(&set, 0, sizeof set);
	static const char *const names[4][2] = {
		{"center_url", "--center-url"}, {"retention", "--retention"}, {"printer", "--printer"}, {"paper", "--paper"}};
	const char *vals[4] = {o->url, o->retention, o->printer, o->paper};
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		if (provision_setting_set(&set, names[i][0], names[i][1], vals[i], &d))
			return usage_error("%s", d.msg);
	}
	if (provision_settings_check(&set, &d))
		return usage_error("--paper goes with --printer%s", "");
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	struct provision_result r;
	memset(&r, 0, sizeof r);
	struct buf card;
	buf_init(&card);
	if (o->from) {
		rc = provision_from_dir(&dev, o->from, o->force, &r, &d);
	} else if (!(rc = fs_read_file(o->center_key, DEVICE_CARD_MAX, &card, &d))) {
		rc = provision_apply(&dev, card.data, card.len, &set, o->force, &r, &d);
		if (rc && r.why == PROVISION_BAD_CARD)
			diag_prefix(&d, "%s: ", o->center_key);
	} else {
		r.why = rc == ERR_NOTFOUND || rc == ERR_TOOBIG ? PROVISION_BAD_CARD : PROVISION_FAILED;
	}
	buf_finish(&card);
	if (rc) {
		if (o->from && r.why == PROVISION_BAD_SETTINGS)
			input_error(o->from, d.msg);
		else
			fprintf(stderr, "spean: %s\n", d.msg);
		device_close(&dev);
		return r.why == PROVISION_FAILED ? 1 : 2;
	}
	provision_report(&r);
	device_close(&dev);
	return 0;
}

static int cmd_requests_add(struct opts *o)
{
	if (!o->facts || !o->contact)
		return usage_error("requests add needs --facts FILE and --contact FILE%s", "");
	if (o->lang && strcmp(o->lang, "vi") && strcmp(o->lang, "km"))
		return usage_error("--lang is vi or km, not '%s'", o->lang);
	struct device dev;
	struct rules *rules = NULL;
	struct store *st = NULL;
	struct contact c;
	struct facts f;
	struct date on;
	struct diag d = {""};
	int rc, ex = 2;
	contact_init(&c);
	if ((rc = open_device(o, &dev)))
		return rc;
	if (!dev.has_center) {
		fprintf(stderr, "spean: this kiosk has no center key yet: run 'spean provision --center-key FILE' first\n");
		goto out;
	}
	if (load_rules(o->rules, &rules) || load_facts(o->facts, &f, &on))
		goto out;
	struct buf b;
	buf_init(&b);
	rc = fs_read_file(o->contact, MAX_INPUT, &b, &d);
	if (rc) {
		fprintf(stderr, "spean: %s\n", d.msg);
		buf_finish_wipe(&b);
		goto out;
	}
	rc = contact_parse(b.data, b.len, &c, &d);
	buf_finish_wipe(&b);
	if (rc || (rc = contact_validate(&c, &d))) {
		input_error(o->contact, d.msg);
		goto out;
	}
	if (!c.consent_text)
		c.consent_text = xstrdup("cli-1");
	ex = 1;
	rc = store_open(dev.dir, 0, &st, &d);
	if (rc) {
		fprintf(stderr, "spean: request not stored: %s\n", d.msg);
		goto out;
	}
	unsigned char id[RECORD_ID_LEN];
	uint64_t seq;
	rc = submit_request(st, &dev, rules, &f, on, &c, o->lang ? o->lang : "vi", id, &seq, &d);
	if (rc) {
		fprintf(stderr, "spean: request not stored: %s\n", d.msg[0] ? d.msg : err_message(rc));
		ex = rc == ERR_REFUSED || rc == ERR_STATE || rc == ERR_INVAL ? 2 : 1;
		goto out;
	}
	char hex[2 * RECORD_ID_LEN + 1];
	hex_encode(id, RECORD_ID_LEN, hex);
	printf("%s\n", hex);
	fflush(stdout);
	ex = 0;
out:
	contact_finish(&c);
	store_close(st);
	rules_destroy(rules);
	device_close(&dev);
	return ex;
}

/* "N held: refused by the center: REASON", one line per reason the center gave. */
static void print_refused(const uint64_t by[STORE_REASONS], const char *indent)
{
	for (int i = 1; i < STORE_REASONS; i++)
		if (by[i])
			printf("%s%llu held: refused by the center: %s\n", indent, (unsigned long long)by[i], sync_reason_text(i));
	if (by[0])
		printf("%s%llu held: refused by the center for a reason this kiosk does not know\n", indent,
		       (unsigned long long)by[0]);
}

static int cmd_requests_status(struct opts *o)
{
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	struct store *st;
	struct store_counts n = {0, 0, 0};
	uint64_t by[STORE_REASONS], refused = 0;
	rc = open_store(&dev, STORE_NO_CREATE, &st);
	if (rc == 0) {
		struct diag d = {""};
		rc = store_count(st, &n, &d);
		if (!rc)
			rc = store_count_refused(st, by, &refused, &d);
		if (rc)
			fprintf(stderr, "spean: %s\n", d.msg);
		store_close(st);
	} else if (rc == ERR_NOTFOUND) {
		rc = 0;
	}
	device_close(&dev);
	if (rc)
		return 1;
	printf("held %llu\ndelivered %llu\n", (unsigned long long)n.held, (unsigned long long)n.delivered);
	if (refused) {
		printf("refused %llu\n", (unsigned long long)refused);
		print_refused(by, "  ");
	}
	return 0;
}

/* After a sync: the held requests the center refused, by reason (on stdout, with the summary). */
static void report_refused(struct store *st)
{
	uint64_t by[STORE_REASONS], total = 0;
	struct diag d = {""};
	if (store_count_refused(st, by, &total, &d))
		fprintf(stderr, "spean: %s\n", d.msg);
	else if (total)
		print_refused(by, "");
}

static void sync_progress_print(void *ctx, const struct sync_progress *p)
{
	(void)ctx;
	fprintf(stderr, "sync: %llu of %llu delivered (%u chunks%s)\n", (unsigned long long)p->delivered,
		(unsigned long long)p->to_offer, p->chunks, p->retries ? ", link retried" : "");
}

static void stick_report(void *ctx, const char *file, const char *why)
{
	(void)ctx;
	fprintf(stderr, "sync: %s refused: %s\n", file, why);
}

/* `spean sync --export DIR` / `--import DIR`: the USB stick carrier. */
static int cmd_stick(struct opts *o)
{
	if ((o->export_dir != NULL) == (o->import_dir != NULL) || o->url || o->usb)
		return usage_error("sync takes one of --url URL, --export DIR or --import DIR%s", "");
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	if (!dev.has_center_sign) {
		fprintf(stderr, "spean: this kiosk has no center card with a signing key: run 'spean provision --center-key center.pub'\n");
		device_close(&dev);
		return 2;
	}
	struct store *st;
	struct diag d = {""};
	int refused = 0;
	if (open_store(&dev, 0, &st)) {
		device_close(&dev);
		return 1;
	}
	if (o->export_dir) {
		struct stick_export_result r;
		rc = stick_export(st, dev.sign_pk, dev.sign_sk, o->export_dir, &r, &d);
		if (rc)
			fprintf(stderr, "spean: %s\n", d.msg);
		printf("%llu requests in %u bundles on the stick%s\n", (unsigned long long)r.records, r.bundles,
		       rc ? " (incomplete: the rest stays held)" : "; take it to the office (spean-center import)");
	} else {
		struct stick_import_result r;
		uint64_t have = pack_installed_version(dev.dir), purged = 0;
		rc = stick_import(st, dev.sign_pk, dev.center_sign_pk, o->import_dir, have, stick_report, NULL, &r, &d);
		int pack_refused = 0;
		if (!rc && r.pack.len) {
			struct diag cd = {""};
			uint64_t version = 0;
			int why = 0;
			int crc = sync_content_accept(r.pack.data, r.pack.len, dev.center_sign_pk, have, pack_install_cb, dev.dir,
						      &version, &why, &cd);
			/* Told to the center at the next network or cable sync (the stick has no hello). */
			if (crc && why)
				pack_refusal_note(dev.dir, r.content_version, why);
			else if (!crc)
				pack_refusal_clear(dev.dir);
			if (crc) {
				fprintf(stderr, "sync: content pack refused, the current one stays: %s\n", cd.msg);
				pack_refused = 1;
			} else {
				printf("content pack %llu installed (the kiosk uses it from its next start)\n",
				       (unsigned long long)version);
			}
		}
		buf_finish(&r.pack);
		if (!rc && r.bundles)
			rc = store_sync_finish(st, o->retention ? strtoull(o->retention, NULL, 10) : autosync_retention(dev.dir),
					       &purged, &d);
		if (rc)
			fprintf(stderr, "spean: %s\n", d.msg);
		struct store_counts n = {0, 0, 0};
		store_count(st, &n, &d);
		if (r.reoffered)
			fprintf(stderr, "sync: the center was restored from a backup: %llu requests offered again\n",
				(unsigned long long)r.reoffered);
		printf("%llu delivered, %llu held (%u receipt bundles applied%s)\n", (unsigned long long)r.delivered,
		       (unsigned long long)n.held, r.bundles, r.bad_files ? ", some refused: see above" : "");
		if (r.refused)
			printf("the center refused %llu requests (%llu with a conflicting id): they stay held; tell the office\n",
			       (unsigned long long)r.refused, (unsigned long long)r.conflicts);
		report_refused(st);
		if (!rc && (r.bad_files || pack_refused))
			rc = ERR_CRYPTO;
		else if (!rc && r.refused)
			refused = 1;
	}
	store_close(st);
	device_close(&dev);
	return rc == 0 ? (refused ? 3 : 0) : rc == ERR_CRYPTO || rc == ERR_NOTFOUND || rc == ERR_REFUSED ? 2 : 1;
}

static int cmd_sync(struct opts *o)
{
	if (!o->url == !o->usb)
		return usage_error("sync needs --url URL (the center's 'serve' address, e.g. http://10.0.0.2:8443) or --usb "
				   "FFSDIR (the cable)%s", "");
	long wait_s = 120;
	if (o->wait) {
		char *end;
		wait_s = strtol(o->wait, &end, 10);
		if (*end || wait_s < 0 || wait_s > 86400)
			return usage_error("--wait wants seconds (0..86400), not '%s'", o->wait);
	}
	uint64_t retention = autosync_retention(device_data_dir(o->data_dir));
	if (o->retention) {
		char *end;
		unsigned long long v = strtoull(o->retention, &end, 10);
		if (*end || v == 0 || v > 100000)
			return usage_error("--retention wants a number of sync sessions (1..100000), not '%s'", o->retention);
		retention = v;
	}
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	if (!dev.has_center_sign) {
		fprintf(stderr, "spean: this kiosk has no center card with a signing key: run 'spean provision --center-key "
				"center.pub' with the center's card\n");
		device_close(&dev);
		return 2;
	}
	struct store *st;
	struct diag d = {""};
	if ((rc = open_store(&dev, 0, &st))) {
		device_close(&dev);
		return 1;
	}
	/* HTTPS: the center's certificate is self-signed; its key is pinned from the card. */
	const char *pin = o->pin;
	if (o->url && !pin && !strncmp(o->url, "https://", 8)) {
		if (!dev.center_tls_pin[0]) {
			fprintf(stderr, "spean: https needs the center's pin: provision with a card that has a 'tls' line, or --pin\n");
			store_close(st);
			device_close(&dev);
			return 2;
		}
		pin = dev.center_tls_pin;
	}
	struct sync_transport *t = NULL;
	struct usb_gadget *g = NULL;
	if (o->usb) {
		if (!(rc = usb_gadget_open(&g, o->usb, NULL, NULL, &d))) {
			fprintf(stderr, "sync: waiting for the office PC on the USB cable (up to %ld s)\n", wait_s);
			if (!usb_gadget_wait(g, (int)wait_s * 1000)) {
				diag_set(&d, "usb: no office PC on the cable after %ld s (plugged in? 'spean-center usb' running?)",
					 wait_s);
				rc = ERR_IO;
			} else {
				rc = transport_usb_gadget_create(&t, g, 0, &d);
			}
		}
	} else {
		rc = transport_http_create(&t, o->url, pin, &d);
	}
	if (rc) {
		fprintf(stderr, "spean: %s\n", d.msg);
		usb_gadget_close(g);
		store_close(st);
		device_close(&dev);
		return rc == ERR_IO ? 1 : 2;
	}
	struct sync_client_cfg cfg = {st,
				      dev.sign_pk,
				      dev.sign_sk,
				      dev.center_sign_pk,
				      retention,
				      0,
				      sync_progress_print,
				      (void *)dev.dir,
				      pack_installed_version(dev.dir),
				      pack_install_cb,
				      0,
				      0,
				      0,
				      NULL,
				      0,
				      -1};
	pack_refusal_to_cfg(dev.dir, &cfg);
	kiosk_facts_to_cfg(dev.dir, &cfg);
	struct sync_result r;
	rc = sync_run(&cfg, t, &r, &d);
	pack_refusal_after(dev.dir, &cfg, &r);
	t->ops->destroy(t);
	usb_gadget_close(g);
	if (r.reoffered)
		fprintf(stderr, "sync: the center was restored from a backup: %llu requests offered again\n",
			(unsigned long long)r.reoffered);
	if (r.conflicts || r.bad)
		fprintf(stderr, "sync: the center refused %llu requests (%llu with a conflicting id, %llu it cannot take): "
				"they stay held here; tell the office\n",
			(unsigned long long)(r.conflicts + r.bad), (unsigned long long)r.conflicts, (unsigned long long)r.bad);
	if (rc)
		fprintf(stderr, "spean: sync stopped: %s\n", d.msg);
	printf("%llu delivered, %llu held\n", (unsigned long long)r.delivered, (unsigned long long)r.held);
	report_refused(st);
	store_close(st);
	device_close(&dev);
	if (r.purged)
		printf("%llu delivered requests past retention deleted\n", (unsigned long long)r.purged);
	if (r.content_installed)
		printf("content pack %llu installed (the kiosk uses it from its next start)\n",
		       (unsigned long long)r.content_installed);
	else if (r.content_rc)
		fprintf(stderr, "sync: content pack refused, the current one stays: %s\n", r.content_why);
	else if (r.content_offered && r.content_offered < cfg.content_have)
		fprintf(stderr, "sync: the center offers content pack %llu, older than the installed %llu: kept %llu\n",
			(unsigned long long)r.content_offered, (unsigned long long)cfg.content_have,
			(unsigned long long)cfg.content_have);
	return rc == 0 ? (r.conflicts || r.bad ? 3 : 0) : rc == ERR_REFUSED || rc == ERR_CRYPTO ? 2 : 1;
}

static int cmd_check(struct opts *o)
{
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	struct store *st;
	rc = open_store(&dev, STORE_CHECK_FULL, &st);
	device_close(&dev);
	if (rc)
		return 1;
	store_close(st);
	printf("database ok\n");
	return 0;
}

static int cmd_staff_pin(struct opts *o)
{
	char line[64];
	struct device dev;
	struct diag d = {""};
	if (!fgets(line, sizeof line, stdin)) {
		fprintf(stderr, "spean: staff-pin reads the new PIN (4 to 8 digits) from standard input\n");
		return 2;
	}
	line[strcspn(line, "\r\n")] = '\0';
	int rc = open_device(o, &dev);
	if (rc) {
		mem_wipe(line, sizeof line);
		return rc;
	}
	rc = device_set_pin(&dev, line, &d);
	mem_wipe(line, sizeof line);
	if (rc) {
		fprintf(stderr, "spean: %s\n", d.msg);
		device_close(&dev);
		return rc == ERR_INVAL ? 2 : 1;
	}
	struct store *st;
	if (!open_store(&dev, 0, &st)) {
		store_audit(st, "staff_pin_set", "", &d);
		store_close(st);
	}
	device_close(&dev);
	printf("staff PIN set\n");
	return 0;
}

static int print_audit(void *ctx, int64_t n, int64_t wall, const char *event, const char *detail)
{
	(void)ctx;
	printf("%lld wall=%lld %s %s\n", (long long)n, (long long)wall, event, detail);
	return 0;
}

static int cmd_audit(struct opts *o)
{
	struct device dev;
	int rc = open_device(o, &dev);
	if (rc)
		return rc;
	struct store *st;
	struct diag d = {""};
	rc = open_store(&dev, 0, &st);
	device_close(&dev);
	if (rc)
		return 1;
	rc = store_each_audit(st, print_audit, NULL, &d);
	if (rc)
		fprintf(stderr, "spean: %s\n", d.msg);
	store_close(st);
	return rc ? 1 : 0;
}

int cli_main(int argc, char **argv)
{
	struct opts o;
	memset(&o, 0, sizeof o);
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("spean %s\n", SPEAN_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc) {
			o.data_dir = argv[i + 1];
			i += 2;
			continue;
		}
		return usage_error("unknown option '%s'", argv[i]);
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[i++];
	const char *sub = i < argc ? argv[i] : "";
	int rc;
	if (!strcmp(cmd, "screen")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--facts --rules")))
			return rc;
		return cmd_screen(&o);
	}
	if (!strcmp(cmd, "rules")) {
		if (strcmp(sub, "check") || i + 2 != argc)
			return usage_error("usage: spean rules check FILE%s", "");
		return cmd_rules_check(argv[i + 1]);
	}
	if (!strcmp(cmd, "sync")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--url --usb --wait --pin --retention --export --import --data-dir")))
			return rc;
		if (o.export_dir || o.import_dir)
			return cmd_stick(&o);
		return cmd_sync(&o);
	}
	if (!strcmp(cmd, "identity")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--data-dir")))
			return rc;
		return cmd_identity(&o);
	}
	if (!strcmp(cmd, "provision")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--center-key --from --force --center-url --retention --printer --paper --data-dir")))
			return rc;
		return cmd_provision(&o);
	}
	if (!strcmp(cmd, "check")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--data-dir")))
			return rc;
		return cmd_check(&o);
	}
	if (!strcmp(cmd, "staff-pin")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--data-dir")))
			return rc;
		return cmd_staff_pin(&o);
	}
	if (!strcmp(cmd, "audit")) {
		if ((rc = parse_opts(argc, argv, i, &o, "--data-dir")))
			return rc;
		return cmd_audit(&o);
	}
	if (!strcmp(cmd, "kiosk"))
		return kiosk_main(o.data_dir, argc - i, argv + i);
	if (!strcmp(cmd, "content")) {
		if (strcmp(sub, "check"))
			return usage_error("usage: spean content check [--content DIR]%s", "");
		return content_check_main(argc - i - 1, argv + i + 1);
	}
	if (!strcmp(cmd, "text"))
		return text_cli(argc - i + 1, argv + i - 1);
	if (!strcmp(cmd, "requests")) {
		if (!strcmp(sub, "add")) {
			if ((rc = parse_opts(argc, argv, i + 1, &o, "--facts --contact --rules --lang --data-dir")))
				return rc;
			return cmd_requests_add(&o);
		}
		if (!strcmp(sub, "status")) {
			if ((rc = parse_opts(argc, argv, i + 1, &o, "--data-dir")))
				return rc;
			return cmd_requests_status(&o);
		}
		return usage_error("usage: spean requests add|status ...%s", "");
	}
	return usage_error("unknown command '%s'", cmd);
}
