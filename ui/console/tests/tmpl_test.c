/*
 * Tests for the console's template layer and search box: every value is
 * escaped whatever it holds (markup, quotes for an attribute, a direction
 * override, invalid UTF-8), sections repeat and hide, a missing value or an
 * unclosed section is an error and not an empty field, a partial that
 * includes itself stops; the real templates render with a realistic page;
 * receipt codes in every form a clerk may type, phones and folded names.
 */
#include <stdio.h>
#include <string.h>

#include "console_ui.h"
#include "search.h"
#include "testlib.h"
#include "tmpl.h"

static int render(const char *text, const struct tv *v, const struct catalog *cat, struct buf *out)
{
	struct tmpl_file f[2] = {{"t", text, 0}, {"self", "x{{>self}}", 0}};
	struct diag d = {""};
	out->len = 0;
	buf_append(out, "", 0);
	return tmpl_render(f, 2, "t", v, cat, out, &d);
}

static void test_escape(void)
{
	struct tv *v = tv_create();
	struct buf b;
	buf_init(&b);
	tv_set(v, "name", "<script>alert('x')</script> & \"q\"");
	CHECK_INT(render("<p title=\"{{name}}\">{{ name }}</p>", v, NULL, &b), 0);
	CHECK_STR(b.data, "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\">"
			  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
	/* A right-to-left override and an invalid byte become U+FFFD; Khmer and Vietnamese stay. */
	tv_set(v, "name", "Thạch \xe2\x80\xae" "abc\xff ស្រី");
	CHECK_INT(render("{{name}}", v, NULL, &b), 0);
	CHECK_STR(b.data, "Thạch \xef\xbf\xbd" "abc\xef\xbf\xbd ស្រី");
	tv_destroy(v);
	buf_finish(&b);
}

static void test_sections(void)
{
	struct tv *v = tv_create();
	struct buf b;
	buf_init(&b);
	tv_set(v, "who", "A");
	tv_list(v, "rows");
	CHECK_INT(render("{{#rows}}x{{/rows}}{{^rows}}none{{/rows}}", v, NULL, &b), 0);
	CHECK_STR(b.data, "none");
	tv_set(tv_row(v, "rows"), "n", "1");
	tv_set(tv_row(v, "rows"), "n", "<2>");
	/* A row's names first, then the enclosing scope's. */
	CHECK_INT(render("{{#rows}}[{{n}}{{who}}]{{/rows}}{{^rows}}none{{/rows}}", v, NULL, &b), 0);
	CHECK_STR(b.data, "[1A][&lt;2&gt;A]");
	tv_set(v, "flag", "");
	tv_set(v, "on", "yes");
	CHECK_INT(render("{{#flag}}F{{/flag}}{{#on}}O{{/on}}{{^flag}}f{{/flag}}", v, NULL, &b), 0);
	CHECK_STR(b.data, "Of");
	/* Nested sections of the same name close at their own end. */
	CHECK_INT(render("{{#on}}a{{#on}}b{{/on}}c{{/on}}", v, NULL, &b), 0);
	CHECK_STR(b.data, "abc");
	tv_destroy(v);
	buf_finish(&b);
}

static void test_errors(void)
{
	struct tv *v = tv_create();
	struct buf b;
	buf_init(&b);
	struct diag d = {""};
	CHECK_INT(render("{{missing}}", v, NULL, &b), ERR_NOTFOUND);
	CHECK_INT(render("{{#open}}never closed", v, NULL, &b), ERR_PARSE);
	CHECK_INT(render("{{/stray}}", v, NULL, &b), ERR_PARSE);
	CHECK_INT(render("{{bad name}}", v, NULL, &b), ERR_PARSE);
	CHECK_INT(render("{{unterminated", v, NULL, &b), ERR_PARSE);
	CHECK_INT(render("{{@key}}", v, NULL, &b), ERR_NOTFOUND);
	CHECK_INT(render("{{>self}}", v, NULL, &b), ERR_PARSE);
	CHECK_INT(render("{{>nothere}}", v, NULL, &b), ERR_NOTFOUND);
	struct catalog *cat = NULL;
	const char text[] = "greet = Xin chào <b>\n";
	CHECK_INT(catalog_parse(text, sizeof text - 1, &cat, &d), 0);
	CHECK_INT(render("{{@greet}}", v, cat, &b), 0);
	CHECK_STR(b.data, "Xin chào &lt;b&gt;");
	catalog_destroy(cat);
	tv_destroy(v);
	buf_finish(&b);
}

/* The compiled-in templates and catalog render a login and an inbox page. */
static void test_real_pages(void)
{
	struct catalog *cat = NULL;
	struct diag d = {""};
	CHECK_INT(catalog_parse((const char *)console_catalog_vi, console_catalog_vi_len, &cat, &d), 0);
	struct tv *v = tv_create();
	struct buf b;
	buf_init(&b);
	tv_set(v, "title", "t");
	tv_set(v, "login", "");
	tv_set(v, "csrf", "00");
	tv_set(v, "error", "");
	tv_set(v, "user", "an\"na");
	CHECK_INT(tmpl_render(console_templates, console_ntemplates, "login", v, cat, &b, &d), 0);
	CHECK(strstr(b.data, "value=\"an&quot;na\"") != NULL);
	CHECK(strstr(b.data, "Đăng nhập") != NULL);
	CHECK(strstr(b.data, "</html>") != NULL);
	tv_destroy(v);
	catalog_destroy(cat);
	buf_finish(&b);
}

static void test_search(void)
{
	char hex[33];
	CHECK(search_code_parse("7224-0F81", 9, hex));
	CHECK_STR(hex, "72240f81");
	CHECK(search_code_parse(" 72240f81 ", 10, hex));
	CHECK(search_code_parse("7224 - 0f81", 11, hex));
	CHECK(search_code_parse("7224 0F81", 9, hex));
	CHECK(search_code_parse("72240f81aaaabbbbccccddddeeeeffff", 32, hex));
	CHECK(!search_code_parse("7224-0F8", 8, hex));
	CHECK(!search_code_parse("72-240F81", 9, hex));
	CHECK(!search_code_parse("7224--0F81", 10, hex));
	CHECK(!search_code_parse("7224-0G81", 9, hex));
	CHECK(!search_code_parse("", 0, hex));
	CHECK(!search_code_parse("72240f81aaaabbbbccccddddeeeefffff", 33, hex));
	char digits[SEARCH_QUERY_MAX + 1];
	CHECK(search_phone_parse("+84 987.123-450", 15, digits));
	CHECK_STR(digits, "84987123450");
	CHECK(!search_phone_parse("12", 2, digits));
	CHECK(!search_phone_parse("Thach 123", 9, digits));
	struct buf b;
	buf_init(&b);
	search_fold("  Thạch   Thị Đào ", strlen("  Thạch   Thị Đào "), &b);
	CHECK_STR(b.data, "thach thi dao");
	b.len = 0;
	search_fold("NGUYỄN Văn Ơn\xff", strlen("NGUYỄN Văn Ơn\xff"), &b);
	CHECK_STR(b.data, "nguyen van on");
	b.len = 0;
	search_fold("", 0, &b);
	CHECK_STR(b.data ? b.data : "", "");
	buf_finish(&b);
}

int main(void)
{
	test_escape();
	test_sections();
	test_errors();
	test_real_pages();
	test_search();
	return t_done("console_tmpl_test");
}
