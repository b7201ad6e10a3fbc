#define LOG_MODULE "provision"
/*
 * app/provision. One path for every way a kiosk is given its center: the
 * technician's options, a folder (--from), and the setup screen of a kiosk
 * that boots without one. Everything is read and checked before the first
 * write, so a refused card or a bad settings line changes nothing. A stick is
 * hostile: it is read only through directory handles (fs_subdir_open,
 * fs_read_at: no link followed, no FIFO or device opened, sizes capped before
 * a byte is read), and nothing it holds is logged but the card's fingerprint.
 */
#include "provision.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autosync.h"
#include "fs.h"
#include "kv.h"
#include "log.h"
#include "printer.h"
#include "stick.h"
#include "store.h"

static const char *const why_names[] = {
	[PROVISION_OK] = "ok",
	[PROVISION_NO_FOLDER] = "no_folder",
	[PROVISION_NO_CARD] = "no_card",
	[PROVISION_BAD_CARD] = "bad_card",
	[PROVISION_LINK] = "link",
	[PROVISION_NOT_FILE] = "not_file",
	[PROVISION_TOO_BIG] = "too_big",
	[PROVISION_BAD_SETTINGS] = "bad_settings",
	[PROVISION_HELD] = "held",
	[PROVISION_FAILED] = "failed",
};

const char *provision_why_name(enum provision_why why)
{
	return (unsigned)why < sizeof why_names / sizeof *why_names ? why_names[why] : "failed";
}

/* Printable ASCII without spaces: a URL, a device path, a number. */
static int plain(const char *v)
{
	for (; *v; v++)
		if (*v <= ' ' || *v > '~')
			return 0;
	return 1;
}

/*
 * The messages name the setting as the caller shows it ("--paper" for the
 * command line, "paper" in the file), so a technician sees the name typed.
 */
static int setting_set(struct provision_settings *s, const char *key, const char *shown, const char *v,
		       struct diag *d)
{
	if (!strcmp(key, "center_url")) {
		if ((strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) || !plain(v) || strlen(v) >= sizeof s->url) {
			diag_set(d, "%s wants http://... or https://..., not '%.200s'", shown, v);
			return ERR_INVAL;
		}
		memcpy(s->url, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(key, "retention")) {
		char *end;
		errno = 0;
		unsigned long long n = v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
		if (!n || errno || *end || n > 100000) {
			diag_set(d, "%s wants a number of sync sessions (1..100000), not '%.200s'", shown, v);
			return ERR_INVAL;
		}
		s->retention = (unsigned long)n;
		return 0;
	}
	if (!strcmp(key, "printer")) {
		char line[300];
		struct printer_conf pc;
		struct diag pd = {""};
		int n = snprintf(line, sizeof line, "%s\n", v);
		if (!*v || !plain(v) || n >= (int)sizeof line || strlen(v) >= sizeof s->printer ||
		    printer_conf_parse(line, &pc, &pd)) {
			diag_set(d,
				 "%s wants 'usb' (the first USB printer), 'usb:VVVV:PPPP' (its hex vendor and product id) or a "
				 "usblp device (/dev/usb/lp0), not '%.200s'",
				 shown, v);
			return ERR_INVAL;
		}
		memcpy(s->printer, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(key, "paper")) {
		if (strcmp(v, "58") && strcmp(v, "80")) {
			diag_set(d, "%s wants 58 or 80 (mm), not '%.200s'", shown, v);
			return ERR_INVAL;
		}
		memcpy(s->paper, v, 3);
		return 0;
	}
	diag_set(d, "unknown setting '%.64s' (center_url, retention, printer, paper)", shown);
	return ERR_NOTFOUND;
}

int provision_setting_set(struct provision_settings *s, const char *key, const char *shown, const char *value,
			  struct diag *d)
{
	return setting_set(s, key, shown, value, d);
}

int provision_settings_check(const struct provision_settings *s, struct diag *d)
{
	if (s->paper[0] && !s->printer[0]) {
		diag_set(d, "paper goes with printer");
		return ERR_INVAL;
	}
	return 0;
}

int provision_settings_parse(const char *data, size_t len, struct provision_settings *s, unsigned *line,
			     struct diag *d)
{
	memset(s, 0, sizeof *s);
	*line = 0;
	if (len > PROVISION_SETTINGS_MAX) {
		diag_set(d, "larger than the limit of %d bytes", PROVISION_SETTINGS_MAX);
		return ERR_PARSE;
	}
	static const char *const keys[] = {"center_url", "retention", "printer", "paper"};
	unsigned seen[4] = {0, 0, 0, 0};
	struct kv_reader r;
	struct kv_item it;
	int rc;
	kv_reader_init(&r, data, len, 0);
	while ((rc = kv_next(&r, &it, d)) == 1) {
		*line = it.line;
		if (it.is_section) {
			diag_set(d, "line %u: a settings file has no sections", it.line);
			return ERR_PARSE;
		}
		int k = -1;
		for (int i = 0; i < 4 && k < 0; i++)
			if (kv_eq(it.key, it.key_len, keys[i]))
				k = i;
		if (k < 0) {
			diag_set(d, "line %u: unknown setting '%.*s' (center_url, retention, printer, paper)", it.line,
				 (int)(it.key_len > 64 ? 64 : it.key_len), it.key);
			return ERR_PARSE;
		}
		if (seen[k]) {
			diag_set(d, "line %u: %s is set twice (first on line %u)", it.line, keys[k], seen[k]);
			return ERR_PARSE;
		}
		seen[k] = it.line;
		char v[600];
		if (it.value_len >= sizeof v) {
			diag_set(d, "line %u: the value of %s is too long", it.line, keys[k]);
			return ERR_PARSE;
		}
		memcpy(v, it.value, it.value_len);
		v[it.value_len] = '\0';
		if (setting_set(s, keys[k], keys[k], v, d)) {
			diag_prefix(d, "line %u: ", it.line);
			return ERR_PARSE;
		}
	}
	if (rc < 0) {
		/* kv_next's message starts "line N: ". */
		unsigned n = 0;
		if (sscanf(d->msg, "line %u:", &n) == 1)
			*line = n;
		return ERR_PARSE;
	}
	if (provision_settings_check(s, d)) {
		*line = seen[3];
		diag_prefix(d, "line %u: ", seen[3]);
		return ERR_PARSE;
	}
	*line = 0;
	return 0;
}

/*
 * Held requests a new card would strand: sealed to another key than the
 * card's box key (one stored before keys were recorded counts as sealed to
 * the current card).
 */
static int held_for_other_center(struct device *dev, const unsigned char box[CRYPT_BOX_PK], uint64_t *n,
				 struct diag *d)
{
	unsigned char now[CRYPT_HASH], cur[CRYPT_HASH];
	*n = 0;
	if (!dev->has_center || !memcmp(box, dev->center_pk, CRYPT_BOX_PK))
		return 0;
	struct store *st;
	int rc = store_open(dev->dir, STORE_NO_CREATE, &st, d);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	crypt_hash(now, box, CRYPT_BOX_PK);
	crypt_hash(cur, dev->center_pk, CRYPT_BOX_PK);
	rc = store_count_held_other_key(st, now, cur, n, d);
	store_close(st);
	return rc;
}

static int write_setting(struct device *dev, const char *name, const char *text, struct diag *d)
{
	char *p = fs_join(dev->dir, name);
	int rc = fs_write_durable(p, text, strlen(text), 0644, d);
	free(p);
	return rc;
}

int provision_apply(struct device *dev, const char *card, size_t card_len, const struct provision_settings *s,
		    int force, struct provision_result *r, struct diag *d)
{
	unsigned char box[CRYPT_BOX_PK];
	int rc;
	r->why = PROVISION_FAILED;
	r->changed = 0;
	r->held = 0;
	if ((rc = provision_settings_check(s, d))) {
		r->why = PROVISION_BAD_SETTINGS;
		return rc;
	}
	if ((rc = device_card_parse(card, card_len, box, d))) {
		r->why = PROVISION_BAD_CARD;
		r->file = PROVISION_CARD;
		return rc;
	}
	hex_encode(box, CRYPT_BOX_PK, r->center);
	if ((rc = held_for_other_center(dev, box, &r->held, d)))
		return rc;
	if (r->held && !force) {
		diag_set(d,
			 "%llu held requests are sealed to the current center's key: only that center can open them, "
			 "another would refuse them. Sync them to the current center first ('spean sync', or a stick), then "
			 "provision; or provision with --force: they then stay held here, never purged, until this kiosk is "
			 "provisioned with the current center's card again",
			 (unsigned long long)r->held);
		r->why = PROVISION_HELD;
		log_warn("provision_refused why=held held=%llu center=%.16s", (unsigned long long)r->held, r->center);
		return ERR_REFUSED;
	}
	if ((rc = device_provision_card(dev, card, card_len, d)))
		return rc;
	r->changed = 1;
	struct store *st;
	struct diag da = {""};
	if (!store_open(dev->dir, 0, &st, &da)) {
		char detail[128];
		snprintf(detail, sizeof detail, "center_key=%.16s stranded=%llu", r->center, (unsigned long long)r->held);
		store_audit(st, "center_key_set", detail, &da);
		store_close(st);
	}
	char line[600];
	if (s->printer[0]) {
		/* The receipt printer: its usblp device or USB selection, and paper width. */
		snprintf(line, sizeof line, "%s %s\n", s->printer, s->paper[0] ? s->paper : "58");
		if ((rc = write_setting(dev, PRINTER_FILE, line, d)))
			return rc;
	}
	if (s->retention) {
		snprintf(line, sizeof line, "%lu\n", s->retention);
		if ((rc = write_setting(dev, AUTOSYNC_RETENTION_FILE, line, d)))
			return rc;
	}
	if (s->url[0]) {
		/* The kiosk then syncs by itself (network up, new requests, retries). */
		snprintf(line, sizeof line, "%s\n", s->url);
		if ((rc = write_setting(dev, AUTOSYNC_URL_FILE, line, d)))
			return rc;
	}
	r->set = *s;
	r->why = PROVISION_OK;
	/* The fingerprint only: the URL and the printer came from a stick that anyone may have written. */
	log_info("provisioned center=%.16s url=%d printer=%d retention=%d stranded=%llu", r->center, s->url[0] != 0,
		 s->printer[0] != 0, s->retention != 0, (unsigned long long)r->held);
	return 0;
}

/* What fs_subdir_open / fs_read_at refused, as a reason the setup screen can say. */
static enum provision_why why_of(int dirfd, const char *name, int rc)
{
	if (rc == ERR_TOOBIG)
		return PROVISION_TOO_BIG;
	if (rc == ERR_REFUSED) {
		struct stat st;
		if (!fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
			return PROVISION_LINK;
		return PROVISION_NOT_FILE;
	}
	return PROVISION_FAILED;
}

int provision_read_dir(const char *dir, struct buf *card, struct provision_settings *s, struct provision_result *r,
		       struct diag *d)
{
	int root = -1, top = -1, prov = -1, rc;
	memset(s, 0, sizeof *s);
	r->why = PROVISION_FAILED;
	r->file = NULL;
	r->line = 0;
	if ((root = fs_dir_open(dir, d)) < 0) {
		rc = root;
		r->why = rc == ERR_NOTFOUND ? PROVISION_NO_FOLDER : PROVISION_FAILED;
		goto fail;
	}
	if ((top = fs_subdir_open(root, STICK_ROOT, 0, 0, STICK_ROOT "/", d)) < 0) {
		rc = top;
		r->why = rc == ERR_NOTFOUND ? PROVISION_NO_FOLDER : why_of(root, STICK_ROOT, rc);
		goto fail;
	}
	if ((prov = fs_subdir_open(top, PROVISION_DIR, 0, 0, STICK_ROOT "/" PROVISION_DIR "/", d)) < 0) {
		rc = prov;
		r->why = rc == ERR_NOTFOUND ? PROVISION_NO_FOLDER : why_of(top, PROVISION_DIR, rc);
		goto fail;
	}
	r->file = PROVISION_CARD;
	rc = fs_read_at(prov, PROVISION_CARD, DEVICE_CARD_MAX, card, STICK_ROOT "/" PROVISION_DIR "/" PROVISION_CARD, d);
	if (rc) {
		r->why = rc == ERR_NOTFOUND ? PROVISION_NO_CARD : why_of(prov, PROVISION_CARD, rc);
		goto fail;
	}
	r->file = PROVISION_SETTINGS;
	struct buf sb;
	buf_init(&sb);
	rc = fs_read_at(prov, PROVISION_SETTINGS, PROVISION_SETTINGS_MAX, &sb,
			STICK_ROOT "/" PROVISION_DIR "/" PROVISION_SETTINGS, d);
	if (rc == ERR_NOTFOUND) {
		rc = 0; /* the card alone: the settings stay as they are */
	} else if (rc) {
		r->why = why_of(prov, PROVISION_SETTINGS, rc);
	} else if ((rc = provision_settings_parse(sb.data, sb.len, s, &r->line, d))) {
		r->why = PROVISION_BAD_SETTINGS;
		diag_prefix(d, STICK_ROOT "/" PROVISION_DIR "/" PROVISION_SETTINGS ": ");
	}
	buf_finish(&sb);
	if (rc)
		goto fail;
	r->file = NULL;
	r->why = PROVISION_OK;
fail:
	if (prov >= 0)
		close(prov);
	if (top >= 0)
		close(top);
	if (root >= 0)
		close(root);
	if (rc)
		log_warn("provision_refused why=%s file=%s line=%u", provision_why_name(r->why), r->file ? r->file : "-",
			 r->line);
	return rc;
}

int provision_from_dir(struct device *dev, const char *dir, int force, struct provision_result *r, struct diag *d)
{
	struct buf card;
	struct provision_settings s;
	buf_init(&card);
	memset(r, 0, sizeof *r);
	int rc = provision_read_dir(dir, &card, &s, r, d);
	if (!rc) {
		rc = provision_apply(dev, card.data, card.len, &s, force, r, d);
		if (rc && r->why == PROVISION_BAD_CARD)
			diag_prefix(d, STICK_ROOT "/" PROVISION_DIR "/" PROVISION_CARD ": ");
		if (rc && r->why != PROVISION_HELD)
			log_warn("provision_refused why=%s", provision_why_name(r->why));
	}
	buf_finish(&card);
	return rc;
}

int provision_dir_present(const char *dir)
{
	struct stat st;
	char *p = fs_join(dir, STICK_ROOT "/" PROVISION_DIR);
	int present = lstat(p, &st) == 0;
	free(p);
	return present;
}
